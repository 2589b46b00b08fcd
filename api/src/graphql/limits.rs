//! Resource limits on a GraphQL document, checked before anything runs, and an
//! `extensions.code` on every error raised before execution.
//!
//! async-graphql's own limits do most of the work (`limit_depth`, `limit_complexity`,
//! `limit_directives`, `limit_recursive_depth`, set in `schema::build`). This module adds
//! what it lacks: the size of the query text in bytes and tokens (checked before parsing),
//! aliases and directives per operation, and a bound on the document once fragments are
//! expanded. The last one matters because async-graphql's checks walk fragments inline: ten
//! fragments that each spread the next one twice are 2^10 fields, and its checks would
//! take exponential time before refusing them. Here each fragment is measured once.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery, NextPrepareRequest,
    NextValidation,
};
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{
    Name, Pos, Positioned, Request, Response, ServerError, ServerResult, ValidationResult,
    Variables,
};

use crate::config;

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
/// Any other error before execution: unknown field, bad variable, unknown operation...
pub const VALIDATION_FAILED: &str = "GRAPHQL_VALIDATION_FAILED";

/// How deep selection sets and fragment spreads may nest, counted as async-graphql's
/// `limit_recursive_depth` counts them (fields with a selection, inline fragments and
/// spreads). Guards the stack; the depth users meet is `max_depth`, counted in fields.
pub fn max_nesting(limits: &config::Limits) -> usize {
    limits.max_depth.saturating_mul(2).max(32)
}

/// The schema extension: register with `SchemaBuilder::extension`.
#[derive(Clone)]
pub struct Guard(Arc<Settings>);

struct Settings {
    limits: config::Limits,
    introspection: bool,
}

impl Guard {
    pub fn new(limits: config::Limits, introspection: bool) -> Self {
        Self(Arc::new(Settings {
            limits,
            introspection,
        }))
    }
}

/// Put into a request's data; set once the operation starts executing. An error response
/// without it is a request error (nothing ran), which the HTTP layer answers with 4xx.
#[derive(Clone, Default, Debug)]
pub struct Executed(Arc<AtomicBool>);

impl Executed {
    pub fn get(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

impl ExtensionFactory for Guard {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(self.clone())
    }
}

#[async_graphql::async_trait::async_trait]
impl Extension for Guard {
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        mut request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        check_text(&request.query, &self.0.limits)?;
        // Parsed here, before async-graphql's own checks, so that they see only a
        // document already known to be of bounded size once expanded.
        let document = match request.parsed_query() {
            Ok(document) => document,
            Err(err) => return Err(with_code(err, PARSE_FAILED)),
        };
        check_document(document, &self.0.limits, self.0.introspection)?;
        next.run(ctx, request).await
    }

    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        next.run(ctx, query, variables).await.map_err(|err| {
            // async-graphql's nesting and per-field directive checks run here; ours run
            // first with the same limits, so these only back them up.
            let code = if err.message.contains("recursion depth") {
                QUERY_TOO_DEEP
            } else if err.message.contains("number of directives") {
                TOO_MANY_DIRECTIVES
            } else {
                PARSE_FAILED
            };
            with_code(err, code)
        })
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        next.run(ctx).await.map_err(|errors| {
            errors
                .into_iter()
                .map(|err| {
                    // The messages of async-graphql's `limit_complexity` and `limit_depth`.
                    let code = match err.message.as_str() {
                        "Query is too complex." => QUERY_TOO_COMPLEX,
                        "Query is nested too deep." => QUERY_TOO_DEEP,
                        _ => VALIDATION_FAILED,
                    };
                    with_code(err, code)
                })
                .collect()
        })
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        if let Some(executed) = ctx.data_opt::<Executed>() {
            executed.0.store(true, Ordering::Relaxed);
        }
        next.run(ctx, operation_name).await
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

/// Checks the size of the query text: bytes, then lexical tokens. Runs before parsing.
///
/// # Errors
/// `QUERY_TOO_LARGE` when either limit is exceeded.
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
    if count_tokens(query, limits.max_query_tokens) > limits.max_query_tokens {
        return Err(coded(
            format!("the query has more than {} tokens", limits.max_query_tokens),
            QUERY_TOO_LARGE,
            None,
        ));
    }
    Ok(())
}

