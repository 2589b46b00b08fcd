//! Resource limits on a GraphQL document, checked before anything runs, and an
//! `extensions.code` on every error raised before execution.
//!
//! async-graphql's own limits do part of the work (`limit_complexity`, `limit_directives`,
//! `limit_recursive_depth`, set in `schema::build`). This module adds what it lacks: the
//! size of the query text in bytes and tokens and the nesting of its brackets (checked
//! before parsing, which recursion would overflow), depth in fields with introspection's
//! `ofType` chains bounded on their own (so that standard introspection queries pass),
//! aliases and directives per operation, and a bound on the document once fragments are
//! expanded. The last one matters because async-graphql's checks walk fragments inline: ten
//! fragments that each spread the next one twice are 2^10 fields, and its checks would
//! take exponential time before refusing them. Here each fragment is measured once.
//!
//! Clients send the same few operations over and over (with other variables), so a
//! document that passed these checks is kept, by its text, in a small LRU cache: the next
//! request with that text skips lexing, parsing and the checks above. Once the fully
//! validating schema has run such a document, it is marked valid, and its later requests
//! only have their variables checked (`graphql::variables`). Complexity weighted by
//! `first`, which depends on the variables, still runs on every request.

mod document;
mod tokens;

use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{Pos, Request, Response, ServerError, ServerResult};

use crate::config;
use crate::error::ApiError;

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

/// Parsed documents kept, at most.
pub const CACHED_DOCUMENTS: usize = 256;
/// Longer query texts are not cached (bounds the cache's memory: at most
/// `CACHED_DOCUMENTS` times this much text, and their parsed form).
pub const MAX_CACHED_QUERY_BYTES: usize = 4 * 1024;

/// The checks, run on every request before `Schema::execute` (see [`Guard::check`]).
#[derive(Clone)]
pub struct Guard(Arc<Settings>);

struct Settings {
    limits: config::Limits,
    introspection: bool,
    /// Documents that passed every check, by their query text.
    documents: Mutex<lru::LruCache<String, Arc<Known>>>,
}

/// A cached document, and whether full validation has passed it.
pub struct Known {
    document: ExecutableDocument,
    valid: AtomicBool,
}

impl Known {
    pub fn document(&self) -> &ExecutableDocument {
        &self.document
    }

    /// Whether async-graphql's full validation has passed this document (with some
    /// variables: what it checks of a document does not depend on them).
    pub fn is_valid(&self) -> bool {
        self.valid.load(Ordering::Relaxed)
    }

    /// Called once a fully validated request with this document was executed.
    pub fn mark_valid(&self) {
        self.valid.store(true, Ordering::Relaxed);
    }
}

impl Guard {
    pub fn new(limits: config::Limits, introspection: bool) -> Self {
        let capacity = NonZeroUsize::new(CACHED_DOCUMENTS).unwrap_or(NonZeroUsize::MIN);
        Self(Arc::new(Settings {
            limits,
            introspection,
            documents: Mutex::new(lru::LruCache::new(capacity)),
        }))
    }

    /// Documents in the cache (for tests).
    pub fn cached_documents(&self) -> usize {
        self.documents().map_or(0, |d| d.len())
    }

    fn documents(&self) -> Option<std::sync::MutexGuard<'_, lru::LruCache<String, Arc<Known>>>> {
        // A poisoned lock only means a panic elsewhere while it was held; the cache is
        // still a valid LRU, but skipping it is the safe choice.
        self.0.documents.lock().ok()
    }

    fn cached(&self, query: &str) -> Option<Arc<Known>> {
        // Only the `Arc` is cloned under the lock; the copy for the request is made after.
        self.documents()?.get(query).map(Arc::clone)
    }

    fn keep(&self, query: String, document: ExecutableDocument) -> Option<Arc<Known>> {
        let known = Arc::new(Known {
            document,
            valid: AtomicBool::new(false),
        });
        self.documents()?.put(query, Arc::clone(&known));
        Some(known)
    }
}

