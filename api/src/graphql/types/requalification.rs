//! The re-qualification queue (`Query.requalificationQueue`): the clients taken on with a
//! plan whose re-qualification date falls within a window or has passed, soonest first,
//! with the plan that was promised. Listed through `store::visible` with the policy's
//! `Prospect` list line, narrowed by `programId` and `menteeId`; the page, its clients and
//! their plans are three statements whatever its size (and one count).

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::{Context, ID, Object};
use chrono::{Days, NaiveDate, Utc};
use domain::policy;

use crate::error::{ApiError, ApiResult};
use crate::graphql::access;
use crate::graphql::context::db;
use crate::graphql::ids::{self, Kind};
use crate::graphql::paging::{self, Conn};
use crate::graphql::types::client::Client;
use crate::graphql::types::prospect::Prospect;
use crate::graphql::types::scalars::Date;

/// The window ahead when none is given, in days.
pub const DEFAULT_WITHIN_DAYS: i32 = 30;

/// The longest window ahead, in days.
pub const MAX_WITHIN_DAYS: i32 = 366;

/// One client due for re-qualification.
pub struct RequalificationItem {
    prospect: Arc<store::Prospect>,
    client: Arc<store::Client>,
    due: NaiveDate,
    plan: Option<String>,
    today: NaiveDate,
}

/// A client taken on with a plan (`ACCEPT_WITH_PLAN`) whose re-qualification is due within
/// the window asked for, or overdue. Re-qualify it with `requalifyProspect` (its
/// `prospect.id`), or end it with `endClient` (reason `WE_EXITED`, the same id).
#[Object]
impl RequalificationItem {
    /// The prospect taken on: pass its `id` to `requalifyProspect` or `endClient`.
    async fn prospect(&self) -> Prospect {
        Prospect(Arc::clone(&self.prospect))
    }
    /// The client it is (its span and outcome entries).
    async fn client(&self) -> Client {
        Client {
            client: Arc::clone(&self.client),
            prospect: Arc::clone(&self.prospect),
        }
    }
    /// The day the client must be re-qualified by.
    async fn due_on(&self) -> Date {
        Date(self.due)
    }
    /// The date has passed (it is before today, UTC).
    async fn overdue(&self) -> bool {
        self.due < self.today
    }
    /// Days from today (UTC) to the due date: 0 when due today, negative when overdue
    /// (-3: three days late).
    async fn days_left(&self) -> i64 {
        (self.due - self.today).num_days()
    }
    /// The plan promised when the date was set: the plan of the prospect's latest
    /// qualification with verdict `ACCEPT_WITH_PLAN` (the take-on's, unless the client was
    /// re-qualified with a new plan since; a re-qualification that declines keeps the date
    /// and the plan it missed). `null` only for data from before plans were kept.
    async fn plan(&self) -> Option<&str> {
        self.plan.as_deref()
    }
    /// Overdue and not ended: the method says to exit the client unless it is
    /// re-qualified (the same as `client.flaggedForExit`).
    async fn flagged_for_exit(&self) -> bool {
        domain::flagged_for_exit(Some(self.due), false, self.today)
    }
}

fn cursor_of(prospect: &store::Prospect) -> String {
    let due = prospect
        .requalify_by
        .map(|d| d.to_string())
        .unwrap_or_default();
    paging::encode_text(&format!("r:{}:{due}", prospect.id.simple()))
}

fn decode_cursor(text: &str) -> Option<store::Cursor> {
    let (id, due) = text.strip_prefix("r:")?.split_once(':')?;
    Some(store::Cursor {
        id: uuid::Uuid::try_parse(id).ok()?,
        value: Some(store::SortValue::Date(due.parse().ok()?)),
    })
}

/// The queue as the actor may see it: a mentor's programs (one with `program_id`, one
/// mentee's clients with `mentee_id`), a mentee's own.
///
/// # Errors
/// `BAD_USER_INPUT` for `withinDays` outside 0..=366, `first` outside 1..=100 or a bad
/// cursor; `NOT_FOUND` for a program or mentee not the actor's to list;
/// `UNAUTHENTICATED` without a token.
pub async fn queue(
    ctx: &Context<'_>,
    within_days: Option<i32>,
    program_id: Option<ID>,
    mentee_id: Option<ID>,
    page: paging::Args,
) -> ApiResult<Conn<RequalificationItem>> {
    let (_, visible) = access::visibility(ctx, policy::Kind::Prospect)?;
    let within_days = within_days.unwrap_or(DEFAULT_WITHIN_DAYS);
    if !(0..=MAX_WITHIN_DAYS).contains(&within_days) {
        return Err(ApiError::bad_field(
            "withinDays",
            format!("must be between 0 and {MAX_WITHIN_DAYS}"),
        ));
    }
    let request = page.request_with(ctx, decode_cursor)?;
    let today = Utc::now().date_naive();
    let due_by = today
        .checked_add_days(Days::new(within_days.unsigned_abs().into()))
        .unwrap_or(NaiveDate::MAX);
    let mut filter = store::visible::QueueFilter {
        due_by,
        program: None,
        owner: None,
    };
    if let Some(id) = &program_id {
        let program = access::program(ctx, ids::decode(Kind::Program, id)?)
            .await?
            .ok_or(ApiError::NotFound)?;
        filter.program = Some(program.id);
    }
    if let Some(id) = &mentee_id {
        let mentee = ids::decode(Kind::User, id)?;
        match visible.owner {
            // A mentee lists only their own clients.
            Some(owner) if owner != mentee => return Err(ApiError::NotFound),
            Some(_) => {}
            None => {
                let user = access::user(ctx, mentee).await?.ok_or(ApiError::NotFound)?;
                if user.role != store::Role::Mentee {
                    return Err(ApiError::NotFound);
                }
            }
        }
        filter.owner = Some(mentee);
    }
    let db = db(ctx)?;
    let page = store::visible::requalification_page(db, &visible, filter, &request).await?;
    let ids: Vec<uuid::Uuid> = page.items.iter().map(|p| p.id).collect();
    let mut clients: HashMap<uuid::Uuid, Arc<store::Client>> =
        store::clients::clients_by_prospect_ids(db, &ids)
            .await?
            .into_iter()
            .map(|c| (c.prospect_id, Arc::new(c)))
            .collect();
    let mut plans: HashMap<uuid::Uuid, Option<String>> = store::visible::promised_plans(db, &ids)
        .await?
        .into_iter()
        .collect();
    let mut items = Vec::with_capacity(page.items.len());
    for prospect in &page.items {
        let client = clients
            .remove(&prospect.id)
            .ok_or_else(|| ApiError::internal("a queued prospect without its client"))?;
        let due = prospect
            .requalify_by
            .ok_or_else(|| ApiError::internal("a queued prospect without a date"))?;
        items.push(RequalificationItem {
            prospect: Arc::new(prospect.clone()),
            client,
            due,
            plan: plans.remove(&prospect.id).flatten(),
            today,
        });
    }
    let cursors: Vec<String> = page.items.iter().map(cursor_of).collect();
    let keyed = store::Page {
        items: items.into_iter().zip(cursors).collect::<Vec<_>>(),
        has_next: page.has_next,
        has_previous: page.has_previous,
        total: page.total,
    };
    Ok(paging::connection_with(
        keyed,
        |(_, cursor)| cursor.clone(),
        |(item, _)| item,
    ))
}
