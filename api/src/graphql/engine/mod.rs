//! The GraphQL engine, behind one door: `server` builds an [`Engine`] and hands it each
//! request ([`Engine::execute`]); nothing else of `graphql` is seen by `server`, `http`,
//! `idempotency`, `request_meta` or `auth`.
//!
//! A request goes: the limits on its text (`limits::check_text`), parsing, the limits on its
//! document (`limits::check_document`), the text rule and coercion over its arguments and
//! variables (`arguments`), async-graphql's validation and execution, then
//! `nulls::propagate` on the response; errors of a request refused before execution get
//! their `extensions.code` (`limits::request_errors`).
//!
//! Two ways to run it, chosen by `config::Engine` (`--engine`, `QUALIFY_ENGINE`), answer
//! alike (`tests::stock_and_tuned_answer_alike`, a differential test over generated requests;
//! and the integration suite runs on either):
//! - **stock**: async-graphql as documented: every request parsed and validated in full.
//! - **tuned**: known documents (`known`: parsed, checked and walked once, then validated in
//!   `Fast` mode once full validation has passed them) and `graphql::plain::PlainList`.
//!
//! async-graphql's extensions are not used on purpose: with any registered, the executor
//! wraps the resolution of every field in the extension chain.

pub mod arguments;
pub mod known;
pub mod limits;
pub mod nulls;
#[cfg(test)]
mod pinned;
#[cfg(test)]
mod tests;

use std::sync::Arc;

use async_graphql::parser::parse_query;
use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{Response, Schema, ServerError, ValidationMode};

use crate::app::{AppState, Credentials};
use crate::config;
use crate::graphql::loaders::VersionCache;
use crate::graphql::mutations::Mutation;
use crate::graphql::query::Query;
use crate::graphql::schema::{self, QualifySchema};
use crate::graphql::shape::Shape;
use crate::http::Answer;
use arguments::{Arguments, Plan};
use known::{Documents, Known};

/// The schema and everything it needs to run a request.
pub struct Engine {
    /// Validates every request as async-graphql does (`Strict`).
    full: QualifySchema,
    /// Tuned only: the known documents, and the schema that runs those full validation has
    /// passed (`Fast`).
    known: Option<(Documents, QualifySchema)>,
    arguments: Arguments,
    /// For `nulls::propagate`.
    shape: Shape,
    state: AppState,
    versions: VersionCache,
}

/// A request's parsed document: kept in the cache, or its own.
enum Document {
    Known(Arc<Known>),
    Own(ExecutableDocument, Plan),
}

impl Engine {
    /// The engine `state.config.engine` names.
    pub fn new(state: AppState) -> Self {
        let versions = VersionCache::default();
        let engine = state.config.engine;
        let full = build(&state, &versions, engine, ValidationMode::Strict);
        let shape = Shape::parse(&full.sdl()).unwrap_or_else(|e| {
            tracing::error!(error = %e, "the served SDL does not parse; field errors will not be nulled");
            Shape::default()
        });
        let known = engine.known_documents().then(|| {
            (
                Documents::default(),
                build(&state, &versions, engine, ValidationMode::Fast),
            )
        });
        Self {
            full,
            known,
            arguments: Arguments::default(),
            shape,
            state,
            versions,
        }
    }

    /// The limits on a query's text, checked before it is parsed (`GET` parses it to
    /// refuse a mutation).
    ///
    /// # Errors
    /// The request errors, each with its code, when the text is over a limit.
    pub fn check_text(&self, query: &str) -> Result<(), Vec<ServerError>> {
        limits::check_text(query, &self.state.config.limits)
            .map_err(|refused| limits::request_errors(vec![refused]))
    }

    /// The served schema, for subscriptions (`crate::subscriptions`, which run apart).
    pub fn schema(&self) -> QualifySchema {
        self.full.clone()
    }

    /// Runs a request as `credentials`.
    pub async fn execute(
        &self,
        credentials: Credentials,
        request: async_graphql::Request,
    ) -> Answer {
        let mut response = self.run(credentials, request).await;
        let executed = limits::executed(&response);
        if !executed {
            response.errors = limits::request_errors(std::mem::take(&mut response.errors));
        } else {
            limits::code_field_errors(&mut response.errors);
        }
        Answer { response, executed }
    }

