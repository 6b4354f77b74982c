//! What `atcert swarm` prints: a line per seed, each failing seed in full
//! with the command that reproduces it, and the coverage of the run.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::time::Instant;

use super::{Options, SeedReport, check_seed};

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
    }
}

fn table(out: &mut dyn Write, title: &str, map: &BTreeMap<String, usize>) -> io::Result<()> {
    let cells: Vec<String> = map.iter().map(|(k, n)| format!("{k} {n}")).collect();
    writeln!(out, "  {title}: {}", cells.join(", "))
}

/// Runs `seeds`, printing as it goes; `verbose` adds every seed's session
/// and each failing seed's transcript.
pub fn run(
    seeds: &[u64],
    opts: &Options,
    verbose: bool,
    out: &mut dyn Write,
) -> io::Result<Summary> {
    let started = Instant::now();
    let mut sum = Summary::default();
    for (n, &seed) in seeds.iter().enumerate() {
        let r = check_seed(seed, opts);
        sum.add(&r);
        let heap = r
            .peak_heap
            .map_or(String::new(), |h| format!(", heap +{} KiB", h / 1024));
        writeln!(
            out,
            "[{}/{}] seed {seed} {}: {} actions, {:.1} s simulated in {:.2} s{heap}{}",
            n + 1,
            seeds.len(),
            if r.passed() { "ok" } else { "FAILED" },
            r.session.actions.len(),
            r.stats.sim_time.as_secs_f64(),
            r.wall.as_secs_f64(),
            if r.twice { ", ran twice" } else { "" },
        )?;
        if verbose || !r.passed() {
            for f in &r.findings {
                writeln!(out, "  finding {f}")?;
            }
            write!(out, "{}", r.session)?;
        }
        if !r.passed() {
            if verbose {
                write!(out, "{}", r.transcript)?;
            }
            writeln!(out, "  reproduce: atcert swarm --seed {seed} --verbose")?;
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
    if !sum.failed.is_empty() {
        table(out, "findings by check", &sum.findings)?;
        let failed: Vec<String> = sum.failed.iter().map(u64::to_string).collect();
        writeln!(out, "  failed seeds: {}", failed.join(" "))?;
    }
    Ok(sum)
}
