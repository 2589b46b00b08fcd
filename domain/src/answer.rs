//! Answers to criteria: matching them to a definition and turning each into points.

use serde::{Deserialize, Serialize};

use crate::error::Problems;
use crate::exact::Points;
use crate::key::CriterionKey;
use crate::rule::{ChoiceRule, NumberBandsRule, Rule, ScaleRule, YesNoRule};
use crate::template::Definition;

/// The answer to one criterion; its kind must match the criterion's rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum AnswerValue {
    YesNo(bool),
    Scale(i32),
    /// The key of the chosen option.
    Choice(String),
    Number(i64),
    /// Scores 0 points and is flagged: not knowing is no reason to be optimistic.
    Unknown,
}

/// An answer as given: `key` is whatever the caller sent, not yet matched to a criterion
/// ([`crate::qualify`] and [`crate::score`] check it against the definition). Never
/// stored; serde is for requests that carry answers in this shape (the benchmark's
/// baseline server and its load generator).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AnswerDraft {
    pub key: String,
    pub value: AnswerValue,
}

/// An answer to the criterion with key `key`, as a qualification keeps it: the key is a
/// criterion's (taken from the definition it was checked against), so a stored answer
/// whose key is not a slug does not read back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Answer {
    pub key: CriterionKey,
    pub value: AnswerValue,
}

/// What one answer is worth.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Evaluation {
    /// 0..=10000 basis points (the rule's 0..=100 points), exactly: a scale's are a fraction.
    pub(crate) points: Points,
    pub(crate) knockout: bool,
    pub(crate) unknown: bool,
}

/// How one criterion was answered in a list of answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Slot {
    Unanswered,
    /// Answered with a value the rule rejects (already reported).
    Invalid,
    /// Answered by the draft at `index` in the list given.
    Answered {
        evaluation: Evaluation,
        index: usize,
    },
}

/// Stored answers sorted into the definition's criteria order (the order a qualification
/// shows them in). [`crate::qualify`] returns its answers in that order already; rows
/// stored before it did keep the order the answers were sent in. Answers to keys that are
/// not criteria of `def` keep their order after the others.
pub fn in_criteria_order(def: &Definition, answers: &[Answer]) -> Vec<Answer> {
    let position = |answer: &Answer| {
        def.criteria()
            .iter()
            .position(|c| *c.key() == answer.key)
            .unwrap_or(usize::MAX)
    };
    let mut sorted = answers.to_vec();
    sorted.sort_by_key(position);
    sorted
}

/// Evaluates `answers` (found at `path`) against `def`: one slot per criterion,
/// in definition order. Reports `path.N.key` for an unknown or repeated key and
/// `path.N.value` for a value the criterion's rule rejects.
pub(crate) fn evaluate_answers(
    def: &Definition,
    answers: &[AnswerDraft],
    path: &str,
    problems: &mut Problems,
) -> Vec<Slot> {
    let mut slots = vec![Slot::Unanswered; def.criteria().len()];
    for (index, answer) in answers.iter().enumerate() {
        let position = def
            .criteria()
            .iter()
            .position(|c| c.key().as_str() == answer.key);
        let Some(position) = position else {
            problems.add(
                format!("{path}.{index}.key"),
                "is not a criterion of this template",
            );
            continue;
        };
        if slots[position] != Slot::Unanswered {
            problems.add(format!("{path}.{index}.key"), "is answered more than once");
            continue;
        }
        slots[position] = match evaluate(def.criteria()[position].rule(), &answer.value) {
            Ok(evaluation) => Slot::Answered { evaluation, index },
            Err(message) => {
                problems.add(format!("{path}.{index}.value"), message);
                Slot::Invalid
            }
        };
    }
    slots
}

/// The evaluations of a complete set of answers; reports at `path` the keys of
/// criteria left unanswered. Complete (one per criterion) when nothing was reported.
pub(crate) fn require_all(
    def: &Definition,
    slots: &[Slot],
    path: &str,
    problems: &mut Problems,
) -> Vec<Evaluation> {
    let mut missing = Vec::new();
    let mut evaluations = Vec::with_capacity(slots.len());
    for (criterion, slot) in def.criteria().iter().zip(slots) {
        match slot {
            Slot::Answered { evaluation, .. } => evaluations.push(*evaluation),
            Slot::Unanswered => missing.push(criterion.key().as_str()),
            Slot::Invalid => {}
        }
    }
    if !missing.is_empty() {
        problems.add(path, format!("missing answers for: {}", missing.join(", ")));
    }
    evaluations
}

