//! Goals (DOMAIN.md "Goals"): a mentee's BHAG and their quarterly goals in a program, each
//! numeric goal shown against its actual for the quarter, computed from decisions and
//! outcome entries (never typed in). Here: the kinds, what a target may be, a quarter's
//! days and months, the actual of a goal from the quarter's sums, and whether it was
//! attained. Pure: the sums come from the store's `GROUP BY`s.

use chrono::NaiveDate;

use crate::error::{FieldError, InvalidValue, ValidationErrors};
use crate::measure::BasisPoints;
use crate::money::Revenue;
use crate::pareto::{basis_points, ratio};
use crate::period::Quarter;
use crate::text::{LongText, Text};

/// The most goals a mentee keeps in one program and quarter (a list, not a page).
pub const MAX_GOALS_PER_QUARTER: usize = 50;

/// The largest count a count goal may target.
pub const MAX_GOAL_COUNT: u32 = 1_000_000;

/// What a quarterly goal measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum GoalKind {
    /// Revenue of the program's clients in the quarter (the program's currency).
    Revenue,
    /// The revenue share of clients that were A at intake, in basis points.
    AShare,
    /// Clients taken on in the quarter whose intake tier is A.
    AClientsTakenOn,
    /// Prospects turned down in the quarter.
    SayNoCount,
    /// Free text: no actual.
    Text,
}

impl GoalKind {
    pub const ALL: [GoalKind; 5] = [
        GoalKind::Revenue,
        GoalKind::AShare,
        GoalKind::AClientsTakenOn,
        GoalKind::SayNoCount,
        GoalKind::Text,
    ];

    /// Whether the goal has a numeric target and an actual (all but `Text`). A mentee has
    /// at most one goal of each numeric kind per program and quarter.
    #[must_use]
    pub fn is_numeric(self) -> bool {
        self != GoalKind::Text
    }
}

/// A goal's target, checked for its kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GoalTarget {
    /// In minor units of the program's currency.
    Revenue(Revenue),
    AShare(BasisPoints),
    /// `A_CLIENTS_TAKEN_ON` or `SAY_NO_COUNT`: 0..=[`MAX_GOAL_COUNT`].
    Count(GoalKind, u32),
    /// The goal itself, not empty.
    Text(LongText),
}

impl GoalTarget {
    /// The target of a goal of `kind` given as a number (basis points for `A_SHARE`, a
    /// count otherwise; `REVENUE` takes [`GoalTarget::Revenue`], `TEXT` [`GoalTarget::text`]).
    ///
    /// # Errors
    /// When the number is out of the kind's range, or the kind takes no number.
    pub fn number(kind: GoalKind, value: i64) -> Result<Self, InvalidValue> {
        let narrow = u32::try_from(value).ok();
        match kind {
            GoalKind::AShare => narrow
                .and_then(|bp| BasisPoints::new(bp).ok())
                .map(GoalTarget::AShare)
                .ok_or_else(|| InvalidValue::new("must be between 0 and 10000 basis points")),
            GoalKind::AClientsTakenOn | GoalKind::SayNoCount => narrow
                .filter(|n| *n <= MAX_GOAL_COUNT)
                .map(|n| GoalTarget::Count(kind, n))
                .ok_or_else(|| {
                    InvalidValue::new(format!("must be between 0 and {MAX_GOAL_COUNT}"))
                }),
            GoalKind::Revenue => Err(InvalidValue::new(
                "a REVENUE goal's target is an amount of money (targetMoney)",
            )),
            GoalKind::Text => Err(InvalidValue::new("a TEXT goal has no numeric target")),
        }
    }

    /// The goal of a `TEXT` goal.
    ///
    /// # Errors
    /// When the text is empty or too long.
    pub fn text(text: &str) -> Result<Self, InvalidValue> {
        Text::parse(text)?
            .non_empty()
            .map(GoalTarget::Text)
            .ok_or_else(|| InvalidValue::new("must not be empty"))
    }

    #[must_use]
    pub fn kind(&self) -> GoalKind {
        match self {
            GoalTarget::Revenue(_) => GoalKind::Revenue,
            GoalTarget::AShare(_) => GoalKind::AShare,
            GoalTarget::Count(kind, _) => *kind,
            GoalTarget::Text(_) => GoalKind::Text,
        }
    }

