//! Where a webhook may be sent: no server-side request forgery. A URL is checked when an
//! endpoint is saved ([`check_url`]: `https` unless the operator allows `http`, no
//! credentials, a host whose every address is public), and every request is sent through
//! [`GuardedResolver`], which refuses a name that resolves to a forbidden address when it
//! is sent (a name can be pointed elsewhere after the check: DNS rebinding). Addresses
//! written in the URL are checked by [`check_url`] again before each request.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use domain::events::forbidden_destination;
use reqwest::Url;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// The longest URL an endpoint may have, in bytes.
pub const MAX_URL_BYTES: usize = 2_000;

/// What the operator allows beyond public `https` destinations.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Allowed {
    /// `--webhooks-allow-private`: loopback, private and link-local addresses too (tests,
    /// a receiver on the same network).
    pub private: bool,
    /// `--webhooks-allow-http`: plain `http` URLs too.
    pub http: bool,
}

/// Checks a URL's form and, when its host is an address, the address; a name's addresses
/// are checked by [`resolve_checked`] (when saving) and by [`GuardedResolver`] (when
/// sending). Returns the parsed URL or why it is refused.
///
/// # Errors
/// A sentence saying what is wrong, for the client.
pub fn check_url(raw: &str, allowed: Allowed) -> Result<Url, String> {
    if raw.len() > MAX_URL_BYTES {
        return Err(format!("must be at most {MAX_URL_BYTES} bytes"));
    }
    let url = Url::parse(raw).map_err(|_| "is not a URL".to_owned())?;
    match url.scheme() {
        "https" => {}
        "http" if allowed.http => {}
        "http" => return Err("must be https".to_owned()),
        _ => return Err("must be an https URL".to_owned()),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("must not carry a user name or password".to_owned());
    }
    if url.fragment().is_some() {
        return Err("must not have a fragment".to_owned());
    }
    let Some(host) = url.host() else {
        return Err("has no host".to_owned());
    };
    let literal: Option<IpAddr> = match host {
        url::Host::Ipv4(v4) => Some(IpAddr::V4(v4)),
        url::Host::Ipv6(v6) => Some(IpAddr::V6(v6)),
        url::Host::Domain(_) => None,
    };
    if let Some(ip) = literal
        && !allowed.private
        && let Some(why) = forbidden_destination(ip)
    {
        return Err(format!("points to {why}"));
    }
    Ok(url)
}

/// Resolves the URL's host and refuses it when any address is forbidden.
///
/// # Errors
/// A sentence saying what is wrong, for the client.
pub async fn resolve_checked(url: &Url, allowed: Allowed) -> Result<(), String> {
    let Some(url::Host::Domain(name)) = url.host() else {
        return Ok(());
    };
    let port = url.port_or_known_default().unwrap_or(443);
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host((name, port))
        .await
        .map_err(|_| "has a host name that does not resolve".to_owned())?
        .collect();
    if addrs.is_empty() {
        return Err("has a host name that does not resolve".to_owned());
    }
    if !allowed.private {
        for addr in addrs {
            if let Some(why) = forbidden_destination(addr.ip()) {
                return Err(format!("has a host name that points to {why}"));
            }
        }
    }
    Ok(())
}

/// The resolver every webhook request goes through: the system's, minus forbidden
/// addresses (unless allowed). A name with only forbidden addresses fails to resolve.
#[derive(Debug, Clone, Copy)]
pub struct GuardedResolver {
    pub allowed: Allowed,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allowed = self.allowed;
        Box::pin(async move {
            let found = tokio::net::lookup_host((name.as_str(), 0)).await?;
            let kept: Vec<SocketAddr> = found
                .filter(|a| allowed.private || forbidden_destination(a.ip()).is_none())
                .collect();
            if kept.is_empty() {
                return Err("the destination's addresses are not allowed".into());
            }
            let addrs: Addrs = Box::new(kept.into_iter());
            Ok(addrs)
        })
    }
}

impl GuardedResolver {
    pub fn shared(allowed: Allowed) -> Arc<GuardedResolver> {
        Arc::new(GuardedResolver { allowed })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    const STRICT: Allowed = Allowed {
        private: false,
        http: false,
    };

    #[test]
    fn a_url_must_be_public_https_without_credentials() {
        assert!(check_url("https://hooks.example.com/q?x=1", STRICT).is_ok());
        let refused = [
            ("http://hooks.example.com/", "must be https"),
            ("ftp://hooks.example.com/", "must be an https URL"),
            (
                "https://user:pw@hooks.example.com/",
                "must not carry a user name or password",
            ),
            ("https://127.0.0.1/", "points to a loopback address"),
            ("https://[::1]:8443/", "points to a loopback address"),
            (
                "https://169.254.169.254/latest/meta-data",
                "points to a link-local address (cloud metadata included)",
            ),
            ("https://10.0.0.7/", "points to a private address"),
            ("https://0x7f000001/", "points to a loopback address"),
            ("not a url", "is not a URL"),
        ];
        for (url, why) in refused {
            assert_eq!(check_url(url, STRICT).err().as_deref(), Some(why), "{url}");
        }
        let lenient = Allowed {
            private: true,
            http: true,
        };
        assert!(check_url("http://127.0.0.1:9000/hook", lenient).is_ok());
        assert!(check_url(&format!("https://a.example/{}", "x".repeat(2_000)), lenient).is_err());
    }

    #[tokio::test]
    async fn a_name_that_resolves_to_loopback_is_refused_when_saved_and_when_sent() {
        let url = check_url("https://localhost:9/", STRICT).unwrap();
        let saved = resolve_checked(&url, STRICT).await;
        assert_eq!(
            saved.err().as_deref(),
            Some("has a host name that points to a loopback address")
        );
        let resolver = GuardedResolver { allowed: STRICT };
        let sent = resolver.resolve("localhost".parse().unwrap()).await;
        assert!(sent.is_err());
        let open = GuardedResolver {
            allowed: Allowed {
                private: true,
                http: false,
            },
        };
        let addrs: Vec<SocketAddr> = open
            .resolve("localhost".parse().unwrap())
            .await
            .unwrap()
            .collect();
        assert!(addrs.iter().all(|a| a.ip().is_loopback()) && !addrs.is_empty());
    }
}
