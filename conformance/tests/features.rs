//! `cargo test` runs every feature file against the simulated module, once
//! per dialect: the seed's scenarios with a module speaking `seed`, the
//! `@esp-at` ones with one speaking `esp-at`.
//!
//! `ATCERT_FEATURES=features/cipsend.feature` runs one file (or folder);
//! `ATCERT_TAGS='@SD-2'` one tag expression; `ATCERT_DIALECT=esp-at` one
//! dialect only.

use std::process::ExitCode;

use conformance::report::{Contract, Verdict, table};
use conformance::runner::{env_dialects, test_main_for};

fn main() -> ExitCode {
    let dialects = match env_dialects() {
        Ok(d) => d,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let mut ok = true;
    for dialect in dialects {
        let label = format!("conformance ({})", dialect.name);
        let (results, passed) = test_main_for(&label, None, 1, dialect);
        ok &= passed;
        let uncovered: Vec<_> = table(Contract::of(dialect.name), &results, &[])
            .into_iter()
            .filter(|r| r.verdict == Verdict::Uncovered)
            .map(|r| r.clause)
            .collect();
        if !uncovered.is_empty() {
            eprintln!(
                "{label}: clauses with no scenario in this run: {}",
                uncovered.join(" ")
            );
        }
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
