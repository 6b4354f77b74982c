//! The host MCU's side of the tests: write lines, wait for replies.
#![allow(dead_code)]

use std::net::Ipv4Addr;
use std::time::Duration;

use sim::World;

pub const PEER: Ipv4Addr = Ipv4Addr::new(192, 168, 0, 103);

/// Collects UART output until `want` appears (or 5 s of simulated time).
pub fn wait_for(w: &mut World, want: &str) -> String {
    let mut got = Vec::new();
    let ok = w.run_until(Duration::from_secs(5), |w| {
        got.extend(w.host_read());
        String::from_utf8_lossy(&got).contains(want)
    });
    let text = String::from_utf8_lossy(&got).into_owned();
    assert!(
        ok,
        "seed {}: no {want:?} in {text:?}\n{}",
        w.seed(),
        w.transcript()
    );
    text
}

/// A world whose module has booted, with echo off.
pub fn booted(w: &mut World) {
    wait_for(w, "ready\r\n");
    w.host_write(b"ATE0\r\n");
    wait_for(w, "\r\nOK\r\n");
}

/// Sends a command line and returns everything up to its final result.
pub fn cmd(w: &mut World, line: &str) -> String {
    w.host_write(format!("{line}\r\n").as_bytes());
    let mut got = Vec::new();
    let finals = [
        "\r\nOK\r\n",
        "\r\nERROR\r\n",
        "\r\nSEND OK\r\n",
        "CMDRSP:ERROR\r\n",
        "\r\n>",
    ];
    let ok = w.run_until(Duration::from_secs(10), |w| {
        got.extend(w.host_read());
        let t = String::from_utf8_lossy(&got);
        finals.iter().any(|f| t.ends_with(f))
    });
    let text = String::from_utf8_lossy(&got).into_owned();
    assert!(
        ok,
        "seed {}: {line} got no final result: {text:?}\n{}",
        w.seed(),
        w.transcript()
    );
    text
}

/// The k-th byte of a data stream is `k % 251` (spec/STEPS.md).
pub fn data(from: usize, n: usize) -> Vec<u8> {
    (from..from + n).map(|k| (k % 251) as u8).collect()
}
