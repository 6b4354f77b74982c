//! The module: the whole `seed` dialect as one sans-IO state machine.
//!
//! Read `spec/DECISIONS.md` first; arms and comments cite its clauses.
//! `exec.rs` runs commands (`start.rs` CIPSTART, `send.rs` CIPSEND and
//! passthrough), `events.rs` takes network events and finishes
//! the commands that wait for them, `clock.rs` runs what falls due,
//! `output.rs` holds the output rules, `mode.rs` what the module is doing
//! and `links.rs` its links; this file holds the state and the API.

mod clock;
mod events;
mod exec;
mod line;
mod links;
mod mode;
mod output;
mod passive;
mod redial;
mod secure;
mod send;
mod server;
mod start;
mod station;

use mode::{AfterStore, Escapes, Job, Mode, PendingStart};
pub(crate) use passive::Held;

use alloc::collections::VecDeque;
use alloc::vec::Vec;
use core::net::Ipv4Addr;

use crate::command::LinkId;
use crate::dialect::{Dialect, MAX_LINKS};
use crate::dns::Resolver;
use crate::link::Link;
use crate::net::{NetCommand, NetEvent, Psk, SocketId};
use crate::parser::{Line, LineAssembler};
use crate::passthrough::{Passthrough, Timing};
use crate::sntp;
use crate::store::{DnsSetting, Settings};
use crate::time::Instant;
use crate::uart::Fifo;

/// The longest `+IPD,<id>,<len>:` header plus its line end.
const IPD_OVERHEAD: usize = 24;

/// The most one datagram may carry to an internal socket (DNS, SNTP): the
/// largest UDP payload. Their answers go to no UART, so room is no limit.
const INTERNAL_RX: usize = 65_507;

/// An AT TCP/IP module, without I/O.
///
/// The driver (a port, the simulator, a test) owns the UART, the network and
/// the clock, and talks to the module in four kinds of call:
///
/// - **Inputs** `handle_uart`, `handle_net`, `handle_timeout`,
///   `handle_stored`, each with the current [`Instant`]. Time never goes
///   backwards between calls (an earlier instant counts as the latest one
///   seen; debug builds assert).
/// - **Outputs** `poll_store`, `poll_uart`, `poll_net`, `poll_line_rate`:
///   after every input, drain them until they are empty. A settings blob
///   from `poll_store` is written atomically and reported with
///   [`handle_stored`](Self::handle_stored): the `OK` of the command that
///   changed it waits for that (B-6). A rate from
///   [`poll_line_rate`](Self::poll_line_rate) is the UART's from then on
///   (`AT+UART_CUR`, a stored rate at power-on, EH-1): the driver applies it
///   after writing out the bytes polled before it, which `poll_uart` and
///   `peek_uart` stop at until the rate is polled.
/// - **The wake-up** [`poll_timeout`](Self::poll_timeout), last: call
///   `handle_timeout` at (or after) that instant. It is a soft deadline:
///   early costs nothing, late only delays.
/// - **Getters** with `&self`: flow control, counters, state for tests.
///
/// Every call does work bounded by its input and the dialect; the module
/// never allocates beyond the dialect's buffers, whatever arrives.
pub struct Module {
    d: &'static Dialect,
    mode: Mode,
    line: LineAssembler,
    /// The last command line ended with a CR that was the last byte of its
    /// piece, then: an LF opening the next piece soon after is still that
    /// line's (G-1, `Dialect::lf_window`).
    lf_pending: Option<Instant>,
    /// Bytes for the UART, and unsolicited lines held back (G-7).
    tx: Fifo,
    urcs: Fifo,
    net_out: VecDeque<NetCommand>,
    store_out: Option<crate::store::Blob>,
    /// CIPSEND's data while it is collected (SD-4); handed to the network
    /// as a slice of itself, and its storage reused once that is dropped.
    send_buf: bytes::BytesMut,
    /// The latest instant an input carried (time never goes back).
    now: Instant,
    links: [Option<Link>; MAX_LINKS],
    /// The passthrough buffer and the link it belongs to. It outlives the
    /// mode: after an escape, what was typed before it still goes out.
    pt: Passthrough,
    pt_link: Option<LinkId>,
    /// The passthrough link went down: open it again then (EP-7).
    redial: Option<redial::Redial>,
    cfg: Config,
    /// What non-volatile storage holds.
    stored: Settings,
    /// From DHCP (`NetEvent::Configured`).
    address: Option<Ipv4Addr>,
    /// The gateway and netmask that came with it (EH-3).
    route: (Ipv4Addr, Ipv4Addr),
    dhcp_dns: heapless::Vec<Ipv4Addr, 3>,
    /// The DNS servers in effect (DN-1).
    dns_servers: heapless::Vec<Ipv4Addr, 3>,
    /// Resolves for commands; `sntp_resolver` for the SNTP server's name.
    resolver: Resolver,
    sntp_resolver: Resolver,
    sntp: sntp::Client,
    dns_socket: SocketId,
    sntp_dns_socket: SocketId,
    sntp_socket: SocketId,
    next_socket: u32,
    seed: u64,
    /// The Wi-Fi station, in a dialect that has one.
    station: station::Station,
    /// AT+CIPSERVER's listener (ET-12).
    server: Option<server::Server>,
    /// A server's client was accepted since boot: AT+CIPSTO may apply.
    served: bool,
    /// Network bytes the driver delivered beyond `net_rx_room`.
    net_dropped: u64,
    /// The name of the command that runs or ran last: its information
    /// lines start with it and `:` (`+CWMODE:1`).
    reply: &'static [u8],
    /// The UART's rate in effect (EH-1).
    line_rate: u32,
    /// The rate the driver built its UART for, which restarts come back
    /// to when none is stored (EH-5): the dialect's until the driver says.
    built_rate: u32,
    /// The rates the driver's UART can run at: the dialect's, or fewer
    /// ([`limit_line_rates`](Self::limit_line_rates)).
    line_rates: (u32, u32),
    /// A new rate for the UART once the first `.1` bytes now in `tx` are
    /// out (EH-1): `poll_line_rate` hands it over.
    rate_change: Option<(u32, usize)>,
    /// In passthrough, no timer but passthrough's own falls due before
    /// this instant, and only its own traffic came since it was worked
    /// out: until then an event runs PT-2 and PT-4 alone, not every
    /// subsystem's clock (the bulk path's cost is per event).
    calm_until: Instant,
    /// A test's twin without the calm path: every event runs every clock.
    #[cfg(test)]
    calm_off: bool,
}

