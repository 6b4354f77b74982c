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

    /// Appends `parts` and a CRLF, all or nothing: a line is never cut.
    pub(crate) fn push_line(&mut self, parts: &[&[u8]]) -> bool {
        let total: usize = parts.iter().map(|p| p.len()).sum::<usize>() + 2;
        if total > self.free() {
            self.dropped += total as u64;
            return false;
        }
        for part in parts {
            self.bytes.extend(part.iter());
        }
        self.bytes.extend(b"\r\n");
        true
    }

    /// Formats `args` straight into the queue, then a CRLF; all or nothing
    /// (what was written of a line that does not fit is taken back, and the
    /// whole line counted as dropped).
    pub(crate) fn write_line(&mut self, args: core::fmt::Arguments<'_>) -> bool {
        let mut line = self.line();
        let _ = core::fmt::Write::write_fmt(&mut line, args);
        line.end()
    }

    /// A line written in parts, raw bytes and formatted text alike,
    /// straight into the queue; [`Line::end`] adds the CRLF, all or nothing.
    pub(crate) fn line(&mut self) -> Line<'_> {
        Line {
            start: self.bytes.len(),
            fifo: self,
            over: 0,
            ended: false,
        }
    }

    /// Moves as many bytes as fit into `out`; returns how many.
    pub(crate) fn pop_into(&mut self, out: &mut [u8]) -> usize {
        let n = out.len().min(self.bytes.len());
        let (front, back) = self.bytes.as_slices();
        let a = n.min(front.len());
        out[..a].copy_from_slice(&front[..a]);
        out[a..n].copy_from_slice(&back[..n - a]);
        self.bytes.drain(..n);
        n
    }

    /// The oldest bytes, as one slice: all of them, or those up to where
    /// the ring wraps (the rest follows once these are consumed).
    pub(crate) fn front(&self) -> &[u8] {
        self.bytes.as_slices().0
    }

    /// Forgets the oldest `n` bytes (all of them if there are fewer).
    pub(crate) fn consume(&mut self, n: usize) {
        self.bytes.drain(..n.min(self.bytes.len()));
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

/// A line being written into a [`Fifo`]: appended while there is room,
/// then only counted, so that a line that does not fit is taken back whole.
/// One dropped without [`Line::end`] is taken back too.
pub(crate) struct Line<'a> {
    fifo: &'a mut Fifo,
    start: usize,
    over: usize,
    ended: bool,
}

impl Drop for Line<'_> {
    fn drop(&mut self) {
        if !self.ended {
            self.fifo.bytes.truncate(self.start);
        }
    }
}

impl Line<'_> {
    /// Appends raw bytes (a stored name, a key: not necessarily UTF-8).
    pub(crate) fn bytes(&mut self, b: &[u8]) -> &mut Self {
        if self.over == 0 && b.len() <= self.fifo.free() {
            self.fifo.bytes.extend(b);
        } else {
            self.over += b.len();
        }
        self
    }

    /// Appends formatted text.
    pub(crate) fn fmt(&mut self, args: core::fmt::Arguments<'_>) -> &mut Self {
        let _ = core::fmt::Write::write_fmt(self, args);
        self
    }

    /// Ends the line with CRLF, or takes it all back (and counts it as
    /// dropped) if it did not fit.
    pub(crate) fn end(mut self) -> bool {
        self.ended = true;
        let (start, over) = (self.start, self.over);
        let fifo = &mut *self.fifo;
        if over > 0 || fifo.free() < 2 {
            fifo.dropped += (fifo.bytes.len() - start + over + 2) as u64;
            fifo.bytes.truncate(start);
            return false;
        }
        fifo.bytes.extend(b"\r\n");
        true
    }
}

impl core::fmt::Write for Line<'_> {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        self.bytes(s.as_bytes());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_of_parts_goes_in_whole_or_not_at_all() {
        let mut f = Fifo::new(16);
        let mut l = f.line();
        l.bytes(b"+K:\"")
            .bytes(&[0xff, b'k'])
            .fmt(format_args!("\",{}", 7));
        assert!(l.end());
        assert_eq!(f.front(), b"+K:\"\xffk\",7\r\n");
        let before = f.len();
        let mut l = f.line();
        l.bytes(b"0123456789");
        assert!(!l.end(), "12 bytes with CRLF, 4 free");
        assert_eq!((f.len(), f.dropped()), (before, 12));
        // Dropped without `end`: taken back, not counted.
        f.line().bytes(b"ab");
        assert_eq!((f.len(), f.dropped()), (before, 12));
    }

    #[test]
    fn a_line_goes_in_whole_or_not_at_all() {
        let mut f = Fifo::new(10);
        assert!(f.write_line(format_args!("+X:{}", 42)));
        assert_eq!(f.len(), 7);
        assert!(!f.write_line(format_args!("+Y:{}", 1234)));
        assert_eq!(f.len(), 7, "the partial line was taken back");
        assert_eq!(f.dropped(), 9);
        assert!(!f.push_line(&[b"abcd"]));
        assert!(f.push_line(&[b"a"]));
        let mut out = [0; 16];
        assert_eq!(f.pop_into(&mut out), 10);
        assert_eq!(&out[..10], b"+X:42\r\na\r\n");
    }

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

    #[test]
    fn front_and_consume_go_round_the_ring() {
        let mut f = Fifo::new(8);
        assert!(f.push_all(&[b"abcdef"]));
        f.consume(4);
        assert_eq!(f.front(), b"ef");
        // Wraps (the capacity is at least 8): the front stops at the end.
        assert!(f.push_all(&[b"ghijkl"]));
        let mut seen = alloc::vec::Vec::new();
        while !f.front().is_empty() {
            let n = f.front().len().min(3);
            seen.extend_from_slice(&f.front()[..n]);
            f.consume(n);
        }
        assert_eq!(seen, b"efghijkl");
        f.consume(5);
        assert!(f.is_empty());
    }
}
