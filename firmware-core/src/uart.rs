//! Bytes on their way to the host MCU.
//!
//! A fixed-capacity FIFO: allocated once at its dialect size, never grown.
//! Writers ask for room first and write all or nothing, so a reply is never
//! cut in half; what cannot be written is counted, not silently lost.

use alloc::collections::VecDeque;

/// A bounded byte queue.
#[derive(Debug)]
pub(crate) struct Fifo {
    bytes: VecDeque<u8>,
    capacity: usize,
    /// Bytes refused because the queue was full.
    dropped: u64,
}

impl Fifo {
    pub(crate) fn new(capacity: usize) -> Self {
        Fifo {
            bytes: VecDeque::with_capacity(capacity),
            capacity,
            dropped: 0,
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.bytes.len()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    pub(crate) fn free(&self) -> usize {
        self.capacity - self.bytes.len()
    }

    pub(crate) fn dropped(&self) -> u64 {
        self.dropped
    }

    /// Appends all of `parts` or, if they do not fit together, none.
    pub(crate) fn push_all(&mut self, parts: &[&[u8]]) -> bool {
        let total: usize = parts.iter().map(|p| p.len()).sum();
        if total > self.free() {
            self.dropped += total as u64;
            return false;
        }
        for part in parts {
            self.bytes.extend(part.iter());
        }
        true
    }

    /// Moves as many bytes as fit into `out`; returns how many.
    pub(crate) fn pop_into(&mut self, out: &mut [u8]) -> usize {
        let n = out.len().min(self.bytes.len());
        for (slot, byte) in out.iter_mut().zip(self.bytes.drain(..n)) {
            *slot = byte;
        }
        n
    }

    /// Moves the whole content of `self` behind `to`'s, as far as it fits.
    /// Whole pieces are not tracked here, so callers move only when `to` can
    /// take everything (see `Module::release_urcs`).
    pub(crate) fn move_to(&mut self, to: &mut Fifo) -> bool {
        if self.len() > to.free() {
            return false;
        }
        to.bytes.extend(self.bytes.drain(..));
        true
    }

    pub(crate) fn clear(&mut self) {
        self.bytes.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_or_nothing() {
        let mut f = Fifo::new(8);
        assert!(f.push_all(&[b"abc", b"def"]));
        assert!(!f.push_all(&[b"xyz"]));
        assert_eq!(f.dropped(), 3);
        let mut out = [0; 4];
        assert_eq!(f.pop_into(&mut out), 4);
        assert_eq!(&out, b"abcd");
        assert_eq!(f.free(), 6);
        assert!(f.bytes.capacity() >= 8);
    }
}
