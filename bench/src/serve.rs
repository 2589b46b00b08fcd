//! `bench serve`: one server process for the harness to pin to a core, either the real API
//! (`api::start`, exactly as `qualify serve` runs it, in production mode), the baseline, or
//! the floor (SQLite only).
//!
//! Each gets a second listener with `GET /statements`: the SQL statements the server's pool
//! ran so far (the floor counts its own). It exists only in this process, which only the harness starts.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::routing::get;
use clap::ValueEnum;
use serde::{Deserialize, Serialize};
use tokio::net::TcpListener;

use crate::baseline::{self, Baseline};
use crate::floor::{self, Floor};
use crate::world;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// The GraphQL API.
    Api,
    /// Plain axum JSON routes over the same store and domain functions.
    Baseline,
    /// The fastest honest answer on SQLite (`floor.rs`): S2, S3 and S5 only.
    Floor,
}

/// The line a server prints on stdout once it listens.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Listening {
    pub addr: SocketAddr,
    pub debug: SocketAddr,
}

/// The configuration both servers run with: production mode, the bench's JWT secret, and
/// the login rate limits lifted (S1 is a storm of logins from one address on purpose), as
/// is the per-key limit (S9 sends thousands of requests a second with one key).
pub fn config(database_url: &str) -> api::Config {
    let mut config = api::Config::for_tests(database_url.to_owned());
    config.development = false;
    config.jwt_secret = Some(world::JWT_SECRET.to_owned());
    config.access_token_ttl_secs = world::ACCESS_TTL_SECS;
    config.limits.login_attempts_per_ip_per_minute = u32::MAX;
    config.limits.login_failures_before_backoff = u32::MAX;
    config.limits.api_key_requests_per_minute = u32::MAX;
    // `bench events`: the receiver is on loopback; a thousand subscribers are one user.
    config.webhooks.retry_base = std::time::Duration::from_secs(5);
    config.subscriptions = api::subscriptions::Settings {
        connections_per_user: usize::MAX,
        ..api::subscriptions::Settings::default()
    };
    config
}

/// Serves until SIGTERM or Ctrl-C.
///
/// # Errors
/// When the database cannot be opened or an address cannot be bound.
pub async fn serve(kind: Kind, database_url: &str) -> anyhow::Result<()> {
    let config = config(database_url);
    type Counter = Arc<dyn Fn() -> u64 + Send + Sync>;
    let (addr, counter): (SocketAddr, Counter) = match kind {
        Kind::Api => {
            let server = Arc::new(api::start(config).await?);
            (server.addr, Arc::new(move || server.statements_executed()))
        }
        Kind::Baseline => {
            let (db, statements) = store::connect_counted(database_url).await?;
            store::migrate(&db).await?;
            let listener = TcpListener::bind(config.bind).await?;
            let addr = listener.local_addr()?;
            let app = baseline::router(Baseline::new(db, &config)?);
            tokio::spawn(async move { axum::serve(listener, app).await });
            (addr, Arc::new(move || statements.get()))
        }
        Kind::Floor => {
            // Migrated as the other servers leave it; then only rusqlite touches it.
            store::migrate(&store::connect(database_url).await?).await?;
            let floor = Floor::new(database_url, &config)?;
            let listener = TcpListener::bind(config.bind).await?;
            let addr = listener.local_addr()?;
            let app = floor::router(floor.clone());
            tokio::spawn(async move { axum::serve(listener, app).await });
            (addr, Arc::new(move || floor.statements_executed()))
        }
    };
    let debug = TcpListener::bind(("127.0.0.1", 0)).await?;
    let line = serde_json::to_string(&Listening {
        addr,
        debug: debug.local_addr()?,
    })?;
    println!("{line}");
    let app = Router::new().route(
        "/statements",
        get(move || {
            let counter = Arc::clone(&counter);
            async move { counter().to_string() }
        }),
    );
    tokio::spawn(async move { axum::serve(debug, app).await });
    tokio::signal::ctrl_c().await.ok();
    Ok(())
}
