//! Login throttling: an account is locked for a while after repeated failures, and a client
//! IP gets a fixed budget of attempts per minute that neither aliases nor a forged
//! `X-Forwarded-For` can stretch.

use std::net::IpAddr;
use std::time::Duration;

use serde_json::{Value, json};

use super::{login, mentor_account};
use crate::fixtures::{LOGIN, PASSWORD};
use crate::helpers::{TestApp, codes, expect_code, int_at, unique_email};

/// The `extensions.retryAfter` of a `RATE_LIMITED` answer, in seconds.
fn retry_after(body: &Value) -> i64 {
    let error = expect_code(body, "RATE_LIMITED");
    let seconds = int_at(error, "/extensions/retryAfter");
    assert!(seconds >= 1, "retryAfter must be at least 1 s: {error}");
    seconds
}

/// One login with the right password, its `X-Forwarded-For` set (or not); the error codes.
async fn attempt(app: &TestApp, email: &str, forwarded_for: Option<&str>) -> Vec<String> {
    let headers: Vec<(&str, &str)> = forwarded_for
        .map(|ip| vec![("X-Forwarded-For", ip)])
        .unwrap_or_default();
    let vars = json!({ "input": { "email": email, "password": PASSWORD } });
    codes(&app.post_with(None, &headers, LOGIN, vars).await.body)
}

const ALLOWED: [String; 0] = [];

fn rate_limited() -> Vec<String> {
    vec!["RATE_LIMITED".to_owned()]
}

#[tokio::test]
async fn an_account_with_repeated_failures_is_rate_limited_even_for_the_right_password() {
    let app = TestApp::spawn_with(|c| {
        c.limits.login_failures_before_backoff = 3;
        c.limits.login_attempts_per_ip_per_minute = 1000;
    })
    .await;
    let (victim, bystander) = (mentor_account(&app).await, mentor_account(&app).await);
    for _ in 0..3 {
        expect_code(
            &login(&app, &victim, "guessed wrong").await,
            "UNAUTHENTICATED",
        );
    }
    let locked = login(&app, &victim, PASSWORD).await;
    let wait = retry_after(&locked);
    assert_eq!(
        attempt(&app, &bystander, None).await,
        ALLOWED,
        "another account from the same IP still logs in"
    );
    // Unknown accounts are throttled alike, so throttling does not tell which exist.
    let nobody = unique_email("nobody");
    for _ in 0..3 {
        expect_code(
            &login(&app, &nobody, "guessed wrong").await,
            "UNAUTHENTICATED",
        );
    }
    retry_after(&login(&app, &nobody, PASSWORD).await);

    // A backoff, not a lock-out: after the wait the right password works and clears the count.
    tokio::time::sleep(Duration::from_secs(wait.unsigned_abs()) + Duration::from_millis(300)).await;
    assert_eq!(attempt(&app, &victim, None).await, ALLOWED);
    expect_code(
        &login(&app, &victim, "guessed wrong").await,
        "UNAUTHENTICATED",
    );
}

#[tokio::test]
async fn the_sixth_login_attempt_in_a_minute_from_one_ip_is_rate_limited() {
    let app = TestApp::spawn_with(|c| c.limits.login_attempts_per_ip_per_minute = 5).await;
    let (email, other) = (mentor_account(&app).await, mentor_account(&app).await);
    for n in 1..=5 {
        assert_eq!(attempt(&app, &email, None).await, ALLOWED, "attempt {n}");
    }
    let body = login(&app, &email, PASSWORD).await;
    let wait = retry_after(&body);
    assert!(
        wait <= 60,
        "a per-minute budget frees up within a minute: {wait} s"
    );
    assert_eq!(
        attempt(&app, &other, None).await,
        rate_limited(),
        "the budget is the IP's, whichever account it tries"
    );
}

#[tokio::test]
async fn six_aliased_logins_in_one_operation_count_as_six_attempts() {
    let app = TestApp::spawn_with(|c| c.limits.login_attempts_per_ip_per_minute = 5).await;
    let email = mentor_account(&app).await;
    let fields: String = (1..=6)
        .map(|n| format!("l{n}: login(input: $input) {{ accessToken }} "))
        .collect();
    let query = format!("mutation($input: LoginInput!) {{ {fields}}}");
    let vars = json!({ "input": { "email": email, "password": PASSWORD } });
    let body = app.gql(None, &query, vars).await;
    let errors = body["errors"].as_array().expect("an error for the sixth");
    assert_eq!(errors.len(), 1, "{body:#}");
    assert_eq!(errors[0]["extensions"]["code"], "RATE_LIMITED", "{body:#}");
    assert_eq!(errors[0]["path"], json!(["l6"]), "{body:#}");
    assert_eq!(
        attempt(&app, &email, None).await,
        rate_limited(),
        "the operation used up the whole budget"
    );
}

#[tokio::test]
async fn x_forwarded_for_from_an_untrusted_peer_does_not_escape_the_ip_limit() {
    let app = TestApp::spawn_with(|c| c.limits.login_attempts_per_ip_per_minute = 5).await;
    let email = mentor_account(&app).await;
    for n in 1..=5 {
        let ip = format!("198.51.100.{n}");
        assert_eq!(attempt(&app, &email, Some(&ip)).await, ALLOWED, "{ip}");
    }
    assert_eq!(
        attempt(&app, &email, Some("198.51.100.99")).await,
        rate_limited(),
        "a sixth forwarded address is still the same peer"
    );
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_forwarded_client_ip_has_its_own_budget() {
    let localhost: IpAddr = "127.0.0.1".parse().expect("ip");
    let app = TestApp::spawn_with(|c| {
        c.limits.login_attempts_per_ip_per_minute = 5;
        c.trusted_proxies = vec![localhost];
    })
    .await;
    let email = mentor_account(&app).await;
    let client = "198.51.100.1";
    for n in 1..=5 {
        assert_eq!(
            attempt(&app, &email, Some(client)).await,
            ALLOWED,
            "attempt {n}"
        );
    }
    assert_eq!(attempt(&app, &email, Some(client)).await, rate_limited());
    assert_eq!(
        attempt(&app, &email, Some(&format!("203.0.113.7, {client}"))).await,
        rate_limited(),
        "addresses the client wrote left of the proxy's entry prove nothing"
    );
    assert_eq!(
        attempt(&app, &email, Some("198.51.100.2")).await,
        ALLOWED,
        "another client behind the proxy has its own budget"
    );
    assert_eq!(
        attempt(&app, &email, None).await,
        ALLOWED,
        "the proxy itself has its own budget"
    );
}
