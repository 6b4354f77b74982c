//! Fanning seeds out over machines and folding the results back.
//!
//! A run takes a seed range and a shard (`K/N`: the seeds `s` with
//! `s % N == K`, so slow and fast seeds spread evenly), and writes one
//! JSON line per seed. Any engine that starts N copies with an index does
//! the rest: a Kubernetes Indexed Job (`JOB_COMPLETION_INDEX`), a CI
//! matrix, `xargs -P`. [`merge`] folds the shards' lines into one
//! summary, and flags seeds run twice on different commits or missing.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::{self, Write as _};
use std::ops::Range;

use serde::{Deserialize, Serialize};

use super::SeedReport;

/// The environment variable a Kubernetes Indexed Job sets in each pod.
pub const INDEX_ENV: &str = "JOB_COMPLETION_INDEX";

/// A part of the seed space: the seeds `s` of a range with `s % of == index`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// This part, `0..of`.
    pub index: u64,
    /// How many parts.
    pub of: u64,
}

impl Shard {
    /// All the seeds.
    pub const WHOLE: Shard = Shard { index: 0, of: 1 };

    /// `K/N`, with `K < N`.
    pub fn parse(text: &str) -> Result<Shard, String> {
        let (k, n) = text
            .split_once('/')
            .ok_or_else(|| format!("a shard is K/N, not {text:?}"))?;
        let num = |s: &str| {
            s.trim()
                .parse::<u64>()
                .map_err(|e| format!("shard {text:?}: {e}"))
        };
        let (index, of) = (num(k)?, num(n)?);
        match index < of {
            true => Ok(Shard { index, of }),
            false => Err(format!(
                "shard {text:?}: K must be below N (K counts from 0)"
            )),
        }
    }

    /// Shard `K/of` with K read from [`INDEX_ENV`] (`index` is its value).
    pub fn from_index(index: Option<&str>, of: u64) -> Result<Shard, String> {
        let index = index.ok_or_else(|| format!("--shards {of} needs {INDEX_ENV} set"))?;
        Shard::parse(&format!("{index}/{of}"))
    }

    /// The seeds of `range` in this shard, in order.
    pub fn seeds(self, range: Range<u64>) -> impl Iterator<Item = u64> {
        let first = range.start + (self.index + self.of - range.start % self.of) % self.of;
        (first..range.end).step_by(self.of as usize)
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.of)
    }
}

/// `--seeds`: `N` (that many from `from`), `A..B`, or `A..` (open: until
/// `--minutes` run out).
pub fn parse_range(text: &str, from: u64) -> Result<Range<u64>, String> {
    let num = |s: &str| {
        s.parse::<u64>()
            .map_err(|e| format!("--seeds {text:?}: {e}"))
    };
    match text.split_once("..") {
        Some((a, "")) => Ok(num(a)?..u64::MAX),
        Some((a, b)) => Ok(num(a)?..num(b)?),
        None => Ok(from..from.saturating_add(num(text)?)),
    }
}

/// One seed's result, as a JSON line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Line {
    /// The seed.
    pub seed: u64,
    /// The dialect its session spoke.
    pub dialect: String,
    /// The commit of the `atcert` that ran it.
    pub commit: String,
    /// Its shard, `K/N`.
    pub shard: String,
    /// `pass` or `fail`.
    pub verdict: String,
    /// Wall time, milliseconds.
    pub duration_ms: u64,
    /// Simulated time, milliseconds.
    pub simulated_ms: u64,
    /// Host actions in its session.
    pub actions: usize,
    /// What it found.
    pub findings: Vec<String>,
}

impl Line {
    /// The line for `r`, run by shard `shard` of `commit`.
    pub fn new(r: &SeedReport, shard: Shard, commit: &str) -> Line {
        Line {
            seed: r.seed,
            dialect: "seed".into(),
            commit: commit.into(),
            shard: shard.to_string(),
            verdict: if r.passed() { "pass" } else { "fail" }.into(),
            duration_ms: r.wall.as_millis() as u64,
            simulated_ms: r.stats.sim_time.as_millis() as u64,
            actions: r.session.actions.len(),
            findings: r.findings.iter().map(ToString::to_string).collect(),
        }
    }

