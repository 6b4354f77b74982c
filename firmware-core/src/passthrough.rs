//! Passthrough (transparent) mode: UART bytes to packets, and the `+++`
//! escape (PT-2, PT-4, PT-7).
//!
//! Read PT-2 and PT-4 of `spec/DECISIONS.md` first. Two jobs share this
//! file because they share the byte stream: a `+` may be data or part of an
//! escape, and only time tells which. `+` bytes that might start an escape
//! are *held* (not yet data) until the guard times decide; if they turn out
//! to be data they enter the buffer with the instant they arrived, so the
//! 20 ms flush rule sends them at once.
//!
//! Timing is by UART piece: every byte of a piece arrived at the instant the
//! driver gives for the piece. A piece `x+++` therefore has a byte 0 ms
//! before its first `+`, and is not an escape.
//!
//! The buffer remembers when its bytes arrived as a short list of runs
//! (bytes that came at one instant). The list has a fixed length; when it is
//! full the two oldest runs merge and keep the older instant, so a partial
//! packet may go out early under heavy backlog, never late.

use bytes::{Bytes, BytesMut};
use core::time::Duration;

use crate::time::Instant;

/// How many arrival runs the buffer tracks exactly (see the module doc).
const RUNS: usize = 64;

/// The numbers of PT-2, PT-4 and PT-7, from the dialect.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Timing {
    pub(crate) packet_max: usize,
    pub(crate) flush_after: Duration,
    pub(crate) guard: Duration,
    pub(crate) capacity: usize,
    /// `flush_after` counts from the newest byte, not the oldest (EP-3).
    pub(crate) from_last: bool,
    /// A UART piece this long was cut by the driver's buffer, not by
    /// silence: the line is still busy for another such piece's time.
    pub(crate) piece: usize,
    /// One byte's time on the line.
    pub(crate) byte_time: Duration,
}

/// Where the escape detector stands (PT-4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Escape {
    /// No `+` is held.
    Idle,
    /// `count` (1–3) `+` bytes are held; the first arrived at `first`, the
    /// latest at `last`. With 3, only the trailing guard is missing.
    Plus {
        count: u8,
        first: Instant,
        last: Instant,
    },
}

/// The passthrough buffer of one link.
#[derive(Debug)]
pub(crate) struct Passthrough {
    timing: Timing,
    data: BytesMut,
    /// (bytes, arrival) from the oldest unsent byte on.
    runs: heapless::Deque<(usize, Instant), RUNS>,
    escape: Escape,
    /// When the latest UART byte arrived (or passthrough began).
    last_input: Instant,
    /// The last input was a whole piece (see `Timing::piece`).
    last_full: bool,
    /// A piece began to arrive and is not in yet: the line is not silent.
    receiving: bool,
    /// Bytes dropped because the buffer was full (PT-7, no flow control).
    dropped: u64,
}

impl Passthrough {
    pub(crate) fn new(timing: Timing) -> Self {
        Passthrough {
            timing,
            data: BytesMut::with_capacity(timing.capacity),
            runs: heapless::Deque::new(),
            escape: Escape::Idle,
            last_input: Instant::ZERO,
            last_full: false,
            receiving: false,
            dropped: 0,
        }
    }

    /// Starts (or restarts) passthrough at `now`: the `>` prompt counts as
    /// the last input, so an escape needs its leading guard after it.
    /// The first byte of a piece arrived; the piece follows (EP-3).
    pub(crate) fn receiving(&mut self) {
        self.receiving = true;
    }

    /// The line's rate changed: a byte takes `byte_time` now.
    pub(crate) fn set_byte_time(&mut self, byte_time: Duration) {
        self.timing.byte_time = byte_time;
    }

    pub(crate) fn enter(&mut self, now: Instant) {
        self.escape = Escape::Idle;
        self.last_input = now;
    }

    /// Forgets everything unsent (PT-6).
    pub(crate) fn discard(&mut self) {
        self.data.clear();
        self.runs.clear();
        self.escape = Escape::Idle;
    }

    /// Forgets the data but not a `+` that may start an escape (EP-7).
    pub(crate) fn drop_data(&mut self) {
        self.data.clear();
        self.runs.clear();
    }

    pub(crate) fn dropped(&self) -> u64 {
        self.dropped
    }

    /// Bytes waiting to be sent.
    pub(crate) fn buffered(&self) -> usize {
        self.data.len()
    }

