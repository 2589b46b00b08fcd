//! The HTTP server: routes, middleware, start-up and shutdown.

mod connections;

use std::net::SocketAddr;
use std::sync::Arc;

use async_graphql::http::GraphiQLSource;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::trace::TraceLayer;

use crate::app::{AppState, Credentials};
use crate::auth::{Hasher, KeyRateLimit, LoginThrottle, TokenKeys, tokens};
use crate::config::Config;
// The one place the HTTP half sees the GraphQL half: the door requests go through.
use crate::graphql::engine::Engine;
use crate::http;

const SECRET_SETTING: &str = "jwt_secret";

struct Shared {
    engine: Engine,
    state: AppState,
    /// Subscription connections open per user.
    subscribers: Arc<crate::subscriptions::Registry>,
}

/// A running server.
pub struct Server {
    pub addr: SocketAddr,
    /// Where `/metrics` answers, when `--metrics-bind` asked for it.
    pub metrics_addr: Option<SocketAddr>,
    statements: store::StatementCounter,
    shutdown: oneshot::Sender<()>,
    task: JoinHandle<()>,
    /// The SQLite file held for this server; released when it stops.
    _serving_lock: Option<store::operate::ServingLock>,
}

impl Server {
    /// SQL statements run since start (for tests and benchmarks that count them).
    pub fn statements_executed(&self) -> u64 {
        self.statements.get()
    }

