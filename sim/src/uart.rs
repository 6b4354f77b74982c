//! The serial line between the host MCU and the module.
//!
//! 8N1: every byte takes 10 bit times on the wire, in both directions. The
//! module's side reads the line the way a UART driver does: bytes collect in
//! a receive FIFO that is handed over as one piece when it holds
//! [`UartConfig::piece_max`] bytes, or when the line has been idle for
//! [`UartConfig::rx_timeout_bytes`] byte times (the "RX timeout" interrupt of
//! real UARTs). A piece's instant is the moment the driver gets it, which is
//! what the firmware's timing rules see (PT-2, PT-4).
//!
//! The rate can change while the line runs ([`Uart::set_baud`], the
//! module's `AT+UART_CUR`): both sides follow at once, as on a line whose
//! host is told the new rate, and bytes already written keep the rate they
//! were written at.
//!
//! With hardware flow control the module deasserts RTS while it cannot take
//! more passthrough data, and the host's transmitter stops starting new
//! bytes until it is asserted again (PT-7). Output to the host is paced the
//! same way: the module's driver feeds a small transmit FIFO, so the core's
//! own buffer is what absorbs bursts.

use std::collections::VecDeque;
use std::time::Duration;

/// The line's settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UartConfig {
    /// Bits per second.
    pub baud: u32,
    /// RTS/CTS honoured by both sides.
    pub flow_control: bool,
    /// Largest piece the module's driver reads at once (PT-2: 1024).
    pub piece_max: usize,
    /// Idle byte times that end a piece (ESP-IDF's default RX timeout: 10).
    pub rx_timeout_bytes: u32,
    /// Bytes the module's transmit FIFO holds ahead of the wire.
    pub tx_fifo: usize,
}

impl Default for UartConfig {
    fn default() -> Self {
        UartConfig {
            baud: 115_200,
            flow_control: false,
            piece_max: 1024,
            rx_timeout_bytes: 10,
            tx_fifo: 128,
        }
    }
}

impl UartConfig {
    /// Time one byte takes on the wire: start bit, 8 data bits, stop bit.
    pub fn byte_time(&self) -> Duration {
        Duration::from_nanos(10_000_000_000 / u64::from(self.baud.max(1)))
    }
}

/// Bytes written at one instant, clocked out one after another.
#[derive(Debug)]
struct Burst {
    at: Duration,
    /// One byte's time at the rate it was written at.
    byte: Duration,
    data: Vec<u8>,
    pos: usize,
}

/// Bytes on their way to the host, contiguous on the wire from `start`.
#[derive(Debug)]
struct Chunk {
    start: Duration,
    /// One byte's time at the rate it was written at.
    byte: Duration,
    data: Vec<u8>,
    /// How many the host has read.
    read: usize,
}

impl Chunk {
    /// How many of its bytes have fully reached the host by `now` (past
    /// its end when `now` is).
    fn arrived(&self, now: Duration) -> usize {
        let on_wire = now.saturating_sub(self.start);
        (on_wire.as_nanos() / self.byte.as_nanos().max(1)) as usize
    }
}

/// Both directions of the line.
#[derive(Debug)]
pub struct Uart {
    cfg: UartConfig,
    /// The rate the module's side starts at after a power cycle.
    boot_baud: u32,
    byte: Duration,
    // Host to module.
    bursts: VecDeque<Burst>,
    /// When the host's transmitter is free for the next byte.
    line_free_at: Duration,
    /// The module's receive FIFO and when its last byte arrived.
    fifo: Vec<u8>,
    last_arrival: Duration,
    // Module to host.
    chunks: VecDeque<Chunk>,
    out_free_at: Duration,
    /// The host's RTS (the module's CTS): while false the module's
    /// transmitter starts no byte, and what it was given waits in `held`.
    host_ready: bool,
    held: Vec<u8>,
    /// The module's RTS (the host's CTS), as its driver last set it.
    module_rts: bool,
}

/// What the next piece will be, found without changing the line.
struct Scan {
    at: Duration,
    /// When its first byte arrives(d).
    first: Duration,
    /// Bytes to move from the bursts into the piece.
    take: usize,
    line_free_at: Duration,
}

impl Uart {
    /// An idle line.
    pub fn new(cfg: UartConfig) -> Self {
        Uart {
            cfg,
            boot_baud: cfg.baud,
            byte: cfg.byte_time(),
            bursts: VecDeque::new(),
            line_free_at: Duration::ZERO,
            fifo: Vec::new(),
            last_arrival: Duration::ZERO,
            chunks: VecDeque::new(),
            out_free_at: Duration::ZERO,
            host_ready: true,
            held: Vec::new(),
            module_rts: true,
        }
    }

