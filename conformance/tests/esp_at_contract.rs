//! The `esp-at` dialect's contract (`spec/esp-at.md`) and its scenarios
//! (`features/esp-at/`) agree: every feature file parses, every scenario is
//! an `@esp-at` one tagged with clauses the contract defines, every clause
//! is tagged by some scenario and cites its source, no clause is defined
//! twice, and every step is a sentence of `spec/STEPS.md`.
//!
//! A seed run leaves `@esp-at` scenarios out (`atcert run --dialect esp-at`
//! runs them), so a seed `cargo test` would not notice a typo in them;
//! this test does.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use conformance::AtWorld;
use conformance::preflight::{expand, for_each_scenario, rows};
use cucumber::World as _;
use cucumber::gherkin::{Feature, GherkinEnv, Scenario, Step};

/// The repository's root.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("conformance/ has a parent")
        .to_path_buf()
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A clause ID: upper-case letters, `-`, digits (`EG-1`).
fn is_clause_id(s: &str) -> bool {
    let Some((family, number)) = s.split_once('-') else {
        return false;
    };
    !family.is_empty()
        && family.bytes().all(|b| b.is_ascii_uppercase())
        && !number.is_empty()
        && number.bytes().all(|b| b.is_ascii_digit())
}

/// One clause of a contract: its ID, the line it is defined on, its text
/// up to the next clause or heading.
struct Clause {
    id: String,
    line: usize,
    text: String,
}

/// The clauses a contract defines: list items that start `- **<ID>**`.
fn clauses(spec: &str) -> Vec<Clause> {
    let mut out: Vec<Clause> = Vec::new();
    let mut open = false;
    for (n, line) in spec.lines().enumerate() {
        let id = line
            .strip_prefix("- **")
            .and_then(|rest| rest.split_once("**"))
            .map(|(id, _)| id)
            .filter(|id| is_clause_id(id));
        if let Some(id) = id {
            out.push(Clause {
                id: id.to_string(),
                line: n + 1,
                text: line.to_string(),
            });
            open = true;
        } else if line.starts_with('#') {
            open = false;
        } else if open {
            let clause = out.last_mut().expect("open clause");
            clause.text.push('\n');
            clause.text.push_str(line);
        }
    }
    out
}

fn spec_clauses() -> Vec<Clause> {
    clauses(&read(&root().join("conformance/spec/esp-at.md")))
}

/// Every `.feature` file under `dir`, sorted.
fn feature_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(p) = stack.pop() {
        if p.is_dir() {
            for entry in std::fs::read_dir(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display())) {
                stack.push(entry.expect("a directory entry").path());
            }
        } else if p.extension().is_some_and(|e| e == "feature") {
            files.push(p);
        }
    }
    files.sort();
    files
}

/// One run of a scenario: where it is, its tags (feature's, rule's, its
/// own and its examples'), and its steps (backgrounds first) with an
/// outline row's values in place.
struct Run {
    place: String,
    tags: Vec<String>,
    steps: Vec<Step>,
}

/// Every run of every scenario of `feature` (an outline once per row).
fn runs(feature: &Feature, file: &Path) -> Vec<Run> {
    let mut out = Vec::new();
    let mut add = |steps: &[Step], scenario: &Scenario, tags: Vec<String>| {
        let rows = rows(scenario);
        for (values, row_tags) in rows {
            let all: Vec<String> = tags.iter().chain(&row_tags).cloned().collect();
            out.push(Run {
                place: format!(
                    "{}:{} ({})",
                    file.display(),
                    scenario.position.line,
                    scenario.name
                ),
                tags: all,
                steps: steps
                    .iter()
                    .chain(&scenario.steps)
                    .map(|s| expand(s, &values))
                    .collect(),
            });
        }
    };
    for_each_scenario(feature, &mut add);
    out
}

/// Every run of every feature file under `features/esp-at`, or the files
/// that do not parse.
fn esp_at_runs() -> Result<Vec<Run>, Vec<String>> {
    let dir = root().join("features/esp-at");
    let files = feature_files(&dir);
    assert!(!files.is_empty(), "no .feature file in {}", dir.display());
    let mut broken = Vec::new();
    let mut all = Vec::new();
    for f in files {
        match Feature::parse_path(&f, GherkinEnv::default()) {
            Ok(feature) => all.extend(runs(&feature, &f)),
            Err(e) => broken.push(format!("{}: {}", f.display(), causes(&e))),
        }
    }
    if broken.is_empty() {
        Ok(all)
    } else {
        Err(broken)
    }
}