    async fn run(&self, credentials: Credentials, mut request: async_graphql::Request) -> Response {
        let document = match self.document(&request.query) {
            Ok(document) => document,
            Err(refused) => return Response::from_errors(vec![refused]),
        };
        let plan = match &document {
            Document::Known(known) => known.plan(),
            Document::Own(_, plan) => plan,
        };
        let accepted = match plan.check(
            &self.arguments,
            request.operation_name.as_deref(),
            &request.variables,
        ) {
            Ok(accepted) => accepted,
            Err(refused) => return Response::from_errors(vec![refused]),
        };
        let operation_name = request.operation_name.clone();
        match document {
            Document::Known(known) => {
                request.set_parsed_query(known.document().clone());
                let request = schema::prepare(request, credentials, &self.state, &self.versions);
                let mut response = match &self.known {
                    Some((_, trusting)) if accepted && known.is_valid() => {
                        trusting.execute(request).await
                    }
                    _ => {
                        let response = self.full.execute(request).await;
                        if limits::executed(&response) {
                            known.mark_valid();
                        }
                        response
                    }
                };
                nulls::propagate(
                    &self.shape,
                    known.document(),
                    operation_name.as_deref(),
                    &mut response,
                );
                response
            }
            Document::Own(document, _) => {
                request.set_parsed_query(document);
                // async-graphql reads the text only to parse it (and for extensions, of
                // which there are none): it is kept for `nulls`, which needs the document
                // only when a field failed, instead of a copy of the document for every
                // request.
                let text = std::mem::take(&mut request.query);
                let request = schema::prepare(request, credentials, &self.state, &self.versions);
                let mut response = self.full.execute(request).await;
                if nulls::needed(&response)
                    && let Ok(document) = parse_query(&text)
                {
                    nulls::propagate(
                        &self.shape,
                        &document,
                        operation_name.as_deref(),
                        &mut response,
                    );
                }
                response
            }
        }
    }

    /// The request's document, from the cache or parsed and checked here.
    fn document(&self, query: &str) -> Result<Document, ServerError> {
        if let Some((documents, _)) = &self.known
            && let Some(known) = documents.get(query)
        {
            return Ok(Document::Known(known));
        }
        let config = &self.state.config;
        limits::check_text(query, &config.limits)?;
        let document = parse_query(query)
            .map_err(|e| limits::with_code(ServerError::from(e), limits::PARSE_FAILED))?;
        limits::check_document(&document, &config.limits, config.development)?;
        let plan = self.arguments.plan(&document);
        match &self.known {
            Some((documents, _)) if known::fits(query) => {
                Ok(Document::Known(documents.keep(query, document, plan)))
            }
            _ => Ok(Document::Own(document, plan)),
        }
    }

    /// Documents kept (for tests).
    #[cfg(test)]
    fn known_documents(&self) -> usize {
        self.known
            .as_ref()
            .map_or(0, |(documents, _)| documents.kept())
    }
}

/// The served schema in one validation mode. It has async-graphql's resource limits too
/// (ours run before it). Introspection and "did you mean" suggestions are on only in
/// development.
fn build(
    state: &AppState,
    versions: &VersionCache,
    engine: config::Engine,
    mode: ValidationMode,
) -> Schema<Query, Mutation, crate::graphql::subscription::Subscription> {
    let limits = &state.config.limits;
    let mut builder = schema::schema_builder()
        .validation_mode(mode)
        // No `limit_depth`: it counts introspection's `ofType` chains like any field,
        // which refuses every standard introspection query; `limits::check_document`
        // bounds depth (and those chains on their own) before `execute`.
        .limit_complexity(limits.max_complexity)
        .limit_directives(limits.max_directives_per_field)
        .limit_recursive_depth(limits::max_nesting(limits))
        .data(state.clone())
        .data(versions.clone());
    if !engine.plain_lists() {
        builder = builder.data(crate::graphql::plain::Derived);
    }
    if !state.config.development {
        builder = builder.disable_introspection().disable_suggestions();
    }
    builder.finish()
}