    /// How many more UART bytes fit without dropping any.
    pub(crate) fn room(&self) -> usize {
        let held = match self.escape {
            Escape::Idle => 0,
            Escape::Plus { count, .. } => usize::from(count),
        };
        self.timing.capacity.saturating_sub(self.data.len() + held)
    }

    /// Takes a piece of UART input that arrived at `now`. Call
    /// [`handle_timeout`](Self::handle_timeout) first: an escape whose
    /// guard ended before `now` is complete before this input counts.
    pub(crate) fn handle_input(&mut self, now: Instant, mut bytes: &[u8]) {
        self.last_full = bytes.len() >= self.timing.piece;
        self.receiving = false;
        while let Some((&first, rest)) = bytes.split_first() {
            if self.escape == Escape::Idle
                && now.saturating_since(self.last_input) < self.timing.guard
            {
                // The hot path. With no `+` held, a `+` less than a guard
                // after the input before it is data (PT-4), as is any other
                // byte; every byte after it in this piece follows it by
                // 0 ms. So all the rest is data: take it at once, unread.
                self.push_data(now, bytes);
                self.last_input = now;
                return;
            }
            self.input_byte(now, first);
            bytes = rest;
        }
    }

    fn input_byte(&mut self, now: Instant, byte: u8) {
        if let Escape::Plus { count, first, last } = self.escape {
            let extends =
                count < 3 && byte == b'+' && now.saturating_since(last) < self.timing.guard;
            if extends {
                self.escape = Escape::Plus {
                    count: count + 1,
                    first,
                    last: now,
                };
                self.last_input = now;
                return;
            }
            // Any other byte, or a `+` too late, proves the held `+` data.
            self.release_held(count, first);
            self.last_input = last;
        }
        if byte == b'+' && now.saturating_since(self.last_input) >= self.timing.guard {
            self.escape = Escape::Plus {
                count: 1,
                first: now,
                last: now,
            };
        } else {
            self.push_data(now, &[byte]);
        }
        self.last_input = now;
    }

    fn release_held(&mut self, count: u8, first: Instant) {
        self.escape = Escape::Idle;
        for _ in 0..count {
            self.push_data(first, b"+");
        }
    }

    fn push_data(&mut self, at: Instant, bytes: &[u8]) {
        let fits = bytes.len().min(self.timing.capacity - self.data.len());
        self.dropped += (bytes.len() - fits) as u64;
        if fits == 0 {
            return;
        }
        self.data.extend_from_slice(&bytes[..fits]);
        match self.runs.back_mut() {
            Some((len, when)) if *when == at => *len += fits,
            _ => {
                if self.runs.is_full() {
                    let (a, at_a) = self.runs.pop_front().unwrap_or((0, at));
                    let (b, _) = self.runs.pop_front().unwrap_or((0, at));
                    // Cannot fail: two were just removed.
                    let _ = self.runs.push_front((a + b, at_a));
                }
                let _ = self.runs.push_back((fits, at));
            }
        }
    }

    /// Runs the guard timers. When the escape completed, returns the instant
    /// of its last `+` (the three `+` are dropped; the caller leaves
    /// passthrough).
    pub(crate) fn handle_timeout(&mut self, now: Instant) -> Option<Instant> {
        let Escape::Plus { count, first, last } = self.escape else {
            return None;
        };
        if now.saturating_since(last) < self.timing.guard {
            return None;
        }
        if count == 3 {
            self.escape = Escape::Idle;
            return Some(last);
        }
        // Too late for another `+`: what is held is data.
        self.release_held(count, first);
        None
    }

    /// The next packet to send at `now`, if PT-2 says one is due: a full
    /// packet as soon as there is one, a partial one when its oldest byte
    /// has waited `flush_after`. `flush` sends a partial packet at once
    /// (after the escape, PT-4).
    pub(crate) fn take_packet(&mut self, now: Instant, flush: bool) -> Option<Bytes> {
        let due = self.data.len() >= self.timing.packet_max
            || self.flush_at().is_some_and(|t| now >= t)
            || (flush && !self.data.is_empty());
        if !due {
            return None;
        }
        let n = self.data.len().min(self.timing.packet_max);
        // The packet is the front of the buffer itself; the buffer's
        // storage is reused once the driver has dropped it.
        let packet = self.data.split_to(n).freeze();
        let mut left = n;
        while left > 0 {
            let Some((len, _)) = self.runs.front_mut() else {
                break;
            };
            if *len > left {
                *len -= left;
                left = 0;
            } else {
                left -= *len;
                self.runs.pop_front();
            }
        }
        Some(packet)
    }

