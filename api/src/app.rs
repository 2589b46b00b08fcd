//! The application's state and who is asking: shared by the HTTP half (`server`,
//! `auth::session`, `idempotency`) and the GraphQL half, which reads them from its context
//! (`graphql::context`). Nothing here knows GraphQL or HTTP.

use std::sync::Arc;

use store::{Db, Role};
use tokio::sync::OnceCell;
use uuid::Uuid;

use crate::auth::{Hasher, LoginThrottle, TokenKeys};
use crate::config::Config;
use crate::error::ApiResult;

/// Shared by all requests.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub keys: TokenKeys,
    pub hasher: Hasher,
    pub throttle: Arc<LoginThrottle>,
    pub config: Arc<Config>,
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
    /// A well-signed token whose session could not be checked (the database failed):
    /// never taken as signed in, and reported as `INTERNAL`, not as a logout.
    Unverified,
}

/// The signed-in user of this request, with the program ids they can see, loaded once.
pub struct Actor {
    pub user_id: Uuid,
    pub role: Role,
    program_ids: OnceCell<Vec<Uuid>>,
}

impl Actor {
    pub fn new(user_id: Uuid, role: Role) -> Self {
        Self {
            user_id,
            role,
            program_ids: OnceCell::new(),
        }
    }

    pub fn is_mentor(&self) -> bool {
        self.role == Role::Mentor
    }

    /// A mentor's own programs, or a mentee's active enrollments.
    ///
    /// # Errors
    /// `INTERNAL` when the database fails.
    pub async fn program_ids(&self, db: &Db) -> ApiResult<&[Uuid]> {
        let ids = self
            .program_ids
            .get_or_try_init(|| async {
                match self.role {
                    Role::Mentor => store::programs::program_ids_for_mentor(db, self.user_id).await,
                    Role::Mentee => store::programs::mentee_program_ids(db, self.user_id).await,
                }
            })
            .await?;
        Ok(ids)
    }

    pub async fn in_program(&self, db: &Db, program_id: Uuid) -> ApiResult<bool> {
        Ok(self.program_ids(db).await?.contains(&program_id))
    }
}
