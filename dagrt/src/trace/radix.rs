//! A stable LSD radix sort on an integer key: how a trace read orders its events' clock ticks
//! in linear time (a comparison sort of a large run's keys was most of a read's cost).

/// Widest digit: 2^13 u32 counters per pass (32 KiB) stay in the L1 cache.
const MAX_DIGIT: u32 = 13;

/// Sorts `v` stably by `key`, of which only the low `bits` bits may be set: items with equal
/// keys keep their order. Digits on which every item agrees cost no pass.
pub(crate) fn sort_by_key_bits<T: Copy + Default>(
    v: &mut Vec<T>,
    bits: u32,
    key: impl Fn(&T) -> u64,
) {
    let bits = bits.min(64);
    if bits == 0 || v.len() < 2 {
        return;
    }
    if u32::try_from(v.len()).is_err() {
        // Beyond what u32 counters hold (never, for a trace): the standard stable sort.
        return v.sort_by_key(|x| key(x) & (u64::MAX >> (64 - bits)));
    }
    let passes = bits.div_ceil(MAX_DIGIT);
    let width = bits.div_ceil(passes);
    let buckets = 1usize << width;
    let mask = (buckets - 1) as u64;
    let digit = |k: u64, p: u32| ((k >> (p * width).min(63)) & mask) as usize;
    // Every pass's histogram in one read.
    let mut counts = vec![0u32; buckets * passes as usize];
    for x in v.iter() {
        let k = key(x);
        for p in 0..passes {
            counts[p as usize * buckets + digit(k, p)] += 1;
        }
    }
    let mut buf: Vec<T> = Vec::new();
    for p in 0..passes {
        let c = &mut counts[p as usize * buckets..(p as usize + 1) * buckets];
        if c.iter().any(|&k| k as usize == v.len()) {
            continue;
        }
        let mut sum = 0;
        for k in c.iter_mut() {
            let n = *k;
            *k = sum;
            sum += n;
        }
        if buf.is_empty() {
            // Zeroed (fresh pages for u64s), not a copy: every slot is written below.
            buf = vec![T::default(); v.len()];
        }
        for x in v.iter() {
            let d = digit(key(x), p);
            buf[c[d] as usize] = *x;
            c[d] += 1;
        }
        std::mem::swap(v, &mut buf);
    }
}

/// Bits needed to write `x`.
pub(crate) fn bit_width(x: u64) -> u32 {
    64 - x.leading_zeros()
}

#[cfg(test)]
mod tests {
    use super::{bit_width, sort_by_key_bits};

    #[test]
    fn sorts_stably_by_the_key_bits_only() {
        // Key: the high half; payload in the low half records the input position.
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut v: Vec<(u64, usize)> = (0..5000)
            .map(|i| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                (seed % 40_000_000 + 7, i)
            })
            .collect();
        let mut want = v.clone();
        want.sort_by_key(|x| x.0);
        let bits = bit_width(v.iter().map(|x| x.0).max().unwrap_or(0));
        sort_by_key_bits(&mut v, bits, |x| x.0);
        assert_eq!(v, want);
    }

    #[test]
    fn wide_keys_and_constant_digits() {
        let mut v: Vec<u64> = vec![u64::MAX, 1 << 63, 5 << 40, 5 << 40 | 3, 0, 1 << 40];
        sort_by_key_bits(&mut v, 64, |&x| x);
        assert_eq!(v, [0, 1 << 40, 5 << 40, 5 << 40 | 3, 1 << 63, u64::MAX]);
        let mut same = vec![(3u64, 'b'), (3, 'a')];
        sort_by_key_bits(&mut same, 2, |x| x.0);
        assert_eq!(same, [(3, 'b'), (3, 'a')]);
        assert_eq!((bit_width(0), bit_width(1), bit_width(255)), (0, 1, 8));
    }
}
