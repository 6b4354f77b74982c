//! The module's host in the simulated network: a thin driver around
//! `firmware_core::Module`.
//!
//! It owns no AT logic. Its loop is the one every port has: read the clock,
//! feed the core what arrived (UART pieces, socket events, time), carry out
//! what the core asks (UART bytes, socket operations, a settings write),
//! then sleep until the earliest of the core's wake-up, the next UART piece
//! and the next socket event. Sockets are turmoil sockets, one task each;
//! the tasks report back over a channel in the order things happened.

use std::cell::RefCell;
use std::collections::{BTreeMap, VecDeque};
use std::net::{Ipv4Addr, SocketAddr};
use std::rc::Rc;
use std::time::Duration;

use driver_kit::radio::Radio;
use driver_kit::{Credited, Hooked, Inbox};
use firmware_core::{Dialect, Instant, Module, NetCommand, NetEvent, SocketId};
use tokio::sync::{Notify, OwnedSemaphorePermit, mpsc};
use turmoil::net::{TcpListener, TcpStream, UdpSocket};

mod sockets;

pub(crate) use sockets::NetView;
use sockets::{Link, Order, Report, datagram_task, stream_task};

use crate::heap::Scope;
use crate::idle::Watch;
use crate::peers::PING_PORT;
use crate::transcript::{Event, Transcript};
use crate::uart::Uart;

/// What the module host shares with the world outside it.
pub(crate) struct ModuleCtx {
    pub(crate) address: Ipv4Addr,
    pub(crate) dns: Ipv4Addr,
    pub(crate) seed: u64,
    /// The dialect the module is built with.
    pub(crate) dialect: &'static Dialect,
    /// The access points on the module's radio, and its station (a
    /// dialect with Wi-Fi; see [`driver_kit::radio`]).
    pub(crate) radio: Rc<RefCell<Radio>>,
    /// Wakes the loop when the world changed the access points.
    pub(crate) radio_changed: Rc<Notify>,
    pub(crate) uart: Rc<RefCell<Uart>>,
    /// Wakes the loop when the host wrote to the UART.
    pub(crate) uart_written: Rc<Notify>,
    /// The module's non-volatile storage; survives power cycles, and a
    /// power loss mid-write leaves what landed (see [`crate::flash`]).
    pub(crate) flash: Rc<RefCell<crate::flash::Flash>>,
    pub(crate) log: Rc<RefCell<Transcript>>,
    /// How many times the module booted (the first boot is 1).
    pub(crate) boots: Rc<RefCell<u32>>,
    /// What the world knows of the network (see [`NetView`]).
    pub(crate) view: Rc<RefCell<NetView>>,
    /// Every TCP connection's bytes in flight (see [`crate::flight`]).
    pub(crate) flight: crate::flight::FlightRef,
    /// The host's timers, told to the world (see [`crate::idle`]).
    pub(crate) watch: Watch,
}

/// Simulated time on this host: turmoil's step-start time plus what the
/// host's own (paused, advanced) tokio clock moved since.
#[derive(Clone, Copy)]
pub(crate) struct SimClock {
    tokio0: tokio::time::Instant,
    sim0: Duration,
}

impl SimClock {
    pub(crate) fn start() -> Self {
        SimClock {
            tokio0: tokio::time::Instant::now(),
            sim0: turmoil::sim_elapsed().unwrap_or_default(),
        }
    }

    pub(crate) fn now(&self) -> Duration {
        self.sim0 + self.tokio0.elapsed()
    }

    pub(crate) fn deadline(&self, at: Duration) -> tokio::time::Instant {
        self.tokio0 + at.saturating_sub(self.sim0)
    }
}

