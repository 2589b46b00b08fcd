//! The branch-and-bound behind [`super::paths_to_a`].
//!
//! Sums are kept as integers: each criterion's `weight * points`, times a common `scale`,
//! rounded down. The scale is the least common multiple of the points' denominators
//! (scale spans) when that is at most 2^40, and then every sum is exact. Otherwise it is
//! 2^40 and a sum of n terms is at most n below the exact one: bounds allow for that
//! `slack`, and a sum that falls within it is decided by [`Mean`], as [`crate::score`]
//! decides it.

use crate::answer::{AnswerValue, Evaluation};
use crate::exact::{Mean, Points, gcd};
use crate::scoring::tier_for;
use crate::template::Definition;
use crate::tier::Tier;

mod pass;

const MAX_EXACT_SCALE: u64 = 1 << 40;

/// An answer a criterion could be changed to.
#[derive(Debug, Clone)]
pub(super) struct Level {
    pub(super) value: AnswerValue,
    pub(super) evaluation: Evaluation,
}

/// One criterion as the search sees it.
pub(super) struct Criterion {
    weight: u32,
    now: Points,
    /// A knockout now: every path changes it.
    must_change: bool,
    /// By points ascending.
    levels: Vec<Level>,
}

impl Criterion {
    pub(super) fn new(weight: u32, now: Evaluation, levels: Vec<Level>) -> Self {
        Self {
            weight,
            now: now.points,
            must_change: now.knockout,
            levels,
        }
    }
}

/// The criteria, their scaled sums and the bounds of what the criteria from each
/// position on can add.
pub(super) struct Problem<'a> {
    def: &'a Definition,
    criteria: Vec<Criterion>,
    /// Scaled `weight * points` now, per criterion.
    now: Vec<i128>,
    /// Scaled `weight * points` per criterion and level.
    scaled: Vec<Vec<i128>>,
    /// The sum now, over all criteria.
    base: i128,
    /// `threshold_a * total_weight * scale`: a sum reaching it is A. When sums are exact,
    /// raised to the least sum that changes can make (see [`reachable_target`]).
    target: i128,
    /// How far below the exact sum a scaled sum may be (0 when exact).
    slack: i128,
    /// From position p on: least and most the must-change criteria add.
    must_least: Vec<i128>,
    must_most: Vec<i128>,
    /// From position p on, among the other changeable criteria: the sums of the q
    /// largest most-gains and of the q smallest least-gains (index q).
    top_most: Vec<Vec<i128>>,
    low_least: Vec<Vec<i128>>,
}

/// What the search found: paths as (criterion, level) picks, best first.
pub(super) struct Found {
    pub(super) paths: Vec<Vec<(usize, usize)>>,
    pub(super) complete: bool,
    #[allow(dead_code, reason = "the tests check the bound by counting nodes")]
    pub(super) nodes: u32,
}

impl<'a> Problem<'a> {
    pub(super) fn new(def: &'a Definition, criteria: Vec<Criterion>) -> Self {
        let (scale, exact) = common_scale(&criteria);
        let term = |weight: u32, points: Points| points.weighted_scaled(weight, scale).0;
        let now: Vec<i128> = criteria.iter().map(|c| term(c.weight, c.now)).collect();
        let scaled: Vec<Vec<i128>> = criteria
            .iter()
            .map(|c| {
                let levels = c.levels.iter();
                levels
                    .map(|level| term(c.weight, level.evaluation.points))
                    .collect()
            })
            .collect();
        let total_weight: i128 = criteria.iter().map(|c| i128::from(c.weight)).sum();
        let threshold = i128::from(def.threshold_a().basis_points().get());
        let count = criteria.len();
        let base: i128 = now.iter().sum();
        let target = threshold * total_weight * i128::from(scale);
        let target = if exact {
            reachable_target(target, base, &now, &scaled)
        } else {
            target
        };
        let mut problem = Self {
            def,
            base,
            target,
            slack: if exact { 0 } else { count as i128 },
            criteria,
            now,
            scaled,
            must_least: vec![0; count + 1],
            must_most: vec![0; count + 1],
            top_most: vec![vec![0]; count + 1],
            low_least: vec![vec![0]; count + 1],
        };
        problem.fill_bounds();
        problem
    }

    fn fill_bounds(&mut self) {
        let mut most_gains = Vec::new();
        let mut least_gains = Vec::new();
        for index in (0..self.criteria.len()).rev() {
            let gains = &self.scaled[index];
            let (least, most) = match (gains.first(), gains.last()) {
                (Some(first), Some(last)) => (first - self.now[index], last - self.now[index]),
                _ => (0, 0),
            };
            self.must_least[index] = self.must_least[index + 1];
            self.must_most[index] = self.must_most[index + 1];
            if self.criteria[index].must_change {
                self.must_least[index] += least;
                self.must_most[index] += most;
            } else if !gains.is_empty() {
                most_gains.push(most);
                least_gains.push(least);
            }
            most_gains.sort_unstable_by(|a, b| b.cmp(a));
            least_gains.sort_unstable();
            self.top_most[index] = prefix_sums(&most_gains);
            self.low_least[index] = prefix_sums(&least_gains);
        }
    }

