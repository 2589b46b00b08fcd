//! Qualify's API: the GraphQL endpoint over HTTP, the command line and start-up.
//!
//! Start reading at [`server::start`] (what runs) and [`graphql::schema`] (what is served).

pub mod app;
pub mod auth;
pub mod cli;
pub mod config;
pub mod demo;
pub mod error;
pub mod graphql;
pub mod http;
pub mod idempotency;
pub mod reply;
pub mod request_meta;
pub mod server;

pub use config::Config;
pub use server::{Server, start};

use uuid::Uuid;

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
    // The rules of `signUp`: length, and not a commonly used password.
    let password = auth::password::choose(password.to_owned())
        .map_err(|e| anyhow::anyhow!("password: {e}"))?;
    let db = store::connect(database_url).await?;
    store::migrate(&db).await?;
    let hash = auth::Hasher::new(1)
        .hash(password.as_str().to_owned())
        .await
        .map_err(|_| anyhow::anyhow!("hashing the password failed"))?;
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
