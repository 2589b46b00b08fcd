//! Resource limits on a GraphQL document, checked before anything runs, and an
//! `extensions.code` on every error raised before execution.
//!
//! async-graphql's own limits do part of the work (`limit_complexity`, `limit_directives`,
//! `limit_recursive_depth`, set in `engine::build`). This module adds what it lacks: the
//! size of the query text in bytes and tokens and the nesting of its brackets (checked
//! before parsing, which recursion would overflow), depth in fields with introspection's
//! `ofType` chains bounded on their own (so that standard introspection queries pass),
//! aliases and directives per operation, and a bound on the document once fragments are
//! expanded. The last one matters because async-graphql's checks walk fragments inline: ten
//! fragments that each spread the next one twice are 2^10 fields, and its checks would
//! take exponential time before refusing them. Here each fragment is measured once.
//!
//! Errors of ours carry their code from the start. async-graphql's validation errors carry
//! nothing but their message (its `RuleError` and `ServerError` have no kind), so
//! [`classify`] is the one place that reads their wording; each of its mappings has a test
//! that runs async-graphql to produce the message, and fails if the wording changes.

mod document;
mod tokens;

use async_graphql::{Pos, Response, ServerError, ServerResult};

use crate::config;
use crate::error::ApiError;

pub use document::check_document;

/// The query text is over `max_query_bytes` or `max_query_tokens`.
pub const QUERY_TOO_LARGE: &str = "QUERY_TOO_LARGE";
/// Fields nested deeper than `max_depth` (or fragments nested absurdly deep).
pub const QUERY_TOO_DEEP: &str = "QUERY_TOO_DEEP";
/// Complexity over `max_complexity` (lists weighted by `first`).
pub const QUERY_TOO_COMPLEX: &str = "QUERY_TOO_COMPLEX";
pub const TOO_MANY_ALIASES: &str = "TOO_MANY_ALIASES";
/// Over `max_directives_per_field` on one field, or `max_directives` in one operation.
pub const TOO_MANY_DIRECTIVES: &str = "TOO_MANY_DIRECTIVES";
/// `__schema` or `__type` in production.
pub const INTROSPECTION_DISABLED: &str = "INTROSPECTION_DISABLED";
pub const PARSE_FAILED: &str = "GRAPHQL_PARSE_FAILED";
/// A value that does not fit its type (`ApiError::BadInput` adds the field's path).
pub const BAD_USER_INPUT: &str = "BAD_USER_INPUT";
/// Any other error before execution: unknown field, bad variable, unknown operation...
pub const VALIDATION_FAILED: &str = "GRAPHQL_VALIDATION_FAILED";

/// How deep selection sets and fragment spreads may nest, counted as async-graphql's
/// `limit_recursive_depth` counts them (fields with a selection, inline fragments and
/// spreads). Guards the stack; the depth users meet is `max_depth`, counted in fields.
pub fn max_nesting(limits: &config::Limits) -> usize {
    limits.max_depth.saturating_mul(2).max(32)
}

/// Whether a response comes from executing the operation, rather than from a request
/// refused before execution (parse, validation, a limit). Such a refusal has no `data` and
/// errors without a path; an executed operation has `data`, or, when a non-null root field
/// failed, an error with that field's path.
pub fn executed(response: &Response) -> bool {
    !matches!(response.data, async_graphql::Value::Null)
        || response.errors.iter().any(|e| !e.path.is_empty())
}

/// The errors of a request refused before execution, each with its code.
///
/// A value of the wrong type for a connection's `first` is reported twice by
/// async-graphql: by validation, with the argument's path, and again by the complexity
/// calculation, which parses `first` itself. The second adds nothing, so it is dropped
/// when the first is there.
///
/// They are given in the order of their places in the document: async-graphql reports
/// some (unused fragments) in the order of a hash map, which changes from one parse of the
/// same text to the next.
pub fn request_errors(errors: Vec<ServerError>) -> Vec<ServerError> {
    let errors: Vec<(ServerError, Kind)> = errors.into_iter().map(classify).collect();
    let has_field = errors.iter().any(|(e, _)| {
        e.extensions
            .as_ref()
            .is_some_and(|x| x.get("field").is_some())
    });
    let mut errors: Vec<ServerError> = errors
        .into_iter()
        .filter(|(_, kind)| !(has_field && *kind == Kind::InputValue))
        .map(|(e, _)| e)
        .collect();
    errors.sort_by_key(|e| e.locations.first().map(|p| (p.line, p.column)));
    errors
}

/// What [`classify`] recognised an error as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// It had a code already (ours, or an `ApiError`).
    Coded,
    /// `limit_recursive_depth` (ours runs first with the same limit: a backup).
    RecursionDepth,
    /// `limit_directives` (ours runs first with the same limit: a backup).
    Directives,
    /// `ArgumentsOfCorrectType`: an argument, written inline or passed as a variable, that
    /// does not fit its type.
    InvalidArgument,
    /// `limit_complexity`.
    Complexity,
    /// `limit_depth` (not set on the served schema: `limits` bounds depth itself).
    Depth,
    /// An `InputValueError` rendered outside the validation rules (the complexity
    /// calculation parsing `first` itself).
    InputValue,
    /// Any other error before execution: unknown field, bad variable, unknown operation...
    Validation,
}

