//! Custom scalars.

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};
use chrono::NaiveDate;

/// A calendar date without a time zone, `YYYY-MM-DD` (ISO 8601).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Date(pub NaiveDate);

/// A calendar date without a time zone, `YYYY-MM-DD` (RFC 3339's `full-date`).
#[Scalar(
    name = "Date",
    specified_by_url = "https://datatracker.ietf.org/doc/html/rfc3339#section-5.6"
)]
impl ScalarType for Date {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(text) => NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .map(Date)
                .map_err(|_| InputValueError::custom("expected a date as YYYY-MM-DD")),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    /// As `parse`: async-graphql's validation asks this, so that a bad date is refused
    /// before execution like any other value of the wrong type.
    fn is_valid(value: &Value) -> bool {
        matches!(value, Value::String(text) if NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok())
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.format("%Y-%m-%d").to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip_as_iso_strings() {
        let date = Date::parse(Value::String("2027-02-28".into())).ok();
        assert_eq!(
            date.map(|d| d.to_value()),
            Some(Value::String("2027-02-28".into()))
        );
        assert!(Date::parse(Value::String("2027-02-30".into())).is_err());
        assert!(Date::parse(Value::Number(3.into())).is_err());
    }

    #[test]
    fn validity_is_exactly_what_parses() {
        for value in [
            Value::String("2027-02-28".into()),
            Value::String("2027-02-30".into()),
            Value::String("tomorrow".into()),
            Value::String("2027-2-3".into()),
            Value::String(String::new()),
            Value::Number(3.into()),
            Value::Boolean(true),
            Value::Null,
        ] {
            assert_eq!(
                Date::is_valid(&value),
                Date::parse(value.clone()).is_ok(),
                "{value}"
            );
        }
    }
}
