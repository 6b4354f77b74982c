//! What a run says, clause by clause.
//!
//! Every clause of the dialect's contract ([`Contract`]: `spec/DECISIONS.md`
//! for `seed`, a copy kept beside this crate and checked against the shared
//! one; `spec/esp-at.md` for `esp-at`) is listed with the scenarios tagged
//! with it. A clause is passed when it has scenarios and all passed, failed
//! when any failed, skipped when the DUT could run none of them, simulator
//! only when they all need the simulator and the DUT is a device, and
//! uncovered when none exists.

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::runner::{ScenarioResult, Status};

/// The `seed` dialect's contract text.
pub const DECISIONS: &str = include_str!("../spec/DECISIONS.md");

/// The `esp-at` dialect's contract text.
pub const ESP_AT: &str = include_str!("../spec/esp-at.md");

/// The contract a dialect is certified against: where its clauses are
/// defined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Contract {
    /// The dialect's name.
    pub dialect: &'static str,
    /// The file, as reports name it.
    pub file: &'static str,
    /// Its text.
    pub text: &'static str,
}

/// Every dialect's contract.
pub const CONTRACTS: &[Contract] = &[
    Contract {
        dialect: "seed",
        file: "spec/DECISIONS.md",
        text: DECISIONS,
    },
    Contract {
        dialect: "esp-at",
        file: "spec/esp-at.md",
        text: ESP_AT,
    },
];

impl Contract {
    /// The contract of the dialect called `dialect`.
    ///
    /// # Panics
    /// If this build has no contract for it (a dialect added to the core
    /// without its contract here).
    pub fn of(dialect: &str) -> &'static Contract {
        CONTRACTS
            .iter()
            .find(|c| c.dialect == dialect)
            .unwrap_or_else(|| panic!("no contract for the {dialect} dialect in report::CONTRACTS"))
    }

    /// Clause IDs in the order the contract lists them (`**SD-2**`).
    pub fn clauses(&self) -> Vec<String> {
        let mut out = Vec::new();
        for part in self.text.split("**").skip(1).step_by(2) {
            let is_id = part.split_once('-').is_some_and(|(a, b)| {
                !a.is_empty()
                    && a.len() <= 2
                    && a.bytes().all(|c| c.is_ascii_uppercase())
                    && b.parse::<u32>().is_ok()
            });
            if is_id && !out.iter().any(|c| c == part) {
                out.push(part.to_owned());
            }
        }
        out
    }

    /// A clause's title: the first words of its text in the contract.
    pub fn title(&self, clause: &str) -> String {
        let marker = format!("**{clause}**");
        let Some(at) = self.text.find(&marker) else {
            return String::new();
        };
        let text: String = self.text[at + marker.len()..]
            .split("\n- ")
            .next()
            .unwrap_or("")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let text = text.trim_start_matches("*(beyond the page)*").trim();
        match text.char_indices().nth(80) {
            Some((i, _)) => format!("{}…", &text[..i]),
            None => text.to_owned(),
        }
    }
}

/// The `seed` dialect's clause IDs, in the order `DECISIONS.md` lists them.
pub fn clauses() -> Vec<String> {
    Contract::of("seed").clauses()
}

/// A `seed` clause's title.
pub fn title(clause: &str) -> String {
    Contract::of("seed").title(clause)
}

/// What a certification report says of the run itself.
#[derive(Debug, Clone)]
pub struct Header {
    /// Which device, on which line.
    pub device: String,
    /// What it says of itself (`AT+GMR`'s lines).
    pub identity: Vec<String>,
    /// The dialect certified.
    pub dialect: String,
    /// The run's seed.
    pub seed: u64,
    /// The scenarios chosen: the files and the tag expression.
    pub selection: String,
    /// When (UTC).
    pub date: String,
    /// `atcert`'s version and commit.
    pub tool: String,
}

/// Empty, for the `seed` dialect.
impl Default for Header {
    fn default() -> Self {
        Header {
            device: String::new(),
            identity: Vec::new(),
            dialect: "seed".into(),
            seed: 0,
            selection: String::new(),
            date: String::new(),
            tool: String::new(),
        }
    }
}

