//! The whole `Module`, driven as a port drives it (read the clock, feed one
//! input, drain every output: UART, network, store; offer the UART bytes it
//! did not take again), by a careless host and a hostile network.
//!
//! Input: a header byte (bit 0: power on with a stored blob, a `chunk8`;
//! bit 1: a slow host that reads the UART only on `Read` steps; bit 2:
//! settings writes stay outstanding until a `Stored` step; bit 3: read the
//! UART with `peek_uart`/`consume_uart`), an 8-byte seed, then steps: a tag
//! byte and its data (see `step`). Sockets are picked among those the
//! module asked for (`Sock`); raw IDs too, now and then.
//!
//! Checked after every input: no panic; every buffer within the dialect
//! (`Module::usage`); the UART output one input releases is bounded by the
//! dialect's two queues; after `handle_timeout(t)` the next wake-up is
//! later than `t`; `net_rx_room` within `net_rx_limit`; the drop count
//! never goes down; settings blobs are canonical; commands carry bounded
//! data; the heap held (counted by this binary's allocator) stays within
//! `Dialect::heap_bound` plus this harness's few kilobytes, and is all
//! given back once the module is dropped.
#![no_main]

use std::alloc::{GlobalAlloc, Layout, System};
use std::net::{Ipv4Addr, SocketAddrV4};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::time::Duration;

use firmware_core::fuzzing::Bytes;
use firmware_core::{CloseReason, Instant, Module, NetCommand, NetEvent, SEED, Settings, SocketId};

/// The most one input may release to the UART: the output queue and the
/// held-back lines, both full.
const UART_PER_INPUT: usize = SEED.uart_tx_buffer + SEED.urc_buffer;

/// The most commands one input may queue (as the property tests count:
/// a restart closes every link; DNS, SNTP and passthrough add one each).
const NET_COMMANDS_MAX: usize = 2 * SEED.links as usize + 4;

/// Steps per input: enough for a session, few enough for speed.
const MAX_STEPS: usize = 256;

/// What this harness itself may hold on the heap: the host's waiting
/// bytes (4 UART pieces), the last 64 sockets, the last internal queries.
const HARNESS_HEAP: usize = 32 * 1024;

/// The most sockets remembered to pick from.
const SOCKETS: usize = 64;

/// The system allocator, counting the bytes of live Rust allocations
/// (libFuzzer's own are C++ and go around it).
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call goes to `System` with the caller's arguments; the
// counter only adds and subtracts sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract is `System`'s.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            LIVE.fetch_add(layout.size(), Relaxed);
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract is `System`'s.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            LIVE.fetch_add(layout.size(), Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract is `System`'s.
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller's contract is `System`'s.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            LIVE.fetch_add(new_size, Relaxed);
            LIVE.fetch_sub(layout.size(), Relaxed);
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const MODULE_IP: Ipv4Addr = Ipv4Addr::new(192, 168, 0, 107);
const DHCP_DNS: Ipv4Addr = Ipv4Addr::new(192, 168, 0, 1);
const PEER: Ipv4Addr = Ipv4Addr::new(192, 168, 0, 103);

struct Rig {
    m: Module,
    now: Instant,
    seed: u64,
    slow_host: bool,
    store_later: bool,
    peek: bool,
    /// UART bytes released since the last input.
    released: usize,
    /// `Module::dropped` at the last check: it only grows.
    dropped: u64,
    /// Live heap bytes before the module was made.
    heap_base: usize,
    /// Host bytes the module has not taken yet.
    pending: Vec<u8>,
    /// Every socket the module named, with where it connects or sends.
    sockets: Vec<(SocketId, Option<SocketAddrV4>)>,
    /// The latest query on each internal socket (DNS, SNTP's DNS, SNTP).
    queries: [Option<(SocketAddrV4, Vec<u8>)>; 3],
    /// The write not yet reported, and what storage holds for good.
    outstanding: Option<firmware_core::Blob>,
    durable: Vec<u8>,
}

impl Rig {
    fn new(r: &mut Bytes<'_>, heap_base: usize) -> Self {
        let head = r.u8();
        let stored = if head & 1 != 0 {
            r.chunk8().to_vec()
        } else {
            Vec::new()
        };
        let seed = r.u64();
        let mut rig = Rig {
            m: Module::new(&SEED, &stored, seed),
            now: Instant::ZERO,
            seed,
            slow_host: head & 2 != 0,
            store_later: head & 4 != 0,
            peek: head & 8 != 0,
            released: 0,
            dropped: 0,
            heap_base,
            pending: Vec::new(),
            sockets: Vec::new(),
            queries: Default::default(),
            outstanding: None,
            durable: stored,
        };
        rig.after_input();
        rig
    }

