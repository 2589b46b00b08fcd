//! Clients (prospects taken on), the intake their take-on rested on, and their monthly
//! outcome entries.

use std::sync::Arc;

use async_graphql::{Context, ID, Object};
use uuid::Uuid;

use crate::error::ApiResult;
use crate::graphql::access::viewer;
use crate::graphql::context::db;
use crate::graphql::ids::{self, Kind};
use crate::graphql::load;
use crate::graphql::loaders::{ClientOf, ProgramId, ProspectId, VersionId};
use crate::graphql::paging::{self, Conn};
use crate::graphql::types::datetime::DateTime;
use crate::graphql::types::enums::{ClientEndReason, IntakePath, Tier, Verdict};
use crate::graphql::types::money::Money;
use crate::graphql::types::prospect::Prospect;
use crate::graphql::types::qualification::Qualification;
use crate::graphql::types::scalars::Date;
use crate::graphql::types::template::TemplateVersion;
use crate::graphql::types::units::{Decimal, Month, Quarter};

/// The client `prospect` became, if it was taken on.
///
/// # Errors
/// `INTERNAL` when the database fails.
pub async fn client_of(ctx: &Context<'_>, prospect: Uuid) -> ApiResult<Option<Arc<store::Client>>> {
    let found = load::one(ctx, ClientOf(prospect)).await?;
    Ok(found.and_then(|c| c.as_ref().clone().map(Arc::new)))
}

/// What the take-on rested on: fixed at the decision, never recomputed.
pub struct Intake(pub Arc<store::Client>);

/// What the method predicted when the prospect was taken on: the tier and verdict of the
/// qualification the decision was made on, and whether it was taken on by the rule or as
/// an exception. Fixed at the take-on; later qualifications do not change it.
#[Object]
impl Intake {
    /// The tier of the intake qualification.
    async fn tier(&self) -> Tier {
        self.0.intake.tier.into()
    }
    /// The verdict of the intake qualification.
    async fn verdict(&self) -> Verdict {
        self.0.intake.verdict.into()
    }
    /// `RULE` (verdict `ACCEPT` or `ACCEPT_WITH_PLAN`) or `EXCEPTION` (`DECLINE`, approved).
    async fn path(&self) -> IntakePath {
        self.0.intake.path.into()
    }
    /// The qualification the decision was made on.
    async fn qualification(&self, ctx: &Context<'_>) -> ApiResult<Qualification> {
        Qualification::load(ctx, self.0.intake_qualification_id).await
    }
    /// The template version that qualification was scored against.
    async fn template_version(&self, ctx: &Context<'_>) -> ApiResult<TemplateVersion> {
        Ok(TemplateVersion(
            load::existing(ctx, VersionId(self.0.intake_version_id)).await?,
        ))
    }
}

/// A prospect taken on, as a client: its span and how it ended.
pub struct Client {
    pub client: Arc<store::Client>,
    pub prospect: Arc<store::Prospect>,
}