    /// Turns RTS/CTS on or off on both sides, from now on. Turning it off
    /// lets the host's RTS go: output held behind it goes on at `now`.
    pub fn set_flow_control(&mut self, now: Duration, on: bool) {
        if !on && !self.host_ready {
            self.host_ready(now, true);
        }
        self.cfg.flow_control = on;
    }

    /// The module's driver sets its RTS: whether the module can take
    /// input (the scan of pieces honours it through `rts` arguments).
    pub fn set_module_rts(&mut self, ready: bool) {
        self.module_rts = ready;
    }

    /// Whether the module asserts its RTS; always true without flow
    /// control.
    pub fn module_rts(&self) -> bool {
        self.module_rts || !self.cfg.flow_control
    }

    /// Both sides run at `baud` from now on; bytes already written keep
    /// their rate.
    pub fn set_baud(&mut self, baud: u32) {
        self.cfg.baud = baud;
        self.byte = self.cfg.byte_time();
    }

    /// The settings.
    pub fn config(&self) -> UartConfig {
        self.cfg
    }

    // ---- host side ----

    /// The host MCU writes `bytes` at `now`; they follow whatever it wrote
    /// before.
    pub fn host_write(&mut self, now: Duration, bytes: &[u8]) {
        if !bytes.is_empty() {
            self.bursts.push_back(Burst {
                at: now,
                byte: self.byte,
                data: bytes.to_vec(),
                pos: 0,
            });
        }
    }

    /// Bytes the host wrote that have not yet reached the module's FIFO.
    pub fn host_pending(&self) -> usize {
        self.bursts.iter().map(|b| b.data.len() - b.pos).sum()
    }

    /// Every byte from the module that has fully arrived at the host by `now`.
    pub fn host_read(&mut self, now: Duration) -> Vec<u8> {
        let mut out = Vec::new();
        while let Some(c) = self.chunks.front_mut() {
            let arrived = c.arrived(now).min(c.data.len());
            out.extend_from_slice(&c.data[c.read..arrived]);
            c.read = arrived;
            if arrived < c.data.len() {
                break;
            }
            self.chunks.pop_front();
        }
        out
    }

    /// When the next byte from the module completes its way to the host,
    /// after `now`; `None` if none is on its way.
    pub fn next_host_arrival(&self, now: Duration) -> Option<Duration> {
        self.chunks.iter().find_map(|c| {
            let arrived = c.arrived(now);
            (arrived < c.data.len()).then(|| c.start + c.byte * (arrived as u32 + 1))
        })
    }

    // ---- module side ----

    /// Forgets what the module's side held (a power cycle); the line is
    /// back at its first rate.
    pub fn module_reset(&mut self, now: Duration) {
        self.set_baud(self.boot_baud);
        self.fifo.clear();
        self.chunks.clear();
        self.held.clear();
        self.out_free_at = now;
    }

    /// When the next piece reaches the module, given `rts` (the module can
    /// take data); `None` if none is on its way.
    pub fn next_piece_at(&self, rts: bool) -> Option<Duration> {
        self.scan(rts).map(|s| s.at)
    }

    /// When the first byte of the next piece reaches the module (a UART's
    /// "RX FIFO not empty"), given `rts`; `None` if none is on its way.
    pub fn next_byte_at(&self, rts: bool) -> Option<Duration> {
        self.scan(rts).map(|s| s.first)
    }

    /// The piece due by `now`, if any, with its instant.
    pub fn take_piece(&mut self, now: Duration, rts: bool) -> Option<(Duration, Vec<u8>)> {
        let s = self.scan(rts).filter(|s| s.at <= now)?;
        let mut left = s.take;
        while left > 0 {
            let b = self.bursts.front_mut()?;
            let n = left.min(b.data.len() - b.pos);
            self.fifo.extend_from_slice(&b.data[b.pos..b.pos + n]);
            b.pos += n;
            left -= n;
            if b.pos == b.data.len() {
                self.bursts.pop_front();
            }
        }
        self.line_free_at = s.line_free_at;
        self.last_arrival = s.line_free_at.max(self.last_arrival);
        Some((s.at, std::mem::take(&mut self.fifo)))
    }

    /// RTS was asserted again at `now`: the host resumes from here.
    pub fn resume(&mut self, now: Duration) {
        self.line_free_at = self.line_free_at.max(now);
    }

