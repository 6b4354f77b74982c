//! The DTLS anti-replay window (RFC 6347 §4.1.2.6, the sliding window of
//! RFC 4303 §3.4.3), 64 records wide (TL-5).
//!
//! A record is fresh if its sequence number is above the highest accepted
//! so far, or within the 64 below it (the highest included) and not yet
//! accepted. The record layer asks [`ReplayWindow::is_fresh`] before it
//! checks a record's authentication and calls [`ReplayWindow::accept`] only
//! after, so a forged record cannot move the window.

/// How many sequence numbers the window covers.
pub(crate) const WIDTH: u64 = 64;

/// The sequence numbers of one epoch accepted so far.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ReplayWindow {
    /// The highest accepted, or `None` before the first.
    top: Option<u64>,
    /// Bit `i`: `top - i` was accepted.
    seen: u64,
}

impl ReplayWindow {
    /// A window that has accepted nothing.
    pub(crate) const fn new() -> Self {
        ReplayWindow { top: None, seen: 0 }
    }

    /// Whether a record numbered `seq` may be accepted.
    pub(crate) fn is_fresh(&self, seq: u64) -> bool {
        let Some(top) = self.top else { return true };
        if seq > top {
            return true;
        }
        let age = top - seq;
        age < WIDTH && self.seen & (1 << age) == 0
    }

    /// Records `seq` as accepted; `seq` must be fresh.
    pub(crate) fn accept(&mut self, seq: u64) {
        debug_assert!(self.is_fresh(seq));
        match self.top {
            Some(top) if seq <= top => self.seen |= 1 << (top - seq),
            Some(top) => {
                let shift = seq - top;
                self.seen = if shift < WIDTH { self.seen << shift } else { 0 } | 1;
                self.top = Some(seq);
            }
            None => {
                self.seen = 1;
                self.top = Some(seq);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept_all(window: &mut ReplayWindow, seqs: impl IntoIterator<Item = u64>) {
        for seq in seqs {
            assert!(window.is_fresh(seq), "{seq} should be fresh");
            window.accept(seq);
        }
    }

    #[test]
    fn in_order_records_are_fresh_once() {
        let mut w = ReplayWindow::new();
        accept_all(&mut w, 0..200);
        for seq in 0..200 {
            assert!(!w.is_fresh(seq), "{seq} is a duplicate or too old");
        }
        assert!(w.is_fresh(200));
    }

    #[test]
    fn out_of_order_within_the_window_is_accepted_once() {
        let mut w = ReplayWindow::new();
        accept_all(&mut w, [10, 100, 37, 99, 98, 50]);
        // 37 is the oldest in reach (100 - 63); 36 is too old.
        assert!(w.is_fresh(40));
        assert!(!w.is_fresh(36));
        assert!(!w.is_fresh(10));
        for seq in [100, 37, 99, 98, 50] {
            assert!(!w.is_fresh(seq), "{seq} again");
        }
        accept_all(&mut w, [40, 64, 101]);
        // Now 38 is the oldest in reach and 37 fell out.
        assert!(!w.is_fresh(37));
        assert!(w.is_fresh(38));
    }

    #[test]
    fn too_old_is_refused() {
        let mut w = ReplayWindow::new();
        accept_all(&mut w, [1000]);
        assert!(w.is_fresh(1000 - 63));
        assert!(!w.is_fresh(1000 - 64));
        assert!(!w.is_fresh(0));
    }

    #[test]
    fn a_jump_past_the_window_clears_it() {
        let mut w = ReplayWindow::new();
        accept_all(&mut w, 0..64);
        accept_all(&mut w, [64 + 64 + 5]);
        // Everything between is fresh, everything accepted before is gone.
        assert!(w.is_fresh(64 + 64 + 5 - 63));
        assert!(!w.is_fresh(63));
        assert!(!w.is_fresh(64 + 64 + 5));
    }

    #[test]
    fn the_48_bit_range_ends_cleanly() {
        let last = (1u64 << 48) - 1;
        let mut w = ReplayWindow::new();
        accept_all(&mut w, [last - 1, last, last - 63]);
        assert!(!w.is_fresh(last));
        assert!(w.is_fresh(last - 62));
        assert!(!w.is_fresh(last - 64));
    }
}