/// A prospect taken on: from the day of its effective take-on until it ends. Its outcome
/// entries say what it really brought.
#[Object]
impl Client {
    /// The day it was taken on (UTC): the decision, or the mentor's approval of an
    /// exception. Outcome entries start with this month.
    async fn taken_on(&self) -> Date {
        Date(self.client.taken_on)
    }
    /// The day it ended; `null` while it lasts.
    async fn ended_on(&self) -> Option<Date> {
        self.client.end.as_ref().map(|e| Date(e.on))
    }
    /// Why it ended; `null` while it lasts.
    async fn end_reason(&self) -> Option<ClientEndReason> {
        self.client.end.as_ref().map(|e| e.reason.into())
    }
    /// The mentee's note on the end; `null` without one.
    async fn end_note(&self) -> Option<&str> {
        self.client.end.as_ref().and_then(|e| e.note.as_deref())
    }
    /// Taken on with a plan whose re-qualification date has passed, and not ended: the
    /// method says to exit it unless it is qualified again.
    async fn flagged_for_exit(&self) -> bool {
        let today = chrono::Utc::now().date_naive();
        domain::flagged_for_exit(self.prospect.requalify_by, self.client.end.is_some(), today)
    }
    /// Increases when the client is ended; pass it as `endClient`'s `expectedRevision`.
    async fn revision(&self) -> i32 {
        self.client.revision
    }
    /// Whether `recordOutcome` would take an entry for it (for a month within its span):
    /// its mentee, while enrolled.
    async fn viewer_can_record_outcome(&self, ctx: &Context<'_>) -> ApiResult<bool> {
        viewer::may_record_outcome(ctx, &self.prospect).await
    }
    /// Whether `endClient` would end it: its mentee, while enrolled, and not ended yet.
    async fn viewer_can_end(&self, ctx: &Context<'_>) -> ApiResult<bool> {
        viewer::may_end_client(ctx, &self.client, &self.prospect).await
    }
    /// Its outcome entries, oldest recorded first.
    #[graphql(complexity = "paging::complexity(first, last, child_complexity)")]
    async fn outcomes(
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
    ) -> ApiResult<Conn<OutcomeEntry>> {
        let page = paging::Args::new(first, after, last, before).request(ctx)?;
        let rows = store::outcomes::outcomes_page(db(ctx)?, &[self.client.prospect_id], None, page)
            .await?;
        Ok(paging::connection(
            rows,
            |o| o.id,
            |o| OutcomeEntry(Arc::new(o)),
        ))
    }
}

pub struct OutcomeEntry(pub Arc<store::OutcomeRecord>);

/// What a client really brought in one calendar month. One per client and month;
/// corrected with `correctOutcome` (the audit log keeps every correction).
#[Object]
impl OutcomeEntry {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        ids::encode(Kind::OutcomeEntry, self.0.id)
    }
    /// The month it is for.
    async fn month(&self) -> Month {
        Month(self.0.month)
    }
    /// The quarter of that month.
    async fn quarter(&self) -> Quarter {
        Quarter(domain::Quarter::of(self.0.month))
    }
    /// Revenue from the client that month, exact, in the program's currency.
    async fn revenue(&self, ctx: &Context<'_>) -> ApiResult<Money> {
        let prospect = load::existing(ctx, ProspectId(self.0.prospect_id)).await?;
        let program = load::existing(ctx, ProgramId(prospect.program_id)).await?;
        Ok(Money::of(self.0.revenue_minor, program.currency))
    }
    /// Hours spent on the client that month, two decimals (`"12.50"`); `null` when not
    /// given.
    async fn hours(&self) -> Option<Decimal> {
        self.0.hours.map(|h| Decimal(h.to_string()))
    }
    /// Of those hours, the hours of custom work, two decimals; `null` when not given.
    async fn custom_hours(&self) -> Option<Decimal> {
        self.0.custom_hours.map(|h| Decimal(h.to_string()))
    }
    /// How working with the client felt, 1 (draining) to 5 (energising).
    async fn energy(&self) -> i32 {
        i32::try_from(u32::from(self.0.energy)).unwrap_or(i32::MAX)
    }
    /// The mentee's note; `null` without one.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
    /// 1 when recorded, increased by every correction that changed something; pass it as
    /// `correctOutcome`'s `expectedRevision`.
    async fn revision(&self) -> i32 {
        self.0.revision
    }
    /// When it was recorded.
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }
    /// When it was last corrected (its recording time until then).
    async fn updated_at(&self) -> DateTime {
        DateTime(self.0.updated_at)
    }
    /// The client's prospect.
    async fn prospect(&self, ctx: &Context<'_>) -> ApiResult<Prospect> {
        Ok(Prospect(
            load::existing(ctx, ProspectId(self.0.prospect_id)).await?,
        ))
    }
    /// Whether `correctOutcome` would take your correction: its client's mentee, while
    /// enrolled.
    async fn viewer_can_correct(&self, ctx: &Context<'_>) -> ApiResult<bool> {
        viewer::may_correct_outcome(ctx, &self.0).await
    }
}
