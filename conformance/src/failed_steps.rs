//! Which step stopped each scenario.
//!
//! cucumber tells the `after` hook that a step failed, not which one; its
//! events say which. [`FailedSteps`] is the run's cucumber writer: it keeps,
//! for each scenario that ran, the step that failed (a step the DUT cannot
//! carry out, [`Skip`](crate::dut::Skip), fails to cucumber too) or matched
//! no sentence, and [`FailedSteps::fill`] puts them into the results once
//! the run is over.

use std::collections::BTreeMap;

use cucumber::gherkin::{Background, Feature, Rule, Scenario, Step};
use cucumber::{Event, Writer, cli, event, parser};

use crate::runner::ScenarioResult;
use crate::world::AtWorld;

/// A step as written: keyword and text (`When the host sends AT`).
pub fn as_written(step: &Step) -> String {
    format!("{} {}", step.keyword.trim(), step.value)
}

/// A scenario's steps as written, in the order they run: the feature's
/// Background, the rule's, then its own.
pub fn steps_of(feature: &Feature, rule: Option<&Rule>, scenario: &Scenario) -> Vec<String> {
    all_steps(feature, rule, scenario).map(as_written).collect()
}

fn all_steps<'a>(
    feature: &'a Feature,
    rule: Option<&'a Rule>,
    scenario: &'a Scenario,
) -> impl Iterator<Item = &'a Step> {
    let background = |b: Option<&'a Background>| b.into_iter().flat_map(|b| &b.steps);
    background(feature.background.as_ref())
        .chain(background(rule.and_then(|r| r.background.as_ref())))
        .chain(&scenario.steps)
}

/// The step that stopped a scenario: its index in [`steps_of`] and its text.
type Stopped = (Option<usize>, String);

/// The run's writer: the step that stopped each scenario.
#[derive(Debug, Default)]
pub struct FailedSteps {
    /// By feature and scenario name, for each time a scenario so named
    /// started (Scenario Outline rows may share a name), in order.
    seen: BTreeMap<(String, String), Vec<Option<Stopped>>>,
}

impl FailedSteps {
    /// Sets `failed_step` and `failed_step_index` of `results` (in the
    /// order the scenarios ran, as the runner collects them).
    pub fn fill(&self, results: &mut [ScenarioResult]) {
        let mut taken: BTreeMap<(String, String), usize> = BTreeMap::new();
        for r in results {
            let key = (r.feature.clone(), r.name.clone());
            let n = taken.entry(key.clone()).or_default();
            if let Some(Some((at, step))) = self.seen.get(&key).and_then(|runs| runs.get(*n)) {
                r.failed_step = Some(step.clone());
                r.failed_step_index = *at;
            }
            *n += 1;
        }
    }
}

impl Writer<AtWorld> for FailedSteps {
    type Cli = cli::Empty;

    async fn handle_event(
        &mut self,
        event: parser::Result<Event<event::Cucumber<AtWorld>>>,
        _: &cli::Empty,
    ) {
        let Ok(event) = event else { return };
        let event::Cucumber::Feature(feature, event) = event.value else {
            return;
        };
        let (rule, scenario, event) = match event {
            event::Feature::Scenario(s, e) => (None, s, e.event),
            event::Feature::Rule(r, event::Rule::Scenario(s, e)) => (Some(r), s, e.event),
            _ => return,
        };
        let runs = self
            .seen
            .entry((feature.name.clone(), scenario.name.clone()))
            .or_default();
        let step = match event {
            event::Scenario::Started => return runs.push(None),
            event::Scenario::Background(step, event::Step::Failed(..) | event::Step::Skipped)
            | event::Scenario::Step(step, event::Step::Failed(..) | event::Step::Skipped) => step,
            _ => return,
        };
        let at = all_steps(&feature, rule.as_deref(), &scenario)
            .position(|s| s.position == step.position && s.value == step.value);
        if let Some(last) = runs.last_mut() {
            // The first one: nothing runs after a step that stopped it.
            last.get_or_insert((at, as_written(&step)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_written_with_their_keyword_background_first() {
        let text = "Feature: F\n\n  Background:\n    Given the module has just booted\n\n  Rule: R\n\n    Background:\n      When the host sends AT\n\n    Scenario: S\n      Then the module replies OK\n      And the module stays silent for 200 ms\n";
        let f = Feature::parse(text, cucumber::gherkin::GherkinEnv::default()).expect("parses");
        let rule = &f.rules[0];
        assert_eq!(
            steps_of(&f, Some(rule), &rule.scenarios[0]),
            [
                "Given the module has just booted",
                "When the host sends AT",
                "Then the module replies OK",
                "And the module stays silent for 200 ms"
            ]
        );
    }
}
