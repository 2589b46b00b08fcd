//! The `qualify` command line.

use std::net::SocketAddr;

use clap::{Args, Parser, Subcommand};

use crate::config::{Config, Connections, Limits};

#[derive(Parser, Debug)]
#[command(
    name = "qualify",
    version,
    about = "A-client qualification for coaching programs: the GraphQL API server"
)]
pub struct Cli {
    /// `text` (for people) or `json` (one object per line, with a line per request:
    /// request id, operation, actor, status, duration).
    #[arg(long, global = true, env = "QUALIFY_LOG_FORMAT", default_value = "text", value_parser = ["text", "json"])]
    pub log_format: String,
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub serve: ServeArgs,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the server (the default).
    Serve(ServeArgs),
    /// Run the database migrations and exit.
    Migrate(DbArgs),
    /// Create a mentor account. The password comes from QUALIFY_PASSWORD or a prompt.
    CreateMentor {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
    },
    /// Set a new password for an account and end all its sessions. The password comes
    /// from QUALIFY_PASSWORD or a prompt.
    ResetPassword {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long)]
        email: String,
    },
    /// Copy a SQLite database to a file, consistently, while the server runs (`VACUUM
    /// INTO`: every transaction committed before the copy began, none after). PostgreSQL:
    /// use `pg_dump` (README, "Running it for real").
    Backup {
        #[command(flatten)]
        db: DbArgs,
        /// The copy to write; it must not exist.
        #[arg(long)]
        to: std::path::PathBuf,
    },
    /// Put a backup in place of the SQLite database, after checking it is whole. Stop the
    /// server first.
    Restore {
        #[command(flatten)]
        db: DbArgs,
        /// The backup to restore.
        #[arg(long)]
        from: std::path::PathBuf,
    },
    /// Load demo data (a mentor, the A-client standard, a program, two mentees, prospects),
    /// print the logins, and serve.
    Demo(ServeArgs),
}

#[derive(Args, Debug, Clone)]
pub struct DbArgs {
    /// SeaORM database URL (SQLite or PostgreSQL).
    #[arg(long, env = "DATABASE_URL", default_value = Config::DEFAULT_DATABASE_URL)]
    pub database_url: String,
}

#[derive(Args, Debug, Clone)]
pub struct ServeArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// Address to listen on.
    #[arg(long, env = "QUALIFY_BIND", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,
    /// HS256 secret for access tokens, at least 32 bytes. Default: generated once, kept in the database.
    #[arg(long, env = "QUALIFY_JWT_SECRET", hide_env_values = true)]
    pub jwt_secret: Option<String>,
    /// `production` turns off GraphiQL, introspection and field suggestions.
    #[arg(long, env = "QUALIFY_ENV", default_value = "development")]
    pub env: String,
    /// Same as `--env production`.
    #[arg(long)]
    pub production: bool,
    /// Load demo data before serving.
    #[arg(long)]
    pub demo: bool,
    #[arg(long, env = "QUALIFY_ACCESS_TOKEN_TTL", default_value_t = Config::DEFAULT_ACCESS_TTL_SECS)]
    pub access_token_ttl_secs: u64,
    #[arg(long, env = "QUALIFY_REFRESH_TOKEN_TTL", default_value_t = Config::DEFAULT_REFRESH_TTL_SECS)]
    pub refresh_token_ttl_secs: u64,
    /// Origins allowed to call the API from a browser (CORS), comma separated. Default: none.
    #[arg(long, env = "QUALIFY_CORS_ORIGINS", value_delimiter = ',')]
    pub cors_origins: Vec<String>,
    /// Proxies whose X-Forwarded-For header is trusted, comma separated IPs. Default: none.
    #[arg(long, env = "QUALIFY_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Vec<std::net::IpAddr>,
    #[command(flatten)]
    pub limits: LimitArgs,
    #[command(flatten)]
    pub connections: ConnectionArgs,
    #[command(flatten)]
    pub webhooks: WebhookArgs,
    #[command(flatten)]
    pub subscriptions: SubscriptionArgs,
    /// The GraphQL engine: `tuned` (known documents, one-pass lists) or `stock`
    /// (async-graphql as documented); both answer alike. For measuring one optimisation:
    /// `tuned-without-known-documents`, `tuned-without-plain-lists`.
    #[arg(long, env = "QUALIFY_ENGINE", default_value = "tuned")]
    pub engine: crate::config::Engine,
    /// A manifest of trusted documents (JSON: id to document text, as GraphQL Code
    /// Generator and Relay emit it): only those run, named by `documentId` or
    /// `extensions.persistedQuery.sha256Hash`; any other request is refused unparsed.
    #[arg(long, env = "QUALIFY_TRUSTED_DOCUMENTS")]
    pub trusted_documents: Option<std::path::PathBuf>,
    /// Serve Prometheus metrics on this address (`GET /metrics`), apart from the API;
    /// off by default.
    #[arg(long, env = "QUALIFY_METRICS_BIND")]
    pub metrics_bind: Option<SocketAddr>,
    /// The database pool's size: default 10 on PostgreSQL (mind its `max_connections`
    /// across instances), 8 readers on a SQLite file (its writes have one connection).
    #[arg(long, env = "QUALIFY_DATABASE_MAX_CONNECTIONS",
          value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub database_max_connections: Option<u32>,
}