    /// Stop accepting connections, let the requests in flight finish (for at most
    /// `Connections::shutdown_drain`), and return.
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
/// When a connection setting is zero, the database cannot be reached or migrated, or the
/// address cannot be bound.
pub async fn start(config: Config) -> anyhow::Result<Server> {
    let connections = &config.connections;
    if connections.header_read_timeout.is_zero()
        || connections.idle_timeout.is_zero()
        || connections.max_connections == 0
    {
        anyhow::bail!(
            "the header-read and idle timeouts and the connection limit must be at least 1"
        );
    }
    crate::events::worker::install_tls_provider();
    let (db, statements) =
        store::connect_counted_with(&config.database_url, config.database_max_connections).await?;
    // Before migrating: a second server on a SQLite file is refused, not merely warned.
    let serving_lock = store::operate::hold_sqlite(&config.database_url)?;
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
    let (throttle, key_limit) = limits(&db, &config.limits);
    let state = AppState {
        db,
        keys,
        hasher: Hasher::new(config.limits.max_concurrent_hashes),
        throttle: Arc::new(throttle),
        key_limit: Arc::new(key_limit),
        config: Arc::new(config.clone()),
        bus: Arc::new(crate::events::Bus::with_buffer(config.subscriptions.buffer)),
    };
    let metrics = match config.metrics_bind {
        Some(bind) => Some(crate::metrics::serve(bind, state.clone()).await?),
        None => None,
    };
    let metrics_addr = metrics.as_ref().map(|(addr, _)| *addr);
    let (stop_worker, worker_stop) = tokio::sync::watch::channel(false);
    let worker = crate::events::worker::spawn(
        state.db.uncounted(),
        state.bus.clone(),
        config.webhooks.clone(),
        worker_stop.clone(),
    )?;
    let hub = tokio::spawn(state.bus.hub.clone().run(state.db.uncounted(), worker_stop));
    let shared = Shared {
        engine: Engine::new(state.clone()),
        state,
        subscribers: Arc::default(),
    };
    let listener = TcpListener::bind(config.bind).await?;
    let addr = listener.local_addr()?;
    let (shutdown, signal) = oneshot::channel::<()>();
    let subscribers = shared.subscribers.clone();
    let app = router(shared)?;
    let serving = connections::serve(listener, app, config.connections.clone(), async move {
        let _ = signal.await;
        // WebSockets left the HTTP connections' drain when they upgraded: tell them now.
        subscribers.close_all();
    });
    let task = tokio::spawn(async move {
        serving.await;
        let _ = stop_worker.send(true);
        let _ = worker.await;
        let _ = hub.await;
        if let Some((_, task)) = metrics {
            task.abort();
        }
    });
    tracing::info!(%addr, "listening");
    Ok(Server {
        addr,
        metrics_addr,
        statements,
        shutdown,
        task,
        _serving_lock: serving_lock,
    })
}

fn router(shared: Shared) -> anyhow::Result<Router> {
    let max_body = shared.state.config.limits.max_body_bytes;
    let shared = Arc::new(shared);
    let cors = cors(&shared.state.config.cors_origins)?;
    let trusted =
        crate::request_meta::TrustedProxies(Arc::new(shared.state.config.trusted_proxies.clone()));
    // One `layer` call with the whole stack: each `Router::layer` boxes the routes again,
    // and every request would clone each box (tens of allocations per request).
    let middleware = ServiceBuilder::new()
        .layer(TraceLayer::new_for_http())
        .option_layer(cors)
        .layer(axum::middleware::from_fn_with_state(
            trusted,
            crate::request_meta::middleware,
        ))
        .layer(CatchPanicLayer::custom(panic_response))
        // Bodies are read by `http::post` and `idempotency`, each refusing a too-large
        // `Content-Length` at once, and cut off at this limit when streamed.
        .layer(DefaultBodyLimit::max(max_body))
        .layer(axum::middleware::from_fn_with_state(
            Arc::clone(&shared),
            front_door,
        ));
    Ok(Router::new()
        .route(
            "/graphql",
            get(graphql_get)
                .post(graphql_post)
                .fallback(http::method_not_allowed),
        )
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route(
            "/export/prospects.csv",
            get(
                |State(shared): State<Arc<Shared>>, request: Request| async move {
                    crate::export::prospects_csv(shared.state.clone(), request).await
                },
            )
            .fallback(|| async { crate::export::method_not_allowed("GET") }),
        )
        .route(
            "/export/qualifications.csv",
            get(
                |State(shared): State<Arc<Shared>>, request: Request| async move {
                    crate::export::qualifications_csv(shared.state.clone(), request).await
                },
            )
            .fallback(|| async { crate::export::method_not_allowed("GET") }),
        )
        .route(
            "/import/prospects.csv",
            axum::routing::post(
                |State(shared): State<Arc<Shared>>, request: Request| async move {
                    crate::import::prospects_csv(shared.state.clone(), request).await
                },
            )
            .fallback(|| async { crate::export::method_not_allowed("POST") }),
        )
        .route(
            "/export/outcomes.csv",
            get(
                |State(shared): State<Arc<Shared>>, request: Request| async move {
                    crate::export::outcomes_csv(shared.state.clone(), request).await
                },
            )
            .fallback(|| async { crate::export::method_not_allowed("GET") }),
        )
        .with_state(shared)
        .layer(middleware))
}

/// Who is asking (once per request, for everything after), then `Idempotency-Key`.
async fn front_door(
    State(shared): State<Arc<Shared>>,
    mut request: Request,
    next: Next,
) -> Response {
    // The request's time starts now, for the body wherever it is read and for the work.
    let deadline = http::Deadline::after(shared.state.config.limits.request_timeout);
    request.extensions_mut().insert(deadline);
    let credentials = crate::auth::session::credentials(&shared.state, request.headers()).await;
    if let Credentials::Key(key) = credentials {
        match shared.state.key_limit.check(key.key_id).await {
            Ok(None) => {}
            Ok(Some(wait)) => return rate_limited(request.headers(), wait),
            Err(e) => {
                tracing::error!(error = %e, "the API key's rate could not be counted");
                return crate::reply::error(
                    axum::http::StatusCode::SERVICE_UNAVAILABLE,
                    http::response_media(request.headers()),
                    "INTERNAL",
                    "the service is unavailable; retry shortly",
                );
            }
        }
    }
    request.extensions_mut().insert(credentials);
    let (method, path) = (request.method().clone(), request.uri().path().to_owned());
    let started = std::time::Instant::now();
    let response = crate::idempotency::handle(&shared.state, request, next).await;
    access_log(
        shared.state.config.access_log,
        &credentials,
        &method,
        &path,
        &response,
        started,
    );
    crate::metrics::request(
        &path,
        response.status().as_u16(),
        started.elapsed().as_secs_f64(),
        response
            .extensions()
            .get::<http::OperationName>()
            .map(|n| n.0.as_str()),
        response
            .extensions()
            .get::<http::ErrorCode>()
            .map(|c| c.0.as_str()),
    );
    response
}

/// One line per request: request id, method, path, operation name, who (a user's id and
/// the API key's id; never a token or a secret), status and duration. At `info` when
/// `--log-format json` asked for it, else at `debug`.
fn access_log(
    loud: bool,
    credentials: &Credentials,
    method: &axum::http::Method,
    path: &str,
    response: &Response,
    started: std::time::Instant,
) {
    // Off (text logs at `info`): nothing is gathered, nothing allocated.
    if !loud && !tracing::enabled!(target: "qualify::access", tracing::Level::DEBUG) {
        return;
    }
    let request_id = crate::request_meta::current().map(|m| m.request_id);
    let operation = response
        .extensions()
        .get::<http::OperationName>()
        .map(|n| n.0.as_str());
    let actor = credentials.user_id().map(|id| id.to_string());
    let key = credentials.key_id().map(|id| id.to_string());
    let status = response.status().as_u16();
    let duration_ms = started.elapsed().as_secs_f64() * 1_000.0;
    macro_rules! line {
        ($level:expr) => {
            tracing::event!(
                target: "qualify::access",
                $level,
                request_id = request_id.as_deref().unwrap_or("-"),
                %method,
                path,
                operation = operation.unwrap_or("-"),
                actor = actor.as_deref().unwrap_or("-"),
                api_key = key.as_deref().unwrap_or("-"),
                status,
                duration_ms,
                "request"
            )
        };
    }
    if loud {
        line!(tracing::Level::INFO);
    } else {
        line!(tracing::Level::DEBUG);
    }
}

/// The login throttle and the API keys' rate limit: counted in PostgreSQL when it is the
/// database, so that every instance on it counts together; in memory on SQLite, which one
/// process serves.
fn limits(db: &store::Db, limits: &crate::config::Limits) -> (LoginThrottle, KeyRateLimit) {
    let (per_ip, backoff, per_key) = (
        limits.login_attempts_per_ip_per_minute,
        limits.login_failures_before_backoff,
        limits.api_key_requests_per_minute,
    );
    if db.is_postgres() {
        (
            LoginThrottle::shared(db.clone(), per_ip, backoff),
            KeyRateLimit::shared(db.clone(), per_key),
        )
    } else {
        (
            LoginThrottle::new(per_ip, backoff),
            KeyRateLimit::new(per_key),
        )
    }
}

/// `429` for an API key over its rate, with `Retry-After` in whole seconds (at least 1).
fn rate_limited(headers: &axum::http::HeaderMap, wait: std::time::Duration) -> Response {
    let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    let seconds = seconds.max(1);
    let mut response = crate::reply::error(
        axum::http::StatusCode::TOO_MANY_REQUESTS,
        http::response_media(headers),
        "RATE_LIMITED",
        &format!("this API key is over its rate; retry in {seconds} s"),
    );
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    response
}

/// CORS for the configured origins only; with none, no CORS headers at all, so browsers
/// refuse cross-origin calls.
///
/// # Errors
/// When an origin is not a valid header value.
fn cors(origins: &[String]) -> anyhow::Result<Option<CorsLayer>> {
    if origins.is_empty() {
        return Ok(None);
    }
    let origins = origins
        .iter()
        .map(|o| {
            HeaderValue::from_str(o.trim())
                .map_err(|_| anyhow::anyhow!("invalid CORS origin {o:?}"))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok(Some(
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(origins))
            .allow_methods([Method::GET, Method::POST])
            .allow_headers([
                header::AUTHORIZATION,
                header::CONTENT_TYPE,
                header::ACCEPT,
                header::HeaderName::from_static("idempotency-key"),
            ])
            .expose_headers([header::HeaderName::from_static("x-request-id")])
            .max_age(std::time::Duration::from_secs(600)),
    ))
}

/// A panic is a bug: log it, and answer like any other internal error, with the request id
/// and without the panic's text.
fn panic_response(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let detail = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("(no message)");
    crate::reply::internal(
        http::MediaType::Json,
        &format_args!("handler panicked: {detail}"),
    )
}

async fn healthz() -> &'static str {
    "ok"
}

/// Ready to serve: the database answers and its schema is this binary's (two statements).
/// 503 otherwise, with the reason and no internal text.
async fn readyz(State(shared): State<Arc<Shared>>) -> Response {
    let (status, body) = match store::operate::readiness(&shared.state.db.uncounted()).await {
        Ok(()) => (
            axum::http::StatusCode::OK,
            serde_json::json!({ "status": "ready" }),
        ),
        Err(store::operate::NotReady::Unreachable) => (
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            serde_json::json!({ "status": "unavailable", "reason": "the database does not answer" }),
        ),
        Err(store::operate::NotReady::Pending(n)) => (
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            serde_json::json!({ "status": "unavailable",
                                "reason": format!("{n} migrations of this binary are not applied") }),
        ),
    };
    let mut response = (status, body.to_string()).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// `POST /graphql`; `http` handles the protocol, `execute` the operation.
async fn graphql_post(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let credentials = crate::auth::session::of(&request);
    let limits = &shared.state.config.limits;
    let trusted = shared.state.config.trusted_documents.as_deref();
    http::post(request, limits, trusted, |graphql| {
        shared.engine.execute(credentials, graphql)
    })
    .await
}

/// `GET /graphql`: GraphiQL in development when no query is given; otherwise a query.
async fn graphql_get(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    if crate::subscriptions::is_upgrade(request.headers()) {
        return crate::subscriptions::upgrade(
            shared.engine.schema(),
            shared.state.clone(),
            shared.subscribers.clone(),
            request,
        )
        .await;
    }
    if shared.state.config.development && request.uri().query().is_none_or(str::is_empty) {
        return Html(GraphiQLSource::build().endpoint("/graphql").finish()).into_response();
    }
    let credentials = crate::auth::session::of(&request);
    let limits = &shared.state.config.limits;
    http::get(
        request,
        limits,
        shared.state.config.trusted_documents.as_deref(),
        |query| shared.engine.check_text(query),
        |graphql| shared.engine.execute(credentials, graphql),
    )
    .await
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

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_panic_becomes_an_internal_error_without_its_message() {
        let response = panic_response(Box::new(String::from("secret /etc/passwd detail")));
        assert_eq!(
            response.status(),
            axum::http::StatusCode::INTERNAL_SERVER_ERROR
        );
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 16)
            .await
            .unwrap_or_default();
        let body: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
        assert_eq!(body["errors"][0]["extensions"]["code"], "INTERNAL");
        assert!(!String::from_utf8_lossy(&bytes).contains("passwd"));
    }
}
