//! Calendar periods of the feedback loop: a [`Month`] (an outcome entry's), a [`Quarter`]
//! (a goal's) and a [`MonthWindow`] (what a Pareto picture looks at).

use std::fmt;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::error::InvalidValue;

const MIN_YEAR: i32 = 1900;
const MAX_YEAR: i32 = 9999;

fn check_year(year: i32) -> Result<(), InvalidValue> {
    if (MIN_YEAR..=MAX_YEAR).contains(&year) {
        Ok(())
    } else {
        Err(InvalidValue::new(format!(
            "the year must be between {MIN_YEAR} and {MAX_YEAR}"
        )))
    }
}

/// `digits` decimal digits exactly, as a number.
fn fixed_digits(text: &str, digits: usize) -> Option<u32> {
    (text.len() == digits && text.bytes().all(|b| b.is_ascii_digit()))
        .then(|| text.parse().ok())
        .flatten()
}

/// A calendar month, 1900-01..=9999-12. Written `YYYY-MM`; ordered in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Month {
    // Field order is time order: the derived `Ord` compares the year first.
    year: i32,
    month: u32,
}

impl Month {
    /// # Errors
    /// When `year` is not 1900..=9999 or `month` not 1..=12.
    pub fn new(year: i32, month: u32) -> Result<Self, InvalidValue> {
        check_year(year)?;
        if !(1..=12).contains(&month) {
            return Err(InvalidValue::new("the month must be between 1 and 12"));
        }
        Ok(Self { year, month })
    }

    /// Reads `YYYY-MM`, zero-padded: `2026-03`, not `2026-3`.
    ///
    /// # Errors
    /// When `text` is not of that form, or names no month in 1900..=9999.
    pub fn parse(text: &str) -> Result<Self, InvalidValue> {
        let malformed = || InvalidValue::new("must be a month written YYYY-MM");
        let (year, month) = text.split_once('-').ok_or_else(malformed)?;
        let year = fixed_digits(year, 4).ok_or_else(malformed)?;
        let month = fixed_digits(month, 2).ok_or_else(malformed)?;
        Self::new(i32::try_from(year).map_err(|_| malformed())?, month)
    }

    /// The month `date` falls in. A date outside 1900..=9999 gives the nearest month.
    #[must_use]
    pub fn of(date: NaiveDate) -> Self {
        Self {
            year: date.year().clamp(MIN_YEAR, MAX_YEAR),
            month: if date.year() < MIN_YEAR {
                1
            } else if date.year() > MAX_YEAR {
                12
            } else {
                date.month()
            },
        }
    }

    #[must_use]
    pub fn year(self) -> i32 {
        self.year
    }

    /// 1..=12.
    #[must_use]
    pub fn month(self) -> u32 {
        self.month
    }

    #[must_use]
    pub fn first_day(self) -> NaiveDate {
        // Every month of 1900..=9999 exists in chrono's calendar.
        NaiveDate::from_ymd_opt(self.year, self.month, 1).unwrap_or(NaiveDate::MIN)
    }

    /// The month after this one; `None` after 9999-12.
    #[must_use]
    pub fn next(self) -> Option<Self> {
        Self::from_index(self.index() + 1).ok()
    }

    /// Months since January of year 0: `year * 12 + month - 1`. Consecutive months have
    /// consecutive indexes, so a range of months is a range of integers (for SQL filters).
    #[must_use]
    pub fn index(self) -> i32 {
        // At most 9999 * 12 + 11: far inside i32. `month` is at most 12.
        self.year * 12 + self.month.cast_signed() - 1
    }

    /// The month of an [`Month::index`].
    ///
    /// # Errors
    /// When the index is of a month outside 1900-01..=9999-12.
    pub fn from_index(index: i32) -> Result<Self, InvalidValue> {
        let year = index.div_euclid(12);
        check_year(year)?;
        Self::new(year, index.rem_euclid(12).cast_unsigned() + 1)
    }