    /// What every input is followed by: checks, then the drain.
    fn after_input(&mut self) {
        self.check();
        self.released = 0;
        self.drain();
    }

    fn check(&mut self) {
        let u = self.m.usage();
        assert!(u.uart_tx <= SEED.uart_tx_buffer, "{u:?}");
        assert!(u.urcs <= SEED.urc_buffer, "{u:?}");
        assert!(u.passthrough <= SEED.passthrough_buffer, "{u:?}");
        assert!(u.links <= usize::from(SEED.links), "{u:?}");
        assert!(u.net_commands <= NET_COMMANDS_MAX, "{u:?}");
        assert!(self.m.uart_rx_ready() || self.m.is_passthrough());
        // What a driver may deliver now never exceeds what it ever may.
        for &(socket, _) in self.sockets.iter().rev().take(8) {
            let (room, limit) = (self.m.net_rx_room(socket), self.m.net_rx_limit(socket));
            assert!(room <= limit, "{socket}: room {room} > limit {limit}");
        }
        assert!(self.m.dropped() >= self.dropped, "the drop count went down");
        self.dropped = self.m.dropped();
        let held = LIVE.load(Relaxed).saturating_sub(self.heap_base);
        let bound = SEED.heap_bound() + HARNESS_HEAP;
        assert!(held <= bound, "{held} bytes on the heap, bound {bound}");
    }

    fn read_uart(&mut self, limit: usize) {
        let mut left = limit;
        while left > 0 {
            let n = if self.peek {
                let n = self.m.peek_uart().len().min(left);
                self.m.consume_uart(n);
                n
            } else {
                let mut buf = [0u8; 512];
                let want = left.min(buf.len());
                self.m.poll_uart(&mut buf[..want])
            };
            if n == 0 {
                // A rate change holds the bytes after it (EH-1).
                if self.m.poll_line_rate().is_some() {
                    continue;
                }
                break;
            }
            left -= n;
            self.released += n;
            assert!(
                self.released <= UART_PER_INPUT,
                "{} UART bytes from one input",
                self.released
            );
        }
    }

    /// Every output, in a driver's order.
    fn drain(&mut self) {
        if !self.slow_host {
            self.read_uart(usize::MAX);
        }
        while let Some(c) = self.m.poll_net() {
            self.note(c);
        }
        if let Some(blob) = self.m.poll_store() {
            assert_eq!(Settings::decode(&blob).encode(), blob, "a canonical blob");
            assert!(self.outstanding.is_none(), "one write at a time");
            if self.store_later {
                self.outstanding = Some(blob);
            } else {
                self.durable = blob.to_vec();
                self.m.handle_stored(self.now, true);
                self.after_input();
            }
        }
    }

    fn note(&mut self, c: NetCommand) {
        if self.sockets.len() >= SOCKETS {
            self.sockets.remove(0);
        }
        match c {
            NetCommand::Connect { socket, remote, .. } => {
                self.sockets.push((socket, Some(remote)));
            }
            NetCommand::Listen { socket, .. } => self.sockets.push((socket, None)),
            // Its peer, if any, is where its first datagram goes.
            NetCommand::Bind { socket, .. } => self.sockets.push((socket, None)),
            NetCommand::Ping { socket, to } => {
                self.sockets.push((socket, Some(SocketAddrV4::new(to, 0))));
            }
            NetCommand::Send { socket, data, to } => {
                let max = SEED.max_send.max(SEED.packet_max).max(512);
                assert!(data.len() <= max, "a send of {} bytes", data.len());
                if let (Some(slot), Some(to)) = (self.queries.get_mut(socket.raw() as usize), to) {
                    *slot = Some((to, data.to_vec()));
                }
                if let Some(s) = self.sockets.iter_mut().find(|s| s.0 == socket) {
                    s.1 = s.1.or(to);
                }
            }
            NetCommand::Close { .. }
            | NetCommand::Join { .. }
            | NetCommand::Leave
            | NetCommand::Scan
            | NetCommand::Serve { .. } => {}
        }
    }