    /// The target as one number (minor units, basis points or a count); `None` for text.
    #[must_use]
    pub fn value(&self) -> Option<u64> {
        match self {
            GoalTarget::Revenue(r) => u64::try_from(r.minor()).ok(),
            GoalTarget::AShare(bp) => Some(u64::from(bp.get())),
            GoalTarget::Count(_, n) => Some(u64::from(*n)),
            GoalTarget::Text(_) => None,
        }
    }
}

/// The first and the last day of a quarter (its months are [`Quarter::months`]).
#[must_use]
pub fn quarter_days(quarter: Quarter) -> (NaiveDate, NaiveDate) {
    let [first, _, last] = quarter.months();
    let end = last
        .next()
        .and_then(|m| m.first_day().pred_opt())
        .unwrap_or(NaiveDate::from_ymd_opt(9999, 12, 31).unwrap_or(NaiveDate::MAX));
    (first.first_day(), end)
}

/// Months since January of year 0 divided by three: the quarter's number in a row of
/// quarters, as the store groups months (`month_index / 3`).
#[must_use]
pub fn quarter_index(quarter: Quarter) -> i32 {
    quarter.months()[0].index() / 3
}

/// What one mentee's clients and decisions in one program did in one quarter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct QuarterFigures {
    /// Revenue of the outcome entries of the quarter's months, in minor units.
    pub revenue_minor: u64,
    /// Of it, the revenue of clients that were A at intake.
    pub a_revenue_minor: u64,
    /// Effective take-ons in the quarter with intake tier A.
    pub a_clients_taken_on: u64,
    /// `TURN_DOWN` decisions in the quarter.
    pub turned_down: u64,
}

/// The revenue share of A-intake clients, rounded down to basis points; `None` when
/// there was no revenue.
#[must_use]
pub fn a_share(figures: &QuarterFigures) -> Option<BasisPoints> {
    ratio(
        u128::from(figures.a_revenue_minor),
        u128::from(figures.revenue_minor),
        10_000,
    )
    .map(basis_points)
}

/// A goal's actual in the units of its target: minor units, basis points or a count.
/// `None` for `TEXT`, and for `A_SHARE` without revenue.
#[must_use]
pub fn actual(kind: GoalKind, figures: &QuarterFigures) -> Option<u64> {
    match kind {
        GoalKind::Revenue => Some(figures.revenue_minor),
        GoalKind::AShare => a_share(figures).map(|bp| u64::from(bp.get())),
        GoalKind::AClientsTakenOn => Some(figures.a_clients_taken_on),
        GoalKind::SayNoCount => Some(figures.turned_down),
        GoalKind::Text => None,
    }
}

/// Whether the actual reached the target (`actual >= target`); `None` for `TEXT` and
/// without an actual.
#[must_use]
pub fn attained(target: &GoalTarget, actual: Option<u64>) -> Option<bool> {
    Some(actual? >= target.value()?)
}

/// The longest numeric target of a BHAG, in characters of its decimal text.
pub const MAX_BHAG_NUMBER_CHARS: usize = 40;

/// The unit of a BHAG's numeric target (`EUR revenue`, `employees`): at most 100 characters.
pub type BhagUnit = Text<100>;

/// A mentee's BHAG, checked: the statement, the year it is meant for, and optionally a
/// number (an exact decimal, kept as its text) with its unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bhag {
    pub statement: LongText,
    pub target_year: i32,
    pub target: Option<(String, BhagUnit)>,
}

/// A BHAG as typed: the decimal's syntax is checked at the edge (the API's `Decimal`).
#[derive(Debug, Clone, Default)]
pub struct BhagDraft<'a> {
    pub statement: &'a str,
    pub target_year: i64,
    pub target_number: Option<&'a str>,
    pub target_unit: Option<&'a str>,
}

