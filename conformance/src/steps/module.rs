//! "The module" sentences.

use cucumber::{given, when};

use crate::world::{AtWorld, THEN_LIMIT};

/// Waits for `ready` after power-on, then turns echo off if asked.
fn boot(w: &mut AtWorld, echo_off: bool) {
    let d = w.dialect();
    expect_line(w, d.ready);
    if echo_off {
        w.dut().host_write(b"ATE0\r\n");
        // The echo of ATE0 comes first: echo is on until it takes effect.
        loop {
            match w.next_line(THEN_LIMIT).as_deref() {
                Some(ok) if ok == d.ok.as_bytes() => break,
                Some(b"ATE0") => {}
                other => panic!("ATE0: expected {}, got {:?}", d.ok, other.map(super::show)),
            }
        }
    }
}

fn expect_line(w: &mut AtWorld, want: &str) {
    match w.next_line(THEN_LIMIT) {
        Some(line) if line == want.as_bytes() => {}
        other => panic!(
            "expected {want:?}, got {:?}",
            other.map(|l| super::show(&l))
        ),
    }
}

#[given(regex = r"^the module has just booted$")]
fn booted(w: &mut AtWorld) {
    boot(w, true);
}

#[given(regex = r"^the module has just booted with echo on$")]
fn booted_echo(w: &mut AtWorld) {
    boot(w, false);
}

#[when(regex = r"^the module loses power$")]
fn loses_power(w: &mut AtWorld) {
    let done = w.dut().lose_power();
    booted_again(w, "lose power", done);
}

#[when(regex = r"^the module is power-cycled$")]
fn power_cycled(w: &mut AtWorld) {
    let done = w.dut().power_cycle();
    booted_again(w, "power-cycle", done);
}

/// After a restart the DUT did (or skips, with why it cannot): what came
/// before is gone, and the module boots with echo on.
fn booted_again(w: &mut AtWorld, what: &str, done: Result<(), crate::dut::Unsupported>) {
    if let Err(e) = done {
        crate::dut::skip(format!("this DUT cannot {what}: {}", e.0));
    }
    w.rx.clear();
    w.tail.clear();
    boot(w, false);
}
