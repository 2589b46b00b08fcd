//! The one error type of the store boundary.

use sea_orm::{DbErr, SqlErr};

/// Everything a store function can fail with.
///
/// The `Display` of [`StoreError::Db`] carries driver text (SQL, file paths): log it, never
/// send it to a client.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The row does not exist (or the conditional write found nothing to change).
    #[error("not found")]
    NotFound,
    /// A uniqueness rule was hit; the value names what is taken (e.g. `"email"`).
    #[error("conflict: {0}")]
    Conflict(&'static str),
    /// A published template version was about to be changed.
    #[error("a published template version cannot be changed")]
    Immutable,
    /// The caller's `expected_revision` is not the stored revision any more.
    #[error("the object was changed by someone else")]
    Stale,
    /// A value broke a domain rule that only the stored data can check (a client's end
    /// date against its take-on date): the caller's input, for a `BAD_USER_INPUT`.
    #[error("invalid value: {0}")]
    Invalid(domain::InvalidValue),
    /// A row's JSON columns are in a format this code does not read (`json_format`): it
    /// was written by a newer version of the code. Reading it would misread it.
    #[error("{table} row in stored JSON format {format}, which this version does not read")]
    UnknownFormat { table: &'static str, format: i32 },
    /// The database failed, or a stored row could not be read back.
    #[error("database error: {0}")]
    Db(#[from] DbErr),
}

impl StoreError {
    /// A stored value that does not parse back into its domain type.
    pub(crate) fn corrupt(what: impl std::fmt::Display) -> Self {
        StoreError::Db(DbErr::Type(format!("corrupt stored value: {what}")))
    }
}

/// Maps a unique-constraint violation to [`StoreError::Conflict`] naming `what`.
pub(crate) fn unique(what: &'static str) -> impl FnOnce(DbErr) -> StoreError {
    move |err| match err.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => StoreError::Conflict(what),
        _ => StoreError::Db(err),
    }
}

pub(crate) fn json_error(err: serde_json::Error) -> StoreError {
    StoreError::corrupt(err)
}
