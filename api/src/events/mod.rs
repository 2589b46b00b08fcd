//! Events for integrations: what each change tells (this module's builders, one per
//! `domain::events::EventType`), written by a mutation's `graphql::audit::Tx` in the
//! change's own transaction (the outbox), then delivered by the webhook worker (`worker`)
//! and fed to subscriptions (`hub`).
//!
//! A body is the JSON document webhooks send: `id` (the `webhook-id`), `type`,
//! `timestamp` and `data`, which names the objects by their global IDs with their key
//! fields. It holds only what the event's audience (the program's mentor, the mentee
//! whose data it is) may read anyway.

pub mod destination;
pub mod hub;
pub mod sign;
pub mod worker;

use chrono::{DateTime, SecondsFormat, Utc};
use domain::events::{Audience, EventType};
use serde_json::{Value, json};
use store::events::NewEvent;
use tokio::sync::Notify;
use uuid::Uuid;

use crate::graphql::ids::{Kind, encode};

/// Tells the webhook worker and the subscription hub that events were written here.
#[derive(Debug, Default)]
pub struct Bus {
    written: Notify,
    pub hub: std::sync::Arc<hub::Hub>,
}

impl Bus {
    /// A bus whose subscribers may fall `buffer` events behind (`hub::CAPACITY` by default).
    pub fn with_buffer(buffer: usize) -> Self {
        Bus {
            written: Notify::new(),
            hub: std::sync::Arc::new(hub::Hub::with_buffer(buffer)),
        }
    }

    /// Events were committed: wake whoever waits for them.
    pub fn written(&self) {
        self.written.notify_waiters();
        self.hub.wake();
    }

    /// Resolves at the next [`Bus::written`].
    pub async fn wait(&self) {
        self.written.notified().await;
    }
}

/// The `webhook-id` of an event: `evt_` and its uuid.
pub fn wire_id(id: Uuid) -> String {
    format!("evt_{}", id.simple())
}

fn gid(kind: Kind, id: Uuid) -> String {
    encode(kind, id).0
}

fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn event(event_type: EventType, audience: Audience, data: Value) -> NewEvent {
    let id = Uuid::now_v7();
    // The store's clock (microseconds, as every stored time), so `timestamp` and the row agree.
    let at = store::now();
    let body = json!({
        "id": wire_id(id),
        "type": event_type.name(),
        "timestamp": timestamp(at),
        "data": data,
    });
    NewEvent {
        id,
        event_type,
        occurred_at: at,
        audience,
        body: body.to_string(),
        dedupe_key: None,
    }
}

fn of_prospect(p: &store::Prospect) -> Audience {
    Audience {
        program_id: Some(p.program_id),
        mentor_id: None,
        subject_id: Some(p.owner_id),
    }
}

fn prospect_data(p: &store::Prospect) -> Value {
    json!({
        "id": gid(Kind::Prospect, p.id),
        "name": p.name,
        "company": p.company,
        "programId": gid(Kind::Program, p.program_id),
        "ownerId": gid(Kind::User, p.owner_id),
        "status": serde_json::to_value(p.status).unwrap_or(Value::Null),
    })
}

/// A mentee added a prospect.
pub fn prospect_created(p: &store::Prospect) -> NewEvent {
    event(
        EventType::ProspectCreated,
        of_prospect(p),
        json!({ "prospect": prospect_data(p) }),
    )
}

/// A prospect was qualified (or re-qualified).
pub fn prospect_qualified(p: &store::Prospect, q: &store::Qualification) -> NewEvent {
    event(
        EventType::ProspectQualified,
        of_prospect(p),
        json!({
            "prospect": prospect_data(p),
            "qualification": {
                "id": gid(Kind::Qualification, q.id),
                "templateVersionId": gid(Kind::TemplateVersion, q.template_version_id),
                "scoreBasisPoints": q.result.now.score_bp.get(),
                "tier": q.result.now.tier,
                "verdict": q.result.verdict,
                "requalifyBy": q.result.requalify_by,
            },
        }),
    )
}

