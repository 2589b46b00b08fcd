//! Numbers with a rule: a criterion's [`Weight`], a score's [`BasisPoints`] and a tier
//! threshold's [`Percent`]. Each exists only within its range; stored and sent as the bare
//! number (serde reads it back through the same check).

/// Defines a `u32` newtype whose values lie in `MIN..=MAX`, with `new` (checked), `get`,
/// serde as the bare number (checked on the way in) and `Display` as the number.
/// Paths are spelled out so that other modules of the crate can use it too.
macro_rules! bounded {
    ($(#[$meta:meta])* $name:ident, $min:literal ..= $max:literal, $message:literal) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, ::serde::Serialize, ::serde::Deserialize)]
        #[serde(try_from = "u32", into = "u32")]
        pub struct $name(u32);

        impl $name {
            pub const MIN: $name = $name($min);
            pub const MAX: $name = $name($max);

            /// # Errors
            #[doc = concat!("When `value` is not within ", stringify!($min), "..=", stringify!($max), ".")]
            pub fn new(value: u32) -> Result<Self, $crate::error::InvalidValue> {
                if ($min..=$max).contains(&value) {
                    Ok(Self(value))
                } else {
                    Err($crate::error::InvalidValue::new($message))
                }
            }

            #[must_use]
            pub const fn get(self) -> u32 {
                self.0
            }

            /// For values written in this crate's source (a test checks every one of
            /// them) and results whose range follows from how they were computed.
            #[allow(dead_code, reason = "not every bounded type has values built in")]
            pub(crate) fn known(value: u32) -> Self {
                debug_assert!(($min..=$max).contains(&value), "{value} out of range");
                Self(value.clamp($min, $max))
            }
        }

        impl TryFrom<u32> for $name {
            type Error = $crate::error::InvalidValue;

            fn try_from(value: u32) -> Result<Self, $crate::error::InvalidValue> {
                Self::new(value)
            }
        }

        impl From<$name> for u32 {
            fn from(value: $name) -> u32 {
                value.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

pub(crate) use bounded;

bounded!(
    /// A criterion's weight in the weighted mean: 1..=100.
    Weight,
    1..=100,
    "must be between 1 and 100"
);

bounded!(
    /// Basis points of 0..=100: 0..=10000. Scores, an answer's points and a criterion's
    /// share of a score.
    BasisPoints,
    0..=10000,
    "must be between 0 and 10000"
);

bounded!(
    /// A whole percentage, 0..=100: a tier threshold.
    Percent,
    0..=100,
    "must be between 0 and 100"
);

impl BasisPoints {
    pub const ZERO: BasisPoints = BasisPoints(0);

    /// As a percentage with two decimals, the way the API shows a score: a float, for
    /// display only (scores are compared and stored as basis points).
    #[must_use]
    pub fn as_percent(self) -> f64 {
        f64::from(self.0) / 100.0
    }
}

impl Percent {
    /// The same value in basis points (75 % is 7500 bp).
    #[must_use]
    pub const fn basis_points(self) -> BasisPoints {
        BasisPoints(self.0 * 100)
    }
}

#[cfg(test)]
mod tests {
    use std::fmt;

    use super::*;
    use crate::error::InvalidValue;

    fn check<T: TryFrom<u32, Error = InvalidValue> + Into<u32> + Copy + fmt::Debug>(
        valid: &[u32],
        invalid: &[u32],
        message: &str,
    ) {
        for &value in valid {
            let parsed = T::try_from(value).map(Into::into);
            assert_eq!(parsed, Ok(value), "{value}");
        }
        for &value in invalid {
            let parsed = T::try_from(value).map(Into::into);
            assert_eq!(parsed, Err(InvalidValue::new(message)), "{value}");
        }
    }

    #[test]
    fn a_weight_is_1_to_100() {
        check::<Weight>(
            &[1, 50, 100],
            &[0, 101, u32::MAX],
            "must be between 1 and 100",
        );
    }

    #[test]
    fn basis_points_are_0_to_10000() {
        check::<BasisPoints>(
            &[0, 7500, 10000],
            &[10001, u32::MAX],
            "must be between 0 and 10000",
        );
    }

    #[test]
    fn a_percent_is_0_to_100_and_a_hundred_basis_points_each() {
        check::<Percent>(&[0, 75, 100], &[101, u32::MAX], "must be between 0 and 100");
        assert_eq!(Percent::MAX.basis_points(), BasisPoints::MAX);
        assert_eq!(
            Percent::new(75)
                .map(Percent::basis_points)
                .map(BasisPoints::get),
            Ok(7500)
        );
    }

    #[test]
    fn serde_reads_and_writes_the_bare_number_and_refuses_one_out_of_range() {
        let weight = serde_json::from_str::<Weight>("30").map_err(|e| e.to_string());
        assert_eq!(weight.map(Weight::get), Ok(30));
        let written = serde_json::to_string(&Weight::known(30)).map_err(|e| e.to_string());
        assert_eq!(written.as_deref(), Ok("30"));
        let refused = serde_json::from_str::<BasisPoints>("10001").map_err(|e| e.to_string());
        assert_eq!(refused, Err("must be between 0 and 10000".to_owned()));
        assert!(serde_json::from_str::<Weight>("0").is_err());
        assert!(serde_json::from_str::<Percent>("-1").is_err());
    }

    #[test]
    fn the_score_as_a_percent_keeps_two_decimals() {
        assert_eq!(BasisPoints::known(7499).as_percent(), 74.99);
        assert_eq!(BasisPoints::ZERO.as_percent(), 0.0);
    }
}
