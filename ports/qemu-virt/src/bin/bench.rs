//! The core's cost per passthrough byte on the ESP32-C3's ISA (riscv32imc),
//! counted in retired instructions under `qemu-system-riscv32 -icount
//! shift=0` (`bench.sh` runs it and reads what it prints).
//!
//! A bench, not the port: no AT meaning here either, and no real I/O on
//! the hot path. It boots a `Module`, opens a passthrough session (ATE0,
//! AT+CIPMODE=1, CIPSTART to a TCP peer, AT+CIPSEND) against a network
//! that answers at once, then moves bulk data through it both ways:
//!
//! - **uart->net**: pieces of UART input, as a UART driver hands them over,
//!   in `handle_uart`; packets out of `poll_net`, each reported `Sent` at
//!   once (an always-ready TCP stack).
//! - **net->uart**: TCP segments in `NetEvent::Received`; UART bytes out
//!   through the driver kit's `drain`, as the port has them.
//!
//! Each piece or segment is in a buffer of the driver's own first (the
//! ports gather a piece, or read a segment, into one), so its alignment is
//! a driver's, not the test pattern's.
//!
//! Counted: the instructions between two reads of `minstret` around each
//! step (the core's calls, the kit's `drain` and `Inbox::note`, answering
//! `Sent`). Not counted: checking the data (every byte is checked against
//! the pattern it was sent with, with the meter paused) and the meter's own
//! reads, measured and taken off. Under `-icount`, QEMU's `minstret` is its
//! instruction counter; the run checks that against a loop of a known
//! number of instructions first, and against `mtime` at the end.
//!
//! Prints `bench ...` lines on the UART, then powers off through `virt`'s
//! test finisher: status 0, or 1 after a panic (its message printed).

#![no_std]
#![no_main]

extern crate alloc;

// The port's 16550 driver (the bench only writes) and its board support.
#[path = "../board.rs"]
mod board;
#[path = "../uart.rs"]
#[allow(dead_code)]
mod uart;

use alloc::collections::VecDeque;
use alloc::vec::Vec;
use core::fmt::Write as _;
use core::net::{Ipv4Addr, SocketAddrV4};
use core::time::Duration;

use driver_kit::Inbox;
use firmware_core::{Instant, Module, NetCommand, NetEvent, SocketId};

use crate::board::{Out, exit, init_heap};
use crate::uart::Uart;

/// Bytes moved each way: a few hundred KiB.
const TOTAL: usize = 256 * 1024;
/// UART pieces: the dialect's (the size both ports hand over), and a
/// smaller one, where the cost per call shows more.
const PIECES: [usize; 2] = [firmware_core::SEED.uart_piece, 256];
/// One full TCP segment (Ethernet MSS) per `Received`.
const SEGMENT: usize = 1460;
/// The data repeats with this period (prime, so it drifts against every
/// piece and packet size); it contains `+` bytes, as real data does.
const PERIOD: usize = 251;
/// A byte at 5 Mbaud (8N1): the time the bench lets pass per byte.
const BYTE_TIME: Duration = Duration::from_nanos(2000);
/// Instructions in the calibration loop.
const KNOWN: u32 = 1_000_000;

/// The TCP peer of the session.
const PEER: SocketAddrV4 = SocketAddrV4::new(Ipv4Addr::new(192, 168, 0, 103), 20108);

#[riscv_rt::entry]
fn main() -> ! {
    init_heap();
    let mut out = Out(Uart::take());
    let mtime_start = mtime();
    let start = instret();

    let overhead = calibrate(&mut out);

    // Data at every offset of the period is a slice of this.
    let src: Vec<u8> = (0..SEGMENT.max(PIECES[0]) + PERIOD)
        .map(|k| (k % PERIOD) as u8)
        .collect();

    for piece in PIECES {
        let mut b = Bench::passthrough(overhead);
        let (bytes, counted) = b.uart_to_net(&src, piece);
        report(&mut out, ("uart->net", piece, "pieces"), bytes, counted);
    }
    let mut b = Bench::passthrough(overhead);
    let (bytes, counted) = b.net_to_uart(&src);
    report(&mut out, ("net->uart", SEGMENT, "segments"), bytes, counted);

    // Cross-check: with -icount shift=0 one instruction is one virtual
    // nanosecond, and `mtime` ticks every 100 of them (10 MHz).
    let (insns, ticks) = (instret() - start, mtime() - mtime_start);
    let _ = write!(
        out,
        "bench check: minstret {insns} over the run, mtime {ticks} ticks = {} ns\r\n",
        ticks * 100
    );
    exit(0)
}