/// An error with its causes: a Gherkin parse error's line and column sit
/// in its source.
fn causes(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

fn parsed_runs() -> Vec<Run> {
    esp_at_runs()
        .unwrap_or_else(|broken| panic!("feature files that do not parse:\n{}", broken.join("\n")))
}

#[test]
fn every_esp_at_feature_file_parses() {
    let runs = parsed_runs();
    assert!(!runs.is_empty(), "features/esp-at holds no scenario");
}

#[test]
fn every_clause_cites_its_source_and_is_defined_once() {
    let clauses = spec_clauses();
    assert!(!clauses.is_empty(), "esp-at.md defines no clause");
    let mut problems = Vec::new();
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for c in &clauses {
        if let Some(first) = seen.insert(&c.id, c.line) {
            problems.push(format!(
                "{} is defined twice (lines {first} and {})",
                c.id, c.line
            ));
        }
        if !c.text.contains("Source: ") {
            problems.push(format!("{} (line {}) has no `Source:` line", c.id, c.line));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn clause_families_do_not_collide_with_the_seed_dialect() {
    let seed: BTreeSet<String> = clauses(&read(&root().join("conformance/spec/DECISIONS.md")))
        .into_iter()
        .map(|c| c.id.split_once('-').expect("an ID").0.to_string())
        .collect();
    assert!(!seed.is_empty(), "DECISIONS.md defines no clause");
    let clashes: Vec<String> = spec_clauses()
        .into_iter()
        .filter(|c| seed.contains(c.id.split_once('-').expect("an ID").0))
        .map(|c| c.id)
        .collect();
    assert!(
        clashes.is_empty(),
        "esp-at.md uses families of DECISIONS.md: {}",
        clashes.join(" ")
    );
}

#[test]
fn every_scenario_is_esp_at_and_tags_defined_clauses_only() {
    let defined: BTreeSet<String> = spec_clauses().into_iter().map(|c| c.id).collect();
    let mut problems = Vec::new();
    for run in parsed_runs() {
        if !run.tags.iter().any(|t| t == "esp-at") {
            problems.push(format!("{}: not tagged @esp-at", run.place));
        }
        let ids: Vec<&String> = run.tags.iter().filter(|t| is_clause_id(t)).collect();
        if !ids.iter().any(|t| defined.contains(*t)) {
            problems.push(format!("{}: tags no clause of esp-at.md", run.place));
        }
        for t in ids.iter().filter(|t| !defined.contains(**t)) {
            problems.push(format!("{}: @{t} is no clause of esp-at.md", run.place));
        }
    }
    problems.dedup();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_clause_has_a_scenario() {
    let tagged: BTreeSet<String> = parsed_runs().into_iter().flat_map(|r| r.tags).collect();
    let uncovered: Vec<String> = spec_clauses()
        .into_iter()
        .filter(|c| !tagged.contains(&c.id))
        .map(|c| c.id)
        .collect();
    assert!(
        uncovered.is_empty(),
        "clauses of esp-at.md with no scenario: {}",
        uncovered.join(" ")
    );
}

#[test]
fn every_step_is_a_sentence_of_steps_md() {
    let library = AtWorld::collection();
    let mut problems = Vec::new();
    let mut implemented = 0;
    for run in parsed_runs() {
        for step in &run.steps {
            match library.find(step) {
                Ok(Some(_)) => implemented += 1,
                Ok(None) => problems.push(format!(
                    "{}, line {}: no sentence of STEPS.md matches `{} {}`",
                    run.place,
                    step.position.line,
                    step.keyword.trim(),
                    step.value
                )),
                Err(e) => problems.push(format!(
                    "{}, line {}: `{}` matches more than one sentence: {e}",
                    run.place, step.position.line, step.value
                )),
            }
        }
    }
    problems.dedup();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // The step library is linked in: a collection that matches nothing
    // would make every step an error, and say so above.
    assert!(implemented > 0, "the step library matched no step at all");
}
