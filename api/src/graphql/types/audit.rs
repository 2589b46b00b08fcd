//! The audit trail (`Query.auditTrail`): who did what, when, to which object, under which
//! request id. Listed through `store::visible::audit_page` with the policy's `Audit` line:
//! a mentor reads the entries of the programs they run (whoever acted) and their own of no
//! program (templates, their account); a mentee the entries about them and their own
//! actions. The entries' `detail` (e.g. a corrected outcome entry's old values) is not
//! shown: the object's own fields say what it is now.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::{Context, ID, InputObject, Object};
use chrono::DateTime as ChronoTime;
use domain::policy;
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};
use crate::graphql::access;
use crate::graphql::context::db;
use crate::graphql::ids::{self, Kind};
use crate::graphql::paging::{self, Conn};
use crate::graphql::types::actor::{Actor, ApiKeyActor};
use crate::graphql::types::datetime::DateTime;
use crate::graphql::types::user::User;

/// Narrows the audit trail; every condition given must hold.
#[derive(InputObject, Default)]
pub struct AuditFilter {
    /// Only entries of this program (one you run, or are enrolled in).
    pub program_id: Option<ID>,
    /// Only entries about this object (any object's global id).
    pub object_id: Option<ID>,
    /// Only entries of this user's actions.
    pub actor_id: Option<ID>,
    /// Only entries at or after this time.
    pub from: Option<DateTime>,
    /// Only entries at or before this time.
    pub to: Option<DateTime>,
    /// Only entries of this action, e.g. `prospect.qualify`.
    pub action: Option<String>,
}

/// One entry of the audit trail, with the API key it came through (read with the page).
pub struct AuditEntry(
    store::audit::AuditEntry,
    Option<Arc<store::api_keys::ApiKey>>,
);

/// Who did what, when, to which object: one entry per change.
#[Object]
impl AuditEntry {
    /// The entry's id (not a node id: entries are read through `auditTrail` only).
    async fn id(&self) -> ID {
        ID(self.0.id.simple().to_string())
    }
    /// What happened, e.g. `prospect.qualify`, `client.end`, `program.join`.
    async fn action(&self) -> &str {
        &self.0.action
    }
    /// The kind of object changed, e.g. `Qualification`, `Prospect`, `User`, `Session`.
    async fn object_type(&self) -> &str {
        &self.0.object_type
    }
    /// The changed object's global id when it is a kind of node (pass it to `node`);
    /// `null` otherwise (a session) or when none was recorded.
    async fn object_id(&self) -> Option<ID> {
        let kind = node_kind(&self.0.object_type)?;
        self.0.object_id.map(|id| ids::encode(kind, id))
    }
    /// Who did it: the user, or the API key they acted through (an `ApiKeyActor`, whose
    /// `owner` is the user); `null` for an anonymous caller, a removed account, or a user
    /// you may not see (a mentee no longer in your programs).
    async fn actor(&self, ctx: &Context<'_>) -> ApiResult<Option<Actor>> {
        let Some(id) = self.0.actor_id else {
            return Ok(None);
        };
        let Some(user) = access::user(ctx, id).await?.filter(|u| !u.removed) else {
            return Ok(None);
        };
        Ok(Some(match &self.1 {
            Some(key) => Actor::ApiKeyActor(ApiKeyActor(Arc::clone(key))),
            None => Actor::User(User::new(user)),
        }))
    }
    /// The API key the actor acted through (an id as `apiKeys` gives it to the key's
    /// owner); `null` when they were signed in.
    async fn api_key_id(&self) -> Option<ID> {
        self.0.api_key_id.map(|id| ids::encode(Kind::ApiKey, id))
    }
    /// The id of the HTTP request that made the change (its `X-Request-Id`), to find it in
    /// the server's logs.
    async fn request_id(&self) -> Option<&str> {
        self.0.request_id.as_deref()
    }
    /// When it happened.
    async fn at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }
}

