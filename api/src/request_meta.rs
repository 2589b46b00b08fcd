//! Facts about the HTTP request that resolvers need without threading them through the
//! GraphQL layer: the client's IP (for rate limits) and the request id (for error reports).
//!
//! A middleware sets them in a task-local for the duration of the request; async-graphql
//! runs resolvers inside that same future, so they can read it.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;

/// What the middleware learned about the current request.
#[derive(Debug, Clone)]
pub struct RequestMeta {
    pub client_ip: IpAddr,
    pub request_id: String,
    /// The `User-Agent` header, when it is text (kept with a login's tokens).
    pub user_agent: Option<String>,
}

tokio::task_local! {
    static META: RequestMeta;
}

/// The current request's metadata, if called while serving one.
pub fn current() -> Option<RequestMeta> {
    META.try_with(Clone::clone).ok()
}

/// The current request's id for a log line (`-` outside a request).
///
/// Log lines written while serving a request name it themselves: a tracing span per
/// request would format its fields on every request, logged or not (a tenth of the CPU
/// of a small query).
pub fn request_id() -> String {
    META.try_with(|m| m.request_id.clone())
        .unwrap_or_else(|_| "-".to_owned())
}

/// The proxies whose `X-Forwarded-For` is believed.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(pub Arc<Vec<IpAddr>>);

/// Middleware: work out the client IP and a request id, keep them for the request's
/// duration, and echo the id in the `x-request-id` response header.
pub async fn middleware(
    State(trusted): State<TrustedProxies>,
    request: Request,
    next: Next,
) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip());
    // `X-Forwarded-For` only matters (and is only joined) when a trusted proxy sent it.
    let client_ip = if trusted.0.contains(&peer) {
        let forwarded = request
            .headers()
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect::<Vec<_>>()
            .join(",");
        client_ip(peer, &forwarded, &trusted.0)
    } else {
        peer
    };
    let request_id = uuid::Uuid::now_v7().simple().to_string();
    let user_agent = request
        .headers()
        .get(axum::http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let meta = RequestMeta {
        client_ip,
        request_id: request_id.clone(),
        user_agent,
    };
    let mut response = META.scope(meta, next.run(request)).await;
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert("x-request-id", value);
    }
    response
}

/// The client's address: the peer, unless the peer is a trusted proxy; then the right-most
/// address in `X-Forwarded-For` that is not itself a trusted proxy. Addresses left of it
/// were written by the client and prove nothing.
pub fn client_ip(peer: IpAddr, forwarded_for: &str, trusted: &[IpAddr]) -> IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let mut current = peer;
    for hop in forwarded_for.rsplit(',') {
        let Ok(ip) = hop.trim().parse::<IpAddr>() else {
            return current;
        };
        current = ip;
        if !trusted.contains(&ip) {
            return ip;
        }
    }
    current
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
    }

    #[test]
    fn forwarded_for_from_an_untrusted_peer_is_ignored() {
        assert_eq!(client_ip(ip("1.2.3.4"), "9.9.9.9", &[]), ip("1.2.3.4"));
    }

    #[test]
    fn a_trusted_proxy_forwards_the_rightmost_untrusted_address() {
        let trusted = [ip("10.0.0.1"), ip("10.0.0.2")];
        assert_eq!(
            client_ip(ip("10.0.0.1"), "6.6.6.6, 5.5.5.5, 10.0.0.2", &trusted),
            ip("5.5.5.5")
        );
    }

    #[test]
    fn a_trusted_proxy_without_forwarded_for_is_the_client() {
        assert_eq!(
            client_ip(ip("10.0.0.1"), "", &[ip("10.0.0.1")]),
            ip("10.0.0.1")
        );
    }

    #[test]
    fn garbage_in_forwarded_for_stops_at_the_last_good_hop() {
        let trusted = [ip("10.0.0.1")];
        assert_eq!(
            client_ip(ip("10.0.0.1"), "not-an-ip", &trusted),
            ip("10.0.0.1")
        );
    }
}
