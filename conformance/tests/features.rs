//! `cargo test` runs every feature file against the simulated module.
//!
//! `ATCERT_FEATURES=features/cipsend.feature` runs one file (or folder);
//! `ATCERT_TAGS='@SD-2'` one tag expression; `ATCERT_DIALECT=esp-at` the
//! scenarios of another dialect (default `seed`), its module speaking it.

use std::process::ExitCode;

use conformance::report::{Contract, Verdict, table};
use conformance::runner::{env_dialect, test_main};

fn main() -> ExitCode {
    let (results, ok) = test_main("conformance", None, 1);
    let Ok(dialect) = env_dialect() else {
        return ExitCode::FAILURE;
    };
    let uncovered: Vec<_> = table(Contract::of(dialect.name), &results, &[])
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
