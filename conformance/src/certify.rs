//! A certification run: one device or several (two boards on one bench
//! PC), each with a lab of its own, run side by side; each asked who it is
//! first; the clause table with a column per device.

use std::fmt::Write;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::dut::{LabMap, Target};
use crate::report::{self, Contract, DeviceRun, Header, Row, Verdict};
use crate::runner::{self, Config, ScenarioResult, Status};

/// One device to certify and the lab around it.
#[derive(Debug, Clone)]
pub struct Device {
    /// The module: `None` for the simulator.
    pub target: Option<Target>,
    /// Where its lab lives.
    pub lab: LabMap,
}

/// What to run, on which devices.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Feature files or folders.
    pub features: Vec<PathBuf>,
    /// The tag expression, if one was given.
    pub tags: Option<String>,
    /// The run's seed.
    pub seed: u64,
    /// The devices, each certified on its own.
    pub devices: Vec<Device>,
    /// The dialect certified: its scenarios run, against its contract.
    pub dialect: &'static firmware_core::Dialect,
}

/// One device's certification.
#[derive(Debug, Clone)]
pub struct Certified {
    /// Who, how and when.
    pub header: Header,
    /// Every scenario's result.
    pub results: Vec<ScenarioResult>,
    /// The clause table.
    pub rows: Vec<Row>,
    /// Its run's wall time.
    pub wall: Duration,
}

impl Certified {
    /// As the reports take it.
    pub fn view(&self) -> DeviceRun<'_> {
        DeviceRun {
            header: &self.header,
            results: &self.results,
            rows: &self.rows,
        }
    }
}

/// Asks each device who it is, then runs the plan on all of them side by
/// side, printing progress (prefixed `[device N]` when there are several).
///
/// # Errors
/// When a device does not answer `AT+GMR`, or the run cannot start (the
/// features, the tags).
pub fn certify(plan: &Plan) -> Result<Vec<Certified>, String> {
    let several = plan.devices.len() > 1;
    let mut headers = Vec::new();
    for (d, device) in plan.devices.iter().enumerate() {
        let (name, identity) =
            runner::identify(device.target.as_ref(), device.lab, plan.seed, plan.dialect)?;
        println!("{}{name} ({})", label(several, d), identity.join(" / "));
        headers.push(Header {
            device: name,
            identity,
            dialect: plan.dialect.name.into(),
            seed: plan.seed,
            selection: String::new(),
            date: Header::now(),
            tool: Header::tool(),
        });
    }
    let runs: Vec<_> = plan
        .devices
        .iter()
        .enumerate()
        .map(|(d, device)| {
            let cfg = Config {
                features: plan.features.clone(),
                tags: plan.tags.clone(),
                seed: plan.seed,
                junit: None,
                progress: true,
                label: label(several, d),
                dut: device.target.clone(),
                lab: device.lab,
                dialect: plan.dialect,
            };
            std::thread::spawn(move || {
                let started = Instant::now();
                runner::run(&cfg).map(|r| (r, started.elapsed(), cfg))
            })
        })
        .collect();
    let mut out = Vec::new();
    let contract = Contract::of(plan.dialect.name);
    for (run, mut header) in runs.into_iter().zip(headers) {
        let (results, wall, cfg) = run.join().map_err(|_| "a device's run panicked")??;
        let sim_only = match cfg.dut {
            Some(_) => report::clauses_tagged(contract, &plan.features, "sim"),
            None => Vec::new(),
        };
        header.selection = format!(
            "{}; tags: {}",
            plan.features
                .iter()
                .map(|f| f.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
            cfg.tags()
        );
        let rows = report::table(contract, &results, &sim_only);
        out.push(Certified {
            header,
            results,
            rows,
            wall,
        });
    }
    Ok(out)
}

/// The prefix of a device's console lines: none when it is alone.
fn label(several: bool, d: usize) -> String {
    match several {
        true => format!("[device {}] ", d + 1),
        false => String::new(),
    }
}

/// What the console shows at the end: each failure's first line, the
/// clause table (a column per device), and each device's totals.
pub fn summary(runs: &[Certified]) -> String {
    let mut s = String::new();
    let several = runs.len() > 1;
    for (d, run) in runs.iter().enumerate() {
        for r in &run.results {
            if let Status::Failed(why) = &r.status {
                let first = why.lines().next().unwrap_or("");
                let _ = writeln!(
                    s,
                    "=== {}FAILED {}: {} (seed {}): {first}",
                    label(several, d),
                    r.feature,
                    r.name,
                    r.seed
                );
            }
        }
    }
    let heads: String = (1..=runs.len())
        .map(|d| match several {
            true => format!(" device {d} |"),
            false => " scenarios | failed | verdict |".into(),
        })
        .collect();
    let rule = if several { "---|" } else { "---:|---:|---|" }.repeat(runs.len());
    let _ = writeln!(s, "\n| clause |{heads}\n|---|{rule}");
    let clauses = runs.first().map_or(&[][..], |r| &r.rows[..]);
    for (i, row) in clauses.iter().enumerate() {
        let cells: String = runs
            .iter()
            .map(|run| {
                let r = &run.rows[i];
                match several {
                    true => format!(" {} |", r.verdict.text()),
                    false => format!(" {} | {} | {} |", r.scenarios, r.failed, r.verdict.text()),
                }
            })
            .collect();
        let _ = writeln!(s, "| {} |{cells}", row.clause);
    }
    for (d, run) in runs.iter().enumerate() {
        let count = |v| run.rows.iter().filter(|r| r.verdict == v).count();
        let (passed, failed, skipped) = run.view().counts();
        let setup: Duration = run.results.iter().map(|r| r.setup).sum();
        let _ = writeln!(
            s,
            "\n{}seed {}: {} scenarios, {passed} passed, {failed} failed, {skipped} skipped; clauses: {} passed, {} failed, {} skipped, {} simulator only, {} uncovered; {:.1} s ({:.1} s of it setting the DUT up)",
            label(several, d),
            run.header.seed,
            run.results.len(),
            count(Verdict::Passed),
            count(Verdict::Failed),
            count(Verdict::Skipped),
            count(Verdict::SimOnly),
            count(Verdict::Uncovered),
            run.wall.as_secs_f64(),
            setup.as_secs_f64()
        );
    }
    s
}

/// Whether the run certifies: nothing failed on any device, and (for the
/// whole suite only; a run of chosen files or tags does not fail for the
/// clauses it left out) no clause uncovered.
pub fn passed(runs: &[Certified], whole_suite: bool) -> bool {
    runs.iter().all(|run| {
        let failed = run.results.iter().any(|r| r.status.is_failed());
        let uncovered = run.rows.iter().any(|r| r.verdict == Verdict::Uncovered);
        !(failed || whole_suite && uncovered)
    })
}