    /// As one line of text, newline included.
    pub fn json(&self) -> String {
        let mut s = serde_json::to_string(self).expect("a line serialises");
        s.push('\n');
        s
    }

    fn passed(&self) -> bool {
        self.verdict == "pass"
    }
}

/// Shards folded together.
#[derive(Debug, Clone, Default)]
pub struct Merged {
    /// Every seed's line, by seed (a seed run twice keeps its failing or
    /// first line).
    pub lines: BTreeMap<u64, Line>,
    /// Seeds found in more than one line.
    pub repeated: BTreeSet<u64>,
    /// Lines that did not parse: (source, line number, error).
    pub bad: Vec<(String, usize, String)>,
    /// Commits seen, with their seed counts.
    pub commits: BTreeMap<String, usize>,
    /// Shards seen, with their seed counts.
    pub shards: BTreeMap<String, usize>,
}

/// Folds JSON-lines texts (`(source name, text)`) into one result.
pub fn merge<'a>(inputs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Merged {
    let mut m = Merged::default();
    for (source, text) in inputs {
        for (n, raw) in text.lines().enumerate() {
            if raw.trim().is_empty() {
                continue;
            }
            let line: Line = match serde_json::from_str(raw) {
                Ok(l) => l,
                Err(e) => {
                    m.bad.push((source.to_string(), n + 1, e.to_string()));
                    continue;
                }
            };
            *m.commits.entry(line.commit.clone()).or_default() += 1;
            *m.shards.entry(line.shard.clone()).or_default() += 1;
            match m.lines.get(&line.seed) {
                Some(old) => {
                    m.repeated.insert(line.seed);
                    if old.passed() && !line.passed() {
                        m.lines.insert(line.seed, line);
                    }
                }
                None => {
                    m.lines.insert(line.seed, line);
                }
            }
        }
    }
    m
}

impl Merged {
    /// The failing seeds' lines.
    pub fn failed(&self) -> impl Iterator<Item = &Line> {
        self.lines.values().filter(|l| !l.passed())
    }

    /// The seeds between the first and the last that no line covers.
    pub fn gaps(&self) -> u64 {
        match (self.lines.keys().next(), self.lines.keys().next_back()) {
            (Some(a), Some(b)) => b - a + 1 - self.lines.len() as u64,
            _ => 0,
        }
    }