/// Volatile settings: back to these on every restart (B-2).
#[derive(Debug, Clone)]
struct Config {
    echo: bool,
    mux: bool,
    passthrough: bool,
    sysstore: bool,
    dns: DnsSetting,
    sntp_enable: bool,
    /// Minutes east of UTC.
    timezone: i16,
    sntp_servers: heapless::Vec<Vec<u8>, 3>,
    /// The next server an attempt asks, in order (EN-1).
    sntp_next: usize,
    psk: [Option<Psk>; MAX_LINKS],
    /// `+IPD` and reads carry the sender (ER-2).
    dinfo: bool,
    /// The host asked for hardware flow control (EH-1).
    uart_flow: bool,
    /// AT+CIPSERVERMAXCONN (ET-13).
    server_max: u8,
    /// AT+CIPSTO, seconds; 0 never (ET-14).
    server_timeout: u16,
    /// Each link's receive mode: passive keeps data for reads (ER-3).
    passive: [bool; MAX_LINKS],
}

impl Config {
    fn boot(d: &Dialect, stored: &Settings) -> Self {
        Config {
            echo: true,
            mux: false,
            passthrough: false,
            sysstore: stored.sysstore,
            dns: stored.dns.clone(),
            sntp_enable: false,
            timezone: 0,
            sntp_servers: d
                .sntp_servers
                .iter()
                .map(|s| s.as_bytes().to_vec())
                .collect(),
            sntp_next: 0,
            psk: Default::default(),
            dinfo: false,
            uart_flow: false,
            server_max: 5,
            server_timeout: 180,
            passive: [false; MAX_LINKS],
        }
    }
}

/// How full the module's buffers are, for tests and for the curious.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Usage {
    /// Bytes waiting for the UART.
    pub uart_tx: usize,
    /// Unsolicited lines held back.
    pub urcs: usize,
    /// Passthrough bytes not yet sent.
    pub passthrough: usize,
    /// Commands for the driver not yet polled.
    pub net_commands: usize,
    /// Open or opening links.
    pub links: usize,
}

