//! Server configuration, from flags and environment variables.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

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
    /// Origins allowed by CORS; none by default.
    pub cors_origins: Vec<String>,
    /// Proxies whose `X-Forwarded-For` is believed; from anyone else it is ignored.
    pub trusted_proxies: Vec<IpAddr>,
    pub limits: Limits,
    pub connections: Connections,
    /// Which GraphQL engine runs requests (`--engine`, `QUALIFY_ENGINE`).
    pub engine: Engine,
    /// Only these documents run (`--trusted-documents`); `None`: any document.
    pub trusted_documents: Option<std::sync::Arc<crate::http::trusted::TrustedDocuments>>,
    /// How webhooks are sent (`--webhooks-*`, `--webhook-*`).
    pub webhooks: crate::events::worker::Settings,
    /// Subscriptions' limits and timers (`--subscription-*`).
    pub subscriptions: crate::subscriptions::Settings,
    /// A line per request at `info` (`--log-format json`); otherwise at `debug`.
    pub access_log: bool,
    /// Where Prometheus metrics answer (`--metrics-bind`); `None`: off.
    pub metrics_bind: Option<SocketAddr>,
    /// The database pool's size (`--database-max-connections`); `None`: 10 on
    /// PostgreSQL, 8 readers on a SQLite file.
    pub database_max_connections: Option<u32>,
}

/// How `graphql::engine` runs a request. Every choice answers every request byte for byte
/// the same (`graphql::engine`'s differential test); they differ in what they cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Engine {
    /// With the engine's optimisations: known documents (parsed, checked and validated once,
    /// then run in async-graphql's `Fast` validation mode) and `PlainList`s built in one pass.
    #[default]
    Tuned,
    /// async-graphql as documented: every request parsed, validated in full (`Strict`), and
    /// every list resolved by the derived resolver. Our own checks (limits, the text rule,
    /// coercion, `nulls::propagate`, error codes) run all the same.
    Stock,
    /// `Tuned` without the known-document path (for measuring what it saves).
    TunedWithoutKnownDocuments,
    /// `Tuned` without `PlainList`s (for measuring what they save).
    TunedWithoutPlainLists,
}

impl Engine {
    pub const NAMES: [&'static str; 4] = [
        "tuned",
        "stock",
        "tuned-without-known-documents",
        "tuned-without-plain-lists",
    ];

    /// Whether known documents are kept and run in `Fast` validation mode.
    pub fn known_documents(self) -> bool {
        matches!(self, Engine::Tuned | Engine::TunedWithoutPlainLists)
    }

    /// Whether `PlainList`s are built in one pass (otherwise: the derived resolver).
    pub fn plain_lists(self) -> bool {
        matches!(self, Engine::Tuned | Engine::TunedWithoutKnownDocuments)
    }

    /// The engine `QUALIFY_ENGINE` names (`tuned` when it is not set), for configurations
    /// built without the command line: the integration tests and the benchmark's server.
    ///
    /// # Panics
    /// When `QUALIFY_ENGINE` names no engine: a typo must not run a suite on the wrong one.
    pub fn from_env() -> Engine {
        match std::env::var("QUALIFY_ENGINE") {
            Ok(name) => name
                .parse()
                .unwrap_or_else(|e: String| panic!("QUALIFY_ENGINE: {e}")),
            Err(_) => Engine::default(),
        }
    }
}

impl std::str::FromStr for Engine {
    type Err = String;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        match name {
            "tuned" => Ok(Engine::Tuned),
            "stock" => Ok(Engine::Stock),
            "tuned-without-known-documents" => Ok(Engine::TunedWithoutKnownDocuments),
            "tuned-without-plain-lists" => Ok(Engine::TunedWithoutPlainLists),
            other => Err(format!(
                "no engine `{other}`; one of {}",
                Engine::NAMES.join(", ")
            )),
        }
    }
}

/// How long and how many TCP connections are kept (see the README's limits table).
#[derive(Debug, Clone)]
pub struct Connections {
    /// A request's headers must arrive within this, counted from the connection's start
    /// or from its previous response: a silent or half-sent request does not hold a
    /// connection, and neither does a keep-alive connection left unused.
    pub header_read_timeout: Duration,
    /// A connection on which no byte moves either way for this long is closed (a client
    /// that stops reading its response). Longer than `Limits::request_timeout`.
    pub idle_timeout: Duration,
    /// Connections served at once; more wait in the listen backlog until one closes.
    pub max_connections: usize,
    /// On shutdown, requests in flight get this long to finish; then their connections
    /// are closed.
    pub shutdown_drain: Duration,
}

