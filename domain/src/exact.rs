//! Exact fractions of basis points: an answer's points, and the weighted mean of them.
//!
//! A scale answer earns `offset / span` of 10000 bp, which is seldom a whole number
//! (a 0..=3 scale answered 1 earns 3333 1/3 bp). The score is the weighted mean of these
//! fractions, rounded once, down; tiers compare the unrounded mean with their threshold.
//!
//! The mean's common denominator is the least common multiple of the spans (each up to
//! 100, up to 50 criteria): `lcm(1..=100)` is about 7 * 10^40 and does not fit in 128
//! bits, so the mean is kept in [`BigUint`]. Everything else fits in `u64`.

use std::cmp::Ordering;

use num_bigint::BigUint;

/// A number of basis points, `over / under` exactly (`under` >= 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Points {
    over: u32,
    under: u32,
}

impl Points {
    /// A whole number of basis points.
    pub(crate) fn whole(bp: u32) -> Self {
        Self { over: bp, under: 1 }
    }

    /// `bp * part / whole`: e.g. 10000 bp * offset / span for a scale answer.
    /// `whole` must be at least 1 (a parsed scale's span is).
    pub(crate) fn share(bp: u32, part: u32, whole: u32) -> Self {
        Self {
            over: bp * part,
            under: whole.max(1),
        }
    }

    /// Rounded down to whole basis points.
    pub(crate) fn floor(self) -> u32 {
        self.over / self.under
    }

    /// The denominator: 1 for whole points, a scale's span for its answers.
    pub(crate) fn denominator(self) -> u32 {
        self.under
    }

    /// Compares two amounts of points exactly (cross-multiplied in `u64`).
    pub(crate) fn cmp_value(self, other: Points) -> Ordering {
        let mine = u64::from(self.over) * u64::from(other.under);
        let theirs = u64::from(other.over) * u64::from(self.under);
        mine.cmp(&theirs)
    }

    /// `weight * self * scale`, rounded down, and whether that was exact (it is when
    /// `scale` is a multiple of the denominator). At most 100 x 10^6 x `scale`.
    pub(crate) fn weighted_scaled(self, weight: u32, scale: u64) -> (i128, bool) {
        let over = i128::from(weight) * i128::from(self.over) * i128::from(scale);
        let under = i128::from(self.under.max(1));
        (over / under, over % under == 0)
    }
}

/// One criterion's exact share of a score, `weight * points / total_weight` basis points,
/// as `over / under` with both in `u64` (at most 100 x 1,000,000 and 100 x 5,000).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Share {
    over: u64,
    under: u64,
}

impl Share {
    pub(crate) fn new(weight: u32, points: Points, total_weight: u32) -> Self {
        Self {
            over: u64::from(weight) * u64::from(points.over),
            under: u64::from(points.under) * u64::from(total_weight.max(1)),
        }
    }

    /// The share rounded down; fits: a share is at most 10000 bp.
    pub(crate) fn floor(self) -> u32 {
        u32::try_from(self.over / self.under).unwrap_or(u32::MAX)
    }

    /// Compares what rounding down cut off of two shares, exactly (cross-multiplied: each
    /// side below 5 * 10^5 * 5 * 10^5, far inside `u64`).
    pub(crate) fn cmp_remainder(self, other: Share) -> Ordering {
        let mine = (self.over % self.under) * other.under;
        let theirs = (other.over % other.under) * self.under;
        mine.cmp(&theirs)
    }
}

/// The weighted mean of exact points, in basis points, exactly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Mean {
    over: BigUint,
    under: BigUint,
}

impl Mean {
    /// `sum(weight * points) / sum(weight)` over `(weight, points)`; an empty or weightless
    /// list is 0.
    pub(crate) fn weighted(terms: &[(u32, Points)]) -> Self {
        let common = terms
            .iter()
            .fold(1u64, |lcm, &(_, points)| lcm_small(lcm, points.under));
        // `common` may overflow u64 for many distinct spans: then go big from the start.
        let common = match common {
            0 => terms.iter().fold(BigUint::from(1u32), |lcm, &(_, points)| {
                lcm_big(lcm, points.under)
            }),
            small => BigUint::from(small),
        };
        let mut over = BigUint::ZERO;
        let mut total_weight = 0u64;
        for &(weight, points) in terms {
            let scaled = &common / points.under.max(1);
            over += scaled * (u64::from(weight) * u64::from(points.over));
            total_weight += u64::from(weight);
        }
        Self {
            over,
            under: common * total_weight.max(1),
        }
    }