    /// Offers the host's waiting bytes until the module takes no more.
    fn offer(&mut self) {
        let mut rounds = 0;
        while !self.pending.is_empty() {
            let used = self.m.handle_uart(self.now, &self.pending);
            assert!(used <= self.pending.len());
            self.pending.drain(..used);
            self.after_input();
            rounds += 1;
            if used == 0 || rounds > 64 {
                break;
            }
        }
    }

    fn uart(&mut self, bytes: &[u8]) {
        self.pending.extend_from_slice(bytes);
        // A UART FIFO holds a piece, not a backlog: what the module never
        // takes is lost, as on a wire without flow control.
        let excess = self.pending.len().saturating_sub(4 * SEED.uart_piece);
        self.pending.drain(..excess);
        self.offer();
    }

    fn event(&mut self, e: NetEvent<'_>) {
        self.m.handle_net(self.now, e);
        self.after_input();
        self.offer();
    }

    /// `handle_timeout(t)`, then the timer contract.
    fn tick(&mut self, t: Instant) {
        self.now = self.now.max(t);
        self.m.handle_timeout(self.now);
        self.after_input();
        if let Some(next) = self.m.poll_timeout() {
            assert!(
                next > self.now,
                "poll_timeout {next} not after {}",
                self.now
            );
        }
        self.offer();
    }

    fn wait(&mut self, by: Duration) {
        let end = self.now + by;
        let mut fired = 0;
        while let Some(t) = self.m.poll_timeout().filter(|&t| t <= end) {
            self.tick(t);
            fired += 1;
            assert!(fired < 10_000, "livelock at {}", self.now);
        }
        self.tick(end);
    }

    /// A socket: one the module named (recent first), or a raw ID.
    fn socket(&self, pick: u8) -> (SocketId, Option<SocketAddrV4>) {
        if pick >= 0xF0 || self.sockets.is_empty() {
            return (SocketId::from_raw(u32::from(pick & 0x0F)), None);
        }
        self.sockets[self.sockets.len() - 1 - usize::from(pick) % self.sockets.len()]
    }

    fn from(&self, pick: u8, peer: Option<SocketAddrV4>) -> SocketAddrV4 {
        match pick % 4 {
            0 => peer.unwrap_or(SocketAddrV4::new(PEER, 80)),
            1 => SocketAddrV4::new(DHCP_DNS, 53),
            2 => SocketAddrV4::new(PEER, 80),
            _ => SocketAddrV4::new(Ipv4Addr::new(203, 0, 113, pick), u16::from(pick)),
        }
    }

    /// A valid answer to the latest query on internal socket `i`: DNS
    /// (A record `ip`, or NXDOMAIN for 0.0.0.0) or SNTP (`secs`).
    fn reply(&mut self, i: usize, ip: [u8; 4], secs: u32) {
        let Some((to, query)) = self.queries[i % 3].clone() else {
            return;
        };
        let mut answer = query;
        if i % 3 == 2 {
            answer.resize(48, 0);
            answer[0] = 0x24;
            answer[1] = 1;
            let transmit: [u8; 8] = answer[40..48].try_into().expect("48 bytes");
            answer[24..32].copy_from_slice(&transmit);
            answer[40..44].copy_from_slice(&secs.to_be_bytes());
        } else if answer.len() >= 12 {
            answer[2] |= 0x80;
            if ip == [0; 4] {
                answer[3] = 0x83;
            } else {
                answer[3] = 0x80;
                answer[7] = 1;
                answer.extend_from_slice(&[0xC0, 0x0C, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4]);
                answer.extend_from_slice(&ip);
            }
        }
        let socket = SocketId::from_raw((i % 3) as u32);
        self.event(NetEvent::Received {
            socket,
            from: to,
            data: &answer,
        });
    }

