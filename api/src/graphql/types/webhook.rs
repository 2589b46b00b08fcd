//! Webhook endpoints and their delivery log, as their owner sees them: never a secret
//! (shown once, by `createWebhookEndpoint` and `rotateWebhookSecret`).

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::{Context, Enum, ID, Object, SimpleObject};
use domain::events::EventType;

use crate::error::ApiResult;
use crate::events::wire_id;
use crate::graphql::context::db;
use crate::graphql::ids::{self, Kind};
use crate::graphql::paging::{self, Conn};
use crate::graphql::types::datetime::DateTime;

/// What an event tells. Webhooks send it as `type` (`prospect.qualified`).
#[derive(Enum, Clone, Copy, PartialEq, Eq, Debug)]
pub enum WebhookEventType {
    /// `prospect.created`: a mentee added a prospect (by hand or by import).
    ProspectCreated,
    /// `prospect.qualified`: a prospect was qualified or re-qualified.
    ProspectQualified,
    /// `prospect.decided`: a mentee took a prospect on or turned it down.
    ProspectDecided,
    /// `exception.requested`: a take-on against the verdict waits for the mentor.
    ExceptionRequested,
    /// `exception.reviewed`: the mentor approved or rejected an exception request.
    ExceptionReviewed,
    /// `outcome.recorded`: a client's month was recorded.
    OutcomeRecorded,
    /// `template.published`: a template version was published (to its owner).
    TemplatePublished,
    /// `mentee.joined`: a mentee joined a program.
    MenteeJoined,
    /// `mentee.removed`: a mentor removed a mentee from a program.
    MenteeRemoved,
    /// `requalification.overdue`: a client's re-qualification date passed.
    RequalificationOverdue,
}

impl From<WebhookEventType> for EventType {
    fn from(t: WebhookEventType) -> Self {
        match t {
            WebhookEventType::ProspectCreated => EventType::ProspectCreated,
            WebhookEventType::ProspectQualified => EventType::ProspectQualified,
            WebhookEventType::ProspectDecided => EventType::ProspectDecided,
            WebhookEventType::ExceptionRequested => EventType::ExceptionRequested,
            WebhookEventType::ExceptionReviewed => EventType::ExceptionReviewed,
            WebhookEventType::OutcomeRecorded => EventType::OutcomeRecorded,
            WebhookEventType::TemplatePublished => EventType::TemplatePublished,
            WebhookEventType::MenteeJoined => EventType::MenteeJoined,
            WebhookEventType::MenteeRemoved => EventType::MenteeRemoved,
            WebhookEventType::RequalificationOverdue => EventType::RequalificationOverdue,
        }
    }
}

impl From<EventType> for WebhookEventType {
    fn from(t: EventType) -> Self {
        match t {
            EventType::ProspectCreated => WebhookEventType::ProspectCreated,
            EventType::ProspectQualified => WebhookEventType::ProspectQualified,
            EventType::ProspectDecided => WebhookEventType::ProspectDecided,
            EventType::ExceptionRequested => WebhookEventType::ExceptionRequested,
            EventType::ExceptionReviewed => WebhookEventType::ExceptionReviewed,
            EventType::OutcomeRecorded => WebhookEventType::OutcomeRecorded,
            EventType::TemplatePublished => WebhookEventType::TemplatePublished,
            EventType::MenteeJoined => WebhookEventType::MenteeJoined,
            EventType::MenteeRemoved => WebhookEventType::MenteeRemoved,
            EventType::RequalificationOverdue => WebhookEventType::RequalificationOverdue,
        }
    }
}

/// Where a delivery stands.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Debug)]
pub enum WebhookDeliveryState {
    /// Not delivered yet: tried again at `nextAttemptAt`.
    Pending,
    /// The endpoint answered 2xx.
    Delivered,
    /// Every attempt of the schedule (about 28 hours) failed; `redeliverWebhook` tries
    /// again.
    Failed,
}

impl From<store::webhooks::DeliveryState> for WebhookDeliveryState {
    fn from(s: store::webhooks::DeliveryState) -> Self {
        match s {
            store::webhooks::DeliveryState::Pending => WebhookDeliveryState::Pending,
            store::webhooks::DeliveryState::Delivered => WebhookDeliveryState::Delivered,
            store::webhooks::DeliveryState::Failed => WebhookDeliveryState::Failed,
        }
    }
}

impl From<WebhookDeliveryState> for store::webhooks::DeliveryState {
    fn from(s: WebhookDeliveryState) -> Self {
        match s {
            WebhookDeliveryState::Pending => store::webhooks::DeliveryState::Pending,
            WebhookDeliveryState::Delivered => store::webhooks::DeliveryState::Delivered,
            WebhookDeliveryState::Failed => store::webhooks::DeliveryState::Failed,
        }
    }
}

/// A webhook endpoint of the signed-in user.
pub struct WebhookEndpoint(pub store::webhooks::Endpoint);

/// Where events are sent, signed as Standard Webhooks says (`webhook-id`,
/// `webhook-timestamp`, `webhook-signature`).
#[Object]
impl WebhookEndpoint {
    /// The endpoint's id (not a node id).
    async fn id(&self) -> ID {
        ids::encode(Kind::WebhookEndpoint, self.0.id)
    }

    /// Where events are POSTed.
    async fn url(&self) -> &str {
        &self.0.url
    }

    /// What its owner wrote about it.
    async fn description(&self) -> &str {
        &self.0.description
    }

    /// The events it is sent.
    async fn event_types(&self) -> Vec<WebhookEventType> {
        self.0.event_types.iter().copied().map(Into::into).collect()
    }

    /// Whether events are sent to it. A disabled endpoint gets no new deliveries, and
    /// its pending ones wait until it is enabled again.
    async fn enabled(&self) -> bool {
        self.0.enabled
    }

