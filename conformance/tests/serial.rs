//! `cargo test` runs every feature that a real device can run (not
//! `@sim` or `@slow`) through the serial DUT, against `atmodule`
//! (the core on a pseudo-terminal, peers on real loopback sockets), in
//! real time. The same feature files as on the simulator, unchanged.
//!
//! `atmodule` must be built (`cargo test --workspace` builds it; alone:
//! `cargo build -p atmodule`). `ATCERT_FEATURES` / `ATCERT_TAGS` narrow the
//! run as for the simulator's test.

use std::process::ExitCode;

use conformance::dut::{Target, default_atmodule};
use conformance::runner::test_main;

/// atmodules run side by side, each with a lab of its own: the suite
/// mostly waits in real time, so lanes cut its wall time
/// (`ATCERT_LANES` changes it).
const LANES: u8 = 3;

fn main() -> ExitCode {
    let exe = default_atmodule();
    if !exe.is_file() {
        eprintln!(
            "serial: no atmodule at {}: run `cargo build -p atmodule` first",
            exe.display()
        );
        return ExitCode::FAILURE;
    }
    let lanes = std::env::var("ATCERT_LANES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(LANES);
    let (_, ok) = test_main(
        "serial",
        Some(Target::Atmodule {
            exe,
            pace: None,
            rts_cts: true,
        }),
        lanes,
    );
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
