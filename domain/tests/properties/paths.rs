//! Properties of the path to A, held against `score` (the rule every path must meet)
//! and against brute force over the criteria.

use std::collections::BTreeSet;

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

use domain::{
    AnswerDraft, AnswerValue, Assessment, Definition, PathToA, PathsToA, Rule, Tier, paths_to_a,
    score,
};

use crate::strategies::{Scenario, large_scenario, scenario};

fn parse(s: &Scenario) -> Result<Definition, TestCaseError> {
    Definition::parse(s.draft.clone()).map_err(|errors| TestCaseError::fail(errors.to_string()))
}

fn assess(def: &Definition, answers: &[AnswerDraft]) -> Result<Assessment, TestCaseError> {
    score(def, answers).map_err(|errors| TestCaseError::fail(errors.to_string()))
}

fn search(def: &Definition, answers: &[AnswerDraft]) -> Result<PathsToA, TestCaseError> {
    paths_to_a(def, answers, 5).map_err(|errors| TestCaseError::fail(errors.to_string()))
}

/// `answers` with criterion `index` answered `value`.
fn with(answers: &[AnswerDraft], index: usize, value: &AnswerValue) -> Vec<AnswerDraft> {
    let mut changed = answers.to_vec();
    changed[index].value = value.clone();
    changed
}

/// `answers` with the changes of `path` made (answers are in criteria order).
fn applied(answers: &[AnswerDraft], path: &PathToA) -> Vec<AnswerDraft> {
    let mut changed = answers.to_vec();
    for change in &path.changes {
        if let Some(answer) = changed.iter_mut().find(|a| a.key == change.key.as_str()) {
            answer.value = change.to.clone();
        }
    }
    changed
}

fn is_a(def: &Definition, answers: &[AnswerDraft]) -> Result<bool, TestCaseError> {
    let assessment = assess(def, answers)?;
    Ok(assessment.tier == Tier::A && assessment.knockouts.is_empty())
}

/// Every answer to `rule` worth trying: all of a yes/no, a scale and a choice; for
/// bands, the numbers at and just below every band edge and knockout limit.
fn answers_to(rule: &Rule) -> Vec<AnswerValue> {
    match rule {
        Rule::YesNo(_) => vec![AnswerValue::YesNo(false), AnswerValue::YesNo(true)],
        Rule::Scale(scale) => (scale.min..=scale.max).map(AnswerValue::Scale).collect(),
        Rule::Choice(choice) => choice
            .options
            .iter()
            .map(|o| AnswerValue::Choice(o.key.clone()))
            .collect(),
        Rule::NumberBands(bands) => {
            let edges = bands.bands.iter().filter_map(|band| band.min);
            let edges = edges.chain(bands.knockout_below);
            let numbers = edges.flat_map(|edge| [edge - 1, edge]);
            let numbers = numbers.chain([-1_000_000_000, 1_000_000_000]);
            numbers.map(AnswerValue::Number).collect()
        }
    }
}

/// The answers of criterion `index` that are not knockouts, with their points.
fn fair_answers(
    def: &Definition,
    answers: &[AnswerDraft],
    index: usize,
) -> Result<Vec<(AnswerValue, u32)>, TestCaseError> {
    let mut fair = Vec::new();
    for value in answers_to(def.criteria()[index].rule()) {
        let explained = &assess(def, &with(answers, index, &value))?.explanation[index];
        if !explained.knockout {
            fair.push((value, explained.points_bp.get()));
        }
    }
    Ok(fair)
}

