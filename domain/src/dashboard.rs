//! The dashboard's arithmetic: a window of dates, one row of figures per mentee and
//! program (counted by the database), the totals as the sum of the rows, the rates in
//! basis points (rounded down, `None` with nothing to divide by), and the rows' order.

use chrono::{Months, NaiveDate};
use uuid::Uuid;

use crate::error::InvalidValue;
use crate::measure::BasisPoints;
use crate::pareto::{basis_points, ratio};
use crate::period::{Month, MonthWindow};

/// The method's target for the A-share of revenue: 80 % (8000 bp), the goal a dashboard
/// shows until a mentee's own quarterly `A_SHARE` goal replaces it.
pub const A_SHARE_GOAL_BP: u32 = 8_000;

/// The longest window a dashboard covers: `to` at most this many years after `from`.
pub const MAX_WINDOW_YEARS: u32 = 5;

/// A re-qualification is *due* when its date is today or within this many days after.
pub const DUE_WITHIN_DAYS: u64 = 30;

/// The dates `from..=to`, both included; `to` no later than [`MAX_WINDOW_YEARS`] after
/// `from`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateWindow {
    from: NaiveDate,
    to: NaiveDate,
    months: MonthWindow,
}

/// Which bound of a window is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WindowError {
    /// `from` is after `to`.
    StartsAfterEnd(InvalidValue),
    /// `to` is more than [`MAX_WINDOW_YEARS`] after `from`.
    TooLong(InvalidValue),
}

impl DateWindow {
    /// # Errors
    /// [`WindowError::StartsAfterEnd`] when `from` is after `to`,
    /// [`WindowError::TooLong`] when `to` is more than five years after `from`.
    pub fn new(from: NaiveDate, to: NaiveDate) -> Result<Self, WindowError> {
        if from > to {
            return Err(WindowError::StartsAfterEnd(InvalidValue::new(
                "must not be after `to`",
            )));
        }
        let limit = from.checked_add_months(Months::new(12 * MAX_WINDOW_YEARS));
        if limit.is_none_or(|limit| to > limit) {
            return Err(WindowError::TooLong(InvalidValue::new(format!(
                "must be at most {MAX_WINDOW_YEARS} years after `from`"
            ))));
        }
        let months =
            MonthWindow::new(Month::of(from), Month::of(to)).map_err(WindowError::TooLong)?;
        Ok(Self { from, to, months })
    }

    #[must_use]
    pub fn from(self) -> NaiveDate {
        self.from
    }

    #[must_use]
    pub fn to(self) -> NaiveDate {
        self.to
    }

    /// The day after `to` (the window's exclusive end), or `None` at the calendar's end.
    #[must_use]
    pub fn end_exclusive(self) -> Option<NaiveDate> {
        self.to.succ_opt()
    }

    /// The calendar months the window touches (its first date's to its last date's): the
    /// months whose outcome entries count.
    #[must_use]
    pub fn months(self) -> MonthWindow {
        self.months
    }
}

/// Where a client's re-qualification stands today.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Requalification {
    /// Its date is today or within [`DUE_WITHIN_DAYS`] days.
    Due,
    /// Its date has passed: the client is flagged for exit ([`crate::flagged_for_exit`]).
    Overdue,
}

/// Where the re-qualification of a client (`ended` or not) with date `requalify_by`
/// stands on `today`; `None` for an ended client, one without a date, or one due later.
#[must_use]
pub fn requalification(
    requalify_by: Option<NaiveDate>,
    ended: bool,
    today: NaiveDate,
) -> Option<Requalification> {
    let by = requalify_by.filter(|_| !ended)?;
    if by < today {
        Some(Requalification::Overdue)
    } else if by <= due_until(today) {
        Some(Requalification::Due)
    } else {
        None
    }
}

/// The last date a re-qualification is *due* (rather than later) on `today`.
#[must_use]
pub fn due_until(today: NaiveDate) -> NaiveDate {
    today
        .checked_add_days(chrono::Days::new(DUE_WITHIN_DAYS))
        .unwrap_or(NaiveDate::MAX)
}

/// The figures of one mentee in one program (or of a whole dashboard: the sum of rows).
/// Window figures: qualifications, decisions and exception requests made in the window,
/// revenue of its months; the re-qualifications and exit flags are as of today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Figures {
    /// Prospects with at least one qualification in the window.
    pub prospects_qualified: u32,
    /// Of those, by the tier of their latest qualification in the window: A, B, C.
    pub tier_a: u32,
    pub tier_b: u32,
    pub tier_c: u32,
    /// Of those, by its verdict.
    pub accept: u32,
    pub accept_with_plan: u32,
    pub decline: u32,
    /// `TAKE_ON` decisions in the window, exceptions included whatever their review.
    pub taken_on: u32,
    /// `TURN_DOWN` decisions in the window.
    pub turned_down: u32,
    /// Exceptions requested in the window, by their status now.
    pub exceptions_pending: u32,
    pub exceptions_approved: u32,
    pub exceptions_rejected: u32,
    /// Clients not ended whose re-qualification is due within 30 days (today included).
    pub requalifications_due: u32,
    /// Clients not ended whose re-qualification date has passed.
    pub requalifications_overdue: u32,
    /// Clients flagged for exit today.
    pub flagged_for_exit: u32,
    /// Revenue of the window's months (minor units of one currency).
    pub revenue_minor: u64,
    /// Of that, the revenue of clients that were A at intake.
    pub a_revenue_minor: u64,
}