    /// The merged run in words.
    pub fn summary(&self) -> String {
        let seeds = self.lines.len() as u64;
        let cpu_ms: u64 = self.lines.values().map(|l| l.duration_ms).sum();
        let sim_ms: u64 = self.lines.values().map(|l| l.simulated_ms).sum();
        let failed: Vec<&Line> = self.failed().collect();
        let mut s = String::new();
        let _ = writeln!(
            s,
            "swarm merge: {seeds} seeds from {} shards, {} failed; {:.1} CPU-seconds, {:.0} seeds per CPU-hour, {:.0} simulated s per CPU-second",
            self.shards.len(),
            failed.len(),
            cpu_ms as f64 / 1000.0,
            seeds as f64 * 3_600_000.0 / cpu_ms.max(1) as f64,
            sim_ms as f64 / cpu_ms.max(1) as f64,
        );
        let counts = |m: &BTreeMap<String, usize>| {
            m.iter()
                .map(|(k, n)| format!("{k} ({n})"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let _ = writeln!(s, "  shards: {}", counts(&self.shards));
        let _ = writeln!(s, "  commits: {}", counts(&self.commits));
        if self.commits.len() > 1 {
            let _ = writeln!(s, "  WARNING: the shards ran different commits");
        }
        if self.gaps() > 0 {
            let _ = writeln!(
                s,
                "  {} seeds between the first and the last have no line (a shard missing?)",
                self.gaps()
            );
        }
        if !self.repeated.is_empty() {
            let _ = writeln!(s, "  seeds in more than one line: {}", self.repeated.len());
        }
        for (source, n, e) in &self.bad {
            let _ = writeln!(s, "  {source}:{n}: not a result line: {e}");
        }
        for l in failed {
            let _ = writeln!(
                s,
                "  FAILED seed {} (shard {}, {})",
                l.seed, l.shard, l.commit
            );
            for f in &l.findings {
                let _ = writeln!(s, "    {f}");
            }
            let _ = writeln!(
                s,
                "    reproduce: atcert swarm --seed {} --verbose --shrink",
                l.seed
            );
        }
        s
    }

    /// JUnit: a test case per failing seed, and one for all that passed
    /// (a million passing test cases would only bury the failures).
    pub fn junit(&self) -> String {
        use crate::junit::{attr, cdata};
        let failed: Vec<&Line> = self.failed().collect();
        let passed = self.lines.len() - failed.len();
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        let _ = writeln!(
            out,
            "<testsuites name=\"atcert swarm\" tests=\"{}\" failures=\"{}\">",
            failed.len() + 1,
            failed.len()
        );
        let _ = writeln!(
            out,
            "  <testsuite name=\"swarm\" tests=\"{}\" failures=\"{}\">",
            failed.len() + 1,
            failed.len()
        );
        let _ = writeln!(
            out,
            "    <testcase classname=\"swarm\" name=\"{passed} seeds passed\"/>"
        );
        for l in failed {
            let _ = writeln!(
                out,
                "    <testcase classname=\"swarm\" name=\"seed {}\">\n      <failure message=\"{}\"/>\n      <system-out>{}</system-out>\n    </testcase>",
                l.seed,
                attr(l.findings.first().map_or("", String::as_str)),
                cdata(&format!(
                    "{}\nreproduce: atcert swarm --seed {} --verbose --shrink",
                    l.findings.join("\n"),
                    l.seed
                )),
            );
        }
        out.push_str("  </testsuite>\n</testsuites>\n");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(seed: u64, shard: &str, pass: bool) -> String {
        Line {
            seed,
            dialect: "seed".into(),
            commit: "c0ffee".into(),
            shard: shard.into(),
            verdict: if pass { "pass" } else { "fail" }.into(),
            duration_ms: 100,
            simulated_ms: 20_000,
            actions: 30,
            findings: if pass {
                vec![]
            } else {
                vec!["[hang] x".into()]
            },
        }
        .json()
    }

    #[test]
    fn shards_partition_a_range() {
        let range = 7..50;
        let mut all: Vec<u64> = (0..4)
            .flat_map(|k| Shard { index: k, of: 4 }.seeds(range.clone()))
            .collect();
        all.sort();
        assert_eq!(all, range.collect::<Vec<_>>());
        assert_eq!(
            Shard::parse("3/4")
                .unwrap()
                .seeds(0..12)
                .collect::<Vec<_>>(),
            [3, 7, 11]
        );
        assert!(Shard::parse("4/4").is_err());
        assert_eq!(
            Shard::from_index(Some("2"), 5).unwrap(),
            Shard { index: 2, of: 5 }
        );
        assert!(Shard::from_index(None, 5).is_err());
    }

    #[test]
    fn seed_ranges() {
        assert_eq!(parse_range("100", 5).unwrap(), 5..105);
        assert_eq!(parse_range("10..20", 0).unwrap(), 10..20);
        assert_eq!(parse_range("10..", 0).unwrap(), 10..u64::MAX);
        assert!(parse_range("ten", 0).is_err());
    }

    #[test]
    fn merging_counts_failures_gaps_repeats_and_bad_lines() {
        let a = [line(0, "0/2", true), line(2, "0/2", false)].concat();
        let b = [line(1, "1/2", true), line(2, "1/2", true), "{oops\n".into()].concat();
        let c = line(5, "1/2", true);
        let m = merge([("a", &a[..]), ("b", &b[..]), ("c", &c[..])]);
        assert_eq!(m.lines.len(), 4);
        assert_eq!(m.failed().map(|l| l.seed).collect::<Vec<_>>(), [2]);
        assert_eq!(m.repeated.iter().copied().collect::<Vec<_>>(), [2]);
        assert_eq!(m.gaps(), 2);
        assert_eq!(m.bad.len(), 1);
        let text = m.summary();
        assert!(text.contains("4 seeds from 2 shards, 1 failed"), "{text}");
        assert!(text.contains("reproduce: atcert swarm --seed 2"), "{text}");
        let junit = m.junit();
        assert!(junit.contains("name=\"3 seeds passed\""), "{junit}");
        assert!(junit.contains("failures=\"1\""), "{junit}");
    }
}