impl Default for Connections {
    fn default() -> Self {
        Self {
            header_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            max_connections: 1024,
            shutdown_drain: Duration::from_secs(10),
        }
    }
}

/// Resource limits; each one configurable (see the README's table).
#[derive(Debug, Clone)]
pub struct Limits {
    /// Request body, refused with 413 beyond (before parsing).
    pub max_body_bytes: usize,
    /// Query text, in bytes.
    pub max_query_bytes: usize,
    /// Query text, in lexical tokens.
    pub max_query_tokens: usize,
    pub max_depth: usize,
    pub max_aliases: usize,
    pub max_directives_per_field: usize,
    pub max_directives: usize,
    /// Complexity, lists weighted by `first`.
    pub max_complexity: usize,
    /// A request running longer is cancelled and answered with an error.
    pub request_timeout: Duration,
    /// Argon2 hashes at once; more queue up.
    pub max_concurrent_hashes: usize,
    /// Login attempts per client IP per minute.
    pub login_attempts_per_ip_per_minute: u32,
    /// Failed logins of one account before it is throttled with growing delays.
    pub login_failures_before_backoff: u32,
    /// Requests per API key per minute (a burst of as many); beyond, `429` with
    /// `Retry-After`.
    pub api_key_requests_per_minute: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_body_bytes: 256 * 1024,
            max_query_bytes: 64 * 1024,
            max_query_tokens: 15_000,
            max_depth: 12,
            max_aliases: 15,
            max_directives_per_field: 10,
            max_directives: 50,
            max_complexity: 5_000,
            request_timeout: Duration::from_secs(10),
            // Half the cores: a storm of logins leaves the other half to everyone else.
            max_concurrent_hashes: std::thread::available_parallelism()
                .map_or(1, |n| (n.get() / 2).max(1)),
            login_attempts_per_ip_per_minute: 30,
            login_failures_before_backoff: 5,
            api_key_requests_per_minute: 600,
        }
    }
}

impl Config {
    pub const DEFAULT_DATABASE_URL: &'static str = "sqlite://qualify.db?mode=rwc";
    pub const DEFAULT_ACCESS_TTL_SECS: u64 = 15 * 60;
    pub const DEFAULT_REFRESH_TTL_SECS: u64 = 30 * 24 * 3600;

    /// A configuration for the integration tests: port 0, development mode, the engine
    /// `QUALIFY_ENGINE` names.
    pub fn for_tests(database_url: String) -> Config {
        Config {
            database_url,
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            jwt_secret: None,
            development: true,
            access_token_ttl_secs: Self::DEFAULT_ACCESS_TTL_SECS,
            refresh_token_ttl_secs: Self::DEFAULT_REFRESH_TTL_SECS,
            cors_origins: Vec::new(),
            trusted_proxies: Vec::new(),
            limits: Limits::default(),
            connections: Connections::default(),
            engine: Engine::from_env(),
            trusted_documents: None,
            // Tests' receivers listen on loopback, over http, and retry within a second.
            webhooks: crate::events::worker::Settings {
                allowed: crate::events::destination::Allowed {
                    private: true,
                    http: true,
                },
                retry_base: Duration::from_millis(100),
                ..crate::events::worker::Settings::default()
            },
            subscriptions: crate::subscriptions::Settings {
                recheck: Duration::from_millis(200),
                ..crate::subscriptions::Settings::default()
            },
            access_log: false,
            metrics_bind: None,
            database_max_connections: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Engine;

    #[test]
    fn every_engine_is_named_and_a_wrong_name_says_which_exist() {
        for name in Engine::NAMES {
            let engine: Result<Engine, String> = name.parse();
            assert!(engine.is_ok(), "{name}");
        }
        let stock: Result<Engine, String> = "stock".parse();
        assert_eq!(stock, Ok(Engine::Stock));
        assert!(!Engine::Stock.known_documents() && !Engine::Stock.plain_lists());
        assert!(Engine::Tuned.known_documents() && Engine::Tuned.plain_lists());
        assert!(!Engine::TunedWithoutKnownDocuments.known_documents());
        assert!(!Engine::TunedWithoutPlainLists.plain_lists());
        let wrong: Result<Engine, String> = "stok".parse();
        assert_eq!(
            wrong,
            Err(
                "no engine `stok`; one of tuned, stock, tuned-without-known-documents, \
                 tuned-without-plain-lists"
                    .to_owned()
            )
        );
    }
}
