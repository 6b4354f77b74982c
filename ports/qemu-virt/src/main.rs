//! firmware-core on `qemu-system-riscv32 -machine virt`: the module's UART
//! is the machine's 16550, its network an in-memory one (`net.rs`), its
//! clock the CLINT.
//!
//! A thin driver (STYLE.md §10): no AT meaning here. The loop reads the
//! clock once, feeds the core a finished UART piece, the network's reports
//! and its due timer, drains every `poll_*` after each input, and then
//! sleeps (`wfi` on the machine timer) until the earliest of the core's
//! wake-up, the end of the UART piece being gathered and the next UART
//! poll.
//!
//! The session ends when QEMU is stopped (the test kills it; by hand,
//! Ctrl-A x). A panic prints its message on the UART and powers the
//! machine off with a failure code through `virt`'s test finisher, so QEMU
//! exits non-zero instead of hanging.

#![no_std]
#![no_main]

extern crate alloc;

mod board;
mod clock;
mod net;
mod uart;

use alloc::vec::Vec;
use core::time::Duration;

use driver_kit::Inbox;
use firmware_core::{Instant, Module, NetCommand, NetEvent};

use crate::board::{Out, exit, init_heap};
use crate::clock::Clock;
use crate::net::{Net, StationNews};
use crate::uart::Uart;

/// The dialect: `seed`, or ESP-AT's with the `esp-at` feature (which joins
/// the in-memory network's access point with `AT+CWJAP`).
#[cfg(not(feature = "esp-at"))]
const DIALECT: &firmware_core::Dialect = &firmware_core::SEED;
#[cfg(feature = "esp-at")]
const DIALECT: &firmware_core::Dialect = &firmware_core::ESP_AT;

/// The module's seed (DNS IDs, SNTP nonces): any constant; none of it shows
/// on the UART.
const SEED: u64 = 0x5145_4d55_7669_7274;

/// How often an idle UART is looked at while nothing else is due. What
/// comes meanwhile waits in the 16-byte receive FIFO, and QEMU holds back
/// the rest: nothing is lost, the first byte of a line is at most this
/// late. While a piece is gathered, the loop wakes at its idle deadline.
const UART_POLL: Duration = Duration::from_millis(1);

#[riscv_rt::entry]
fn main() -> ! {
    init_heap();
    let uart = Uart::take();
    let clock = Clock::start();
    let mut net = Net::new();
    // 115200: the simulator's UART model ends a piece after the same idle
    // time (QEMU's line has no rate of its own).
    let mut pieces = driver_kit::Pieces::new(DIALECT, 115_200);
    // UART bytes the core did not take yet (its output was full).
    let mut left: Vec<u8> = Vec::new();

    let mut inbox = Inbox::<Vec<u8>>::new();

    let mut m = Module::new(DIALECT, &[], SEED);
    let now = clock.now();
    if DIALECT.wifi.is_none() {
        // No station: DHCP at boot.
        configured(&mut m, now);
    }
    drain(&mut m, &uart, &mut net, now, &mut inbox);

    loop {
        let now = clock.now();
        while !pieces.is_full()
            && let Some(b) = uart.read_byte()
        {
            pieces.push(now, &[b]);
        }
        if pieces.start_for(&m) {
            // The UART's "RX not empty" (EP-3), seen now.
            m.handle_uart_start(now);
            drain(&mut m, &uart, &mut net, now, &mut inbox);
        }
        if left.is_empty()
            && let Some(piece) = pieces.take(now)
        {
            left = piece;
        }
        if !left.is_empty() {
            let used = m.handle_uart(now, &left);
            left.drain(..used);
            drain(&mut m, &uart, &mut net, now, &mut inbox);
        }
        // The in-memory network reports at once; the kit's inbox decides
        // what waits for the core's room.
        while let Some((socket, report)) = net.next_event() {
            inbox.push(socket, report);
        }
        while let Some(news) = net.next_station_news() {
            station_news(&mut m, news, now);
            drain(&mut m, &uart, &mut net, now, &mut inbox);
        }
        inbox.deliver(&mut m, now, |m, inbox| {
            drain(m, &uart, &mut net, now, inbox)
        });
        if m.poll_timeout().is_some_and(|t| t <= now) {
            m.handle_timeout(now);
            drain(&mut m, &uart, &mut net, now, &mut inbox);
        }
        if left.is_empty() && !inbox.is_ready(&m) && !net.has_event() {
            let uart = pieces.due().unwrap_or(now + UART_POLL);
            let wake = m.poll_timeout().map_or(uart, |t| t.min(uart));
            clock.sleep_until(wake);
        }
    }
}

/// DHCP's answer (`Net::dhcp`) as the core's event.
fn configured(m: &mut Module, now: Instant) {
    let (address, dns) = Net::dhcp();
    m.handle_net(
        now,
        NetEvent::Configured {
            address,
            dns: &dns,
            gateway: net::ROUTER,
            netmask: net::NETMASK,
        },
    );
}

/// The station's news as the core's events.
fn station_news(m: &mut Module, news: StationNews, now: Instant) {
    match news {
        StationNews::Joined => {
            m.handle_net(now, NetEvent::Associated { ap: net::AP });
            configured(m, now);
        }
        StationNews::Failed(reason) => m.handle_net(now, NetEvent::JoinFailed { reason }),
        StationNews::Scanned => m.handle_net(
            now,
            NetEvent::Scanned {
                access_points: &[net::AP],
            },
        ),
    }
}

/// Carries out every output of the core, through the kit.
fn drain(m: &mut Module, uart: &Uart, net: &mut Net, now: Instant, inbox: &mut Inbox<Vec<u8>>) {
    driver_kit::drain(m, now, &mut Io { uart, net, now }, inbox);
}

/// The port's hardware as the kit drives it.
struct Io<'a> {
    uart: &'a Uart,
    net: &'a mut Net,
    now: Instant,
}

impl driver_kit::Io for Io<'_> {
    fn uart_room(&self) -> usize {
        // A polled write waits for the transmitter: always room.
        usize::MAX
    }

    fn uart_write(&mut self, bytes: &[u8]) {
        self.uart.write_all(bytes);
    }

    fn execute(&mut self, command: NetCommand) {
        self.net.execute(self.now, command);
    }

    /// `virt` has no non-volatile memory this port writes: stored settings
    /// last until QEMU exits (the core itself keeps them across `AT+RST`),
    /// which is as durable as this machine gets.
    fn store(&mut self, _blob: &[u8]) -> Option<bool> {
        Some(true)
    }
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    use core::fmt::Write;

    let mut out = Out(Uart::take());
    let _ = write!(out, "\r\npanic: {info}\r\n");
    // A panic ends the machine, with a failing exit status.
    exit(1)
}