/// Lexical tokens in GraphQL source, counted up to `stop_after + 1`. Whitespace, commas and
/// comments are not tokens; a string or a number is one. It does not validate: the parser
/// reports malformed text.
fn count_tokens(source: &str, stop_after: usize) -> usize {
    let bytes = source.as_bytes();
    let mut i = 0;
    let mut count = 0;
    while i < bytes.len() && count <= stop_after {
        match bytes[i] {
            b' ' | b'\t' | b'\n' | b'\r' | b',' => i += 1,
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' && bytes[i] != b'\r' {
                    i += 1;
                }
            }
            b'"' if bytes[i..].starts_with(b"\"\"\"") => {
                i += 3;
                while i < bytes.len() && !bytes[i..].starts_with(b"\"\"\"") {
                    i += if bytes[i..].starts_with(b"\\\"\"\"") {
                        4
                    } else {
                        1
                    };
                }
                i += 3;
                count += 1;
            }
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
                count += 1;
            }
            b'.' if bytes[i..].starts_with(b"...") => {
                i += 3;
                count += 1;
            }
            c if c.is_ascii_alphanumeric() || c == b'_' || c == b'-' => {
                // A name or a number (with its sign, fraction and exponent).
                i += 1;
                while i < bytes.len()
                    && (bytes[i].is_ascii_alphanumeric()
                        || bytes[i] == b'_'
                        || bytes[i] == b'.'
                        || (matches!(bytes[i], b'+' | b'-') && matches!(bytes[i - 1], b'e' | b'E')))
                {
                    i += 1;
                }
                count += 1;
            }
            _ => {
                // A punctuator, a byte-order mark, or a character the parser will refuse.
                i += source[i..].chars().next().map_or(1, char::len_utf8);
                count += 1;
            }
        }
    }
    count
}

/// Checks every operation of a parsed document: nesting, fields once fragments are
/// expanded, aliases and directives; and introspection when it is off.
///
/// # Errors
/// The first limit exceeded, with its code.
pub fn check_document(
    document: &ExecutableDocument,
    limits: &config::Limits,
    introspection: bool,
) -> ServerResult<()> {
    let mut walker = Walker {
        document,
        limits,
        introspection,
        max_nesting: max_nesting(limits),
        fragments: HashMap::new(),
        visiting: Vec::new(),
    };
    let mut fields = 0usize;
    for (_, operation) in document.operations.iter() {
        let mut cost = walker.selection_set(&operation.node.selection_set, 0)?;
        cost.directives = cost
            .directives
            .saturating_add(operation.node.directives.len())
            .saturating_add(
                operation
                    .node
                    .variable_definitions
                    .iter()
                    .map(|v| v.node.directives.len())
                    .sum(),
            );
        if cost.aliases > limits.max_aliases {
            return Err(coded(
                format!(
                    "the operation uses {} aliases; at most {} are accepted",
                    cost.aliases, limits.max_aliases
                ),
                TOO_MANY_ALIASES,
                Some(operation.pos),
            ));
        }
        if cost.directives > limits.max_directives {
            return Err(coded(
                format!(
                    "the operation uses {} directives; at most {} are accepted",
                    cost.directives, limits.max_directives
                ),
                TOO_MANY_DIRECTIVES,
                Some(operation.pos),
            ));
        }
        fields = fields.saturating_add(cost.fields);
        walker.check_fields(fields, operation.pos)?;
    }
    Ok(())
}

