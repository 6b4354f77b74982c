//! AT+UART_CUR / AT+UART_DEF (esp-at.md EH-1, EH-5) on the simulated line:
//! the module's driver applies the core's new rate after the `OK`, both
//! sides of the shared line follow, the transcript says so, and the bytes
//! that follow take the new rate's time.

mod common;

use std::time::Duration;

use firmware_core::ESP_AT;
use sim::World;
use sim::transcript::Event;

fn uart_lines(w: &World) -> Vec<String> {
    w.transcript()
        .entries()
        .iter()
        .filter_map(|e| match &e.event {
            Event::Net(text) if text.starts_with("uart ") => Some(text.clone()),
            _ => None,
        })
        .collect()
}

/// How long `AT\r\n` takes until its whole `OK` has arrived.
fn round_trip(w: &mut World) -> Duration {
    let start = w.now();
    w.host_write(b"AT\r\n");
    common::wait_for(w, "\r\nOK\r\n");
    w.now() - start
}

fn esp_at(seed: u64) -> World {
    let mut w = World::builder().seed(seed).dialect(&ESP_AT).build();
    common::booted(&mut w);
    w
}

#[test]
fn uart_cur_changes_the_rate_of_both_sides_after_its_ok() {
    let mut w = esp_at(1);
    let fast = round_trip(&mut w);
    assert_eq!(
        common::cmd(&mut w, "AT+UART_CUR=9600,8,1,0,0"),
        "\r\nOK\r\n"
    );
    assert_eq!(w.uart_config().baud, 9600);
    assert_eq!(uart_lines(&w), ["uart 9600"]);
    // 4 bytes in, 10 idle byte times, 6 bytes out: about 20 byte times,
    // 1.04 ms each at 9600.
    let slow = round_trip(&mut w);
    assert!(slow >= Duration::from_millis(20), "{slow:?}");
    assert!(fast < Duration::from_millis(6), "{fast:?}");
    // AT+RST: 115200 again, announced after the OK.
    assert_eq!(common::cmd(&mut w, "AT+RST"), "\r\nOK\r\n");
    common::wait_for(&mut w, "ready\r\n");
    assert_eq!(w.uart_config().baud, 115_200);
    assert_eq!(uart_lines(&w), ["uart 9600", "uart 115200"]);
}

#[test]
fn uart_def_survives_a_power_cycle() {
    let mut w = esp_at(2);
    assert_eq!(
        common::cmd(&mut w, "AT+UART_DEF=460800,8,1,0,0"),
        "\r\nOK\r\n"
    );
    assert_eq!(w.uart_config().baud, 460_800);
    w.power_cycle();
    common::wait_for(&mut w, "ready\r\n");
    assert_eq!(w.uart_config().baud, 460_800);
    assert_eq!(uart_lines(&w), ["uart 460800", "uart 460800"]);
    w.host_write(b"ATE0\r\n");
    common::wait_for(&mut w, "\r\nOK\r\n");
    assert_eq!(
        common::cmd(&mut w, "AT+UART_CUR?"),
        "+UART_CUR:460800,8,1,0,0\r\n\r\nOK\r\n"
    );
}