impl Module {
    /// A module that just powered on, with `stored` as its non-volatile
    /// settings (any bytes: a blob that does not decode is factory state)
    /// and `seed` for DNS IDs and SNTP nonces. It sends `ready` and asks
    /// for its internal DNS and SNTP sockets.
    ///
    /// # Panics
    /// If `dialect` is not [consistent](Dialect::is_consistent): a
    /// programming error, not an input.
    pub fn new(dialect: &'static Dialect, stored: &[u8], seed: u64) -> Self {
        assert!(
            dialect.is_consistent(),
            "inconsistent dialect {}",
            dialect.name
        );
        let stored = Settings::decode(stored);
        let station = station::Station::boot(&stored);
        let d = dialect;
        let mut m = Module {
            d,
            mode: Mode::Command,
            line: if d.style.crlf_only {
                LineAssembler::crlf_only(d.max_line)
            } else {
                LineAssembler::new(d.max_line)
            },
            lf_pending: None,
            tx: Fifo::new(d.uart_tx_buffer),
            urcs: Fifo::new(d.urc_buffer),
            net_out: VecDeque::new(),
            store_out: None,
            send_buf: bytes::BytesMut::with_capacity(d.max_send),
            now: Instant::ZERO,
            links: Default::default(),
            pt: Passthrough::new(Timing {
                packet_max: d.packet_max,
                flush_after: d.flush_after,
                guard: d.escape_guard,
                capacity: d.passthrough_buffer,
                from_last: d.flush_after_silence,
                piece: d.uart_piece,
                byte_time: line::byte_time(d.line_rate),
            }),
            pt_link: None,
            redial: None,
            cfg: Config::boot(d, &stored),
            stored,
            address: None,
            route: (Ipv4Addr::UNSPECIFIED, Ipv4Addr::UNSPECIFIED),
            dhcp_dns: heapless::Vec::new(),
            dns_servers: heapless::Vec::new(),
            resolver: Resolver::new(seed),
            sntp_resolver: Resolver::new(seed ^ 0x5A5A_5A5A),
            sntp: sntp::Client::new(seed ^ 0xA5A5_A5A5, d.sntp_interval, d.sntp_retry),
            dns_socket: SocketId(0),
            sntp_dns_socket: SocketId(1),
            sntp_socket: SocketId(2),
            next_socket: 3,
            seed,
            station,
            server: None,
            served: false,
            net_dropped: 0,
            reply: b"",
            line_rate: d.line_rate,
            built_rate: d.line_rate,
            line_rates: d.line_rates,
            rate_change: None,
            calm_until: Instant::ZERO,
            #[cfg(test)]
            calm_off: false,
        };
        // EH-5: a stored rate is the UART's from power-on, before `ready`.
        let boot_rate = m.boot_rate();
        if boot_rate != d.line_rate {
            m.rate_change = Some((boot_rate, 0));
        }
        for socket in [m.dns_socket, m.sntp_dns_socket, m.sntp_socket] {
            m.net_out.push_back(NetCommand::Bind {
                socket,
                local_port: 0,
            });
        }
        m.apply_dns_setting();
        m.final_result(d.ready);
        // EW-14: a stored access point is joined after power-on too.
        m.station_ready(Instant::ZERO);
        m
    }

    // ------------------------------------------------------------------
    // Inputs
    // ------------------------------------------------------------------

