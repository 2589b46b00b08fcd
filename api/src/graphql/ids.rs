//! Opaque Relay global IDs: `base64url("<Kind>:<uuid>")`.
//!
//! Clients must treat them as opaque. A malformed id, or an id of another kind, is reported
//! exactly like an id that does not exist, so nothing can be learned by forging ids.

use async_graphql::ID;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use uuid::Uuid;

use crate::error::ApiError;

/// The kinds of object that have a global id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    User,
    Template,
    TemplateVersion,
    Program,
    Invite,
    Prospect,
    Qualification,
    Decision,
    ExceptionRequest,
    OutcomeEntry,
    QuarterlyGoal,
    /// A login (refresh-token family): not a node, only for `endSession`.
    Session,
    /// An API key: not a node, only for `revokeApiKey`.
    ApiKey,
    /// A webhook endpoint: not a node, only for the webhook mutations.
    WebhookEndpoint,
    /// A webhook delivery: not a node, only for `redeliverWebhook`.
    WebhookDelivery,
}

impl Kind {
    const ALL: [Kind; 15] = [
        Kind::User,
        Kind::Template,
        Kind::TemplateVersion,
        Kind::Program,
        Kind::Invite,
        Kind::Prospect,
        Kind::Qualification,
        Kind::Decision,
        Kind::ExceptionRequest,
        Kind::OutcomeEntry,
        Kind::QuarterlyGoal,
        Kind::Session,
        Kind::ApiKey,
        Kind::WebhookEndpoint,
        Kind::WebhookDelivery,
    ];

    fn name(self) -> &'static str {
        match self {
            Kind::User => "User",
            Kind::Template => "Template",
            Kind::TemplateVersion => "TemplateVersion",
            Kind::Program => "Program",
            Kind::Invite => "Invite",
            Kind::Prospect => "Prospect",
            Kind::Qualification => "Qualification",
            Kind::Decision => "Decision",
            Kind::ExceptionRequest => "ExceptionRequest",
            Kind::OutcomeEntry => "OutcomeEntry",
            Kind::QuarterlyGoal => "QuarterlyGoal",
            Kind::Session => "Session",
            Kind::ApiKey => "ApiKey",
            Kind::WebhookEndpoint => "WebhookEndpoint",
            Kind::WebhookDelivery => "WebhookDelivery",
        }
    }
}

pub fn encode(kind: Kind, id: Uuid) -> ID {
    ID(URL_SAFE_NO_PAD.encode(format!("{}:{}", kind.name(), id.simple())))
}

/// Any global id: its kind and uuid, or `None` when it is not one of ours.
pub fn decode_any(id: &str) -> Option<(Kind, Uuid)> {
    let bytes = URL_SAFE_NO_PAD.decode(id).ok()?;
    let text = std::str::from_utf8(&bytes).ok()?;
    let (kind, raw) = text.split_once(':')?;
    let kind = Kind::ALL.into_iter().find(|k| k.name() == kind)?;
    let uuid = Uuid::try_parse(raw).ok()?;
    Some((kind, uuid))
}

/// A global id that must be of `kind`.
///
/// # Errors
/// `NOT_FOUND` when the id is malformed or names another kind of object.
pub fn decode(kind: Kind, id: &ID) -> Result<Uuid, ApiError> {
    match decode_any(id) {
        Some((k, uuid)) if k == kind => Ok(uuid),
        _ => Err(ApiError::NotFound),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_encoded_id_decodes_to_its_kind_and_uuid() {
        let uuid = Uuid::now_v7();
        let id = encode(Kind::Prospect, uuid);
        assert_eq!(decode_any(&id), Some((Kind::Prospect, uuid)));
        assert_eq!(decode(Kind::Prospect, &id).ok(), Some(uuid));
    }

    #[test]
    fn an_id_of_another_kind_is_not_found() {
        let id = encode(Kind::Program, Uuid::now_v7());
        assert!(matches!(
            decode(Kind::Prospect, &id),
            Err(ApiError::NotFound)
        ));
    }

    #[test]
    fn garbage_ids_are_not_found() {
        for garbage in ["", "!!!", "UHJvc3BlY3Q6eHl6", "a:b:c"] {
            assert!(decode_any(garbage).is_none(), "{garbage}");
        }
    }
}
