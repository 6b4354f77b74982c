//! The core's sockets on embassy-net: the module task's side.
//!
//! A fixed set of socket slots, one embassy task each (slot.rs), with
//! statically allocated buffers: the dialect's links plus the core's three
//! internal UDP sockets (DNS, SNTP's DNS, SNTP). The module task maps each
//! `SocketId` the core names to a slot ([`Sockets`], on driver-kit's
//! [`Slots`]), sends the slot its orders over a channel, and gets back
//! [`News`] on one channel in the order things happened. A slot serves one
//! socket at a time; its orders run in the order the core gave them. A slot
//! is handed out again only once its socket is really gone from the stack
//! (a closed TCP connection lingers until its FIN exchange ends): the slot's
//! task says so with [`News::Gone`].
//!
//! Received data is read from the embassy-net socket one chunk at a time:
//! a slot reads again only once its last [`Chunk`] is dropped (the core has
//! all of it, or driver-kit's inbox let it go), so what the core has no room
//! for waits in the socket's receive buffer (and TCP's window closes) rather
//! than here.
//!
//! Ping has a task and an ICMP socket of its own. TLS and DTLS are not
//! supported on this port: those opens fail at once.

use alloc::vec::Vec;
use core::net::{Ipv4Addr, SocketAddrV4};

use driver_kit::Slots;
use embassy_net::Stack;
use embassy_net::icmp::ping::{PingManager, PingParams};
use embassy_net::udp::PacketMetadata;
use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
use embassy_sync::channel::Channel;
use embassy_sync::signal::Signal;
use embassy_time::Duration;
use firmware_core::{CloseReason, Keepalive, NetCommand, SocketId};

/// The user's links.
const LINKS: usize = firmware_core::SEED.links as usize;
/// Links plus the core's internal DNS, SNTP-DNS and SNTP sockets.
pub(crate) const SLOTS: usize = LINKS + 3;

/// Each slot's receive and send buffers. The send buffer holds the longest
/// datagram the core sends (CIPSEND's limit).
const RX_BUFFER: usize = 2920;
const TX_BUFFER: usize = if firmware_core::SEED.max_send > 2920 {
    firmware_core::SEED.max_send
} else {
    2920
};
/// Datagrams a UDP socket queues each way.
const DATAGRAMS: usize = 4;

/// A slot's buffers, whichever kind of socket it serves. All zero, so a
/// static of them takes no flash.
pub(crate) struct SlotBuffers {
    pub(crate) rx: [u8; RX_BUFFER],
    pub(crate) tx: [u8; TX_BUFFER],
}

impl SlotBuffers {
    pub(crate) const fn new() -> Self {
        SlotBuffers {
            rx: [0; RX_BUFFER],
            tx: [0; TX_BUFFER],
        }
    }
}

/// A slot's datagram queues, when it serves a UDP socket.
pub(crate) struct SlotMeta {
    pub(crate) rx: [PacketMetadata; DATAGRAMS],
    pub(crate) tx: [PacketMetadata; DATAGRAMS],
}

impl SlotMeta {
    pub(crate) const fn new() -> Self {
        SlotMeta {
            rx: [PacketMetadata::EMPTY; DATAGRAMS],
            tx: [PacketMetadata::EMPTY; DATAGRAMS],
        }
    }
}

/// The ping socket's buffers: one echo request and one reply.
pub(crate) struct PingBuffers {
    rx: [u8; 128],
    tx: [u8; 128],
    rx_meta: [embassy_net::icmp::PacketMetadata; 1],
    tx_meta: [embassy_net::icmp::PacketMetadata; 1],
}

impl PingBuffers {
    pub(crate) const fn new() -> Self {
        PingBuffers {
            rx: [0; 128],
            tx: [0; 128],
            rx_meta: [embassy_net::icmp::PacketMetadata::EMPTY; 1],
            tx_meta: [embassy_net::icmp::PacketMetadata::EMPTY; 1],
        }
    }
}

/// What a slot's task must do; each names the socket it is for.
pub(crate) enum Order {
    Connect {
        socket: SocketId,
        remote: SocketAddrV4,
        keepalive: Option<Keepalive>,
    },
    Listen {
        socket: SocketId,
        port: u16,
        keepalive: Option<Keepalive>,
    },
    Bind {
        socket: SocketId,
        port: u16,
    },
    Send {
        socket: SocketId,
        data: firmware_core::Bytes,
        to: Option<SocketAddrV4>,
    },
    Close {
        socket: SocketId,
    },
}

impl Order {
    fn socket(&self) -> SocketId {
        match self {
            Order::Connect { socket, .. }
            | Order::Listen { socket, .. }
            | Order::Bind { socket, .. }
            | Order::Send { socket, .. }
            | Order::Close { socket } => *socket,
        }
    }
}

/// Bytes a slot read; dropping them lets the slot read again.
#[derive(Debug)]
pub(crate) struct Chunk {
    data: Vec<u8>,
    slot: usize,
}

impl Chunk {
    pub(crate) fn new(slot: usize, data: Vec<u8>) -> Self {
        Chunk { data, slot }
    }
}

impl AsRef<[u8]> for Chunk {
    fn as_ref(&self) -> &[u8] {
        &self.data
    }
}

impl Drop for Chunk {
    fn drop(&mut self) {
        SLOT[self.slot].consumed.signal(());
    }
}

/// A socket's news for the core, owned so it can wait in the inbox.
pub(crate) type Report = driver_kit::Report<Chunk>;