    /// The month `months` later (earlier when negative).
    ///
    /// # Errors
    /// When that month is outside 1900-01..=9999-12.
    pub fn plus(self, months: i32) -> Result<Self, InvalidValue> {
        Self::from_index(self.index() + months)
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl TryFrom<String> for Month {
    type Error = InvalidValue;

    fn try_from(value: String) -> Result<Self, InvalidValue> {
        Self::parse(&value)
    }
}

impl From<Month> for String {
    fn from(value: Month) -> Self {
        value.to_string()
    }
}

/// A calendar quarter, written `YYYY-Qn` (n 1..=4); ordered in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Quarter {
    year: i32,
    quarter: u32,
}

impl Quarter {
    /// # Errors
    /// When `year` is not 1900..=9999 or `quarter` not 1..=4.
    pub fn new(year: i32, quarter: u32) -> Result<Self, InvalidValue> {
        check_year(year)?;
        if !(1..=4).contains(&quarter) {
            return Err(InvalidValue::new("the quarter must be between 1 and 4"));
        }
        Ok(Self { year, quarter })
    }

    /// Reads `YYYY-Qn`: `2026-Q3`.
    ///
    /// # Errors
    /// When `text` is not of that form, or names no quarter in 1900..=9999.
    pub fn parse(text: &str) -> Result<Self, InvalidValue> {
        let malformed = || InvalidValue::new("must be a quarter written YYYY-Qn");
        let (year, quarter) = text.split_once("-Q").ok_or_else(malformed)?;
        let year = fixed_digits(year, 4).ok_or_else(malformed)?;
        let quarter = fixed_digits(quarter, 1).ok_or_else(malformed)?;
        Self::new(i32::try_from(year).map_err(|_| malformed())?, quarter)
    }

    /// The quarter `month` falls in.
    #[must_use]
    pub fn of(month: Month) -> Self {
        Self {
            year: month.year,
            quarter: (month.month - 1) / 3 + 1,
        }
    }

    #[must_use]
    pub fn year(self) -> i32 {
        self.year
    }

    /// 1..=4.
    #[must_use]
    pub fn quarter(self) -> u32 {
        self.quarter
    }

    /// Its three months, in order.
    #[must_use]
    pub fn months(self) -> [Month; 3] {
        let first = (self.quarter - 1) * 3 + 1;
        [first, first + 1, first + 2].map(|month| Month {
            year: self.year,
            month,
        })
    }
}

impl fmt::Display for Quarter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-Q{}", self.year, self.quarter)
    }
}

impl TryFrom<String> for Quarter {
    type Error = InvalidValue;

    fn try_from(value: String) -> Result<Self, InvalidValue> {
        Self::parse(&value)
    }
}

impl From<Quarter> for String {
    fn from(value: Quarter) -> Self {
        value.to_string()
    }
}

/// The most months a window may span: ten years.
pub const MAX_WINDOW_MONTHS: u32 = 120;

/// The months `from..=to`, both included: 1..=120 months.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "WindowBounds", into = "WindowBounds")]
pub struct MonthWindow {
    from: Month,
    to: Month,
}

/// A window as stored and sent, checked by [`MonthWindow::new`] on the way in.
#[derive(Serialize, Deserialize)]
struct WindowBounds {
    from: Month,
    to: Month,
}

impl MonthWindow {
    /// # Errors
    /// When `from` is after `to`, or the window spans more than [`MAX_WINDOW_MONTHS`].
    pub fn new(from: Month, to: Month) -> Result<Self, InvalidValue> {
        if from > to {
            return Err(InvalidValue::new("must not start after it ends"));
        }
        let window = Self { from, to };
        if window.len() > MAX_WINDOW_MONTHS {
            return Err(InvalidValue::new(format!(
                "must span at most {MAX_WINDOW_MONTHS} months"
            )));
        }
        Ok(window)
    }

    #[must_use]
    pub fn from(self) -> Month {
        self.from
    }

    #[must_use]
    pub fn to(self) -> Month {
        self.to
    }

    #[must_use]
    pub fn contains(self, month: Month) -> bool {
        (self.from..=self.to).contains(&month)
    }

    /// How many months it spans, both ends included: 1..=120.
    #[must_use]
    pub fn len(self) -> u32 {
        // `to` is never before `from`.
        (self.to.index() - self.from.index() + 1).cast_unsigned()
    }

    /// Always false: a window holds at least its first month.
    #[must_use]
    pub fn is_empty(self) -> bool {
        false
    }
}

impl TryFrom<WindowBounds> for MonthWindow {
    type Error = InvalidValue;

    fn try_from(value: WindowBounds) -> Result<Self, InvalidValue> {
        Self::new(value.from, value.to)
    }
}

impl From<MonthWindow> for WindowBounds {
    fn from(value: MonthWindow) -> Self {
        Self {
            from: value.from,
            to: value.to,
        }
    }
}

#[cfg(test)]
mod tests;