    /// Bytes from the host MCU, as the UART delivered them at `now`.
    /// Returns how many were taken: fewer than given only in command mode
    /// while the UART output is full (the driver keeps the rest and offers
    /// them again after draining `poll_uart`, as a UART FIFO would).
    pub fn handle_uart(&mut self, now: Instant, bytes: &[u8]) -> usize {
        let now = self.clamp(now);
        self.advance(now);
        let mut used = 0;
        while used < bytes.len() {
            let rest = &bytes[used..];
            if self
                .lf_pending
                .take()
                .is_some_and(|cr| now.saturating_since(cr) <= self.d.lf_window)
                && rest[0] == b'\n'
                && !matches!(self.mode, Mode::Command | Mode::Busy(_))
            {
                // G-1: the LF of a CRLF that the UART cut in two ends the
                // line before; it is no data (SD-4, PT-2). In command mode
                // it is an empty line, echoed as received (G-2). One that
                // comes later, after a lone CR, is the host's data.
                used += 1;
                continue;
            }
            used += match &mut self.mode {
                Mode::Collecting {
                    len,
                    escapes: Some(e),
                    ..
                } => {
                    let (taken, ended) = e.read(&mut self.send_buf, rest, *len);
                    if ended {
                        self.finish_collecting(now);
                    }
                    taken
                }
                Mode::Collecting { len, .. } => {
                    let data = &mut self.send_buf;
                    let take = (*len - data.len()).min(rest.len());
                    data.extend_from_slice(&rest[..take]);
                    if data.len() == *len {
                        self.finish_collecting(now);
                    }
                    take
                }
                Mode::Passthrough => {
                    self.pt.handle_input(now, rest);
                    if self.redial.is_some() {
                        // EP-7: the link is down; what comes meanwhile goes.
                        self.pt.drop_data();
                    }
                    // The packets it completes go out in the `advance`
                    // that ends this call.
                    rest.len()
                }
                // PT-5: discarded without a reply.
                Mode::Cooldown { until } if now < *until => rest.len(),
                // EB-2: a restarting module reads nothing.
                Mode::Busy(Job::Restart { .. }) if self.d.style.restart_drops_input => {
                    self.line.clear();
                    rest.len()
                }
                Mode::Cooldown { .. } => {
                    self.mode = Mode::Command;
                    0
                }
                Mode::Command | Mode::Busy(_) => {
                    if self.tx.free() <= self.d.max_reply {
                        break;
                    }
                    self.command_input(now, rest)
                }
            };
        }
        // A command may have started a lookup or a transfer: its first
        // datagram goes out now, not at the next input.
        self.advance(now);
        used
    }

    /// Reads command-mode bytes up to the end of one line (G-1…G-3).
    fn command_input(&mut self, now: Instant, bytes: &[u8]) -> usize {
        let mut line = core::mem::replace(&mut self.line, LineAssembler::new(0));
        let (mut used, ended) = line.push(bytes);
        let cr = ended.is_some() && bytes[..used].ends_with(b"\r");
        self.lf_pending = (cr && used == bytes.len()).then_some(now);
        if cr && bytes.get(used) == Some(&b'\n') {
            // The LF of a CRLF belongs to the line it ends (G-1), so the
            // echo comes before the reply.
            used += 1;
        }
        if self.cfg.echo {
            // G-2: the bytes as received.
            self.tx.push_all(&[&bytes[..used]]);
        }
        match ended {
            Some(Line::Complete(text)) => self.command_line(now, text),
            // EG-1: where only CRLF ends a line, an empty one is an error.
            Some(Line::TooLong) => self.line_refused(),
            Some(Line::Empty) if self.d.style.crlf_only => self.line_refused(),
            Some(Line::Empty) | None => {}
        }
        self.line = line;
        used
    }

    /// An event from the network stack.
    pub fn handle_net(&mut self, now: Instant, event: NetEvent<'_>) {
        let now = self.clamp(now);
        self.advance(now);
        if !self.passthrough_traffic(&event) {
            // It may start or move any timer: a lookup, a session, the
            // station's.
            self.calm_until = Instant::ZERO;
        }
        self.net_event(now, event);
        self.advance(now);
    }

    /// Data or an acknowledgement on the passthrough link, which moves no
    /// timer but passthrough's own (a session's records might).
    fn passthrough_traffic(&self, event: &NetEvent<'_>) -> bool {
        let (NetEvent::Sent { socket } | NetEvent::Received { socket, .. }) = *event else {
            return false;
        };
        let link = self.pt_link.and_then(|id| self.link(id));
        matches!(self.mode, Mode::Passthrough)
            && link.is_some_and(|l| l.socket == socket && l.tls.is_none() && l.last_io.is_none())
    }

    /// Time passed; call at or after [`poll_timeout`](Self::poll_timeout).
    /// An early call does nothing.
    pub fn handle_timeout(&mut self, now: Instant) {
        let now = self.clamp(now);
        self.advance(now);
    }