/// What the socket and ping tasks tell the module task.
pub(crate) enum News {
    /// For the core, through the inbox.
    Report(SocketId, Report),
    /// The slot's socket is gone from the stack: the slot is free again.
    Gone(usize),
    /// The station's news, straight to the core.
    Wifi(crate::wifi::WifiNews),
}

/// Orders a slot's task has not taken yet. The core has at most a few
/// outstanding per socket (an open, one send in flight, a close); a full
/// queue means something is badly wrong and ends the socket.
const ORDERS: usize = 8;

pub(crate) struct Slot {
    pub(crate) orders: Channel<CriticalSectionRawMutex, Order, ORDERS>,
    /// The slot's last `Chunk` was dropped.
    pub(crate) consumed: Signal<CriticalSectionRawMutex, ()>,
}

pub(crate) static SLOT: [Slot; SLOTS] = [const {
    Slot {
        orders: Channel::new(),
        consumed: Signal::new(),
    }
}; SLOTS];

/// Every piece of news, in the order things happened.
pub(crate) static NEWS: Channel<CriticalSectionRawMutex, News, 16> = Channel::new();

/// Echo requests for the ping task.
static PINGS: Channel<CriticalSectionRawMutex, (SocketId, Ipv4Addr), 2> = Channel::new();

/// The module task's side: which slot serves which socket.
pub(crate) struct Sockets {
    slots: Slots<()>,
    /// Reports the driver makes itself (refused opens), for the inbox.
    pub(crate) refused: Vec<(SocketId, Report)>,
}

impl Sockets {
    pub(crate) fn new() -> Self {
        Sockets {
            slots: Slots::new(SLOTS),
            refused: Vec::new(),
        }
    }

    /// Carries out one command of the core (or queues its orders).
    pub(crate) fn execute(&mut self, command: NetCommand) {
        let open = match command {
            NetCommand::Connect {
                socket,
                remote,
                keepalive,
            } => Order::Connect {
                socket,
                remote,
                keepalive,
            },
            NetCommand::Listen {
                socket,
                local_port,
                keepalive,
            } => Order::Listen {
                socket,
                port: local_port,
                keepalive,
            },
            NetCommand::Bind { socket, local_port } => Order::Bind {
                socket,
                port: local_port,
            },
            NetCommand::Send { socket, data, to } => {
                // A socket no longer open: the core learns it (or did) from
                // the report that ended it.
                if let Some((slot, ())) = self.slots.get(socket) {
                    self.order(slot, Order::Send { socket, data, to });
                }
                return;
            }
            NetCommand::Close { socket } => {
                // Lingering until its task says it is gone.
                if let Some((slot, ())) = self.slots.close(socket) {
                    self.order(slot, Order::Close { socket });
                }
                return;
            }
            NetCommand::Ping { socket, to } => {
                // One ping runs at a time (the core waits for each); a ping
                // that finds the queue full goes unanswered and times out.
                let _ = PINGS.try_send((socket, to));
                return;
            }
            // A dialect with a station (`esp-at`): its task joins.
            NetCommand::Join {
                ssid,
                password,
                bssid,
                ..
            } => {
                return crate::wifi::order(crate::wifi::Order::Join {
                    ssid,
                    password,
                    bssid,
                });
            }
            NetCommand::Leave => return crate::wifi::order(crate::wifi::Order::Leave),
            // AT+CIPSERVER's many-client listener is not built on this
            // port yet: the command answers ERROR.
            NetCommand::Serve { socket, .. } => return self.refuse(socket, Report::Failed),
            NetCommand::Scan => return crate::wifi::order(crate::wifi::Order::Scan),
        };
        let socket = open.socket();
        match self.slots.open(socket, ()) {
            Ok(slot) => self.order(slot, open),
            // Every slot open or lingering.
            Err(()) => self.refuse(socket, Report::Failed),
        }
    }

    /// Slot `slot`'s task let go of its socket.
    pub(crate) fn gone(&mut self, slot: usize) {
        self.slots.gone(slot);
    }

    fn order(&mut self, slot: usize, order: Order) {
        let socket = order.socket();
        let opens = !matches!(order, Order::Send { .. } | Order::Close { .. });
        if SLOT[slot].orders.try_send(order).is_err() {
            if opens {
                // The task never got it: the slot stays free.
                self.slots.gone(slot);
                self.refuse(socket, Report::Failed);
            } else {
                let _ = self.slots.close(socket);
                self.refuse(socket, Report::Closed(CloseReason::Error));
            }
        }
    }

    fn refuse(&mut self, socket: SocketId, report: Report) {
        self.refused.push((socket, report));
    }
}

/// Echo requests, one at a time, each answered by `PingReply` or by nothing
/// (the core times out by itself).
#[embassy_executor::task]
pub(crate) async fn ping_task(stack: Stack<'static>, buffers: &'static mut PingBuffers) -> ! {
    let mut pinger = PingManager::new(
        stack,
        &mut buffers.rx_meta,
        &mut buffers.rx,
        &mut buffers.tx_meta,
        &mut buffers.tx,
    );
    let timeout = firmware_core::SEED.ping_timeout_after;
    loop {
        let (socket, to) = PINGS.receive().await;
        let mut params = PingParams::new(to);
        params
            .set_count(1)
            .set_payload(b"atcert")
            .set_timeout(Duration::from_millis(timeout.as_millis() as u64))
            .set_rate_limit(Duration::from_ticks(0));
        if pinger.ping(&params).await.is_ok() {
            NEWS.send(News::Report(socket, Report::PingReply)).await;
        }
    }
}
