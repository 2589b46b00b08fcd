//! The root `Query` type.

use std::sync::Arc;

use async_graphql::{Context, ID, InputObject, Object};
use domain::policy;

use crate::error::{ApiError, ApiResult};
use crate::graphql::access;
use crate::graphql::context::{Credentials, actor, credentials, db};
use crate::graphql::ids::{self, Kind};
use crate::graphql::inputs::{self, AnswerInput};
use crate::graphql::load;
use crate::graphql::loaders::{Loaders, UserId};
use crate::graphql::mutations::programs::standard_of;
use crate::graphql::node::{self, Node};
use crate::graphql::paging::{self, Conn};
use crate::graphql::types::api_key::ApiKey;
use crate::graphql::types::audit::{self, AuditEntry, AuditFilter};
use crate::graphql::types::built_in::BuiltInTemplate;
use crate::graphql::types::dashboard::{self, Dashboard};
use crate::graphql::types::datetime::DateTime;
use crate::graphql::types::decision::ExceptionRequest;
use crate::graphql::types::enums::{
    ExceptionStatus, OrderDirection, ProspectStatus, Tier, Verdict,
};
use crate::graphql::types::feedback::{self, FeedbackLoop};
use crate::graphql::types::path_to_a::WhatIf;
use crate::graphql::types::program::Program;
use crate::graphql::types::prospect::Prospect;
use crate::graphql::types::prospect_list;
use crate::graphql::types::qualification::Qualification;
use crate::graphql::types::requalification::{self, RequalificationItem};
use crate::graphql::types::scalars::Date;
use crate::graphql::types::session::Session;
use crate::graphql::types::template::{Template, TemplateVersion};
use crate::graphql::types::units::Month;
use crate::graphql::types::user::User;
use crate::graphql::types::webhook::WebhookEndpoint;

/// At most this many ids per `nodes` call.
const MAX_NODES: usize = 100;

pub struct Query;

/// Narrows a prospect list; every given condition must hold.
#[derive(InputObject, Default)]
pub struct ProspectFilter {
    /// Only prospects of this program.
    pub program_id: Option<ID>,
    /// Only prospects in one of these statuses.
    pub status: Option<Vec<ProspectStatus>>,
    /// Include archived prospects (default: no).
    #[graphql(default)]
    pub include_archived: bool,
    /// Case-insensitive part of the name or company, taken literally (`%` and `_` are not
    /// wildcards); at most 200 characters.
    pub search: Option<String>,
    /// Only prospects whose re-qualification date is today or earlier.
    pub requalify_due: Option<bool>,
    /// Only prospects of this owner: a mentee of your programs (mentors), or yourself
    /// (mentees; anyone else's id gives an empty list).
    pub owner_id: Option<ID>,
    /// Only prospects whose latest qualification has one of these tiers (never-qualified
    /// ones do not match).
    pub latest_tier: Option<Vec<Tier>>,
    /// Only prospects whose latest qualification has one of these verdicts.
    pub latest_verdict: Option<Vec<Verdict>>,
    /// Only prospects whose own fields (or latest qualification, status, archiving)
    /// changed at or after this time: `updatedAt >= updatedSince`.
    pub updated_since: Option<DateTime>,
}

/// What prospects can be sorted by; ties by creation. Nulls (no latest score, no
/// re-qualification date) come last in both directions. A cursor belongs to the field it
/// was read with: with another field it is `BAD_USER_INPUT`.
#[derive(async_graphql::Enum, Clone, Copy, PartialEq, Eq, Default)]
pub enum ProspectOrderField {
    /// When the prospect was created.
    #[default]
    CreatedAt,
    /// When the prospect last changed (`updatedAt`).
    UpdatedAt,
    /// The name, case-insensitively: compared in Unicode lower case, character by character
    /// by code point (so `é` sorts after `z`), the same on every database.
    Name,
    /// The latest qualification's score; unqualified prospects last.
    LatestScore,
    /// The re-qualification date; prospects without one last.
    RequalifyBy,
}

/// How a prospect list is sorted.
#[derive(InputObject, Default)]
pub struct ProspectOrder {
    /// What to sort by.
    #[graphql(default)]
    pub field: ProspectOrderField,
    /// Ascending or descending.
    #[graphql(default)]
    pub direction: OrderDirection,
}

/// Narrows a list of exception requests.
#[derive(InputObject, Default)]
pub struct ExceptionRequestFilter {
    /// Only requests of this program.
    pub program_id: Option<ID>,
    /// Only requests in this status.
    pub status: Option<ExceptionStatus>,
}

