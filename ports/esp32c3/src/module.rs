//! The module task: owns the `Module` and runs the loop every port has
//! (STYLE.md §10). Read the clock once; feed the core the UART piece it has
//! not taken yet, the network's reports and its due timer, draining every
//! `poll_*` after each input; then sleep until the earliest of the core's
//! wake-up, UART input, a socket report and a change of the DHCP
//! configuration.

use core::future::pending;
use core::ops::Range;

use embassy_futures::select::{Either4, select4};
use embassy_net::Stack;
use embassy_time::{Duration, Timer};
use esp_hal::Async;
use esp_hal::uart::UartTx;
use esp_println::println;
use firmware_core::{Module, NetEvent};

use crate::clock;
use crate::net::{REPORTS, Sockets, What};
use crate::storage::{Blob, Store};
use crate::uart::{self, PIECE, UART_IN};

/// Reports held back for the core (received data waiting for room, and
/// what came after it) before the report channel is left to fill.
const INBOX: usize = 16;

/// How soon to offer UART input again that the core did not take.
const RETRY: Duration = Duration::from_millis(1);

/// What the module task carries out for the core.
struct Driver {
    uart: UartTx<'static, Async>,
    sockets: Sockets,
    store: Store,
}

#[embassy_executor::task]
pub(crate) async fn module_task(
    uart: UartTx<'static, Async>,
    stack: Stack<'static>,
    store: Store,
    stored: Option<Blob>,
    seed: u64,
) -> ! {
    let mut m = Module::new(
        &firmware_core::SEED,
        stored.as_ref().map_or(&[], |b| b),
        seed,
    );
    let mut d = Driver {
        uart,
        sockets: Sockets::new(),
        store,
    };
    d.drain(&mut m).await;

    let mut piece = [0u8; PIECE];
    // The part of `piece` the core has not taken (its output was full).
    let mut left: Range<usize> = 0..0;
    // Whether the core has the stack's current DHCP configuration.
    let mut configured = false;
    loop {
        let now = clock::now();
        while !left.is_empty() {
            let used = m.handle_uart(now, &piece[left.clone()]);
            left.start += used;
            d.drain(&mut m).await;
            if used == 0 {
                // Output drained, so the core takes more at the next turn.
                break;
            }
        }
        d.deliver(&mut m, now).await;
        if m.poll_timeout().is_some_and(|t| t <= now) {
            m.handle_timeout(now);
            d.drain(&mut m).await;
        }

        let wake = m.poll_timeout();
        let uart_in = async {
            if left.is_empty() {
                Some(UART_IN.read(&mut piece).await)
            } else {
                // The core paused input: look again shortly.
                Timer::after(RETRY).await;
                None
            }
        };
        // Reports wait in their channel while the inbox is full of ones
        // waiting for the core to have room.
        let report = async {
            if d.sockets.inbox.len() < INBOX {
                REPORTS.receive().await
            } else {
                pending().await
            }
        };
        let timer = async {
            match wake {
                Some(at) => Timer::at(clock::deadline(at)).await,
                None => pending().await,
            }
        };
        let dhcp = async {
            if configured {
                stack.wait_config_down().await;
            } else {
                stack.wait_config_up().await;
            }
        };
        match select4(uart_in, report, timer, dhcp).await {
            Either4::First(Some(n)) => left = 0..n,
            Either4::First(None) => {}
            Either4::Second(report) => d.sockets.inbox.push_back(report),
            Either4::Third(()) => {}
            Either4::Fourth(()) => {
                configured = !configured;
                if let Some(config) = stack.config_v4().filter(|_| configured) {
                    println!("dhcp: {} dns {:?}", config.address, config.dns_servers);
                    m.handle_net(
                        clock::now(),
                        NetEvent::Configured {
                            address: config.address.address(),
                            dns: &config.dns_servers,
                        },
                    );
                    d.drain(&mut m).await;
                }
            }
        }
    }
}

impl Driver {
    /// Carries out every output of the core: UART bytes, network commands,
    /// the settings to store.
    async fn drain(&mut self, m: &mut Module) {
        let mut buf = [0u8; 256];
        loop {
            let n = m.poll_uart(&mut buf);
            if n == 0 {
                break;
            }
            uart::write_all(&mut self.uart, &buf[..n]).await;
        }
        while let Some(command) = m.poll_net() {
            self.sockets.execute(command);
        }
        if let Some(blob) = m.poll_store() {
            self.store.save(&blob);
        }
    }

    /// Gives the core the reports in the inbox: received data as far as it
    /// has room, the rest whole. Each socket's reports stay in order; one
    /// whose data waits for room holds back only its own later reports, so
    /// a `Sent` or `Closed` of another socket (which may be what frees the
    /// room) still gets through.
    async fn deliver(&mut self, m: &mut Module, now: firmware_core::Instant) {
        let mut i = 0;
        while i < self.sockets.inbox.len() {
            let inbox = &mut self.sockets.inbox;
            let socket = inbox[i].socket;
            if inbox.iter().take(i).any(|r| r.socket == socket) {
                // Behind a report of its own socket that waits.
                i += 1;
                continue;
            }
            if let What::Received(from, data) = &mut inbox[i].what {
                let room = m.net_rx_room();
                if room == 0 {
                    i += 1;
                    continue;
                }
                let n = data.len().min(room);
                let event = NetEvent::Received {
                    socket,
                    from: *from,
                    data: &data[..n],
                };
                m.handle_net(now, event);
                if n < data.len() {
                    data.drain(..n);
                } else if let Some(done) = self.sockets.inbox.remove(i) {
                    self.sockets.consumed(done.slot);
                }
                self.drain(m).await;
                continue;
            }
            let Some(report) = self.sockets.inbox.remove(i) else {
                break;
            };
            let event = match report.what {
                What::Opened(local_port) => NetEvent::Opened { socket, local_port },
                What::Failed => NetEvent::Failed { socket },
                What::Accepted(remote) => NetEvent::Accepted { socket, remote },
                What::Sent => NetEvent::Sent { socket },
                What::Closed(reason) => NetEvent::Closed { socket, reason },
                What::PingReply => NetEvent::PingReply { socket },
                What::Received(..) => unreachable!("handled above"),
            };
            self.sockets.forget(&report);
            m.handle_net(now, event);
            self.drain(m).await;
        }
    }
}