/// The module host's software: runs until the host is crashed or bounced
/// (a power cycle).
pub(crate) async fn run(ctx: Rc<ModuleCtx>) -> turmoil::Result {
    let clock = SimClock::start();
    let boot = clock.now();
    *ctx.boots.borrow_mut() += 1;
    ctx.uart.borrow_mut().module_reset(boot);
    // A write under way when the power went stops where it was.
    ctx.flash.borrow_mut().power_loss(boot);
    let stored = ctx.flash.borrow().blob();
    let seed = ctx.seed ^ u64::from(*ctx.boots.borrow());
    let dialect = ctx.dialect;
    let mut m = core(|| Module::new(dialect, &stored, seed));
    m.set_line_rate(ctx.uart.borrow().config().baud);
    // A restart leaves the access point and forgets any join under way.
    ctx.radio.borrow_mut().power_on();
    let (report_tx, mut reports) = mpsc::unbounded_channel::<(SocketId, Report)>();
    let mut d = Driver {
        io: Io {
            ctx: ctx.clone(),
            boot,
            at: boot,
            orders: BTreeMap::new(),
            incoming: Rc::default(),
            incoming_count: Rc::default(),
            reports: report_tx,
            store_due: None,
        },
        inbox: Inbox::new(),
        arrived: VecDeque::new(),
        uart_left: Vec::new(),
        uart_started: false,
    };
    if dialect.wifi.is_none() {
        // No station: the network is up from boot (a dialect with Wi-Fi is
        // configured by the access point it joins).
        let dns = [ctx.dns];
        d.io.log(Event::Net(format!(
            "dhcp address={} dns={}",
            ctx.address, ctx.dns
        )));
        let configured = NetEvent::Configured {
            address: ctx.address,
            dns: &dns,
            gateway: driver_kit::radio::lab_gateway(ctx.address),
            netmask: driver_kit::radio::LAB_NETMASK,
        };
        core(|| m.handle_net(d.io.instant(), configured));
    }
    loop {
        d.run_until(&mut m, clock.now());
        let wake = d.next_due(&m);
        let sleep = async {
            match wake {
                Some(at) => Watch::sleep_until(Some(&ctx.watch), clock.deadline(at)).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            biased;
            Some((socket, report)) = reports.recv() => d.arrived.push_back((socket, report)),
            _ = ctx.uart_written.notified() => {}
            _ = ctx.radio_changed.notified() => {}
            _ = sleep => {}
        }
    }
}

/// Runs `f` as the module's code: what it allocates is the module's
/// ([`crate::heap`]).
fn core<R>(f: impl FnOnce() -> R) -> R {
    let _core = Scope::module(true);
    f()
}

/// The loop's state: what it carries out ([`Io`]) and what waits for the
/// core.
struct Driver {
    io: Io,
    /// Reports not yet given to the core (the kit's policy decides what
    /// waits for room).
    inbox: Inbox<Credited<Option<OwnedSemaphorePermit>>>,
    /// Reports that arrived since the last wake: they count from the wake's
    /// instant, after the driver caught up with everything due before it.
    arrived: VecDeque<(SocketId, Report)>,
    /// UART bytes the core did not take yet (its input was paused).
    uart_left: Vec<u8>,
    /// The core was told the next piece's first byte arrived.
    uart_started: bool,
}

/// The module host's hardware: UART, sockets, flash, clock.
/// A socket and where its task takes orders.
type OrderChannel = (SocketId, mpsc::UnboundedSender<Order>);

struct Io {
    ctx: Rc<ModuleCtx>,
    boot: Duration,
    /// The driver's own clock. turmoil (through tokio's timer wheel) wakes
    /// hosts with millisecond resolution; the driver then walks through
    /// every instant that fell due since, in order, so the core sees UART
    /// pieces and its timers at their exact instants. Network reports are
    /// stamped with the instant they were noticed.
    at: Duration,
    /// One order channel per live socket task.
    orders: BTreeMap<SocketId, mpsc::UnboundedSender<Order>>,
    /// The channels of sockets a `Serve` listener made, until `orders`
    /// takes them; and how many it made.
    incoming: Rc<RefCell<Vec<OrderChannel>>>,
    incoming_count: Rc<std::cell::Cell<u32>>,
    reports: mpsc::UnboundedSender<(SocketId, Report)>,
    /// When the settings write under way is done.
    store_due: Option<Duration>,
}

impl Driver {
    /// Serves everything due up to `until`, each at its own instant, then
    /// the network reports that arrived, at `until`.
    fn run_until(&mut self, m: &mut Module, until: Duration) {
        let mut rounds = 0u32;
        while let Some(t) = self.next_due(m).filter(|&t| t <= until) {
            self.io.at = self.io.at.max(t);
            self.serve(m);
            rounds += 1;
            assert!(
                rounds < 10_000_000,
                "module host livelock at {:?}",
                self.io.at
            );
        }
        self.io.at = self.io.at.max(until);
        for (socket, report) in self.arrived.drain(..) {
            core(|| self.inbox.push(socket, report));
        }
        self.serve(m);
    }

    /// Everything due at `self.io.at`; then the module's RTS is what the
    /// core says now.
    fn serve(&mut self, m: &mut Module) {
        self.feed(m);
        self.drain(m);
        self.io
            .ctx
            .uart
            .borrow_mut()
            .set_module_rts(m.uart_rx_ready());
    }

    fn drain(&mut self, m: &mut Module) {
        let at = self.io.instant();
        core(|| driver_kit::drain(m, at, &mut self.io, &mut self.inbox));
    }

    /// Everything due goes into the core: UART pieces, socket reports (as
    /// the kit's inbox lets them), time.
    fn feed(&mut self, m: &mut Module) {
        let now = self.io.at;
        // UART: what the core left last time, then pieces due.
        if !self.uart_left.is_empty() {
            let left = std::mem::take(&mut self.uart_left);
            let used = core(|| m.handle_uart(self.io.instant(), &left));
            self.uart_left = left[used..].to_vec();
            self.drain(m);
        }
        let first_byte = self.io.ctx.uart.borrow().next_byte_at(m.uart_rx_ready());
        if m.wants_uart_start() && !self.uart_started && first_byte.is_some_and(|t| t <= now) {
            // The UART's "RX not empty" (EP-3).
            self.uart_started = true;
            core(|| m.handle_uart_start(self.io.instant()));
            self.drain(m);
        }
        while self.uart_left.is_empty() {
            let rts = m.uart_rx_ready();
            let Some((_, piece)) = self.io.ctx.uart.borrow_mut().take_piece(now, rts) else {
                break;
            };
            self.io.log(Event::UartIn(piece.clone()));
            self.uart_started = false;
            let used = core(|| m.handle_uart(self.io.instant(), &piece));
            self.uart_left = piece[used..].to_vec();
            self.drain(m);
        }
        let at = self.io.instant();
        // The air's news (Wi-Fi) never waits for room.
        loop {
            let air = self.io.ctx.radio.borrow_mut().poll(now);
            let Some(air) = air else { break };
            self.io.log(Event::Net(air.to_string()));
            core(|| air.with_event(|event| m.handle_net(at, event)));
            self.drain(m);
        }
        if let Some(done) = self.io.store_due.filter(|&t| t <= now) {
            self.io.store_due = None;
            self.io.ctx.flash.borrow_mut().settle(done);
            self.io.log(Event::Net("stored".into()));
            core(|| m.handle_stored(at, true));
            self.drain(m);
        }
        let mut hooked = Hooked {
            m,
            io: &mut self.io,
            hook: Io::on_event,
        };
        let inbox = &mut self.inbox;
        core(|| {
            inbox.deliver(&mut hooked, at, |c, inbox| {
                driver_kit::drain(c.m, at, c.io, inbox);
            })
        });
        if m.poll_timeout().is_some_and(|t| t <= at) {
            core(|| m.handle_timeout(at));
        }
    }

    /// The earliest instant anything is due.
    fn next_due(&self, m: &Module) -> Option<Duration> {
        let now = self.io.at;
        let core = m
            .poll_timeout()
            .map(|t| self.io.boot + Duration::from_micros(t.as_micros()));
        let uart = self.io.ctx.uart.borrow();
        // Like a UART's "TX FIFO below threshold" interrupt: refill when
        // half of the FIFO is free, not after every byte.
        let refill = uart.tx_room_at(now, (uart.config().tx_fifo / 2).max(1));
        let piece = if self.uart_left.is_empty() {
            uart.next_piece_at(m.uart_rx_ready())
        } else {
            // The core paused input until its output drains.
            Some(refill)
        };
        let output = (m.usage().uart_tx > 0).then_some(refill);
        let first_byte = (m.wants_uart_start() && !self.uart_started)
            .then(|| uart.next_byte_at(m.uart_rx_ready()))
            .flatten();
        // Reports waiting: at once if the core can take one now. Otherwise
        // room comes from the UART draining (`output` wakes for that) or from
        // another input (a `Sent` ending a CIPSEND releases held lines).
        let pending_rx = self.inbox.is_ready(m).then_some(now);
        let air = self.io.ctx.radio.borrow().next_due();
        [
            core,
            piece,
            output,
            pending_rx,
            self.io.store_due,
            air,
            first_byte,
        ]
        .into_iter()
        .flatten()
        .min()
    }
}

impl driver_kit::Io for Io {
    fn uart_room(&self) -> usize {
        self.ctx.uart.borrow().tx_room(self.at)
    }

    fn uart_write(&mut self, bytes: &[u8]) {
        let _io = Scope::module(false);
        self.ctx.uart.borrow_mut().module_write(self.at, bytes);
        self.log(Event::UartOut(bytes.to_vec()));
    }

    fn execute(&mut self, command: NetCommand) {
        let _io = Scope::module(false);
        Io::execute(self, command);
    }

    fn store(&mut self, blob: &[u8]) -> Option<bool> {
        let _io = Scope::module(false);
        self.log(Event::Net(format!("store {} bytes", blob.len())));
        self.store_due = Some(self.ctx.flash.borrow_mut().begin(self.at, blob));
        // Reported by the driver's loop when the write is done.
        None
    }

    fn set_line_rate(&mut self, baud: u32) {
        let _io = Scope::module(false);
        // The line is shared: the host's side follows (EH-1).
        self.ctx.uart.borrow_mut().set_baud(baud);
        self.log(Event::Net(format!("uart {baud}")));
    }
}

impl Io {
    /// Each network event goes into the transcript on its way to the core;
    /// a socket that ended loses its task's channel.
    fn on_event(&mut self, _now: Instant, event: &NetEvent<'_>) {
        let _io = Scope::module(false);
        let text = match *event {
            NetEvent::Received {
                socket, from, data, ..
            } => format!("{socket} received {} bytes from {from}", data.len()),
            NetEvent::Opened { socket, local_port } => format!("{socket} Opened({local_port})"),
            NetEvent::Failed { socket } => format!("{socket} Failed"),
            NetEvent::Accepted { socket, remote } => format!("{socket} Accepted({remote})"),
            NetEvent::Sent { socket } => format!("{socket} Sent"),
            NetEvent::Closed { socket, reason } => format!("{socket} Closed({reason:?})"),
            NetEvent::PingReply { socket } => format!("{socket} PingReply"),
            NetEvent::Configured { .. }
            | NetEvent::Associated { .. }
            | NetEvent::JoinFailed { .. }
            | NetEvent::Disassociated
            | NetEvent::Scanned { .. }
            | NetEvent::Incoming { .. } => format!("{event:?}"),
        };
        self.log(Event::Net(text));
        if let NetEvent::Failed { socket } | NetEvent::Closed { socket, .. } = *event {
            self.orders.remove(&socket);
        }
    }

    fn instant(&self) -> Instant {
        let micros = self.at.saturating_sub(self.boot).as_micros();
        Instant::from_micros(u64::try_from(micros).unwrap_or(u64::MAX))
    }

    fn log(&self, event: Event) {
        self.ctx.log.borrow_mut().push(self.at, event);
    }

    fn log_command(&self, c: &NetCommand) {
        let text = match c {
            NetCommand::Send { socket, data, to } => match to {
                Some(to) => format!("{socket} send {} bytes to {to}", data.len()),
                None => format!("{socket} send {} bytes", data.len()),
            },
            other => driver_kit::radio::describe(other).unwrap_or_else(|| format!("{other:?}")),
        };
        self.log(Event::Net(text));
    }

    /// One socket operation: a new task, or an order to a task.
    fn execute(&mut self, c: NetCommand) {
        self.log_command(&c);
        let reports = self.reports.clone();
        // A listener's clients are sockets like any other from here on.
        self.orders.extend(self.incoming.borrow_mut().drain(..));
        match c {
            NetCommand::Join { .. } | NetCommand::Leave | NetCommand::Scan => {
                let at = self.at;
                self.ctx.radio.borrow_mut().execute(at, &c);
            }
            NetCommand::Serve { socket, local_port } => {
                let mut orders = self.new_task(socket);
                let (view, flight) = (self.ctx.view.clone(), self.ctx.flight.clone());
                let watch = self.ctx.watch.clone();
                let (incoming, count) = (self.incoming.clone(), self.incoming_count.clone());
                tokio::task::spawn_local(async move {
                    let Ok(listener) = TcpListener::bind((Ipv4Addr::UNSPECIFIED, local_port)).await
                    else {
                        let _ = reports.send((socket, Report::Failed));
                        return;
                    };
                    let _ = reports.send((socket, Report::Opened(local_port)));
                    // Every client until a Close stops listening.
                    loop {
                        let accepted = tokio::select! {
                            biased;
                            _ = orders.recv() => return,
                            accepted = listener.accept() => accepted,
                        };
                        let Ok((stream, SocketAddr::V4(peer))) = accepted else {
                            continue;
                        };
                        let client = SocketId::incoming(count.get());
                        count.set(count.get() + 1);
                        let (tx, rx) = mpsc::unbounded_channel();
                        incoming.borrow_mut().push((client, tx));
                        let _ = reports.send((socket, Report::Incoming(client, peer)));
                        let link = Link {
                            socket: client,
                            peer,
                            keepalive: None,
                            view: view.clone(),
                            flight: flight.clone(),
                            watch: watch.clone(),
                        };
                        tokio::task::spawn_local(stream_task(link, stream, rx, reports.clone()));
                    }
                });
            }
            NetCommand::Connect {
                socket,
                remote,
                keepalive,
            } => {
                let orders = self.new_task(socket);
                let view = self.ctx.view.clone();
                let flight = self.ctx.flight.clone();
                let watch = self.ctx.watch.clone();
                tokio::task::spawn_local(async move {
                    match TcpStream::connect(SocketAddr::V4(remote)).await {
                        Ok(stream) => {
                            // The SYN-ACK's way back (see NetView).
                            let back = view.borrow().latency(remote.ip());
                            let at = tokio::time::Instant::now() + back;
                            Watch::sleep_until(Some(&watch), at).await;
                            let port = stream.local_addr().map(|a| a.port()).unwrap_or(0);
                            let _ = reports.send((socket, Report::Opened(port)));
                            let link = Link {
                                socket,
                                peer: remote,
                                keepalive,
                                view,
                                flight,
                                watch,
                            };
                            stream_task(link, stream, orders, reports).await;
                        }
                        Err(_) => {
                            let _ = reports.send((socket, Report::Failed));
                        }
                    }
                });
            }
            NetCommand::Listen {
                socket,
                local_port,
                keepalive,
            } => {
                let mut orders = self.new_task(socket);
                let view = self.ctx.view.clone();
                let flight = self.ctx.flight.clone();
                let watch = self.ctx.watch.clone();
                tokio::task::spawn_local(async move {
                    let Ok(listener) = TcpListener::bind((Ipv4Addr::UNSPECIFIED, local_port)).await
                    else {
                        let _ = reports.send((socket, Report::Failed));
                        return;
                    };
                    let _ = reports.send((socket, Report::Opened(local_port)));
                    // Exactly one connection, then stop listening; a Close
                    // before it stops listening at once (CL-2).
                    let accepted = tokio::select! {
                        biased;
                        _ = orders.recv() => return,
                        accepted = listener.accept() => accepted,
                    };
                    drop(listener);
                    let Ok((stream, SocketAddr::V4(peer))) = accepted else {
                        return;
                    };
                    let _ = reports.send((socket, Report::Accepted(peer)));
                    let link = Link {
                        socket,
                        peer,
                        keepalive,
                        view,
                        flight,
                        watch,
                    };
                    stream_task(link, stream, orders, reports).await;
                });
            }
            NetCommand::Bind { socket, local_port } => {
                let orders = self.new_task(socket);
                let view = self.ctx.view.clone();
                tokio::task::spawn_local(async move {
                    match UdpSocket::bind((Ipv4Addr::UNSPECIFIED, local_port)).await {
                        Ok(udp) => {
                            let port = udp.local_addr().map(|a| a.port()).unwrap_or(0);
                            let _ = reports.send((socket, Report::Opened(port)));
                            datagram_task(socket, udp, view, orders, reports).await;
                        }
                        Err(_) => {
                            let _ = reports.send((socket, Report::Failed));
                        }
                    }
                });
            }
            NetCommand::Send { socket, data, to } => {
                if let Some(tx) = self.orders.get(&socket) {
                    let _ = tx.send(Order::Send(data, to));
                }
            }
            NetCommand::Close { socket } => {
                if let Some(tx) = self.orders.remove(&socket) {
                    let _ = tx.send(Order::Close);
                }
            }
            NetCommand::Ping { socket, to } => {
                let watch = self.ctx.watch.clone();
                tokio::task::spawn_local(async move {
                    let Ok(udp) = UdpSocket::bind((Ipv4Addr::UNSPECIFIED, 0)).await else {
                        return;
                    };
                    let probe = socket.raw().to_be_bytes();
                    if udp.send_to(&probe, (to, PING_PORT)).await.is_err() {
                        return;
                    }
                    let mut buf = [0; 16];
                    // The core times the ping out by itself; stop listening later.
                    let give_up = tokio::time::Instant::now() + Duration::from_secs(2);
                    let reply = tokio::select! {
                        reply = udp.recv_from(&mut buf) => reply,
                        () = Watch::sleep_until(Some(&watch), give_up) => return,
                    };
                    if let Ok((n, _)) = reply
                        && buf[..n] == probe
                    {
                        let _ = reports.send((socket, Report::PingReply));
                    }
                });
            }
        }
    }

    fn new_task(&mut self, socket: SocketId) -> mpsc::UnboundedReceiver<Order> {
        let (tx, rx) = mpsc::unbounded_channel();
        self.orders.insert(socket, tx);
        rx
    }
}
