//! The strings enum-like columns hold, one `match` per type so that a new variant in
//! `domain` fails to compile here instead of writing an unknown code.

use domain::{
    BasisPoints, Decision, EndReason, ExceptionPolicy, Path, ProspectStatus, ScoringRule, Tier,
    Verdict,
};

use crate::StoreError;

pub(crate) trait Code: Sized + Copy {
    fn code(self) -> &'static str;
    fn from_code(stored: &str) -> Result<Self, StoreError>;
}

macro_rules! codes {
    ($ty:ty { $($variant:path => $code:literal),+ $(,)? }) => {
        impl Code for $ty {
            fn code(self) -> &'static str {
                match self {
                    $($variant => $code),+
                }
            }

            fn from_code(stored: &str) -> Result<Self, StoreError> {
                match stored {
                    $($code => Ok($variant),)+
                    other => Err(StoreError::corrupt(format_args!(
                        "{} {other:?}",
                        stringify!($ty)
                    ))),
                }
            }
        }
    };
}
pub(crate) use codes;

codes!(Tier {
    Tier::A => "A",
    Tier::B => "B",
    Tier::C => "C",
});

codes!(ExceptionPolicy {
    ExceptionPolicy::Strict => "STRICT",
    ExceptionPolicy::Review => "REVIEW",
});

codes!(Verdict {
    Verdict::Accept => "ACCEPT",
    Verdict::AcceptWithPlan => "ACCEPT_WITH_PLAN",
    Verdict::Decline => "DECLINE",
});

codes!(Path {
    Path::Rule => "RULE",
    Path::Exception => "EXCEPTION",
});

codes!(EndReason {
    EndReason::Completed => "COMPLETED",
    EndReason::WeExited => "WE_EXITED",
    EndReason::ClientLeft => "CLIENT_LEFT",
});

codes!(Decision {
    Decision::TakeOn => "TAKE_ON",
    Decision::TurnDown => "TURN_DOWN",
});

codes!(ProspectStatus {
    ProspectStatus::New => "NEW",
    ProspectStatus::Qualified => "QUALIFIED",
    ProspectStatus::TakenOn => "TAKEN_ON",
    ProspectStatus::TurnedDown => "TURNED_DOWN",
    ProspectStatus::ExceptionPending => "EXCEPTION_PENDING",
    ProspectStatus::ExceptionRejected => "EXCEPTION_REJECTED",
});

/// The number `qualifications.scoring_rule` holds for a rule. Rows from before the column
/// existed hold its default, 1: they were scored by the first rule.
pub(crate) fn scoring_rule_number(rule: ScoringRule) -> i32 {
    match rule {
        ScoringRule::BasisPointsPerAnswer => 1,
        ScoringRule::ExactFractions => 2,
    }
}

pub(crate) fn scoring_rule(stored: i32) -> Result<ScoringRule, StoreError> {
    match stored {
        1 => Ok(ScoringRule::BasisPointsPerAnswer),
        2 => Ok(ScoringRule::ExactFractions),
        other => Err(StoreError::corrupt(format_args!("scoring rule {other}"))),
    }
}

/// Small domain numbers (weights, thresholds, basis points, months: all far below
/// `i32::MAX`) as the integer columns hold them.
pub(crate) fn int(value: impl Into<u32>) -> i32 {
    i32::try_from(value.into()).unwrap_or(i32::MAX)
}

pub(crate) fn uint(stored: i32) -> Result<u32, StoreError> {
    u32::try_from(stored).map_err(|_| StoreError::corrupt(format_args!("negative {stored}")))
}

/// A stored score, checked against the rule of [`BasisPoints`].
///
/// # Errors
/// [`StoreError::Corrupt`] for a value outside 0..=10000.
pub(crate) fn basis_points(stored: i32) -> Result<BasisPoints, StoreError> {
    BasisPoints::new(uint(stored)?)
        .map_err(|_| StoreError::corrupt(format_args!("basis points {stored}")))
}

/// The format of the JSON columns (`json_format` of `qualifications`, `criteria` and
/// `decisions`) this code writes, and the only one it reads: the shapes pinned by the
/// golden fixtures in `store/tests/fixtures/stored/`. A change of a stored shape is a new
/// number here, with a reader for the old one; rows from before the column hold 1.
pub(crate) const JSON_FORMAT: i32 = 1;

/// Checks that a row of `table` holds its JSON in a format this code reads.
///
/// # Errors
/// [`StoreError::UnknownFormat`] for any other number (a row written by a newer version
/// of the code, which this one must not misread).
pub(crate) fn json_format(table: &'static str, stored: i32) -> Result<(), StoreError> {
    if stored == JSON_FORMAT {
        Ok(())
    } else {
        Err(StoreError::UnknownFormat {
            table,
            format: stored,
        })
    }
}