/// A mentee decided on a prospect.
pub fn prospect_decided(p: &store::Prospect, d: &store::DecisionRecord) -> NewEvent {
    event(
        EventType::ProspectDecided,
        of_prospect(p),
        json!({
            "prospect": prospect_data(p),
            "decision": {
                "id": gid(Kind::Decision, d.id),
                "decision": d.decision,
                "isException": d.is_exception,
                "qualificationId": d.qualification_id.map(|q| gid(Kind::Qualification, q)),
            },
        }),
    )
}

fn exception_data(e: &store::ExceptionRequest) -> Value {
    let status = match e.status {
        store::ExceptionStatus::Pending => "PENDING",
        store::ExceptionStatus::Approved => "APPROVED",
        store::ExceptionStatus::Rejected => "REJECTED",
    };
    json!({
        "id": gid(Kind::ExceptionRequest, e.id),
        "status": status,
        "decisionId": gid(Kind::Decision, e.decision_id),
        "prospectId": gid(Kind::Prospect, e.prospect_id),
        "programId": gid(Kind::Program, e.program_id),
    })
}

/// A take-on against the verdict now waits for the mentor.
pub fn exception_requested(p: &store::Prospect, e: &store::ExceptionRequest) -> NewEvent {
    event(
        EventType::ExceptionRequested,
        of_prospect(p),
        json!({ "exceptionRequest": exception_data(e), "prospect": prospect_data(p) }),
    )
}

/// The mentor approved or rejected an exception request.
pub fn exception_reviewed(p: &store::Prospect, e: &store::ExceptionRequest) -> NewEvent {
    event(
        EventType::ExceptionReviewed,
        of_prospect(p),
        json!({ "exceptionRequest": exception_data(e), "prospect": prospect_data(p) }),
    )
}

/// A month's outcome of a client was recorded.
pub fn outcome_recorded(p: &store::Prospect, o: &store::OutcomeRecord) -> NewEvent {
    event(
        EventType::OutcomeRecorded,
        of_prospect(p),
        json!({
            "outcomeEntry": {
                "id": gid(Kind::OutcomeEntry, o.id),
                "month": o.month.to_string(),
                "revenueMinorUnits": o.revenue_minor,
            },
            "prospect": prospect_data(p),
        }),
    )
}

/// A mentor published a version of their template.
pub fn template_published(
    owner: Uuid,
    template_id: Uuid,
    version: &store::TemplateVersion,
) -> NewEvent {
    event(
        EventType::TemplatePublished,
        Audience {
            program_id: None,
            mentor_id: Some(owner),
            subject_id: None,
        },
        json!({
            "template": { "id": gid(Kind::Template, template_id) },
            "templateVersion": {
                "id": gid(Kind::TemplateVersion, version.id),
                "number": version.number,
            },
        }),
    )
}

fn enrolment(event_type: EventType, program_id: Uuid, mentee_id: Uuid) -> NewEvent {
    event(
        event_type,
        Audience {
            program_id: Some(program_id),
            mentor_id: None,
            subject_id: Some(mentee_id),
        },
        json!({
            "program": { "id": gid(Kind::Program, program_id) },
            "mentee": { "id": gid(Kind::User, mentee_id) },
        }),
    )
}

/// A mentee joined a program with an invite.
pub fn mentee_joined(program_id: Uuid, mentee_id: Uuid) -> NewEvent {
    enrolment(EventType::MenteeJoined, program_id, mentee_id)
}

/// A mentor removed a mentee from a program.
pub fn mentee_removed(program_id: Uuid, mentee_id: Uuid) -> NewEvent {
    enrolment(EventType::MenteeRemoved, program_id, mentee_id)
}

/// A client's re-qualification date passed: once per client and date.
pub fn requalification_overdue(o: &store::events::Overdue) -> NewEvent {
    let mut new = event(
        EventType::RequalificationOverdue,
        Audience {
            program_id: Some(o.program_id),
            mentor_id: None,
            subject_id: Some(o.owner_id),
        },
        json!({
            "prospect": {
                "id": gid(Kind::Prospect, o.prospect_id),
                "name": o.name,
                "programId": gid(Kind::Program, o.program_id),
                "ownerId": gid(Kind::User, o.owner_id),
            },
            "requalifyBy": o.requalify_by,
        }),
    );
    new.dedupe_key = Some(format!(
        "requalification.overdue:{}:{}",
        o.prospect_id, o.requalify_by
    ));
    new
}