/// What a selection set amounts to once its fragments are expanded.
#[derive(Clone, Copy, Default)]
struct Cost {
    fields: usize,
    aliases: usize,
    directives: usize,
    /// Nesting below this selection set, counted like async-graphql's recursive depth.
    height: usize,
}

impl Cost {
    fn add(&mut self, other: Cost) {
        self.fields = self.fields.saturating_add(other.fields);
        self.aliases = self.aliases.saturating_add(other.aliases);
        self.directives = self.directives.saturating_add(other.directives);
        self.height = self.height.max(other.height);
    }
}

struct Walker<'a> {
    document: &'a ExecutableDocument,
    limits: &'a config::Limits,
    introspection: bool,
    max_nesting: usize,
    /// Each fragment is measured once, however often it is spread.
    fragments: HashMap<&'a Name, Cost>,
    /// Fragments being measured, to refuse cycles instead of recursing forever.
    visiting: Vec<&'a Name>,
}

impl<'a> Walker<'a> {
    /// The cost of `set`, found at `depth`. Gives up as soon as a limit is exceeded, so the
    /// work is bounded by the limits, not by the document.
    fn selection_set(
        &mut self,
        set: &'a Positioned<SelectionSet>,
        depth: usize,
    ) -> ServerResult<Cost> {
        if depth > self.max_nesting {
            return Err(too_deep(set.pos));
        }
        let mut total = Cost::default();
        for selection in &set.node.items {
            let directives = selection.node.directives();
            let mut cost = Cost {
                directives: directives.len(),
                ..Cost::default()
            };
            let inner = match &selection.node {
                Selection::Field(field) => {
                    let field = &field.node;
                    if directives.len() > self.limits.max_directives_per_field {
                        return Err(coded(
                            format!(
                                "the field `{}` has {} directives; at most {} are accepted",
                                field.name.node,
                                directives.len(),
                                self.limits.max_directives_per_field
                            ),
                            TOO_MANY_DIRECTIVES,
                            Some(selection.pos),
                        ));
                    }
                    if !self.introspection
                        && matches!(field.name.node.as_str(), "__schema" | "__type")
                    {
                        return Err(coded(
                            "introspection is disabled on this server",
                            INTROSPECTION_DISABLED,
                            Some(selection.pos),
                        ));
                    }
                    cost.fields = 1;
                    cost.aliases = usize::from(field.alias.is_some());
                    if field.selection_set.node.items.is_empty() {
                        None
                    } else {
                        Some(self.selection_set(&field.selection_set, depth + 1)?)
                    }
                }
                Selection::InlineFragment(fragment) => {
                    Some(self.selection_set(&fragment.node.selection_set, depth + 1)?)
                }
                Selection::FragmentSpread(spread) => {
                    self.fragment(&spread.node.fragment_name.node, depth + 1)?
                }
            };
            if let Some(inner) = inner {
                cost.add(inner);
                cost.height = inner.height + 1;
            }
            total.add(cost);
            self.check_fields(total.fields, selection.pos)?;
        }
        Ok(total)
    }

    /// The cost of a spread of fragment `name` at `depth`; `None` for an unknown fragment
    /// (validation reports it).
    fn fragment(&mut self, name: &'a Name, depth: usize) -> ServerResult<Option<Cost>> {
        let Some(definition) = self.document.fragments.get(name) else {
            return Ok(None);
        };
        let cost = match self.fragments.get(name) {
            Some(cost) => *cost,
            None => {
                if self.visiting.contains(&name) {
                    return Err(coded(
                        format!("the fragment `{name}` spreads itself"),
                        VALIDATION_FAILED,
                        Some(definition.pos),
                    ));
                }
                self.visiting.push(name);
                let mut cost = self.selection_set(&definition.node.selection_set, depth)?;
                self.visiting.pop();
                cost.directives = cost
                    .directives
                    .saturating_add(definition.node.directives.len());
                self.fragments.insert(name, cost);
                cost
            }
        };
        // A fragment measured where it was first spread may sit deeper elsewhere.
        if depth.saturating_add(cost.height) > self.max_nesting {
            return Err(too_deep(definition.pos));
        }
        Ok(Some(cost))
    }

