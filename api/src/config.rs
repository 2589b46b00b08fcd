//! Server configuration, from flags and environment variables.

use std::net::SocketAddr;

/// Everything the server needs to start. Built by the CLI or by tests.
#[derive(Debug, Clone)]
pub struct Config {
    /// SeaORM URL: `sqlite://qualify.db?mode=rwc` or `postgres://...`.
    pub database_url: String,
    pub bind: SocketAddr,
    /// HS256 signing secret (at least 32 bytes). `None`: generated once and kept in the database.
    pub jwt_secret: Option<String>,
    /// Development mode: GraphiQL, introspection and field suggestions on.
    pub development: bool,
    pub access_token_ttl_secs: u64,
    pub refresh_token_ttl_secs: u64,
}

impl Config {
    pub const DEFAULT_DATABASE_URL: &'static str = "sqlite://qualify.db?mode=rwc";
    pub const DEFAULT_ACCESS_TTL_SECS: u64 = 15 * 60;
    pub const DEFAULT_REFRESH_TTL_SECS: u64 = 30 * 24 * 3600;

    /// A configuration for the integration tests: port 0, development mode.
    pub fn for_tests(database_url: String) -> Config {
        Config {
            database_url,
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            jwt_secret: None,
            development: true,
            access_token_ttl_secs: Self::DEFAULT_ACCESS_TTL_SECS,
            refresh_token_ttl_secs: Self::DEFAULT_REFRESH_TTL_SECS,
        }
    }
}
