//! The API's error boundary: every failure a client can see, with its `extensions.code`.
//!
//! `ApiError` deliberately does not implement `Display`: async-graphql converts any
//! `Display` type into a client-visible message, so a stray `?` on a driver error would leak
//! SQL text. Resolvers return `Result<T, ApiError>`; the only way out is `From<ApiError>`
//! below, which logs internal causes and sends a bare `INTERNAL` with an error id.

use async_graphql::ErrorExtensions;
use domain::{FieldError, ValidationErrors};
use store::StoreError;

/// What went wrong, as far as the client may know.
#[derive(Debug, Clone)]
pub enum ApiError {
    Unauthenticated,
    /// Login failed; the same for an unknown email and a wrong password.
    BadCredentials,
    Forbidden(&'static str),
    NotFound,
    /// Bad input, each problem with the path of the input field that caused it.
    BadInput(Vec<FieldError>),
    /// The request is well-formed but the data's state refuses it; the reason says which
    /// state, for a client to act on without reading the message.
    Conflict(Conflict, String),
    ExceptionNotAllowed,
    /// Too many attempts; retry after this many seconds.
    RateLimited(u64),
    Internal(String),
}

pub type ApiResult<T> = Result<T, ApiError>;

/// Why a request conflicts with the data (`extensions.reason` beside `code: CONFLICT`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conflict {
    /// `expectedRevision` is not the object's revision: someone changed it since.
    StaleRevision,
    /// `decideProspect`'s `qualificationId` is not the prospect's latest qualification.
    StaleQualification,
    /// Taking on a prospect that has no qualification.
    NotQualified,
    /// A published template version cannot change.
    ImmutableVersion,
    /// `publishTemplate` when the newest version is already published.
    AlreadyPublished,
    /// `reviewException` on a request that was already reviewed.
    AlreadyReviewed,
    /// A decision while an exception request for the prospect awaits review.
    ExceptionPending,
    /// Something unique exists already (an account's e-mail, an enrolment).
    Duplicate,
    /// The prospect or its program is archived.
    Archived,
    /// The program has no qualification standard yet.
    NoStandard,
    /// `setProgramCurrency` once outcome entries are recorded in the program's currency.
    OutcomesRecorded,
    /// `endClient` on a client that has ended.
    AlreadyEnded,
    /// A subscription fell further behind than its buffer: events were missed.
    Lagged,
}

impl Conflict {
    /// Every reason, for the README and the tests.
    pub const ALL: [Conflict; 13] = [
        Self::StaleRevision,
        Self::StaleQualification,
        Self::NotQualified,
        Self::ImmutableVersion,
        Self::AlreadyPublished,
        Self::AlreadyReviewed,
        Self::ExceptionPending,
        Self::Duplicate,
        Self::Archived,
        Self::NoStandard,
        Self::OutcomesRecorded,
        Self::AlreadyEnded,
        Self::Lagged,
    ];

    /// The value of `extensions.reason`.
    pub fn reason(self) -> &'static str {
        match self {
            Self::StaleRevision => "STALE_REVISION",
            Self::StaleQualification => "STALE_QUALIFICATION",
            Self::NotQualified => "NOT_QUALIFIED",
            Self::ImmutableVersion => "IMMUTABLE_VERSION",
            Self::AlreadyPublished => "ALREADY_PUBLISHED",
            Self::AlreadyReviewed => "ALREADY_REVIEWED",
            Self::ExceptionPending => "EXCEPTION_PENDING",
            Self::Duplicate => "DUPLICATE",
            Self::Archived => "ARCHIVED",
            Self::NoStandard => "NO_STANDARD",
            Self::OutcomesRecorded => "OUTCOMES_RECORDED",
            Self::AlreadyEnded => "ALREADY_ENDED",
            Self::Lagged => "LAGGED",
        }
    }
}

impl ApiError {
    /// One bad field, `field` being the full path from the argument (`input.name`).
    pub fn bad_field(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::BadInput(vec![FieldError {
            field: field.into(),
            message: message.into(),
        }])
    }

    /// Validation errors from `domain`, their paths prefixed by where the value sat in the input.
    pub fn invalid(prefix: &str, errors: ValidationErrors) -> Self {
        Self::BadInput(
            errors
                .0
                .into_iter()
                .map(|e| FieldError {
                    field: join_path(prefix, &e.field),
                    message: e.message,
                })
                .collect(),
        )
    }

    /// An unexpected failure: logged here with its cause, reported to the client without it.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        Self::Internal(cause.to_string())
    }

    pub fn code(&self) -> &'static str {
        match self {
            Self::Unauthenticated | Self::BadCredentials => "UNAUTHENTICATED",
            Self::Forbidden(_) => "FORBIDDEN",
            Self::NotFound => "NOT_FOUND",
            Self::BadInput(_) => "BAD_USER_INPUT",
            Self::Conflict(..) => "CONFLICT",
            Self::ExceptionNotAllowed => "EXCEPTION_NOT_ALLOWED",
            Self::RateLimited(_) => "RATE_LIMITED",
            Self::Internal(_) => "INTERNAL",
        }
    }
}

