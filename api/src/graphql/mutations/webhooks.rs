//! Managing one's webhook endpoints: create (the secret shown once), update, enable or
//! disable, rotate the secret (the old one keeps signing for an overlap), delete, and
//! send a delivery again. Part of managing the account (`Kind::Account`): no API key can.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::Utc;
use domain::events::EventType;
use domain::policy::{Action, Kind};

use crate::error::{ApiError, ApiResult};
use crate::events::destination::{check_url, resolve_checked};
use crate::events::sign::new_secret;
use crate::graphql::access;
use crate::graphql::audit::Tx;
use crate::graphql::context::state;
use crate::graphql::ids::{self, Kind as IdKind};
use crate::graphql::types::webhook::{WebhookDelivery, WebhookEndpoint, WebhookEventType};

/// The most endpoints one user may have.
pub const MAX_ENDPOINTS: u64 = 20;
/// The longest description, in characters.
const MAX_DESCRIPTION_CHARS: usize = 500;
/// The longest overlap of a rotation, in hours (a week).
const MAX_OVERLAP_HOURS: i32 = 168;

/// A new webhook endpoint.
#[derive(InputObject)]
pub struct CreateWebhookEndpointInput {
    /// Where to POST events: an `https` URL whose host is public (no loopback, private,
    /// link-local or metadata address), at most 2,000 bytes.
    pub url: String,
    /// The events to send it: at least one.
    pub event_types: Vec<WebhookEventType>,
    /// What it is for; at most 500 characters.
    #[graphql(default)]
    pub description: String,
}

/// A change of an endpoint; omitted fields stay as they are.
#[derive(InputObject)]
pub struct UpdateWebhookEndpointInput {
    /// The endpoint's id, from `webhookEndpoints`.
    pub id: ID,
    /// A new destination, checked as when creating.
    pub url: Option<String>,
    /// The events to send it from now on: at least one.
    pub event_types: Option<Vec<WebhookEventType>>,
    /// What it is for; at most 500 characters.
    pub description: Option<String>,
    /// `false` stops sending; `true` sends again (and forgets the failures that disabled
    /// it), pending deliveries included.
    pub enabled: Option<bool>,
}

/// An endpoint and its signing secret.
#[derive(SimpleObject)]
pub struct WebhookSecretPayload {
    /// The endpoint, as `webhookEndpoints` lists it.
    pub endpoint: WebhookEndpoint,
    /// The signing secret (`whsec_...`), for any Standard Webhooks library. Shown this
    /// once.
    pub secret: String,
}

#[derive(Default)]
pub struct WebhookMutation;

async fn checked_url(ctx: &Context<'_>, field: &str, raw: &str) -> ApiResult<String> {
    let allowed = state(ctx)?.config.webhooks.allowed;
    let url = check_url(raw.trim(), allowed).map_err(|why| ApiError::bad_field(field, why))?;
    resolve_checked(&url, allowed)
        .await
        .map_err(|why| ApiError::bad_field(field, why))?;
    Ok(url.to_string())
}

fn checked_types(field: &str, types: Vec<WebhookEventType>) -> ApiResult<Vec<EventType>> {
    let mut types: Vec<EventType> = types.into_iter().map(Into::into).collect();
    types.sort_unstable();
    types.dedup();
    if types.is_empty() {
        return Err(ApiError::bad_field(field, "name at least one event type"));
    }
    Ok(types)
}

fn checked_description(field: &str, text: &str) -> ApiResult<String> {
    let text = text.trim();
    if text.chars().count() > MAX_DESCRIPTION_CHARS {
        return Err(ApiError::bad_field(
            field,
            format!("must be at most {MAX_DESCRIPTION_CHARS} characters"),
        ));
    }
    Ok(text.to_owned())
}

#[Object]
impl WebhookMutation {
    /// Send events to a URL of yours. The answer holds the signing secret, once. Events
    /// are those you may see: of the programs you run (mentors), of your own prospects
    /// (mentees). At most 20 endpoints per user.
    async fn create_webhook_endpoint(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to create; see the input type.")] input: CreateWebhookEndpointInput,
    ) -> ApiResult<Option<WebhookSecretPayload>> {
        let me = access::attempt(ctx, Kind::Account, Action::Change)?;
        let types = checked_types("input.eventTypes", input.event_types)?;
        let description = checked_description("input.description", &input.description)?;
        let url = checked_url(ctx, "input.url", &input.url).await?;
        let secret = new_secret();
        let tx = Tx::begin(ctx).await?;
        if store::webhooks::count_of(tx.conn(), me.user_id).await? >= MAX_ENDPOINTS {
            return Err(ApiError::bad_field(
                "input",
                format!("you have {MAX_ENDPOINTS} endpoints already: delete one first"),
            ));
        }
        let endpoint = store::webhooks::create_endpoint(
            tx.conn(),
            store::webhooks::NewEndpoint {
                owner_id: me.user_id,
                url: &url,
                description: &description,
                event_types: &types,
                secret: &secret,
            },
        )
        .await?;
        tx.commit("webhook.create", "WebhookEndpoint", Some(endpoint.id))
            .await?;
        Ok(Some(WebhookSecretPayload {
            endpoint: WebhookEndpoint(endpoint),
            secret,
        }))
    }

