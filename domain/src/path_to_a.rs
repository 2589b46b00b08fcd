//! Path to A: the smallest changes to a prospect's answers that would earn tier A.
//!
//! A what-if question ("what would these answers score?") needs nothing new: [`score`]
//! scores any complete set of answers and stores nothing.
//!
//! [`score`]: crate::score

mod search;

use serde::{Deserialize, Serialize};

use crate::answer::{
    AnswerDraft, AnswerValue, Evaluation, checked_answers, evaluate, evaluate_answers, require_all,
};
use crate::error::{Problems, ValidationErrors};
use crate::key::CriterionKey;
use crate::measure::BasisPoints;
use crate::rule::{NumberBandsRule, Rule};
use crate::scoring::assess;
use crate::template::Definition;
use crate::tier::Tier;

use search::{Criterion, Level, Problem};

/// The most paths [`paths_to_a`] returns, whatever the caller asks for.
pub const MAX_PATHS_TO_A: usize = 10;

/// The most search nodes [`paths_to_a`] explores before it stops and returns what it
/// found (with `complete: false`). Every node costs a few integer operations: the cap
/// bounds the time of one call on any template.
pub const PATH_SEARCH_NODES: u32 = 2_000_000;

/// One answer to change: from what it is now to what it would need to be.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AnswerChange {
    pub key: CriterionKey,
    /// The answer now.
    pub from: AnswerValue,
    /// The answer needed: the lowest that earns the points of this path.
    pub to: AnswerValue,
    /// The points `from` earns, rounded down (as in [`crate::Contribution`]).
    pub from_points_bp: BasisPoints,
    /// The points `to` earns, rounded down.
    pub to_points_bp: BasisPoints,
}

/// One set of changes that earns tier A.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PathToA {
    /// In the definition's criteria order.
    pub changes: Vec<AnswerChange>,
    /// The score with these changes made (rounded down; at or above the A threshold).
    pub score_bp: BasisPoints,
}

/// What [`paths_to_a`] found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum PathsToA {
    /// The answers already earn tier A: nothing to change.
    AlreadyA,
    /// No change of answers earns A: every criterion at its best answer that is not a
    /// knockout still scores below the A threshold, or a knockout cannot be avoided.
    Unreachable,
    /// Paths, best first. `complete` is false when the search stopped at
    /// [`PATH_SEARCH_NODES`]: each path still earns A and is minimal, and the first has
    /// the fewest changes any path can have, but with as many changes as the last path
    /// there may be others, or ones with a lower score; and there may be none yet.
    Paths { paths: Vec<PathToA>, complete: bool },
}

/// The smallest changes to `answers` (complete, as [`crate::score`] takes them) that
/// would make the prospect tier A: at most `limit` paths (1..=[`MAX_PATHS_TO_A`]; other
/// values are brought within).
///
/// **What a path is.** A set of criteria, each with the answer it needs, such that with
/// those answers the prospect has no knockout and its exact score reaches the A
/// threshold (decided by the same exact arithmetic as [`crate::score`]). The answers a
/// criterion can be changed to are its point levels that are not knockouts, each
/// represented by its lowest answer:
/// - for a criterion without a knockout now, only levels above its points now;
/// - for a criterion whose answer is a knockout now (an unknown answer is one when the
///   rule has a knockout), any level that is not a knockout, even a lower one: every path
///   changes every such criterion;
/// - a scale's level is each value; yes/no each answer; a choice each points value, by
///   its first option; a number band the band's lowest number that is not below
///   `knockout_below` (for the first band, open below, the number just below the second
///   band, or 0 when there is only one band).
///
/// **Minimal.** No change in a path can be lowered to the next lower level (or, for a
/// criterion that is not a knockout now, left out) and still reach A; no path's criteria
/// are a superset of a path with fewer changes that is also returned.
///
/// **Order.** Fewest changes first; then the smallest total change, meaning the lowest
/// resulting exact score (the least the prospect must gain beyond the threshold:
/// `sum(weight * points gained)` is the score's gain times the total weight); then by the
/// criteria's positions in the definition and the levels chosen, lowest first.
///
/// **Bound.** A branch-and-bound over the number of changes k = 1, 2, ..., pruning by
/// the most and least the remaining criteria can add; it stops at the first k with
/// `limit` paths found. It explores at most [`PATH_SEARCH_NODES`] nodes, then returns
/// what it found with `complete: false`.
///
/// # Errors
/// The same as [`crate::score`]: keys that are not criteria or are answered twice,
/// values of the wrong kind or out of range, criteria left unanswered.
pub fn paths_to_a(
    def: &Definition,
    answers: &[AnswerDraft],
    limit: usize,
) -> Result<PathsToA, ValidationErrors> {
    let mut problems = Problems::default();
    let slots = evaluate_answers(def, answers, "answers", &mut problems);
    let evaluations = require_all(def, &slots, "answers", &mut problems);
    problems.finish(())?;
    let current: Vec<AnswerValue> = checked_answers(def, answers, &slots)
        .into_iter()
        .map(|answer| answer.value)
        .collect();

    if assess(def, &evaluations).tier == Tier::A {
        return Ok(PathsToA::AlreadyA);
    }
    let criteria: Vec<Criterion> = def
        .criteria()
        .iter()
        .zip(&evaluations)
        .map(|(criterion, now)| {
            Criterion::new(
                criterion.weight().get(),
                *now,
                levels(criterion.rule(), now),
            )
        })
        .collect();
    let problem = Problem::new(def, criteria);
    if !problem.reachable() {
        return Ok(PathsToA::Unreachable);
    }
    let found = problem.search(limit.clamp(1, MAX_PATHS_TO_A), PATH_SEARCH_NODES);
    let paths = found
        .paths
        .iter()
        .filter_map(|picks| path(def, &problem, &evaluations, &current, picks))
        .collect();
    Ok(PathsToA::Paths {
        paths,
        complete: found.complete,
    })
}

