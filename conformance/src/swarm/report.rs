//! What `atcert swarm` prints: a line per seed, each failing seed in full
//! with the command that reproduces it, and the coverage of the run.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use super::case::Case;
use super::shard::{Line, Shard};
use super::shrink::shrink;
use super::{Options, SeedReport, check_seed};

/// Which seeds to run and what to do with a failing one.
pub struct Plan<'a> {
    /// The seeds, in order (may be endless when `deadline` is set).
    pub seeds: Box<dyn Iterator<Item = u64> + 'a>,
    /// How many `seeds` holds, when known (for the progress count).
    pub total: Option<u64>,
    /// Start no seed after this much wall time.
    pub deadline: Option<Duration>,
    /// The shard the seeds are (for the JSON lines).
    pub shard: Shard,
    /// Print every seed's session, and each failing seed's transcript.
    pub verbose: bool,
    /// Shrink each failing seed within this many runs.
    pub shrink: Option<usize>,
    /// Write each shrunk failing seed as a case file here.
    pub write: Option<PathBuf>,
    /// The commit, for the JSON lines and case files.
    pub commit: &'a str,
}

/// A whole run's figures.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    /// Seeds run.
    pub seeds: usize,
    /// Seeds with findings.
    pub failed: Vec<u64>,
    /// Seeds run twice for determinism.
    pub twice: usize,
    /// Wall time, seconds.
    pub wall: f64,
    /// Simulated time, seconds.
    pub simulated: f64,
    /// Actions played, by kind.
    pub actions: BTreeMap<String, usize>,
    /// Faults applied, by kind.
    pub faults: BTreeMap<String, usize>,
    /// Fault kinds enabled, by how many seeds.
    pub kinds: BTreeMap<String, usize>,
    /// Replies and URCs seen.
    pub lines: BTreeMap<String, usize>,
    /// Findings, by check.
    pub findings: BTreeMap<String, usize>,
    /// Bytes acknowledged with `SEND OK` and checked at their peers.
    pub acked_bytes: usize,
    /// The largest heap peak of a seed, when measured.
    pub peak_heap: Option<usize>,
    /// The most the module held at once in any seed, when measured.
    pub module_heap: Option<usize>,
}

impl Summary {
    fn add(&mut self, r: &SeedReport) {
        self.seeds += 1;
        if !r.passed() {
            self.failed.push(r.seed);
        }
        self.twice += usize::from(r.twice);
        self.simulated += r.stats.sim_time.as_secs_f64();
        for (k, n) in &r.stats.actions {
            *self.actions.entry(k.to_string()).or_default() += n;
        }
        for (k, n) in &r.stats.faults {
            *self.faults.entry(k.to_string()).or_default() += n;
        }
        for k in &r.session.kinds {
            *self.kinds.entry(format!("{k:?}")).or_default() += 1;
        }
        for (k, n) in &r.stats.lines {
            *self.lines.entry(k.clone()).or_default() += n;
        }
        for f in &r.findings {
            *self.findings.entry(f.check.to_string()).or_default() += 1;
        }
        self.acked_bytes += r.stats.acked_bytes;
        self.peak_heap = self.peak_heap.max(r.peak_heap);
        self.module_heap = self.module_heap.max(r.module_heap);
    }
}

/// Shrinks a failing seed, prints the result and writes it as a case.
fn shrunk(r: &SeedReport, budget: usize, plan: &Plan<'_>, out: &mut dyn Write) -> io::Result<()> {
    let check = r.findings[0].check;
    let s = shrink(&r.session, check, budget);
    writeln!(
        out,
        "  shrunk in {} runs to {} actions, {} faults, {} peers: {}",
        s.runs,
        s.session.actions.len(),
        s.session.faults.len(),
        s.session.peers.len(),
        s.detail
    )?;
    write!(out, "{}", s.session)?;
    if let Some(dir) = &plan.write {
        let case = Case {
            check: check.to_string(),
            finding: s.detail,
            found_on: plan.commit.to_string(),
            note: format!(
                "found by atcert swarm, seed {}; shrunk in {} runs",
                r.seed, s.runs
            ),
            session: s.session,
        };
        let path = case.write(dir)?;
        writeln!(
            out,
            "  written: {} (replay: atcert swarm --case {})",
            path.display(),
            path.display()
        )?;
    }
    Ok(())
}

