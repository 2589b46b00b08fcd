//! Per-request state in the GraphQL context: who is asking, and what they may see.
//! The types themselves are the application's (`crate::app`).

use async_graphql::Context;
use domain::policy;
use store::Db;

pub use crate::app::{Actor, AppState, Credentials};
use crate::error::{ApiError, ApiResult};

pub fn state<'a>(ctx: &Context<'a>) -> ApiResult<&'a AppState> {
    ctx.data::<AppState>()
        .map_err(|_| ApiError::internal("AppState missing from schema data"))
}

pub fn db<'a>(ctx: &Context<'a>) -> ApiResult<&'a Db> {
    Ok(&state(ctx)?.db)
}

/// The signed-in user, or `UNAUTHENTICATED`.
///
/// # Errors
/// `UNAUTHENTICATED` without a valid access token.
pub fn actor<'a>(ctx: &Context<'a>) -> ApiResult<&'a Actor> {
    match ctx.data_opt::<Actor>() {
        Some(actor) => Ok(actor),
        None if matches!(credentials(ctx), Credentials::Unverified) => {
            Err(ApiError::internal("the session could not be checked"))
        }
        None => Err(ApiError::Unauthenticated),
    }
}

pub fn credentials(ctx: &Context<'_>) -> Credentials {
    ctx.data_opt::<Credentials>()
        .copied()
        .unwrap_or(Credentials::Anonymous)
}

impl Actor {
    /// The actor as `domain::policy` knows them: a signed-in user, with everything their
    /// role allows, or an API key's owner narrowed by the key.
    pub fn policy(&self) -> policy::Actor {
        policy::Actor {
            scope: self.scope,
            ..policy::Actor::user(self.user_id, role(self.role))
        }
    }
}

/// The policy's role of a stored role.
pub fn role(role: store::Role) -> policy::Role {
    match role {
        store::Role::Mentor => policy::Role::Mentor,
        store::Role::Mentee => policy::Role::Mentee,
    }
}
