//! Access tokens: refused when garbage, forged, expired or misaddressed; accepted across instances and restarts.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey};
use serde_json::{Value, json};

use crate::auth::{REFRESH, VIEWER, viewer_id};
use crate::fixtures::{Actor, LOGIN, PASSWORD};
use crate::helpers::{TestApp, codes, expect_code, ok};

#[tokio::test]
async fn garbage_authorization_is_unauthenticated_not_anonymous() {
    let app = TestApp::spawn().await;
    let mentor = app.mentor().await;
    // Change the signature's first character (the last one may hold only padding bits).
    let at = mentor.access.rfind('.').expect("a JWT") + 1;
    let swapped = if mentor.access[at..].starts_with('A') {
        "B"
    } else {
        "A"
    };
    let tampered = format!(
        "{}{swapped}{}",
        &mentor.access[..at],
        &mentor.access[at + 1..]
    );
    let headers = [
        "Bearer garbage".to_owned(),
        "Bearer ".to_owned(),
        format!("Bearer {}", mentor.refresh),
        format!("Bearer {tampered}"),
        "Basic bWVudG9yOnBhc3N3b3Jk".to_owned(),
        mentor.access.clone(),
    ];
    for header in headers {
        let body = app
            .gql_to(app.addr, Some(header.clone()), VIEWER, json!({}))
            .await;
        assert_eq!(
            codes(&body),
            ["UNAUTHENTICATED"],
            "Authorization: {header:.30}…: {body}"
        );
    }
    assert_eq!(
        viewer_id(&app, &mentor.access).await,
        json!(mentor.id),
        "the untampered token works"
    );
}

const SECRET: &str = "integration-test-secret-that-is-long-enough-for-hs256-and-more";

fn b64(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}

fn part(token: &str, index: usize) -> Value {
    let segment = token.split('.').nth(index).expect("three JWT segments");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(segment).expect("base64url"))
        .expect("JSON segment")
}

fn sign(header: &Value, claims: &Value, algorithm: Algorithm, secret: &str) -> String {
    let mut header = header.clone();
    header["alg"] = json!(format!("{algorithm:?}"));
    let message = format!("{}.{}", b64(&header), b64(claims));
    let signature = jsonwebtoken::crypto::sign(
        message.as_bytes(),
        &EncodingKey::from_secret(secret.as_bytes()),
        algorithm,
    )
    .expect("sign");
    format!("{message}.{signature}")
}

#[tokio::test]
async fn forged_expired_and_misaddressed_access_tokens_are_refused() {
    let app = TestApp::spawn_with(|c| c.jwt_secret = Some(SECRET.to_owned())).await;
    let mentor = app.mentor().await;
    let (header, claims) = (part(&mentor.access, 0), part(&mentor.access, 1));
    for claim in ["exp", "iss", "aud", "sub"] {
        assert!(
            claims.get(claim).is_some(),
            "access tokens must carry `{claim}`: {claims}"
        );
    }
    let algorithm: Algorithm = header["alg"]
        .as_str()
        .expect("alg")
        .parse()
        .expect("known alg");
    // Control: re-signing the genuine claims with the configured secret is accepted.
    let genuine = sign(&header, &claims, algorithm, SECRET);
    assert_eq!(
        viewer_id(&app, &genuine).await,
        json!(mentor.id),
        "control token must be accepted"
    );

    let now = chrono::Utc::now().timestamp();
    let with = |key: &str, value: Value| {
        let mut c = claims.clone();
        c[key] = value;
        c
    };
    let other_alg = if algorithm == Algorithm::HS512 {
        Algorithm::HS256
    } else {
        Algorithm::HS512
    };
    let mut forged = vec![
        (
            "expired two minutes ago",
            sign(&header, &with("exp", json!(now - 120)), algorithm, SECRET),
        ),
        (
            "another audience",
            sign(
                &header,
                &with("aud", json!("someone-else")),
                algorithm,
                SECRET,
            ),
        ),
        (
            "another issuer",
            sign(
                &header,
                &with("iss", json!("someone-else")),
                algorithm,
                SECRET,
            ),
        ),
        (
            "another secret",
            sign(
                &header,
                &claims,
                algorithm,
                "a-different-secret-of-similar-length-0123456789",
            ),
        ),
        (
            "another algorithm",
            sign(&header, &claims, other_alg, SECRET),
        ),
        (
            "alg none",
            format!(
                "{}.{}.",
                b64(&json!({ "alg": "none", "typ": "JWT" })),
                b64(&claims)
            ),
        ),
    ];
    // A token-type claim, if the server writes one, must be checked too.
    if let Some((key, _)) = claims
        .as_object()
        .and_then(|o| o.iter().find(|(_, v)| v.as_str() == Some("access")))
    {
        forged.push((
            "refresh type",
            sign(&header, &with(key, json!("refresh")), algorithm, SECRET),
        ));
    }
    for (what, token) in forged {
        let body = app.gql(Some(&token), VIEWER, json!({})).await;
        assert_eq!(codes(&body), ["UNAUTHENTICATED"], "{what}: {body}");
    }
}

#[tokio::test]
async fn access_and_refresh_tokens_expire_after_their_configured_lifetime() {
    let app = TestApp::spawn_with(|c| {
        c.access_token_ttl_secs = 1;
        c.refresh_token_ttl_secs = 1;
    })
    .await;
    let mentor = app.mentor().await;
    let login = app
        .data(
            None,
            LOGIN,
            json!({ "input": { "email": mentor.email, "password": PASSWORD } }),
        )
        .await;
    assert_eq!(login["login"]["expiresIn"], 1);
    assert_eq!(viewer_id(&app, &mentor.access).await, json!(mentor.id));
    // Past the lifetime plus the few seconds of clock skew the server tolerates.
    tokio::time::sleep(Duration::from_secs(8)).await;
    expect_code(
        &app.gql(mentor.tok(), VIEWER, json!({})).await,
        "UNAUTHENTICATED",
    );
    expect_code(
        &app.gql(None, REFRESH, json!({ "t": mentor.refresh })).await,
        "UNAUTHENTICATED",
    );
}

#[tokio::test]
async fn tokens_survive_a_restart_and_work_on_every_instance() {
    let mut app = TestApp::spawn().await;
    let mentor: Actor = app.mentor().await;
    if let Some(second) = app.another_instance().await {
        let body = app
            .gql_to(
                second.addr,
                Some(format!("Bearer {}", mentor.access)),
                VIEWER,
                json!({}),
            )
            .await;
        assert_eq!(
            body["data"]["viewer"]["id"],
            json!(mentor.id),
            "another instance accepts the token: {body}"
        );
        second.stop().await;
    }
    app.restart().await;
    assert_eq!(
        viewer_id(&app, &mentor.access).await,
        json!(mentor.id),
        "the token survives a restart"
    );
    ok(app.gql(None, REFRESH, json!({ "t": mentor.refresh })).await);
}