/// The code of an error of a request refused before execution, and what it was taken for.
///
/// The only function that reads async-graphql's wording (its validation errors carry no
/// kind); `tests::each_async_graphql_message_has_its_code` produces each message with
/// async-graphql itself.
pub fn classify(err: ServerError) -> (ServerError, Kind) {
    if err
        .extensions
        .as_ref()
        .is_some_and(|x| x.get("code").is_some())
    {
        return (err, Kind::Coded);
    }
    // `The recursion depth of the query cannot be greater than `N``
    if err.message.starts_with("The recursion depth of the query") {
        return (with_code(err, QUERY_TOO_DEEP), Kind::RecursionDepth);
    }
    // `The number of directives on the field `f` cannot be greater than `N``
    if err
        .message
        .starts_with("The number of directives on the field")
    {
        return (with_code(err, TOO_MANY_DIRECTIVES), Kind::Directives);
    }
    // An argument of the wrong type is bad input like any other: reported as
    // `ApiError::BadInput` reports it, with the path. The message reads
    // `Invalid value for argument "input.name", expected type "String"`.
    if let Some(rest) = err.message.strip_prefix("Invalid value for argument \"")
        && let Some((field, problem)) = rest.split_once('"')
    {
        let problem = problem.trim_start_matches([',', ' ']);
        let pos = err.locations.first().copied().unwrap_or_default();
        let err =
            async_graphql::Error::from(ApiError::bad_field(field, problem)).into_server_error(pos);
        return (err, Kind::InvalidArgument);
    }
    match err.message.as_str() {
        "Query is too complex." => (with_code(err, QUERY_TOO_COMPLEX), Kind::Complexity),
        // A subscription sent over HTTP: say where it runs.
        "Subscriptions are not supported on this transport." => {
            let mut err = with_code(err, "BAD_REQUEST");
            err.message =
                "subscriptions run over WebSocket (graphql-transport-ws) on /graphql".into();
            (err, Kind::Validation)
        }
        "Query is nested too deep." => (with_code(err, QUERY_TOO_DEEP), Kind::Depth),
        // `Expected input type "Int", found "x".` or `Failed to parse "Int": ...`
        message
            if message.starts_with("Expected input type \"")
                || message.starts_with("Failed to parse \"") =>
        {
            (with_code(err, BAD_USER_INPUT), Kind::InputValue)
        }
        _ => (with_code(err, VALIDATION_FAILED), Kind::Validation),
    }
}

/// Gives a code to the field errors async-graphql raised itself: an argument whose literal
/// passed validation but not parsing (`answers: 5` for `[AnswerInput!]!`: a list of one,
/// then not an object) reads `Expected input type "AnswerInput", found 5.`, with no code.
/// Ours always carry one.
pub fn code_field_errors(errors: &mut [ServerError]) {
    for err in errors.iter_mut() {
        let uncoded = err
            .extensions
            .as_ref()
            .is_none_or(|x| x.get("code").is_none());
        if uncoded
            && (err.message.starts_with("Expected input type \"")
                || err.message.starts_with("Failed to parse \""))
        {
            err.extensions
                .get_or_insert_with(Default::default)
                .set("code", BAD_USER_INPUT);
        }
    }
}

/// An error with `extensions.code`.
pub fn coded(message: impl Into<String>, code: &'static str, pos: Option<Pos>) -> ServerError {
    with_code(ServerError::new(message, pos), code)
}

/// Sets `extensions.code` unless the error already has one.
pub fn with_code(mut err: ServerError, code: &'static str) -> ServerError {
    let extensions = err.extensions.get_or_insert_with(Default::default);
    if extensions.get("code").is_none() {
        extensions.set("code", code);
    }
    err
}

/// How deeply `{`, `[` and `(` may nest in a query's text: the selection nesting that
/// [`max_nesting`] allows, plus room for argument lists, input values and list types.
/// Capped, so that no configuration lets the parser's recursion near the stack's end.
pub fn max_text_nesting(limits: &config::Limits) -> usize {
    max_nesting(limits)
        .saturating_add(VALUE_NESTING)
        .min(MAX_TEXT_NESTING)
}

/// Brackets allowed around input values and types, beyond the selection nesting.
const VALUE_NESTING: usize = 16;
/// Never more than this, whatever `max_depth` says.
const MAX_TEXT_NESTING: usize = 128;

/// Checks the query text before it is parsed: its size in bytes, then its lexical tokens
/// and how deeply its brackets nest, in one scan.
///
/// # Errors
/// `QUERY_TOO_LARGE` when the bytes or tokens exceed their limits, `QUERY_TOO_DEEP` when
/// brackets nest deeper than [`max_text_nesting`].
pub fn check_text(query: &str, limits: &config::Limits) -> ServerResult<()> {
    if query.len() > limits.max_query_bytes {
        return Err(coded(
            format!(
                "the query is {} bytes; at most {} are accepted",
                query.len(),
                limits.max_query_bytes
            ),
            QUERY_TOO_LARGE,
            None,
        ));
    }
    let max_nesting = max_text_nesting(limits);
    let measured = tokens::measure(query, limits.max_query_tokens, max_nesting);
    if measured.nesting > max_nesting {
        return Err(coded(
            format!("the query nests brackets more than {max_nesting} deep"),
            QUERY_TOO_DEEP,
            None,
        ));
    }
    if measured.tokens > limits.max_query_tokens {
        return Err(coded(
            format!("the query has more than {} tokens", limits.max_query_tokens),
            QUERY_TOO_LARGE,
            None,
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod stack;
