//! The loop every port has (STYLE.md §10): read the clock once; feed the
//! core the UART pieces due, the network's reports and its due timer,
//! draining every `poll_*` after each input; then sleep until the earliest
//! of the core's wake-up, the next UART bytes, a socket report, room on
//! the line for output held back, and a request to stop.

use std::time::Duration;

use driver_kit::radio::Radio;
use driver_kit::{Hooked, Inbox};
use firmware_core::{Instant, Module, NetCommand, NetEvent};
use tokio::sync::mpsc;
use tokio::sync::mpsc::error::TrySendError;

use crate::air::{self, Control};
use crate::clock::Clock;
use crate::net::{Credited, Report, Sockets};
use crate::stop::Stop;
use crate::store::Store;
use crate::uart::{Line, Out, WRITE_SIZE};

/// How soon to offer UART input again that the core did not take while
/// its output was not held up by the line (it should not happen: a guard
/// against a stall, not a rule).
const RETRY: Duration = Duration::from_millis(1);

/// What the loop carries out for the core.
pub(crate) struct Driver {
    pub(crate) clock: Clock,
    pub(crate) line: Line,
    pub(crate) pieces: driver_kit::Pieces,
    /// Hold the other end back (stop reading the line) while the core
    /// cannot take passthrough data (PT-7), instead of letting it drop.
    pub(crate) flow_control: bool,
    pub(crate) sockets: Sockets,
    pub(crate) reports: mpsc::UnboundedReceiver<Report>,
    pub(crate) store: Store,
    /// Log the network's events on stderr.
    pub(crate) verbose: bool,
    /// The virtual access points and the station (a dialect with Wi-Fi).
    pub(crate) radio: Radio,
    /// Changes to them, from stdin's lab controls.
    pub(crate) air: mpsc::UnboundedReceiver<Control>,
}

/// Why the loop ended.
pub(crate) enum End {
    /// Asked to stop: a signal, or stdin closed.
    Stopped(&'static str),
    /// The line went away (a serial device unplugged).
    LineClosed,
}

/// Runs the module until it is asked to stop or its line goes away.
pub(crate) async fn run(d: Driver, mut m: Module, stop: &mut Stop) -> End {
    let mut s = State {
        io: Io {
            d,
            out_blocked: false,
            line_closed: false,
            rate_due: None,
        },
        left: Vec::new(),
        inbox: Inbox::new(),
    };
    loop {
        let now = s.io.d.clock.now();
        // Output the line had no room for before (and `ready` at boot).
        s.drain(&mut m, now);
        s.uart_in(&mut m, now);
        let mut core = Hooked {
            m: &mut m,
            io: &mut s.io,
            hook: Io::on_event,
        };
        s.inbox.deliver(&mut core, now, |c, inbox| {
            driver_kit::drain(c.m, now, c.io, inbox);
        });
        // The air's news (Wi-Fi) never waits for room.
        while let Some(news) = s.io.d.radio.poll(air::since_boot(now)) {
            if s.io.d.verbose {
                eprintln!("atmodule: {now} {news}");
            }
            news.with_event(|event| m.handle_net(now, event));
            s.drain(&mut m, now);
        }
        if m.poll_timeout().is_some_and(|t| t <= now) {
            m.handle_timeout(now);
            s.drain(&mut m, now);
        }
        if s.io.line_closed {
            return End::LineClosed;
        }

        let radio = s.io.d.radio.next_due().map(air::instant);
        let wake = [m.poll_timeout(), s.uart_due(&m, now), radio]
            .into_iter()
            .flatten()
            .min();
        let clock = s.io.d.clock;
        let sleep = async {
            match wake {
                Some(at) => tokio::time::sleep_until(clock.deadline(at)).await,
                None => std::future::pending().await,
            }
        };
        let d = &mut s.io.d;
        let take_input = !d.pieces.is_full();
        let mut control = None;
        tokio::select! {
            biased;
            why = stop.wait() => return End::Stopped(why),
            got = d.line.input.recv(), if take_input => match got {
                Some((at, bytes)) => d.pieces.push(at, &bytes),
                None => return End::LineClosed,
            },
            Some((socket, report)) = d.reports.recv() => s.inbox.push(socket, report),
            Some(c) = d.air.recv() => control = Some(c),
            room = d.line.output.reserve(), if s.io.out_blocked => {
                s.io.out_blocked = false;
                match room {
                    Ok(permit) => {
                        // A rate change the queue had no room for goes
                        // first, before any later byte.
                        if let Some(baud) = s.io.rate_due.take() {
                            permit.send(Out::Rate(baud));
                        }
                    }
                    Err(_) => return End::LineClosed,
                }
            }
            () = sleep => {}
        }
        // Whatever else came meanwhile, in one turn.
        let d = &mut s.io.d;
        if let Some(c) = control {
            control_air(d, &c);
        }
        while !d.pieces.is_full()
            && let Ok((at, bytes)) = d.line.input.try_recv()
        {
            d.pieces.push(at, &bytes);
        }
        while let Ok((socket, report)) = d.reports.try_recv() {
            s.inbox.push(socket, report);
        }
        while let Ok(control) = d.air.try_recv() {
            control_air(d, &control);
        }
    }
}

/// A lab control of the air, now.
fn control_air(d: &mut Driver, control: &Control) {
    let now = d.clock.now();
    match control.apply(&mut d.radio, air::since_boot(now)) {
        Ok(()) if d.verbose => eprintln!("atmodule: {now} {control}"),
        Ok(()) => {}
        Err(e) => eprintln!("atmodule: lab control: {e}"),
    }
}

struct State {
    io: Io,
    /// The part of a piece the core did not take (its output was full).
    left: Vec<u8>,
    /// Reports not yet given to the core: the kit's policy decides what
    /// waits for room.
    inbox: Inbox<Credited>,
}

/// The line, the sockets and the settings file, as the kit drives them.
struct Io {
    d: Driver,
    /// The line's output queue is full: poll no more UART output until it
    /// has room.
    out_blocked: bool,
    line_closed: bool,
    /// A new line rate waiting for room in the line's queue (EH-1).
    rate_due: Option<u32>,
}

impl State {
    fn drain(&mut self, m: &mut Module, now: Instant) {
        driver_kit::drain(m, now, &mut self.io, &mut self.inbox);
    }

