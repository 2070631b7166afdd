//! Setup: a run's per-node vectors, filled in parallel on the pool for large graphs.

use rayon::prelude::*;

/// Nodes per chunk a worker fills at once (large enough that handing chunks out is cheap).
const CHUNK: usize = 1 << 12;

/// A vector of `n` elements, element `i` being `f(i)`, filled by the current pool's workers
/// (call it inside the pool). If `f` panics, the elements written so far are leaked, never
/// read or dropped.
pub(super) fn par_fill<T: Send>(n: usize, f: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let mut v = Vec::with_capacity(n);
    v.spare_capacity_mut()[..n]
        .par_chunks_mut(CHUNK)
        .enumerate()
        .for_each(|(c, chunk)| {
            for (k, slot) in chunk.iter_mut().enumerate() {
                slot.write(f(c * CHUNK + k));
            }
        });
    // SAFETY: the loop above wrote every element of `0..n` (the chunks cover the whole spare
    // slice, each element once); the capacity is at least `n`.
    unsafe { v.set_len(n) };
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_every_element_in_order_across_chunks() {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .expect("a pool");
        for n in [0, 1, CHUNK - 1, CHUNK, 3 * CHUNK + 7] {
            let v = pool.install(|| par_fill(n, |i| i * 3));
            assert_eq!(v, (0..n).map(|i| i * 3).collect::<Vec<_>>());
        }
    }
}
