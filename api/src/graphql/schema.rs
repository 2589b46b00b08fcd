//! Building the schema, and running one request with its per-request data.

use async_graphql::{EmptySubscription, Schema};

use crate::graphql::context::{Actor, AppState, Credentials};
use crate::graphql::limits;
use crate::graphql::loaders::{self, VersionCache};
use crate::graphql::mutations::Mutation;
use crate::graphql::node::Node;
use crate::graphql::query::Query;

pub type QualifySchema = Schema<Query, Mutation, EmptySubscription>;

/// The schema without data: enough to print the SDL.
pub fn schema_builder() -> async_graphql::SchemaBuilder<Query, Mutation, EmptySubscription> {
    Schema::build(Query, Mutation::default(), EmptySubscription).register_output_type::<Node>()
}

/// The served schema, with async-graphql's resource limits (ours, `limits::Guard`, run
/// before `execute`). Introspection and "did you mean" suggestions are on only in
/// development.
pub fn build(state: AppState, versions: VersionCache) -> QualifySchema {
    let development = state.config.development;
    let limits = state.config.limits.clone();
    let mut builder = schema_builder()
        .limit_depth(limits.max_depth)
        .limit_complexity(limits.max_complexity)
        .limit_directives(limits.max_directives_per_field)
        .limit_recursive_depth(limits::max_nesting(&limits))
        .data(state)
        .data(versions);
    if !development {
        builder = builder.disable_introspection().disable_suggestions();
    }
    builder.finish()
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