    /// Walks the line forward from its state to the next piece: a full FIFO
    /// at the arrival of its last byte, or an idle gap after the last byte.
    /// A burst's bytes follow each other on the wire, so it is walked a run
    /// of bytes at a time, not byte by byte: only between bursts can the
    /// line go idle.
    fn scan(&self, rts: bool) -> Option<Scan> {
        let idle = self.byte * self.cfg.rx_timeout_bytes;
        let mut fifo = self.fifo.len();
        let mut last = self.last_arrival;
        let mut free = self.line_free_at;
        let mut take = 0;
        let mut start = (!self.fifo.is_empty()).then_some(self.last_arrival);
        let flowing = rts || !self.cfg.flow_control;
        let bursts = self.bursts.iter().filter(|_| flowing);
        for b in bursts {
            let mut left = b.data.len() - b.pos;
            while left > 0 {
                let first = free.max(b.at) + b.byte;
                if fifo > 0 && first > last + idle {
                    return Some(Scan {
                        at: last + idle,
                        first: start.unwrap_or(last),
                        take,
                        line_free_at: free,
                    });
                }
                // Back to back, every byte after the first arrives within
                // the idle time of the one before (unless the idle time is
                // shorter than a byte: then each ends its piece).
                let run = if idle >= b.byte {
                    left.min(self.cfg.piece_max - fifo)
                } else {
                    1
                };
                start.get_or_insert(first);
                last = first + b.byte * (run as u32 - 1);
                free = last;
                fifo += run;
                take += run;
                left -= run;
                if fifo == self.cfg.piece_max {
                    return Some(Scan {
                        at: last,
                        first: start.unwrap_or(last),
                        take,
                        line_free_at: free,
                    });
                }
            }
        }
        (fifo > 0).then_some(Scan {
            at: last + idle,
            first: start.unwrap_or(last),
            take,
            line_free_at: free,
        })
    }

    /// The host asserts (`true`) or deasserts its RTS at `now`. With flow
    /// control on, deasserting stops the module's transmitter after the
    /// byte on the wire; the bytes behind it wait and go on, in order, from
    /// the moment RTS is asserted again. Without flow control it is ignored.
    pub fn host_ready(&mut self, now: Duration, ready: bool) {
        if !self.cfg.flow_control || ready == self.host_ready {
            return;
        }
        self.host_ready = ready;
        if ready {
            let held = std::mem::take(&mut self.held);
            self.module_write(now, &held);
            return;
        }
        // Keep what has started by `now`; hold the rest.
        let mut held = Vec::new();
        while let Some(c) = self.chunks.back_mut() {
            let started = if now < c.start {
                0
            } else {
                ((now - c.start)
                    .as_nanos()
                    .div_ceil(c.byte.as_nanos().max(1)) as usize)
                    .min(c.data.len())
            };
            let started = started.max(c.read);
            let mut tail = c.data.split_off(started);
            tail.append(&mut held);
            held = tail;
            if c.data.is_empty() {
                self.chunks.pop_back();
            } else {
                self.out_free_at = c.start + c.byte * c.data.len() as u32;
                break;
            }
        }
        if self.chunks.is_empty() {
            self.out_free_at = self.out_free_at.min(now);
        }
        self.held = held;
    }

    /// Room in the module's transmit FIFO at `now`.
    pub fn tx_room(&self, now: Duration) -> usize {
        let busy = self.out_free_at.saturating_sub(now);
        // A byte partly on the wire still occupies its FIFO slot.
        let queued = busy.as_nanos().div_ceil(self.byte.as_nanos().max(1)) as usize;
        self.cfg.tx_fifo.saturating_sub(queued + self.held.len())
    }

    /// When the transmit FIFO will have room for at least `n` more bytes
    /// (far in the future while the host holds the module back: asserting
    /// RTS again wakes the driver).
    pub fn tx_room_at(&self, now: Duration, n: usize) -> Duration {
        if !self.host_ready {
            return now + Duration::from_secs(365 * 24 * 3600);
        }
        let keep = self.cfg.tx_fifo.saturating_sub(n) as u32;
        self.out_free_at.saturating_sub(self.byte * keep).max(now)
    }

