//! An independent, deliberately plain reference for the scoring rule: exact fractions
//! (`i128`, reduced, overflow checked), computed from the definition draft and the
//! answers without any of `domain`'s scoring code.

use std::cmp::Ordering;

use domain::{AnswerValue, DefinitionDraft, Rule, Tier};

use crate::strategies::Scenario;

/// A fraction `num / den`, reduced, `den > 0`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ratio {
    num: i128,
    den: i128,
}

fn gcd(a: i128, b: i128) -> i128 {
    if b == 0 { a.abs() } else { gcd(b, a % b) }
}

fn checked(value: Option<i128>) -> i128 {
    value.unwrap_or_else(|| panic!("the reference overflowed i128"))
}

impl Ratio {
    pub(crate) fn new(num: i128, den: i128) -> Self {
        assert!(den > 0, "denominator {den}");
        let g = gcd(num, den).max(1);
        Self {
            num: num / g,
            den: den / g,
        }
    }

    pub(crate) fn int(n: i128) -> Self {
        Self::new(n, 1)
    }

    pub(crate) fn add(self, other: Ratio) -> Ratio {
        let den = checked(self.den.checked_mul(other.den));
        let left = checked(self.num.checked_mul(other.den));
        let right = checked(other.num.checked_mul(self.den));
        Ratio::new(checked(left.checked_add(right)), den)
    }

    pub(crate) fn times(self, factor: i128) -> Ratio {
        Ratio::new(checked(self.num.checked_mul(factor)), self.den)
    }

    pub(crate) fn over(self, divisor: i128) -> Ratio {
        Ratio::new(self.num, checked(self.den.checked_mul(divisor)))
    }

    pub(crate) fn floor(self) -> i128 {
        self.num.div_euclid(self.den)
    }

    /// What is left after rounding down: `self - floor(self)`.
    pub(crate) fn fraction(self) -> Ratio {
        self.add(Ratio::int(-self.floor()))
    }

    pub(crate) fn cmp(self, other: Ratio) -> Ordering {
        let left = checked(self.num.checked_mul(other.den));
        let right = checked(other.num.checked_mul(self.den));
        left.cmp(&right)
    }
}

/// One criterion as the reference sees it.
#[derive(Debug, Clone)]
pub(crate) struct Part {
    pub(crate) key: String,
    pub(crate) weight: i128,
    /// Points 0..=100, exactly.
    pub(crate) points: Ratio,
    pub(crate) knockout: bool,
}

/// The expected assessment.
#[derive(Debug, Clone)]
pub(crate) struct Expected {
    /// The score 0..=100, exactly.
    pub(crate) score: Ratio,
    pub(crate) score_bp: i128,
    pub(crate) uncapped_tier: Tier,
    pub(crate) tier: Tier,
    pub(crate) knockouts: Vec<String>,
    /// Contributions in basis points, in definition order.
    pub(crate) contributions: Vec<i128>,
}

/// The points 0..=100 and the knockout of one answer; `None` for a value of another kind.
fn evaluate(rule: &Rule, value: &AnswerValue) -> (Ratio, bool) {
    match (rule, value) {
        (Rule::YesNo(r), AnswerValue::Unknown) => (Ratio::int(0), r.knockout_on.is_some()),
        (Rule::Scale(r), AnswerValue::Unknown) => (Ratio::int(0), r.knockout_below.is_some()),
        (Rule::Choice(r), AnswerValue::Unknown) => {
            (Ratio::int(0), r.options.iter().any(|o| o.knockout))
        }
        (Rule::NumberBands(r), AnswerValue::Unknown) => (Ratio::int(0), r.knockout_below.is_some()),
        (Rule::YesNo(r), AnswerValue::YesNo(yes)) => {
            let points = if *yes { r.yes_points } else { r.no_points };
            (Ratio::int(points.into()), r.knockout_on == Some(*yes))
        }
        (Rule::Scale(r), AnswerValue::Scale(v)) => {
            let points = Ratio::new(100 * i128::from(v - r.min), i128::from(r.max - r.min));
            (points, r.knockout_below.is_some_and(|below| *v < below))
        }
        (Rule::Choice(r), AnswerValue::Choice(key)) => {
            let option = r.options.iter().find(|o| &o.key == key);
            let option = option.unwrap_or_else(|| panic!("no option {key}"));
            (Ratio::int(option.points.into()), option.knockout)
        }
        (Rule::NumberBands(r), AnswerValue::Number(v)) => {
            // The last band whose min is at or below the value; the first is open below.
            let mut points = 0;
            for band in &r.bands {
                if band.min.is_none_or(|min| min <= *v) {
                    points = band.points;
                }
            }
            (
                Ratio::int(points.into()),
                r.knockout_below.is_some_and(|below| *v < below),
            )
        }
        (rule, value) => panic!("{value:?} does not answer {rule:?}"),
    }
}

