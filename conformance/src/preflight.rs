//! What is checked before a run starts, so that a mistake in the selection
//! or in a feature file is an error with its place, not a run that looks
//! green: which scenarios the tags select (and how many, for `[n/total]`),
//! steps that match no sentence of `spec/STEPS.md` (with the nearest ones),
//! and feature paths given twice.

use std::path::PathBuf;

use cucumber::World as _;
use cucumber::gherkin::tagexpr::TagOperation;
use cucumber::gherkin::{Feature, GherkinEnv, Scenario, Step};
use cucumber::tag::Ext as _;

use crate::world::AtWorld;

/// The problem of a selection that selects nothing.
pub const NOTHING_SELECTED: &str = "the tag expression selects no scenario";

/// The step vocabulary, for suggestions.
const STEPS: &str = include_str!("../spec/STEPS.md");

/// How many scenarios (outline rows expanded) `filter` selects in `files`,
/// or every problem found, each with its file and line.
pub fn check(files: &[PathBuf], filter: &TagOperation) -> Result<usize, Vec<String>> {
    let mut problems = Vec::new();
    let mut seen = Vec::new();
    for f in files {
        let canonical = f.canonicalize().unwrap_or_else(|_| f.clone());
        if seen.contains(&canonical) {
            problems.push(format!("{}: given twice", f.display()));
        }
        seen.push(canonical);
    }
    let steps = AtWorld::collection();
    let mut selected = 0;
    for f in files {
        let feature = match Feature::parse_path(f, GherkinEnv::default()) {
            Ok(feature) => feature,
            Err(e) => {
                problems.push(format!("{}: {}", f.display(), causes(&e)));
                continue;
            }
        };
        let mut visit = |background: &[Step], scenario: &Scenario, tags: Vec<String>| {
            for (row, row_tags) in rows(scenario) {
                let all: Vec<String> = tags.iter().chain(&row_tags).cloned().collect();
                if !filter.eval(all.iter()) {
                    continue;
                }
                selected += 1;
                for step in background.iter().chain(&scenario.steps) {
                    let step = expand(step, &row);
                    match steps.find(&step) {
                        Ok(Some(_)) => {}
                        Ok(None) => problems.push(format!(
                            "{}:{}: no sentence of spec/STEPS.md matches `{} {}`; nearest: {}",
                            f.display(),
                            step.position.line,
                            step.keyword.trim(),
                            step.value,
                            nearest(&step.value).join(" | ")
                        )),
                        Err(e) => problems.push(format!(
                            "{}:{}: `{}` matches more than one sentence: {e}",
                            f.display(),
                            step.position.line,
                            step.value
                        )),
                    }
                }
            }
        };
        for_each_scenario(&feature, &mut visit);
    }
    if selected == 0 && problems.is_empty() {
        problems.push(NOTHING_SELECTED.into());
    }
    if problems.is_empty() {
        Ok(selected)
    } else {
        Err(problems)
    }
}

