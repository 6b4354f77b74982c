//! `cargo test` runs every feature file against the simulated module
//! (scenarios that need TLS peers are left out until TLS lands).
//!
//! `ATCERT_FEATURES=features/cipsend.feature` runs one file (or folder);
//! `ATCERT_TAGS='@SD-2'` one tag expression.

use std::path::PathBuf;
use std::process::ExitCode;

use conformance::report::{Verdict, table};
use conformance::{Config, Status, run};

fn main() -> ExitCode {
    // Relative paths are the repository's, as a person at its root means
    // them (cargo runs this test from the crate's folder).
    let root = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/.."));
    let features =
        std::env::var_os("ATCERT_FEATURES").map_or_else(|| root.join("features"), |p| root.join(p));
    let cfg = Config {
        features: vec![features],
        tags: std::env::var("ATCERT_TAGS").ok(),
        seed: 1,
        junit: None,
        progress: false,
        dut: None,
        lab: Default::default(),
    };
    let results = match run(&cfg) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("conformance: {e}");
            return ExitCode::FAILURE;
        }
    };
    let failed: Vec<_> = results
        .iter()
        .filter(|r| r.status != Status::Passed)
        .collect();
    for r in &failed {
        eprintln!(
            "FAILED {}: {} (seed {})\n{:?}\n{}",
            r.feature,
            r.name,
            r.seed,
            r.status,
            r.transcript.as_deref().unwrap_or("")
        );
    }
    let uncovered: Vec<_> = table(&results, &[], &[])
        .into_iter()
        .filter(|r| r.verdict == Verdict::Uncovered)
        .map(|r| r.clause)
        .collect();
    if !uncovered.is_empty() {
        eprintln!(
            "clauses with no scenario in this run: {}",
            uncovered.join(" ")
        );
    }
    if results.is_empty() {
        eprintln!("conformance: no scenario ran (check ATCERT_FEATURES and ATCERT_TAGS)");
        return ExitCode::FAILURE;
    }
    println!(
        "{} passed, {} failed",
        results.len() - failed.len(),
        failed.len()
    );
    if failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
