//! Webhook endpoints (a user's, managed by them) and their deliveries' log. The worker's
//! side (making deliveries from the outbox, leasing them, recording attempts) is in
//! [`delivery`].

pub mod delivery;

use chrono::{DateTime, Utc};
use domain::events::EventType;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter,
    QueryOrder, Set,
};
use uuid::Uuid;

use crate::clock::now;
use crate::connect::begin_write;
use crate::entity::{webhook_attempts, webhook_deliveries, webhook_endpoints};
use crate::page::{Keyset, Order, Page, PageRequest, fetch_page};
use crate::{Conn, StoreError};

/// An endpoint, its secrets included (the API never shows them but once).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub id: Uuid,
    pub owner_id: Uuid,
    pub url: String,
    pub description: String,
    pub event_types: Vec<EventType>,
    pub secret: String,
    /// The secret before the last rotation and until when it still signs.
    pub previous_secret: Option<(String, DateTime<Utc>)>,
    pub enabled: bool,
    pub disabled_reason: Option<String>,
    pub failing_since: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub(crate) fn types_to_json(types: &[EventType]) -> String {
    let names: Vec<&str> = types.iter().map(|t| t.name()).collect();
    serde_json::to_string(&names).unwrap_or_else(|_| "[]".to_owned())
}

pub(crate) fn types_from_json(json: &str) -> Result<Vec<EventType>, StoreError> {
    let names: Vec<String> =
        serde_json::from_str(json).map_err(|e| StoreError::corrupt(format!("event types: {e}")))?;
    names
        .iter()
        .map(|n| EventType::parse(n).ok_or_else(|| StoreError::corrupt(format!("event type {n}"))))
        .collect()
}

impl TryFrom<webhook_endpoints::Model> for Endpoint {
    type Error = StoreError;

