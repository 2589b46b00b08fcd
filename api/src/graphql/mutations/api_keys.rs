//! `createApiKey` and `revokeApiKey`: a signed-in user's keys for their integrations.
//! Managing keys is managing the account (`Kind::Account`): no key can make or revoke one.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::Utc;
use domain::policy::{Action, Kind};

use crate::auth::api_keys::new_key;
use crate::error::{ApiError, ApiResult};
use crate::graphql::access;
use crate::graphql::audit::Tx;
use crate::graphql::ids::{self, Kind as IdKind};
use crate::graphql::types::api_key::{ApiKey, ApiKeyAccess};
use crate::graphql::types::datetime::DateTime;

/// The longest name a key may have, in characters.
const MAX_NAME_CHARS: usize = 100;

/// A new API key.
#[derive(InputObject)]
pub struct CreateApiKeyInput {
    /// What it is for ("CRM sync"); 1 to 100 characters.
    pub name: String,
    /// `READ` (queries only) or `READ_WRITE`.
    pub access: ApiKeyAccess,
    /// Only this program's objects (one of your programs, or one you are enrolled in);
    /// omitted: every program your role reaches.
    pub program_id: Option<ID>,
    /// When it stops working (in the future); omitted: never.
    pub expires_at: Option<DateTime>,
}

/// A key and its secret.
#[derive(SimpleObject)]
pub struct CreateApiKeyPayload {
    /// The key as `apiKeys` lists it.
    pub api_key: ApiKey,
    /// The key itself, to send as `Authorization: Bearer <secret>`. Shown this once: only
    /// its digest is kept.
    pub secret: String,
}

#[derive(Default)]
pub struct ApiKeyMutation;

#[Object]
impl ApiKeyMutation {
    /// Create an API key for an integration. It acts as you, narrowed by `access` and
    /// `programId`, and never manages your account. The secret is in the answer, once.
    async fn create_api_key(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to create; see the input type.")] input: CreateApiKeyInput,
    ) -> ApiResult<Option<CreateApiKeyPayload>> {
        let me = access::attempt(ctx, Kind::Account, Action::Change)?;
        let name = input.name.trim();
        let chars = name.chars().count();
        if chars == 0 || chars > MAX_NAME_CHARS {
            return Err(ApiError::bad_field(
                "input.name",
                format!("must be 1 to {MAX_NAME_CHARS} characters"),
            ));
        }
        if input.expires_at.is_some_and(|at| at.0 <= Utc::now()) {
            return Err(ApiError::bad_field(
                "input.expiresAt",
                "must be in the future",
            ));
        }
        let program_id = match &input.program_id {
            Some(id) => {
                let id = ids::decode(IdKind::Program, id)
                    .map_err(|_| ApiError::bad_field("input.programId", "not a program id"))?;
                let program = access::program(ctx, id).await?.ok_or(ApiError::NotFound)?;
                Some(program.id)
            }
            None => None,
        };
        let (secret, prefix, digest) = new_key();
        let tx = Tx::begin(ctx).await?;
        let key = store::api_keys::create_key(
            tx.conn(),
            store::api_keys::NewApiKey {
                owner_id: me.user_id,
                name,
                prefix: &prefix,
                digest: &digest,
                can_write: input.access == ApiKeyAccess::ReadWrite,
                program_id,
                expires_at: input.expires_at.map(|at| at.0),
            },
        )
        .await?;
        tx.commit("api_key.create", "ApiKey", Some(key.id)).await?;
        Ok(Some(CreateApiKeyPayload {
            api_key: ApiKey(key),
            secret,
        }))
    }

    /// Revoke one of your API keys: the next request with it is refused with
    /// `UNAUTHENTICATED`. Revoking a revoked key changes nothing. `NOT_FOUND` for an id
    /// that is not a key of yours.
    async fn revoke_api_key(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A key's id, from `apiKeys`.")] id: ID,
    ) -> ApiResult<Option<ApiKey>> {
        let me = access::attempt(ctx, Kind::Account, Action::Change)?;
        let id = ids::decode(IdKind::ApiKey, &id)?;
        let tx = Tx::begin(ctx).await?;
        let key = store::api_keys::revoke_key(tx.conn(), me.user_id, id).await?;
        tx.commit("api_key.revoke", "ApiKey", Some(key.id)).await?;
        Ok(Some(ApiKey(key)))
    }
}
