//! `cargo test` runs every feature file against the simulated module.
//!
//! `ATCERT_FEATURES=features/cipsend.feature` runs one file (or folder);
//! `ATCERT_TAGS='@SD-2'` one tag expression.

use std::process::ExitCode;

use conformance::report::{Verdict, table};
use conformance::runner::test_main;

fn main() -> ExitCode {
    let (results, ok) = test_main("conformance", None, 1);
    let uncovered: Vec<_> = table(&results, &[])
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
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
