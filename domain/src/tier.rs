//! Client tiers: A (the clients the firm is built for), B and C.

use serde::{Deserialize, Serialize};

/// A client tier.
///
/// Deliberately not `Ord`: whether "A < C" means "A is better" or "A is smaller"
/// is a guess either way, so compare with [`Tier::rank`] or [`Tier::worse`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Tier {
    A,
    B,
    C,
}

impl Tier {
    /// 0 for A, 1 for B, 2 for C: a higher rank is a worse client.
    pub fn rank(self) -> u8 {
        match self {
            Tier::A => 0,
            Tier::B => 1,
            Tier::C => 2,
        }
    }

    /// The worse of the two tiers; a knockout uses it to cap a tier.
    #[must_use]
    pub fn worse(self, other: Tier) -> Tier {
        if other.rank() > self.rank() {
            other
        } else {
            self
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worse_picks_the_tier_with_the_higher_rank() {
        let cases = [
            (Tier::A, Tier::A, Tier::A),
            (Tier::A, Tier::B, Tier::B),
            (Tier::A, Tier::C, Tier::C),
            (Tier::B, Tier::A, Tier::B),
            (Tier::B, Tier::C, Tier::C),
            (Tier::C, Tier::A, Tier::C),
            (Tier::C, Tier::B, Tier::C),
        ];
        for (tier, other, expected) in cases {
            assert_eq!(tier.worse(other), expected, "{tier:?}.worse({other:?})");
        }
    }

    #[test]
    fn rank_orders_a_before_b_before_c() {
        assert_eq!([Tier::A, Tier::B, Tier::C].map(Tier::rank), [0, 1, 2]);
    }
}
