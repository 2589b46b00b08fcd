//! Users: mentors and mentees.

use std::sync::Arc;

use async_graphql::{Context, ID, Object};

use crate::error::ApiResult;
use crate::graphql::access;
use crate::graphql::ids::{self, Kind};
use crate::graphql::paging::{self, Conn};
use crate::graphql::types::datetime::DateTime;
use crate::graphql::types::enums::Role;
use crate::graphql::types::goal::{self, Bhag, QuarterlyGoal};
use crate::graphql::types::program::Program;
use crate::graphql::types::units::Quarter;

pub struct User {
    pub row: Arc<store::User>,
    /// Signed in by this very request (an `AuthPayload`'s user): the reader is this user,
    /// whatever token the request carried.
    signed_in: bool,
}

impl User {
    pub fn new(row: Arc<store::User>) -> Self {
        Self {
            row,
            signed_in: false,
        }
    }

    /// The user a mutation just signed in: they read their own e-mail address in its
    /// payload, whether the request carried no token or another user's.
    pub fn signed_in(row: Arc<store::User>) -> Self {
        Self {
            row,
            signed_in: true,
        }
    }
}

/// A person on the platform: a mentor or a mentee.
#[Object]
impl User {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        ids::encode(Kind::User, self.row.id)
    }
    /// The sign-in address: shown to the user themself, to the mentors of the programs a
    /// mentee is enrolled in, and to a mentee for the mentors of their programs. `null` for
    /// anyone else (mentees never see each other's addresses) and for a removed account.
    async fn email(&self, ctx: &Context<'_>) -> ApiResult<Option<&str>> {
        let visible = access::may_see_email(ctx, &self.row, self.signed_in).await?;
        Ok(visible.then_some(self.row.email.as_str()))
    }
    /// The display name ("Removed user" for a removed account).
    pub async fn name(&self) -> &str {
        &self.row.name
    }
    /// Mentor or mentee.
    async fn role(&self) -> Role {
        self.row.role.into()
    }
    /// When the account was created.
    async fn created_at(&self) -> DateTime {
        DateTime(self.row.created_at)
    }
    /// The programs this user runs (mentor) or is enrolled in (mentee). Only for the
    /// viewer: `null`, with a `FORBIDDEN` error, on any other user.
    #[graphql(complexity = "paging::complexity(first, last, child_complexity)")]
    async fn programs(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "How many items to return from the start: 1 to 100 (20 when neither `first` nor `last` is given); not together with `last`."
        )]
        first: Option<i32>,
        #[graphql(
            desc = "Return the items after this cursor (an `endCursor` or edge `cursor` you read); omit for the first page."
        )]
        after: Option<String>,
        #[graphql(
            desc = "How many items to return from the end: 1 to 100; not together with `first`."
        )]
        last: Option<i32>,
        #[graphql(
            desc = "Return the items before this cursor (a `startCursor` or edge `cursor` you read). With `after` too: the items between the two."
        )]
        before: Option<String>,
    ) -> ApiResult<Option<Conn<Program>>> {
        access::user_programs(ctx, &self.row).await?;
        crate::graphql::query::programs_of(ctx, paging::Args::new(first, after, last, before))
            .await
            .map(Some)
    }
    /// A mentee's BHAG: shown to the mentee and to the mentors of the programs they are
    /// enrolled in (`null` for anyone else, and when none is set).
    async fn bhag(&self, ctx: &Context<'_>) -> ApiResult<Option<Bhag>> {
        goal::bhag_of(ctx, self).await
    }
    /// A mentee's quarterly goals, by quarter, program and creation: all of them for the
    /// mentee; for a mentor, those in the programs they run; empty for anyone else. At
    /// most 50 per program and quarter. Every actual of the list is computed together.
    async fn quarterly_goals(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only the goals of this quarter.")] quarter: Option<Quarter>,
        #[graphql(desc = "Only the goals in this program.")] program_id: Option<ID>,
    ) -> ApiResult<Vec<QuarterlyGoal>> {
        goal::goals_of(ctx, self, quarter, program_id.as_ref()).await
    }
}
