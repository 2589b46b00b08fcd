//! Criterion keys: the stable slugs that tie answers to criteria across versions.

use serde::{Deserialize, Serialize};

use crate::error::InvalidValue;
use crate::text::text_newtype;

const MAX_SLUG_CHARS: usize = 64;

/// `[a-z][a-z0-9_]*`, 1..=64 characters. Also the rule for choice option keys.
pub(crate) fn check_slug(input: &str) -> Result<(), InvalidValue> {
    let mut chars = input.chars();
    let starts_with_letter = chars.next().is_some_and(|c| c.is_ascii_lowercase());
    let rest_is_slug = chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if input.is_empty() || input.len() > MAX_SLUG_CHARS {
        Err(InvalidValue::new(format!(
            "must be between 1 and {MAX_SLUG_CHARS} characters"
        )))
    } else if !(starts_with_letter && rest_is_slug) {
        Err(InvalidValue::new(
            "must start with a lowercase letter and contain only a-z, 0-9 and _",
        ))
    } else {
        Ok(())
    }
}

/// The key of a criterion, e.g. `decision_maker`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CriterionKey(String);

text_newtype!(CriterionKey);

impl CriterionKey {
    /// # Errors
    /// When the key is not 1..=64 characters of `[a-z][a-z0-9_]*`.
    pub fn parse(input: &str) -> Result<Self, InvalidValue> {
        check_slug(input)?;
        Ok(Self(input.to_owned()))
    }

    /// For keys written in this crate's source; a test parses every one of them.
    pub(crate) fn from_static(key: &'static str) -> Self {
        debug_assert!(check_slug(key).is_ok(), "invalid built-in key {key}");
        Self(key.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, valid: bool) {
        let parsed = CriterionKey::parse(input);
        assert_eq!(parsed.is_ok(), valid, "input {input:?}: {parsed:?}");
        if let Ok(key) = parsed {
            assert_eq!(key.as_str(), input);
        }
    }

    #[test]
    fn criterion_key_must_be_a_lowercase_slug() {
        check("decision_maker", true);
        check("a", true);
        check("q2_revenue", true);
        check(&"a".repeat(64), true);
        check(&"a".repeat(65), false);
        check("", false);
        check("2fast", false);
        check("_hidden", false);
        check("Decision", false);
        check("decision-maker", false);
        check("decision maker", false);
        check("énergie", false);
    }

    #[test]
    fn criterion_key_error_message_names_the_rule() {
        let error = CriterionKey::parse("Bad Key").map_err(|e| e.at("criteria.0.key").to_string());
        assert_eq!(
            error,
            Err("criteria.0.key: must start with a lowercase letter and contain only a-z, 0-9 and _".to_owned())
        );
    }
}