    /// The settings last taken from [`poll_store`](Self::poll_store) were
    /// written: `durable` when all of them are in non-volatile storage for
    /// good, false when the write failed (the old settings are still
    /// there). Only now does the command that changed them answer: `OK`,
    /// or `ERROR` with the settings as they were (B-6). A call with no
    /// write outstanding does nothing.
    pub fn handle_stored(&mut self, now: Instant, durable: bool) {
        let now = self.clamp(now);
        self.advance(now);
        let Mode::Busy(Job::Storing { .. }) = self.mode else {
            return;
        };
        let Mode::Busy(Job::Storing {
            previous,
            previous_cfg,
            then,
        }) = core::mem::replace(&mut self.mode, Mode::Command)
        else {
            unreachable!("matched above");
        };
        if !durable {
            self.stored = previous;
            self.cfg = *previous_cfg;
            self.apply_dns_setting();
            return self.final_result(self.d.error);
        }
        self.final_result(self.d.ok);
        match then {
            AfterStore::Ok => {}
            AfterStore::OkThenRestart => self.restart(now),
            AfterStore::OkThenRate(baud) => self.change_rate(baud),
        }
        self.advance(now);
    }

    /// Time never goes backwards (STYLE §2): an earlier instant is a
    /// driver's bug, taken as the latest instant seen.
    fn clamp(&mut self, now: Instant) -> Instant {
        debug_assert!(
            now >= self.now,
            "time went backwards: {now} after {}",
            self.now
        );
        self.now = self.now.max(now);
        self.now
    }

    // ------------------------------------------------------------------
    // Outputs
    // ------------------------------------------------------------------

    /// Copies bytes for the host MCU into `out`; returns how many. Call
    /// until it returns 0.
    pub fn poll_uart(&mut self, out: &mut [u8]) -> usize {
        let room = out.len().min(self.before_rate());
        let n = self.tx.pop_into(&mut out[..room]);
        self.took(n);
        self.release_urcs();
        n
    }

    /// The bytes for the host MCU that come next, as a slice of the core's
    /// own queue: for a driver that hands them to its UART from here
    /// instead of copying them out with [`poll_uart`](Self::poll_uart).
    /// Empty when nothing waits; more may follow once these are consumed.
    /// Report what the UART took with [`consume_uart`](Self::consume_uart).
    pub fn peek_uart(&self) -> &[u8] {
        let front = self.tx.front();
        &front[..front.len().min(self.before_rate())]
    }

    /// The UART took the first `n` bytes of [`peek_uart`](Self::peek_uart)
    /// (`n` beyond them counts as all). The same as `poll_uart` returning
    /// them: held lines may follow into the queue, even when `n` is 0.
    pub fn consume_uart(&mut self, n: usize) {
        let n = n.min(self.tx.len()).min(self.before_rate());
        self.tx.consume(n);
        self.took(n);
        self.release_urcs();
    }

    /// The next thing the network must do.
    pub fn poll_net(&mut self) -> Option<NetCommand> {
        self.net_out.pop_front()
    }

    /// Settings to write to non-volatile storage, replacing what is there
    /// atomically (a power loss mid-write must leave the old blob or the new
    /// one, never a mix); report the outcome with
    /// [`handle_stored`](Self::handle_stored), and hand the blob to
    /// [`Module::new`] at the next power-on.
    pub fn poll_store(&mut self) -> Option<crate::store::Blob> {
        self.store_out.take()
    }

    /// When to call `handle_timeout` next; `None` while nothing is timed.
    pub fn poll_timeout(&self) -> Option<Instant> {
        let pt = self.pt_link.and_then(|id| {
            let may_send = self.link(id).is_some_and(|l| !l.in_flight());
            self.pt.poll_timeout(may_send)
        });
        pt.into_iter().chain(self.others_timeout()).min()
    }

    // ------------------------------------------------------------------
    // Getters
    // ------------------------------------------------------------------

