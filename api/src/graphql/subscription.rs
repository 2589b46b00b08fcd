//! The root `Subscription` type: live events over WebSocket (`graphql-transport-ws`, see
//! `crate::subscriptions`), the same events as the webhooks, each only to whom it
//! concerns (`domain::events::Audience`), narrowed by an API key's program.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_graphql::{
    Context, ID, InputValueError, InputValueResult, Object, Scalar, ScalarType,
    Subscription as SubscriptionObject, Value,
};
use domain::events::EventType;
use futures_util::Stream;
use tokio::sync::broadcast::error::RecvError;

use crate::error::{ApiError, ApiResult};
use crate::events::hub::Published;
use crate::events::wire_id;
use crate::graphql::access;
use crate::graphql::context::{db, state};
use crate::graphql::ids::{self, Kind};
use crate::graphql::types::datetime::DateTime;
use crate::graphql::types::webhook::WebhookEventType;

/// How many subscriptions one connection has open, against its limit.
#[derive(Debug)]
pub struct Open {
    count: Arc<AtomicUsize>,
    limit: usize,
}

impl Open {
    pub fn new(limit: usize) -> Self {
        Open {
            count: Arc::new(AtomicUsize::new(0)),
            limit,
        }
    }

    /// One more subscription, or `None` at the limit.
    fn take(&self) -> Option<Slot> {
        let taken = self
            .count
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < self.limit).then_some(n + 1)
            })
            .is_ok();
        taken.then(|| Slot(self.count.clone()))
    }
}

/// A subscription's place on its connection, given back when it ends.
struct Slot(Arc<AtomicUsize>);

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

pub struct Event(Arc<Published>);

/// Something that happened, as webhooks tell it.
#[Object]
impl Event {
    /// The event's id: the same as the webhooks' `webhook-id`.
    async fn id(&self) -> String {
        wire_id(self.0.event.id)
    }

    /// What happened.
    async fn r#type(&self) -> WebhookEventType {
        self.0.event.event_type.into()
    }

    /// When it happened.
    async fn occurred_at(&self) -> DateTime {
        DateTime(self.0.event.occurred_at)
    }

    /// The objects it names, by their global IDs with their key fields: the webhooks'
    /// `data`.
    async fn data(&self) -> EventData {
        EventData(self.0.data.clone())
    }
}

/// An event's `data`: a JSON object naming the objects by their global IDs, with their key
/// fields (as the webhooks' body has it).
pub struct EventData(serde_json::Value);

/// Any JSON value (RFC 8259), as it is.
#[Scalar(
    name = "JSON",
    specified_by_url = "https://www.rfc-editor.org/rfc/rfc8259"
)]
impl ScalarType for EventData {
    fn parse(value: Value) -> InputValueResult<Self> {
        value
            .into_json()
            .map(EventData)
            .map_err(|e| InputValueError::custom(e.to_string()))
    }

    fn to_value(&self) -> Value {
        Value::from_json(self.0.clone()).unwrap_or(Value::Null)
    }
}

#[derive(Default)]
pub struct Subscription;

/// Live events, over WebSocket with the `graphql-transport-ws` protocol on `/graphql`.
#[SubscriptionObject]
impl Subscription {
    /// Events as they happen: of the programs you run (mentors), of your own prospects
    /// and enrolments (mentees); through a program's API key, of that program only.
    /// Optionally only some types, or one program (yours, else `NOT_FOUND`). Only over
    /// WebSocket (`graphql-transport-ws`). A subscriber that falls more than 4,096 events
    /// behind gets an error and the subscription ends: subscribe again (webhooks are the
    /// way to miss nothing).
    async fn events(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only these types; omitted: all.")] types: Option<Vec<WebhookEventType>>,
        #[graphql(desc = "Only this program's events.")] program_id: Option<ID>,
    ) -> async_graphql::Result<impl Stream<Item = async_graphql::Result<Event>>> {
        Ok(events(ctx, types, program_id).await?)
    }
}

async fn events(
    ctx: &Context<'_>,
    types: Option<Vec<WebhookEventType>>,
    program_id: Option<ID>,
) -> ApiResult<impl Stream<Item = async_graphql::Result<Event>> + use<>> {
    let (me, _) = access::visibility(ctx, domain::policy::Kind::Audit)?;
    let program = match &program_id {
        Some(id) => {
            let id = ids::decode(Kind::Program, id)?;
            if !me.in_program(db(ctx)?, id).await? {
                return Err(ApiError::NotFound);
            }
            Some(id)
        }
        None => None,
    };
    let slot = match ctx.data_opt::<Open>() {
        Some(open) => open.take().ok_or_else(|| {
            ApiError::bad_field(
                "events",
                format!(
                    "this connection has {} subscriptions open already",
                    open.limit
                ),
            )
        })?,
        None => {
            return Err(ApiError::bad_field(
                "events",
                "subscriptions run over WebSocket",
            ));
        }
    };
    let narrowed = match me.scope {
        domain::policy::Scope::Key { program, .. } => program,
        domain::policy::Scope::Full => None,
    };
    let filter = Filter {
        user: me.user_id,
        key_program: narrowed,
        program,
        types: types.map(|t| t.into_iter().map(EventType::from).collect()),
    };
    let receiver = state(ctx)?.bus.hub.subscribe();
    Ok(futures_util::stream::unfold(
        (receiver, filter, Some(slot)),
        |(mut receiver, filter, slot)| async move {
            slot.as_ref()?;
            loop {
                match receiver.recv().await {
                    Ok(published) if filter.admits(&published) => {
                        return Some((Ok(Event(published)), (receiver, filter, slot)));
                    }
                    Ok(_) => {}
                    Err(RecvError::Lagged(missed)) => {
                        let error = ApiError::Conflict(
                            crate::error::Conflict::Lagged,
                            format!(
                                "{missed} events missed: this subscription fell behind; subscribe again"
                            ),
                        );
                        return Some((Err(error.into()), (receiver, filter, None)));
                    }
                    Err(RecvError::Closed) => return None,
                }
            }
        },
    ))
}

/// Which events one subscription is sent.
struct Filter {
    user: uuid::Uuid,
    /// An API key's program.
    key_program: Option<uuid::Uuid>,
    /// The subscription's `programId`.
    program: Option<uuid::Uuid>,
    types: Option<Vec<EventType>>,
}

impl Filter {
    fn admits(&self, published: &Published) -> bool {
        let event = &published.event;
        event.audience.includes_within(self.user, self.key_program)
            && self
                .program
                .is_none_or(|p| event.audience.program_id == Some(p))
            && self
                .types
                .as_ref()
                .is_none_or(|types| types.contains(&event.event_type))
    }
}
