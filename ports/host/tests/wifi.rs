//! `atmodule --dialect esp-at` and its virtual access points: no address
//! at start, the access points set up by `--ap`/`--ap-signal`/`--ap-down`
//! and changed by stdin's `ap`, `ap-signal`, `ap-down` and `ap-up` lines.
//!
//! The core does not ask for a join yet (`AT+CWJAP` is not in its esp-at
//! command table): what a join reports is `driver_kit::radio`'s, tested
//! there; the join through `AT+CWJAP` is at the end, ignored until the core
//! speaks it.

mod common;

use std::io::Write;
use std::thread;
use std::time::{Duration, Instant};

use common::{Atmodule, WAIT};

/// Writes a lab control line on its stdin.
fn control(m: &mut Atmodule, line: &str) {
    let stdin = m.child.stdin.as_mut().expect("stdin is piped");
    writeln!(stdin, "{line}")
        .and_then(|()| stdin.flush())
        .expect("writing stdin");
}

/// Waits until stderr holds `want`.
fn stderr_says(m: &Atmodule, want: &str) {
    let deadline = Instant::now() + WAIT;
    while !m.stderr.lock().unwrap().contains(want) {
        assert!(
            Instant::now() < deadline,
            "stderr never said {want:?}: {}",
            m.stderr.lock().unwrap()
        );
        thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn an_esp_at_module_starts_without_an_address_and_takes_lab_controls() {
    let mut m = Atmodule::start(&[
        "-v",
        "--dialect",
        "esp-at",
        "--ap",
        "lab:labpass1",
        "--ap",
        "cafe:",
        "--ap-signal",
        "cafe=-70,11",
        "--ap-down",
        "cafe",
    ]);
    // Echo is on after boot in esp-at (EG-3).
    assert_eq!(m.command("AT"), "AT\r\n\r\nOK\r\n");
    stderr_says(&m, "dialect esp-at");
    control(&mut m, "ap-up cafe");
    stderr_says(&m, "access point \"cafe\" up");
    control(&mut m, "ap my lab:pass,word");
    stderr_says(&m, "access point \"my lab\" secured");
    control(&mut m, "ap-signal my lab=-45,1");
    stderr_says(&m, "access point \"my lab\" at -45 dBm on channel 1");
    control(&mut m, "ap-down nowhere");
    stderr_says(&m, "lab control: no access point \"nowhere\"");
    control(&mut m, "ap lab");
    stderr_says(&m, "SSID:PASSWORD expected");
    // Still answering, and never configured: no Wi-Fi event came.
    assert_eq!(m.command("AT"), "AT\r\n\r\nOK\r\n");
    let log = m.stderr.lock().unwrap().clone();
    assert!(!log.contains("Configured"), "{log}");
    assert!(m.stop().success());
}

#[test]
fn access_points_are_refused_for_a_dialect_without_wifi_and_unknown_dialects_too() {
    for (args, says) in [
        (&["--ap", "lab:pw"][..], "no Wi-Fi"),
        (&["--dialect", "klingon"][..], "one of: seed, esp-at"),
        (
            &["--dialect", "esp-at", "--ap-down", "lab"][..],
            "no access point \"lab\"",
        ),
    ] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_atmodule"))
            .arg("--pty")
            .args(args)
            .output()
            .expect("atmodule runs");
        assert!(!out.status.success(), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(says), "{args:?}: {err}");
    }
}

/// The whole path: `AT+CWJAP`, the core's `Join`, the virtual access
/// point's answer, `WIFI CONNECTED`, `WIFI GOT IP`, `OK` (esp-at.md EW-4);
/// a wrong password `+CWJAP:2`; an access point down, `WIFI DISCONNECT`.
#[test]
#[ignore = "needs firmware-core's AT+CWJAP (esp-at EW-4)"]
fn the_host_joins_a_virtual_access_point() {
    let mut m = Atmodule::start(&["--dialect", "esp-at", "--ap", "lab:labpass1"]);
    m.command("ATE0");
    m.send(b"AT+CWJAP=\"lab\",\"wrongpass\"\r\n");
    let got = m.expect(common::ERROR);
    assert!(got.contains("+CWJAP:2\r\n"), "{got:?}");
    let got = m.command("AT+CWJAP=\"lab\",\"labpass1\"");
    assert!(
        got.ends_with("WIFI CONNECTED\r\nWIFI GOT IP\r\n\r\nOK\r\n"),
        "{got:?}"
    );
    control(&mut m, "ap-down lab");
    m.expect("WIFI DISCONNECT\r\n");
}