    /// Why it is disabled: by its owner, or because every attempt failed for too long.
    async fn disabled_reason(&self) -> Option<&str> {
        self.0.disabled_reason.as_deref()
    }

    /// Since when every attempt has failed; `null` once one succeeds.
    async fn failing_since(&self) -> Option<DateTime> {
        self.0.failing_since.map(DateTime)
    }

    /// Until when the secret before the last rotation still signs (each request then
    /// carries both signatures); `null` when none does.
    async fn previous_secret_signs_until(&self) -> Option<DateTime> {
        self.0
            .previous_secret
            .as_ref()
            .map(|(_, until)| *until)
            .filter(|until| *until > chrono::Utc::now())
            .map(DateTime)
    }

    /// When its owner created it.
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }

    /// When it last changed (by its owner, or disabled by the worker).
    async fn updated_at(&self) -> DateTime {
        DateTime(self.0.updated_at)
    }

    /// Its deliveries, the newest first, optionally in one state: the delivery log.
    #[graphql(complexity = "paging::complexity(first, last, child_complexity)")]
    async fn deliveries(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only deliveries in this state.")] state: Option<WebhookDeliveryState>,
        #[graphql(desc = "Page size, from the start (1 to 100; default 20).")] first: Option<i32>,
        #[graphql(desc = "A cursor: the items after it.")] after: Option<String>,
        #[graphql(desc = "Page size, from the end (1 to 100).")] last: Option<i32>,
        #[graphql(desc = "A cursor: the items before it.")] before: Option<String>,
    ) -> ApiResult<Conn<WebhookDelivery>> {
        let request = paging::Args::new(first, after, last, before).request(ctx)?;
        let db = db(ctx)?;
        let page = store::webhooks::deliveries_page(db, self.0.id, state.map(Into::into), &request)
            .await?;
        // The attempts of the whole page in one statement, when the selection has them.
        let look = ctx.look_ahead();
        let wants_log = look.field("edges").field("node").field("attempts").exists()
            || look.field("nodes").field("attempts").exists();
        let mut logs: HashMap<uuid::Uuid, Vec<store::webhooks::Attempt>> = HashMap::new();
        if wants_log {
            let ids: Vec<uuid::Uuid> = page.items.iter().map(|d| d.id).collect();
            for attempt in store::webhooks::attempts_of(db, &ids).await? {
                logs.entry(attempt.delivery_id).or_default().push(attempt);
            }
        }
        Ok(paging::connection(
            page,
            |d| d.id,
            |d| {
                let log = logs.get(&d.id).cloned().unwrap_or_default();
                WebhookDelivery(Arc::new(d), log)
            },
        ))
    }
}

/// One event for one endpoint, and its attempts (the attempts only when listed through
/// `WebhookEndpoint.deliveries`).
pub struct WebhookDelivery(
    pub Arc<store::webhooks::Delivery>,
    pub Vec<store::webhooks::Attempt>,
);

/// One event sent (or to be sent) to one endpoint, until delivered or given up.
#[Object]
impl WebhookDelivery {
    /// The delivery's id, for `redeliverWebhook` (not a node id).
    async fn id(&self) -> ID {
        ids::encode(Kind::WebhookDelivery, self.0.id)
    }

    /// The event's id: the `webhook-id` header, the same on every attempt and every
    /// redelivery (receivers de-duplicate on it).
    async fn event_id(&self) -> String {
        wire_id(self.0.event_id)
    }

    /// What the event tells.
    async fn event_type(&self) -> WebhookEventType {
        self.0.event_type.into()
    }

    /// Pending, delivered or failed.
    async fn state(&self) -> WebhookDeliveryState {
        self.0.state.into()
    }

    /// Attempts made so far.
    async fn attempt_count(&self) -> u32 {
        self.0.attempts
    }

    /// When it is tried next; `null` unless pending.
    async fn next_attempt_at(&self) -> Option<DateTime> {
        self.0.next_attempt_at.map(DateTime)
    }

    /// When the last attempt was sent.
    async fn last_attempt_at(&self) -> Option<DateTime> {
        self.0.last_attempt_at.map(DateTime)
    }

    /// The HTTP status the last attempt got; `null` when no answer came.
    async fn last_status_code(&self) -> Option<u16> {
        self.0.last_status
    }

    /// Milliseconds the last attempt took.
    async fn last_duration_ms(&self) -> Option<u32> {
        self.0.last_duration_ms
    }

    /// Why the last attempt failed, in words.
    async fn last_error(&self) -> Option<&str> {
        self.0.last_error.as_deref()
    }

    /// When the endpoint answered 2xx.
    async fn delivered_at(&self) -> Option<DateTime> {
        self.0.delivered_at.map(DateTime)
    }

    /// When the event was queued for the endpoint.
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }

    /// Each request sent, the first first.
    async fn attempts(&self) -> Vec<WebhookAttempt> {
        self.1
            .iter()
            .map(|a| WebhookAttempt {
                number: a.number,
                started_at: DateTime(a.started_at),
                status_code: a.status_code,
                duration_ms: a.duration_ms,
                error: a.error.clone(),
            })
            .collect()
    }
}

/// One request sent for a delivery.
#[derive(SimpleObject)]
pub struct WebhookAttempt {
    /// 1 for the first.
    pub number: u32,
    /// When the request was sent.
    pub started_at: DateTime,
    /// The HTTP status the endpoint answered; `null` when no answer came (timeout,
    /// refused connection, destination not allowed).
    pub status_code: Option<u16>,
    /// Milliseconds from sending to the answer (or to giving up).
    pub duration_ms: u32,
    /// Why it failed, in words.
    pub error: Option<String>,
}
