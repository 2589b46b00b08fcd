//! Clients: prospects taken on, with the intake their decision rested on, their span from
//! take-on to end, and the flag for a re-qualification that is overdue.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::InvalidValue;
use crate::qualification::Verdict;
use crate::tier::Tier;

/// How a client came in: by the method's rule, or as an exception to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Path {
    /// Taken on with an `ACCEPT` or `ACCEPT_WITH_PLAN` verdict.
    Rule,
    /// Taken on against a `DECLINE`, once the mentor approved the exception.
    Exception,
}

impl Path {
    /// The path of a client taken on with this verdict: only a `DECLINE` makes an
    /// exception.
    #[must_use]
    pub fn of(verdict: Verdict) -> Path {
        match verdict {
            Verdict::Accept | Verdict::AcceptWithPlan => Path::Rule,
            Verdict::Decline => Path::Exception,
        }
    }
}

/// How a client relationship ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum EndReason {
    /// The work was done as agreed.
    Completed,
    WeExited,
    ClientLeft,
}

impl EndReason {
    /// Whether it ended before the work was done: we exited or the client left.
    #[must_use]
    pub fn ended_early(self) -> bool {
        matches!(self, EndReason::WeExited | EndReason::ClientLeft)
    }
}

/// The qualification a client was taken on with: what the method predicted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Intake {
    pub tier: Tier,
    pub verdict: Verdict,
    pub path: Path,
}

impl Intake {
    /// The intake of a client taken on with this tier and verdict; the path follows from
    /// the verdict ([`Path::of`]).
    #[must_use]
    pub fn new(tier: Tier, verdict: Verdict) -> Self {
        Self {
            tier,
            verdict,
            path: Path::of(verdict),
        }
    }
}

/// When a client was taken on and, once it has ended, when it ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClientSpan {
    pub taken_on: NaiveDate,
    pub ended_on: Option<NaiveDate>,
}

/// Whether a client is flagged for exit: it has not ended and its re-qualification date
/// has passed (the day itself is still in time). A client without a date is never
/// flagged.
#[must_use]
pub fn flagged_for_exit(requalify_by: Option<NaiveDate>, ended: bool, today: NaiveDate) -> bool {
    !ended && requalify_by.is_some_and(|by| by < today)
}

/// Checks the date a client ends on.
///
/// # Errors
/// When `ended_on` is before `taken_on` or after `today`.
pub fn check_end(
    taken_on: NaiveDate,
    ended_on: NaiveDate,
    today: NaiveDate,
) -> Result<(), InvalidValue> {
    if ended_on < taken_on {
        Err(InvalidValue::new(format!(
            "must not be before the client was taken on, {taken_on}"
        )))
    } else if ended_on > today {
        Err(InvalidValue::new("must not be in the future"))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::date;

    #[test]
    fn only_a_decline_makes_an_exception() {
        let paths = [Verdict::Accept, Verdict::AcceptWithPlan, Verdict::Decline].map(Path::of);
        assert_eq!(paths, [Path::Rule, Path::Rule, Path::Exception]);
        let intake = Intake::new(Tier::C, Verdict::Decline);
        assert_eq!(
            intake,
            Intake {
                tier: Tier::C,
                verdict: Verdict::Decline,
                path: Path::Exception
            }
        );
    }

    #[test]
    fn paths_and_end_reasons_are_serialized_in_screaming_snake_case() {
        let json = serde_json::to_string(&[Path::Rule, Path::Exception]);
        assert_eq!(
            json.map_err(|e| e.to_string()).as_deref(),
            Ok(r#"["RULE","EXCEPTION"]"#)
        );
        let reasons = [
            EndReason::Completed,
            EndReason::WeExited,
            EndReason::ClientLeft,
        ];
        let json = serde_json::to_string(&reasons);
        assert_eq!(
            json.map_err(|e| e.to_string()).as_deref(),
            Ok(r#"["COMPLETED","WE_EXITED","CLIENT_LEFT"]"#)
        );
    }

    #[test]
    fn a_client_ends_early_when_we_exit_or_it_leaves() {
        let early = [
            EndReason::Completed,
            EndReason::WeExited,
            EndReason::ClientLeft,
        ]
        .map(EndReason::ended_early);
        assert_eq!(early, [false, true, true]);
    }

    #[test]
    fn a_client_is_flagged_for_exit_the_day_after_its_requalification_date() {
        let by = Some(date(2026, 11, 15));
        assert!(!flagged_for_exit(by, false, date(2026, 11, 15)));
        assert!(flagged_for_exit(by, false, date(2026, 11, 16)));
        assert!(!flagged_for_exit(by, true, date(2026, 11, 16)));
        assert!(!flagged_for_exit(None, false, date(2026, 11, 16)));
    }

    #[test]
    fn a_client_ends_between_its_take_on_and_today() {
        let (taken_on, today) = (date(2026, 3, 10), date(2026, 11, 30));
        assert_eq!(check_end(taken_on, date(2026, 3, 10), today), Ok(()));
        assert_eq!(check_end(taken_on, today, today), Ok(()));
        assert_eq!(
            check_end(taken_on, date(2026, 3, 9), today).map_err(|e| e.message),
            Err("must not be before the client was taken on, 2026-03-10".to_owned())
        );
        assert_eq!(
            check_end(taken_on, date(2026, 12, 1), today).map_err(|e| e.message),
            Err("must not be in the future".to_owned())
        );
    }
}