    fn try_from(row: webhook_endpoints::Model) -> Result<Self, StoreError> {
        Ok(Endpoint {
            id: row.id,
            owner_id: row.owner_id,
            url: row.url,
            description: row.description,
            event_types: types_from_json(&row.event_types)?,
            secret: row.secret,
            previous_secret: row.previous_secret.zip(row.previous_secret_until),
            enabled: row.enabled,
            disabled_reason: row.disabled_reason,
            failing_since: row.failing_since,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

/// A new endpoint.
#[derive(Debug, Clone)]
pub struct NewEndpoint<'a> {
    pub owner_id: Uuid,
    pub url: &'a str,
    pub description: &'a str,
    pub event_types: &'a [EventType],
    pub secret: &'a str,
}

/// Stores a new endpoint, enabled.
///
/// # Errors
/// [`StoreError::Db`] when the database fails.
pub async fn create_endpoint(db: &impl Conn, new: NewEndpoint<'_>) -> Result<Endpoint, StoreError> {
    let at = now();
    let row = webhook_endpoints::Model {
        id: Uuid::now_v7(),
        owner_id: new.owner_id,
        url: new.url.to_owned(),
        description: new.description.to_owned(),
        event_types: types_to_json(new.event_types),
        secret: new.secret.to_owned(),
        previous_secret: None,
        previous_secret_until: None,
        enabled: true,
        disabled_reason: None,
        failing_since: None,
        created_at: at,
        updated_at: at,
    };
    webhook_endpoints::Entity::insert(webhook_endpoints::ActiveModel::from(row.clone()))
        .exec_without_returning(db)
        .await?;
    row.try_into()
}

/// The owner's endpoints, oldest first.
///
/// # Errors
/// [`StoreError::Db`] when the database fails.
pub async fn endpoints_of(db: &impl Conn, owner_id: Uuid) -> Result<Vec<Endpoint>, StoreError> {
    webhook_endpoints::Entity::find()
        .filter(webhook_endpoints::Column::OwnerId.eq(owner_id))
        .order_by_asc(webhook_endpoints::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(Endpoint::try_from)
        .collect()
}

/// How many endpoints the owner has.
///
/// # Errors
/// [`StoreError::Db`] when the database fails.
pub async fn count_of(db: &impl Conn, owner_id: Uuid) -> Result<u64, StoreError> {
    Ok(webhook_endpoints::Entity::find()
        .filter(webhook_endpoints::Column::OwnerId.eq(owner_id))
        .count(db)
        .await?)
}

/// One of the owner's endpoints.
///
/// # Errors
/// [`StoreError::Db`] when the database fails.
pub async fn endpoint_of(
    db: &impl Conn,
    owner_id: Uuid,
    id: Uuid,
) -> Result<Option<Endpoint>, StoreError> {
    webhook_endpoints::Entity::find_by_id(id)
        .filter(webhook_endpoints::Column::OwnerId.eq(owner_id))
        .one(db)
        .await?
        .map(Endpoint::try_from)
        .transpose()
}

/// What an update changes; `None` keeps the value.
#[derive(Debug, Clone, Default)]
pub struct EndpointChanges {
    pub url: Option<String>,
    pub description: Option<String>,
    pub event_types: Option<Vec<EventType>>,
    /// Enabling again forgets the failures that disabled it.
    pub enabled: Option<bool>,
    /// A new secret; the old one keeps signing until the given time.
    pub secret: Option<(String, DateTime<Utc>)>,
}

/// Changes one of the owner's endpoints.
///
/// # Errors
/// [`StoreError::NotFound`] when the owner has no such endpoint; [`StoreError::Db`] when
/// the database fails.
pub async fn update_endpoint(
    db: &impl Conn,
    owner_id: Uuid,
    id: Uuid,
    changes: EndpointChanges,
) -> Result<Endpoint, StoreError> {
    let txn = begin_write(db).await?;
    let row = webhook_endpoints::Entity::find_by_id(id)
        .filter(webhook_endpoints::Column::OwnerId.eq(owner_id))
        .one(&txn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let old_secret = row.secret.clone();
    let mut active = row.into_active_model();
    if let Some(url) = changes.url {
        active.url = Set(url);
    }
    if let Some(description) = changes.description {
        active.description = Set(description);
    }
    if let Some(types) = changes.event_types {
        active.event_types = Set(types_to_json(&types));
    }
    if let Some(enabled) = changes.enabled {
        active.enabled = Set(enabled);
        if enabled {
            active.disabled_reason = Set(None);
            active.failing_since = Set(None);
        } else {
            active.disabled_reason = Set(Some("disabled by its owner".to_owned()));
        }
    }
    if let Some((secret, until)) = changes.secret {
        active.secret = Set(secret);
        active.previous_secret = Set(Some(old_secret));
        active.previous_secret_until = Set(Some(until));
    }
    active.updated_at = Set(now());
    let saved = active.update(&txn).await?;
    if changes.enabled == Some(true) {
        // What waited while it was disabled goes now.
        webhook_deliveries::Entity::update_many()
            .col_expr(
                webhook_deliveries::Column::NextAttemptAt,
                sea_orm::sea_query::Expr::value(now()),
            )
            .filter(webhook_deliveries::Column::EndpointId.eq(id))
            .filter(webhook_deliveries::Column::State.eq(DeliveryState::Pending.as_str()))
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    saved.try_into()
}

/// Deletes one of the owner's endpoints with its deliveries and their log.
///
/// # Errors
/// [`StoreError::NotFound`] when the owner has no such endpoint; [`StoreError::Db`] when
/// the database fails.
pub async fn delete_endpoint(db: &impl Conn, owner_id: Uuid, id: Uuid) -> Result<(), StoreError> {
    let txn = begin_write(db).await?;
    endpoint_of(&txn, owner_id, id)
        .await?
        .ok_or(StoreError::NotFound)?;
    webhook_attempts::Entity::delete_many()
        .filter(
            webhook_attempts::Column::DeliveryId.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(webhook_deliveries::Column::Id)
                    .from(webhook_deliveries::Entity)
                    .and_where(webhook_deliveries::Column::EndpointId.eq(id))
                    .to_owned(),
            ),
        )
        .exec(&txn)
        .await?;
    webhook_deliveries::Entity::delete_many()
        .filter(webhook_deliveries::Column::EndpointId.eq(id))
        .exec(&txn)
        .await?;
    webhook_endpoints::Entity::delete_by_id(id)
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(())
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryState {
    /// Not yet delivered; tried again at `next_attempt_at`.
    Pending,
    /// A 2xx came back.
    Delivered,
    /// Every attempt of the schedule failed.
    Failed,
}

impl DeliveryState {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            DeliveryState::Pending => "pending",
            DeliveryState::Delivered => "delivered",
            DeliveryState::Failed => "failed",
        }
    }

    fn parse(s: &str) -> Result<Self, StoreError> {
        match s {
            "pending" => Ok(DeliveryState::Pending),
            "delivered" => Ok(DeliveryState::Delivered),
            "failed" => Ok(DeliveryState::Failed),
            other => Err(StoreError::corrupt(format!("delivery state {other}"))),
        }
    }
}

/// One event for one endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub id: Uuid,
    pub endpoint_id: Uuid,
    pub event_id: Uuid,
    pub event_type: EventType,
    pub state: DeliveryState,
    pub attempts: u32,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub last_status: Option<u16>,
    pub last_duration_ms: Option<u32>,
    pub last_error: Option<String>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl TryFrom<webhook_deliveries::Model> for Delivery {
    type Error = StoreError;

    fn try_from(row: webhook_deliveries::Model) -> Result<Self, StoreError> {
        let state = DeliveryState::parse(&row.state)?;
        Ok(Delivery {
            id: row.id,
            endpoint_id: row.endpoint_id,
            event_id: row.event_id,
            event_type: EventType::parse(&row.event_type)
                .ok_or_else(|| StoreError::corrupt(format!("event type {}", row.event_type)))?,
            state,
            attempts: u32::try_from(row.attempts).unwrap_or(0),
            next_attempt_at: (state == DeliveryState::Pending).then_some(row.next_attempt_at),
            last_attempt_at: row.last_attempt_at,
            last_status: row.last_status.and_then(|s| u16::try_from(s).ok()),
            last_duration_ms: row.last_duration_ms.and_then(|d| u32::try_from(d).ok()),
            last_error: row.last_error,
            delivered_at: row.delivered_at,
            created_at: row.created_at,
        })
    }
}

/// One page of an endpoint's deliveries, newest first.
///
/// # Errors
/// [`StoreError::Db`] when the database fails.
pub async fn deliveries_page(
    db: &impl Conn,
    endpoint_id: Uuid,
    state: Option<DeliveryState>,
    request: &PageRequest,
) -> Result<Page<Delivery>, StoreError> {
    let mut select = webhook_deliveries::Entity::find()
        .filter(webhook_deliveries::Column::EndpointId.eq(endpoint_id));
    if let Some(state) = state {
        select = select.filter(webhook_deliveries::Column::State.eq(state.as_str()));
    }
    let keyset = Keyset {
        id: webhook_deliveries::Column::Id,
        key: None,
        order: Order::Desc,
    };
    fetch_page(db, select, keyset, request)
        .await?
        .try_map(Delivery::try_from)
}

/// A delivery of one of the owner's endpoints.
///
/// # Errors
/// [`StoreError::Db`] when the database fails.
pub async fn delivery_of(
    db: &impl Conn,
    owner_id: Uuid,
    id: Uuid,
) -> Result<Option<Delivery>, StoreError> {
    let Some(row) = webhook_deliveries::Entity::find_by_id(id).one(db).await? else {
        return Ok(None);
    };
    if endpoint_of(db, owner_id, row.endpoint_id).await?.is_none() {
        return Ok(None);
    }
    Ok(Some(row.try_into()?))
}

/// One request sent for a delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    pub delivery_id: Uuid,
    pub number: u32,
    pub started_at: DateTime<Utc>,
    pub status_code: Option<u16>,
    pub duration_ms: u32,
    pub error: Option<String>,
}

/// The attempts of these deliveries, by delivery then number.
///
/// # Errors
/// [`StoreError::Db`] when the database fails.
pub async fn attempts_of(db: &impl Conn, deliveries: &[Uuid]) -> Result<Vec<Attempt>, StoreError> {
    if deliveries.is_empty() {
        return Ok(Vec::new());
    }
    Ok(webhook_attempts::Entity::find()
        .filter(webhook_attempts::Column::DeliveryId.is_in(deliveries.iter().copied()))
        .order_by_asc(webhook_attempts::Column::DeliveryId)
        .order_by_asc(webhook_attempts::Column::Number)
        .all(db)
        .await?
        .into_iter()
        .map(|row| Attempt {
            delivery_id: row.delivery_id,
            number: u32::try_from(row.number).unwrap_or(0),
            started_at: row.started_at,
            status_code: row.status_code.and_then(|s| u16::try_from(s).ok()),
            duration_ms: u32::try_from(row.duration_ms).unwrap_or(0),
            error: row.error,
        })
        .collect())
}

/// Sends a delivery's event again to its endpoint: a new delivery of the same event (so
/// the same `webhook-id`), due now, with a whole schedule of its own.
///
/// # Errors
/// [`StoreError::NotFound`] when it is not a delivery of the owner's endpoints;
/// [`StoreError::Db`] when the database fails.
pub async fn redeliver(db: &impl Conn, owner_id: Uuid, id: Uuid) -> Result<Delivery, StoreError> {
    let txn = begin_write(db).await?;
    let old = delivery_of(&txn, owner_id, id)
        .await?
        .ok_or(StoreError::NotFound)?;
    let at = now();
    let row = webhook_deliveries::Model {
        id: Uuid::now_v7(),
        endpoint_id: old.endpoint_id,
        event_id: old.event_id,
        event_type: old.event_type.name().to_owned(),
        state: DeliveryState::Pending.as_str().to_owned(),
        attempts: 0,
        next_attempt_at: at,
        lease_until: None,
        leased_by: None,
        last_attempt_at: None,
        last_status: None,
        last_duration_ms: None,
        last_error: None,
        delivered_at: None,
        created_at: at,
    };
    webhook_deliveries::Entity::insert(webhook_deliveries::ActiveModel::from(row.clone()))
        .exec_without_returning(&txn)
        .await?;
    txn.commit().await?;
    row.try_into()
}
