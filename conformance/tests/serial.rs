//! `cargo test` runs every feature that a real device can run (not
//! `@sim`, `@slow` or `@tls`) through the serial DUT, against `atmodule`
//! (the core on a pseudo-terminal, peers on real loopback sockets), in
//! real time. The same feature files as on the simulator, unchanged.
//!
//! `atmodule` must be built (`cargo test --workspace` builds it; alone:
//! `cargo build -p atmodule`). `ATCERT_FEATURES` / `ATCERT_TAGS` narrow the
//! run as for the simulator's test.

use std::path::PathBuf;
use std::process::ExitCode;

use conformance::dut::{Target, default_atmodule};
use conformance::{Config, Status, run};

fn main() -> ExitCode {
    let exe = default_atmodule();
    if !exe.is_file() {
        eprintln!(
            "serial: no atmodule at {}: run `cargo build -p atmodule` first",
            exe.display()
        );
        return ExitCode::FAILURE;
    }
    let root = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/.."));
    let features =
        std::env::var_os("ATCERT_FEATURES").map_or_else(|| root.join("features"), |p| root.join(p));
    let cfg = Config {
        features: vec![features],
        tags: std::env::var("ATCERT_TAGS").ok(),
        seed: 1,
        junit: None,
        progress: false,
        dut: Some(Target::Atmodule { exe }),
        lab: Default::default(),
    };
    let results = match run(&cfg) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("serial: {e}");
            return ExitCode::FAILURE;
        }
    };
    let failed: Vec<_> = results
        .iter()
        .filter(|r| r.status != Status::Passed)
        .collect();
    for r in &failed {
        eprintln!(
            "FAILED on atmodule {}: {} (seed {})\n{:?}\n{}",
            r.feature,
            r.name,
            r.seed,
            r.status,
            r.transcript.as_deref().unwrap_or("")
        );
    }
    if results.is_empty() {
        eprintln!("serial: no scenario ran (check ATCERT_FEATURES and ATCERT_TAGS)");
        return ExitCode::FAILURE;
    }
    println!(
        "serial: {} passed, {} failed",
        results.len() - failed.len(),
        failed.len()
    );
    if failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
