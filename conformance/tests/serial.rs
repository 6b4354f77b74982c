//! `cargo test` runs every feature that a real device can run (not
//! `@sim`, `@slow` or `@tls`) through the serial DUT, against `atmodule`
//! (the core on a pseudo-terminal, peers on real loopback sockets), in
//! real time. The same feature files as on the simulator, unchanged.
//!
//! `atmodule` must be built (`cargo test --workspace` builds it; alone:
//! `cargo build -p atmodule`). `ATCERT_FEATURES` / `ATCERT_TAGS` narrow the
//! run as for the simulator's test.

use std::process::ExitCode;

use conformance::dut::{Target, default_atmodule};
use conformance::runner::test_main;

fn main() -> ExitCode {
    let exe = default_atmodule();
    if !exe.is_file() {
        eprintln!(
            "serial: no atmodule at {}: run `cargo build -p atmodule` first",
            exe.display()
        );
        return ExitCode::FAILURE;
    }
    let (_, ok) = test_main("serial", Some(Target::Atmodule { exe }));
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
