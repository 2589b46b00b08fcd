//! Programs, their invites and mentees.

use std::sync::Arc;

use async_graphql::{Context, ID, Object};

use crate::error::ApiResult;
use crate::graphql::access::{self, viewer};
use crate::graphql::context::db;
use crate::graphql::ids::{self, Kind};
use crate::graphql::load;
use crate::graphql::loaders::{ProgramId, UserId, VersionId};
use crate::graphql::paging::{self, Conn};
use crate::graphql::types::datetime::DateTime;
use crate::graphql::types::template::TemplateVersion;
use crate::graphql::types::units::CurrencyCode;
use crate::graphql::types::user::User;

pub struct Program(pub Arc<store::Program>);

/// A mentor's coaching program: its mentees qualify their prospects against its standard.
#[Object]
impl Program {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Program, self.0.id)
    }
    /// The program's name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Free text; empty when none.
    async fn description(&self) -> &str {
        &self.0.description
    }
    /// The currency of its outcome entries' revenue (ISO 4217); `EUR` unless the mentor
    /// chose another (`setProgramCurrency`, only before any outcome is recorded).
    async fn currency(&self) -> CurrencyCode {
        CurrencyCode(self.0.currency)
    }
    /// Whether the mentor archived it.
    async fn archived(&self) -> bool {
        self.0.archived_at.is_some()
    }
    /// Increases with every change; pass it as `expectedRevision` to detect concurrent
    /// edits.
    async fn revision(&self) -> i32 {
        self.0.revision
    }
    /// When it was created.
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }
    /// When it last changed.
    async fn updated_at(&self) -> DateTime {
        DateTime(self.0.updated_at)
    }
    /// The mentor who runs it.
    async fn mentor(&self, ctx: &Context<'_>) -> ApiResult<User> {
        Ok(User::new(
            load::existing(ctx, UserId(self.0.mentor_id)).await?,
        ))
    }
    /// The qualification standard: the published template version prospects are scored against.
    async fn standard(&self, ctx: &Context<'_>) -> ApiResult<Option<TemplateVersion>> {
        match self.0.standard_version_id {
            Some(id) => Ok(Some(TemplateVersion(
                load::existing(ctx, VersionId(id)).await?,
            ))),
            None => Ok(None),
        }
    }
    /// The program's mentees with their membership (when they joined, whether they were
    /// removed), in the order they first joined; empty unless you are the program's
    /// mentor.
    #[graphql(complexity = "paging::complexity(first, last, child_complexity)")]
    async fn mentees(
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
        #[graphql(
            default,
            desc = "Include mentees removed from the program (default: only active ones)."
        )]
        include_removed: bool,
    ) -> ApiResult<Conn<Membership>> {
        let page = paging::Args::new(first, after, last, before).request(ctx)?;
        // Mentees see a program's name and standard, but its roster and invite codes are
        // the mentor's: for them those lists are empty (an error would null the whole
        // program in the response).
        if !access::may_read_roster(ctx, &self.0).await? {
            return Ok(paging::connection(
                store::Page::empty(),
                |m: &store::Enrollment| m.id,
                Membership,
            ));
        }
        let rows =
            store::programs::memberships_page(db(ctx)?, self.0.id, include_removed, page).await?;
        Ok(paging::connection(rows, |m| m.id, Membership))
    }
    /// Invite codes, newest first; empty unless you are the program's mentor.
    #[graphql(complexity = "paging::complexity(first, last, child_complexity)")]
    async fn invites(
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
    ) -> ApiResult<Conn<Invite>> {
        let page = paging::Args::new(first, after, last, before).request(ctx)?;
        if !access::may_read_roster(ctx, &self.0).await? {
            return Ok(paging::connection(
                store::Page::empty(),
                |i: &store::Invite| i.id,
                |i| Invite(Arc::new(i)),
            ));
        }
        let invites = store::invites::invites_of_program(db(ctx)?, self.0.id).await?;
        let page = store::Page::slice(invites, |i| i.id, store::Order::Desc, &page);
        Ok(paging::connection(page, |i| i.id, |i| Invite(Arc::new(i))))
    }
    /// Whether you run this program (its mentor).
    async fn viewer_is_mentor(&self, ctx: &Context<'_>) -> ApiResult<bool> {
        viewer::is_mentor(ctx, &self.0)
    }
    /// Whether `updateProgram` would let you change it (its mentor, archived or not).
    async fn viewer_can_update(&self, ctx: &Context<'_>) -> ApiResult<bool> {
        viewer::may_update_program(ctx, &self.0).await
    }
    /// Whether `archiveProgram` would archive it (`false` once archived).
    async fn viewer_can_archive(&self, ctx: &Context<'_>) -> ApiResult<bool> {
        viewer::may_archive_program(ctx, &self.0).await
    }
    /// Whether `createInvite` would give you a code for it (not once archived).
    async fn viewer_can_invite(&self, ctx: &Context<'_>) -> ApiResult<bool> {
        viewer::may_invite(ctx, &self.0).await
    }
    /// Whether `createProspect` would add your prospect to it (mentees enrolled in it, not
    /// once archived).
    async fn viewer_can_create_prospect(&self, ctx: &Context<'_>) -> ApiResult<bool> {
        viewer::may_create_prospect(ctx, &self.0).await
    }
}

/// A mentee's membership of a program.
pub struct Membership(pub store::Enrollment);

/// A mentee's membership of a program: who, since when, and whether they were removed.
#[Object]
impl Membership {
    /// The mentee.
    async fn mentee(&self, ctx: &Context<'_>) -> ApiResult<User> {
        Ok(User::new(
            load::existing(ctx, UserId(self.0.mentee_id)).await?,
        ))
    }
    /// When they first joined (a mentee let back in keeps this date).
    async fn joined_at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }
    /// When they were removed; `null` while they are enrolled.
    async fn removed_at(&self) -> Option<DateTime> {
        self.0.removed_at.map(DateTime)
    }
    /// Whether they are enrolled now.
    async fn active(&self) -> bool {
        self.0.removed_at.is_none()
    }
}

/// A code mentees sign up or join a program with.
pub struct Invite(pub Arc<store::Invite>);

/// A code mentees sign up or join a program with.
#[Object]
impl Invite {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Invite, self.0.id)
    }
    /// The code to share with mentees.
    async fn code(&self) -> &str {
        &self.0.code
    }
    /// `null`: unlimited.
    async fn max_uses(&self) -> Option<i32> {
        self.0.max_uses
    }
    /// How many times it was used.
    async fn uses(&self) -> i32 {
        self.0.uses
    }
    /// When it stops working; `null`: never.
    async fn expires_at(&self) -> Option<DateTime> {
        self.0.expires_at.map(DateTime)
    }
    /// Whether the mentor revoked it.
    async fn revoked(&self) -> bool {
        self.0.revoked_at.is_some()
    }
    /// When it was created.
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }
    /// Whether the code can still be used now.
    async fn usable(&self) -> bool {
        let now = chrono::Utc::now();
        self.0.revoked_at.is_none()
            && self.0.expires_at.is_none_or(|at| at > now)
            && self.0.max_uses.is_none_or(|max| self.0.uses < max)
    }
    /// The program it joins.
    async fn program(&self, ctx: &Context<'_>) -> ApiResult<Program> {
        Ok(Program(
            load::existing(ctx, ProgramId(self.0.program_id)).await?,
        ))
    }
}
