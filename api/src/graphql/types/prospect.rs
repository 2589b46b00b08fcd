//! Prospects: a mentee's potential clients, with their qualifications and decisions.

use std::sync::Arc;

use async_graphql::{Context, ID, Object};

use crate::error::ApiResult;
use crate::graphql::access::viewer;
use crate::graphql::context::db;
use crate::graphql::ids::{self, Kind};
use crate::graphql::load;
use crate::graphql::loaders::{DecisionsOf, ProgramId, UserId};
use crate::graphql::paging::{self, Conn};
use crate::graphql::types::client::{Client, Intake, client_of};
use crate::graphql::types::datetime::DateTime;
use crate::graphql::types::decision::Decision;
use crate::graphql::types::enums::ProspectStatus;
use crate::graphql::types::program::Program;
use crate::graphql::types::qualification::Qualification;
use crate::graphql::types::scalars::Date;
use crate::graphql::types::user::User;

pub struct Prospect(pub Arc<store::Prospect>);

/// A potential client of a mentee, qualified against the program's standard before anyone
/// says yes.
#[Object]
impl Prospect {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Prospect, self.0.id)
    }
    /// The prospect's name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The company; `null` when not given.
    async fn company(&self) -> Option<&str> {
        self.0.company.as_deref()
    }
    /// The mentee's notes; `null` when none.
    async fn notes(&self) -> Option<&str> {
        self.0.notes.as_deref()
    }
    /// Where it stands: new, qualified, decided, or waiting for a review.
    async fn status(&self) -> ProspectStatus {
        self.0.status.into()
    }
    /// Whether the mentee archived it (archived prospects cannot be qualified or decided
    /// on).
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
    /// When its own fields last changed.
    async fn updated_at(&self) -> DateTime {
        DateTime(self.0.updated_at)
    }
    /// The mentee who owns this prospect.
    async fn owner(&self, ctx: &Context<'_>) -> ApiResult<User> {
        Ok(User::new(
            load::existing(ctx, UserId(self.0.owner_id)).await?,
        ))
    }
    /// The program it is qualified in.
    async fn program(&self, ctx: &Context<'_>) -> ApiResult<Program> {
        Ok(Program(
            load::existing(ctx, ProgramId(self.0.program_id)).await?,
        ))
    }
    /// The newest qualification; `null` until the prospect is qualified. Pass its id as
    /// `qualificationId` to `decideProspect`.
    async fn latest_qualification(&self, ctx: &Context<'_>) -> ApiResult<Option<Qualification>> {
        match self.0.latest_qualification_id {
            Some(id) => Ok(Some(Qualification::load(ctx, id).await?)),
            None => Ok(None),
        }
    }
    /// Every qualification, newest first.
    #[graphql(complexity = "paging::complexity(first, last, child_complexity)")]
    async fn qualifications(
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
    ) -> ApiResult<Conn<Qualification>> {
        let page = paging::Args::new(first, after, last, before).request(ctx)?;
        let rows = store::qualifications::qualifications_page(db(ctx)?, self.0.id, page).await?;
        Ok(paging::connection(rows, |q| q.id, Qualification::from))
    }
    /// Every decision, oldest first (loaded in one batch for every prospect of a list).
    #[graphql(complexity = "paging::complexity(first, last, child_complexity)")]
    async fn decisions(
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
    ) -> ApiResult<Conn<Decision>> {
        let page = paging::Args::new(first, after, last, before).request(ctx)?;
        let all = load::one(ctx, DecisionsOf(self.0.id))
            .await?
            .unwrap_or_default();
        let all: Vec<store::DecisionRecord> = all.iter().cloned().collect();
        let page = store::Page::slice(all, |d| d.id, store::Order::Asc, &page);
        Ok(paging::connection(
            page,
            |d| d.id,
            |d| Decision(Arc::new(d)),
        ))
    }
    /// For a prospect taken on with a plan: when it must be qualified again.
    async fn requalify_by(&self) -> Option<Date> {
        self.0.requalify_by.map(Date)
    }
    /// What the take-on rested on (intake tier, verdict, path, qualification); `null`
    /// unless the prospect became a client.
    async fn intake(&self, ctx: &Context<'_>) -> ApiResult<Option<Intake>> {
        Ok(client_of(ctx, self.0.id).await?.map(Intake))
    }
    /// The client it became (its span, end and outcome entries); `null` unless it was
    /// taken on (an exception only once approved).
    async fn client(&self, ctx: &Context<'_>) -> ApiResult<Option<Client>> {
        Ok(client_of(ctx, self.0.id).await?.map(|client| Client {
            client,
            prospect: Arc::clone(&self.0),
        }))
    }
    /// Taken on with a plan and the re-qualification date has passed: flagged for exit.
    async fn requalification_overdue(&self) -> bool {
        let today = chrono::Utc::now().date_naive();
        self.0.status == domain::ProspectStatus::TakenOn
            && self.0.requalify_by.is_some_and(|due| due < today)
    }
    /// Whether `updateProspect` would let you change it (its mentee, while enrolled).
    async fn viewer_can_update(&self, ctx: &Context<'_>) -> ApiResult<bool> {
        viewer::may_update_prospect(ctx, &self.0).await
    }
    /// Whether `archiveProspect` would archive it (`false` once archived).
    async fn viewer_can_archive(&self, ctx: &Context<'_>) -> ApiResult<bool> {
        viewer::may_archive_prospect(ctx, &self.0).await
    }
    /// Whether `qualifyProspect` would take your answers: yours while enrolled, not
    /// archived, its program not archived and with a standard.
    async fn viewer_can_qualify(&self, ctx: &Context<'_>) -> ApiResult<bool> {
        viewer::may_qualify(ctx, &self.0).await
    }
    /// Whether `decideProspect` would take a decision (turning down, at least): yours while
    /// enrolled, not archived, no exception request waiting for the mentor.
    async fn viewer_can_decide(&self, ctx: &Context<'_>) -> ApiResult<bool> {
        viewer::may_decide(ctx, &self.0).await
    }
}