    /// UART pieces due at `now`: what the core left last time first.
    fn uart_in(&mut self, m: &mut Module, now: Instant) {
        if self.io.d.pieces.start_for(m) {
            // The UART's "RX not empty" (EP-3), seen now.
            m.handle_uart_start(now);
            self.drain(m, now);
        }
        loop {
            if self.left.is_empty() {
                if self.io.d.flow_control && !m.uart_rx_ready() {
                    break;
                }
                match self.io.d.pieces.take(now) {
                    Some(piece) => self.left = piece,
                    None => break,
                }
            }
            if self.io.d.verbose {
                eprintln!("atmodule: {now} uart piece of {} bytes", self.left.len());
            }
            let used = m.handle_uart(now, &self.left);
            self.left.drain(..used);
            self.drain(m, now);
            if used == 0 {
                // Paused until its output drains.
                break;
            }
        }
    }

    /// When UART input needs the loop next.
    fn uart_due(&self, m: &Module, now: Instant) -> Option<Instant> {
        if !self.left.is_empty() {
            // Output room wakes the loop when the line holds it up.
            return (!self.io.out_blocked).then(|| now + RETRY);
        }
        if self.io.d.flow_control && !m.uart_rx_ready() {
            // The network's reports free the passthrough buffer.
            return None;
        }
        self.io.d.pieces.due()
    }
}

impl Io {
    /// Each event logged (`-v`); a socket that ended is forgotten by the
    /// socket table.
    fn on_event(&mut self, now: Instant, event: &NetEvent<'_>) {
        if self.d.verbose {
            match *event {
                NetEvent::Received {
                    socket, from, data, ..
                } => eprintln!(
                    "atmodule: {now} {socket} received {} bytes from {from}",
                    data.len()
                ),
                other => eprintln!("atmodule: {now} {other:?}"),
            }
        }
        if let NetEvent::Failed { socket } | NetEvent::Closed { socket, .. } = *event {
            self.d.sockets.forget(socket);
        }
    }
}

impl driver_kit::Io for Io {
    fn uart_room(&self) -> usize {
        if self.out_blocked || self.line_closed {
            return 0;
        }
        self.d.line.output.capacity() * WRITE_SIZE
    }

    fn uart_write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(WRITE_SIZE) {
            match self.d.line.output.try_send(Out::Bytes(chunk.to_vec())) {
                Ok(()) => {}
                Err(TrySendError::Full(_)) => {
                    // uart_room said there was room; it is a bug if not.
                    self.out_blocked = true;
                    return;
                }
                Err(TrySendError::Closed(_)) => {
                    self.line_closed = true;
                    return;
                }
            }
        }
        if self.d.line.output.capacity() == 0 {
            self.out_blocked = true;
        }
    }

    fn set_line_rate(&mut self, baud: u32) {
        if self.d.verbose {
            eprintln!("atmodule: uart {baud}");
        }
        // The RX timeout in the new byte times; the line's threads switch
        // once the bytes queued before are out.
        self.d.pieces.set_line_rate(baud);
        match self.d.line.output.try_send(Out::Rate(baud)) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => {
                self.rate_due = Some(baud);
                self.out_blocked = true;
            }
            Err(TrySendError::Closed(_)) => self.line_closed = true,
        }
    }

    fn execute(&mut self, command: NetCommand) {
        let now = air::since_boot(self.d.clock.now());
        if self.d.radio.execute(now, &command) {
            if self.d.verbose
                && let Some(text) = driver_kit::radio::describe(&command)
            {
                eprintln!("atmodule: {}", text);
            }
            return;
        }
        self.d.sockets.execute(command);
    }

    fn store(&mut self, blob: &[u8]) -> Option<bool> {
        match self.d.store.save(blob) {
            Ok(()) => Some(true),
            Err(e) => {
                eprintln!("atmodule: storing the settings: {e}");
                Some(false)
            }
        }
    }
}