/// The answers of `drafts` that `slots` (from [`evaluate_answers`] over them) found
/// answering a criterion, checked: in the definition's criteria order, each keyed by its
/// criterion's key.
pub(crate) fn checked_answers(
    def: &Definition,
    drafts: &[AnswerDraft],
    slots: &[Slot],
) -> Vec<Answer> {
    def.criteria()
        .iter()
        .zip(slots)
        .filter_map(|(criterion, slot)| match slot {
            Slot::Answered { index, .. } => drafts.get(*index).map(|draft| Answer {
                key: criterion.key().clone(),
                value: draft.value.clone(),
            }),
            Slot::Unanswered | Slot::Invalid => None,
        })
        .collect()
}

/// The points and knockout of one answer, or why the rule rejects it.
pub(crate) fn evaluate(rule: &Rule, value: &AnswerValue) -> Result<Evaluation, String> {
    match (rule, value) {
        (_, AnswerValue::Unknown) => Ok(Evaluation {
            points: Points::whole(0),
            // Not knowing whether a knockout applies is treated as if it does.
            knockout: rule.has_knockout(),
            unknown: true,
        }),
        (Rule::YesNo(rule), AnswerValue::YesNo(yes)) => Ok(evaluate_yes_no(rule, *yes)),
        (Rule::Scale(rule), AnswerValue::Scale(value)) => evaluate_scale(rule, *value),
        (Rule::Choice(rule), AnswerValue::Choice(key)) => evaluate_choice(rule, key),
        (Rule::NumberBands(rule), AnswerValue::Number(value)) => Ok(evaluate_number(rule, *value)),
        (Rule::YesNo(_), _) => Err("must be a yes/no answer".into()),
        (Rule::Scale(_), _) => Err("must be a scale answer".into()),
        (Rule::Choice(_), _) => Err("must be a choice answer".into()),
        (Rule::NumberBands(_), _) => Err("must be a number answer".into()),
    }
}

fn known(points: u32, knockout: bool) -> Evaluation {
    Evaluation {
        points: Points::whole(points * 100),
        knockout,
        unknown: false,
    }
}

fn evaluate_yes_no(rule: &YesNoRule, yes: bool) -> Evaluation {
    let points = if yes { rule.yes_points } else { rule.no_points };
    known(points, rule.knockout_on == Some(yes))
}

/// Linear from min (0 bp) to max (10000 bp), exactly: `10000 * (value - min) / (max - min)`.
fn evaluate_scale(rule: &ScaleRule, value: i32) -> Result<Evaluation, String> {
    if !(rule.min..=rule.max).contains(&value) {
        return Err(format!("must be between {} and {}", rule.min, rule.max));
    }
    // Both differences fit: a parsed scale spans at most 100.
    let offset = (value - rule.min).unsigned_abs();
    let span = (rule.max - rule.min).unsigned_abs();
    Ok(Evaluation {
        points: Points::share(10_000, offset, span),
        knockout: rule.knockout_below.is_some_and(|below| value < below),
        unknown: false,
    })
}

fn evaluate_choice(rule: &ChoiceRule, key: &str) -> Result<Evaluation, String> {
    match rule.options.iter().find(|option| option.key == key) {
        Some(option) => Ok(known(option.points, option.knockout)),
        None => {
            let keys: Vec<&str> = rule.options.iter().map(|o| o.key.as_str()).collect();
            Err(format!("must be one of: {}", keys.join(", ")))
        }
    }
}

/// The band with the greatest min at or below `value`; the first band is open below.
fn evaluate_number(rule: &NumberBandsRule, value: i64) -> Evaluation {
    let band = rule
        .bands
        .iter()
        .rev()
        .find(|band| band.min.is_none_or(|min| min <= value));
    let points = band.map_or(0, |band| band.points);
    known(
        points,
        rule.knockout_below.is_some_and(|below| value < below),
    )
}

#[cfg(test)]
mod tests;