impl Guard {
    /// Checks a request before it reaches the schema, and gives it its parsed document:
    /// from the cache, or parsed here once the text is known to be of bounded size (so that
    /// async-graphql's own checks only ever see a document whose expansion is bounded).
    ///
    /// This is not an async-graphql extension on purpose: with any extension registered,
    /// the executor wraps the resolution of every field in the extension chain, about a
    /// tenth of the CPU of a page of 20 prospects.
    ///
    /// Returns the cache's entry for the document, unless it is too long to be kept.
    ///
    /// # Errors
    /// The first limit the request exceeds, or its parse error, with their codes.
    pub fn check(&self, request: &mut Request) -> ServerResult<Option<Arc<Known>>> {
        if let Some(known) = self.cached(&request.query) {
            request.set_parsed_query(known.document.clone());
            return Ok(Some(known));
        }
        check_text(&request.query, &self.0.limits)?;
        // Only a text short enough to be kept is copied for the cache's key.
        let key = (request.query.len() <= MAX_CACHED_QUERY_BYTES).then(|| request.query.clone());
        let document = match request.parsed_query() {
            Ok(document) => document,
            Err(err) => return Err(with_code(err, PARSE_FAILED)),
        };
        document::check_document(document, &self.0.limits, self.0.introspection)?;
        Ok(key.and_then(|key| self.keep(key, document.clone())))
    }
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
/// calculation, which parses `first` itself (rendered like any `InputValueError`:
/// `Expected input type "Int", found "x".` or `Failed to parse "Int": ...`). The second
/// adds nothing, so it is dropped when the first is there.
pub fn request_errors(errors: Vec<ServerError>) -> Vec<ServerError> {
    let errors: Vec<ServerError> = errors.into_iter().map(request_error).collect();
    let has_field = errors.iter().any(|e| {
        e.extensions
            .as_ref()
            .is_some_and(|x| x.get("field").is_some())
    });
    errors
        .into_iter()
        .filter(|e| !(has_field && is_input_value_error(e)))
        .collect()
}

/// Whether `err` is async-graphql's rendering of an `InputValueError` raised outside the
/// validation rules (see `request_errors`).
fn is_input_value_error(err: &ServerError) -> bool {
    err.message.starts_with("Expected input type \"")
        || err.message.starts_with("Failed to parse \"")
}

/// The code of an error of a request refused before execution.
pub fn request_error(err: ServerError) -> ServerError {
    if err
        .extensions
        .as_ref()
        .is_some_and(|x| x.get("code").is_some())
    {
        return err;
    }
    // async-graphql's own nesting and per-field directive checks; ours run first with
    // the same limits, so these only back them up.
    if err.message.contains("recursion depth") {
        return with_code(err, QUERY_TOO_DEEP);
    }
    if err.message.contains("number of directives") {
        return with_code(err, TOO_MANY_DIRECTIVES);
    }
    classify(err)
}

/// The code of an async-graphql validation error, told by its message (pinned by the tests
/// of this module and of `tests/limits.rs`).
fn classify(err: ServerError) -> ServerError {
    // An argument of the wrong type, written in the query or passed as a variable, is bad
    // input like any other: reported as `ApiError::BadInput` reports it, with the path.
    // The message reads `Invalid value for argument "input.name", expected type "String"`.
    if let Some(rest) = err.message.strip_prefix("Invalid value for argument \"")
        && let Some((field, problem)) = rest.split_once('"')
    {
        let problem = problem.trim_start_matches([',', ' ']);
        let pos = err.locations.first().copied().unwrap_or_default();
        return async_graphql::Error::from(ApiError::bad_field(field, problem))
            .into_server_error(pos);
    }
    let code = match err.message.as_str() {
        // The messages of `limit_complexity` and `limit_depth`.
        "Query is too complex." => QUERY_TOO_COMPLEX,
        "Query is nested too deep." => QUERY_TOO_DEEP,
        _ if is_input_value_error(&err) => BAD_USER_INPUT,
        _ => VALIDATION_FAILED,
    };
    with_code(err, code)
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
mod tests {
    use async_graphql::{EmptyMutation, EmptySubscription, Object, Schema, Variables};
    use serde_json::json;

    use super::*;

    struct Query;

    #[Object]
    impl Query {
        async fn echo(&self, n: i32) -> i32 {
            n
        }
    }

    /// What the server does with a request: the guard's checks, then the schema.
    async fn run(guard: &Guard, mut request: Request) -> Response {
        if let Err(refused) = guard.check(&mut request) {
            return Response::from_errors(vec![refused]);
        }
        Schema::new(Query, EmptyMutation, EmptySubscription)
            .execute(request)
            .await
    }

    fn code(error: &ServerError) -> Option<String> {
        error
            .extensions
            .as_ref()
            .and_then(|x| x.get("code"))
            .map(ToString::to_string)
    }

    #[tokio::test]
    async fn a_document_that_passed_is_reused_with_other_variables() {
        let guard = Guard::new(config::Limits::default(), false);
        let query = "query Q($n: Int!) { echo(n: $n) }";
        for n in [1, 2, 3] {
            let request = Request::new(query).variables(Variables::from_json(json!({ "n": n })));
            let response = run(&guard, request).await;
            assert!(response.errors.is_empty(), "{:?}", response.errors);
            assert!(executed(&response));
            assert_eq!(response.data.into_json().ok(), Some(json!({ "echo": n })));
        }
        assert_eq!(guard.cached_documents(), 1);
        // A wrong variable is still refused: validation runs on every request.
        let bad = Request::new(query).variables(Variables::from_json(json!({ "n": "x" })));
        let response = run(&guard, bad).await;
        assert!(!executed(&response));
        let refused: Vec<_> = response.errors.into_iter().map(request_error).collect();
        assert_eq!(refused.len(), 1);
        assert_eq!(code(&refused[0]).as_deref(), Some("\"BAD_USER_INPUT\""));
        assert_eq!(guard.cached_documents(), 1);
    }

    #[tokio::test]
    async fn a_refused_document_is_not_kept_and_is_refused_again() {
        let limits = config::Limits {
            max_aliases: 1,
            ..config::Limits::default()
        };
        let guard = Guard::new(limits, false);
        let query = "{ a: echo(n: 1) b: echo(n: 2) }";
        for _ in 0..2 {
            let response = run(&guard, Request::new(query)).await;
            assert!(!executed(&response));
            let first = response.errors.first().map(code);
            assert_eq!(first.flatten().as_deref(), Some("\"TOO_MANY_ALIASES\""));
        }
        assert_eq!(guard.cached_documents(), 0);
    }

    #[tokio::test]
    async fn long_queries_are_not_kept() {
        let guard = Guard::new(config::Limits::default(), false);
        let padding = " ".repeat(MAX_CACHED_QUERY_BYTES);
        let request = Request::new(format!("{{ echo(n: 1) }}{padding}"));
        let response = run(&guard, request).await;
        assert!(response.errors.is_empty());
        assert_eq!(guard.cached_documents(), 0);
    }

    #[tokio::test]
    async fn a_failing_root_field_still_counts_as_executed() {
        struct Failing;

        #[Object]
        impl Failing {
            async fn boom(&self) -> async_graphql::Result<i32> {
                Err("no".into())
            }
        }
        let schema = Schema::new(Failing, EmptyMutation, EmptySubscription);
        let response = schema.execute("{ boom }").await;
        assert!(matches!(response.data, async_graphql::Value::Null));
        assert!(executed(&response), "{response:?}");
        let unknown = schema.execute("{ nope }").await;
        assert!(!executed(&unknown));
        assert_eq!(
            code(&request_error(unknown.errors[0].clone())).as_deref(),
            Some("\"GRAPHQL_VALIDATION_FAILED\"")
        );
    }
}

#[cfg(test)]
mod stack;
