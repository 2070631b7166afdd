//! Resource pools: how much of each pool is free, and the tasks waiting for their share.

/// The free amount of every pool of a run and the nodes waiting, in arrival order.
pub(super) struct Book {
    free: Vec<u32>,
    /// `(node, waiting since)`.
    queue: Vec<(u32, u64)>,
}

impl Book {
    /// Every pool at full `capacity`.
    pub(super) fn new(capacity: impl Iterator<Item = u32>) -> Self {
        Book {
            free: capacity.collect(),
            queue: Vec::new(),
        }
    }

    fn fits(&self, needs: &[(u16, u32)]) -> bool {
        needs
            .iter()
            .all(|&(p, amount)| self.free[usize::from(p)] >= amount)
    }

    /// Takes all of `needs` at once when all of it is free (so no task holds part of what it
    /// needs while waiting for the rest, and no two tasks deadlock).
    pub(super) fn try_take(&mut self, needs: &[(u16, u32)]) -> bool {
        if !self.fits(needs) {
            return false;
        }
        for &(p, amount) in needs {
            self.free[usize::from(p)] -= amount;
        }
        true
    }

    /// Node `n` waits for its share, since `since` (raw ticks).
    pub(super) fn enqueue(&mut self, n: u32, since: u64) {
        self.queue.push((n, since));
    }

    /// Node `n` no longer waits (cancelled); whether it was waiting.
    pub(super) fn dequeue(&mut self, n: u32) -> bool {
        let before = self.queue.len();
        self.queue.retain(|&(q, _)| q != n);
        self.queue.len() != before
    }

    /// Gives `needs` back, then takes the shares of the waiting nodes that now fit, in arrival
    /// order (a later, smaller request may pass an earlier one that does not fit yet); returns
    /// those nodes.
    pub(super) fn give<'n>(
        &mut self,
        needs: &[(u16, u32)],
        needs_of: impl Fn(u32) -> &'n [(u16, u32)],
    ) -> Vec<(u32, u64)> {
        for &(p, amount) in needs {
            self.free[usize::from(p)] += amount;
        }
        let mut woken = Vec::new();
        let mut i = 0;
        while i < self.queue.len() {
            let (n, _) = self.queue[i];
            if self.try_take(needs_of(n)) {
                woken.push(self.queue.remove(i));
            } else {
                i += 1;
            }
        }
        woken
    }
}

#[cfg(test)]
mod tests {
    use super::Book;

    #[test]
    fn shares_are_taken_whole_and_given_back_in_arrival_order() {
        let mut b = Book::new([2, 1].into_iter());
        assert!(b.try_take(&[(0, 2)]));
        // Needs both pools: pool 0 is empty, so nothing of pool 1 is taken either.
        assert!(!b.try_take(&[(0, 1), (1, 1)]));
        b.enqueue(7, 70);
        b.enqueue(8, 80);
        assert!(b.try_take(&[(1, 1)]));
        // Node 7 needs (0,1)+(1,1): pool 1 is still taken. Node 8 needs (0,1): fits.
        let needs = |n: u32| -> &'static [(u16, u32)] {
            if n == 7 { &[(0, 1), (1, 1)] } else { &[(0, 1)] }
        };
        assert_eq!(b.give(&[(0, 2)], needs), vec![(8, 80)]);
        assert_eq!(b.give(&[(1, 1)], needs), vec![(7, 70)]);
        assert!(!b.dequeue(7));
        assert_eq!(b.free, [0, 0]);
    }
}