/// The fewest changes that reach A, by brute force: every set of criteria that holds
/// every knockout, each changed to its best answer that is not a knockout.
fn fewest_changes(
    def: &Definition,
    answers: &[AnswerDraft],
) -> Result<Option<usize>, TestCaseError> {
    let now = assess(def, answers)?;
    let mut best = Vec::new();
    for index in 0..answers.len() {
        let fair = fair_answers(def, answers, index)?;
        best.push(fair.into_iter().max_by_key(|(_, points)| *points));
    }
    let mut fewest: Option<usize> = None;
    for set in 0u32..(1 << answers.len()) {
        let mut changed = answers.to_vec();
        let mut possible = true;
        for (index, explained) in now.explanation.iter().enumerate() {
            let chosen = set & (1 << index) != 0;
            match (&best[index], chosen) {
                (Some((value, _)), true) => changed[index].value = value.clone(),
                (None, true) => possible = false,
                (_, false) if explained.knockout => possible = false,
                (_, false) => {}
            }
        }
        let count = set.count_ones() as usize;
        if possible && fewest.is_none_or(|f| count < f) && is_a(def, &changed)? {
            fewest = Some(count);
        }
    }
    Ok(fewest)
}

/// The lowest score of the assignments with the fewest changes that reach A, by brute
/// force over every answer of every criterion; `None` when there are too many to try.
fn lowest_score_of_fewest(
    def: &Definition,
    answers: &[AnswerDraft],
) -> Result<Option<(usize, u32)>, TestCaseError> {
    let now = assess(def, answers)?;
    // Per criterion: what it may become (`None`: unchanged, only if not a knockout now).
    let mut options: Vec<Vec<Option<AnswerValue>>> = Vec::new();
    for (index, explained) in now.explanation.iter().enumerate() {
        let mut these: Vec<Option<AnswerValue>> = Vec::new();
        if !explained.knockout {
            these.push(None);
        }
        let fair = fair_answers(def, answers, index)?;
        these.extend(fair.into_iter().map(|(value, _)| Some(value)));
        options.push(these);
    }
    let count: usize = options.iter().map(Vec::len).product();
    if count > 1_500 {
        return Ok(None);
    }
    let mut best: Option<(usize, u32)> = None;
    for mut number in 0..count {
        let mut changed = answers.to_vec();
        let mut changes = 0;
        for (index, these) in options.iter().enumerate() {
            if let Some(value) = &these[number % these.len()] {
                changed[index].value = value.clone();
                changes += 1;
            }
            number /= these.len();
        }
        let assessment = assess(def, &changed)?;
        if assessment.tier == Tier::A && assessment.knockouts.is_empty() {
            let candidate = (changes, assessment.score_bp.get());
            if best.is_none_or(|best| candidate < best) {
                best = Some(candidate);
            }
        }
    }
    Ok(best)
}