    /// Rounded down to whole basis points (a mean of points is at most 10000).
    pub(crate) fn floor(&self) -> u32 {
        u32::try_from(&self.over / &self.under).unwrap_or(u32::MAX)
    }

    /// Compares two means exactly (cross-multiplied).
    pub(crate) fn cmp_value(&self, other: &Mean) -> Ordering {
        (&self.over * &other.under).cmp(&(&other.over * &self.under))
    }

    /// Whether the mean is `bp` basis points or more, compared exactly.
    pub(crate) fn at_least(&self, bp: u32) -> bool {
        self.over >= &self.under * bp
    }
}

pub(crate) fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// `lcm(lcm, n)` in `u64`; 0 once it overflows (and from then on).
fn lcm_small(lcm: u64, n: u32) -> u64 {
    let n = u64::from(n.max(1));
    if lcm == 0 {
        return 0;
    }
    (lcm / gcd(lcm, n)).checked_mul(n).unwrap_or(0)
}

fn lcm_big(lcm: BigUint, n: u32) -> BigUint {
    let n = n.max(1);
    // `lcm % n` is below n: the gcd is taken on small numbers.
    let rest = u32::try_from(&lcm % n).unwrap_or(0);
    let divisor = gcd(u64::from(n), u64::from(rest));
    lcm / divisor * n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_round_down_only_when_asked() {
        let third = Points::share(10_000, 1, 3);
        assert_eq!(third.floor(), 3_333);
        assert_eq!(Points::whole(2_500).floor(), 2_500);
    }

    #[test]
    fn mean_of_a_third_and_nothing_is_exactly_25_percent() {
        // A 0..=3 scale (weight 3) answered 1 and a yes/no (weight 1) answered no.
        let mean = Mean::weighted(&[(3, Points::share(10_000, 1, 3)), (1, Points::whole(0))]);
        assert_eq!(mean.floor(), 2_500);
        assert!(mean.at_least(2_500));
        assert!(!mean.at_least(2_501));
    }

    #[test]
    fn mean_just_below_a_whole_number_rounds_down() {
        // Two 0..=3 scales answered 1, equal weights: 3333 1/3 bp.
        let mean = Mean::weighted(&[
            (1, Points::share(10_000, 1, 3)),
            (1, Points::share(10_000, 1, 3)),
        ]);
        assert_eq!(mean.floor(), 3_333);
        assert!(mean.at_least(3_333) && !mean.at_least(3_334));
    }

    #[test]
    fn mean_stays_exact_when_the_common_denominator_outgrows_128_bits() {
        // Spans 51..=100 answered one step above the minimum: lcm(51..=100) > 2^128.
        let terms: Vec<(u32, Points)> = (51..=100)
            .map(|span| (100, Points::share(10_000, 1, span)))
            .collect();
        let mean = Mean::weighted(&terms);
        // sum(10000 / s, s = 51..=100) / 50 = 137.634... (Python `fractions`).
        assert_eq!(mean.floor(), 137);
        assert!(mean.at_least(137) && !mean.at_least(138));
        let full: Vec<(u32, Points)> = (51..=100)
            .map(|span| (100, Points::share(10_000, span, span)))
            .collect();
        let mean = Mean::weighted(&full);
        assert_eq!(mean.floor(), 10_000);
        assert!(mean.at_least(10_000) && !mean.at_least(10_001));
    }

    #[test]
    fn empty_mean_is_zero() {
        let mean = Mean::weighted(&[]);
        assert_eq!(mean.floor(), 0);
        assert!(mean.at_least(0) && !mean.at_least(1));
    }

    #[test]
    fn remainders_compare_exactly_across_denominators() {
        // 1/3 of a bp against 2/7 of a bp.
        let third = Share { over: 1, under: 3 };
        let two_sevenths = Share { over: 2, under: 7 };
        assert_eq!(third.cmp_remainder(two_sevenths), Ordering::Greater);
        assert_eq!(two_sevenths.cmp_remainder(third), Ordering::Less);
        let two_sixths = Share { over: 2, under: 6 };
        assert_eq!(third.cmp_remainder(two_sixths), Ordering::Equal);
    }
}