    fn check_fields(&self, fields: usize, pos: Pos) -> ServerResult<()> {
        // Every field costs at least 1 in the complexity, so more fields than the complexity
        // limit can only be refused; refusing them here keeps the later checks cheap.
        if fields > self.limits.max_complexity {
            return Err(coded(
                format!(
                    "the query selects more than {} fields once fragments are expanded",
                    self.limits.max_complexity
                ),
                QUERY_TOO_COMPLEX,
                Some(pos),
            ));
        }
        Ok(())
    }
}

fn too_deep(pos: Pos) -> ServerError {
    coded(
        "the query nests selections or fragments too deeply",
        QUERY_TOO_DEEP,
        Some(pos),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_counted_like_a_graphql_lexer() {
        let count = |s: &str| count_tokens(s, usize::MAX);
        assert_eq!(count("{ a }"), 3);
        assert_eq!(
            count("query Q($x: Int = -1.5e+3) { a(x: $x) @skip(if: true) }"),
            26
        );
        assert_eq!(count("# only a comment\n, , ,"), 0);
        assert_eq!(count(r#"{ a(s: "x \" { } y") }"#), 7);
        assert_eq!(count(r#"{ a(s: """ block \""" { } """) }"#), 7);
        assert_eq!(count("{ ...F ... on T { b } }"), 9);
    }

    #[test]
    fn counting_stops_just_past_the_limit() {
        let many = "a ".repeat(1_000);
        assert_eq!(count_tokens(&many, 10), 11);
    }

    fn check(query: &str, limits: &config::Limits) -> Option<String> {
        let document = async_graphql::parser::parse_query(query).ok()?;
        check_document(&document, limits, true).err().map(|e| {
            e.extensions
                .and_then(|x| x.get("code").cloned())
                .map(|c| c.to_string())
                .unwrap_or_default()
        })
    }

    #[test]
    fn a_fragment_bomb_is_refused_without_expanding_it() {
        let mut query = String::from("{ ...F0 }\n");
        for i in 0..30 {
            query.push_str(&format!(
                "fragment F{i} on Query {{ ...F{} ...F{} }}\n",
                i + 1,
                i + 1
            ));
        }
        query.push_str("fragment F30 on Query { __typename }");
        let limits = config::Limits {
            max_depth: 40,
            ..config::Limits::default()
        };
        assert_eq!(
            check(&query, &limits).as_deref(),
            Some("\"QUERY_TOO_COMPLEX\"")
        );
    }

    #[test]
    fn fragment_cycles_and_deep_chains_are_refused() {
        let limits = config::Limits::default();
        let cycle = "{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }";
        assert_eq!(
            check(cycle, &limits).as_deref(),
            Some("\"GRAPHQL_VALIDATION_FAILED\"")
        );
        let mut chain = String::from("{ ...F0 }\n");
        for i in 0..100 {
            chain.push_str(&format!("fragment F{i} on Query {{ ...F{} }}\n", i + 1));
        }
        chain.push_str("fragment F100 on Query { __typename }");
        assert_eq!(
            check(&chain, &limits).as_deref(),
            Some("\"QUERY_TOO_DEEP\"")
        );
    }

    #[test]
    fn aliases_and_directives_inside_fragments_count_once_per_spread() {
        let limits = config::Limits {
            max_aliases: 3,
            ..config::Limits::default()
        };
        let query = "{ ...F ...F } fragment F on Query { a: __typename b: __typename }";
        assert_eq!(
            check(query, &limits).as_deref(),
            Some("\"TOO_MANY_ALIASES\"")
        );
        let fine = "{ ...F } fragment F on Query { a: __typename b: __typename }";
        assert_eq!(check(fine, &limits), None);
    }
}
