//! The `DateTime` scalar: async-graphql's own for `chrono::DateTime<Utc>` carries Rust
//! documentation as its description and no `@specifiedBy`; this one reads and writes the
//! same strings.

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};
use chrono::Utc;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct DateTime(pub chrono::DateTime<Utc>);

/// A point in time as an RFC 3339 string with its offset, e.g. `2027-01-31T09:30:00Z`.
/// The API writes UTC (`+00:00`), with fractions of a second where the time has them.
#[Scalar(
    name = "DateTime",
    specified_by_url = "https://datatracker.ietf.org/doc/html/rfc3339"
)]
impl ScalarType for DateTime {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(text) => {
                text.parse::<chrono::DateTime<Utc>>()
                    .map(DateTime)
                    .map_err(|_| {
                        InputValueError::custom("expected an RFC 3339 date and time with an offset")
                    })
            }
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.to_rfc3339())
    }
}

impl From<chrono::DateTime<Utc>> for DateTime {
    fn from(at: chrono::DateTime<Utc>) -> Self {
        Self(at)
    }
}

#[cfg(test)]
mod tests {
    use async_graphql::{ScalarType, Value};

    use super::DateTime;

    /// The same strings as async-graphql's scalar for `chrono::DateTime<Utc>`, both ways.
    #[test]
    fn reads_and_writes_what_the_chrono_scalar_did() {
        for text in [
            "2027-01-31T09:30:00Z",
            "2027-01-31T10:30:00.123456+01:00",
            "soon",
            "",
        ] {
            let ours = DateTime::parse(Value::String(text.into())).map(|d| d.to_value());
            let theirs =
                <chrono::DateTime<chrono::Utc> as ScalarType>::parse(Value::String(text.into()))
                    .map(|d| d.to_value());
            assert_eq!(ours.ok(), theirs.ok(), "{text}");
        }
        assert!(DateTime::parse(Value::Number(3.into())).is_err());
    }
}