/// Connection limits (defaults as in the README).
#[derive(Args, Debug, Clone)]
pub struct ConnectionArgs {
    /// Seconds a connection may take to send a request's headers (also closes unused
    /// keep-alive connections).
    #[arg(long, env = "QUALIFY_HEADER_READ_TIMEOUT_SECS", default_value_t = Connections::default().header_read_timeout.as_secs())]
    pub header_read_timeout_secs: u64,
    /// Seconds without a byte moving either way before a connection is closed.
    #[arg(long, env = "QUALIFY_IDLE_TIMEOUT_SECS", default_value_t = Connections::default().idle_timeout.as_secs())]
    pub idle_timeout_secs: u64,
    /// Connections served at once; more wait until one closes.
    #[arg(long, env = "QUALIFY_MAX_CONNECTIONS", default_value_t = Connections::default().max_connections)]
    pub max_connections: usize,
    /// Seconds the requests in flight get to finish on shutdown.
    #[arg(long, env = "QUALIFY_SHUTDOWN_DRAIN_SECS", default_value_t = Connections::default().shutdown_drain.as_secs())]
    pub shutdown_drain_secs: u64,
}

impl ConnectionArgs {
    pub fn connections(&self) -> Connections {
        Connections {
            header_read_timeout: std::time::Duration::from_secs(self.header_read_timeout_secs),
            idle_timeout: std::time::Duration::from_secs(self.idle_timeout_secs),
            max_connections: self.max_connections,
            shutdown_drain: std::time::Duration::from_secs(self.shutdown_drain_secs),
        }
    }
}

/// Webhook delivery (defaults as in the README).
#[derive(Args, Debug, Clone)]
pub struct WebhookArgs {
    /// Let webhooks reach loopback, private and link-local addresses (a receiver on this
    /// machine or network). Off: such destinations are refused (server-side request
    /// forgery).
    #[arg(long, env = "QUALIFY_WEBHOOKS_ALLOW_PRIVATE")]
    pub webhooks_allow_private: bool,
    /// Let webhooks use plain `http` URLs. Off: `https` only.
    #[arg(long, env = "QUALIFY_WEBHOOKS_ALLOW_HTTP")]
    pub webhooks_allow_http: bool,
    /// Milliseconds of the retry schedule's unit: attempts after the first come 1, 60,
    /// 360, 1440, 3600, 7200 and 7200 units after the one before (about 28 hours at 5 s).
    #[arg(long, env = "QUALIFY_WEBHOOK_RETRY_BASE_MS", default_value_t = 5_000)]
    pub webhook_retry_base_ms: u64,
    /// Seconds of nothing but failed attempts after which an endpoint is disabled.
    #[arg(long, env = "QUALIFY_WEBHOOK_DISABLE_AFTER_SECS", default_value_t = 3 * 24 * 3_600)]
    pub webhook_disable_after_secs: u64,
    /// Seconds one webhook request may take, connecting included.
    #[arg(long, env = "QUALIFY_WEBHOOK_TIMEOUT_SECS", default_value_t = 10)]
    pub webhook_timeout_secs: u64,
}

impl WebhookArgs {
    pub fn settings(&self) -> crate::events::worker::Settings {
        crate::events::worker::Settings {
            allowed: crate::events::destination::Allowed {
                private: self.webhooks_allow_private,
                http: self.webhooks_allow_http,
            },
            retry_base: std::time::Duration::from_millis(self.webhook_retry_base_ms.max(1)),
            disable_after: std::time::Duration::from_secs(self.webhook_disable_after_secs),
            timeout: std::time::Duration::from_secs(self.webhook_timeout_secs.max(1)),
            ..crate::events::worker::Settings::default()
        }
    }
}