    /// Change one of your endpoints: URL, events, description, enabled.
    async fn update_webhook_endpoint(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to change; see the input type.")] input: UpdateWebhookEndpointInput,
    ) -> ApiResult<Option<WebhookEndpoint>> {
        let me = access::attempt(ctx, Kind::Account, Action::Change)?;
        let id = ids::decode(IdKind::WebhookEndpoint, &input.id)?;
        let mut changes = store::webhooks::EndpointChanges {
            enabled: input.enabled,
            ..Default::default()
        };
        if let Some(types) = input.event_types {
            changes.event_types = Some(checked_types("input.eventTypes", types)?);
        }
        if let Some(text) = &input.description {
            changes.description = Some(checked_description("input.description", text)?);
        }
        if let Some(url) = &input.url {
            changes.url = Some(checked_url(ctx, "input.url", url).await?);
        }
        let tx = Tx::begin(ctx).await?;
        let endpoint = store::webhooks::update_endpoint(tx.conn(), me.user_id, id, changes).await?;
        tx.commit("webhook.update", "WebhookEndpoint", Some(endpoint.id))
            .await?;
        Ok(Some(WebhookEndpoint(endpoint)))
    }

    /// Give an endpoint a new signing secret. The old one keeps signing beside it for
    /// `overlapHours` (each request carries both signatures), so receivers can switch
    /// without losing an event. The new secret is in the answer, once.
    async fn rotate_webhook_secret(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The endpoint's id.")] id: ID,
        #[graphql(desc = "Hours the old secret keeps signing (0 to 168).", default = 24)]
        overlap_hours: i32,
    ) -> ApiResult<Option<WebhookSecretPayload>> {
        let me = access::attempt(ctx, Kind::Account, Action::Change)?;
        let id = ids::decode(IdKind::WebhookEndpoint, &id)?;
        if !(0..=MAX_OVERLAP_HOURS).contains(&overlap_hours) {
            return Err(ApiError::bad_field(
                "overlapHours",
                format!("must be between 0 and {MAX_OVERLAP_HOURS}"),
            ));
        }
        let secret = new_secret();
        let until = Utc::now() + chrono::Duration::hours(i64::from(overlap_hours));
        let tx = Tx::begin(ctx).await?;
        let endpoint = store::webhooks::update_endpoint(
            tx.conn(),
            me.user_id,
            id,
            store::webhooks::EndpointChanges {
                secret: Some((secret.clone(), until)),
                ..Default::default()
            },
        )
        .await?;
        tx.commit(
            "webhook.rotate_secret",
            "WebhookEndpoint",
            Some(endpoint.id),
        )
        .await?;
        Ok(Some(WebhookSecretPayload {
            endpoint: WebhookEndpoint(endpoint),
            secret,
        }))
    }

    /// Delete one of your endpoints, with its delivery log. Returns its id.
    async fn delete_webhook_endpoint(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The endpoint's id.")] id: ID,
    ) -> ApiResult<Option<ID>> {
        let me = access::attempt(ctx, Kind::Account, Action::Change)?;
        let uuid = ids::decode(IdKind::WebhookEndpoint, &id)?;
        let tx = Tx::begin(ctx).await?;
        store::webhooks::delete_endpoint(tx.conn(), me.user_id, uuid).await?;
        tx.commit("webhook.delete", "WebhookEndpoint", Some(uuid))
            .await?;
        Ok(Some(id))
    }

    /// Send a delivery's event again, now: a new delivery with the same `webhook-id`
    /// and a whole retry schedule of its own.
    async fn redeliver_webhook(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A delivery's id, from `WebhookEndpoint.deliveries`.")] delivery_id: ID,
    ) -> ApiResult<Option<WebhookDelivery>> {
        let me = access::attempt(ctx, Kind::Account, Action::Change)?;
        let id = ids::decode(IdKind::WebhookDelivery, &delivery_id)?;
        let tx = Tx::begin(ctx).await?;
        let delivery = store::webhooks::redeliver(tx.conn(), me.user_id, id).await?;
        tx.commit("webhook.redeliver", "WebhookDelivery", Some(delivery.id))
            .await?;
        state(ctx)?.bus.written();
        Ok(Some(WebhookDelivery(
            std::sync::Arc::new(delivery),
            Vec::new(),
        )))
    }
}