fn join_path(prefix: &str, field: &str) -> String {
    match (prefix.is_empty(), field.is_empty()) {
        (true, _) => field.to_owned(),
        (false, true) => prefix.to_owned(),
        (false, false) => format!("{prefix}.{field}"),
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::NotFound => Self::NotFound,
            // The store names what conflicted with a constant of its own.
            StoreError::Conflict("pending exception") => Self::Conflict(
                Conflict::ExceptionPending,
                "an exception request for this prospect is waiting for the mentor's review".into(),
            ),
            StoreError::Conflict("already published") => Self::Conflict(
                Conflict::AlreadyPublished,
                "the newest version is already published".into(),
            ),
            StoreError::Conflict("already reviewed") => Self::Conflict(
                Conflict::AlreadyReviewed,
                "this exception request was already reviewed".into(),
            ),
            StoreError::Conflict("outcome for this month") => Self::Conflict(
                Conflict::Duplicate,
                "the client has an outcome entry for this month: correct it instead".into(),
            ),
            StoreError::Conflict("outcomes recorded") => Self::Conflict(
                Conflict::OutcomesRecorded,
                "outcome entries are recorded in the program's currency; it can no longer change"
                    .into(),
            ),
            StoreError::Conflict("already ended") => Self::Conflict(
                Conflict::AlreadyEnded,
                "the client has ended already".into(),
            ),
            // A value only the stored data could check; the caller names the field where
            // it knows it (`endClient`'s `endedOn`).
            StoreError::Invalid(invalid) => Self::BadInput(vec![invalid.at("input")]),
            StoreError::Conflict(what) => {
                Self::Conflict(Conflict::Duplicate, format!("conflict: {what}"))
            }
            StoreError::Immutable => Self::Conflict(
                Conflict::ImmutableVersion,
                "a published template version cannot be changed".into(),
            ),
            StoreError::Stale => Self::Conflict(
                Conflict::StaleRevision,
                "the object was changed since the revision you read; reload and retry".into(),
            ),
            other => Self::internal(format!("store: {other}")),
        }
    }
}

impl From<ApiError> for async_graphql::Error {
    fn from(err: ApiError) -> Self {
        let code = err.code();
        match err {
            ApiError::Unauthenticated => {
                async_graphql::Error::new("authentication required: send a valid access token or API key")
                    .extend_with(|_, e| e.set("code", code))
            }
            ApiError::BadCredentials => async_graphql::Error::new("email or password is wrong")
                .extend_with(|_, e| e.set("code", code)),
            ApiError::Forbidden(why) => {
                async_graphql::Error::new(why).extend_with(|_, e| e.set("code", code))
            }
            ApiError::NotFound => async_graphql::Error::new("not found")
                .extend_with(|_, e| e.set("code", code)),
            ApiError::BadInput(fields) => {
                let message = fields
                    .iter()
                    .map(|f| format!("{}: {}", f.field, f.message))
                    .collect::<Vec<_>>()
                    .join("; ");
                let first = fields.first().map(|f| f.field.clone()).unwrap_or_default();
                let all: Vec<async_graphql::Value> = fields
                    .iter()
                    .map(|f| {
                        let mut map = async_graphql::indexmap::IndexMap::new();
                        map.insert(async_graphql::Name::new("field"), f.field.clone().into());
                        map.insert(async_graphql::Name::new("message"), f.message.clone().into());
                        async_graphql::Value::Object(map)
                    })
                    .collect();
                async_graphql::Error::new(format!("invalid input: {message}")).extend_with(
                    move |_, e| {
                        e.set("code", code);
                        e.set("field", first.clone());
                        e.set("fields", all.clone());
                    },
                )
            }
            ApiError::Conflict(reason, why) => {
                async_graphql::Error::new(why).extend_with(move |_, e| {
                    e.set("code", code);
                    e.set("reason", reason.reason());
                })
            }
            ApiError::ExceptionNotAllowed => async_graphql::Error::new(
                "this program's policy is STRICT: a prospect with verdict DECLINE cannot be taken on",
            )
            .extend_with(|_, e| e.set("code", code)),
            ApiError::RateLimited(retry_after) => async_graphql::Error::new(format!(
                "too many attempts; retry in {retry_after} s"
            ))
            .extend_with(move |_, e| {
                e.set("code", code);
                e.set("retryAfter", retry_after);
            }),
            ApiError::Internal(cause) => {
                // The request id ties the client's report to the log line with the cause.
                let request_id = crate::reply::report_id();
                tracing::error!(%request_id, %cause, "internal error");
                async_graphql::Error::new(crate::reply::internal_message(&request_id))
                .extend_with(move |_, e| {
                    e.set("code", code);
                    e.set("requestId", request_id.clone());
                })
            }
        }
    }
}