/// Counts loops of exactly [`KNOWN`] and `2 * KNOWN` instructions (and
/// the few of the call around them) and prints both: their difference
/// must be `KNOWN` exactly. Returns the meter's own cost (what a
/// start/stop pair adds to a measurement of nothing), measured here.
fn calibrate(out: &mut Out) -> u64 {
    let mut empty = Meter::new(0);
    for _ in 0..1000 {
        empty.start();
        empty.stop();
    }
    let overhead = empty.counted / empty.regions;
    let mut counts = [0; 2];
    for (count, n) in counts.iter_mut().zip([KNOWN, 2 * KNOWN]) {
        let mut m = Meter::new(overhead);
        m.start();
        known_loop(n / 2);
        m.stop();
        *count = m.work();
    }
    let _ = write!(
        out,
        "bench calibration: loops of {KNOWN} and {} instructions counted as {} and {} \
         (meter overhead {overhead} per measurement, taken off)\r\n",
        2 * KNOWN,
        counts[0],
        counts[1]
    );
    overhead
}

/// `2 * n` instructions: `n` times `addi` and `bnez`.
#[inline(never)]
fn known_loop(n: u32) {
    // SAFETY: register arithmetic and a local branch, nothing else.
    unsafe {
        core::arch::asm!(
            "2:",
            "addi {0}, {0}, -1",
            "bnez {0}, 2b",
            inout(reg) n => _,
            options(nostack, nomem),
        );
    }
}

/// One result line, e.g. `bench uart->net (1024-byte pieces): ...`.
fn report(out: &mut Out, what: (&str, usize, &str), bytes: usize, counted: u64) {
    let (dir, size, unit) = what;
    // Hundredths, rounded, in integers.
    let per = (counted * 100 + bytes as u64 / 2) / bytes as u64;
    let _ = write!(
        out,
        "bench {dir} ({size}-byte {unit}): {bytes} bytes, {counted} instructions, \
         {}.{:02} instructions/byte\r\n",
        per / 100,
        per % 100
    );
}

// ---- the counter ----

/// Retired instructions: `minstret`/`minstreth`, high word read twice so a
/// carry between the reads is not torn. Not `nomem`: the reads stay where
/// they are relative to the calls they measure.
#[inline(always)]
fn instret() -> u64 {
    loop {
        let (hi, lo, again): (u32, u32, u32);
        // SAFETY: reading counters has no side effect; M-mode may.
        unsafe {
            core::arch::asm!(
                "csrr {0}, minstreth",
                "csrr {1}, minstret",
                "csrr {2}, minstreth",
                out(reg) hi,
                out(reg) lo,
                out(reg) again,
                options(nostack),
            );
        }
        if hi == again {
            return (u64::from(hi) << 32) | u64::from(lo);
        }
    }
}

/// `virt`'s CLINT `mtime` (10 MHz of virtual time).
fn mtime() -> u64 {
    const MTIME: usize = 0x0200_BFF8;
    let read = |a: usize| {
        // SAFETY: a CLINT register `virt` maps; reading it has no effect.
        unsafe { core::ptr::read_volatile(a as *const u32) }
    };
    loop {
        let hi = read(MTIME + 4);
        let lo = read(MTIME);
        if read(MTIME + 4) == hi {
            return (u64::from(hi) << 32) | u64::from(lo);
        }
    }
}

/// Instructions counted between `start` and `stop`, summed.
struct Meter {
    counted: u64,
    regions: u64,
    since: u64,
    /// What one start/stop pair adds by itself.
    overhead: u64,
}

impl Meter {
    fn new(overhead: u64) -> Self {
        Meter {
            counted: 0,
            regions: 0,
            since: 0,
            overhead,
        }
    }

