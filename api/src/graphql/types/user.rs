//! Users: mentors and mentees.

use std::sync::Arc;

use async_graphql::{Context, ID, Object};
use chrono::{DateTime, Utc};

use crate::error::ApiResult;
use crate::graphql::context::{actor, db};
use crate::graphql::ids::{self, Kind};
use crate::graphql::paging::{self, Conn};
use crate::graphql::types::enums::Role;
use crate::graphql::types::program::Program;

pub struct User(pub Arc<store::User>);

#[Object]
impl User {
    pub async fn id(&self) -> ID {
        ids::encode(Kind::User, self.0.id)
    }
    /// The sign-in address. `null` for a removed account, and for a user whose address
    /// you may not see (only the user themself and the mentors of their programs may).
    async fn email(&self) -> Option<&str> {
        Some(&self.0.email)
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn role(&self) -> Role {
        self.0.role.into()
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// The programs this user runs (mentor) or is enrolled in (mentee). Only for the
    /// viewer: `null`, with a `FORBIDDEN` error, on any other user.
    #[graphql(complexity = "paging::complexity(first, child_complexity)")]
    async fn programs(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<Option<Conn<Program>>> {
        let me = actor(ctx)?;
        if me.user_id != self.0.id {
            return Err(crate::error::ApiError::Forbidden(
                "only your own programs can be listed",
            ));
        }
        crate::graphql::query::programs_of(ctx, db(ctx)?, me, first, after)
            .await
            .map(Some)
    }
}

pub fn connection_of_users(page: store::Page<store::User>, had_cursor: bool) -> Conn<User> {
    paging::connection(page, had_cursor, |u| u.id, |u| User(Arc::new(u)))
}