    pub(super) fn level(&self, index: usize, level: usize) -> &Level {
        &self.criteria[index].levels[level]
    }

    /// Whether every criterion at its best level (a must-change one at its best that is
    /// not a knockout) reaches A.
    pub(super) fn reachable(&self) -> bool {
        if self
            .criteria
            .iter()
            .any(|c| c.must_change && c.levels.is_empty())
        {
            return false;
        }
        let picks: Vec<(usize, usize)> = (0..self.criteria.len())
            .filter_map(|index| Some((index, self.criteria[index].levels.len().checked_sub(1)?)))
            .collect();
        let sum = picks.iter().fold(self.base, |sum, &(index, level)| {
            sum + self.scaled[index][level] - self.now[index]
        });
        self.reaches(sum, &picks, None)
    }

    /// Whether the assignment `picks` (with pick `lowered` one level lower, or left out),
    /// whose scaled sum is `sum`, reaches A.
    fn reaches(&self, sum: i128, picks: &[(usize, usize)], lowered: Option<usize>) -> bool {
        if sum >= self.target {
            return true;
        }
        if sum + self.slack < self.target {
            return false;
        }
        tier_for(self.def, &self.mean(picks, lowered)) == Tier::A
    }

    /// The exact mean of the assignment (see [`Self::reaches`]).
    fn mean(&self, picks: &[(usize, usize)], lowered: Option<usize>) -> Mean {
        let mut terms: Vec<(u32, Points)> =
            self.criteria.iter().map(|c| (c.weight, c.now)).collect();
        for (position, &(index, level)) in picks.iter().enumerate() {
            let level = if lowered == Some(position) {
                level.checked_sub(1)
            } else {
                Some(level)
            };
            if let Some(level) = level {
                terms[index].1 = self.criteria[index].levels[level].evaluation.points;
            }
        }
        Mean::weighted(&terms)
    }

    /// The scaled sum lost by lowering `level` of `index` one level (or leaving it out);
    /// `None` when it cannot be lowered (the lowest level of a must-change criterion).
    fn step(&self, index: usize, level: usize) -> Option<i128> {
        let below = match level.checked_sub(1) {
            Some(below) => self.scaled[index][below],
            None if self.criteria[index].must_change => return None,
            None => self.now[index],
        };
        Some(self.scaled[index][level] - below)
    }

    /// Searches k = 1, 2, ... changes; see [`super::paths_to_a`].
    pub(super) fn search(&self, limit: usize, node_cap: u32) -> Found {
        pass::search(self, limit, node_cap)
    }
}

fn prefix_sums(values: &[i128]) -> Vec<i128> {
    let mut sums = Vec::with_capacity(values.len() + 1);
    let mut sum = 0;
    sums.push(0);
    for value in values {
        sum += value;
        sums.push(sum);
    }
    sums
}

/// The least common multiple of every denominator, and true, when it is at most 2^40;
/// else 2^40 and false.
fn common_scale(criteria: &[Criterion]) -> (u64, bool) {
    let denominators = criteria.iter().flat_map(|c| {
        let levels = c.levels.iter().map(|level| level.evaluation.points);
        std::iter::once(c.now)
            .chain(levels)
            .map(Points::denominator)
    });
    let mut scale = 1u64;
    for denominator in denominators {
        let denominator = u64::from(denominator.max(1));
        scale = scale / gcd(scale, denominator) * denominator;
        if scale > MAX_EXACT_SCALE {
            return (MAX_EXACT_SCALE, false);
        }
    }
    (scale, true)
}

/// The least sum at or above `target` that the base sum plus any gains can make: every
/// gain is a multiple of their greatest common divisor g, so every sum is `base` modulo
/// g. With integer weights and points the bounds then see that an overshoot of less
/// than g is no overshoot at all, and stop as soon as a path makes exactly that sum.
fn reachable_target(target: i128, base: i128, now: &[i128], scaled: &[Vec<i128>]) -> i128 {
    let gains = now
        .iter()
        .zip(scaled)
        .flat_map(|(now, levels)| levels.iter().map(move |level| (level - now).unsigned_abs()));
    let step = gains.fold(0u128, gcd_wide);
    match i128::try_from(step) {
        Ok(step) if step > 1 => target + (base - target).rem_euclid(step),
        _ => target,
    }
}

fn gcd_wide(mut a: u128, mut b: u128) -> u128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}
