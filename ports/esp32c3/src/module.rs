//! The module task: owns the `Module` and runs the loop every port has
//! (STYLE.md §10). Read the clock once; feed the core the UART piece it has
//! not taken yet, the network's reports and its due timer, draining every
//! `poll_*` after each input (driver-kit's `drain`); then sleep until the
//! earliest of the core's wake-up, UART input, news from a socket, room on
//! the line for output the core holds, and a change of the DHCP
//! configuration.
//!
//! Network reports reach the core through driver-kit's `Inbox`, which
//! decides what waits for the core's room: only received data (and what
//! follows it on its own socket), never a `Sent` or another socket's news.

use core::cell::Cell;
use core::future::pending;
use core::ops::Range;

use driver_kit::Inbox;
use embassy_futures::select::{Either5, select5};
use embassy_net::Stack;
use embassy_time::{Duration, Timer};
use esp_println::println;
use esp_radio::wifi::AuthenticationMethod;
use esp_radio::wifi::ap::AccessPointInfo;
use firmware_core::{AccessPoint, Instant, Module, NetCommand, NetEvent};

use crate::clock;
use crate::net::{Chunk, NEWS, News, Sockets};
use crate::storage::{Blob, Store};
use crate::uart::{self, PIECE, UART_IN, UART_ROOM};
use crate::wifi::WifiNews;

/// How soon to offer UART input again that the core did not take.
const RETRY: Duration = Duration::from_millis(1);

/// What the module task carries out for the core.
struct Io {
    sockets: Sockets,
    store: Store,
    /// The line's output pipe was found full: the core may hold output
    /// until it has room.
    blocked: Cell<bool>,
}

#[embassy_executor::task]
pub(crate) async fn module_task(
    stack: Stack<'static>,
    store: Store,
    stored: Option<Blob>,
    seed: u64,
) -> ! {
    let mut m = Module::new(crate::DIALECT, stored.as_ref().map_or(&[], |b| b), seed);
    // esp-hal's UART, split into its two tasks' halves, cannot change its
    // rate: AT+UART_CUR/AT+UART_DEF for another rate are ERROR here.
    m.limit_line_rates(crate::BAUD, crate::BAUD);
    let mut io = Io {
        sockets: Sockets::new(),
        store,
        blocked: Cell::new(false),
    };
    let mut inbox = Inbox::new();

    let mut piece = [0u8; PIECE];
    // The part of `piece` the core has not taken (its output was full).
    let mut left: Range<usize> = 0..0;
    // Whether the core has the stack's current DHCP configuration.
    let mut configured = false;
    loop {
        let now = clock::now();
        // Output the line had no room for before (and `ready` at boot).
        io.drain(&mut m, now, &mut inbox);
        while !left.is_empty() {
            let used = m.handle_uart(now, &piece[left.clone()]);
            left.start += used;
            io.drain(&mut m, now, &mut inbox);
            if used == 0 {
                // Output drained, so the core takes more at the next turn.
                break;
            }
        }
        inbox.deliver(&mut m, now, |m, inbox| io.drain(m, now, inbox));
        if m.poll_timeout().is_some_and(|t| t <= now) {
            m.handle_timeout(now);
            io.drain(&mut m, now, &mut inbox);
        }

        // Reports the core can take now: at once.
        let wake = if inbox.is_ready(&m) {
            Some(now)
        } else {
            m.poll_timeout()
        };
        let uart_in = async {
            if left.is_empty() {
                Some(UART_IN.read(&mut piece).await)
            } else {
                // The core paused input: look again shortly.
                Timer::after(RETRY).await;
                None
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
        let room = async {
            if io.blocked.get() {
                UART_ROOM.wait().await;
            } else {
                pending().await
            }
        };
        match select5(uart_in, NEWS.receive(), timer, dhcp, room).await {
            Either5::First(Some(n)) => left = 0..n,
            Either5::First(None) | Either5::Third(()) => {}
            Either5::Second(news) => io.news(&mut m, &mut inbox, news),
            Either5::Fourth(()) => {
                configured = !configured;
                if let Some(config) = stack.config_v4().filter(|_| configured) {
                    println!("dhcp: {} dns {:?}", config.address, config.dns_servers);
                    let now = clock::now();
                    m.handle_net(
                        now,
                        NetEvent::Configured {
                            address: config.address.address(),
                            dns: &config.dns_servers,
                            gateway: config.gateway.unwrap_or(core::net::Ipv4Addr::UNSPECIFIED),
                            netmask: mask(config.address.prefix_len()),
                        },
                    );
                    io.drain(&mut m, now, &mut inbox);
                }
            }
            Either5::Fifth(()) => io.blocked.set(false),
        }
        // Whatever else the sockets said meanwhile, in this turn.
        while let Ok(news) = NEWS.try_receive() {
            io.news(&mut m, &mut inbox, news);
        }
    }
}

impl Io {
    /// Carries out every output of the core (driver-kit's order), then
    /// hands the inbox the opens the driver refused itself.
    fn drain(&mut self, m: &mut Module, now: Instant, inbox: &mut Inbox<Chunk>) {
        driver_kit::drain(m, now, self, inbox);
        for (socket, report) in self.sockets.refused.drain(..) {
            inbox.push(socket, report);
        }
    }

    fn news(&mut self, m: &mut Module, inbox: &mut Inbox<Chunk>, news: News) {
        match news {
            News::Report(socket, report) => inbox.push(socket, report),
            News::Gone(slot) => self.sockets.gone(slot),
            News::Wifi(news) => {
                let now = clock::now();
                station_event(m, now, news);
                self.drain(m, now, inbox);
            }
        }
    }
}

impl driver_kit::Io for Io {
    fn uart_room(&self) -> usize {
        let room = uart::UART_OUT.free_capacity();
        if room == 0 {
            self.blocked.set(true);
        }
        room
    }

    fn uart_write(&mut self, bytes: &[u8]) {
        // `uart_room` said it fits; the module task is the only writer.
        uart::write(bytes);
    }

    fn execute(&mut self, command: NetCommand) {
        self.sockets.execute(command);
    }

    fn store(&mut self, blob: &[u8]) -> Option<bool> {
        // Flash writes finish (or fail) before returning.
        Some(self.store.save(blob))
    }
}

/// The station's news as the core's events.
fn station_event(m: &mut Module, now: Instant, news: WifiNews) {
    fn ap(info: &AccessPointInfo) -> AccessPoint<'_> {
        AccessPoint {
            ssid: info.ssid.as_str().as_bytes(),
            bssid: info.bssid,
            rssi: info.signal_strength,
            channel: info.channel,
            secured: info
                .auth_method
                .is_some_and(|a| a != AuthenticationMethod::None),
        }
    }
    match news {
        WifiNews::Associated(info) => m.handle_net(now, NetEvent::Associated { ap: ap(&info) }),
        WifiNews::JoinFailed(reason) => m.handle_net(now, NetEvent::JoinFailed { reason }),
        WifiNews::Disassociated => m.handle_net(now, NetEvent::Disassociated),
        WifiNews::Scanned(found) => {
            let access_points: alloc::vec::Vec<AccessPoint<'_>> = found.iter().map(ap).collect();
            m.handle_net(
                now,
                NetEvent::Scanned {
                    access_points: &access_points,
                },
            );
        }
    }
}

/// The netmask of a prefix length.
fn mask(prefix: u8) -> core::net::Ipv4Addr {
    let bits = u32::MAX
        .checked_shl(32 - u32::from(prefix.min(32)))
        .unwrap_or(0);
    core::net::Ipv4Addr::from(bits)
}
