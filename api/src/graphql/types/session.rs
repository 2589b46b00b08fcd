//! A user's logins (refresh-token families), so that they can tell them apart and end the
//! ones they do not recognise.

use async_graphql::{ID, SimpleObject};

use crate::graphql::ids::{self, Kind};
use crate::graphql::types::datetime::DateTime;

/// One login of yours that is still live: a device or app you signed in on. Its access
/// tokens are not counted as use (they are checked, not written): `lastUsedAt` is when a
/// token was last issued to it, at the login or its last `refreshSession`.
#[derive(SimpleObject)]
pub struct Session {
    /// Opaque id, for `endSession`. Not a node.
    pub id: ID,
    /// When you signed in.
    pub created_at: DateTime,
    /// When a token was last issued to it (login or refresh).
    pub last_used_at: DateTime,
    /// When it ends unless refreshed.
    pub expires_at: DateTime,
    /// The address the last token was issued to, as the server saw it (behind a trusted
    /// proxy, the client's); `null` for logins from before it was kept.
    pub client_ip: Option<String>,
    /// The `User-Agent` of that request (at most 256 characters); `null` without one.
    pub user_agent: Option<String>,
    /// Whether this request is made with it.
    pub current: bool,
}

impl Session {
    pub fn new(live: store::sessions::LiveSession, current: Option<uuid::Uuid>) -> Self {
        // A family id is a UUID v7 made at the login: its time is the login's.
        let created_at = live
            .family_id
            .get_timestamp()
            .and_then(|t| {
                let (secs, nanos) = t.to_unix();
                chrono::DateTime::from_timestamp(i64::try_from(secs).ok()?, nanos)
            })
            .unwrap_or(live.last_used_at);
        Session {
            id: ids::encode(Kind::Session, live.family_id),
            created_at: DateTime(created_at),
            last_used_at: DateTime(live.last_used_at),
            expires_at: DateTime(live.expires_at),
            client_ip: live.client.ip,
            user_agent: live.client.user_agent,
            current: current == Some(live.family_id),
        }
    }
}
