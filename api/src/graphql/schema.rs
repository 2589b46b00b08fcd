//! The schema: its root types, its SDL, and the per-request data its resolvers read. The
//! engine (`graphql::engine`) builds the served schema from [`schema_builder`].

use async_graphql::Schema;

use crate::graphql::context::{Actor, AppState, Credentials};
use crate::graphql::loaders::{self, VersionCache};
use crate::graphql::mutations::Mutation;
use crate::graphql::node::Node;
use crate::graphql::query::Query;
use crate::graphql::shared::SharedValues;
use crate::graphql::subscription::Subscription;

pub type QualifySchema = Schema<Query, Mutation, Subscription>;

/// The schema without data: enough to print the SDL.
pub fn schema_builder() -> async_graphql::SchemaBuilder<Query, Mutation, Subscription> {
    Schema::build(Query, Mutation::default(), Subscription).register_output_type::<Node>()
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
        .data(loaders::loaders(state.db.clone(), versions.clone()))
        .data(SharedValues::default());
    match credentials {
        Credentials::Valid(subject) => {
            request = request.data(Actor::new(subject.user_id, subject.role))
        }
        Credentials::Key(key) => request = request.data(Actor::through_key(&key)),
        Credentials::Anonymous | Credentials::Invalid | Credentials::Unverified => {}
    }
    request
}

/// The SDL of the served schema, as committed in `schema.graphql`.
pub fn sdl() -> String {
    schema_builder()
        .finish()
        .sdl_with_options(async_graphql::SDLExportOptions::new().include_specified_by())
}