/// Subscription limits (defaults as in the README).
#[derive(Args, Debug, Clone)]
pub struct SubscriptionArgs {
    /// WebSocket connections one user may have open at once (per instance).
    #[arg(long, env = "QUALIFY_SUBSCRIPTION_CONNECTIONS_PER_USER", default_value_t = crate::subscriptions::Settings::default().connections_per_user)]
    pub subscription_connections_per_user: usize,
    /// Subscriptions one connection may have open at once.
    #[arg(long, env = "QUALIFY_SUBSCRIPTIONS_PER_CONNECTION", default_value_t = crate::subscriptions::Settings::default().subscriptions_per_connection)]
    pub subscriptions_per_connection: usize,
    /// Seconds between checks that a connection's session or key still works.
    #[arg(long, env = "QUALIFY_SUBSCRIPTION_RECHECK_SECS", default_value_t = crate::subscriptions::Settings::default().recheck.as_secs())]
    pub subscription_recheck_secs: u64,
}

impl SubscriptionArgs {
    pub fn settings(&self) -> crate::subscriptions::Settings {
        crate::subscriptions::Settings {
            connections_per_user: self.subscription_connections_per_user,
            subscriptions_per_connection: self.subscriptions_per_connection,
            recheck: std::time::Duration::from_secs(self.subscription_recheck_secs.max(1)),
            ..crate::subscriptions::Settings::default()
        }
    }
}

/// Resource limits (defaults as in the README).
#[derive(Args, Debug, Clone)]
pub struct LimitArgs {
    #[arg(long, env = "QUALIFY_MAX_BODY_BYTES", default_value_t = Limits::default().max_body_bytes)]
    pub max_body_bytes: usize,
    #[arg(long, env = "QUALIFY_MAX_QUERY_BYTES", default_value_t = Limits::default().max_query_bytes)]
    pub max_query_bytes: usize,
    #[arg(long, env = "QUALIFY_MAX_QUERY_TOKENS", default_value_t = Limits::default().max_query_tokens)]
    pub max_query_tokens: usize,
    #[arg(long, env = "QUALIFY_MAX_DEPTH", default_value_t = Limits::default().max_depth)]
    pub max_depth: usize,
    #[arg(long, env = "QUALIFY_MAX_ALIASES", default_value_t = Limits::default().max_aliases)]
    pub max_aliases: usize,
    #[arg(long, env = "QUALIFY_MAX_DIRECTIVES_PER_FIELD", default_value_t = Limits::default().max_directives_per_field)]
    pub max_directives_per_field: usize,
    #[arg(long, env = "QUALIFY_MAX_DIRECTIVES", default_value_t = Limits::default().max_directives)]
    pub max_directives: usize,
    #[arg(long, env = "QUALIFY_MAX_COMPLEXITY", default_value_t = Limits::default().max_complexity)]
    pub max_complexity: usize,
    /// Seconds a request may run before it is cancelled.
    #[arg(long, env = "QUALIFY_REQUEST_TIMEOUT_SECS", default_value_t = Limits::default().request_timeout.as_secs())]
    pub request_timeout_secs: u64,
    #[arg(long, env = "QUALIFY_MAX_CONCURRENT_HASHES", default_value_t = Limits::default().max_concurrent_hashes)]
    pub max_concurrent_hashes: usize,
    #[arg(long, env = "QUALIFY_LOGINS_PER_IP_PER_MINUTE", default_value_t = Limits::default().login_attempts_per_ip_per_minute)]
    pub login_attempts_per_ip_per_minute: u32,
    #[arg(long, env = "QUALIFY_LOGIN_FAILURES_BEFORE_BACKOFF", default_value_t = Limits::default().login_failures_before_backoff)]
    pub login_failures_before_backoff: u32,
    /// Requests per API key per minute; beyond, 429 with Retry-After.
    #[arg(long, env = "QUALIFY_API_KEY_REQUESTS_PER_MINUTE", default_value_t = Limits::default().api_key_requests_per_minute)]
    pub api_key_requests_per_minute: u32,
}