/// Everything a client can read. Lists are Relay connections; objects you may not see
/// answer like missing ones.
#[Object]
impl Query {
    /// The signed-in user; `null` without a token, and `null` with `UNAUTHENTICATED` for a
    /// token that is invalid or whose session ended.
    async fn viewer(&self, ctx: &Context<'_>) -> ApiResult<Option<User>> {
        match credentials(ctx) {
            Credentials::Anonymous => Ok(None),
            Credentials::Invalid => Err(ApiError::Unauthenticated),
            Credentials::Unverified => Err(ApiError::internal("the session could not be checked")),
            Credentials::Valid(_) | Credentials::Key(_) => {
                let me = actor(ctx)?;
                Ok(load::one(ctx, UserId(me.user_id)).await?.map(User::new))
            }
        }
    }

    /// Any object by global id; `null` if it does not exist or you may not see it (and, with
    /// `UNAUTHENTICATED`, without a valid token).
    async fn node(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A global id, as read from an object's `id`.")] id: ID,
    ) -> ApiResult<Option<Node>> {
        actor(ctx)?;
        node::fetch(ctx, &id).await
    }

    /// Objects by global id, in order; `null` where one does not exist or you may not see it.
    /// The list itself is `null` (with an error) without a valid token or with more than 100 ids.
    #[graphql(
        complexity = "ids.len().min(MAX_NODES).saturating_mul(child_complexity).saturating_add(1)"
    )]
    async fn nodes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Up to 100 global ids.")] ids: Vec<ID>,
    ) -> ApiResult<Option<Vec<Option<Node>>>> {
        actor(ctx)?;
        if ids.len() > MAX_NODES {
            return Err(ApiError::bad_field(
                "ids",
                format!("at most {MAX_NODES} ids"),
            ));
        }
        // Concurrently, so that the loaders batch the lookups: one query per kind of
        // object, not one round trip per id.
        async_graphql::futures_util::future::try_join_all(ids.iter().map(|id| node::fetch(ctx, id)))
            .await
            .map(Some)
    }

    /// Mentors: the programs they run. Mentees: the programs they are enrolled in.
    /// `null` (with an error) without a valid token, or for a bad argument.
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
        programs_of(ctx, paging::Args::new(first, after, last, before))
            .await
            .map(Some)
    }

    /// Mentors: their criteria templates.
    /// `null` (with an error) without a valid token or for a mentee, or for a bad argument.
    #[graphql(complexity = "paging::complexity(first, last, child_complexity)")]
    async fn templates(
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
        #[graphql(default, desc = "Include archived templates.")] include_archived: bool,
    ) -> ApiResult<Option<Conn<Template>>> {
        let (_, visible) = access::visibility(ctx, policy::Kind::Template)?;
        let page = paging::Args::new(first, after, last, before).request(ctx)?;
        let rows =
            store::visible::templates_page(db(ctx)?, &visible, include_archived, page).await?;
        Ok(Some(paging::connection(
            rows,
            |t| t.id,
            |t| Template(Arc::new(t)),
        )))
    }

    /// Mentors: the built-in starting templates, to create a template from
    /// (`createTemplate` with `fromBuiltIn`). `null` (with an error) without a valid token
    /// or for a mentee, as `templates`.
    async fn built_in_templates(
        &self,
        ctx: &Context<'_>,
    ) -> ApiResult<Option<Vec<BuiltInTemplate>>> {
        access::attempt(ctx, policy::Kind::Template, policy::Action::List)?;
        Ok(Some(
            domain::BUILT_INS.iter().map(BuiltInTemplate).collect(),
        ))
    }

    // Relay's four paging arguments, a filter and an order: one argument each.
    #[allow(clippy::too_many_arguments)]
    /// Mentees: their own prospects. Mentors: the prospects in their programs.
    /// `null` (with an error) without a valid token, or for a bad argument.
    #[graphql(complexity = "paging::complexity(first, last, child_complexity)")]
    async fn prospects(
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
        #[graphql(desc = "Which prospects; omit for all you may see.")] filter: Option<
            ProspectFilter,
        >,
        #[graphql(desc = "The order; newest first by default.")] order_by: Option<ProspectOrder>,
    ) -> ApiResult<Option<Conn<Prospect>>> {
        let (_, visible) = access::visibility(ctx, policy::Kind::Prospect)?;
        let db = db(ctx)?;
        let filter = filter.unwrap_or_default();
        let order = order_by.unwrap_or_default();
        let store_order = store::ProspectOrder {
            by: match order.field {
                ProspectOrderField::CreatedAt => store::ProspectSort::CreatedAt,
                ProspectOrderField::UpdatedAt => store::ProspectSort::UpdatedAt,
                ProspectOrderField::Name => store::ProspectSort::Name,
                ProspectOrderField::LatestScore => store::ProspectSort::LatestScore,
                ProspectOrderField::RequalifyBy => store::ProspectSort::RequalifyBy,
            },
            direction: match order.direction {
                OrderDirection::Asc => store::Order::Asc,
                OrderDirection::Desc => store::Order::Desc,
            },
        };
        let page = paging::Args::new(first, after, last, before)
            .request_with(ctx, |text| prospect_list::decode(store_order, text))?;
        let owner_id = match &filter.owner_id {
            Some(id) => Some(
                ids::decode(Kind::User, id)
                    .map_err(|_| ApiError::bad_field("filter.ownerId", "no such user"))?,
            ),
            None => None,
        };
        let program_ids = match &filter.program_id {
            Some(id) => {
                let id = ids::decode(Kind::Program, id)
                    .map_err(|_| ApiError::bad_field("filter.programId", "no such program"))?;
                Some(vec![id])
            }
            None => None,
        };
        // Who may see what is the policy's filter (`visible`), applied inside the page
        // query: a mentor's programs are a subquery, not a statement of their own (the
        // benchmark's target for this list).
        let store_filter = store::ProspectFilter {
            program_ids,
            statuses: filter
                .status
                .map(|s| s.into_iter().map(Into::into).collect()),
            include_archived: filter.include_archived,
            requalify_due_before: filter.requalify_due.filter(|due| *due).map(|_| {
                chrono::Utc::now()
                    .date_naive()
                    .succ_opt()
                    .unwrap_or_default()
            }),
            search: filter
                .search
                .as_deref()
                .map(domain::text::search)
                .transpose()
                .map_err(|e| ApiError::BadInput(vec![e.at("filter.search")]))?
                .filter(|s| !s.is_empty())
                .map(str::to_owned),
            owner_id,
            latest_tiers: filter
                .latest_tier
                .map(|t| t.into_iter().map(Into::into).collect()),
            latest_verdicts: filter
                .latest_verdict
                .map(|v| v.into_iter().map(Into::into).collect()),
            updated_since: filter.updated_since.map(|at| at.0),
        };
        let rows =
            store::visible::prospects_page(db, &visible, &store_filter, store_order, page).await?;
        preload_nested(ctx, &rows.items).await?;
        Ok(Some(paging::connection_with(
            rows,
            |p| prospect_list::cursor(store_order, p),
            |p| Prospect(Arc::new(p)),
        )))
    }

    /// Did saying no pay off? The Pareto picture, calibration and cost of exceptions of a
    /// set of clients over a window of months. Mentees: their own clients. Mentors: the
    /// clients of all their programs, or of one. `null` (with an error) without a valid
    /// token, for a program or mentee you may not analyse (`NOT_FOUND`), or for a bad
    /// argument (`BAD_USER_INPUT`, e.g. clients whose programs use different currencies).
    async fn feedback(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The window's first month.")] from: Month,
        #[graphql(desc = "The window's last month (included); at most 120 months after `from`.")]
        to: Month,
        #[graphql(
            desc = "Only the clients of this program: one you run (mentors) or are enrolled in (mentees)."
        )]
        program_id: Option<ID>,
        #[graphql(
            desc = "Only this mentee's clients: a mentee of your programs (mentors), or yourself (mentees)."
        )]
        mentee_id: Option<ID>,
    ) -> ApiResult<Option<FeedbackLoop>> {
        feedback::feedback(ctx, from, to, program_id, mentee_id)
            .await
            .map(Some)
    }

    /// A coaching dashboard over a window of dates: mentors see their programs (all, or
    /// one with `programId`) with a row per mentee; mentees see their own prospects.
    /// `null` (with an error) without a valid token, for a program or mentee you may not
    /// see (`NOT_FOUND`), or for a bad window (`BAD_USER_INPUT`).
    async fn dashboard(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The window's first date.")] from: Date,
        #[graphql(
            desc = "The window's last date (included): not before `from`, at most five years after it."
        )]
        to: Date,
        #[graphql(desc = "Only this program: one you run (mentors) or are enrolled in (mentees).")]
        program_id: Option<ID>,
        #[graphql(
            desc = "Only this mentee: a mentee of your programs (mentors), or yourself (mentees)."
        )]
        mentee_id: Option<ID>,
    ) -> ApiResult<Option<Dashboard>> {
        dashboard::dashboard(ctx, from, to, program_id, mentee_id)
            .await
            .map(Some)
    }

    /// The re-qualification queue: clients (taken on, not ended, prospect not archived)
    /// whose re-qualification date is within `withinDays` from today (UTC) or has passed,
    /// the soonest due first (then by prospect). Mentors: the clients of their programs;
    /// mentees: their own. `null` (with an error) without a valid token, for a program or
    /// mentee you may not list (`NOT_FOUND`), or for a bad argument (`BAD_USER_INPUT`).
    // Relay's four paging arguments and three of the queue's own: one argument each.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "paging::complexity(first, last, child_complexity)")]
    async fn requalification_queue(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "How many days ahead to look: 0 (overdue and due today) to 366; `null`: 30.",
            default_with = "Some(crate::graphql::types::requalification::DEFAULT_WITHIN_DAYS)"
        )]
        within_days: Option<i32>,
        #[graphql(
            desc = "Only the clients of this program: one you run (mentors) or are enrolled in (mentees)."
        )]
        program_id: Option<ID>,
        #[graphql(
            desc = "Only this mentee's clients: a mentee of your programs (mentors), or yourself (mentees)."
        )]
        mentee_id: Option<ID>,
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
    ) -> ApiResult<Option<Conn<RequalificationItem>>> {
        requalification::queue(
            ctx,
            within_days,
            program_id,
            mentee_id,
            paging::Args::new(first, after, last, before),
        )
        .await
        .map(Some)
    }

    /// The audit trail, newest first: who did what, when, to which object. Mentors: the
    /// entries of the programs they run (whoever acted) and their own that belong to no
    /// program (templates, their account). Mentees: the entries about them and their own
    /// actions. `null` (with an error) without a valid token, for a program you may not
    /// read (`NOT_FOUND`), or for a bad argument (`BAD_USER_INPUT`).
    #[graphql(complexity = "paging::complexity(first, last, child_complexity)")]
    async fn audit_trail(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrows the trail; omit for all you may read.")] filter: Option<
            AuditFilter,
        >,
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
    ) -> ApiResult<Option<Conn<AuditEntry>>> {
        audit::trail(ctx, filter, paging::Args::new(first, after, last, before))
            .await
            .map(Some)
    }

    /// Your API keys, revoked ones included, the newest first (never their secrets).
    /// Only a signed-in user lists keys: `FORBIDDEN` through a key.
    async fn api_keys(&self, ctx: &Context<'_>) -> ApiResult<Option<Vec<ApiKey>>> {
        let me = access::attempt(ctx, policy::Kind::Account, policy::Action::Change)?;
        let keys = store::api_keys::keys_of(db(ctx)?, me.user_id).await?;
        Ok(Some(keys.into_iter().map(ApiKey).collect()))
    }

    /// Your webhook endpoints, the oldest first (never their secrets). Only a signed-in
    /// user lists them: `FORBIDDEN` through a key.
    async fn webhook_endpoints(
        &self,
        ctx: &Context<'_>,
    ) -> ApiResult<Option<Vec<WebhookEndpoint>>> {
        let me = access::attempt(ctx, policy::Kind::Account, policy::Action::Change)?;
        let endpoints = store::webhooks::endpoints_of(db(ctx)?, me.user_id).await?;
        Ok(Some(endpoints.into_iter().map(WebhookEndpoint).collect()))
    }

    /// Your live logins, the most recently used first: every device or app you are signed
    /// in on. `null` (with an error) without a valid token.
    async fn sessions(&self, ctx: &Context<'_>) -> ApiResult<Option<Vec<Session>>> {
        let me = access::attempt(ctx, policy::Kind::Account, policy::Action::Change)?;
        let current = match credentials(ctx) {
            Credentials::Valid(subject) => Some(subject.session_id),
            _ => None,
        };
        let live = store::sessions::live_sessions(db(ctx)?, me.user_id, chrono::Utc::now()).await?;
        Ok(Some(
            live.into_iter()
                .map(|session| Session::new(session, current))
                .collect(),
        ))
    }

    /// Score hypothetical answers against a program's qualification standard as
    /// `qualifyProspect` would, storing nothing: "what if the budget were higher?", and
    /// the smallest changes that would earn A (`pathsToA`). For the program's mentor and
    /// its mentees. `null` (with an error) without a valid token, for a program you may not
    /// read (`NOT_FOUND`), a program without a standard (`CONFLICT`), or answers that do
    /// not fit the standard (`BAD_USER_INPUT` at `answers.N...`; every criterion needs an
    /// answer, `unknown: true` included).
    async fn what_if(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The program whose standard scores the answers.")] program_id: ID,
        #[graphql(desc = "One answer per criterion of the standard; evidence is ignored.")]
        answers: Vec<AnswerInput>,
    ) -> ApiResult<Option<WhatIf>> {
        let id = ids::decode(Kind::Program, &program_id)?;
        let program = access::program(ctx, id).await?.ok_or(ApiError::NotFound)?;
        let version = standard_of(ctx, &program).await?;
        let (drafts, mut problems) = inputs::domain_answers(answers, "answers");
        let assessment = match domain::score(&version.definition, &drafts) {
            Ok(assessment) if problems.is_empty() => assessment,
            Ok(_) => return Err(ApiError::BadInput(problems)),
            Err(errors) => {
                problems.extend(errors.0);
                return Err(ApiError::BadInput(problems));
            }
        };
        Ok(Some(WhatIf {
            version: TemplateVersion(version),
            answers: drafts,
            assessment,
        }))
    }

    /// Mentors: exception requests in their programs. Mentees: their own.
    /// `null` (with an error) without a valid token, or for a bad argument.
    #[graphql(complexity = "paging::complexity(first, last, child_complexity)")]
    async fn exception_requests(
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
        #[graphql(desc = "Which requests; omit for all you may see.")] filter: Option<
            ExceptionRequestFilter,
        >,
    ) -> ApiResult<Option<Conn<ExceptionRequest>>> {
        let (_, visible) = access::visibility(ctx, policy::Kind::ExceptionRequest)?;
        let db = db(ctx)?;
        let filter = filter.unwrap_or_default();
        let page = paging::Args::new(first, after, last, before).request(ctx)?;
        let program = match &filter.program_id {
            Some(id) => Some(
                ids::decode(Kind::Program, id)
                    .map_err(|_| ApiError::bad_field("filter.programId", "no such program"))?,
            ),
            None => None,
        };
        let status = filter.status.map(Into::into);
        let rows = store::visible::exceptions_page(db, &visible, program, status, page).await?;
        Ok(Some(paging::connection(
            rows,
            |e| e.id,
            |e| ExceptionRequest(Arc::new(e)),
        )))
    }
}