    /// The module writes `bytes` at `now`.
    pub fn module_write(&mut self, now: Duration, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        if !self.host_ready {
            self.held.extend_from_slice(bytes);
            return;
        }
        let start = self.out_free_at.max(now);
        self.out_free_at = start + self.byte * bytes.len() as u32;
        match self.chunks.back_mut() {
            Some(c) if c.byte == self.byte && c.start + c.byte * c.data.len() as u32 == start => {
                c.data.extend_from_slice(bytes)
            }
            _ => self.chunks.push_back(Chunk {
                start,
                byte: self.byte,
                data: bytes.to_vec(),
                read: 0,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uart(baud: u32) -> Uart {
        Uart::new(UartConfig {
            baud,
            ..UartConfig::default()
        })
    }

    #[test]
    fn a_burst_arrives_as_one_piece_after_the_idle_timeout() {
        // 1 Mbaud: 10 µs a byte, idle after 100 µs.
        let mut u = uart(1_000_000);
        u.host_write(Duration::ZERO, b"AT\r\n");
        assert_eq!(u.next_piece_at(true), Some(Duration::from_micros(140)));
        assert_eq!(u.take_piece(Duration::from_micros(139), true), None);
        let (at, piece) = u.take_piece(Duration::from_micros(140), true).unwrap();
        assert_eq!(
            (at, piece.as_slice()),
            (Duration::from_micros(140), &b"AT\r\n"[..])
        );
        assert_eq!(u.next_piece_at(true), None);
    }

    #[test]
    fn long_bursts_come_in_full_pieces() {
        let mut u = uart(1_000_000);
        u.host_write(Duration::ZERO, &[0; 2500]);
        let (at, p) = u.take_piece(Duration::from_secs(1), true).unwrap();
        assert_eq!((at, p.len()), (Duration::from_micros(10_240), 1024));
        let (at, p) = u.take_piece(Duration::from_secs(1), true).unwrap();
        assert_eq!((at, p.len()), (Duration::from_micros(20_480), 1024));
        let (at, p) = u.take_piece(Duration::from_secs(1), true).unwrap();
        assert_eq!((at, p.len()), (Duration::from_micros(25_000 + 100), 452));
    }

    #[test]
    fn a_gap_shorter_than_the_timeout_joins_pieces() {
        let mut u = uart(1_000_000);
        u.host_write(Duration::ZERO, b"ab");
        u.host_write(Duration::from_micros(50), b"cd");
        let (at, p) = u.take_piece(Duration::from_secs(1), true).unwrap();
        assert_eq!(
            (at, p.as_slice()),
            (Duration::from_micros(170), &b"abcd"[..])
        );
    }

    #[test]
    fn output_is_paced_at_the_baud_rate() {
        let mut u = uart(1_000_000);
        u.module_write(Duration::ZERO, b"OK\r\n");
        assert_eq!(u.host_read(Duration::from_micros(25)), b"OK");
        assert_eq!(u.tx_room(Duration::from_micros(25)), 126);
        assert_eq!(u.host_read(Duration::from_micros(40)), b"\r\n");
    }

    #[test]
    fn a_new_rate_leaves_bytes_already_written_at_the_old_one() {
        let mut u = uart(1_000_000);
        u.module_write(Duration::ZERO, b"OK\r\n");
        u.set_baud(100_000);
        // The OK goes at 10 us a byte; what follows at 100 us a byte.
        u.module_write(Duration::ZERO, b"ab");
        assert_eq!(u.host_read(Duration::from_micros(40)), b"OK\r\n");
        assert_eq!(u.host_read(Duration::from_micros(139)), b"");
        assert_eq!(u.host_read(Duration::from_micros(140)), b"a");
        assert_eq!(u.host_read(Duration::from_micros(240)), b"b");
        // The host's side follows too: 100 us a byte, idle after 1 ms.
        u.host_write(Duration::from_millis(1), b"AT");
        assert_eq!(
            u.next_piece_at(true),
            Some(Duration::from_millis(1) + Duration::from_micros(1200))
        );
        // A power cycle brings the first rate back.
        u.module_reset(Duration::from_millis(5));
        assert_eq!(u.config().baud, 1_000_000);
    }

    #[test]
    fn rts_holds_the_host_back() {
        let mut u = Uart::new(UartConfig {
            baud: 1_000_000,
            flow_control: true,
            ..UartConfig::default()
        });
        u.host_write(Duration::ZERO, b"xy");
        assert_eq!(u.next_piece_at(false), None);
        u.resume(Duration::from_micros(500));
        assert_eq!(u.next_piece_at(true), Some(Duration::from_micros(620)));
    }

    #[test]
    fn host_rts_holds_the_module_back() {
        let mut u = Uart::new(UartConfig {
            baud: 1_000_000,
            flow_control: true,
            ..UartConfig::default()
        });
        u.module_write(Duration::ZERO, b"abcdef");
        // At 25 us: 'a', 'b' are done, 'c' is on the wire.
        u.host_ready(Duration::from_micros(25), false);
        assert_eq!(u.tx_room(Duration::from_micros(25)), 128 - 1 - 3);
        u.module_write(Duration::from_micros(26), b"g");
        assert_eq!(u.host_read(Duration::from_millis(5)), b"abc");
        u.host_ready(Duration::from_millis(5), true);
        assert_eq!(
            u.host_read(Duration::from_millis(5) + Duration::from_micros(40)),
            b"defg"
        );
    }
}