fn table(out: &mut dyn Write, title: &str, map: &BTreeMap<String, usize>) -> io::Result<()> {
    let cells: Vec<String> = map.iter().map(|(k, n)| format!("{k} {n}")).collect();
    writeln!(out, "  {title}: {}", cells.join(", "))
}

/// Runs the plan's seeds, printing as it goes and writing a JSON line per
/// seed to `jsonl`.
pub fn run(
    mut plan: Plan<'_>,
    opts: &Options,
    out: &mut dyn Write,
    mut jsonl: Option<&mut dyn Write>,
) -> io::Result<Summary> {
    let started = Instant::now();
    let mut sum = Summary::default();
    let total = plan.total.map_or(String::new(), |t| format!("/{t}"));
    let seeds = std::mem::replace(&mut plan.seeds, Box::new(std::iter::empty()));
    for seed in seeds {
        if plan.deadline.is_some_and(|d| started.elapsed() >= d) {
            writeln!(out, "swarm: time is up, no seed started after seed {seed}")?;
            break;
        }
        let r = check_seed(seed, opts);
        sum.add(&r);
        if let Some(j) = jsonl.as_deref_mut() {
            j.write_all(Line::new(&r, plan.shard, plan.commit).json().as_bytes())?;
            j.flush()?;
        }
        let heap = r
            .peak_heap
            .zip(r.module_heap)
            .map_or(String::new(), |(h, m)| {
                format!(", heap +{} KiB (module {} KiB)", h / 1024, m / 1024)
            });
        writeln!(
            out,
            "[{}{total}] seed {seed} {}: {} actions, {:.1} s simulated in {:.2} s{heap}{}",
            sum.seeds,
            if r.passed() { "ok" } else { "FAILED" },
            r.session.actions.len(),
            r.stats.sim_time.as_secs_f64(),
            r.wall.as_secs_f64(),
            if r.twice { ", ran twice" } else { "" },
        )?;
        if plan.verbose || !r.passed() {
            for f in &r.findings {
                writeln!(out, "  finding {f}")?;
            }
            write!(out, "{}", r.session)?;
        }
        if !r.passed() {
            if plan.verbose {
                write!(out, "{}", r.transcript)?;
            }
            writeln!(
                out,
                "  reproduce: atcert swarm --seed {seed} --verbose --shrink"
            )?;
            if let Some(budget) = plan.shrink {
                shrunk(&r, budget, &plan, out)?;
            }
        }
        out.flush()?;
    }
    sum.wall = started.elapsed().as_secs_f64();
    writeln!(
        out,
        "swarm: {} seeds, {} failed, {} run twice; {:.1} s wall ({:.2} seeds/s), {:.0} s simulated",
        sum.seeds,
        sum.failed.len(),
        sum.twice,
        sum.wall,
        sum.seeds as f64 / sum.wall.max(1e-9),
        sum.simulated,
    )?;
    table(out, "actions", &sum.actions)?;
    table(out, "fault kinds enabled (seeds)", &sum.kinds)?;
    table(out, "faults applied", &sum.faults)?;
    table(out, "replies and URCs", &sum.lines)?;
    writeln!(
        out,
        "  bytes acknowledged and checked at peers: {}",
        sum.acked_bytes
    )?;
    if let Some(h) = sum.peak_heap {
        writeln!(
            out,
            "  largest heap peak of a seed: {} KiB above its start",
            h / 1024
        )?;
    }
    if let Some(m) = sum.module_heap {
        writeln!(
            out,
            "  the most the module held at once: {m} bytes (its dialect's bound: {})",
            opts.module_bound
        )?;
    }
    if !sum.failed.is_empty() {
        table(out, "findings by check", &sum.findings)?;
        let failed: Vec<String> = sum.failed.iter().map(u64::to_string).collect();
        writeln!(out, "  failed seeds: {}", failed.join(" "))?;
    }
    Ok(sum)
}