/// Loads what the page's prospects will ask for (by the look-ahead) before they ask: their
/// latest qualifications and their decisions, in one statement each at any page size.
async fn preload_nested(ctx: &Context<'_>, prospects: &[store::Prospect]) -> ApiResult<()> {
    let Ok(loaders) = ctx.data::<Loaders>() else {
        return Ok(());
    };
    let look = ctx.look_ahead();
    let edge = look.field("edges").field("node");
    let node = look.field("nodes");
    let wants = |field: &str| edge.field(field).exists() || node.field(field).exists();
    let failed = |e| ApiError::internal(format!("preload: {e}"));
    if wants("latestQualification") {
        let ids = prospects
            .iter()
            .filter_map(|p| p.latest_qualification_id)
            .collect();
        let rows = Qualification::needs_row(&edge.field("latestQualification"))
            || Qualification::needs_row(&node.field("latestQualification"));
        let batch = loaders.loader();
        let loaded = if rows {
            batch.preload_qualifications(ids).await
        } else {
            batch.preload_heads(ids).await
        };
        loaded.map_err(failed)?;
    }
    if wants("client") || wants("intake") {
        let ids = prospects.iter().map(|p| p.id).collect();
        loaders
            .loader()
            .preload_clients_of(ids)
            .await
            .map_err(failed)?;
    }
    if wants("decisions") {
        let ids = prospects.iter().map(|p| p.id).collect();
        loaders
            .loader()
            .preload_decisions_of(ids)
            .await
            .map_err(failed)?;
    }
    Ok(())
}

/// The programs the signed-in actor may list: those they run or are enrolled in.
pub async fn programs_of(ctx: &Context<'_>, args: paging::Args) -> ApiResult<Conn<Program>> {
    let (_, visible) = access::visibility(ctx, policy::Kind::Program)?;
    let page = args.request(ctx)?;
    let rows = store::visible::programs_page(db(ctx)?, &visible, page).await?;
    Ok(paging::connection(rows, |p| p.id, |p| Program(Arc::new(p))))
}