    /// When a partial packet becomes due.
    fn flush_at(&self) -> Option<Instant> {
        if !self.timing.from_last {
            return self
                .runs
                .front()
                .map(|&(_, at)| at + self.timing.flush_after);
        }
        if self.receiving {
            // EP-3: the line is busy with the next piece.
            return None;
        }
        // EP-3: after a whole piece more is on its way; silence counts from
        // the end of what follows it.
        let busy = if self.last_full {
            self.timing.byte_time * self.timing.piece as u32
        } else {
            Duration::ZERO
        };
        self.runs
            .back()
            .map(|&(_, at)| at + busy + self.timing.flush_after)
    }

    /// The earliest instant this buffer needs attention: a packet falling
    /// due (only meaningful while the link can take one) or a guard ending.
    pub(crate) fn poll_timeout(&self, may_send: bool) -> Option<Instant> {
        let escape = match self.escape {
            Escape::Idle => None,
            Escape::Plus { last, .. } => Some(last + self.timing.guard),
        };
        let flush = if may_send { self.flush_at() } else { None };
        match (escape, flush) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: u64 = 1000;

    fn pt() -> Passthrough {
        let mut p = Passthrough::new(Timing {
            packet_max: 1460,
            flush_after: Duration::from_millis(20),
            guard: Duration::from_millis(20),
            capacity: 8192,
            from_last: false,
            piece: 1024,
            byte_time: Duration::from_micros(87),
        });
        p.enter(Instant::ZERO);
        p
    }

    fn at(ms: u64) -> Instant {
        Instant::from_micros(ms * MS)
    }

    #[test]
    fn full_packet_goes_at_once_rest_after_20ms() {
        let mut p = pt();
        p.handle_input(at(100), &[7; 1500]);
        assert_eq!(p.take_packet(at(100), false).map(|v| v.len()), Some(1460));
        assert_eq!(p.take_packet(at(119), false), None);
        assert_eq!(p.poll_timeout(true), Some(at(120)));
        assert_eq!(p.take_packet(at(120), false).map(|v| v.len()), Some(40));
    }

    #[test]
    fn guarded_plus_escapes() {
        let mut p = pt();
        p.handle_input(at(100), b"+++");
        assert_eq!(p.handle_timeout(at(119)), None);
        assert_eq!(p.poll_timeout(true), Some(at(120)));
        assert_eq!(p.handle_timeout(at(120)), Some(at(100)));
        assert_eq!(p.buffered(), 0);
    }

    #[test]
    fn byte_before_plus_makes_it_data() {
        let mut p = pt();
        p.handle_input(at(100), b"x+++");
        assert_eq!(p.handle_timeout(at(200)), None);
        assert_eq!(&p.take_packet(at(200), false).unwrap()[..], b"x+++");
    }

    #[test]
    fn byte_after_plus_within_guard_makes_it_data() {
        let mut p = pt();
        p.handle_input(at(100), b"+++");
        p.handle_input(at(119), b"y");
        assert_eq!(p.handle_timeout(at(300)), None);
        assert_eq!(&p.take_packet(at(300), false).unwrap()[..], b"+++y");
    }

    #[test]
    fn slow_plus_is_data_but_may_start_an_escape() {
        let mut p = pt();
        p.handle_input(at(100), b"+");
        p.handle_input(at(125), b"+");
        p.handle_input(at(130), b"+");
        p.handle_input(at(135), b"+");
        // The first `+` was data; the last three are guarded: escape.
        assert_eq!(p.handle_timeout(at(154)), None);
        assert_eq!(p.handle_timeout(at(155)), Some(at(135)));
        assert_eq!(&p.take_packet(at(155), false).unwrap()[..], b"+");
    }

    #[test]
    fn overflow_is_counted() {
        let mut p = pt();
        p.handle_input(at(0), &[1; 9000]);
        assert_eq!(p.buffered(), 8192);
        assert_eq!(p.dropped(), 808);
        assert_eq!(p.room(), 0);
    }

    #[test]
    fn run_list_merges_without_losing_bytes() {
        let mut p = pt();
        for i in 0..200 {
            p.handle_input(at(i), b"a");
        }
        let mut total = 0;
        while let Some(pk) = p.take_packet(at(1000), false) {
            total += pk.len();
        }
        assert_eq!(total, 200);
    }
}
