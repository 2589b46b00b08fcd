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

/// A signed 64-bit whole number; see the `BigInt` scalar's description.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BigInt(pub i64);

/// The value `BigInt` stands for, if `value` is one.
fn big_int(value: &Value) -> Option<i64> {
    match value {
        Value::Number(number) => number.as_i64(),
        Value::String(text) => {
            let digits = text.strip_prefix('-').unwrap_or(text);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            text.parse().ok()
        }
        _ => None,
    }
}

/// A whole number beyond GraphQL's 32-bit `Int`: a number answer (an annual budget in
/// cents easily exceeds 2^31) and the bounds of number bands.
///
/// -9223372036854775808..=9223372036854775807 (signed 64 bits). Written in responses as a
/// JSON string of decimal digits (`"-12"`), so that clients whose numbers are IEEE doubles
/// (JavaScript) do not lose digits beyond 2^53. Accepted as such a string (an optional `-`,
/// then digits) or as a JSON/GraphQL integer; anything else (a fraction, an exponent, a
/// value outside the range, `+`, spaces) is `BAD_USER_INPUT`.
#[Scalar(
    name = "BigInt",
    specified_by_url = "https://www.w3.org/TR/xmlschema11-2/#long"
)]
impl ScalarType for BigInt {
    fn parse(value: Value) -> InputValueResult<Self> {
        big_int(&value).map(BigInt).ok_or_else(|| {
            InputValueError::custom(
                "expected a whole number from -9223372036854775808 to 9223372036854775807, \
                 as a string of digits or an integer",
            )
        })
    }

    /// Checked during validation, so a bad value is refused with its input path.
    fn is_valid(value: &Value) -> bool {
        big_int(value).is_some()
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn big_ints_are_written_as_strings_of_digits() {
        for n in [0, -1, 9_007_199_254_740_993, i64::MAX, i64::MIN] {
            assert_eq!(BigInt(n).to_value(), Value::String(n.to_string()));
        }
    }

    #[test]
    fn big_ints_are_read_from_strings_and_integers_within_64_bits() {
        let accepted = [
            (serde_json::json!("9223372036854775807"), i64::MAX),
            (serde_json::json!("-9223372036854775808"), i64::MIN),
            (serde_json::json!("9007199254740993"), 9_007_199_254_740_993),
            (
                serde_json::json!(9_007_199_254_740_993_i64),
                9_007_199_254_740_993,
            ),
            (serde_json::json!(2_147_483_648_i64), 2_147_483_648),
            (serde_json::json!(-2_147_483_649_i64), -2_147_483_649),
            (serde_json::json!("007"), 7),
            (serde_json::json!(-5), -5),
        ];
        for (json, expected) in accepted {
            let value = Value::from_json(json.clone()).ok();
            let parsed = value.and_then(|v| BigInt::parse(v).ok());
            assert_eq!(parsed, Some(BigInt(expected)), "{json}");
        }
        let refused = [
            serde_json::json!("9223372036854775808"),
            serde_json::json!(9_223_372_036_854_775_808_u64),
            serde_json::json!("-9223372036854775809"),
            serde_json::json!(1.5),
            serde_json::json!(1e3),
            serde_json::json!("1e3"),
            serde_json::json!("+5"),
            serde_json::json!(" 5"),
            serde_json::json!(""),
            serde_json::json!("-"),
            serde_json::json!(true),
            serde_json::json!(null),
        ];
        for json in refused {
            let value = Value::from_json(json.clone()).unwrap_or(Value::Null);
            assert!(!BigInt::is_valid(&value), "{json} is valid");
            assert!(BigInt::parse(value).is_err(), "{json} parses");
        }
    }

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
