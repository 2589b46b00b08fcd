//! Outcome entries: what a client really brought in one calendar month (revenue, hours,
//! energy, a note), checked against the client's span and today's date.

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::client::ClientSpan;
use crate::error::{InvalidValue, Problems, ValidationErrors};
use crate::measure::bounded;
use crate::money::Revenue;
use crate::period::Month;
use crate::text::LongText;

bounded!(
    /// How working with a client felt this month: 1 (draining) ..= 5 (energising).
    Energy,
    1..=5,
    "must be between 1 and 5"
);

/// The most hours one month can hold, in hundredths: 24 h x 31 days = 744.00 h.
pub const MAX_HOURS_HUNDREDTHS: u32 = 74_400;

/// Hours spent in one month, in hundredths of an hour (1.5 h is 150): 0..=744.00 h.
/// Serialized as the bare number of hundredths.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct Hours(u32);

impl Hours {
    /// # Errors
    /// When `hundredths` is above [`MAX_HOURS_HUNDREDTHS`] (744 hours).
    pub fn from_hundredths(hundredths: u32) -> Result<Self, InvalidValue> {
        if hundredths <= MAX_HOURS_HUNDREDTHS {
            Ok(Self(hundredths))
        } else {
            Err(InvalidValue::new("must be at most 744 hours in a month"))
        }
    }

    /// Reads hours as people type them: `12`, `12.5`, `12.25`; at most two decimals, no
    /// sign, no exponent.
    ///
    /// # Errors
    /// When `text` is not of that form, has more than two decimals, or is above 744 hours.
    pub fn parse_decimal(text: &str) -> Result<Self, InvalidValue> {
        let malformed = || InvalidValue::new("must be a number of hours like 12.5");
        let (whole, decimals) = text.split_once('.').unwrap_or((text, ""));
        let is_digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
        let dangling_point = text.contains('.') && decimals.is_empty();
        if whole.is_empty() || !is_digits(whole) || !is_digits(decimals) || dangling_point {
            return Err(malformed());
        }
        if decimals.len() > 2 {
            return Err(InvalidValue::new("must have at most 2 decimals"));
        }
        // Anything longer than 744 with leading zeros trimmed is too many hours anyway.
        let whole = whole.trim_start_matches('0');
        if whole.len() > 3 {
            return Err(InvalidValue::new("must be at most 744 hours in a month"));
        }
        let whole: u32 = if whole.is_empty() {
            0
        } else {
            whole.parse().map_err(|_| malformed())?
        };
        let fraction: u32 = match decimals.len() {
            0 => 0,
            1 => decimals.parse::<u32>().map_err(|_| malformed())? * 10,
            _ => decimals.parse().map_err(|_| malformed())?,
        };
        Self::from_hundredths(whole * 100 + fraction)
    }

    #[must_use]
    pub const fn hundredths(self) -> u32 {
        self.0
    }
}

impl fmt::Display for Hours {
    /// With two decimals: `12.50`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:02}", self.0 / 100, self.0 % 100)
    }
}

impl TryFrom<u32> for Hours {
    type Error = InvalidValue;

    fn try_from(value: u32) -> Result<Self, InvalidValue> {
        Self::from_hundredths(value)
    }
}

impl From<Hours> for u32 {
    fn from(value: Hours) -> u32 {
        value.0
    }
}

/// An outcome entry as given, before it is checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutcomeDraft {
    pub month: Month,
    /// Minor units of the program's currency.
    pub revenue_minor: i64,
    pub hours: Option<Hours>,
    /// Of `hours`, those spent on custom work instead of standard products.
    pub custom_hours: Option<Hours>,
    /// 1..=5, as given.
    pub energy: i32,
    pub note: Option<String>,
}

/// A checked outcome entry: one client, one month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OutcomeEntry {
    pub month: Month,
    pub revenue: Revenue,
    pub hours: Option<Hours>,
    /// At most `hours`; only with `hours`.
    pub custom_hours: Option<Hours>,
    pub energy: Energy,
    /// Trimmed; a blank note is no note.
    pub note: Option<LongText>,
}

/// Checks an outcome entry of a client whose span is `client`; `today` is the caller's
/// date.
///
/// # Errors
/// Every problem found, by field: `revenue` (negative or above 10^15 minor units), `hours`
/// (missing while `customHours` is given), `customHours` (more than `hours`), `energy`
/// (not 1..=5), `note` (over 2000 characters after trimming) and `month` (before the month
/// the client was taken on, after the month it ended, or after today's month).
pub fn outcome_entry(
    draft: OutcomeDraft,
    client: &ClientSpan,
    today: NaiveDate,
) -> Result<OutcomeEntry, ValidationErrors> {
    let mut problems = Problems::default();
    // A value refused below is replaced by a placeholder that never leaves: `finish`
    // returns the problems instead.
    let revenue = Revenue::new(draft.revenue_minor).unwrap_or_else(|invalid| {
        problems.push(invalid.at("revenue"));
        Revenue::ZERO
    });
    match (draft.hours, draft.custom_hours) {
        (None, Some(_)) => problems.add("hours", "is required when customHours is given"),
        (Some(hours), Some(custom)) if custom > hours => {
            problems.add("customHours", "must not be more than hours");
        }
        _ => {}
    }
    // A negative energy is as far out of range as 0: one message for both.
    let energy = u32::try_from(draft.energy)
        .unwrap_or(0)
        .try_into()
        .unwrap_or_else(|invalid: InvalidValue| {
            problems.push(invalid.at("energy"));
            Energy::MIN
        });
    let note = match draft.note.as_deref().map(LongText::parse).transpose() {
        Ok(note) => note.and_then(LongText::non_empty),
        Err(invalid) => {
            problems.push(invalid.at("note"));
            None
        }
    };
    if let Some(message) = month_problem(draft.month, client, today) {
        problems.add("month", message);
    }
    problems.finish(OutcomeEntry {
        month: draft.month,
        revenue,
        hours: draft.hours,
        custom_hours: draft.custom_hours,
        energy,
        note,
    })
}

/// What is wrong with an entry for `month`, if anything: the first rule it breaks.
fn month_problem(month: Month, client: &ClientSpan, today: NaiveDate) -> Option<String> {
    let taken_on = Month::of(client.taken_on);
    if month < taken_on {
        return Some(format!(
            "must not be before the client was taken on, {taken_on}"
        ));
    }
    if let Some(ended) = client.ended_on.map(Month::of)
        && month > ended
    {
        return Some(format!("must not be after the client ended, {ended}"));
    }
    let current = Month::of(today);
    if month > current {
        return Some(format!("must not be after this month, {current}"));
    }
    None
}

#[cfg(test)]
mod tests;
