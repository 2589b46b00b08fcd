//! The HTTP server: routes, middleware, start-up and shutdown.

use std::net::SocketAddr;
use std::sync::Arc;

use async_graphql::http::GraphiQLSource;
use async_graphql_axum::{GraphQLRequest, GraphQLResponse};
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::trace::TraceLayer;

use crate::auth::{Hasher, TokenKeys, tokens};
use crate::config::Config;
use crate::graphql::context::{AppState, Credentials};
use crate::graphql::loaders::VersionCache;
use crate::graphql::schema::{self, QualifySchema};

/// Request bodies larger than this are refused before they are read.
const MAX_BODY_BYTES: usize = 256 * 1024;
const SECRET_SETTING: &str = "jwt_secret";

#[derive(Clone)]
struct Shared {
    schema: QualifySchema,
    state: AppState,
    versions: VersionCache,
}

/// A running server.
pub struct Server {
    pub addr: SocketAddr,
    statements: store::StatementCounter,
    shutdown: oneshot::Sender<()>,
    task: JoinHandle<std::io::Result<()>>,
}

impl Server {
    /// SQL statements run since start (for tests and benchmarks that count them).
    pub fn statements_executed(&self) -> u64 {
        self.statements.get()
    }

    /// Stop accepting connections, finish the requests in flight, and return.
    pub async fn stop(self) {
        let _ = self.shutdown.send(());
        let _ = self.task.await;
    }

    /// Serve until the process gets Ctrl-C or SIGTERM.
    ///
    /// # Errors
    /// When the server task fails.
    pub async fn run_until_signal(self) -> anyhow::Result<()> {
        shutdown_signal().await;
        tracing::info!("shutting down");
        self.stop().await;
        Ok(())
    }
}

/// Connect to the database, run migrations, bind and serve in the background.
///
/// # Errors
/// When the database cannot be reached or migrated, or the address cannot be bound.
pub async fn start(config: Config) -> anyhow::Result<Server> {
    let (db, statements) = store::connect_counted(&config.database_url).await?;
    store::migrate(&db).await?;
    let secret = match &config.jwt_secret {
        Some(secret) => secret.clone(),
        None => {
            store::settings::get_or_insert_setting(&db, SECRET_SETTING, &tokens::generate_secret())
                .await?
        }
    };
    let keys = TokenKeys::new(secret.as_bytes(), config.access_token_ttl_secs)
        .map_err(|_| anyhow::anyhow!("the JWT secret must be at least 32 bytes"))?;
    let state = AppState {
        db,
        keys,
        hasher: Hasher::new(config.limits.max_concurrent_hashes),
        config: Arc::new(config.clone()),
    };
    let versions = VersionCache::default();
    let shared = Shared {
        schema: schema::build(state.clone(), versions.clone()),
        state,
        versions,
    };
    let listener = TcpListener::bind(config.bind).await?;
    let addr = listener.local_addr()?;
    let (shutdown, signal) = oneshot::channel::<()>();
    let app = router(shared);
    let task = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = signal.await;
            })
            .await
    });
    tracing::info!(%addr, "listening");
    Ok(Server {
        addr,
        statements,
        shutdown,
        task,
    })
}

fn router(shared: Shared) -> Router {
    Router::new()
        .route("/graphql", get(graphql_get).post(graphql_post))
        .route("/healthz", get(healthz))
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(CatchPanicLayer::new())
        .layer(TraceLayer::new_for_http())
        .with_state(shared)
}

async fn healthz() -> &'static str {
    "ok"
}

async fn graphql_post(
    State(shared): State<Shared>,
    headers: HeaderMap,
    request: GraphQLRequest,
) -> GraphQLResponse {
    execute(&shared, &headers, request.into_inner()).await
}

/// `GET /graphql`: GraphiQL in development when no query is given; otherwise the query.
async fn graphql_get(
    State(shared): State<Shared>,
    headers: HeaderMap,
    uri: axum::http::Uri,
) -> Response {
    if uri.query().is_none_or(str::is_empty) {
        if shared.state.config.development {
            return Html(GraphiQLSource::build().endpoint("/graphql").finish()).into_response();
        }
        return (StatusCode::BAD_REQUEST, "send a GraphQL query").into_response();
    }
    let query = uri.query().unwrap_or_default();
    match async_graphql::http::parse_query_string(query) {
        Ok(request) => execute(&shared, &headers, request).await.into_response(),
        Err(_) => (StatusCode::BAD_REQUEST, "malformed query string").into_response(),
    }
}

async fn execute(
    shared: &Shared,
    headers: &HeaderMap,
    request: async_graphql::Request,
) -> GraphQLResponse {
    let credentials = credentials(&shared.state, headers);
    let request = schema::prepare(request, credentials, &shared.state, &shared.versions);
    shared.schema.execute(request).await.into()
}

fn credentials(state: &AppState, headers: &HeaderMap) -> Credentials {
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
    let now = chrono::Utc::now().timestamp().unsigned_abs();
    match state.keys.verify_access(token.trim(), now) {
        Ok(subject) => Credentials::Valid(subject),
        Err(_) => Credentials::Invalid,
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
