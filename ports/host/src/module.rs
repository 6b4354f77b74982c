//! The loop every port has (STYLE.md §10): read the clock once; feed the
//! core the UART pieces due, the network's reports and its due timer,
//! draining every `poll_*` after each input; then sleep until the earliest
//! of the core's wake-up, the next UART bytes, a socket report, room on
//! the line for output held back, and a request to stop.

use std::collections::{BTreeSet, VecDeque};
use std::time::Duration;

use firmware_core::{Instant, Module, NetEvent};
use tokio::sync::mpsc;
use tokio::sync::mpsc::error::TrySendError;

use crate::clock::Clock;
use crate::net::{Report, Sockets, What};
use crate::stop::Stop;
use crate::store::Store;
use crate::uart::{Line, Pieces, WRITE_SIZE};

/// How soon to offer UART input again that the core did not take while
/// its output was not held up by the line (it should not happen: a guard
/// against a stall, not a rule).
const RETRY: Duration = Duration::from_millis(1);

/// What the loop carries out for the core.
pub(crate) struct Driver {
    pub(crate) clock: Clock,
    pub(crate) line: Line,
    pub(crate) pieces: Pieces,
    /// Hold the other end back (stop reading the line) while the core
    /// cannot take passthrough data (PT-7), instead of letting it drop.
    pub(crate) flow_control: bool,
    pub(crate) sockets: Sockets,
    pub(crate) reports: mpsc::UnboundedReceiver<Report>,
    pub(crate) store: Store,
    /// Log the network's events on stderr.
    pub(crate) verbose: bool,
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
        d,
        left: Vec::new(),
        inbox: VecDeque::new(),
        out_blocked: false,
        line_closed: false,
    };
    loop {
        let now = s.d.clock.now();
        // Output the line had no room for before (and `ready` at boot).
        s.drain(&mut m);
        s.uart_in(&mut m, now);
        s.deliver(&mut m, now);
        if m.poll_timeout().is_some_and(|t| t <= now) {
            m.handle_timeout(now);
            s.drain(&mut m);
        }
        if s.line_closed {
            return End::LineClosed;
        }

        let wake = [m.poll_timeout(), s.uart_due(&m, now)]
            .into_iter()
            .flatten()
            .min();
        let clock = s.d.clock;
        let sleep = async {
            match wake {
                Some(at) => tokio::time::sleep_until(clock.deadline(at)).await,
                None => std::future::pending().await,
            }
        };
        let take_input = !s.d.pieces.is_full();
        tokio::select! {
            biased;
            why = stop.wait() => return End::Stopped(why),
            got = s.d.line.input.recv(), if take_input => match got {
                Some((at, bytes)) => s.d.pieces.push(at, &bytes),
                None => return End::LineClosed,
            },
            Some(report) = s.d.reports.recv() => s.inbox.push_back(report),
            room = s.d.line.output.reserve(), if s.out_blocked => {
                s.out_blocked = false;
                if room.is_err() {
                    return End::LineClosed;
                }
            }
            () = sleep => {}
        }
        // Whatever else came meanwhile, in one turn.
        while !s.d.pieces.is_full()
            && let Ok((at, bytes)) = s.d.line.input.try_recv()
        {
            s.d.pieces.push(at, &bytes);
        }
        while let Ok(report) = s.d.reports.try_recv() {
            s.inbox.push_back(report);
        }
    }
}

struct State {
    d: Driver,
    /// The part of a piece the core did not take (its output was full).
    left: Vec<u8>,
    /// Reports not yet given to the core; received data waits here while
    /// the core has no room for it.
    inbox: VecDeque<Report>,
    /// The line's output queue is full: poll no more UART output until it
    /// has room.
    out_blocked: bool,
    line_closed: bool,
}

