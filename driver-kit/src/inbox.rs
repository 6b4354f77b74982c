//! Reports waiting for the core, and the one policy for what waits.
//!
//! The core takes received data only as far as it has room for it (its
//! UART output and held-back lines are bounded). What a driver does with
//! the rest decides whether the module can hang, split a datagram or lose
//! a `CLOSED`, so it is written here once:
//!
//! - **Completions never wait.** `Opened`, `Failed`, `Accepted`, `Sent` and
//!   `PingReply` go to the core at once, whatever data waits: the `Sent`
//!   that ends a CIPSEND is what lets the held lines out (G-7), so holding
//!   it behind data that waits for that room would hang the module.
//! - **A stream keeps its order.** Its data is given in parts as room
//!   allows; its `Closed` follows its last byte, as a socket's EOF follows
//!   its data (a peer that answers and closes must not lose the answer).
//!   The core guarantees the room comes: the UART drains, held lines are
//!   released at every final result, and a stuck CIPSEND has a deadline.
//! - **A datagram is whole or dropped.** It waits until it fits (RX-1: one
//!   `+IPD` per datagram); one that can never fit, or that would take the
//!   socket's waiting datagrams past [`Inbox::DATAGRAM_BUDGET`] bytes (a
//!   UDP socket's receive buffer), is dropped and counted.
//! - **The core's own sockets ignore room** (DNS and SNTP answers go to no
//!   UART): the core says so through `net_rx_room`.
//! - **A socket the core closed is forgotten**, with whatever it had
//!   waiting: reports of it are dropped on arrival.

use alloc::collections::{BTreeMap, BTreeSet, VecDeque};

use firmware_core::{Instant, Module, NetCommand, NetEvent, SocketId};

use crate::report::Report;

/// What the inbox needs of the core; [`Module`] is the real one, tests
/// use a scripted one.
pub trait Core {
    /// [`Module::net_rx_room`].
    fn room(&self, socket: SocketId) -> usize;
    /// [`Module::net_rx_limit`].
    fn limit(&self, socket: SocketId) -> usize;
    /// [`Module::handle_net`].
    fn handle(&mut self, now: Instant, event: NetEvent<'_>);
}

impl Core for Module {
    fn room(&self, socket: SocketId) -> usize {
        self.net_rx_room(socket)
    }
    fn limit(&self, socket: SocketId) -> usize {
        self.net_rx_limit(socket)
    }
    fn handle(&mut self, now: Instant, event: NetEvent<'_>) {
        self.handle_net(now, event);
    }
}

/// The core with the driver's I/O beside it, and a hook the driver runs on
/// each event before the core takes it (to log it, or to forget the task
/// of a socket that ended). `deliver`'s drain gets both back.
pub struct Hooked<'a, I> {
    /// The core.
    pub m: &'a mut Module,
    /// The driver's I/O.
    pub io: &'a mut I,
    /// Runs on each event, before the core sees it.
    pub hook: fn(&mut I, Instant, &NetEvent<'_>),
}

impl<I> Core for Hooked<'_, I> {
    fn room(&self, socket: SocketId) -> usize {
        self.m.net_rx_room(socket)
    }
    fn limit(&self, socket: SocketId) -> usize {
        self.m.net_rx_limit(socket)
    }
    fn handle(&mut self, now: Instant, event: NetEvent<'_>) {
        (self.hook)(self.io, now, &event);
        self.m.handle_net(now, event);
    }
}

/// How a live socket's data arrives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Stream,
    Datagram,
}

/// One waiting report; `taken` bytes of received stream data were given.
#[derive(Debug)]
struct Waiting<D> {
    socket: SocketId,
    report: Report<D>,
    taken: usize,
}

/// The reports of every socket not yet given to the core, in arrival order.
#[derive(Debug)]
pub struct Inbox<D> {
    queue: VecDeque<Waiting<D>>,
    /// The sockets the core has asked for and not closed.
    live: BTreeMap<SocketId, Kind>,
    /// Datagram bytes dropped (too large, or over the budget).
    dropped: u64,
}

impl<D> Default for Inbox<D> {
    fn default() -> Self {
        Inbox {
            queue: VecDeque::new(),
            live: BTreeMap::new(),
            dropped: 0,
        }
    }
}

impl<D: AsRef<[u8]>> Inbox<D> {
    /// The most datagram bytes one socket may have waiting: lwIP's and
    /// Linux's small-buffer defaults are of this order.
    pub const DATAGRAM_BUDGET: usize = 16 * 1024;

    /// An empty inbox.
    pub fn new() -> Self {
        Self::default()
    }

    /// Learns from a command the driver is about to carry out: which
    /// sockets exist and how their data comes; a `Close` forgets the
    /// socket and what it had waiting.
    pub fn note(&mut self, command: &NetCommand) {
        match command {
            NetCommand::Connect { socket, .. }
            | NetCommand::Listen { socket, .. }
            | NetCommand::Serve { socket, .. } => {
                self.live.insert(*socket, Kind::Stream);
            }
            NetCommand::Bind { socket, .. } => {
                self.live.insert(*socket, Kind::Datagram);
            }
            NetCommand::Close { socket } => self.forget(*socket),
            NetCommand::Send { .. }
            | NetCommand::Ping { .. }
            | NetCommand::Join { .. }
            | NetCommand::Leave
            | NetCommand::Scan => {}
        }
    }

