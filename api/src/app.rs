//! The application's state and who is asking: shared by the HTTP half (`server`,
//! `auth::session`, `idempotency`) and the GraphQL half, which reads them from its context
//! (`graphql::context`). Nothing here knows GraphQL or HTTP.

use std::sync::Arc;

use store::{Db, Role};
use tokio::sync::OnceCell;
use uuid::Uuid;

use crate::auth::{Hasher, KeyRateLimit, LoginThrottle, TokenKeys};
use crate::config::Config;
use crate::error::ApiResult;

/// Shared by all requests.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub keys: TokenKeys,
    pub hasher: Hasher,
    pub throttle: Arc<LoginThrottle>,
    /// Requests per API key (`Limits::api_key_requests_per_minute`).
    pub key_limit: Arc<KeyRateLimit>,
    pub config: Arc<Config>,
    /// Where committed events are announced (the webhook worker, subscriptions).
    pub bus: Arc<crate::events::Bus>,
}

/// What the `Authorization` header said.
#[derive(Debug, Clone, Copy)]
pub enum Credentials {
    /// No token: only sign-up, login and the like.
    Anonymous,
    /// A token was sent but is not valid: everything that needs a user fails with
    /// `UNAUTHENTICATED` rather than silently acting as anonymous.
    Invalid,
    Valid(crate::auth::TokenSubject),
    /// A working API key: its owner, narrowed by the key's scopes.
    Key(KeySubject),
    /// A well-signed token whose session could not be checked (the database failed):
    /// never taken as signed in, and reported as `INTERNAL`, not as a logout.
    Unverified,
}

/// An API key that works: who owns it, with their role now, and what it may do.
#[derive(Debug, Clone, Copy)]
pub struct KeySubject {
    pub key_id: Uuid,
    pub user_id: Uuid,
    pub role: Role,
    /// Whether the key may change anything (else it only reads).
    pub write: bool,
    /// Only this program's objects, when set.
    pub program: Option<Uuid>,
}

impl Credentials {
    /// The user acting (signed in, or through a key).
    pub fn user_id(&self) -> Option<Uuid> {
        match self {
            Credentials::Valid(subject) => Some(subject.user_id),
            Credentials::Key(key) => Some(key.user_id),
            Credentials::Anonymous | Credentials::Invalid | Credentials::Unverified => None,
        }
    }

    /// The API key acting, if any.
    pub fn key_id(&self) -> Option<Uuid> {
        match self {
            Credentials::Key(key) => Some(key.key_id),
            _ => None,
        }
    }
}

/// The signed-in user of this request (or the owner of the API key it came with, narrowed
/// by the key's scopes), with the program ids they can see, loaded once.
pub struct Actor {
    pub user_id: Uuid,
    pub role: Role,
    /// Everything the role allows, or a key's narrowing (`domain::policy::Scope`).
    pub scope: domain::policy::Scope,
    /// The API key the request came with, if any.
    pub key_id: Option<Uuid>,
    program_ids: OnceCell<Vec<Uuid>>,
}

impl Actor {
    pub fn new(user_id: Uuid, role: Role) -> Self {
        Self {
            user_id,
            role,
            scope: domain::policy::Scope::Full,
            key_id: None,
            program_ids: OnceCell::new(),
        }
    }

    /// The key's owner, narrowed by the key.
    pub fn through_key(key: &KeySubject) -> Self {
        Self {
            scope: domain::policy::Scope::Key {
                write: key.write,
                program: key.program,
            },
            key_id: Some(key.key_id),
            ..Self::new(key.user_id, key.role)
        }
    }

    pub fn is_mentor(&self) -> bool {
        self.role == Role::Mentor
    }

    /// A mentor's own programs, or a mentee's active enrollments (of them, only a
    /// program-narrowed key's program).
    ///
    /// # Errors
    /// `INTERNAL` when the database fails.
    pub async fn program_ids(&self, db: &Db) -> ApiResult<&[Uuid]> {
        let ids = self
            .program_ids
            .get_or_try_init(|| async {
                let mut ids = match self.role {
                    Role::Mentor => store::programs::program_ids_for_mentor(db, self.user_id).await,
                    Role::Mentee => store::programs::mentee_program_ids(db, self.user_id).await,
                }?;
                if let domain::policy::Scope::Key {
                    program: Some(only),
                    ..
                } = self.scope
                {
                    ids.retain(|id| *id == only);
                }
                Ok::<_, store::StoreError>(ids)
            })
            .await?;
        Ok(ids)
    }

    pub async fn in_program(&self, db: &Db, program_id: Uuid) -> ApiResult<bool> {
        Ok(self.program_ids(db).await?.contains(&program_id))
    }
}
