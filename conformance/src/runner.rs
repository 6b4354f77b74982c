//! Runs feature files against a DUT and collects what happened to each
//! scenario.
//!
//! cucumber drives the scenarios from a plain (non-tokio) executor:
//! turmoil runs its own runtimes inside `sim`, and nesting them panics.
//! Scenarios run one at a time, each with its own DUT and a seed derived
//! from the run's seed and the scenario's name, so any single scenario can
//! be rerun alone with the same result.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::io;
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::Arc;

use cucumber::event::{ScenarioFinished, StepError};
use cucumber::gherkin::{Feature, Rule, Scenario};
use cucumber::tag::Ext as _;
use cucumber::{World as _, writer};
use firmware_core::Dialect;

use crate::dut::{Dut, LabMap, SerialDut, SimDut, Skip, Target};
use crate::failed_steps::FailedSteps;
use crate::world::AtWorld;

/// What to run.
#[derive(Debug, Clone)]
pub struct Config {
    /// Feature files or folders.
    pub features: Vec<PathBuf>,
    /// A cucumber tag expression (`@SD-2 and not @slow`); `None`: every
    /// scenario the DUT can run ([`SERIAL_TAGS`] on a real device).
    pub tags: Option<String>,
    /// The run's seed.
    pub seed: u64,
    /// Where to write JUnit XML.
    pub junit: Option<PathBuf>,
    /// Print a line per scenario as it ends.
    pub progress: bool,
    /// Those lines' prefix (which device, when several run at once).
    pub label: String,
    /// The module under test: `None` for the simulator.
    pub dut: Option<Target>,
    /// Where a serial DUT's lab lives.
    pub lab: LabMap,
    /// The dialect the run certifies: the simulator's and `atmodule`'s
    /// module speaks it, and only its scenarios run.
    pub dialect: &'static Dialect,
}

impl Config {
    /// The tag expression this run uses: the one given (or the default for
    /// its DUT), narrowed to the dialect it certifies (STEPS.md: a run
    /// certifies one dialect and runs that dialect's scenarios only).
    pub fn tags(&self) -> String {
        let dialect = dialect_tags(self.dialect.name);
        match (&self.tags, &self.dut) {
            (Some(t), _) => format!("({t}) and {dialect}"),
            (None, None) => dialect,
            (None, Some(_)) => format!("({SERIAL_TAGS}) and {dialect}"),
        }
    }
}

/// The dialect called `name`, or an error that lists them all.
///
/// # Errors
/// When this build has no such dialect.
pub fn dialect(name: &str) -> Result<&'static Dialect, String> {
    firmware_core::dialect::by_name(name).ok_or_else(|| {
        let names: Vec<&str> = firmware_core::dialect::names().collect();
        format!("no dialect {name:?}; one of: {}", names.join(", "))
    })
}

/// The dialect `ATCERT_DIALECT` names (default `seed`), for `cargo test`.
///
/// # Errors
/// When it names none.
pub fn env_dialect() -> Result<&'static Dialect, String> {
    match std::env::var("ATCERT_DIALECT") {
        Ok(name) => dialect(&name).map_err(|e| format!("ATCERT_DIALECT: {e}")),
        Err(_) => Ok(&firmware_core::SEED),
    }
}

/// The dialects a `cargo test` suite runs: the one `ATCERT_DIALECT`
/// names, or every dialect of this build.
///
/// # Errors
/// When `ATCERT_DIALECT` names none.
pub fn env_dialects() -> Result<Vec<&'static Dialect>, String> {
    match std::env::var_os("ATCERT_DIALECT") {
        Some(_) => env_dialect().map(|d| vec![d]),
        None => Ok(firmware_core::dialect::ALL.to_vec()),
    }
}

/// The tag expression that selects `dialect`'s scenarios. A scenario can
/// be tagged for any dialect of this build (`@esp-at`); one with no
/// dialect tag is for `seed`.
pub fn dialect_tags(dialect: &str) -> String {
    let others = firmware_core::dialect::names()
        .filter(|d| *d != dialect)
        .map(|d| format!("not @{d}"))
        .collect::<Vec<_>>()
        .join(" and ");
    match dialect {
        "seed" => others,
        _ => format!("@{dialect}"),
    }
}