    /// How many bytes one `NetEvent::Received` on `socket` may carry now.
    /// A stream's data may be split to fit; a datagram is given whole once
    /// it fits (see [`net_rx_limit`](Self::net_rx_limit)). The core's own
    /// sockets (DNS, SNTP) take any datagram at any time.
    pub fn net_rx_room(&self, socket: SocketId) -> usize {
        if self.is_internal(socket) {
            return INTERNAL_RX;
        }
        let free = if matches!(self.mode, Mode::Passthrough) {
            self.tx.free()
        } else {
            self.tx
                .free()
                .min(self.urcs.free().saturating_sub(self.d.state_reserve()))
        };
        // Never above the limit, which the driver takes as the most that
        // can ever fit: passthrough's raw data (PT-3) could take a little
        // more, but a datagram dropped as too large must not have fitted.
        // A session's partial record turns into data with the next bytes.
        let id = self.link_of(socket);
        let link = id.and_then(|id| self.link(id));
        let pending = link
            .and_then(|l| l.tls.as_ref())
            .map_or(0, |s| s.buffered());
        if let (Some(id), Some(link)) = (id, link)
            && self.passive(id)
            && !matches!(self.mode, Mode::Passthrough)
        {
            // ER-4: the link's own buffer holds the network back.
            return self
                .d
                .passive_buffer
                .saturating_sub(link.held.len() + pending);
        }
        free.saturating_sub(IPD_OVERHEAD + pending)
            .min(self.net_rx_limit(socket))
    }

    /// The most one `NetEvent::Received` on `socket` can ever carry: a
    /// datagram larger than this will never fit and is to be dropped (and
    /// counted) by the driver rather than wait.
    pub fn net_rx_limit(&self, socket: SocketId) -> usize {
        if self.is_internal(socket) {
            return INTERNAL_RX;
        }
        let held = self.d.urc_buffer - self.d.state_reserve();
        self.d.uart_tx_buffer.min(held) - IPD_OVERHEAD
    }

    /// Whether `socket` is one of the core's own (DNS, SNTP), which outlive
    /// every link and restart.
    pub fn is_internal(&self, socket: SocketId) -> bool {
        [self.dns_socket, self.sntp_dns_socket, self.sntp_socket].contains(&socket)
    }

    /// Whether the host may send (RTS asserted, PT-7): false while the
    /// passthrough buffer has less than a UART piece free. A driver with
    /// hardware flow control holds the host back while this is false; one
    /// without it keeps delivering, and the excess is dropped and counted.
    pub fn uart_rx_ready(&self) -> bool {
        !matches!(self.mode, Mode::Passthrough) || self.pt.room() >= self.d.uart_piece
    }

    /// In passthrough mode (PT).
    pub fn is_passthrough(&self) -> bool {
        matches!(self.mode, Mode::Passthrough)
    }

    /// Bytes lost because a buffer was full: passthrough input (PT-7),
    /// network data beyond `net_rx_room`, UART output.
    pub fn dropped(&self) -> u64 {
        self.pt.dropped() + self.net_dropped + self.tx.dropped() + self.urcs.dropped()
    }

    /// How full the buffers are.
    pub fn usage(&self) -> Usage {
        Usage {
            uart_tx: self.tx.len(),
            urcs: self.urcs.len(),
            passthrough: self.pt.buffered(),
            net_commands: self.net_out.len(),
            links: self.links.iter().flatten().count(),
        }
    }

    /// The dialect the module speaks.
    pub fn dialect(&self) -> &'static Dialect {
        self.d
    }

    /// DN-1, DN-3: the servers the current setting puts in effect.
    fn apply_dns_setting(&mut self) {
        self.dns_servers = match &self.cfg.dns {
            DnsSetting::Manual { servers } => servers.iter().flatten().copied().collect(),
            DnsSetting::Automatic if !self.dhcp_dns.is_empty() => self.dhcp_dns.clone(),
            DnsSetting::Automatic => heapless::Vec::new(),
        };
        if self.dns_servers.is_empty() {
            self.dns_servers = self.d.dns_fallback.iter().copied().collect();
        }
    }

    /// Writes the stored settings out (B-5) and waits, busy, until the
    /// driver reports them durable; then `then` (B-6). `previous` and
    /// `previous_cfg` are the state to return to if the write fails.
    fn persist(&mut self, previous: Settings, previous_cfg: Config, then: AfterStore) {
        self.store_out = Some(self.stored.encode());
        self.mode = Mode::Busy(Job::Storing {
            previous,
            previous_cfg: alloc::boxed::Box::new(previous_cfg),
            then,
        });
    }
}

#[cfg(test)]
mod tests;
