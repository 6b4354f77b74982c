//! firmware-core on an ESP32-C3: the module's UART is UART0 (GPIO21 TX,
//! GPIO20 RX, 115200 8N1), its network a Wi-Fi station with DHCP
//! (esp-radio) and embassy-net's TCP/UDP/ICMP sockets, its clock
//! embassy-time, its non-volatile storage two flash sectors.
//!
//! A thin driver (STYLE.md §10): no AT meaning here. `main` sets up the
//! hardware, allocates static resources once and spawns a task per concern:
//!
//! - `module_task` (module.rs): owns the `Module`; reads the clock, feeds it
//!   UART pieces, socket reports, DHCP configuration and its timer; drains
//!   every `poll_*`; sleeps until the earliest of them.
//! - `uart_rx_task` and `uart_tx_task` (uart.rs): UART0 through a pipe
//!   each way, so the module task never waits on the line.
//! - `socket_task` × `SLOTS` (slot.rs) and `ping_task` (net.rs): one
//!   embassy-net socket each, carrying out the core's `NetCommand`s and
//!   reporting back.
//! - `connection_task` and `net_task` (wifi.rs): the Wi-Fi station and the
//!   embassy-net runner, as in esp-hal's `embassy_dhcp` example.
//!
//! Wi-Fi credentials are read at build time (README.md): without them the
//! module stays offline and still answers AT commands.

#![no_std]
#![no_main]

extern crate alloc;

mod clock;
mod module;
mod net;
mod slot;
mod storage;
mod uart;
mod wifi;

use embassy_executor::Spawner;
use embassy_net::StackResources;
use esp_backtrace as _;
use esp_hal::clock::CpuClock;
use esp_hal::rng::Rng;
use esp_hal::timer::timg::TimerGroup;
use esp_hal::uart::{Config as UartConfig, Uart};
use esp_println::println;
use esp_radio::wifi::{ControllerConfig, Interface, WifiController};
use static_cell::{ConstStaticCell, StaticCell};

use crate::net::{PingBuffers, SLOTS, SlotBuffers, SlotMeta};
use crate::storage::Store;

esp_bootloader_esp_idf::esp_app_desc!();

/// The dialect the module speaks: `seed`, or ESP-AT's with the `esp-at`
/// feature (which joins Wi-Fi at run time, `AT+CWJAP`).
#[cfg(not(feature = "esp-at"))]
const DIALECT: &firmware_core::Dialect = &firmware_core::SEED;
#[cfg(feature = "esp-at")]
const DIALECT: &firmware_core::Dialect = &firmware_core::ESP_AT;

/// The module's UART line rate (8N1).
pub(crate) const BAUD: u32 = 115_200;

/// embassy-net sockets: the socket slots, the ping socket and DHCP.
const STACK_SOCKETS: usize = SLOTS + 2;

#[esp_rtos::main]
async fn main(spawner: Spawner) -> ! {
    let peripherals = esp_hal::init(esp_hal::Config::default().with_cpu_clock(CpuClock::max()));

    // esp-radio's buffers and the core's (every buffer the dialect sizes is
    // allocated once, at `Module::new`). The first region is RAM the ROM
    // bootloader used and hands back.
    esp_alloc::heap_allocator!(#[esp_hal::ram(reclaimed)] size: 64 * 1024);
    esp_alloc::heap_allocator!(size: 96 * 1024);

    let timg0 = TimerGroup::new(peripherals.TIMG0);
    esp_rtos::start(timg0.timer0, peripherals.FROM_CPU_INTR0);

    let (store, stored) = Store::open(peripherals.FLASH);

    let uart = Uart::new(peripherals.UART0, UartConfig::default().with_baudrate(BAUD))
        .expect("UART0 at 115200 8N1")
        .with_rx(peripherals.GPIO20)
        .with_tx(peripherals.GPIO21)
        .into_async();
    let (uart_rx, uart_tx) = uart.split();

    // Without a working radio the module still answers AT commands, offline.
    let controller = WifiController::new(
        peripherals.WIFI,
        ControllerConfig::default().with_initial_config(wifi::station_config()),
    )
    .inspect_err(|e| println!("wifi: no controller: {e:?}"))
    .ok();
    let interface = Interface::station();

    let rng = Rng::new();
    let seed = |rng: &Rng| (u64::from(rng.random()) << 32) | u64::from(rng.random());
    static RESOURCES: StaticCell<StackResources<STACK_SOCKETS>> = StaticCell::new();
    let (stack, runner) = embassy_net::new(
        interface,
        embassy_net::Config::dhcpv4(Default::default()),
        RESOURCES.init(StackResources::new()),
        seed(&rng),
    );

    // Laid out at build time (no temporary on the stack); the buffers are
    // zeros, in .bss.
    static SLOT_BUFFERS: ConstStaticCell<[SlotBuffers; SLOTS]> =
        ConstStaticCell::new([const { SlotBuffers::new() }; SLOTS]);
    static SLOT_META: ConstStaticCell<[SlotMeta; SLOTS]> =
        ConstStaticCell::new([const { SlotMeta::new() }; SLOTS]);
    static PING_BUFFERS: ConstStaticCell<PingBuffers> = ConstStaticCell::new(PingBuffers::new());
    let slots = SLOT_BUFFERS.take().iter_mut().zip(SLOT_META.take());
    for (index, (buffers, meta)) in slots.enumerate() {
        spawner.spawn(slot::socket_task(index, stack, buffers, meta).expect("socket task pool"));
    }
    spawner.spawn(net::ping_task(stack, PING_BUFFERS.take()).expect("ping task"));
    spawner.spawn(wifi::net_task(runner).expect("net task"));
    if let Some(controller) = controller {
        if DIALECT.wifi.is_some() {
            spawner.spawn(wifi::station_task(controller).expect("station task"));
        } else {
            spawner.spawn(wifi::connection_task(controller).expect("connection task"));
        }
    }
    spawner.spawn(uart::uart_rx_task(uart_rx).expect("uart rx task"));
    spawner.spawn(uart::uart_tx_task(uart_tx).expect("uart tx task"));
    spawner.spawn(module::module_task(stack, store, stored, seed(&rng)).expect("module"));
    println!("atcert esp32c3: running; AT on UART0 (GPIO21 TX, GPIO20 RX) at {BAUD} 8N1");

    loop {
        core::future::pending::<()>().await;
    }
}

/// After a panic (message and backtrace on USB-Serial-JTAG): restart, as a
/// module's watchdog would. The host MCU sees `ready` again.
#[unsafe(no_mangle)]
fn custom_halt() -> ! {
    esp_hal::system::software_reset()
}
