//! Scoring: the weighted score of a set of answers, its tier and its explanation.

use serde::{Deserialize, Serialize};

use crate::answer::{AnswerDraft, Evaluation, evaluate_answers, require_all};
use crate::error::{Problems, ValidationErrors};
use crate::exact::{Mean, Points, Share};
use crate::key::CriterionKey;
use crate::measure::{BasisPoints, Weight};
use crate::template::Definition;
use crate::tier::Tier;

/// Which rule computed a score. A stored result keeps the rule it was computed with:
/// history is never recomputed, so a reader needs to know which rule a score followed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ScoringRule {
    /// Rule 1, the first one: each answer's points rounded down to whole basis points,
    /// then the weighted mean of those rounded down again, and the tier decided on that.
    /// A score could come out almost two basis points below the exact one (25.00 shown
    /// as 24.99).
    BasisPointsPerAnswer,
    /// Rule 2: the weighted mean of the exact points (fractions), rounded once, down, to
    /// basis points; tiers are decided on the exact mean. See [`score`].
    ExactFractions,
}

impl ScoringRule {
    /// The rule [`score`] and [`crate::qualify`] follow.
    pub const CURRENT: ScoringRule = ScoringRule::ExactFractions;
}

/// One criterion's part in a score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Contribution {
    pub key: CriterionKey,
    /// The answer's points, rounded down to whole basis points (a scale's points can be a
    /// fraction; the score and the contributions use the exact value).
    pub points_bp: BasisPoints,
    pub weight: Weight,
    /// This criterion's share of `score_bp`; the shares add up to it exactly.
    pub contribution_bp: BasisPoints,
    pub knockout: bool,
    pub unknown: bool,
}

/// The result of scoring one set of answers against one definition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Assessment {
    /// The weighted mean of the points, rounded down.
    pub score_bp: BasisPoints,
    /// `uncapped_tier`, capped by the definition's knockout cap if a knockout hit.
    pub tier: Tier,
    /// The tier the score alone earns.
    pub uncapped_tier: Tier,
    /// Criteria whose answer is a knockout, in definition order.
    pub knockouts: Vec<CriterionKey>,
    /// Criteria answered as unknown, in definition order.
    pub unknowns: Vec<CriterionKey>,
    /// One contribution per criterion, in definition order.
    pub explanation: Vec<Contribution>,
}

/// Scores a complete set of answers, one per criterion, in any order
/// ([`ScoringRule::ExactFractions`]).
///
/// Everything is exact integer arithmetic so that a score is reproduced exactly on
/// every platform and database:
/// - each answer earns exact points in 0..=10000 bp: a scale `10000 * (value - min) /
///   (max - min)`, a fraction; yes/no, choices and bands whole numbers;
/// - the exact score is `sum(weight * points) / sum(weight)`; `score_bp` is that rounded
///   down, once; the tier compares the exact score with the thresholds (`>=`), so a score
///   shown as 75.00 is A and one shown as 74.99 never is.
///
/// **Rounding of contributions.** Each criterion's exact share of the score is
/// `weight * points / sum(weight)`. Every criterion first gets that share rounded down;
/// the basis points still missing to reach `score_bp` (fewer than the number of criteria)
/// then go one each to the criteria with the largest remainders (compared exactly), ties
/// broken by the smaller key. So the contributions add up to `score_bp` exactly, and they
/// do not depend on the order of the criteria.
///
/// # Errors
/// Every problem found, by path: `answers.N.key` for a key that is not a
/// criterion or is answered twice, `answers.N.value` for a value of the wrong
/// kind, a scale value outside min..=max or an unknown choice option, and
/// `answers` naming the criteria left unanswered.
pub fn score(def: &Definition, answers: &[AnswerDraft]) -> Result<Assessment, ValidationErrors> {
    let mut problems = Problems::default();
    let slots = evaluate_answers(def, answers, "answers", &mut problems);
    let evaluations = require_all(def, &slots, "answers", &mut problems);
    problems.finish(())?;
    Ok(assess(def, &evaluations))
}

/// Scores evaluations given in definition order, one per criterion.
pub(crate) fn assess(def: &Definition, evaluations: &[Evaluation]) -> Assessment {
    let criteria = def.criteria();
    let terms: Vec<(u32, Points)> = criteria
        .iter()
        .zip(evaluations)
        .map(|(criterion, evaluation)| (criterion.weight().get(), evaluation.points))
        .collect();
    let mean = Mean::weighted(&terms);
    let score_bp = mean.floor();
    // A parsed definition has a criterion of weight >= 1 (and at most 50 x 100).
    let total_weight: u32 = criteria.iter().map(|c| c.weight().get()).sum();
    let shares: Vec<Share> = terms
        .iter()
        .map(|&(weight, points)| Share::new(weight, points, total_weight))
        .collect();

    let keys: Vec<&str> = criteria.iter().map(|c| c.key().as_str()).collect();
    let contributions = apportion(&shares, &keys, score_bp);
    let explanation: Vec<Contribution> = criteria
        .iter()
        .zip(evaluations)
        .zip(contributions)
        .map(|((criterion, evaluation), contribution_bp)| Contribution {
            key: criterion.key().clone(),
            // Points, a mean of them and shares of that mean are all within 0..=10000.
            points_bp: BasisPoints::known(evaluation.points.floor()),
            weight: criterion.weight(),
            contribution_bp: BasisPoints::known(contribution_bp),
            knockout: evaluation.knockout,
            unknown: evaluation.unknown,
        })
        .collect();

    let keys_where = |flag: fn(&Contribution) -> bool| -> Vec<CriterionKey> {
        explanation
            .iter()
            .filter(|c| flag(c))
            .map(|c| c.key.clone())
            .collect()
    };
    let knockouts = keys_where(|c| c.knockout);
    let unknowns = keys_where(|c| c.unknown);
    let uncapped_tier = tier_for(def, &mean);
    let tier = if knockouts.is_empty() {
        uncapped_tier
    } else {
        uncapped_tier.worse(def.knockout_cap())
    };
    Assessment {
        score_bp: BasisPoints::known(score_bp),
        tier,
        uncapped_tier,
        knockouts,
        unknowns,
        explanation,
    }
}

/// The tier the exact score earns.
pub(crate) fn tier_for(def: &Definition, mean: &Mean) -> Tier {
    let at_least =
        |threshold: crate::measure::Percent| mean.at_least(threshold.basis_points().get());
    if at_least(def.threshold_a()) {
        Tier::A
    } else if at_least(def.threshold_b()) {
        Tier::B
    } else {
        Tier::C
    }
}

/// Splits `score_bp` into one contribution per criterion (largest-remainder method; see
/// [`score`]).
fn apportion(shares: &[Share], keys: &[&str], score_bp: u32) -> Vec<u32> {
    let mut contributions: Vec<u32> = shares.iter().map(|share| share.floor()).collect();
    let handed_out: u32 = contributions.iter().sum();
    let left_over = score_bp.saturating_sub(handed_out) as usize;

    let mut by_remainder: Vec<usize> = (0..shares.len()).collect();
    by_remainder.sort_by(|&i, &j| {
        shares[j]
            .cmp_remainder(shares[i])
            .then_with(|| keys[i].cmp(keys[j]))
    });
    for &index in by_remainder.iter().take(left_over) {
        contributions[index] += 1;
    }
    contributions
}

#[cfg(test)]
mod tests;