impl Header {
    /// `atcert`'s version and the commit it was built from.
    pub fn tool() -> String {
        format!(
            "atcert {} (commit {})",
            env!("CARGO_PKG_VERSION"),
            env!("ATCERT_COMMIT")
        )
    }

    /// Now, in UTC, to the second.
    pub fn now() -> String {
        let format =
            time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second] UTC");
        time::OffsetDateTime::now_utc()
            .format(&format)
            .unwrap_or_default()
    }
}

/// Where a clause stands after a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verdict {
    /// Every scenario tagged with it passed.
    Passed,
    /// At least one failed.
    Failed,
    /// Every scenario tagged with it was skipped: the DUT cannot do what
    /// they need (a power switch, a fault on a real network).
    Skipped,
    /// Only scenarios that need the simulator (`@sim`: faults, exact
    /// timing) check it, and the run was on a real device.
    SimOnly,
    /// No scenario checks it.
    Uncovered,
}

/// One row of the clause table.
#[derive(Debug, Clone)]
pub struct Row {
    /// The clause ID.
    pub clause: String,
    /// How many scenarios ran for it.
    pub scenarios: usize,
    /// How many of them failed.
    pub failed: usize,
    /// How many of them were skipped, and the first reason.
    pub skipped: usize,
    /// Why the first skipped one was.
    pub skip_reason: Option<String>,
    /// The verdict.
    pub verdict: Verdict,
}

impl Row {
    /// A clause no scenario has counted for yet.
    fn empty(clause: &str) -> Row {
        Row {
            clause: clause.to_owned(),
            scenarios: 0,
            failed: 0,
            skipped: 0,
            skip_reason: None,
            verdict: Verdict::Uncovered,
        }
    }
}

/// The clause table of `contract`. `sim_only` lists clauses whose
/// scenarios exist but were left out because they need the simulator (on
/// a real device).
pub fn table(contract: &Contract, results: &[ScenarioResult], sim_only: &[String]) -> Vec<Row> {
    let mut by_clause: BTreeMap<&str, Row> = BTreeMap::new();
    for r in results {
        for tag in &r.tags {
            let e = by_clause
                .entry(tag.as_str())
                .or_insert_with(|| Row::empty(tag));
            e.scenarios += 1;
            match &r.status {
                Status::Passed => {}
                Status::Failed(_) => e.failed += 1,
                Status::Skipped(why) => {
                    e.skipped += 1;
                    e.skip_reason.get_or_insert_with(|| why.clone());
                }
            }
        }
    }
    contract
        .clauses()
        .into_iter()
        .map(|clause| {
            let mut row = by_clause
                .remove(clause.as_str())
                .unwrap_or_else(|| Row::empty(&clause));
            row.verdict = match (row.scenarios, row.failed) {
                (0, _) if sim_only.contains(&clause) => Verdict::SimOnly,
                (0, _) => Verdict::Uncovered,
                (_, 0) if row.skipped == row.scenarios => Verdict::Skipped,
                (_, 0) => Verdict::Passed,
                _ => Verdict::Failed,
            };
            row
        })
        .collect()
}

/// One device's run, as the reports show it.
#[derive(Debug, Clone, Copy)]
pub struct DeviceRun<'a> {
    /// Who was certified, how and when.
    pub header: &'a Header,
    /// Every scenario's result.
    pub results: &'a [ScenarioResult],
    /// The clause table ([`table`]).
    pub rows: &'a [Row],
}

impl<'a> DeviceRun<'a> {
    /// The scenarios that failed, with why.
    pub fn failures(&self) -> Vec<(&'a ScenarioResult, &'a str)> {
        self.with(|s| match s {
            Status::Failed(why) => Some(why),
            _ => None,
        })
    }

    /// The scenarios that were skipped, with why.
    pub fn skips(&self) -> Vec<(&'a ScenarioResult, &'a str)> {
        self.with(|s| match s {
            Status::Skipped(why) => Some(why),
            _ => None,
        })
    }

