//! `Idempotency-Key`: a retried creation returns the first answer and creates nothing more,
//! however many retries race; the same key with another request is refused.

use std::sync::Arc;

use serde_json::{Value, json};
use tokio::sync::Barrier;
use tokio::task::JoinSet;

use crate::fixtures::{Actor, CREATE_PROSPECT, PASSWORD};
use crate::helpers::{Reply, TestApp, codes, expect_code, int_at, str_at};

const KEY: &str = "idempotency-key";
const REPLAYED: &str = "idempotent-replayed";

fn prospect_input(program: &str, name: &str) -> Value {
    json!({ "input": { "programId": program, "name": name } })
}

async fn create(app: &TestApp, who: &Actor, key: &str, vars: Value) -> Reply {
    app.post_with(who.tok(), &[(KEY, key)], CREATE_PROSPECT, vars)
        .await
}

async fn prospect_count(app: &TestApp, who: &Actor) -> i64 {
    let data = app
        .data(who.tok(), "{ prospects { totalCount } }", json!({}))
        .await;
    int_at(&data, "/prospects/totalCount")
}

#[tokio::test]
async fn a_retry_with_the_same_key_and_body_gets_the_first_response_and_creates_nothing() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("STRICT").await;
    let vars = prospect_input(&w.program_id, "Retried");
    let first = create(&app, &w.mentee, "create-retried-1", vars.clone()).await;
    let retry = create(&app, &w.mentee, "create-retried-1", vars).await;

    assert_eq!(codes(&first.body), Vec::<String>::new(), "{}", first.text);
    assert_eq!(
        first.header(REPLAYED),
        None,
        "the first answer is not a replay"
    );
    assert_eq!(retry.header(REPLAYED), Some("true"));
    assert_eq!(retry.status, first.status);
    assert_eq!(retry.header("content-type"), first.header("content-type"));
    assert_eq!(retry.text, first.text, "the very same body");
    assert_eq!(prospect_count(&app, &w.mentee).await, 1);

    // A new key is a new request.
    let vars = prospect_input(&w.program_id, "Retried");
    let other = create(&app, &w.mentee, "create-retried-2", vars).await;
    assert_ne!(
        str_at(&other.body, "/data/createProspect/prospect/id"),
        str_at(&first.body, "/data/createProspect/prospect/id")
    );
    assert_eq!(prospect_count(&app, &w.mentee).await, 2);
}

#[tokio::test]
async fn the_same_key_with_another_body_is_refused_with_422_idempotency_key_reused() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("STRICT").await;
    let key = "create-once";
    let first = create(&app, &w.mentee, key, prospect_input(&w.program_id, "One")).await;
    assert_eq!(codes(&first.body), Vec::<String>::new(), "{}", first.text);

    let other = create(&app, &w.mentee, key, prospect_input(&w.program_id, "Two")).await;
    assert_eq!(other.status.as_u16(), 422, "{}", other.text);
    expect_code(&other.body, "IDEMPOTENCY_KEY_REUSED");
    assert_eq!(other.header(REPLAYED), None);
    let names = app
        .data(
            w.mentee.tok(),
            "{ prospects { nodes { name } } }",
            json!({}),
        )
        .await;
    assert_eq!(names["prospects"]["nodes"], json!([{ "name": "One" }]));
}

#[tokio::test]
async fn keys_belong_to_the_signed_in_user_so_another_user_with_the_same_key_is_not_replayed() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("STRICT").await;
    let other = app.sign_up(&w.invite_code).await;
    let vars = prospect_input(&w.program_id, "Same body");
    let mine = create(&app, &w.mentee, "shared-key", vars.clone()).await;
    let theirs = create(&app, &other, "shared-key", vars).await;
    assert_eq!(theirs.header(REPLAYED), None, "{}", theirs.text);
    assert_eq!(
        str_at(&theirs.body, "/data/createProspect/prospect/owner/id"),
        other.id
    );
    assert_ne!(
        str_at(&theirs.body, "/data/createProspect/prospect/id"),
        str_at(&mine.body, "/data/createProspect/prospect/id")
    );
    assert_eq!(prospect_count(&app, &w.mentee).await, 1);
    assert_eq!(prospect_count(&app, &other).await, 1);
}

