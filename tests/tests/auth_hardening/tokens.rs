//! Forged access tokens: every way of bending the JWT rules is `UNAUTHENTICATED`, while the
//! same claims signed properly are accepted (so each refusal is the rule at work, not a typo).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey};
use serde_json::{Value, json};

use super::{assert_refused, invite_code, viewer};
use crate::fixtures::Actor;
use crate::helpers::{TestApp, codes};

const SECRET: &str = "auth-hardening-secret-of-well-over-thirty-two-bytes-0123456789";

fn b64(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}

/// The decoded header (0) or claims (1) of a JWT.
fn segment(token: &str, index: usize) -> Value {
    let text = token.split('.').nth(index).expect("three JWT segments");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(text).expect("base64url")).expect("JSON")
}

/// `header.claims` signed with `signer` and `secret`, whatever the header's `alg` says.
fn forge(header: &Value, claims: &Value, signer: Algorithm, secret: &str) -> String {
    let message = format!("{}.{}", b64(header), b64(claims));
    let key = EncodingKey::from_secret(secret.as_bytes());
    let signature = jsonwebtoken::crypto::sign(message.as_bytes(), &key, signer).expect("sign");
    format!("{message}.{signature}")
}

/// Properly signed by the server's rules: HS256 with the configured secret.
fn signed(claims: &Value) -> String {
    forge(
        &json!({ "alg": "HS256", "typ": "JWT" }),
        claims,
        Algorithm::HS256,
        SECRET,
    )
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// The claims of `actor`'s access token with `key` set to `value` (`Value::Null` removes it).
fn with(actor: &Actor, key: &str, value: Value) -> Value {
    let mut claims = segment(&actor.access, 1);
    match value {
        Value::Null => {
            claims.as_object_mut().expect("claims object").remove(key);
        }
        value => claims[key] = value,
    }
    claims
}

async fn app_with_known_secret() -> (TestApp, Actor) {
    let app = TestApp::spawn_with(|c| c.jwt_secret = Some(SECRET.to_owned())).await;
    let mentor = app.mentor().await;
    (app, mentor)
}

#[tokio::test]
async fn tokens_with_alg_none_or_another_algorithm_are_unauthenticated() {
    let (app, mentor) = app_with_known_secret().await;
    let claims = segment(&mentor.access, 1);
    assert_eq!(
        segment(&mentor.access, 0)["alg"],
        "HS256",
        "HS256 is pinned"
    );
    assert_eq!(
        viewer(&app, &signed(&claims)).await,
        Ok(mentor.id.clone()),
        "control: the genuine claims, re-signed with HS256 and the secret, are accepted"
    );
    let genuine_signature = mentor.access.rsplit('.').next().expect("signature");
    let header = |alg: &str| json!({ "alg": alg, "typ": "JWT" });
    let cases = [
        (
            "alg none, no signature",
            format!("{}.{}.", b64(&header("none")), b64(&claims)),
        ),
        (
            "alg None, no signature",
            format!("{}.{}.", b64(&header("None")), b64(&claims)),
        ),
        (
            "alg none with the genuine signature",
            format!(
                "{}.{}.{genuine_signature}",
                b64(&header("none")),
                b64(&claims)
            ),
        ),
        (
            "no alg at all",
            format!("{}.{}.", b64(&json!({ "typ": "JWT" })), b64(&claims)),
        ),
        (
            "HS512 with the right secret",
            forge(&header("HS512"), &claims, Algorithm::HS512, SECRET),
        ),
        (
            "HS384 with the right secret",
            forge(&header("HS384"), &claims, Algorithm::HS384, SECRET),
        ),
        (
            "RS256 header, HMAC-signed with the secret (key confusion)",
            forge(&header("RS256"), &claims, Algorithm::HS256, SECRET),
        ),
        (
            "EdDSA header, HMAC-signed with the secret",
            forge(&header("EdDSA"), &claims, Algorithm::HS256, SECRET),
        ),
    ];
    for (what, token) in cases {
        assert_refused(&app, &token, what).await;
    }
}

#[tokio::test]
async fn a_refresh_token_used_as_an_access_token_is_unauthenticated() {
    let (app, mentor) = app_with_known_secret().await;
    assert_refused(&app, &mentor.refresh, "the opaque refresh token").await;
    // Even a properly signed JWT is refused when it says it is not an access token.
    for typ in [json!("refresh"), json!("ACCESS"), Value::Null] {
        let token = signed(&with(&mentor, "typ", typ.clone()));
        assert_refused(&app, &token, &format!("typ {typ}")).await;
    }
    assert_eq!(
        viewer(&app, &signed(&with(&mentor, "typ", json!("access")))).await,
        Ok(mentor.id.clone()),
        "control: typ access is accepted"
    );
}

#[tokio::test]
async fn tampered_claims_or_signatures_are_unauthenticated() {
    let (app, mentor) = app_with_known_secret().await;
    let other = app.mentor().await;
    let [header, claims, signature]: [&str; 3] = mentor
        .access
        .split('.')
        .collect::<Vec<_>>()
        .try_into()
        .expect("three JWT segments");
    // New claims under the genuine header and signature.
    let resealed = |claims: Value| format!("{header}.{}.{signature}", b64(&claims));
    let flipped = {
        let first = if signature.starts_with('A') { "B" } else { "A" };
        format!("{header}.{claims}.{first}{}", &signature[1..])
    };
    let cases = [
        (
            "another user's id",
            resealed(with(
                &mentor,
                "sub",
                segment(&other.access, 1)["sub"].clone(),
            )),
        ),
        (
            "role changed to MENTEE",
            resealed(with(&mentor, "role", json!("MENTEE"))),
        ),
        (
            "expiry pushed a day out",
            resealed(with(&mentor, "exp", json!(now() + 86_400))),
        ),
        ("one signature character changed", flipped),
        ("signature removed", format!("{header}.{claims}.")),
        (
            "signed with another secret",
            forge(
                &segment(&mentor.access, 0),
                &segment(&mentor.access, 1),
                Algorithm::HS256,
                "another-secret-of-well-over-thirty-two-bytes-0123456789",
            ),
        ),
    ];
    for (what, token) in cases {
        assert_refused(&app, &token, what).await;
    }
    assert_eq!(viewer(&app, &mentor.access).await, Ok(mentor.id.clone()));
    assert_eq!(viewer(&app, &other.access).await, Ok(other.id.clone()));
}

#[tokio::test]
async fn correctly_signed_tokens_with_wrong_or_missing_claims_are_unauthenticated() {
    let (app, mentor) = app_with_known_secret().await;
    let cases = [
        ("another issuer", "iss", json!("someone-else")),
        ("no issuer", "iss", Value::Null),
        ("another audience", "aud", json!("someone-else")),
        (
            "an audience list without ours",
            "aud",
            json!(["someone-else"]),
        ),
        ("no audience", "aud", Value::Null),
        ("no expiry", "exp", Value::Null),
        ("no issued-at", "iat", Value::Null),
        ("issued a minute in the future", "iat", json!(now() + 60)),
        ("no subject", "sub", Value::Null),
        ("an unknown role", "role", json!("ADMIN")),
        (
            "a user that does not exist",
            "sub",
            json!(uuid::Uuid::now_v7().to_string()),
        ),
    ];
    for (what, key, value) in cases {
        assert_refused(&app, &signed(&with(&mentor, key, value)), what).await;
    }
}

#[tokio::test]
async fn a_token_expired_beyond_the_five_second_leeway_is_unauthenticated() {
    let (app, mentor) = app_with_known_secret().await;
    let expiring = |exp: i64| signed(&with(&mentor, "exp", json!(exp)));
    assert_eq!(
        viewer(&app, &expiring(now() + 60)).await,
        Ok(mentor.id.clone()),
        "control: a token valid for another minute is accepted"
    );
    // Six seconds ago is past any leeway of at most five seconds.
    assert_refused(&app, &expiring(now() - 6), "expired 6 s ago").await;
    assert_refused(&app, &expiring(now() - 3600), "expired an hour ago").await;
}

#[tokio::test]
async fn a_signed_token_naming_a_session_that_does_not_exist_is_unauthenticated() {
    let (app, mentor) = app_with_known_secret().await;
    let other = app.mentor().await;
    let cases = [
        (
            "a random session id",
            json!(uuid::Uuid::now_v7().to_string()),
        ),
        (
            "another user's live session",
            segment(&other.access, 1)["sid"].clone(),
        ),
    ];
    for (what, sid) in cases {
        assert_refused(&app, &signed(&with(&mentor, "sid", sid)), what).await;
    }
    assert_eq!(
        viewer(
            &app,
            &signed(&with(
                &mentor,
                "sid",
                segment(&mentor.access, 1)["sid"].clone()
            ))
        )
        .await,
        Ok(mentor.id.clone()),
        "control: the token's own session is accepted"
    );
}

#[tokio::test]
async fn the_role_comes_from_the_account_not_from_the_token() {
    let (app, mentor) = app_with_known_secret().await;
    let as_mentee = signed(&with(&mentor, "role", json!("MENTEE")));
    let body = app
        .gql(Some(&as_mentee), "{ viewer { id role } }", json!({}))
        .await;
    assert_eq!(body["data"]["viewer"]["role"], "MENTOR", "{body}");
    // A mentee whose token claims MENTOR stays a mentee: mentor-only mutations are refused.
    let code = invite_code(&app).await;
    let mentee = app.sign_up(&code).await;
    let as_mentor = signed(&with(&mentee, "role", json!("MENTOR")));
    let body = app
        .gql(Some(&as_mentor), "{ viewer { role } }", json!({}))
        .await;
    assert_eq!(body["data"]["viewer"]["role"], "MENTEE", "{body}");
    let body = app
        .gql(
            Some(&as_mentor),
            "mutation { createProgram(input: { name: \"Mine\", description: \"\" }) { program { id } } }",
            json!({}),
        )
        .await;
    assert_eq!(codes(&body), vec!["FORBIDDEN".to_owned()], "{body}");
}

#[tokio::test]
async fn a_token_lives_no_longer_than_the_configured_ttl_whatever_its_exp_says() {
    let (app, mentor) = app_with_known_secret().await;
    let aged = |age: i64| {
        let mut claims = with(&mentor, "iat", json!(now() - age));
        claims["exp"] = json!(now() + 10 * 365 * 86_400);
        signed(&claims)
    };
    assert_eq!(
        viewer(&app, &aged(60)).await,
        Ok(mentor.id.clone()),
        "control: issued a minute ago, well within the 900 s TTL"
    );
    assert_refused(&app, &aged(906), "issued 906 s ago with a far exp").await;
    assert_refused(&app, &aged(86_400), "issued a day ago with a far exp").await;
}
