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
    /// Shown to the user themself, to the mentors of the programs a mentee is enrolled in,
    /// and to a mentee for the mentors of their programs; null for anyone else (mentees
    /// never see each other's addresses).
    async fn email(&self, ctx: &Context<'_>) -> ApiResult<Option<&str>> {
        let visible = crate::graphql::access::may_see_email(ctx, &self.0).await?;
        Ok(visible.then_some(self.0.email.as_str()))
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
    /// The programs this user runs (mentor) or is enrolled in (mentee). Only for the viewer.
    #[graphql(complexity = "paging::complexity(first, child_complexity)")]
    async fn programs(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<Conn<Program>> {
        let me = actor(ctx)?;
        if me.user_id != self.0.id {
            return Err(crate::error::ApiError::Forbidden(
                "only your own programs can be listed",
            ));
        }
        crate::graphql::query::programs_of(ctx, db(ctx)?, me, first, after).await
    }
}

pub fn connection_of_users(page: store::Page<store::User>, had_cursor: bool) -> Conn<User> {
    paging::connection(page, had_cursor, |u| u.id, |u| User(Arc::new(u)))
}
