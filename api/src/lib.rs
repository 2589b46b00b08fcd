//! Qualify's API: the GraphQL endpoint over HTTP, the command line and start-up.
//!
//! Start reading at [`server::start`] (what runs) and [`graphql::schema`] (what is served).

pub mod app;
pub mod auth;
pub mod cli;
pub mod config;
pub mod demo;
pub mod error;
pub mod events;
pub mod export;
pub mod graphql;
pub mod http;
pub mod idempotency;
pub mod import;
pub mod metrics;
pub mod reply;
pub mod request_meta;
pub mod server;
pub mod subscriptions;

pub use config::Config;
pub use server::{Server, start};

use uuid::Uuid;

/// Set a new password for an account and end every session it has (`qualify
/// reset-password`): the operator's answer to "I forgot my password" or "my laptop was
/// stolen". Recorded in the audit log as `user.reset_password` with no actor (the
/// operator is not an account).
///
/// # Errors
/// When the email or password is invalid, no account has the email, or the database fails.
pub async fn reset_password(
    database_url: &str,
    email: &str,
    password: &str,
) -> anyhow::Result<Uuid> {
    let email = domain::Email::parse(email).map_err(|e| anyhow::anyhow!("email: {e}"))?;
    let hash = operator_password(password).await?;
    let db = store::connect(database_url).await?;
    store::migrate(&db).await?;
    let user = store::users::user_by_email(&db, email.as_str())
        .await?
        .ok_or_else(|| anyhow::anyhow!("no account has the email {}", email.as_str()))?;
    let tx = store::begin_write(&db).await?;
    store::users::set_password_hash(&tx, user.id, &hash).await?;
    // Whole seconds, as tokens carry them: a token issued in this second is before it.
    let now = chrono::Utc::now();
    let at = chrono::SubsecRound::trunc_subsecs(now, 0);
    store::accounts::end_sessions(&tx, user.id, at).await?;
    store::audit::record(
        &tx,
        None,
        "user.reset_password",
        "User",
        Some(user.id),
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(user.id)
}

/// Create a mentor account: the operator's way in (`qualify create-mentor`).
///
/// # Errors
/// When the email, name or password is invalid, the email is taken, or the database fails.
pub async fn create_mentor(
    database_url: &str,
    email: &str,
    name: &str,
    password: &str,
) -> anyhow::Result<Uuid> {
    let email = domain::Email::parse(email).map_err(|e| anyhow::anyhow!("email: {e}"))?;
    let name = domain::DisplayName::parse(name).map_err(|e| anyhow::anyhow!("name: {e}"))?;
    let hash = operator_password(password).await?;
    let db = store::connect(database_url).await?;
    store::migrate(&db).await?;
    let user = store::users::create_user(&db, &email, &name, store::Role::Mentor, &hash)
        .await
        .map_err(|e| match e {
            store::StoreError::Conflict(_) => {
                anyhow::anyhow!("an account with this email already exists")
            }
            other => anyhow::anyhow!(other),
        })?;
    Ok(user.id)
}

/// The hash of a password the operator typed, checked by the rules of `signUp` (length,
/// not a commonly used password).
async fn operator_password(password: &str) -> anyhow::Result<String> {
    let password = auth::password::choose(password.to_owned())
        .map_err(|e| anyhow::anyhow!("password: {e}"))?;
    auth::Hasher::new(1)
        .hash(password.as_str().to_owned())
        .await
        .map_err(|_| anyhow::anyhow!("hashing the password failed"))
}
