//! API keys as their owner sees them: never the secret (shown once, by `createApiKey`).

use async_graphql::{Context, Enum, ID, Object};

use crate::error::ApiResult;
use crate::graphql::access;
use crate::graphql::ids::{self, Kind};
use crate::graphql::types::datetime::DateTime;
use crate::graphql::types::program::Program;

/// What a key may do with its owner's rights.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Debug)]
pub enum ApiKeyAccess {
    /// Queries only: every mutation is refused with `FORBIDDEN`.
    Read,
    /// Queries and mutations, as its owner (never the account's own: password, sessions,
    /// keys).
    ReadWrite,
}

/// An API key of the signed-in user.
pub struct ApiKey(pub store::api_keys::ApiKey);

/// An integration's credential: requests with `Authorization: Bearer <key>` act as its
/// owner, narrowed by its access and (when set) its program.
#[Object]
impl ApiKey {
    /// The key's id, for `revokeApiKey` (not a node id).
    async fn id(&self) -> ID {
        ids::encode(Kind::ApiKey, self.0.id)
    }

    /// The name its owner gave it.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// The key's first characters (`qk_` and 8 more), to recognise it; the rest is never
    /// shown again.
    async fn prefix(&self) -> &str {
        &self.0.prefix
    }

    /// Whether it only reads, or also writes.
    async fn access(&self) -> ApiKeyAccess {
        if self.0.can_write {
            ApiKeyAccess::ReadWrite
        } else {
            ApiKeyAccess::Read
        }
    }

    /// The one program whose objects the key reaches; `null`: every program its owner's
    /// role reaches. `null` too when the owner may no longer see the program.
    async fn program(&self, ctx: &Context<'_>) -> ApiResult<Option<Program>> {
        let Some(id) = self.0.program_id else {
            return Ok(None);
        };
        Ok(access::program(ctx, id).await?.map(Program))
    }

    /// When it stops working; `null`: never.
    async fn expires_at(&self) -> Option<DateTime> {
        self.0.expires_at.map(DateTime)
    }

    /// When its owner created it.
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }

    /// When a request last came with it, to the minute (written at most once a minute).
    async fn last_used_at(&self) -> Option<DateTime> {
        self.0.last_used_at.map(DateTime)
    }

    /// When its owner revoked it; a revoked key works no more.
    async fn revoked_at(&self) -> Option<DateTime> {
        self.0.revoked_at.map(DateTime)
    }
}