    #[inline(always)]
    fn start(&mut self) {
        self.since = instret();
    }

    #[inline(always)]
    fn stop(&mut self) {
        let now = instret();
        self.counted += now - self.since;
        self.regions += 1;
    }

    /// What was counted, less the meter's own cost.
    fn work(&self) -> u64 {
        self.counted.saturating_sub(self.regions * self.overhead)
    }
}

// ---- the data ----

/// The bytes of one direction, checked in order against the pattern.
#[derive(Default)]
struct Stream {
    seen: usize,
}

impl Stream {
    fn check(&mut self, bytes: &[u8]) {
        for (k, &b) in bytes.iter().enumerate() {
            let want = ((self.seen + k) % PERIOD) as u8;
            assert!(
                b == want,
                "byte {} is {b:#04x}, not {want:#04x}",
                self.seen + k
            );
        }
        self.seen += bytes.len();
    }
}

// ---- the bench driver ----

/// What the always-ready network owes the core.
enum Owed {
    Opened(SocketId),
    Sent(SocketId),
}

/// The driver side: a network that opens and accepts everything at once,
/// a UART that takes everything.
struct Port {
    meter: Meter,
    owed: VecDeque<Owed>,
    /// UART output while setting up, to wait for replies.
    text: Vec<u8>,
    /// Checking bulk data (set once the session is in passthrough).
    bulk: bool,
    uart: Stream,
    net: Stream,
    link: Option<SocketId>,
}

impl driver_kit::Io for Port {
    fn uart_room(&self) -> usize {
        usize::MAX
    }

    fn uart_write(&mut self, bytes: &[u8]) {
        if self.bulk {
            // The port's side (a UART FIFO or DMA buffer): not counted.
            self.meter.stop();
            self.uart.check(bytes);
            self.meter.start();
        } else {
            self.text.extend_from_slice(bytes);
        }
    }

    fn execute(&mut self, command: NetCommand) {
        match command {
            NetCommand::Bind { socket, .. } => self.owed.push_back(Owed::Opened(socket)),
            NetCommand::Connect { socket, .. } => {
                self.link = Some(socket);
                self.owed.push_back(Owed::Opened(socket));
            }
            NetCommand::Send { socket, data, .. } => {
                if self.bulk {
                    self.meter.stop();
                    assert_eq!(Some(socket), self.link, "a send on another socket");
                    self.net.check(&data);
                    self.meter.start();
                }
                self.owed.push_back(Owed::Sent(socket));
                // `data` drops here, counted: the core reuses its storage.
            }
            other => panic!("the bench does not expect {other:?}"),
        }
    }

    fn store(&mut self, _blob: &[u8]) -> Option<bool> {
        Some(true)
    }
}

/// A module in a passthrough session, and its driver.
struct Bench {
    m: Module,
    port: Port,
    inbox: Inbox<Vec<u8>>,
    now: Instant,
}

impl Bench {
    /// Boots a module and opens a passthrough session on one TCP link.
    fn passthrough(overhead: u64) -> Self {
        let mut b = Bench {
            m: Module::new(&firmware_core::SEED, &[], 0x6265_6e63_6821),
            port: Port {
                meter: Meter::new(overhead),
                owed: VecDeque::new(),
                text: Vec::new(),
                bulk: false,
                uart: Stream::default(),
                net: Stream::default(),
                link: None,
            },
            inbox: Inbox::new(),
            now: Instant::ZERO,
        };
        let router = Ipv4Addr::new(192, 168, 0, 1);
        b.m.handle_net(
            b.now,
            NetEvent::Configured {
                address: Ipv4Addr::new(192, 168, 0, 107),
                dns: &[router],
                gateway: Ipv4Addr::new(192, 168, 0, 1),
                netmask: Ipv4Addr::new(255, 255, 255, 0),
            },
        );
        b.settle();
        b.expect("", "ready\r\n");
        b.expect("ATE0\r\n", "\r\nOK\r\n");
        b.expect("AT+CIPMODE=1\r\n", "\r\nOK\r\n");
        b.expect(
            "AT+CIPSTART=0,\"TCP\",\"192.168.0.103\",20108\r\n",
            "\r\nOK\r\n",
        );
        b.expect("AT+CIPSEND\r\n", ">");
        assert!(b.m.is_passthrough(), "passthrough not entered");
        assert!(b.port.link.is_some(), "no link");
        b.port.bulk = true;
        b
    }