impl LimitArgs {
    pub fn limits(&self) -> Limits {
        Limits {
            max_body_bytes: self.max_body_bytes,
            max_query_bytes: self.max_query_bytes,
            max_query_tokens: self.max_query_tokens,
            max_depth: self.max_depth,
            max_aliases: self.max_aliases,
            max_directives_per_field: self.max_directives_per_field,
            max_directives: self.max_directives,
            max_complexity: self.max_complexity,
            request_timeout: std::time::Duration::from_secs(self.request_timeout_secs),
            max_concurrent_hashes: self.max_concurrent_hashes,
            login_attempts_per_ip_per_minute: self.login_attempts_per_ip_per_minute,
            login_failures_before_backoff: self.login_failures_before_backoff,
            api_key_requests_per_minute: self.api_key_requests_per_minute,
        }
    }
}

impl ServeArgs {
    pub fn config(&self) -> Config {
        Config {
            database_url: self.db.database_url.clone(),
            bind: self.bind,
            jwt_secret: self.jwt_secret.clone(),
            development: !self.production && self.env != "production",
            access_token_ttl_secs: self.access_token_ttl_secs,
            refresh_token_ttl_secs: self.refresh_token_ttl_secs,
            cors_origins: self.cors_origins.clone(),
            trusted_proxies: self.trusted_proxies.clone(),
            limits: self.limits.limits(),
            connections: self.connections.connections(),
            engine: self.engine,
            trusted_documents: None,
            webhooks: self.webhooks.settings(),
            subscriptions: self.subscriptions.settings(),
            access_log: false,
            metrics_bind: self.metrics_bind,
            database_max_connections: self.database_max_connections,
        }
    }
}

/// Run the command line.
///
/// # Errors
/// Whatever the chosen command fails with.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let access_log = cli.log_format == "json";
    match cli.command {
        None => serve(cli.serve, access_log).await,
        Some(Command::Serve(args)) => serve(args, access_log).await,
        Some(Command::Demo(mut args)) => {
            args.demo = true;
            serve(args, access_log).await
        }
        Some(Command::Backup { db, to }) => {
            let conn = store::connect(&db.database_url).await?;
            store::operate::backup_sqlite(&conn, &to).await?;
            conn.close().await.ok();
            println!("backed up to {}", to.display());
            Ok(())
        }
        Some(Command::Restore { db, from }) => {
            let Some(target) = store::operate::sqlite_file(&db.database_url) else {
                anyhow::bail!(
                    "restore puts a file in place of a SQLite database's file; use pg_restore for PostgreSQL"
                );
            };
            // Refused while a server holds the file: the restore renames a file under it.
            let _held = store::operate::hold_sqlite(&db.database_url)?;
            store::operate::restore_sqlite(&from, &target).await?;
            println!("restored {} from {}", target.display(), from.display());
            Ok(())
        }
        Some(Command::Migrate(db)) => {
            let conn = store::connect(&db.database_url).await?;
            store::migrate(&conn).await?;
            println!("migrations applied");
            Ok(())
        }
        Some(Command::CreateMentor { db, email, name }) => {
            let password = match std::env::var("QUALIFY_PASSWORD") {
                Ok(p) => p,
                Err(_) => rpassword::prompt_password("Password for the new mentor: ")?,
            };
            let id = crate::create_mentor(&db.database_url, &email, &name, &password).await?;
            println!("mentor {email} created ({id})");
            Ok(())
        }
        Some(Command::ResetPassword { db, email }) => {
            let password = match std::env::var("QUALIFY_PASSWORD") {
                Ok(p) => p,
                Err(_) => rpassword::prompt_password("New password: ")?,
            };
            let id = crate::reset_password(&db.database_url, &email, &password).await?;
            println!("password of {email} reset ({id}); every session of it has ended");
            Ok(())
        }
    }
}

async fn serve(args: ServeArgs, access_log: bool) -> anyhow::Result<()> {
    let mut config = args.config();
    config.access_log = access_log;
    if let Some(path) = &args.trusted_documents {
        let documents = crate::http::trusted::TrustedDocuments::load(path)?;
        println!(
            "serving only the {} trusted documents of {}",
            documents.len(),
            path.display()
        );
        config.trusted_documents = Some(std::sync::Arc::new(documents));
    }
    if args.demo {
        let logins = crate::demo::load(&config.database_url).await?;
        println!("{logins}");
    }
    let server = crate::start(config).await?;
    println!("Qualify listening on http://{}/graphql", server.addr);
    server.run_until_signal().await
}
