//! Building the schema, and running one request with its per-request data.

use async_graphql::{EmptySubscription, Schema, ValidationMode};

use crate::graphql::context::{Actor, AppState, Credentials};
use crate::graphql::limits::{self, Known};
use crate::graphql::loaders::{self, VersionCache};
use crate::graphql::mutations::Mutation;
use crate::graphql::node::Node;
use crate::graphql::query::Query;
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
}

pub fn build(state: AppState, versions: VersionCache) -> Schemas {
    let make = |mode: ValidationMode| {
        let development = state.config.development;
        let limits = &state.config.limits;
        let mut builder = schema_builder()
            .validation_mode(mode)
            .limit_depth(limits.max_depth)
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
    Schemas {
        full: make(ValidationMode::Strict),
        trusting: make(ValidationMode::Fast),
        inputs: Inputs::default(),
    }
}

impl Schemas {
    /// Runs a request whose document `limits::Guard` has checked; `known` is its cache
    /// entry, if it has one.
    pub async fn execute(
        &self,
        request: async_graphql::Request,
        known: Option<&Known>,
    ) -> async_graphql::Response {
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
    schema_builder().finish().sdl()
}