    fn step(&mut self, r: &mut Bytes<'_>) {
        match r.u8() % 18 {
            // Host bytes, as the UART delivered them.
            0 => self.uart(r.chunk16()),
            // A command line: the bytes, then CR LF.
            1 => {
                let line = r.chunk8().to_vec();
                self.uart(&line);
                self.uart(b"\r\n");
            }
            // The slow host reads some bytes.
            2 => {
                let n = usize::from(r.u16());
                self.read_uart(n);
                self.offer();
            }
            3 => {
                let (socket, _) = self.socket(r.u8());
                let local_port = r.u16();
                self.event(NetEvent::Opened { socket, local_port });
            }
            4 => {
                let (socket, _) = self.socket(r.u8());
                self.event(NetEvent::Failed { socket });
            }
            5 => {
                let (socket, _) = self.socket(r.u8());
                let remote = SocketAddrV4::new(PEER, r.u16());
                self.event(NetEvent::Accepted { socket, remote });
            }
            6 => {
                let (socket, peer) = self.socket(r.u8());
                let from = self.from(r.u8(), peer);
                let data = r.chunk16();
                self.event(NetEvent::Received { socket, from, data });
            }
            7 => {
                let (socket, _) = self.socket(r.u8());
                self.event(NetEvent::Sent { socket });
            }
            8 => {
                let (socket, _) = self.socket(r.u8());
                let reason = [
                    CloseReason::Peer,
                    CloseReason::Reset,
                    CloseReason::Timeout,
                    CloseReason::Error,
                ][usize::from(r.u8() % 4)];
                self.event(NetEvent::Closed { socket, reason });
            }
            9 => {
                let (socket, _) = self.socket(r.u8());
                self.event(NetEvent::PingReply { socket });
            }
            10 => {
                let n = usize::from(r.u8() % 5);
                let dns: Vec<Ipv4Addr> = (0..n)
                    .map(|_| Ipv4Addr::from(r.take(4).try_into().unwrap_or([0; 4])))
                    .collect();
                self.event(NetEvent::Configured {
                    address: MODULE_IP,
                    dns: &dns,
                    gateway: Ipv4Addr::new(192, 168, 0, 1),
                    netmask: Ipv4Addr::new(255, 255, 255, 0),
                });
            }
            // Time: microseconds to about an hour, firing every wake-up.
            11 => {
                let code = r.u8();
                let by = Duration::from_micros(u64::from(code & 0x1F) << ((code >> 5) * 4));
                self.wait(by);
            }
            // Straight to the next wake-up, or a tick now.
            12 => {
                let t = self.m.poll_timeout().unwrap_or(self.now);
                self.tick(t);
            }
            // The outstanding settings write ends.
            13 => {
                let durable = r.u8() & 1 == 0;
                if let Some(blob) = self.outstanding.take() {
                    if durable {
                        self.durable = blob.to_vec();
                    }
                    self.m.handle_stored(self.now, durable);
                    self.after_input();
                    self.offer();
                }
            }
            // Power cycle: a new module with what storage holds durably.
            14 => {
                self.m = Module::new(&SEED, &self.durable, self.seed);
                self.now = Instant::ZERO;
                self.dropped = 0;
                self.pending.clear();
                self.outstanding = None;
                self.sockets.clear();
                self.queries = Default::default();
                self.after_input();
            }
            15 => {
                let i = usize::from(r.u8());
                let ip: [u8; 4] = r.take(4).try_into().unwrap_or([0; 4]);
                let secs = (r.u16() as u32) << 16 | 0xE000_0000;
                self.reply(i, ip, secs);
            }
            // The usual boot: internal sockets open, DHCP done.
            16 => {
                for raw in 0..3 {
                    let socket = SocketId::from_raw(raw);
                    self.event(NetEvent::Opened {
                        socket,
                        local_port: 40000 + raw as u16,
                    });
                }
                self.event(NetEvent::Configured {
                    address: MODULE_IP,
                    dns: &[DHCP_DNS],
                    gateway: Ipv4Addr::new(192, 168, 0, 1),
                    netmask: Ipv4Addr::new(255, 255, 255, 0),
                });
            }
            // Every socket asked for opens, and listeners accept.
            _ => {
                let asked: Vec<SocketId> = self.sockets.iter().map(|s| s.0).collect();
                for socket in asked {
                    self.event(NetEvent::Opened {
                        socket,
                        local_port: 50000,
                    });
                    let remote = SocketAddrV4::new(PEER, 40000);
                    self.event(NetEvent::Accepted { socket, remote });
                }
            }
        }
    }
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let heap_base = LIVE.load(Relaxed);
    let mut r = Bytes(data);
    let mut rig = Rig::new(&mut r, heap_base);
    let mut steps = 0;
    while !r.is_empty() && steps < MAX_STEPS {
        rig.step(&mut r);
        steps += 1;
    }
    // Then the host reads everything while time runs out every timer.
    rig.slow_host = false;
    rig.wait(Duration::from_secs(20));
    drop(rig);
    let left = LIVE.load(Relaxed).wrapping_sub(heap_base) as isize;
    assert_eq!(left, 0, "heap bytes not given back");
});
