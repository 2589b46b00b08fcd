//! `Actor`: who did something, a user or an API key (as GitHub's `author: Actor`), so
//! that every field naming who acted can name a key: the audit trail, `qualifiedBy` and
//! `decidedBy` (their rows keep the key they were made through).

use std::sync::Arc;

use async_graphql::{Context, ID, Interface, Object};

use crate::error::ApiResult;
use crate::graphql::access;
use crate::graphql::ids::{self, Kind};
use crate::graphql::load;
use crate::graphql::loaders::{ApiKeyId, UserId};
use crate::graphql::types::user::User;

/// Who did something: a signed-in user, or an integration's API key acting for its owner.
#[derive(Interface)]
#[graphql(
    field(
        name = "id",
        ty = "ID",
        desc = "The user's global id, or the key's id."
    ),
    field(name = "name", ty = "&str", desc = "The user's name, or the key's.")
)]
pub enum Actor {
    User(User),
    ApiKeyActor(ApiKeyActor),
}

impl Actor {
    /// Who made a qualification or decision: the key it was made through, if any (batched
    /// with the page's other keys), else the user (who exists: rows keep removed users).
    ///
    /// # Errors
    /// `INTERNAL` when the database fails.
    pub async fn of(
        ctx: &Context<'_>,
        user: uuid::Uuid,
        key: Option<uuid::Uuid>,
    ) -> ApiResult<Actor> {
        if let Some(key) = key
            && let Some(key) = load::one(ctx, ApiKeyId(key)).await?
        {
            return Ok(Actor::ApiKeyActor(ApiKeyActor(key)));
        }
        Ok(Actor::User(User::new(
            load::existing(ctx, UserId(user)).await?,
        )))
    }
}

/// An API key as the actor of a change.
pub struct ApiKeyActor(pub Arc<store::api_keys::ApiKey>);

/// An integration's API key that acted for its owner.
#[Object]
impl ApiKeyActor {
    /// The key's id (as `apiKeys` lists it to its owner).
    async fn id(&self) -> ID {
        ids::encode(Kind::ApiKey, self.0.id)
    }
    /// The name its owner gave it.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The key's first characters, to recognise it.
    async fn prefix(&self) -> &str {
        &self.0.prefix
    }
    /// The user it acted for; `null` for a removed account or one you may not see.
    async fn owner(&self, ctx: &Context<'_>) -> ApiResult<Option<User>> {
        let user = access::user(ctx, self.0.owner_id).await?;
        Ok(user.filter(|u| !u.removed).map(User::new))
    }
}