/// The parts of a scenario's definition with the given answers (by key).
pub(crate) fn parts(draft: &DefinitionDraft, answer: impl Fn(&str) -> AnswerValue) -> Vec<Part> {
    draft
        .criteria
        .iter()
        .map(|c| {
            let (points, knockout) = evaluate(&c.rule, &answer(&c.key));
            Part {
                key: c.key.clone(),
                weight: c.weight.into(),
                points,
                knockout,
            }
        })
        .collect()
}

/// The parts of a scenario answered as it says.
pub(crate) fn scenario_parts(s: &Scenario) -> Vec<Part> {
    parts(&s.draft, |key| {
        let answer = s.answers.iter().find(|a| a.key == key);
        answer.map_or(AnswerValue::Unknown, |a| a.value.clone())
    })
}

fn tier(score: Ratio, threshold_a: u32, threshold_b: u32) -> Tier {
    if score.cmp(Ratio::int(threshold_a.into())) != Ordering::Less {
        Tier::A
    } else if score.cmp(Ratio::int(threshold_b.into())) != Ordering::Less {
        Tier::B
    } else {
        Tier::C
    }
}

/// What the rule says these parts score under `draft`'s thresholds and cap.
pub(crate) fn expected(draft: &DefinitionDraft, parts: &[Part]) -> Expected {
    let total_weight: i128 = parts.iter().map(|p| p.weight).sum();
    let shares: Vec<Ratio> = parts
        .iter()
        .map(|p| p.points.times(p.weight).over(total_weight))
        .collect();
    let score = shares.iter().fold(Ratio::int(0), |sum, s| sum.add(*s));
    let score_bp = score.times(100).floor();

    // Largest remainder: floors, then one bp each by remainder (desc), key (asc).
    let in_bp: Vec<Ratio> = shares.iter().map(|s| s.times(100)).collect();
    let mut contributions: Vec<i128> = in_bp.iter().map(|s| s.floor()).collect();
    let left_over = score_bp - contributions.iter().sum::<i128>();
    let mut order: Vec<usize> = (0..parts.len()).collect();
    order.sort_by(|&i, &j| {
        in_bp[j]
            .fraction()
            .cmp(in_bp[i].fraction())
            .then_with(|| parts[i].key.cmp(&parts[j].key))
    });
    for &i in order.iter().take(usize::try_from(left_over).unwrap_or(0)) {
        contributions[i] += 1;
    }

    let knockouts: Vec<String> = parts
        .iter()
        .filter(|p| p.knockout)
        .map(|p| p.key.clone())
        .collect();
    let uncapped_tier = tier(score, draft.threshold_a, draft.threshold_b);
    let tier = if knockouts.is_empty() {
        uncapped_tier
    } else {
        uncapped_tier.worse(draft.knockout_cap)
    };
    Expected {
        score,
        score_bp,
        uncapped_tier,
        tier,
        knockouts,
        contributions,
    }
}
