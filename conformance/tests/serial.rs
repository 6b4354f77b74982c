//! `cargo test` runs every feature that a real device can run (not
//! `@sim` or `@slow`) through the serial DUT, against `atmodule`
//! (the core on a pseudo-terminal, peers on real loopback sockets), in
//! real time. The same feature files as on the simulator, unchanged.
//!
//! `atmodule` must be built (`cargo test --workspace` builds it; alone:
//! `cargo build -p atmodule`). Every dialect's scenarios, each with an
//! `atmodule` speaking it; `ATCERT_FEATURES` / `ATCERT_TAGS` /
//! `ATCERT_DIALECT` narrow the run as for the simulator's test.

use std::process::ExitCode;

use conformance::dut::{Target, default_atmodule};
use conformance::runner::{env_dialects, test_main_for};

/// atmodules run side by side, each with a lab of its own: the suite
/// mostly waits in real time, so lanes cut its wall time
/// (`ATCERT_LANES` changes it).
const LANES: u8 = 6;

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
    let dialects = match env_dialects() {
        Ok(d) => d,
        Err(e) => {
            eprintln!("serial: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut ok = true;
    for dialect in dialects {
        let target = Target::Atmodule {
            exe: exe.clone(),
            pace: None,
            rts_cts: true,
        };
        let label = format!("serial ({})", dialect.name);
        ok &= test_main_for(&label, Some(target), lanes, dialect).1;
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