    fn with(&self, why: fn(&Status) -> Option<&String>) -> Vec<(&'a ScenarioResult, &'a str)> {
        let results: &'a [ScenarioResult] = self.results;
        results
            .iter()
            .filter_map(|r| why(&r.status).map(|w| (r, w.as_str())))
            .collect()
    }

    /// Scenarios passed, failed and skipped.
    pub fn counts(&self) -> (usize, usize, usize) {
        let of = |f: fn(&Status) -> bool| self.results.iter().filter(|r| f(&r.status)).count();
        (
            of(|s| *s == Status::Passed),
            of(Status::is_failed),
            of(|s| matches!(s, Status::Skipped(_))),
        )
    }
}

impl Verdict {
    /// The verdict as a report's cell says it.
    pub fn text(self) -> &'static str {
        match self {
            Verdict::Passed => "passed",
            Verdict::Failed => "FAILED",
            Verdict::Skipped => "skipped",
            Verdict::SimOnly => "simulator only",
            Verdict::Uncovered => "uncovered",
        }
    }
}

/// The Markdown certification report: each device's header, the clause
/// table with a column per device, then each device's skips and failures.
pub fn markdown(runs: &[DeviceRun<'_>]) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# AT TCP/IP conformance report\n");
    let several = runs.len() > 1;
    for (d, run) in runs.iter().enumerate() {
        let h = run.header;
        if several {
            let _ = writeln!(s, "## Device {}\n", d + 1);
        }
        let (passed, failed, skipped) = run.counts();
        let _ = writeln!(s, "- Date: {}", h.date);
        let _ = writeln!(s, "- Tool: {}", h.tool);
        let _ = writeln!(s, "- Device: {}", h.device);
        if !h.identity.is_empty() {
            let _ = writeln!(
                s,
                "- Device's identity (`AT+GMR`): {}",
                h.identity.join(" / ")
            );
        }
        let _ = writeln!(
            s,
            "- Contract: `{}` (the `{}` dialect), {} clauses",
            Contract::of(&h.dialect).file,
            h.dialect,
            run.rows.len()
        );
        let _ = writeln!(s, "- Seed: {}", h.seed);
        let _ = writeln!(s, "- Selection: {}", h.selection);
        let _ = writeln!(
            s,
            "- Scenarios: {} run, {passed} passed, {failed} failed, {skipped} skipped\n",
            run.results.len()
        );
    }
    let columns: String = (1..=runs.len())
        .map(|d| match several {
            true => format!(" device {d} |"),
            false => " scenarios | failed | verdict |".into(),
        })
        .collect();
    let rule = if several { "---|" } else { "---:|---:|---|" }.repeat(runs.len());
    let _ = writeln!(s, "| clause | title |{columns}\n|---|---|{rule}");
    let clauses = runs.first().map_or(&[][..], |r| r.rows);
    let contract = Contract::of(runs.first().map_or("seed", |r| &r.header.dialect));
    for (i, clause) in clauses.iter().enumerate() {
        let cells: String = runs
            .iter()
            .map(|run| {
                let r = &run.rows[i];
                let verdict = match r.verdict {
                    Verdict::Failed | Verdict::Uncovered => format!("**{}**", r.verdict.text()),
                    Verdict::Skipped => {
                        format!("skipped: {}", r.skip_reason.as_deref().unwrap_or(""))
                    }
                    v => v.text().to_owned(),
                };
                match several {
                    true => format!(" {verdict} ({}/{}) |", r.scenarios - r.failed, r.scenarios),
                    false => format!(" {} | {} | {verdict} |", r.scenarios, r.failed),
                }
            })
            .collect();
        let _ = writeln!(
            s,
            "| {} | {} |{cells}",
            clause.clause,
            contract.title(&clause.clause).replace('|', "\\|")
        );
    }
    for (d, run) in runs.iter().enumerate() {
        let of = if several {
            format!(" (device {})", d + 1)
        } else {
            String::new()
        };
        let skips = run.skips();
        if !skips.is_empty() {
            let _ = writeln!(s, "\n## Skipped{of}\n");
            for (r, why) in skips {
                let _ = writeln!(s, "- {}: {}: {why}", r.feature, r.name);
            }
        }
        let failures = run.failures();
        if !failures.is_empty() {
            let _ = writeln!(s, "\n## Failures{of}\n");
            for (r, why) in failures {
                let _ = writeln!(s, "### {}: {}\n", r.feature, r.name);
                let _ = writeln!(
                    s,
                    "- Tags: {}\n- Seed: {}\n- Why: {why}\n",
                    r.tags.join(" "),
                    r.seed
                );
                if let Some(step) = &r.failed_step {
                    let _ = writeln!(s, "- Step: `{step}`\n");
                }
                if let Some(t) = &r.transcript {
                    let _ = writeln!(s, "```\n{t}```\n");
                }
            }
        }
    }
    s
}

/// Clauses of `contract` of scenarios in `features` tagged `@<tag>`.
pub fn clauses_tagged(
    contract: &Contract,
    features: &[std::path::PathBuf],
    tag: &str,
) -> Vec<String> {
    use cucumber::gherkin::{Feature, GherkinEnv};
    let clauses = contract.clauses();
    let mut out = Vec::new();
    for file in crate::runner::feature_files(features) {
        let Ok(feature) = Feature::parse_path(&file, GherkinEnv::default()) else {
            continue;
        };
        crate::preflight::for_each_scenario(&feature, |_, _, tags| {
            if tags.iter().any(|t| t == tag) {
                out.extend(tags.into_iter().filter(|t| clauses.contains(t)));
            }
        });
    }
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clauses_have_titles() {
        assert!(title("SD-5").starts_with("After the last byte it sends the data"));
        assert!(title("B-6").starts_with("`OK` to a command that changes stored"));
        assert!(clauses().iter().all(|c| !title(c).is_empty()));
    }

    #[test]
    fn the_contract_has_every_family() {
        let c = clauses();
        assert_eq!(c.first().map(String::as_str), Some("G-1"));
        assert!(c.iter().any(|x| x == "RX-2"));
        assert!(c.iter().any(|x| x == "PT-7"));
        // G 9, B 6, ST 2, SS 11, SD 7, PT 7, CL 3, MX 3, MD 2, NT 5, PG 1, DM 2, DN 4,
        // PK 4, RX 2, TL 7.
        assert_eq!(c.len(), 75);
    }

    /// The esp-at contract's clauses are its `- **<ID>**` items, each once,
    /// in order (as `tests/esp_at_contract.rs` reads them), with titles.
    #[test]
    fn the_esp_at_contract_s_clauses() {
        let esp = Contract::of("esp-at");
        let items: Vec<String> = ESP_AT
            .lines()
            .filter_map(|l| l.strip_prefix("- **")?.split_once("**"))
            .map(|(id, _)| id.to_string())
            .filter(|id| {
                id.split_once('-')
                    .is_some_and(|(_, n)| n.parse::<u32>().is_ok())
            })
            .collect();
        assert_eq!(esp.clauses(), items);
        assert_eq!(esp.clauses().first().map(String::as_str), Some("EG-1"));
        assert!(esp.title("EW-4").starts_with("`AT+CWJAP="));
        assert!(esp.clauses().iter().all(|c| !esp.title(c).is_empty()));
        assert_eq!(Contract::of("seed").file, "spec/DECISIONS.md");
    }

    #[test]
    fn the_copies_of_the_contract_and_the_steps_are_current() {
        let here = concat!(env!("CARGO_MANIFEST_DIR"), "/spec/");
        let shared = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/spec/");
        for name in ["DECISIONS.md", "STEPS.md"] {
            let ours = std::fs::read_to_string(format!("{here}{name}")).expect("our copy");
            // Beside the repository on every developer's machine and in CI;
            // a missing one is a broken set-up, not a pass.
            let text = std::fs::read_to_string(format!("{shared}{name}"))
                .unwrap_or_else(|e| panic!("../shared/spec/{name}: {e}"));
            assert!(
                text == ours,
                "conformance/spec/{name} differs from the shared one: copy it"
            );
        }
    }
}