    /// A report from `socket`; a stale one (its socket closed) is dropped.
    pub fn push(&mut self, socket: SocketId, report: Report<D>) {
        let kind = self.live.get(&socket).copied();
        if kind.is_none() && !matches!(report, Report::PingReply) {
            return;
        }
        if let Report::Incoming(client, _) = report {
            // A listener's client: a socket of its own from here on.
            self.live.insert(client, Kind::Stream);
        }
        if let (Some(Kind::Datagram), Report::Received(_, data)) = (kind, &report) {
            let waiting: usize = self
                .queue
                .iter()
                .filter(|w| w.socket == socket)
                .map(|w| w.len())
                .sum();
            let len = data.as_ref().len();
            if waiting + len > Self::DATAGRAM_BUDGET {
                self.dropped += len as u64;
                return;
            }
        }
        self.queue.push_back(Waiting {
            socket,
            report,
            taken: 0,
        });
    }

    /// Gives the core everything the policy lets through now, each event
    /// followed by `drain` (so the room it frees is seen by the next; the
    /// inbox is lent to it to note the commands it carries out).
    pub fn deliver<C: Core>(
        &mut self,
        core: &mut C,
        now: Instant,
        mut drain: impl FnMut(&mut C, &mut Self),
    ) {
        let mut blocked = BTreeSet::new();
        let mut kept = VecDeque::with_capacity(self.queue.len());
        while let Some(mut w) = self.queue.pop_front() {
            let socket = w.socket;
            if !self.live.contains_key(&socket) && !matches!(w.report, Report::PingReply) {
                // Closed by the core while it waited.
                continue;
            }
            let datagram = self.live.get(&socket) == Some(&Kind::Datagram);
            match &w.report {
                Report::Received(from, data) => {
                    let from = *from;
                    let data = &data.as_ref()[w.taken..];
                    if blocked.contains(&socket) {
                        kept.push_back(w);
                        continue;
                    }
                    let room = core.room(socket);
                    let n = if !datagram {
                        data.len().min(room)
                    } else if data.len() > core.limit(socket) {
                        // Never fits: dropped, not split.
                        self.dropped += data.len() as u64;
                        continue;
                    } else if data.len() <= room {
                        data.len()
                    } else {
                        0
                    };
                    if n > 0 {
                        let event = NetEvent::Received {
                            socket,
                            from,
                            data: &data[..n],
                        };
                        core.handle(now, event);
                        w.taken += n;
                        drain(core, self);
                    }
                    if w.len() > 0 {
                        blocked.insert(socket);
                        kept.push_back(w);
                    }
                }
                Report::Closed(_) if blocked.contains(&socket) => kept.push_back(w),
                report => {
                    if report.ends() {
                        self.live.remove(&socket);
                    }
                    if let Some(event) = report.event(socket) {
                        core.handle(now, event);
                        drain(core, self);
                    }
                }
            }
        }
        // Reports pushed by `drain` (none today) would follow.
        kept.append(&mut self.queue);
        self.queue = kept;
    }

    /// Whether anything waits (for room, or for `deliver`).
    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    /// Whether [`deliver`](Self::deliver) would give the core something
    /// now: a driver with reports waiting wakes at once when this holds,
    /// else when its UART has taken output (which frees room).
    pub fn is_ready<C: Core>(&self, core: &C) -> bool {
        let mut seen = BTreeSet::new();
        self.queue.iter().any(|w| {
            if !seen.insert(w.socket) {
                return false;
            }
            match &w.report {
                Report::Received(..) => {
                    let room = core.room(w.socket);
                    let datagram = self.live.get(&w.socket) == Some(&Kind::Datagram);
                    if datagram { w.len() <= room } else { room > 0 }
                }
                _ => true,
            }
        })
    }

    /// Whether received data waits for the core's room.
    pub fn is_waiting(&self) -> bool {
        self.queue
            .iter()
            .any(|w| matches!(w.report, Report::Received(..)))
    }

    /// Datagram bytes dropped since the start.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// Whether the core still has `socket` open (or opening).
    pub fn is_live(&self, socket: SocketId) -> bool {
        self.live.contains_key(&socket)
    }

    fn forget(&mut self, socket: SocketId) {
        self.live.remove(&socket);
        self.queue.retain(|w| w.socket != socket);
    }
}

impl<D: AsRef<[u8]>> Waiting<D> {
    /// Received bytes not yet given.
    fn len(&self) -> usize {
        match &self.report {
            Report::Received(_, data) => data.as_ref().len() - self.taken,
            _ => 0,
        }
    }
}

#[cfg(test)]
mod tests;
