//! Write transactions for mutations, each closed by an audit record.
//!
//! A mutation opens a [`Tx`], makes its changes through `tx.conn()`, and ends with
//! [`Tx::commit`], which appends who did what to which object and commits both together:
//! there is no change without its audit record, and no record of a change that rolled back.
//! Dropping a `Tx` without committing rolls everything back.

use std::sync::Arc;

use async_graphql::Context;
use store::WriteTx;
use store::events::NewEvent;
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};
use crate::events::Bus;
use crate::graphql::context::{credentials, db};

pub struct Tx {
    txn: WriteTx,
    /// Events to write with the change (the outbox), in order.
    events: Vec<NewEvent>,
    bus: Option<Arc<Bus>>,
    actor: Option<Uuid>,
    /// The API key the actor acts through, if any.
    key: Option<Uuid>,
}

impl Tx {
    /// Opens a write transaction on behalf of the signed-in user (if any); in a request
    /// with an `Idempotency-Key`, a savepoint in the request's transaction, so that the
    /// change commits with the key and its stored response (`crate::idempotency`).
    ///
    /// # Errors
    /// `INTERNAL` when the database fails.
    pub async fn begin(ctx: &Context<'_>) -> ApiResult<Tx> {
        let credentials = credentials(ctx);
        let actor = credentials.user_id();
        let key = credentials.key_id();
        let txn = match crate::idempotency::transaction() {
            Some(keyed) => store::begin_write(&*keyed).await?,
            None => store::begin_write(db(ctx)?).await?,
        };
        let bus = ctx
            .data_opt::<crate::app::AppState>()
            .map(|state| state.bus.clone());
        Ok(Tx {
            txn,
            events: Vec::new(),
            bus,
            actor,
            key,
        })
    }

    /// The connection to make the changes on.
    pub fn conn(&self) -> &WriteTx {
        &self.txn
    }

    /// Writes `event` with the change (webhooks and subscriptions tell it once it commits).
    pub fn emit(&mut self, event: NewEvent) {
        self.events.push(event);
    }

    /// Who the audit record names, when the caller was anonymous (sign-up, login).
    pub fn acting_as(&mut self, user_id: Uuid) {
        self.actor = Some(user_id);
    }

    /// Records `action` on the object and commits.
    ///
    /// # Errors
    /// `INTERNAL` when the database fails; nothing is then changed.
    pub async fn commit(
        self,
        action: &str,
        object_type: &str,
        object_id: Option<Uuid>,
    ) -> ApiResult<()> {
        self.commit_detailed(action, object_type, object_id, None)
            .await
    }

    /// [`Tx::commit`], keeping what changed in the audit record (`detail`).
    ///
    /// # Errors
    /// `INTERNAL` when the database fails; nothing is then changed.
    pub async fn commit_detailed(
        self,
        action: &str,
        object_type: &str,
        object_id: Option<Uuid>,
        detail: Option<serde_json::Value>,
    ) -> ApiResult<()> {
        let request_id = crate::request_meta::current().map(|m| m.request_id);
        for event in &self.events {
            store::events::insert_event(&self.txn, event).await?;
        }
        store::audit::record_through(
            &self.txn,
            store::audit::Acting {
                actor_id: self.actor,
                api_key_id: self.key,
            },
            action,
            object_type,
            object_id,
            request_id.as_deref(),
            detail,
        )
        .await?;
        self.txn
            .commit()
            .await
            .map_err(|e| ApiError::internal(format!("commit: {e}")))?;
        if !self.events.is_empty()
            && let Some(bus) = &self.bus
        {
            bus.written();
        }
        Ok(())
    }
}
