//! Faults (simulator only: `@sim` scenarios).

use cucumber::{given, when};

use super::{addr, duration};
use crate::dut::Fault;
use crate::world::AtWorld;

fn inject(w: &mut AtWorld, fault: Fault) {
    if let Err(e) = w.dut().fault(fault) {
        crate::dut::skip(format!("this DUT cannot inject {fault:?}: {}", e.0));
    }
}

#[when(regex = r"^the link between the module and (\S+) is cut$")]
fn cut(w: &mut AtWorld, ip: String) {
    inject(w, Fault::Cut(addr(&ip)));
}

#[when(regex = r"^the link between the module and (\S+) is restored$")]
fn restored(w: &mut AtWorld, ip: String) {
    inject(w, Fault::Restore(addr(&ip)));
}

#[when(regex = r"^the link between the module and (\S+) is delayed by (\d+) ?(ms|s)$")]
fn delayed(w: &mut AtWorld, ip: String, n: String, unit: String) {
    inject(w, Fault::Delay(addr(&ip), duration(&n, &unit)));
}

#[when(regex = r"^the host at (\S+) crashes$")]
fn crashes(w: &mut AtWorld, ip: String) {
    inject(w, Fault::Crash(addr(&ip)));
}

#[when(regex = r"^the host at (\S+) restarts$")]
fn restarts(w: &mut AtWorld, ip: String) {
    inject(w, Fault::Restart(addr(&ip)));
}

/// A step this DUT cannot carry out skips its scenario, with the reason
/// (STEPS.md, "What a DUT cannot do").
fn supported(what: &str, result: Result<(), crate::dut::Unsupported>) {
    if let Err(e) = result {
        crate::dut::skip(format!("this DUT cannot {what}: {}", e.0));
    }
}

#[given(regex = r"^the network holds at most (\d+) bytes in flight per TCP connection$")]
fn in_flight(w: &mut AtWorld, bytes: usize) {
    let done = w.dut().set_flight_budget(bytes);
    supported("bound the bytes in flight", done);
}

#[when(regex = r"^the link between the module and (\S+) loses (\d+)% of its datagrams$")]
fn loses(w: &mut AtWorld, ip: String, percent: u8) {
    let done = w.dut().set_datagram_loss(addr(&ip), percent);
    supported("lose datagrams", done);
}