impl Figures {
    /// Adds `other`'s counts and sums to these (saturating).
    pub fn add(&mut self, other: &Figures) {
        let add = |a: &mut u32, b: u32| *a = a.saturating_add(b);
        add(&mut self.prospects_qualified, other.prospects_qualified);
        add(&mut self.tier_a, other.tier_a);
        add(&mut self.tier_b, other.tier_b);
        add(&mut self.tier_c, other.tier_c);
        add(&mut self.accept, other.accept);
        add(&mut self.accept_with_plan, other.accept_with_plan);
        add(&mut self.decline, other.decline);
        add(&mut self.taken_on, other.taken_on);
        add(&mut self.turned_down, other.turned_down);
        add(&mut self.exceptions_pending, other.exceptions_pending);
        add(&mut self.exceptions_approved, other.exceptions_approved);
        add(&mut self.exceptions_rejected, other.exceptions_rejected);
        add(&mut self.requalifications_due, other.requalifications_due);
        add(
            &mut self.requalifications_overdue,
            other.requalifications_overdue,
        );
        add(&mut self.flagged_for_exit, other.flagged_for_exit);
        self.revenue_minor = self.revenue_minor.saturating_add(other.revenue_minor);
        self.a_revenue_minor = self.a_revenue_minor.saturating_add(other.a_revenue_minor);
    }

    /// Decisions in the window: taken on and turned down.
    #[must_use]
    pub fn decisions(&self) -> u32 {
        self.taken_on.saturating_add(self.turned_down)
    }

    /// Exceptions requested in the window, whatever their status.
    #[must_use]
    pub fn exceptions_requested(&self) -> u32 {
        self.exceptions_pending
            .saturating_add(self.exceptions_approved)
            .saturating_add(self.exceptions_rejected)
    }

    /// `turned_down * 10000 / decisions`, rounded down; `None` without decisions.
    #[must_use]
    pub fn say_no_rate(&self) -> Option<BasisPoints> {
        rate(self.turned_down.into(), self.decisions().into())
    }

    /// `exceptions requested * 10000 / taken_on`, rounded down (capped at 10000); `None`
    /// without take-ons.
    #[must_use]
    pub fn exception_rate(&self) -> Option<BasisPoints> {
        rate(self.exceptions_requested().into(), self.taken_on.into())
    }

    /// `a_revenue * 10000 / revenue`, rounded down; `None` without revenue.
    #[must_use]
    pub fn a_share(&self) -> Option<BasisPoints> {
        rate(self.a_revenue_minor.into(), self.revenue_minor.into())
    }

    /// Whether anything happened in the window or stands today (any count or sum is not
    /// zero).
    #[must_use]
    pub fn has_data(&self) -> bool {
        *self != Figures::default()
    }
}

fn rate(over: u128, under: u128) -> Option<BasisPoints> {
    ratio(over, under, 10_000).map(basis_points)
}

/// The sum of the rows' figures.
#[must_use]
pub fn total<'a>(rows: impl IntoIterator<Item = &'a Figures>) -> Figures {
    let mut sum = Figures::default();
    for row in rows {
        sum.add(row);
    }
    sum
}

/// A figure the rows can be ordered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderField {
    ProspectsQualified,
    TierA,
    TierB,
    TierC,
    Accept,
    AcceptWithPlan,
    Decline,
    TakenOn,
    TurnedDown,
    SayNoRate,
    ExceptionRate,
    ExceptionsPending,
    ExceptionsApproved,
    ExceptionsRejected,
    RequalificationsDue,
    RequalificationsOverdue,
    FlaggedForExit,
    AShare,
}

impl OrderField {
    /// The figure's value to sort by; a rate without a value (`None`) sorts below every
    /// value.
    #[must_use]
    pub fn key(self, f: &Figures) -> Option<u32> {
        let bp = |b: Option<BasisPoints>| b.map(BasisPoints::get);
        match self {
            Self::ProspectsQualified => Some(f.prospects_qualified),
            Self::TierA => Some(f.tier_a),
            Self::TierB => Some(f.tier_b),
            Self::TierC => Some(f.tier_c),
            Self::Accept => Some(f.accept),
            Self::AcceptWithPlan => Some(f.accept_with_plan),
            Self::Decline => Some(f.decline),
            Self::TakenOn => Some(f.taken_on),
            Self::TurnedDown => Some(f.turned_down),
            Self::SayNoRate => bp(f.say_no_rate()),
            Self::ExceptionRate => bp(f.exception_rate()),
            Self::ExceptionsPending => Some(f.exceptions_pending),
            Self::ExceptionsApproved => Some(f.exceptions_approved),
            Self::ExceptionsRejected => Some(f.exceptions_rejected),
            Self::RequalificationsDue => Some(f.requalifications_due),
            Self::RequalificationsOverdue => Some(f.requalifications_overdue),
            Self::FlaggedForExit => Some(f.flagged_for_exit),
            Self::AShare => bp(f.a_share()),
        }
    }
}

/// One mentee's figures in one program.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MenteeRow {
    pub mentee: Uuid,
    pub program: Uuid,
    pub figures: Figures,
}

/// Orders `rows` by `field` (ascending, or descending when `descending`), a missing rate
/// below every value; ties by mentee id, then program id, always ascending.
pub fn sort_rows(rows: &mut [MenteeRow], field: OrderField, descending: bool) {
    rows.sort_by(|a, b| {
        let (ka, kb) = (field.key(&a.figures), field.key(&b.figures));
        let by_field = if descending { kb.cmp(&ka) } else { ka.cmp(&kb) };
        by_field
            .then(a.mentee.cmp(&b.mentee))
            .then(a.program.cmp(&b.program))
    });
}

#[cfg(test)]
mod tests;