/// The path of `picks` (criterion, level), scored; `None` if it does not earn A, which
/// the search rules out (kept as a guard: a path that is returned is A by `assess`).
fn path(
    def: &Definition,
    problem: &Problem<'_>,
    evaluations: &[Evaluation],
    current: &[AnswerValue],
    picks: &[(usize, usize)],
) -> Option<PathToA> {
    let mut changed = evaluations.to_vec();
    let mut changes = Vec::with_capacity(picks.len());
    for &(index, level) in picks {
        let level = problem.level(index, level);
        changed[index] = level.evaluation;
        changes.push(AnswerChange {
            key: def.criteria()[index].key().clone(),
            from: current[index].clone(),
            to: level.value.clone(),
            from_points_bp: BasisPoints::known(evaluations[index].points.floor()),
            to_points_bp: BasisPoints::known(level.evaluation.points.floor()),
        });
    }
    let assessment = assess(def, &changed);
    (assessment.tier == Tier::A).then_some(PathToA {
        changes,
        score_bp: assessment.score_bp,
    })
}

/// The answers `rule` can be changed to from `now`, one per point level, by points
/// ascending (see [`paths_to_a`]).
fn levels(rule: &Rule, now: &Evaluation) -> Vec<Level> {
    let answers: Vec<AnswerValue> = match rule {
        Rule::YesNo(_) => vec![AnswerValue::YesNo(false), AnswerValue::YesNo(true)],
        Rule::Scale(scale) => (scale.min..=scale.max).map(AnswerValue::Scale).collect(),
        Rule::Choice(choice) => choice
            .options
            .iter()
            .map(|option| AnswerValue::Choice(option.key.clone()))
            .collect(),
        Rule::NumberBands(bands) => band_numbers(bands)
            .into_iter()
            .map(AnswerValue::Number)
            .collect(),
    };
    let mut levels: Vec<Level> = Vec::new();
    for value in answers {
        let Ok(evaluation) = evaluate(rule, &value) else {
            continue;
        };
        let wanted = !evaluation.knockout
            && (now.knockout || evaluation.points.cmp_value(now.points).is_gt());
        // The first answer met at each level is the lowest one.
        let seen = levels
            .iter()
            .any(|level| level.evaluation.points.cmp_value(evaluation.points).is_eq());
        if wanted && !seen {
            levels.push(Level { value, evaluation });
        }
    }
    levels.sort_by(|a, b| a.evaluation.points.cmp_value(b.evaluation.points));
    levels
}

/// The lowest number of each band that is not below `knockout_below`, in band order;
/// bands entirely below it are left out.
fn band_numbers(rule: &NumberBandsRule) -> Vec<i64> {
    let bands = &rule.bands;
    let mut numbers = Vec::with_capacity(bands.len());
    for (index, band) in bands.iter().enumerate() {
        let last = bands
            .get(index + 1)
            .and_then(|next| next.min)
            .map(|min| min.saturating_sub(1));
        let lowest = match (band.min, rule.knockout_below) {
            (min, Some(below)) => min.map_or(below, |min| min.max(below)),
            (Some(min), None) => min,
            (None, None) => last.unwrap_or(0),
        };
        if last.is_none_or(|last| lowest <= last) {
            numbers.push(lowest);
        }
    }
    numbers
}

#[cfg(test)]
mod tests;