impl State {
    /// UART pieces due at `now`: what the core left last time first.
    fn uart_in(&mut self, m: &mut Module, now: Instant) {
        loop {
            if self.left.is_empty() {
                if self.d.flow_control && !m.uart_rx_ready() {
                    break;
                }
                match self.d.pieces.take(now) {
                    Some(piece) => self.left = piece,
                    None => break,
                }
            }
            if self.d.verbose {
                eprintln!("atmodule: {now} uart piece of {} bytes", self.left.len());
            }
            let used = m.handle_uart(now, &self.left);
            self.left.drain(..used);
            self.drain(m);
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
            return (!self.out_blocked).then(|| now + RETRY);
        }
        if self.d.flow_control && !m.uart_rx_ready() {
            // The network's reports free the passthrough buffer.
            return None;
        }
        self.d.pieces.due()
    }

    /// Gives the core the reports in the inbox: received data as far as it
    /// has room, the rest whole. A socket whose data waits for room holds
    /// back only its own later data and close (order within a stream
    /// holds); everything else goes on, as a real stack's send completions
    /// do not queue behind unread data: the `Sent` that ends a CIPSEND may
    /// be what frees the room (G-7 holds URCs until SEND OK).
    fn deliver(&mut self, m: &mut Module, now: Instant) {
        let mut blocked = BTreeSet::new();
        let mut waiting = VecDeque::new();
        while let Some(mut report) = self.inbox.pop_front() {
            if !self.d.sockets.is_live(&report) {
                // The core closed it; dropping the report returns its credit.
                continue;
            }
            let socket = report.socket;
            let data_or_close = matches!(report.what, What::Received(..) | What::Closed(_));
            if data_or_close && blocked.contains(&socket) {
                waiting.push_back(report);
                continue;
            }
            if let What::Received(from, data, _) = &mut report.what {
                let n = data.len().min(m.net_rx_room());
                if n > 0 {
                    if self.d.verbose {
                        eprintln!("atmodule: {now} {socket} received {n} bytes from {from}");
                    }
                    let event = NetEvent::Received {
                        socket,
                        from: *from,
                        data: &data[..n],
                    };
                    m.handle_net(now, event);
                    data.drain(..n);
                    self.drain(m);
                }
                if !data.is_empty() {
                    blocked.insert(socket);
                    waiting.push_back(report);
                }
                continue;
            }
            let event = match report.what {
                What::Opened(local_port) => NetEvent::Opened { socket, local_port },
                What::Failed => NetEvent::Failed { socket },
                What::Accepted(remote) => NetEvent::Accepted { socket, remote },
                What::Sent => NetEvent::Sent { socket },
                What::Closed(reason) => NetEvent::Closed { socket, reason },
                What::PingReply => NetEvent::PingReply { socket },
                What::Received(..) => unreachable!("handled above"),
            };
            if self.d.verbose {
                eprintln!("atmodule: {now} {event:?}");
            }
            if matches!(event, NetEvent::Failed { .. } | NetEvent::Closed { .. }) {
                self.d.sockets.forget(socket);
            }
            m.handle_net(now, event);
            self.drain(m);
        }
        self.inbox = waiting;
    }

    /// Carries out every output of the core: UART bytes while the line has
    /// room, network commands, the settings to store.
    fn drain(&mut self, m: &mut Module) {
        let mut buf = [0u8; WRITE_SIZE];
        while !self.out_blocked && !self.line_closed {
            let permit = match self.d.line.output.try_reserve() {
                Ok(permit) => permit,
                Err(TrySendError::Full(())) => {
                    self.out_blocked = true;
                    break;
                }
                Err(TrySendError::Closed(())) => {
                    self.line_closed = true;
                    break;
                }
            };
            let n = m.poll_uart(&mut buf);
            if n == 0 {
                break;
            }
            permit.send(buf[..n].to_vec());
        }
        while let Some(command) = m.poll_net() {
            self.d.sockets.execute(command);
        }
        if let Some(blob) = m.poll_store()
            && let Err(e) = self.d.store.save(&blob)
        {
            eprintln!("atmodule: storing the settings: {e}");
        }
    }
}