/// The node kind of an object type the audit log names.
fn node_kind(object_type: &str) -> Option<Kind> {
    Some(match object_type {
        "User" => Kind::User,
        "Template" => Kind::Template,
        "TemplateVersion" => Kind::TemplateVersion,
        "Program" => Kind::Program,
        "Invite" => Kind::Invite,
        "Prospect" => Kind::Prospect,
        "Qualification" => Kind::Qualification,
        "Decision" => Kind::Decision,
        "ExceptionRequest" => Kind::ExceptionRequest,
        "OutcomeEntry" => Kind::OutcomeEntry,
        _ => return None,
    })
}

fn cursor_of(entry: &store::audit::AuditEntry) -> String {
    let micros = entry.created_at.timestamp_micros();
    paging::encode_text(&format!("a:{}:{micros}", entry.id.simple()))
}

fn decode_cursor(text: &str) -> Option<store::Cursor> {
    let (id, micros) = text.strip_prefix("a:")?.split_once(':')?;
    Some(store::Cursor {
        id: Uuid::try_parse(id).ok()?,
        value: Some(store::SortValue::Time(ChronoTime::from_timestamp_micros(
            micros.parse().ok()?,
        )?)),
    })
}

/// The trail as the actor may read it, narrowed by `filter`, newest first.
///
/// # Errors
/// `BAD_USER_INPUT` for `first` outside 1..=100, a bad cursor, `from` after `to` or an
/// `objectId` that is no global id; `NOT_FOUND` for a program the actor may not read;
/// `UNAUTHENTICATED` without a token.
pub async fn trail(
    ctx: &Context<'_>,
    filter: Option<AuditFilter>,
    page: paging::Args,
) -> ApiResult<Conn<AuditEntry>> {
    let (_, visible) = access::visibility(ctx, policy::Kind::Audit)?;
    let request = page.request_with(ctx, decode_cursor)?;
    let filter = filter.unwrap_or_default();
    let mut scope = store::visible::AuditFilter {
        from: filter.from.map(|t| t.0),
        to: filter.to.map(|t| t.0),
        action: filter.action,
        ..Default::default()
    };
    if let (Some(from), Some(to)) = (scope.from, scope.to)
        && from > to
    {
        return Err(ApiError::bad_field(
            "filter.to",
            "must not be before `from`",
        ));
    }
    if let Some(id) = &filter.program_id {
        let program = access::program(ctx, ids::decode(Kind::Program, id)?)
            .await?
            .ok_or(ApiError::NotFound)?;
        scope.program = Some(program.id);
    }
    if let Some(id) = &filter.object_id {
        let (_, object) = ids::decode_any(id)
            .ok_or_else(|| ApiError::bad_field("filter.objectId", "not a global id"))?;
        scope.object = Some(object);
    }
    if let Some(id) = &filter.actor_id {
        let actor = ids::decode_any(id)
            .and_then(|(kind, uuid)| (kind == Kind::User).then_some(uuid))
            .ok_or_else(|| ApiError::bad_field("filter.actorId", "not a user id"))?;
        scope.actor = Some(actor);
    }
    let db = db(ctx)?;
    let page = store::visible::audit_page(db, &visible, &scope, &request).await?;
    let mut key_ids: Vec<Uuid> = page.items.iter().filter_map(|e| e.api_key_id).collect();
    key_ids.sort_unstable();
    key_ids.dedup();
    let keys: HashMap<Uuid, Arc<store::api_keys::ApiKey>> =
        store::api_keys::keys_by_ids(db, &key_ids)
            .await?
            .into_iter()
            .map(|k| (k.id, Arc::new(k)))
            .collect();
    Ok(paging::connection_with(page, cursor_of, |entry| {
        let key = entry.api_key_id.and_then(|id| keys.get(&id).cloned());
        AuditEntry(entry, key)
    }))
}