impl Bhag {
    /// Checks every value at once; paths are the draft's fields (`statement`, `targetYear`,
    /// `targetNumber`, `targetUnit`). The year is `this_year` up to a century later.
    ///
    /// # Errors
    /// Every problem found, each on its field.
    pub fn parse(draft: &BhagDraft<'_>, this_year: i32) -> Result<Self, ValidationErrors> {
        let mut problems = Vec::new();
        let statement = match Text::parse(draft.statement).map(Text::non_empty) {
            Ok(Some(text)) => Some(text),
            Ok(None) => {
                problems.push(FieldError::new("statement", "must not be empty"));
                None
            }
            Err(e) => {
                problems.push(e.at("statement"));
                None
            }
        };
        let latest = i64::from(this_year) + 100;
        let year = i32::try_from(draft.target_year)
            .ok()
            .filter(|y| (i64::from(this_year)..=latest).contains(&i64::from(*y)));
        if year.is_none() {
            problems.push(FieldError::new(
                "targetYear",
                format!("must be between {this_year} and {latest}"),
            ));
        }
        let number = draft.target_number.map(str::trim);
        if number.is_some_and(|n| n.chars().count() > MAX_BHAG_NUMBER_CHARS) {
            problems.push(FieldError::new(
                "targetNumber",
                format!("must be at most {MAX_BHAG_NUMBER_CHARS} characters"),
            ));
        }
        let unit = match draft.target_unit.map(BhagUnit::parse).transpose() {
            Ok(unit) => unit.and_then(Text::non_empty),
            Err(e) => {
                problems.push(e.at("targetUnit"));
                None
            }
        };
        let target = match (number, unit) {
            (Some(number), Some(unit)) => Some((number.to_owned(), unit)),
            (None, None) => None,
            (Some(_), None) => {
                if !problems.iter().any(|p| p.field == "targetUnit") {
                    problems.push(FieldError::new(
                        "targetUnit",
                        "a numeric target needs its unit",
                    ));
                }
                None
            }
            (None, Some(_)) => {
                problems.push(FieldError::new(
                    "targetNumber",
                    "a unit needs its numeric target",
                ));
                None
            }
        };
        match (statement, year) {
            (Some(statement), Some(target_year)) if problems.is_empty() => Ok(Bhag {
                statement,
                target_year,
                target,
            }),
            _ => Err(ValidationErrors(problems)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quarter(text: &str) -> Quarter {
        Quarter::parse(text).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn a_quarter_runs_from_its_first_to_its_last_day() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
        let days = |q| {
            let (first, last) = quarter_days(quarter(q));
            (Some(first), Some(last))
        };
        assert_eq!(days("2027-Q1"), (day(2027, 1, 1), day(2027, 3, 31)));
        assert_eq!(days("2028-Q2"), (day(2028, 4, 1), day(2028, 6, 30)));
        assert_eq!(days("2027-Q4"), (day(2027, 10, 1), day(2027, 12, 31)));
        assert_eq!(days("9999-Q4"), (day(9999, 10, 1), day(9999, 12, 31)));
    }

    #[test]
    fn a_quarters_months_share_its_index() {
        for q in ["2027-Q1", "2027-Q2", "2027-Q3", "2027-Q4"] {
            let q = quarter(q);
            for month in q.months() {
                assert_eq!(month.index() / 3, quarter_index(q));
            }
        }
        assert_eq!(
            quarter_index(quarter("2027-Q2")),
            quarter_index(quarter("2027-Q1")) + 1
        );
        assert_eq!(
            quarter_index(quarter("2028-Q1")),
            quarter_index(quarter("2027-Q4")) + 1
        );
    }

    #[test]
    fn the_a_share_is_rounded_down_and_absent_without_revenue() {
        let figures = |a, total| QuarterFigures {
            revenue_minor: total,
            a_revenue_minor: a,
            ..QuarterFigures::default()
        };
        // 3500 of 6000: 5833.33 bp.
        assert_eq!(
            actual(GoalKind::AShare, &figures(350_000, 600_000)),
            Some(5833)
        );
        assert_eq!(actual(GoalKind::AShare, &figures(2, 3)), Some(6666));
        assert_eq!(actual(GoalKind::AShare, &figures(5, 5)), Some(10_000));
        assert_eq!(actual(GoalKind::AShare, &figures(0, 0)), None);
        assert_eq!(actual(GoalKind::Revenue, &figures(0, 0)), Some(0));
    }

    #[test]
    fn each_kind_reads_its_own_figure() {
        let figures = QuarterFigures {
            revenue_minor: 600_000,
            a_revenue_minor: 350_000,
            a_clients_taken_on: 2,
            turned_down: 3,
        };
        let got: Vec<_> = GoalKind::ALL.iter().map(|k| actual(*k, &figures)).collect();
        assert_eq!(got, [Some(600_000), Some(5833), Some(2), Some(3), None]);
    }

    #[test]
    fn targets_keep_to_their_kinds_range() {
        let number = |kind, v| GoalTarget::number(kind, v).map_err(|e| e.message);
        assert_eq!(
            number(GoalKind::AShare, 8000),
            Ok(GoalTarget::AShare(BasisPoints::known(8000)))
        );
        assert!(number(GoalKind::AShare, 10_001).is_err());
        assert!(number(GoalKind::AShare, -1).is_err());
        assert_eq!(
            number(GoalKind::SayNoCount, 0),
            Ok(GoalTarget::Count(GoalKind::SayNoCount, 0))
        );
        assert!(number(GoalKind::AClientsTakenOn, -1).is_err());
        assert!(number(GoalKind::AClientsTakenOn, i64::from(MAX_GOAL_COUNT) + 1).is_err());
        assert!(number(GoalKind::Revenue, 5).is_err());
        assert!(number(GoalKind::Text, 5).is_err());
        assert!(GoalTarget::text("  ").is_err());
        assert_eq!(
            GoalTarget::text(" Hire a COO ").map(|t| t.kind()),
            Ok(GoalKind::Text)
        );
    }

    #[test]
    fn attained_means_at_least_the_target() {
        let count = |n| GoalTarget::Count(GoalKind::SayNoCount, n);
        assert_eq!(attained(&count(2), Some(2)), Some(true));
        assert_eq!(attained(&count(2), Some(1)), Some(false));
        assert_eq!(attained(&count(0), Some(0)), Some(true));
        assert_eq!(attained(&count(2), None), None);
        let text = GoalTarget::text("Hire a COO").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(attained(&text, Some(1)), None);
        let revenue = Revenue::new(500_000).map(GoalTarget::Revenue);
        assert_eq!(revenue.map(|r| attained(&r, Some(600_000))), Ok(Some(true)));
    }
    #[test]
    fn a_bhag_needs_a_statement_a_year_ahead_and_a_number_with_its_unit() {
        let draft = BhagDraft {
            statement: " The go-to firm for family businesses in Bavaria ",
            target_year: 2035,
            target_number: Some("10000000"),
            target_unit: Some("EUR revenue"),
        };
        let bhag = Bhag::parse(&draft, 2026).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            bhag.statement.as_str(),
            "The go-to firm for family businesses in Bavaria"
        );
        assert_eq!(bhag.target_year, 2035);
        assert_eq!(
            bhag.target.as_ref().map(|(n, u)| (n.as_str(), u.as_str())),
            Some(("10000000", "EUR revenue"))
        );
        let fields = |d: BhagDraft<'_>| match Bhag::parse(&d, 2026) {
            Ok(_) => Vec::new(),
            Err(e) => e.fields().into_iter().map(str::to_owned).collect(),
        };
        assert_eq!(
            fields(BhagDraft {
                statement: " ",
                target_year: 2025,
                ..draft.clone()
            }),
            ["statement", "targetYear"]
        );
        assert_eq!(
            fields(BhagDraft {
                target_unit: None,
                ..draft.clone()
            }),
            ["targetUnit"]
        );
        assert_eq!(
            fields(BhagDraft {
                target_number: None,
                ..draft.clone()
            }),
            ["targetNumber"]
        );
        assert_eq!(
            fields(BhagDraft {
                target_year: 2127,
                ..draft.clone()
            }),
            ["targetYear"]
        );
        let plain = BhagDraft {
            target_number: None,
            target_unit: None,
            ..draft
        };
        assert_eq!(Bhag::parse(&plain, 2026).map(|b| b.target), Ok(None));
    }
}