#[tokio::test]
async fn a_refusal_of_an_ended_session_is_not_kept_for_the_key() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("STRICT").await;
    let again = app.login(&w.mentee.email, PASSWORD).await;
    app.data(
        w.mentee.tok(),
        "mutation($t: String!) { logout(refreshToken: $t) { ok } }",
        json!({ "t": w.mentee.refresh }),
    )
    .await;
    let vars = prospect_input(&w.program_id, "After signing in again");
    let refused = create(&app, &w.mentee, "after-logout", vars.clone()).await;
    expect_code(&refused.body, "UNAUTHENTICATED");
    // The client signs in again and retries with the same key: the work must be done now.
    let retried = create(&app, &again, "after-logout", vars).await;
    assert_eq!(
        codes(&retried.body),
        Vec::<String>::new(),
        "{}",
        retried.text
    );
    assert_eq!(retried.header(REPLAYED), None);
    assert_eq!(prospect_count(&app, &again).await, 1);
}

#[tokio::test]
async fn a_lowercase_bearer_scheme_gets_the_same_idempotency() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("STRICT").await;
    let authorization = format!("bearer {}", w.mentee.access);
    let headers = [
        ("Authorization", authorization.as_str()),
        (KEY, "lowercase"),
    ];
    let vars = prospect_input(&w.program_id, "Lowercase");
    let first = app
        .post_with(None, &headers, CREATE_PROSPECT, vars.clone())
        .await;
    assert_eq!(codes(&first.body), Vec::<String>::new(), "{}", first.text);
    let retry = app.post_with(None, &headers, CREATE_PROSPECT, vars).await;
    assert_eq!(retry.header(REPLAYED), Some("true"));
    assert_eq!(retry.text, first.text);
    assert_eq!(prospect_count(&app, &w.mentee).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_parallel_retries_with_one_key_create_exactly_one_prospect() {
    const RETRIES: usize = 50;
    let app = Arc::new(TestApp::spawn().await);
    let w = app.mentee_in_program("STRICT").await;
    let vars = prospect_input(&w.program_id, "Stormed");
    let barrier = Arc::new(Barrier::new(RETRIES));
    let mut set = JoinSet::new();
    for _ in 0..RETRIES {
        let (app, barrier, mentee, vars) =
            (app.clone(), barrier.clone(), w.mentee.clone(), vars.clone());
        set.spawn(async move {
            barrier.wait().await;
            create(&app, &mentee, "stormed-key", vars).await
        });
    }
    let replies = set.join_all().await;

    let ids: Vec<String> = replies
        .iter()
        .map(|r| {
            assert_eq!(codes(&r.body), Vec::<String>::new(), "{}", r.text);
            str_at(&r.body, "/data/createProspect/prospect/id")
        })
        .collect();
    assert_eq!(ids.len(), RETRIES);
    assert!(ids.iter().all(|id| id == &ids[0]), "{ids:?}");
    let originals = replies
        .iter()
        .filter(|r| r.header(REPLAYED).is_none())
        .count();
    assert_eq!(originals, 1, "exactly one request did the work");
    assert_eq!(prospect_count(&app, &w.mentee).await, 1);
}

#[tokio::test]
async fn a_response_whose_data_reads_like_an_internal_error_is_kept_for_the_key() {
    // Whether a response reports a server fault is told by its errors' codes, not by its
    // text: an alias can put `"code":"INTERNAL"` in `data`.
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("STRICT").await;
    let aliased = "mutation($input: CreateProspectInput!) { createProspect(input: $input) { \
        prospect { code: name } } }";
    let vars = prospect_input(&w.program_id, "INTERNAL");
    let send = || {
        app.post_with(
            w.mentee.tok(),
            &[(KEY, "reads-like-a-fault")],
            aliased,
            vars.clone(),
        )
    };
    let first = send().await;
    assert!(
        first.text.contains(r#""code":"INTERNAL""#),
        "the data reads like a fault: {}",
        first.text
    );
    assert_eq!(codes(&first.body), Vec::<String>::new(), "{}", first.text);
    let retry = send().await;
    assert_eq!(retry.header(REPLAYED), Some("true"), "{}", retry.text);
    assert_eq!(retry.text, first.text);
    assert_eq!(prospect_count(&app, &w.mentee).await, 1);
}