proptest! {
    #[test]
    fn every_path_reaches_a_without_a_knockout_at_the_score_it_reports(s in scenario()) {
        let def = parse(&s)?;
        let now = assess(&def, &s.answers)?;
        let found = search(&def, &s.answers)?;
        prop_assert_eq!(found == PathsToA::AlreadyA, now.tier == Tier::A);
        if let PathsToA::Paths { paths, .. } = &found {
            for path in paths {
                let after = assess(&def, &applied(&s.answers, path))?;
                prop_assert_eq!(after.tier, Tier::A);
                prop_assert!(after.knockouts.is_empty());
                prop_assert_eq!(after.score_bp, path.score_bp);
                for change in &path.changes {
                    let index = def.criteria().iter().position(|c| c.key() == &change.key);
                    let index = index.ok_or_else(|| TestCaseError::fail("unknown key"))?;
                    prop_assert_eq!(&change.from, &s.answers[index].value);
                    prop_assert_ne!(&change.from, &change.to);
                }
            }
        }
    }

    #[test]
    fn paths_come_fewest_changes_first_then_lowest_score(s in scenario()) {
        let def = parse(&s)?;
        if let PathsToA::Paths { paths, .. } = search(&def, &s.answers)? {
            let order: Vec<(usize, u32)> = paths
                .iter()
                .map(|p| (p.changes.len(), p.score_bp.get()))
                .collect();
            let mut sorted = order.clone();
            sorted.sort_unstable();
            prop_assert_eq!(order, sorted);
            prop_assert!(paths.len() <= 5);
        }
    }

    #[test]
    fn no_path_holds_every_criterion_of_a_shorter_one(s in scenario()) {
        let def = parse(&s)?;
        if let PathsToA::Paths { paths, .. } = search(&def, &s.answers)? {
            let sets: Vec<BTreeSet<String>> = paths
                .iter()
                .map(|p| p.changes.iter().map(|c| c.key.to_string()).collect())
                .collect();
            for longer in &sets {
                for shorter in sets.iter().filter(|set| set.len() < longer.len()) {
                    prop_assert!(!shorter.is_subset(longer), "{shorter:?} within {longer:?}");
                }
            }
        }
    }

    #[test]
    fn no_change_can_be_left_out_or_lowered(s in scenario()) {
        let def = parse(&s)?;
        if let PathsToA::Paths { paths, .. } = search(&def, &s.answers)? {
            for path in &paths {
                let changed = applied(&s.answers, path);
                for change in &path.changes {
                    let index = def.criteria().iter().position(|c| c.key() == &change.key);
                    let index = index.ok_or_else(|| TestCaseError::fail("unknown key"))?;
                    prop_assert!(!is_a(&def, &with(&changed, index, &change.from))?);
                    for (lower, _) in fair_answers(&def, &changed, index)?
                        .into_iter()
                        .filter(|(_, points)| *points < change.to_points_bp.get())
                    {
                        prop_assert!(
                            !is_a(&def, &with(&changed, index, &lower))?,
                            "{} could be {lower:?} instead of {:?}", change.key, change.to
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn every_path_changes_every_knockout(s in scenario()) {
        let def = parse(&s)?;
        let now = assess(&def, &s.answers)?;
        if let PathsToA::Paths { paths, .. } = search(&def, &s.answers)? {
            for path in &paths {
                for knockout in &now.knockouts {
                    prop_assert!(path.changes.iter().any(|c| &c.key == knockout));
                }
            }
        }
    }

    #[test]
    fn the_first_path_has_the_fewest_changes_and_unreachable_means_none_reach_a(
        s in scenario()
    ) {
        let def = parse(&s)?;
        let fewest = fewest_changes(&def, &s.answers)?;
        match search(&def, &s.answers)? {
            PathsToA::AlreadyA => prop_assert_eq!(fewest, Some(0)),
            PathsToA::Unreachable => prop_assert_eq!(fewest, None),
            PathsToA::Paths { paths, complete } => {
                prop_assert!(fewest.is_some_and(|f| f > 0));
                if complete {
                    prop_assert_eq!(paths.first().map(|p| p.changes.len()), fewest);
                }
            }
        }
    }

    #[test]
    fn the_first_path_has_the_lowest_score_of_the_fewest_changes(s in scenario()) {
        let def = parse(&s)?;
        let Some(best) = lowest_score_of_fewest(&def, &s.answers)? else {
            return Ok(());
        };
        if let PathsToA::Paths { paths, complete: true } = search(&def, &s.answers)? {
            let first = paths.first().map(|p| (p.changes.len(), p.score_bp.get()));
            prop_assert_eq!(first, Some(best));
        }
    }
}

proptest! {
    // Up to 50 criteria: a search may run to its node cap, so fewer cases.
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn paths_over_up_to_50_criteria_reach_a_and_none_can_lose_a_change(s in large_scenario()) {
        let def = parse(&s)?;
        if let PathsToA::Paths { paths, .. } = search(&def, &s.answers)? {
            for path in &paths {
                let changed = applied(&s.answers, path);
                prop_assert!(is_a(&def, &changed)?);
                for change in &path.changes {
                    let index = def.criteria().iter().position(|c| c.key() == &change.key);
                    let index = index.ok_or_else(|| TestCaseError::fail("unknown key"))?;
                    prop_assert!(!is_a(&def, &with(&changed, index, &change.from))?);
                }
            }
        }
    }
}
