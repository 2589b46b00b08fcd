//! Validation errors that name the offending field by its path.

use std::fmt;

/// One problem with one field of an input.
///
/// `field` is a camelCase dotted path relative to the object being parsed,
/// e.g. `criteria.2.weight` or `outlook.requalifyBy`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }

    /// Places the error under `prefix`: `weight` within `criteria.2` is `criteria.2.weight`.
    #[must_use]
    pub fn within(self, prefix: &str) -> Self {
        if prefix.is_empty() {
            return self;
        }
        Self {
            field: format!("{prefix}.{}", self.field),
            message: self.message,
        }
    }
}

/// Every problem found in one input, not only the first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationErrors(pub Vec<FieldError>);

impl ValidationErrors {
    /// The paths of the offending fields, in the order they were found.
    pub fn fields(&self) -> Vec<&str> {
        self.0.iter().map(|error| error.field.as_str()).collect()
    }

    /// Places every error under `prefix` (see [`FieldError::within`]).
    #[must_use]
    pub fn within(self, prefix: &str) -> Self {
        Self(self.0.into_iter().map(|e| e.within(prefix)).collect())
    }
}

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut separator = "";
        for error in &self.0 {
            write!(f, "{separator}{error}")?;
            separator = "; ";
        }
        Ok(())
    }
}

impl std::error::Error for ValidationErrors {}

impl From<FieldError> for ValidationErrors {
    fn from(error: FieldError) -> Self {
        Self(vec![error])
    }
}

/// A single value that failed to parse. The value does not know which field it
/// came from, so the caller names it with [`InvalidValue::at`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct InvalidValue {
    pub message: String,
}

impl InvalidValue {
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }

    pub fn at(self, field: impl Into<String>) -> FieldError {
        FieldError::new(field, self.message)
    }
}

/// Collects problems while parsing so that all of them are reported at once.
#[derive(Debug, Default)]
pub(crate) struct Problems(Vec<FieldError>);

impl Problems {
    pub(crate) fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(FieldError::new(field, message));
    }

    pub(crate) fn push(&mut self, error: FieldError) {
        self.0.push(error);
    }

    /// `value` if nothing was wrong, otherwise every problem found.
    pub(crate) fn finish<T>(self, value: T) -> Result<T, ValidationErrors> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            Err(ValidationErrors(self.0))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_errors_display_every_problem() {
        let errors = ValidationErrors(vec![
            FieldError::new("thresholdA", "must be at most 100"),
            FieldError::new("horizonMonths", "must be between 1 and 24"),
        ]);
        assert_eq!(
            errors.to_string(),
            "thresholdA: must be at most 100; horizonMonths: must be between 1 and 24"
        );
    }

    #[test]
    fn errors_can_be_placed_under_a_prefix() {
        let errors = ValidationErrors::from(FieldError::new("criteria.0.weight", "too big"));
        assert_eq!(
            errors.within("input").fields(),
            vec!["input.criteria.0.weight"]
        );
        let unchanged = InvalidValue::new("bad").at("email").within("");
        assert_eq!(unchanged, FieldError::new("email", "bad"));
    }

    #[test]
    fn problems_finish_with_the_value_only_when_empty() {
        assert_eq!(Problems::default().finish(7), Ok(7));
        let mut problems = Problems::default();
        problems.add("plan", "is required");
        assert_eq!(problems.finish(7).map_err(|e| e.fields().len()), Err(1));
    }
}
