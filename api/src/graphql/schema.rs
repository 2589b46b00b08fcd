//! Building the schema, and running one request with its per-request data.

use async_graphql::{EmptySubscription, Schema, ValidationMode};

use crate::graphql::coercion::Coercion;
use crate::graphql::context::{Actor, AppState, Credentials};
use crate::graphql::limits::{self, Known};
use crate::graphql::loaders::{self, VersionCache};
use crate::graphql::mutations::Mutation;
use crate::graphql::node::Node;
use crate::graphql::nulls;
use crate::graphql::query::Query;
use crate::graphql::shape::Shape;
use crate::graphql::variables::Inputs;

pub type QualifySchema = Schema<Query, Mutation, EmptySubscription>;

/// The schema without data: enough to print the SDL.
pub fn schema_builder() -> async_graphql::SchemaBuilder<Query, Mutation, EmptySubscription> {
    Schema::build(Query, Mutation::default(), EmptySubscription).register_output_type::<Node>()
}

/// The served schema, twice: `full` validates every request as async-graphql does;
/// `trusting` runs documents that `full` has already validated, after their variables
/// are checked (`graphql::variables`). Both have async-graphql's resource limits (ours,
/// `limits::Guard`, run before `execute`). Introspection and "did you mean" suggestions are
/// on only in development.
pub struct Schemas {
    full: QualifySchema,
    trusting: QualifySchema,
    inputs: Inputs,
    coercion: Coercion,
    /// For `nulls::propagate`.
    shape: Shape,
}

pub fn build(state: AppState, versions: VersionCache) -> Schemas {
    let make = |mode: ValidationMode| {
        let development = state.config.development;
        let limits = &state.config.limits;
        let mut builder = schema_builder()
            .validation_mode(mode)
            // No `limit_depth`: it counts introspection's `ofType` chains like any field,
            // which refuses every standard introspection query; `limits::Guard` bounds
            // depth (and those chains on their own) before `execute`.
            .limit_complexity(limits.max_complexity)
            .limit_directives(limits.max_directives_per_field)
            .limit_recursive_depth(limits::max_nesting(limits))
            .data(state.clone())
            .data(versions.clone());
        if !development {
            builder = builder.disable_introspection().disable_suggestions();
        }
        builder.finish()
    };
    let full = make(ValidationMode::Strict);
    let shape = Shape::parse(&full.sdl()).unwrap_or_else(|e| {
        tracing::error!(error = %e, "the served SDL does not parse; field errors will not be nulled");
        Shape::default()
    });
    Schemas {
        full,
        trusting: make(ValidationMode::Fast),
        inputs: Inputs::default(),
        coercion: Coercion::default(),
        shape,
    }
}

impl Schemas {
    /// Runs a request whose document `limits::Guard` has checked; `known` is its cache
    /// entry, if it has one.
    /// Field errors are handled as the specification says (`nulls::propagate`).
    pub async fn execute(
        &self,
        mut request: async_graphql::Request,
        known: Option<&Known>,
    ) -> async_graphql::Response {
        let operation_name = request.operation_name.clone();
        // A document too long for the cache is copied: rare, and only such requests pay.
        let own = match known {
            Some(_) => None,
            None => request.parsed_query().ok().cloned(),
        };
        let mut response = self.run(request, known).await;
        if let Some(document) = known.map(Known::document).or(own.as_ref()) {
            nulls::propagate(
                &self.shape,
                document,
                operation_name.as_deref(),
                &mut response,
            );
        }
        response
    }

    async fn run(
        &self,
        mut request: async_graphql::Request,
        known: Option<&Known>,
    ) -> async_graphql::Response {
        if let Err(refused) = self.coerce(&mut request) {
            return async_graphql::Response::from_errors(vec![refused]);
        }
        if let Some(known) = known
            && known.is_valid()
            && self.inputs.accept(
                known.document(),
                request.operation_name.as_deref(),
                &request.variables,
            )
        {
            return self.trusting.execute(request).await;
        }
        let response = self.full.execute(request).await;
        if let Some(known) = known
            && limits::executed(&response)
        {
            known.mark_valid();
        }
        response
    }
}

impl Schemas {
    /// Values of scalars that async-graphql's validation does not parse
    /// (`graphql::coercion`), refused before either schema runs the request.
    fn coerce(&self, request: &mut async_graphql::Request) -> async_graphql::ServerResult<()> {
        if !self.coercion.may_apply(&request.query) {
            return Ok(());
        }
        let operation_name = request.operation_name.clone();
        let variables = request.variables.clone();
        // A document that does not parse is reported by `execute`.
        let Ok(document) = request.parsed_query() else {
            return Ok(());
        };
        self.coercion
            .check(document, operation_name.as_deref(), &variables)
    }
}