/// On a real device, what it leaves out unless asked for: what only a
/// simulator can do (faults, exact packet timing) and what takes over a
/// minute.
pub const SERIAL_TAGS: &str = "not @sim and not @slow";

/// Failed DUT set-ups in a row that end a run early ("device not
/// responding"): a missing or silent device fails fast.
const GIVE_UP: u32 = 3;

/// How a scenario ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// Every step passed.
    Passed,
    /// A step failed, or matched no sentence of STEPS.md; why.
    Failed(String),
    /// A step asked what the DUT cannot do (STEPS.md): neither passed nor
    /// failed; why.
    Skipped(String),
}

impl Status {
    /// Whether the scenario failed.
    pub fn is_failed(&self) -> bool {
        matches!(self, Status::Failed(_))
    }
}

/// One scenario's result.
#[derive(Debug, Clone)]
pub struct ScenarioResult {
    /// The feature's name.
    pub feature: String,
    /// The feature file.
    pub path: Option<PathBuf>,
    /// The scenario's name.
    pub name: String,
    /// Its tags and its feature's, without `@`.
    pub tags: Vec<String>,
    /// How it ended.
    pub status: Status,
    /// The seed its DUT used.
    pub seed: u64,
    /// The transcript, for a failure.
    pub transcript: Option<String>,
    /// Its steps as written (`When the host sends AT`), Background first.
    pub steps: Vec<String>,
    /// The step that stopped it (failed, could not be carried out, or
    /// matched no sentence), as written; `None` when none did.
    pub failed_step: Option<String>,
    /// That step's index in `steps`.
    pub failed_step_index: Option<usize>,
    /// How long setting up its DUT took (on a serial line: bringing the
    /// device back to factory state).
    pub setup: std::time::Duration,
    /// Its line in the feature file (an outline's: its Examples row's).
    pub line: usize,
    /// How long it ran by the DUT's clock (simulated time in the
    /// simulator), set-up included.
    pub took: std::time::Duration,
}