/// An error with its causes: a Gherkin parse error's line, column and what
/// was expected there sit in its source.
pub fn causes(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// Calls `visit` with each scenario of `feature`, the Background steps
/// that run before it (the feature's, then its rule's) and its tags (the
/// feature's, its rule's and its own).
pub fn for_each_scenario(
    feature: &Feature,
    mut visit: impl FnMut(&[Step], &Scenario, Vec<String>),
) {
    let background = feature
        .background
        .as_ref()
        .map_or(&[][..], |b| &b.steps[..]);
    for s in &feature.scenarios {
        let tags = feature.tags.iter().chain(&s.tags).cloned().collect();
        visit(background, s, tags);
    }
    for rule in &feature.rules {
        let mut steps_of_rule: Vec<Step> = background.to_vec();
        if let Some(b) = &rule.background {
            steps_of_rule.extend(b.steps.iter().cloned());
        }
        for s in &rule.scenarios {
            let tags = feature
                .tags
                .iter()
                .chain(&rule.tags)
                .chain(&s.tags)
                .cloned()
                .collect();
            visit(&steps_of_rule, s, tags);
        }
    }
}

/// One run of a scenario: an outline row's placeholder → value pairs, and
/// its examples' tags.
pub type Row = (Vec<(String, String)>, Vec<String>);

/// A scenario's runs: one with no values, or one per examples row.
pub fn rows(scenario: &Scenario) -> Vec<Row> {
    if scenario.examples.is_empty() {
        return vec![(Vec::new(), Vec::new())];
    }
    let mut out = Vec::new();
    for ex in &scenario.examples {
        let Some(table) = &ex.table else { continue };
        let Some((head, body)) = table.rows.split_first() else {
            continue;
        };
        for row in body {
            let values = head.iter().cloned().zip(row.iter().cloned()).collect();
            out.push((values, ex.tags.clone()));
        }
    }
    out
}

/// `step` with an outline row's values in place of its `<placeholders>`.
pub fn expand(step: &Step, row: &[(String, String)]) -> Step {
    let mut step = step.clone();
    for (name, value) in row {
        let p = format!("<{name}>");
        step.value = step.value.replace(&p, value);
        if let Some(d) = &mut step.docstring {
            *d = d.replace(&p, value);
        }
    }
    step
}

/// The three sentences of STEPS.md closest to `text` (by words in common,
/// in order), to show what was probably meant.
fn nearest(text: &str) -> Vec<String> {
    let sentences: Vec<&str> = STEPS
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("- `"))
        .filter_map(|l| l.split('`').next())
        .collect();
    let words: Vec<String> = text.split_whitespace().map(str::to_lowercase).collect();
    let score = |s: &str| {
        let theirs: Vec<String> = s.split_whitespace().map(str::to_lowercase).collect();
        // Words in common, and a bonus for a common start.
        let common = theirs.iter().filter(|w| words.contains(w)).count();
        let prefix = theirs
            .iter()
            .zip(&words)
            .take_while(|(a, b)| a == b)
            .count();
        common + 2 * prefix
    };
    let mut ranked: Vec<(usize, &str)> = sentences.iter().map(|s| (score(s), *s)).collect();
    ranked.sort_by_key(|r| std::cmp::Reverse(r.0));
    ranked
        .into_iter()
        .take(3)
        .map(|(_, s)| format!("`{s}`"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir_with(text: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "atcert-preflight-{}-{}",
            std::process::id(),
            text.len()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("x.feature");
        std::fs::write(&f, text).unwrap();
        f
    }

    fn all() -> TagOperation {
        "not @nothing".parse().unwrap()
    }

    #[test]
    fn counts_outline_rows_and_quotes_an_undefined_step_with_suggestions() {
        let f = dir_with(
            "Feature: f\n\n  Scenario Outline: o\n    Given the module has just booted\n    When the host sends AT+CIPMUX=<m>\n\n    Examples:\n      | m |\n      | 0 |\n      | 1 |\n",
        );
        assert_eq!(check(std::slice::from_ref(&f), &all()), Ok(2));
        let bad = dir_with("Feature: g\n\n  Scenario: s\n    Given the module just booted\n");
        let errs = check(&[bad], &all()).unwrap_err();
        assert!(errs[0].contains(":4: no sentence"), "{errs:?}");
        assert!(errs[0].contains("the module has just booted"), "{errs:?}");
    }

    #[test]
    fn tags_selecting_nothing_and_a_path_given_twice_are_errors() {
        let f =
            dir_with("Feature: h\n\n  @A\n  Scenario: s\n    Given the module has just booted\n");
        let none: TagOperation = "@B".parse().unwrap();
        assert!(check(std::slice::from_ref(&f), &none).unwrap_err()[0].contains("selects no"));
        assert!(check(&[f.clone(), f], &all()).unwrap_err()[0].contains("given twice"));
    }
}
