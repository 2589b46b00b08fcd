//! Mutations that return tokens refuse an `Idempotency-Key`: no token is ever stored in the
//! idempotency table, and a retry cannot hand one out again.

use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};

use crate::fixtures::{Actor, LOGIN, PASSWORD, SIGN_UP};
use crate::helpers::{TestApp, codes, error_fields, unique_email};

const KEY: &str = "idempotency-key";
const REFRESH: &str =
    "mutation($t: String!) { refreshSession(refreshToken: $t) { accessToken refreshToken } }";
const CHANGE: &str = "mutation($input: ChangePasswordInput!) { changePassword(input: $input) { accessToken refreshToken } }";

/// Every stored response body of the idempotency table.
async fn stored_bodies(app: &TestApp) -> Vec<String> {
    let db = app.db().await;
    let backend = db.get_database_backend();
    let rows = db
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT response_body FROM idempotency_keys",
        ))
        .await
        .expect("read the idempotency table");
    rows.iter()
        .filter_map(|row| row.try_get_by_index::<Option<String>>(0).ok().flatten())
        .collect()
}

fn refused_for_the_key(body: &Value, what: &str) {
    assert_eq!(
        codes(body),
        vec!["BAD_USER_INPUT".to_owned()],
        "{what}: {body}"
    );
    assert_eq!(
        body["errors"][0]["extensions"]["field"], "Idempotency-Key",
        "{what}: {body}"
    );
    assert!(
        error_fields(body).iter().all(|f| f == "Idempotency-Key"),
        "{what}: {body}"
    );
}

#[tokio::test]
async fn token_mutations_refuse_an_idempotency_key_and_nothing_secret_is_stored() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("STRICT").await;
    let me: &Actor = &w.mentee;
    let cases: Vec<(&str, &str, Value)> = vec![
        ("refreshSession", REFRESH, json!({ "t": me.refresh })),
        (
            "changePassword",
            CHANGE,
            json!({ "input": { "currentPassword": PASSWORD, "newPassword": "a brand new passphrase" } }),
        ),
        (
            "login",
            LOGIN,
            json!({ "input": { "email": me.email, "password": PASSWORD } }),
        ),
        (
            "signUp",
            SIGN_UP,
            json!({ "input": { "email": unique_email("keyed"), "password": PASSWORD, "name": "K",
                            "inviteCode": w.invite_code } }),
        ),
    ];
    for (n, (what, query, vars)) in cases.into_iter().enumerate() {
        let key = format!("auth-key-{n}");
        let first = app
            .post_with(me.tok(), &[(KEY, &key)], query, vars.clone())
            .await;
        refused_for_the_key(&first.body, what);
        let again = app.post_with(me.tok(), &[(KEY, &key)], query, vars).await;
        refused_for_the_key(&again.body, what);
    }
    // Nothing happened: the refresh token was not rotated, the password not changed.
    let refreshed = app.gql(None, REFRESH, json!({ "t": me.refresh })).await;
    assert_eq!(codes(&refreshed), Vec::<String>::new(), "{refreshed}");
    let new_refresh = refreshed["data"]["refreshSession"]["refreshToken"]
        .as_str()
        .expect("a new refresh token")
        .to_owned();
    let login = app
        .gql(
            None,
            LOGIN,
            json!({ "input": { "email": me.email, "password": PASSWORD } }),
        )
        .await;
    assert_eq!(codes(&login), Vec::<String>::new(), "{login}");

    let bodies = stored_bodies(&app).await;
    assert!(!bodies.is_empty(), "the refusals are kept like any answer");
    for body in &bodies {
        for secret in [&me.access, &me.refresh, &new_refresh, &PASSWORD.to_owned()] {
            assert!(!body.contains(secret.as_str()), "a secret stored: {body}");
        }
        assert!(
            !body.contains("accessToken"),
            "no token payload stored: {body}"
        );
    }
}

#[tokio::test]
async fn a_keyed_mutation_that_returns_no_token_is_stored_with_its_response() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("STRICT").await;
    let logout = "mutation { logout { ok } }";
    let first = app
        .post_with(w.mentor.tok(), &[(KEY, "logout-1")], logout, json!({}))
        .await;
    assert_eq!(first.body["data"]["logout"]["ok"], true, "{}", first.text);
    let bodies = stored_bodies(&app).await;
    assert_eq!(bodies, vec![first.text.clone()]);
}

/// The user id inside a global id (`base64url("User:<uuid>")`).
fn user_uuid(id: &str) -> uuid::Uuid {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(id)
        .expect("a global id");
    let text = String::from_utf8(bytes).expect("UTF-8");
    let raw = text.strip_prefix("User:").expect("a user id");
    uuid::Uuid::try_parse(raw).expect("a uuid")
}

#[tokio::test]
async fn a_claim_committed_without_its_response_by_a_dead_process_is_taken_over_at_once() {
    use sha2::{Digest, Sha256};
    // A deadline far beyond the bound below: waiting for it could not pass for "at once".
    let app = TestApp::spawn_with(|config| {
        config.limits.request_timeout = std::time::Duration::from_secs(60);
    })
    .await;
    let w = app.mentee_in_program("STRICT").await;
    let query = crate::fixtures::CREATE_PROSPECT;
    let vars = json!({ "input": { "programId": w.program_id, "name": "Orphaned" } });
    // What an older server committed before dying mid-request: the claim alone.
    let body = serde_json::to_vec(&json!({ "query": query, "variables": vars })).expect("JSON");
    let hash: String = Sha256::digest(&body)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let db = app.db().await;
    match store::idempotency::claim(&db, user_uuid(&w.mentee.id), "orphaned-key", &hash)
        .await
        .expect("claim")
    {
        store::idempotency::Claim::Claimed(txn) => {
            txn.commit().await.expect("commit the claim alone");
        }
        _ => panic!("a fresh key is claimed"),
    }
    let started = std::time::Instant::now();
    let retry = app
        .post_with(
            w.mentee.tok(),
            &[(KEY, "orphaned-key")],
            query,
            vars.clone(),
        )
        .await;
    assert_eq!(codes(&retry.body), Vec::<String>::new(), "{}", retry.text);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(20),
        "taken over without waiting for a deadline: {:?}",
        started.elapsed()
    );
    let again = app
        .post_with(w.mentee.tok(), &[(KEY, "orphaned-key")], query, vars)
        .await;
    assert_eq!(again.text, retry.text, "then replayed");
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
}
