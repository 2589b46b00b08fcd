//! Who sent a request, worked out once per request (by `server`'s middleware, which puts
//! the answer in the request's extensions for the idempotency layer and the handler).

use crate::app::{AppState, Credentials, KeySubject};
use axum::extract::Request;
use axum::http::{HeaderMap, header};

/// The credentials `server`'s middleware found (anonymous when it did not run).
pub fn of(request: &Request) -> Credentials {
    request
        .extensions()
        .get::<Credentials>()
        .copied()
        .unwrap_or(Credentials::Anonymous)
}

/// A valid access token whose session exists and is still active (not logged out,
/// password not changed since, account not removed), with the role the account has now
/// (not the one the token claims); or anonymous; or invalid; or, when the database
/// cannot say, unverified (never taken as signed in).
pub async fn credentials(state: &AppState, headers: &HeaderMap) -> Credentials {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Credentials::Anonymous;
    };
    let token = value.to_str().ok().and_then(|v| {
        v.strip_prefix("Bearer ")
            .or_else(|| v.strip_prefix("bearer "))
    });
    let Some(token) = token else {
        return Credentials::Invalid;
    };
    let token = token.trim();
    if crate::auth::api_keys::is_key(token) {
        return key_credentials(state, token).await;
    }
    let now = chrono::Utc::now().timestamp().unsigned_abs();
    let Ok(subject) = state.keys.verify_access(token, now) else {
        return Credentials::Invalid;
    };
    match session_role(state, &subject).await {
        Ok(Some(role)) => Credentials::Valid(crate::auth::TokenSubject { role, ..subject }),
        Ok(None) => Credentials::Invalid,
        Err(e) => {
            // Fail closed, and say why in the log.
            let request_id = crate::request_meta::request_id();
            tracing::error!(%request_id, cause = %e, "session check failed");
            Credentials::Unverified
        }
    }
}

/// The role of the token's user while its session is live (`None`: ended, or the account
/// removed).
async fn session_role(
    state: &AppState,
    subject: &crate::auth::TokenSubject,
) -> Result<Option<store::Role>, store::StoreError> {
    let issued_at =
        chrono::DateTime::from_timestamp(i64::try_from(subject.issued_at).unwrap_or(i64::MAX), 0)
            .unwrap_or_default();
    store::accounts::session_role(&state.db, subject.user_id, subject.session_id, issued_at).await
}

/// Whether credentials accepted earlier still work: the token's session live, the key not
/// revoked or expired, the account not removed. For a connection that outlives the request
/// that opened it (`crate::subscriptions`); a database failure counts as no.
pub async fn still_works(state: &AppState, credentials: &Credentials) -> bool {
    match credentials {
        Credentials::Valid(subject) => matches!(session_role(state, subject).await, Ok(Some(_))),
        Credentials::Key(key) => matches!(
            store::api_keys::key_works(&state.db, key.key_id, chrono::Utc::now()).await,
            Ok(true)
        ),
        Credentials::Anonymous | Credentials::Invalid | Credentials::Unverified => false,
    }
}

/// An API key that works now (not revoked, not expired, its owner not removed), looked up
/// by its digest on every request, so that a revocation or removal takes effect on the
/// next one; its `last_used_at` written at most once a minute, after the answer.
async fn key_credentials(state: &AppState, key: &str) -> Credentials {
    let at = chrono::Utc::now();
    let digest = crate::auth::api_keys::digest(key);
    match store::api_keys::working_key(&state.db, &digest, at).await {
        Ok(Some(grant)) => {
            if store::api_keys::due_touch(grant.last_used_at, at)
                && state
                    .key_limit
                    .claim_touch(grant.id, std::time::Instant::now())
            {
                let db = state.db.clone();
                let id = grant.id;
                tokio::spawn(async move {
                    if let Err(e) = store::api_keys::touch(&db, id, at).await {
                        tracing::warn!(key = %id, cause = %e, "recording an API key's last use failed");
                    }
                });
            }
            Credentials::Key(KeySubject {
                key_id: grant.id,
                user_id: grant.owner_id,
                role: grant.role,
                write: grant.can_write,
                program: grant.program_id,
            })
        }
        Ok(None) => Credentials::Invalid,
        Err(e) => {
            let request_id = crate::request_meta::request_id();
            tracing::error!(%request_id, cause = %e, "API key check failed");
            Credentials::Unverified
        }
    }
}
