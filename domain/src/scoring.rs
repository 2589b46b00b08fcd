//! Scoring: the weighted score of a set of answers, its tier and its explanation.

use serde::{Deserialize, Serialize};

use crate::answer::{Answer, Evaluation, evaluate_answers, require_all};
use crate::error::{Problems, ValidationErrors};
use crate::key::CriterionKey;
use crate::template::Definition;
use crate::tier::Tier;

/// One criterion's part in a score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Contribution {
    pub key: CriterionKey,
    /// The answer's points, 0..=10000.
    pub points_bp: u32,
    pub weight: u32,
    /// This criterion's share of `score_bp`; the shares add up to it exactly.
    pub contribution_bp: u32,
    pub knockout: bool,
    pub unknown: bool,
}

/// The result of scoring one set of answers against one definition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Assessment {
    /// The weighted mean of the points, 0..=10000 (basis points of 0..=100).
    pub score_bp: u32,
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

/// Scores a complete set of answers, one per criterion, in any order.
///
/// Everything is integer arithmetic so that a score is reproduced exactly on
/// every platform and database:
/// - each answer earns `points_bp` in 0..=10000 (a scale rounds down);
/// - `score_bp = floor(sum(weight * points_bp) / sum(weight))`.
///
/// **Rounding of contributions.** Each criterion's exact share of the score is
/// `weight * points_bp / sum(weight)`. Every criterion first gets that share
/// rounded down; the basis points still missing to reach `score_bp` (fewer than
/// the number of criteria) then go one each to the criteria with the largest
/// remainders, ties broken by the smaller key. So the contributions add up to
/// `score_bp` exactly, and they do not depend on the order of the criteria.
///
/// # Errors
/// Every problem found, by path: `answers.N.key` for a key that is not a
/// criterion or is answered twice, `answers.N.value` for a value of the wrong
/// kind, a scale value outside min..=max or an unknown choice option, and
/// `answers` naming the criteria left unanswered.
pub fn score(def: &Definition, answers: &[Answer]) -> Result<Assessment, ValidationErrors> {
    let mut problems = Problems::default();
    let slots = evaluate_answers(def, answers, "answers", &mut problems);
    let evaluations = require_all(def, &slots, "answers", &mut problems);
    problems.finish(())?;
    Ok(assess(def, &evaluations))
}

/// Scores evaluations given in definition order, one per criterion.
pub(crate) fn assess(def: &Definition, evaluations: &[Evaluation]) -> Assessment {
    let criteria = def.criteria();
    // u32 is plenty: at most 50 criteria x weight 100 x 10000 bp = 5e7.
    let weighted: Vec<u32> = criteria
        .iter()
        .zip(evaluations)
        .map(|(criterion, evaluation)| criterion.weight() * evaluation.points_bp)
        .collect();
    let total_weight: u32 = criteria.iter().map(|c| c.weight()).sum();
    // A parsed definition has a criterion of weight >= 1; max(1) keeps this total.
    let total_weight = total_weight.max(1);
    let score_bp = weighted.iter().sum::<u32>() / total_weight;

    let keys: Vec<&str> = criteria.iter().map(|c| c.key().as_str()).collect();
    let shares = apportion(&weighted, &keys, total_weight, score_bp);
    let explanation: Vec<Contribution> = criteria
        .iter()
        .zip(evaluations)
        .zip(shares)
        .map(|((criterion, evaluation), contribution_bp)| Contribution {
            key: criterion.key().clone(),
            points_bp: evaluation.points_bp,
            weight: criterion.weight(),
            contribution_bp,
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
    let uncapped_tier = tier_for(def, score_bp);
    let tier = if knockouts.is_empty() {
        uncapped_tier
    } else {
        uncapped_tier.worse(def.knockout_cap())
    };
    Assessment {
        score_bp,
        tier,
        uncapped_tier,
        knockouts,
        unknowns,
        explanation,
    }
}

/// The tier a score earns: thresholds are on 0..=100, the score in basis points.
fn tier_for(def: &Definition, score_bp: u32) -> Tier {
    if score_bp >= def.threshold_a() * 100 {
        Tier::A
    } else if score_bp >= def.threshold_b() * 100 {
        Tier::B
    } else {
        Tier::C
    }
}

/// Splits `score_bp` into one share per criterion (largest-remainder method; see
/// [`score`]). `weighted[i] / total_weight` is criterion i's exact share.
fn apportion(weighted: &[u32], keys: &[&str], total_weight: u32, score_bp: u32) -> Vec<u32> {
    let mut shares: Vec<u32> = weighted.iter().map(|w| w / total_weight).collect();
    let handed_out: u32 = shares.iter().sum();
    let left_over = score_bp.saturating_sub(handed_out) as usize;

    let mut by_remainder: Vec<usize> = (0..weighted.len()).collect();
    by_remainder.sort_by(|&i, &j| {
        let (remainder_i, remainder_j) = (weighted[i] % total_weight, weighted[j] % total_weight);
        remainder_j
            .cmp(&remainder_i)
            .then_with(|| keys[i].cmp(keys[j]))
    });
    for &index in by_remainder.iter().take(left_over) {
        shares[index] += 1;
    }
    shares
}

#[cfg(test)]
mod tests;