/// A seed for one scenario: the run's seed mixed with the scenario's
/// name (FNV-1a, so it is the same on every machine and every run).
pub fn scenario_seed(seed: u64, feature: &str, scenario: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ seed;
    for b in feature.bytes().chain([0]).chain(scenario.bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

fn tags_of(feature: &Feature, rule: Option<&Rule>, scenario: &Scenario) -> Vec<String> {
    let rule_tags = rule.map(|r| r.tags.clone()).unwrap_or_default();
    feature
        .tags
        .iter()
        .chain(&rule_tags)
        .chain(&scenario.tags)
        .cloned()
        .collect()
}

/// A failed step's status: skipped when the DUT could not do it.
fn step_status(e: &StepError) -> Status {
    match e {
        StepError::Panic(info) => match info.downcast_ref::<Skip>() {
            Some(Skip(why)) => Status::Skipped(why.clone()),
            None => Status::Failed(any_text(info.as_ref())),
        },
        other => Status::Failed(other.to_string()),
    }
}

/// A panic's message.
fn any_text(info: &(dyn std::any::Any + Send)) -> String {
    info.downcast_ref::<String>()
        .cloned()
        .or_else(|| info.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_else(|| "a panic without a message".to_owned())
}

/// Runs the features; every scenario's result, in the order they ran.
///
/// # Errors
/// When the tag expression does not parse or the JUnit file cannot be
/// written.
pub fn run(cfg: &Config) -> Result<Vec<ScenarioResult>, String> {
    run_share(cfg, None)
}

/// [`run`], of the scenarios `share` gives this run (all without one).
fn run_share(cfg: &Config, share: Option<Share>) -> Result<Vec<ScenarioResult>, String> {
    // cucumber skips a feature file it cannot parse and runs the rest: a
    // typo would silently drop scenarios. Refuse to run instead.
    let broken = parse_errors(&cfg.features);
    if !broken.is_empty() {
        return Err(format!(
            "feature files that do not parse:\n{}",
            broken.join("\n")
        ));
    }
    let tags = cfg.tags();
    let filter: cucumber::gherkin::tagexpr::TagOperation = tags
        .parse()
        .map_err(|e| format!("tag expression {tags:?}: {e}"))?;
    let total = crate::preflight::check(&feature_files(&cfg.features), &filter)
        .map_err(|problems| problems.join("\n"))?;
    let total = share.as_ref().map_or(total, |s| s.mine.len());
    let results = Rc::new(RefCell::new(Vec::new()));
    let seed = cfg.seed;
    let collected = results.clone();
    let progress = cfg.progress;
    let label = cfg.label.clone();
    let target = cfg.dut.clone();
    let lab = cfg.lab;
    let dialect = cfg.dialect;
    // Set-ups that failed in a row: past GIVE_UP the device is gone, and
    // the rest of the run ends at once instead of waiting on each.
    let lost = Rc::new(std::cell::Cell::new(0u32));
    // Set-up time of the scenario under way, from `before` to `after`.
    let setup = Rc::new(std::cell::Cell::new(std::time::Duration::ZERO));
    let setup_taken = setup.clone();
    let cucumber = AtWorld::cucumber()
        .max_concurrent_scenarios(1)
        // Results are collected in the `after` hook; which step failed, the
        // hook is not told, so the writer records it (the JUnit file is ours).
        .with_writer(writer::Normalize::new(FailedSteps::default()))
        .with_cli(cucumber::cli::Opts::<_, _, _, cucumber::cli::Empty>::default())
        .before(move |feature, _rule, scenario, world| {
            let seed = scenario_seed(seed, &feature.name, &scenario.name);
            if lost.get() >= GIVE_UP {
                panic!(
                    "not run: the device stopped responding ({GIVE_UP} set-ups in a row failed)"
                );
            }
            let started = std::time::Instant::now();
            let dut: Box<dyn Dut> = match &target {
                None => Box::new(SimDut::with_dialect(seed, dialect)),
                Some(t) => match SerialDut::open(t.clone(), lab, seed, dialect) {
                    Ok(dut) => {
                        lost.set(0);
                        Box::new(dut)
                    }
                    Err(e) => {
                        lost.set(lost.get() + 1);
                        panic!("the DUT: {e}")
                    }
                },
            };
            setup.set(started.elapsed());
            world.set_dut(dut);
            Box::pin(async {})
        })
        .after(move |feature, rule, scenario, finished, mut world| {
            let status = match finished {
                ScenarioFinished::StepPassed => Status::Passed,
                ScenarioFinished::StepSkipped => Status::Failed(
                    "a step matched no sentence of spec/STEPS.md (see the console for which)"
                        .into(),
                ),
                ScenarioFinished::StepFailed(_, _, e) => step_status(e),
                ScenarioFinished::BeforeHookFailed(info) => {
                    Status::Failed(format!("setting up the DUT: {}", any_text(info.as_ref())))
                }
            };
            // Output no step took is a reply nobody checked: a verdict too.
            let status = match (status, world.as_deref_mut()) {
                (Status::Passed, Some(w)) => match w.unconsumed() {
                    Some(left) => Status::Failed(format!(
                        "the module sent what no step expected, after the last step: {left:?}"
                    )),
                    None => Status::Passed,
                },
                (status, _) => status,
            };
            let took = world
                .as_deref_mut()
                .map_or(Default::default(), |w| w.dut().now());
            let transcript = match status {
                Status::Passed => None,
                _ => world.and_then(|w| w.transcript()),
            };
            let result = ScenarioResult {
                feature: feature.name.clone(),
                path: feature.path.clone(),
                name: scenario.name.clone(),
                tags: tags_of(feature, rule, scenario),
                status,
                seed: scenario_seed(seed, &feature.name, &scenario.name),
                transcript,
                steps: crate::failed_steps::steps_of(feature, rule, scenario),
                failed_step: None,
                failed_step_index: None,
                setup: setup_taken.take(),
                line: scenario.position.line,
                took,
            };
            if progress {
                let mark = match result.status {
                    Status::Passed => "ok  ",
                    Status::Failed(_) => "FAIL",
                    Status::Skipped(_) => "skip",
                };
                let n = collected.borrow().len() + 1;
                eprintln!(
                    "{label}[{n:>4}/{total}] {mark} {}: {}",
                    result.feature, result.name
                );
                match &result.status {
                    // The details now, not only at the end: an interrupted
                    // run still shows them.
                    Status::Failed(why) => eprintln!(
                        "       seed {}: {why}\n{}",
                        result.seed,
                        result.transcript.as_deref().unwrap_or("")
                    ),
                    Status::Skipped(why) => eprintln!("       {why}"),
                    Status::Passed => {}
                }
            }
            collected.borrow_mut().push(result);
            Box::pin(async {})
        });
    let input =
        staged_input(&cfg.features).map_err(|e| format!("staging the feature files: {e}"))?;
    let failed_steps = futures::executor::block_on(cucumber.filter_run(&input, move |f, r, s| {
        filter.eval(tags_of(f, r, s).iter()) && share.as_ref().is_none_or(|share| share.runs(f, s))
    }));
    let mut out = results.borrow().clone();
    failed_steps.inner_writer().fill(&mut out);
    if let Some(path) = &cfg.junit {
        std::fs::write(path, crate::junit::xml(&out, cfg.dialect.name))
            .map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(out)
}

/// The DUT's description and what it says of itself: a DUT set up as for a
/// scenario (seed `seed`, speaking `dialect`), asked `AT+GMR` after its
/// boot.
///
/// # Errors
/// When the DUT cannot be set up or does not answer.
pub fn identify(
    target: Option<&Target>,
    lab: LabMap,
    seed: u64,
    dialect: &'static Dialect,
) -> Result<(String, Vec<String>), String> {
    let mut dut: Box<dyn Dut> = match target {
        None => Box::new(SimDut::with_dialect(seed, dialect)),
        Some(t) => Box::new(SerialDut::open(t.clone(), lab, seed, dialect)?),
    };
    let mut rx = Vec::new();
    let mut lines = Vec::new();
    let limit = dut.now() + std::time::Duration::from_secs(10);
    let mut asked = false;
    while dut.now() < limit {
        dut.tick();
        rx.extend(dut.host_read());
        while let Some(line) = crate::lines::next_line(&mut rx) {
            let text = String::from_utf8_lossy(&line).into_owned();
            match text.as_str() {
                t if t == dialect.ready && !asked => {
                    dut.host_write(b"ATE0\r\nAT+GMR\r\n");
                    asked = true;
                }
                t if t == dialect.ok && !lines.is_empty() => {
                    let description = dut.describe();
                    return Ok((description, lines));
                }
                "ATE0" | "AT+GMR" => {}
                t if t == dialect.ok || t == dialect.ready => {}
                _ if asked => lines.push(text),
                _ => {}
            }
        }
    }
    Err(format!("no answer to AT+GMR from {}", dut.describe()))
}

/// Every `.feature` file under `paths` (files or folders), sorted.
pub fn feature_files(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = paths.to_vec();
    while let Some(p) = stack.pop() {
        if p.is_dir() {
            if let Ok(entries) = std::fs::read_dir(&p) {
                stack.extend(entries.flatten().map(|e| e.path()));
            }
        } else if p.extension().is_some_and(|e| e == "feature") {
            files.push(p);
        }
    }
    files.sort();
    files
}

/// The files that do not parse as Gherkin, with the reason; a path that
/// holds no feature file at all counts as one.
fn parse_errors(paths: &[PathBuf]) -> Vec<String> {
    let files = feature_files(paths);
    if files.is_empty() {
        let shown: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        return vec![format!("no .feature file in {}", shown.join(", "))];
    }
    files
        .iter()
        .filter_map(|f| {
            let env = cucumber::gherkin::GherkinEnv::default();
            let parsed = cucumber::gherkin::Feature::parse_path(f, env);
            parsed
                .err()
                .map(|e| format!("{}: {}", f.display(), crate::preflight::causes(&e)))
        })
        .collect()
}

/// One folder or file holding every feature to run: the one given, or a
/// fresh folder with copies of several (cucumber reads one input per run).
fn staged_input(features: &[PathBuf]) -> io::Result<PathBuf> {
    if let [one] = features {
        return Ok(one.clone());
    }
    // One folder per run: lanes of one process run side by side.
    static RUNS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = RUNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("atcert-features-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    for (n, path) in feature_files(features).iter().enumerate() {
        let name = path
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default();
        std::fs::copy(path, dir.join(format!("{n:03}-{name}")))?;
    }
    Ok(dir)
}

/// A scenario as a lane knows it: feature, name, line.
type Key = (String, String, usize);

/// The scenarios one lane runs: those dealt to it, and (the first lane)
/// any the dealing did not know of.
#[derive(Clone)]
struct Share {
    mine: Arc<BTreeSet<Key>>,
    known: Arc<BTreeSet<Key>>,
    first: bool,
}

impl Share {
    fn runs(&self, f: &Feature, s: &Scenario) -> bool {
        let key = (f.name.clone(), s.name.clone(), s.position.line);
        self.mine.contains(&key) || (self.first && !self.known.contains(&key))
    }
}

/// Runs `cfg` as `lanes` runs side by side, each with a lab of its own.
/// A serial DUT mostly waits in real time, for as long as the scenario
/// takes in simulated time: so the simulator runs the same scenarios
/// first (a fraction of a second), and they are dealt out longest first,
/// each to the lane with the least time so far.
fn run_in_lanes(cfg: &Config, lanes: u8) -> Result<Vec<ScenarioResult>, String> {
    if lanes == 1 {
        return run(cfg);
    }
    let estimate = run(&Config {
        tags: Some(cfg.tags()),
        junit: None,
        progress: false,
        dut: None,
        ..cfg.clone()
    })?;
    let mut by_time: Vec<_> = estimate
        .into_iter()
        .map(|r| (r.took, (r.feature, r.name, r.line)))
        .collect();
    by_time.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    let known: Arc<BTreeSet<Key>> = Arc::new(by_time.iter().map(|(_, k)| k.clone()).collect());
    let mut dealt = vec![(std::time::Duration::ZERO, BTreeSet::new()); usize::from(lanes)];
    for (took, key) in by_time {
        let lightest = dealt.iter_mut().min_by_key(|l| l.0).expect("lanes > 0");
        lightest.0 += took;
        lightest.1.insert(key);
    }
    let runs: Vec<_> = dealt
        .into_iter()
        .enumerate()
        .map(|(lane, (_, mine))| {
            let mut c = cfg.clone();
            c.lab = LabMap::new(c.lab.scenario, [127, 0, lane as u8 + 1]);
            let share = Share {
                mine: Arc::new(mine),
                known: known.clone(),
                first: lane == 0,
            };
            std::thread::spawn(move || run_share(&c, Some(share)))
        })
        .collect();
    let mut results = Vec::new();
    for r in runs {
        results.extend(r.join().map_err(|_| "a lane panicked".to_string())??);
    }
    Ok(results)
}

/// The body of a `harness = false` test: runs the repository's features
/// (or `ATCERT_FEATURES`, relative to the repository, and `ATCERT_TAGS`)
/// on `dut` for the dialect `ATCERT_DIALECT` names (default `seed`),
/// prints each failure with its seed and transcript and the closing line
/// `<label>: N passed, N failed`, and returns the results and whether the
/// run counts as a pass (something ran, nothing failed).
///
/// With `lanes` above 1 (a serial DUT, which mostly waits in real time) the
/// feature files are dealt out to that many runs side by side, each with a
/// lab of its own (`192.168.0.0/24` = `127.0.<lane + 1>.0/24`).
pub fn test_main(label: &str, dut: Option<Target>, lanes: u8) -> (Vec<ScenarioResult>, bool) {
    match env_dialect() {
        Ok(dialect) => test_main_for(label, dut, lanes, dialect),
        Err(e) => {
            eprintln!("{label}: {e}");
            (Vec::new(), false)
        }
    }
}

/// As [`test_main`], for `dialect` whatever `ATCERT_DIALECT` says.
pub fn test_main_for(
    label: &str,
    dut: Option<Target>,
    lanes: u8,
    dialect: &'static Dialect,
) -> (Vec<ScenarioResult>, bool) {
    // Relative paths are the repository's, as a person at its root means
    // them (cargo runs a test from its crate's folder).
    let root = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/.."));
    let features =
        std::env::var_os("ATCERT_FEATURES").map_or_else(|| root.join("features"), |p| root.join(p));
    let base = Config {
        features: vec![features],
        tags: std::env::var("ATCERT_TAGS").ok(),
        seed: 1,
        junit: None,
        progress: false,
        label: String::new(),
        dut,
        lab: LabMap::default(),
        dialect,
    };
    let results = match run_in_lanes(&base, lanes.max(1)) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{label}: {e}");
            return (Vec::new(), false);
        }
    };
    let failed: Vec<_> = results.iter().filter(|r| r.status.is_failed()).collect();
    let skipped = results
        .iter()
        .filter(|r| matches!(r.status, Status::Skipped(_)))
        .count();
    for r in &failed {
        let transcript = r.transcript.as_deref().unwrap_or("");
        eprintln!(
            "FAILED {}: {} (seed {})\n{:?}\n{transcript}",
            r.feature, r.name, r.seed, r.status
        );
    }
    if results.is_empty() {
        eprintln!("{label}: no scenario ran (check ATCERT_FEATURES and ATCERT_TAGS)");
        return (results, false);
    }
    println!(
        "{label}: {} passed, {} failed, {skipped} skipped",
        results.len() - failed.len() - skipped,
        failed.len()
    );
    let ok = failed.is_empty();
    (results, ok)
}

#[cfg(test)]
mod tests {
    use super::*;
    use cucumber::gherkin::tagexpr::TagOperation;

    fn selects(cfg: &Config, tags: &[&str]) -> bool {
        let op: TagOperation = cfg.tags().parse().expect("parses");
        op.eval(
            tags.iter()
                .map(|t| (*t).to_string())
                .collect::<Vec<_>>()
                .iter(),
        )
    }

    /// A run certifies one dialect: untagged scenarios and `@seed` ones are
    /// the seed dialect's; `@esp-at` ones are left out of it, whatever the
    /// tags asked.
    #[test]
    fn a_seed_run_leaves_other_dialects_scenarios_out() {
        let mut cfg = Config {
            features: Vec::new(),
            tags: None,
            seed: 1,
            junit: None,
            progress: false,
            label: String::new(),
            dut: None,
            lab: LabMap::default(),
            dialect: &firmware_core::SEED,
        };
        assert!(selects(&cfg, &["SD-2"]));
        assert!(selects(&cfg, &["SD-2", "seed"]));
        assert!(!selects(&cfg, &["SD-2", "esp-at"]));
        assert!(selects(&cfg, &["tls"]), "TLS scenarios run by default");
        cfg.tags = Some("@SD-2 or @esp-at".into());
        assert!(selects(&cfg, &["SD-2"]));
        assert!(!selects(&cfg, &["esp-at"]));
        assert_eq!(dialect_tags("esp-at"), "@esp-at");
        cfg.dialect = &firmware_core::ESP_AT;
        cfg.tags = None;
        assert!(selects(&cfg, &["EW-4", "esp-at"]));
        assert!(!selects(&cfg, &["SD-2"]));
    }

    #[test]
    fn dialects_are_found_by_name() {
        assert_eq!(dialect("esp-at").map(|d| d.name), Ok("esp-at"));
        let e = dialect("klingon").unwrap_err();
        assert!(e.contains("one of: seed, esp-at"), "{e}");
    }
}
