//! The scalars of the feedback loop: months, quarters, exact decimals and currency codes.
//! Each checks its values in `is_valid`, so that async-graphql's validation refuses a bad
//! one with its argument path (`BAD_USER_INPUT`) before any resolver runs.

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};

/// A calendar month, `YYYY-MM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Month(pub domain::Month);

/// A calendar month written `YYYY-MM` (e.g. `2027-03`), years 1900 to 9999. Outcome
/// entries are one per client and month; the analyses take a window of months.
#[Scalar(
    name = "Month",
    specified_by_url = "https://www.iso.org/iso-8601-date-and-time-format.html"
)]
impl ScalarType for Month {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(text) => domain::Month::parse(text)
                .map(Month)
                .map_err(|e| InputValueError::custom(e.message)),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn is_valid(value: &Value) -> bool {
        matches!(value, Value::String(text) if domain::Month::parse(text).is_ok())
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.to_string())
    }
}

/// A calendar quarter, `YYYY-Qn`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quarter(pub domain::Quarter);

/// A calendar quarter written `YYYY-Qn` (e.g. `2027-Q1` for January to March).
#[Scalar(
    name = "Quarter",
    specified_by_url = "https://www.iso.org/iso-8601-date-and-time-format.html"
)]
impl ScalarType for Quarter {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(text) => domain::Quarter::parse(text)
                .map(Quarter)
                .map_err(|e| InputValueError::custom(e.message)),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn is_valid(value: &Value) -> bool {
        matches!(value, Value::String(text) if domain::Quarter::parse(text).is_ok())
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.to_string())
    }
}

/// An exact decimal number, kept as its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decimal(pub String);

/// The text of a decimal number, if `value` is one: an optional `-`, digits, and
/// optionally a `.` followed by digits; or a GraphQL/JSON integer.
fn decimal(value: &Value) -> Option<String> {
    match value {
        Value::Number(number) => number.as_i64().map(|n| n.to_string()),
        Value::String(text) => {
            let unsigned = text.strip_prefix('-').unwrap_or(text);
            let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, "0"));
            let digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
            (digits(whole) && digits(fraction)).then(|| text.clone())
        }
        _ => None,
    }
}

/// An exact decimal number, written in responses as a JSON string (`"1234.50"`) so that
/// no client's floating point loses a digit: amounts of money (with as many decimals as
/// their currency has), hours, means. Accepted as such a string (an optional `-`, digits,
/// optionally `.` and digits; no exponent, no `+`, no spaces) or as a GraphQL integer.
/// Where a field allows fewer decimals or a narrower range, it says so and refuses the
/// rest with `BAD_USER_INPUT` on that field.
#[Scalar(
    name = "Decimal",
    specified_by_url = "https://www.w3.org/TR/xmlschema11-2/#decimal"
)]
impl ScalarType for Decimal {
    fn parse(value: Value) -> InputValueResult<Self> {
        decimal(&value).map(Decimal).ok_or_else(|| {
            InputValueError::custom("expected a decimal number like \"1234.50\", or an integer")
        })
    }

    fn is_valid(value: &Value) -> bool {
        decimal(value).is_some()
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.clone())
    }
}

/// An ISO 4217 currency code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CurrencyCode(pub domain::Currency);

/// An ISO 4217 currency code, three uppercase letters (e.g. `EUR`, `USD`, `JPY`). It
/// decides how many decimals an amount has (`EUR` 2, `JPY` 0, `KWD` 3).
#[Scalar(
    name = "CurrencyCode",
    specified_by_url = "https://www.iso.org/iso-4217-currency-codes.html"
)]
impl ScalarType for CurrencyCode {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(text) => domain::Currency::parse(text)
                .map(CurrencyCode)
                .map_err(|e| InputValueError::custom(e.message)),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn is_valid(value: &Value) -> bool {
        matches!(value, Value::String(text) if domain::Currency::parse(text).is_ok())
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.code().to_owned())
    }
}

/// Hundredths as a decimal with two places: 350 is `"3.50"`.
#[must_use]
pub fn hundredths(value: u64) -> Decimal {
    Decimal(format!("{}.{:02}", value / 100, value % 100))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validity_is_exactly_what_parses() {
        let values = [
            Value::String("2027-03".into()),
            Value::String("2027-13".into()),
            Value::String("2027-3".into()),
            Value::String("2027-Q1".into()),
            Value::String("2027-Q5".into()),
            Value::String("1234.50".into()),
            Value::String("-0.5".into()),
            Value::String("1.".into()),
            Value::String(".5".into()),
            Value::String("1e3".into()),
            Value::String("+1".into()),
            Value::String("EUR".into()),
            Value::String("eur".into()),
            Value::String("XYZ".into()),
            Value::Number(12.into()),
            Value::Boolean(true),
            Value::Null,
        ];
        for value in values {
            assert_eq!(Month::is_valid(&value), Month::parse(value.clone()).is_ok());
            assert_eq!(
                Quarter::is_valid(&value),
                Quarter::parse(value.clone()).is_ok()
            );
            assert_eq!(
                Decimal::is_valid(&value),
                Decimal::parse(value.clone()).is_ok()
            );
            assert_eq!(
                CurrencyCode::is_valid(&value),
                CurrencyCode::parse(value.clone()).is_ok()
            );
        }
    }

    #[test]
    fn decimals_keep_their_text_and_integers_become_text() {
        let parsed = |v: Value| Decimal::parse(v).ok().map(|d| d.0);
        assert_eq!(
            parsed(Value::String("1234.50".into())).as_deref(),
            Some("1234.50")
        );
        assert_eq!(parsed(Value::String("-3".into())).as_deref(), Some("-3"));
        assert_eq!(parsed(Value::Number(42.into())).as_deref(), Some("42"));
        for bad in ["1.", ".5", "1e3", "+1", " 1", "", "-", "1.2.3"] {
            assert_eq!(parsed(Value::String(bad.into())), None, "{bad}");
        }
        assert_eq!(hundredths(350).0, "3.50");
        assert_eq!(hundredths(5).0, "0.05");
    }

    #[test]
    fn months_quarters_and_currencies_round_trip() {
        let month = Month::parse(Value::String("2027-03".into())).ok();
        assert_eq!(
            month.map(|m| m.to_value()),
            Some(Value::String("2027-03".into()))
        );
        let quarter = Quarter::parse(Value::String("2027-Q1".into())).ok();
        assert_eq!(
            quarter.map(|q| q.to_value()),
            Some(Value::String("2027-Q1".into()))
        );
        let eur = CurrencyCode::parse(Value::String("EUR".into())).ok();
        assert_eq!(eur.map(|c| c.to_value()), Some(Value::String("EUR".into())));
    }
}
