//! The one door from the HTTP half into the GraphQL engine: `server` builds an [`Engine`]
//! and hands it each request; nothing else of `graphql` is seen by `server`, `http`,
//! `idempotency`, `request_meta` or `auth`.

use async_graphql::ServerError;

use crate::app::{AppState, Credentials};
use crate::graphql::limits;
use crate::graphql::loaders::VersionCache;
use crate::graphql::schema::{self, Schemas};
use crate::http::Answer;

/// The schema with what it needs to run a request: the limits' guard, the application
/// state and the published-version cache.
pub struct Engine {
    schema: Schemas,
    guard: limits::Guard,
    state: AppState,
    versions: VersionCache,
}

impl Engine {
    pub fn new(state: AppState) -> Self {
        let versions = VersionCache::default();
        let config = &state.config;
        Self {
            schema: schema::build(state.clone(), versions.clone()),
            guard: limits::Guard::new(config.limits.clone(), config.development),
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

    /// Runs a request as `credentials`: the limits, the text rule of every input, then the
    /// operation.
    pub async fn execute(
        &self,
        credentials: Credentials,
        mut request: async_graphql::Request,
    ) -> Answer {
        let mut response = match self.guard.check(&mut request) {
            Err(refused) => async_graphql::Response::from_errors(vec![refused]),
            Ok(known) => match crate::graphql::text_input::check(&mut request) {
                Err(refused) => async_graphql::Response::from_errors(vec![refused]),
                Ok(()) => {
                    let request =
                        schema::prepare(request, credentials, &self.state, &self.versions);
                    self.schema.execute(request, known.as_deref()).await
                }
            },
        };
        let executed = limits::executed(&response);
        if !executed {
            response.errors = limits::request_errors(std::mem::take(&mut response.errors));
        }
        Answer { response, executed }
    }
}