    /// Sends a line (if any) and checks that the output since the last
    /// check ends with `end`.
    fn expect(&mut self, line: &str, end: &str) {
        self.now = self.now + Duration::from_millis(100);
        if !line.is_empty() {
            let used = self.m.handle_uart(self.now, line.as_bytes());
            assert_eq!(used, line.len());
        }
        self.settle();
        let text = core::str::from_utf8(&self.port.text).unwrap_or("<not UTF-8>");
        assert!(
            text.ends_with(end),
            "{line:?} gave {text:?}, not ...{end:?}"
        );
        self.port.text.clear();
    }

    /// Drains the core, then gives it what the network owes, until both
    /// are done.
    fn settle(&mut self) {
        loop {
            driver_kit::drain(&mut self.m, self.now, &mut self.port, &mut self.inbox);
            let Some(owed) = self.port.owed.pop_front() else {
                return;
            };
            let event = match owed {
                Owed::Opened(socket) => NetEvent::Opened {
                    socket,
                    local_port: 49152,
                },
                Owed::Sent(socket) => NetEvent::Sent { socket },
            };
            self.m.handle_net(self.now, event);
        }
    }

    /// `TOTAL` bytes of UART input in pieces of `piece`, each arriving as
    /// the line delivers it; then the time that flushes the last partial
    /// packet. Returns the bytes and the instructions counted.
    fn uart_to_net(&mut self, src: &[u8], piece: usize) -> (usize, u64) {
        // The driver's piece buffer (the ports gather each piece in one).
        let mut buf = Vec::with_capacity(piece);
        let mut pos = 0;
        while pos < TOTAL {
            let n = piece.min(TOTAL - pos);
            buf.clear();
            buf.extend_from_slice(&src[pos % PERIOD..][..n]);
            let bytes = &buf[..];
            self.now = self.now + BYTE_TIME * n as u32;
            self.port.meter.start();
            let used = self.m.handle_uart(self.now, bytes);
            self.settle();
            self.port.meter.stop();
            assert_eq!(used, n, "passthrough takes every byte");
            pos += n;
        }
        // PT-2: the rest goes once it has waited 20 ms.
        self.now = self.now + Duration::from_millis(20);
        self.port.meter.start();
        self.m.handle_timeout(self.now);
        self.settle();
        self.port.meter.stop();
        assert_eq!(self.port.net.seen, TOTAL, "every byte reached the network");
        assert_eq!(self.m.dropped(), 0, "nothing dropped");
        (TOTAL, self.port.meter.work())
    }

    /// Whole segments, about `TOTAL` bytes of them, each drained to the
    /// UART before the next comes. Returns the bytes and the instructions
    /// counted.
    fn net_to_uart(&mut self, src: &[u8]) -> (usize, u64) {
        let socket = self.port.link.expect("a link");
        let segments = TOTAL.div_ceil(SEGMENT);
        // The driver's receive buffer (the ports read each segment into one).
        let mut buf = Vec::with_capacity(SEGMENT);
        for k in 0..segments {
            buf.clear();
            buf.extend_from_slice(&src[(k * SEGMENT) % PERIOD..][..SEGMENT]);
            let data = &buf[..];
            assert!(SEGMENT <= self.m.net_rx_room(socket), "no room");
            self.now = self.now + BYTE_TIME * SEGMENT as u32;
            self.port.meter.start();
            self.m.handle_net(
                self.now,
                NetEvent::Received {
                    socket,
                    from: PEER,
                    data,
                },
            );
            self.settle();
            self.port.meter.stop();
        }
        let total = segments * SEGMENT;
        assert_eq!(self.port.uart.seen, total, "every byte reached the UART");
        assert_eq!(self.m.dropped(), 0, "nothing dropped");
        (total, self.port.meter.work())
    }
}

// ---- the machine ----

#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    let mut out = Out(Uart::take());
    let _ = write!(out, "\r\nbench panic: {info}\r\n");
    exit(1)
}