/// Attach what one request needs: its credentials, its actor and fresh batch loaders.
pub fn prepare(
    request: async_graphql::Request,
    credentials: Credentials,
    state: &AppState,
    versions: &VersionCache,
) -> async_graphql::Request {
    let mut request = request
        .data(credentials)
        .data(loaders::loaders(state.db.clone(), versions.clone()));
    if let Credentials::Valid(subject) = credentials {
        request = request.data(Actor::new(subject.user_id, subject.role));
    }
    request
}

/// The SDL of the served schema, as committed in `schema.graphql`.
pub fn sdl() -> String {
    schema_builder()
        .finish()
        .sdl_with_options(async_graphql::SDLExportOptions::new().include_specified_by())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use async_graphql::{Request, Response, Variables};
    use serde_json::{Value as Json, json};

    use super::{Schemas, build, prepare};
    use crate::auth::{Hasher, LoginThrottle, TokenKeys};
    use crate::config::Config;
    use crate::graphql::context::{AppState, Credentials};
    use crate::graphql::limits::{self, Guard, Known};
    use crate::graphql::loaders::VersionCache;

    const QUALIFY: &str = "mutation($input: QualifyProspectInput!) { \
        qualifyProspect(input: $input) { qualification { id } } }";

    struct Served {
        guard: Guard,
        schemas: Schemas,
        state: AppState,
        versions: VersionCache,
    }

    async fn served() -> anyhow::Result<Served> {
        let config = Config::for_tests("sqlite::memory:".into());
        let state = AppState {
            db: store::connect(&config.database_url).await?,
            keys: TokenKeys::new(&[7; 32], 60).map_err(|_| anyhow::anyhow!("keys"))?,
            hasher: Hasher::new(1),
            throttle: Arc::new(LoginThrottle::new(10, 10)),
            config: Arc::new(config.clone()),
        };
        let versions = VersionCache::default();
        Ok(Served {
            guard: Guard::new(config.limits, true),
            schemas: build(state.clone(), versions.clone()),
            state,
            versions,
        })
    }

    /// As `entry::Engine::execute` runs a request (anonymous); with the document's cache entry.
    async fn run(s: &Served, query: &str, variables: Json) -> (Response, Option<Arc<Known>>) {
        let mut request = Request::new(query).variables(Variables::from_json(variables));
        let known = match s.guard.check(&mut request) {
            Ok(known) => known,
            Err(refused) => return (Response::from_errors(vec![refused]), None),
        };
        let request = prepare(request, Credentials::Anonymous, &s.state, &s.versions);
        (s.schemas.execute(request, known.as_deref()).await, known)
    }

    fn answers(scale: Json) -> Json {
        json!({ "input": { "prospectId": "x", "answers": [{ "key": "k", "value": { "scale": scale } }] } })
    }

    #[tokio::test]
    async fn a_document_is_trusted_only_once_full_validation_has_executed_it() -> anyhow::Result<()>
    {
        let s = served().await?;
        // An invalid document is cached by the guard (it passed the size checks) but never
        // marked valid.
        let (response, known) = run(&s, "{ nope }", json!({})).await;
        assert!(!limits::executed(&response));
        assert!(known.is_some_and(|k| !k.is_valid()));

        // Refused for its variables: not marked either.
        let (refused, known) = run(&s, QUALIFY, answers(json!("four"))).await;
        assert!(!limits::executed(&refused));
        assert!(known.is_some_and(|k| !k.is_valid()));

        // Executed (and refused by the resolver, with a path, for want of a user): marked.
        let (response, known) = run(&s, QUALIFY, answers(json!(4))).await;
        assert!(limits::executed(&response), "{:?}", response.errors);
        assert!(known.is_some_and(|k| k.is_valid()));

        // Bad variables on the known document get the same refusal as before.
        let (again, _) = run(&s, QUALIFY, answers(json!("four"))).await;
        assert_eq!(again.errors, refused.errors);
        // And good ones run, on the trusting schema, as before.
        let (response, _) = run(&s, QUALIFY, answers(json!(4))).await;
        assert!(limits::executed(&response), "{:?}", response.errors);
        Ok(())
    }
}
