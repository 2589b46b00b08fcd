//! Webhooks over the real protocol: a receiver on loopback checks every signature with its
//! own HMAC. Events reach only those who may see them, signed, with the same `webhook-id`
//! on every attempt; failures are retried and logged; secrets rotate with an overlap;
//! only a signed-in owner manages endpoints; private and plain-http destinations are
//! refused unless the operator allows them; redirects are not followed; an endpoint that
//! fails too long is disabled; nothing is lost across a server kill.

mod receiver;

use std::time::Duration;

use serde_json::{Value, json};

use crate::definitions::Answers;
use crate::fixtures::{Actor, World};
use crate::helpers::{TestApp, codes, expect_code, ok, str_at};
use receiver::Receiver;

pub const CREATE: &str = "mutation($input: CreateWebhookEndpointInput!) { \
    createWebhookEndpoint(input: $input) { secret endpoint { id url eventTypes enabled } } }";
const UPDATE: &str = "mutation($input: UpdateWebhookEndpointInput!) { \
    updateWebhookEndpoint(input: $input) { id url enabled disabledReason eventTypes } }";
const ROTATE: &str = "mutation($id: ID!, $h: Int!) { rotateWebhookSecret(id: $id, overlapHours: $h) { \
    secret endpoint { id previousSecretSignsUntil } } }";
const DELETE: &str = "mutation($id: ID!) { deleteWebhookEndpoint(id: $id) }";
const REDELIVER: &str =
    "mutation($id: ID!) { redeliverWebhook(deliveryId: $id) { id eventId state } }";
pub const DELIVERIES: &str = "{ webhookEndpoints { id enabled disabledReason failingSince \
    deliveries(first: 100) { totalCount nodes { id eventId eventType state attemptCount \
    lastStatusCode lastError nextAttemptAt deliveredAt attempts { number statusCode error durationMs } } } } }";
const CREATE_KEY: &str =
    "mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret } }";

/// A new endpoint of `actor` for `types` at `url`: (id, secret).
pub async fn endpoint(app: &TestApp, actor: &Actor, url: &str, types: &[&str]) -> (String, String) {
    let data = ok(app
        .gql(
            actor.tok(),
            CREATE,
            json!({ "input": { "url": url, "eventTypes": types, "description": "tests" } }),
        )
        .await);
    let created = &data["createWebhookEndpoint"];
    assert_eq!(created["endpoint"]["enabled"], json!(true));
    (str_at(created, "/endpoint/id"), str_at(created, "/secret"))
}

/// The deliveries of `actor`'s first endpoint, newest first.
pub async fn deliveries(app: &TestApp, actor: &Actor) -> Vec<Value> {
    let data = ok(app.gql(actor.tok(), DELIVERIES, json!({})).await);
    data["webhookEndpoints"][0]["deliveries"]["nodes"]
        .as_array()
        .expect("deliveries")
        .clone()
}

const ALL: [&str; 10] = [
    "PROSPECT_CREATED",
    "PROSPECT_QUALIFIED",
    "PROSPECT_DECIDED",
    "EXCEPTION_REQUESTED",
    "EXCEPTION_REVIEWED",
    "OUTCOME_RECORDED",
    "TEMPLATE_PUBLISHED",
    "MENTEE_JOINED",
    "MENTEE_REMOVED",
    "REQUALIFICATION_OVERDUE",
];

#[tokio::test]
async fn events_reach_only_those_who_may_see_them_signed_once_each() {
    let app = TestApp::spawn().await;
    let w: World = app.mentee_in_program("STRICT").await;
    let other: World = app.mentee_in_program("STRICT").await;
    let (mentor_hook, mentee_hook, stranger_hook) = (
        Receiver::start().await,
        Receiver::start().await,
        Receiver::start().await,
    );
    let (_, mentor_secret) = endpoint(&app, &w.mentor, &mentor_hook.url(), &ALL).await;
    let (_, mentee_secret) = endpoint(
        &app,
        &w.mentee,
        &mentee_hook.url(),
        &["PROSPECT_CREATED", "PROSPECT_QUALIFIED"],
    )
    .await;
    let (_, _) = endpoint(&app, &other.mentee, &stranger_hook.url(), &ALL).await;
    let (_, _) = endpoint(&app, &other.mentor, &stranger_hook.url(), &ALL).await;

    let prospect = app
        .create_prospect(&w.mentee, &w.program_id, "Hooked Ltd")
        .await;
    let qualified = app
        .qualify(&w.mentee, &prospect, &Answers::all_best(), None)
        .await;
    let decided = app
        .decide(&w.mentee, &prospect, "TAKE_ON", None, None)
        .await;
    let decision_id = str_at(&ok(decided), "/decideProspect/decision/id");

    let got = mentor_hook.wait_for(3).await;
    let mut types: Vec<&str> = got.iter().map(|r| r.event_type()).collect();
    types.sort_unstable();
    assert_eq!(
        types,
        ["prospect.created", "prospect.decided", "prospect.qualified"]
    );
    for r in &got {
        assert!(r.signed_by(&mentor_secret), "{r:?}");
        assert!(
            !r.signed_by(&mentee_secret),
            "each endpoint has its own secret"
        );
        assert_eq!(r.body["id"], json!(r.id), "the body names the webhook-id");
        assert!(r.id.starts_with("evt_"), "{}", r.id);
        assert!((chrono::Utc::now().timestamp() - r.timestamp).abs() < 60);
        assert_eq!(r.body["data"]["prospect"]["id"], json!(prospect));
        assert_eq!(r.body["data"]["prospect"]["programId"], json!(w.program_id));
        assert_eq!(r.body["data"]["prospect"]["ownerId"], json!(w.mentee.id));
    }
    let by_type = |t: &str| {
        got.iter()
            .find(|r| r.event_type() == t)
            .unwrap()
            .body
            .clone()
    };
    let q = by_type("prospect.qualified");
    assert_eq!(
        q["data"]["qualification"]["id"],
        qualified["qualification"]["id"]
    );
    assert_eq!(q["data"]["qualification"]["tier"], json!("A"));
    assert_eq!(q["data"]["qualification"]["verdict"], json!("ACCEPT"));
    assert_eq!(q["data"]["qualification"]["scoreBasisPoints"], json!(10000));
    let d = by_type("prospect.decided");
    assert_eq!(d["data"]["decision"]["id"], json!(decision_id));
    assert_eq!(d["data"]["decision"]["decision"], json!("TAKE_ON"));

    let mine = mentee_hook.wait_for(2).await;
    let mut types: Vec<&str> = mine.iter().map(|r| r.event_type()).collect();
    types.sort_unstable();
    assert_eq!(
        types,
        ["prospect.created", "prospect.qualified"],
        "only the types asked for"
    );
    assert!(mine.iter().all(|r| r.signed_by(&mentee_secret)));
    // The same event, told to two endpoints, has one id.
    let created_ids: Vec<&str> = got
        .iter()
        .chain(&mine)
        .filter(|r| r.event_type() == "prospect.created")
        .map(|r| r.id.as_str())
        .collect();
    assert_eq!(created_ids.len(), 2);
    assert_eq!(created_ids[0], created_ids[1]);

    // Wait past the deliveries of the others: the stranger's endpoints got nothing.
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    assert_eq!(stranger_hook.received().len(), 0);
    assert_eq!(mentor_hook.received().len(), 3, "each event once");
    assert_eq!(mentor_hook.malformed(), 0);

    let log = deliveries(&app, &w.mentor).await;
    assert_eq!(log.len(), 3);
    for d in &log {
        assert_eq!(d["state"], json!("DELIVERED"));
        assert_eq!(d["attemptCount"], json!(1));
        assert_eq!(d["lastStatusCode"], json!(200));
        assert_eq!(d["nextAttemptAt"], Value::Null);
        assert_eq!(d["attempts"].as_array().unwrap().len(), 1);
        assert_eq!(d["attempts"][0]["statusCode"], json!(200));
        assert!(got.iter().any(|r| json!(r.id) == d["eventId"]));
    }
}

#[tokio::test]
async fn a_failed_delivery_is_retried_with_the_same_id_and_every_attempt_is_logged() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("STRICT").await;
    let hook = Receiver::start().await;
    endpoint(&app, &w.mentee, &hook.url(), &["PROSPECT_CREATED"]).await;
    hook.answer(&[500, 503]);
    app.create_prospect(&w.mentee, &w.program_id, "Flaky Inc")
        .await;
    let got = hook.wait_for(3).await;
    assert!(
        got.iter().all(|r| r.id == got[0].id),
        "one webhook-id on every attempt"
    );
    assert!(
        got.iter().all(|r| r.raw == got[0].raw),
        "the same body on every attempt"
    );
    let mut log = Vec::new();
    for _ in 0..100 {
        log = deliveries(&app, &w.mentee).await;
        if log[0]["state"] == json!("DELIVERED") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let delivery = &log[0];
    assert_eq!(delivery["state"], json!("DELIVERED"));
    assert_eq!(delivery["attemptCount"], json!(3));
    let statuses: Vec<&Value> = delivery["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| &a["statusCode"])
        .collect();
    assert_eq!(statuses, [&json!(500), &json!(503), &json!(200)]);
    assert_eq!(delivery["attempts"][0]["error"], json!("answered 500"));
    assert_eq!(delivery["attempts"][2]["error"], Value::Null);

    // Sent again on request: a new delivery, the same event id.
    let again = ok(app
        .gql(w.mentee.tok(), REDELIVER, json!({ "id": delivery["id"] }))
        .await);
    assert_eq!(again["redeliverWebhook"]["eventId"], delivery["eventId"]);
    assert_eq!(again["redeliverWebhook"]["state"], json!("PENDING"));
    assert_ne!(again["redeliverWebhook"]["id"], delivery["id"]);
    let got = hook.wait_for(4).await;
    assert_eq!(got[3].id, got[0].id);
}

#[tokio::test]
async fn a_rotated_secret_signs_beside_the_old_one_until_the_overlap_ends() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("STRICT").await;
    let hook = Receiver::start().await;
    let (id, first) = endpoint(&app, &w.mentee, &hook.url(), &["PROSPECT_CREATED"]).await;
    let rotated = ok(app
        .gql(w.mentee.tok(), ROTATE, json!({ "id": id, "h": 24 }))
        .await);
    let second = str_at(&rotated, "/rotateWebhookSecret/secret");
    assert_ne!(first, second);
    assert!(rotated["rotateWebhookSecret"]["endpoint"]["previousSecretSignsUntil"].is_string());
    app.create_prospect(&w.mentee, &w.program_id, "One").await;
    let got = hook.wait_for(1).await;
    assert!(got[0].signed_by(&first) && got[0].signed_by(&second));
    assert_eq!(got[0].signatures.len(), 2);

    let rotated = ok(app
        .gql(w.mentee.tok(), ROTATE, json!({ "id": id, "h": 0 }))
        .await);
    let third = str_at(&rotated, "/rotateWebhookSecret/secret");
    assert_eq!(
        rotated["rotateWebhookSecret"]["endpoint"]["previousSecretSignsUntil"],
        Value::Null
    );
    app.create_prospect(&w.mentee, &w.program_id, "Two").await;
    let got = hook.wait_for(2).await;
    assert!(got[1].signed_by(&third));
    assert!(!got[1].signed_by(&second) && !got[1].signed_by(&first));
    assert_eq!(got[1].signatures.len(), 1);
}

#[tokio::test]
async fn only_the_signed_in_owner_manages_an_endpoint_and_bad_input_is_refused() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("STRICT").await;
    let other = app.mentee_in_program("STRICT").await;
    let hook = Receiver::start().await;
    let (id, _) = endpoint(&app, &w.mentee, &hook.url(), &["PROSPECT_CREATED"]).await;
    app.create_prospect(&w.mentee, &w.program_id, "Mine").await;
    hook.wait_for(1).await;
    let delivery = deliveries(&app, &w.mentee).await[0]["id"].clone();

    // Through a key, even a read-write one: FORBIDDEN.
    let key = ok(app
        .gql(
            w.mentee.tok(),
            CREATE_KEY,
            json!({ "input": { "name": "sync", "access": "READ_WRITE" } }),
        )
        .await);
    let key = str_at(&key, "/createApiKey/secret");
    let input = json!({ "input": { "url": hook.url(), "eventTypes": ["PROSPECT_CREATED"] } });
    expect_code(
        &app.gql(Some(&key), CREATE, input.clone()).await,
        "FORBIDDEN",
    );
    expect_code(
        &app.gql(Some(&key), DELIVERIES, json!({})).await,
        "FORBIDDEN",
    );
    expect_code(
        &app.gql(Some(&key), DELETE, json!({ "id": id })).await,
        "FORBIDDEN",
    );
    expect_code(&app.gql(None, CREATE, input).await, "UNAUTHENTICATED");

    // Another user's endpoint and delivery: not found, and unchanged.
    let theirs = other.mentee.tok();
    let change = json!({ "input": { "id": id, "enabled": false } });
    expect_code(&app.gql(theirs, UPDATE, change).await, "NOT_FOUND");
    expect_code(
        &app.gql(theirs, DELETE, json!({ "id": id })).await,
        "NOT_FOUND",
    );
    expect_code(
        &app.gql(theirs, ROTATE, json!({ "id": id, "h": 1 })).await,
        "NOT_FOUND",
    );
    expect_code(
        &app.gql(theirs, REDELIVER, json!({ "id": delivery })).await,
        "NOT_FOUND",
    );
    let theirs_listed = ok(app.gql(theirs, DELIVERIES, json!({})).await);
    assert_eq!(theirs_listed["webhookEndpoints"], json!([]));
    assert_eq!(deliveries(&app, &w.mentee).await.len(), 1);

    // Bad input, each on its field.
    let cases = [
        (
            json!({ "url": hook.url(), "eventTypes": [] }),
            "input.eventTypes",
        ),
        (
            json!({ "url": "not a url", "eventTypes": ["PROSPECT_CREATED"] }),
            "input.url",
        ),
        (
            json!({ "url": "ftp://example.com/x", "eventTypes": ["PROSPECT_CREATED"] }),
            "input.url",
        ),
        (
            json!({ "url": "https://u:p@example.com/", "eventTypes": ["PROSPECT_CREATED"] }),
            "input.url",
        ),
        (
            json!({ "url": hook.url(), "eventTypes": ["PROSPECT_CREATED"], "description": "x".repeat(501) }),
            "input.description",
        ),
    ];
    for (input, field) in cases {
        let body = app
            .gql(w.mentee.tok(), CREATE, json!({ "input": input }))
            .await;
        expect_code(&body, "BAD_USER_INPUT");
        assert_eq!(
            body["errors"][0]["extensions"]["field"],
            json!(field),
            "{body}"
        );
    }
    let body = app
        .gql(w.mentee.tok(), ROTATE, json!({ "id": id, "h": 1000 }))
        .await;
    assert_eq!(
        body["errors"][0]["extensions"]["field"],
        json!("overlapHours")
    );
    let body = app
        .gql(w.mentee.tok(), DELETE, json!({ "id": "not-an-id" }))
        .await;
    assert_eq!(codes(&body), ["NOT_FOUND"]);

    // The owner deletes it: gone from the list, nothing more sent.
    let deleted = ok(app.gql(w.mentee.tok(), DELETE, json!({ "id": id })).await);
    assert_eq!(deleted["deleteWebhookEndpoint"], json!(id));
    app.create_prospect(&w.mentee, &w.program_id, "After").await;
    tokio::time::sleep(Duration::from_millis(1_000)).await;
    assert_eq!(hook.received().len(), 1);
}

#[tokio::test]
async fn private_and_plain_http_destinations_are_refused_unless_the_operator_allows_them() {
    let app = TestApp::spawn_with(|config| {
        config.webhooks.allowed = api::events::destination::Allowed::default();
    })
    .await;
    let w = app.mentee_in_program("STRICT").await;
    let cases = [
        ("http://example.com/hook", "must be https"),
        ("https://127.0.0.1/hook", "points to a loopback address"),
        ("https://[::1]/hook", "points to a loopback address"),
        ("https://10.1.2.3/hook", "points to a private address"),
        ("https://192.168.0.10/hook", "points to a private address"),
        (
            "https://169.254.169.254/latest/meta-data",
            "points to a link-local address (cloud metadata included)",
        ),
        (
            "https://[::ffff:127.0.0.1]/",
            "points to a loopback address",
        ),
        ("https://0.0.0.0/", "points to an unspecified address"),
        (
            "https://localhost:8443/hook",
            "has a host name that points to a loopback address",
        ),
    ];
    for (url, why) in cases {
        let body = app
            .gql(
                w.mentee.tok(),
                CREATE,
                json!({ "input": { "url": url, "eventTypes": ["PROSPECT_CREATED"] } }),
            )
            .await;
        expect_code(&body, "BAD_USER_INPUT");
        assert_eq!(
            body["errors"][0]["extensions"]["field"],
            json!("input.url"),
            "{url}"
        );
        assert_eq!(
            body["errors"][0]["message"].as_str().unwrap_or_default(),
            format!("invalid input: input.url: {why}"),
            "{url}: {body}"
        );
    }
    let listed = ok(app.gql(w.mentee.tok(), DELIVERIES, json!({})).await);
    assert_eq!(listed["webhookEndpoints"], json!([]));
}

#[tokio::test]
async fn redirects_are_not_followed_and_an_endpoint_failing_too_long_is_disabled() {
    let app = TestApp::spawn_with(|config| {
        config.webhooks.disable_after = Duration::ZERO;
        config.webhooks.retry_base = Duration::from_millis(50);
    })
    .await;
    let w = app.mentee_in_program("STRICT").await;
    let hook = Receiver::start().await;
    endpoint(&app, &w.mentee, &hook.url(), &["PROSPECT_CREATED"]).await;
    hook.answer(&[307, 307]);
    app.create_prospect(&w.mentee, &w.program_id, "Moved").await;
    let mut listed = Value::Null;
    for _ in 0..100 {
        listed = ok(app.gql(w.mentee.tok(), DELIVERIES, json!({})).await);
        if listed["webhookEndpoints"][0]["enabled"] == json!(false) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let endpoint = &listed["webhookEndpoints"][0];
    assert_eq!(endpoint["enabled"], json!(false), "{listed}");
    assert_eq!(
        endpoint["disabledReason"],
        json!("every attempt failed for too long")
    );
    // Two attempts: the first starts the run of failures, the second finds it too long.
    let got = hook.received();
    assert_eq!(
        got.len(),
        2,
        "no redirect followed, nothing after disabling: {got:?}"
    );
    let delivery = &endpoint["deliveries"]["nodes"][0];
    assert_eq!(delivery["state"], json!("PENDING"));
    assert_eq!(delivery["lastStatusCode"], json!(307));
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(hook.received().len(), 2, "a disabled endpoint gets nothing");

    // Enabled again: the pending delivery goes out and the failures are forgotten.
    let id = endpoint["id"].clone();
    let enabled = ok(app
        .gql(
            w.mentee.tok(),
            UPDATE,
            json!({ "input": { "id": id, "enabled": true } }),
        )
        .await);
    assert_eq!(
        enabled["updateWebhookEndpoint"]["disabledReason"],
        Value::Null
    );
    let got = hook.wait_for(3).await;
    assert_eq!(got.len(), 3, "sent again at once, and answered 200");
    let mut delivered = false;
    for _ in 0..100 {
        let log = deliveries(&app, &w.mentee).await;
        if log[0]["state"] == json!("DELIVERED") {
            delivered = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(delivered);
}

#[tokio::test]
async fn every_kind_of_event_is_told_once_with_its_objects() {
    use crate::feedback::{RECORD, execute, month, uuid_of};
    use crate::fixtures::REVIEW_EXCEPTION;

    let mut app = TestApp::spawn().await;
    let w = app.mentee_in_program("REVIEW").await;
    let hook = Receiver::start().await;
    let (_, secret) = endpoint(&app, &w.mentor, &hook.url(), &ALL).await;

    let (prospect, _, _, exception) = app.pending_exception(&w.mentee, &w.program_id).await;
    let vars = json!({ "input": { "id": exception, "approve": true } });
    app.data(w.mentor.tok(), REVIEW_EXCEPTION, vars).await;
    let entry = json!({ "input": { "prospectId": prospect, "month": month(0),
        "revenue": { "amount": "1200.50", "currencyCode": "EUR" }, "energy": 4 } });
    let outcome = app.data(w.mentee.tok(), RECORD, entry).await;
    let (template, _) = app
        .create_template(
            &w.mentor,
            "Second",
            crate::definitions::standard_definition("STRICT"),
        )
        .await;
    let version = app.publish(&w.mentor, &template).await;
    let (_, code) = app.create_invite(&w.mentor, &w.program_id, None).await;
    let joined = app.sign_up(&code).await;
    let remove = "mutation($p: ID!, $m: ID!) { removeMentee(input: { programId: $p, menteeId: $m }) { removedMenteeId } }";
    app.data(
        w.mentor.tok(),
        remove,
        json!({ "p": w.program_id, "m": joined.id }),
    )
    .await;
    // A client whose re-qualification date passed yesterday: told when the worker looks
    // (at start, then every ten minutes), once.
    let yesterday = chrono::Utc::now().date_naive() - chrono::Days::new(1);
    execute(
        &app,
        "UPDATE prospects SET requalify_by = ? WHERE id = ?",
        vec![yesterday.into(), uuid_of(&prospect).into()],
    )
    .await;
    app.restart().await;

    let got = hook.wait_for(10).await;
    let mut types: Vec<&str> = got.iter().map(|r| r.event_type()).collect();
    types.sort_unstable();
    assert_eq!(
        types,
        [
            "exception.requested",
            "exception.reviewed",
            "mentee.joined",
            "mentee.removed",
            "outcome.recorded",
            "prospect.created",
            "prospect.decided",
            "prospect.qualified",
            "requalification.overdue",
            "template.published",
        ]
    );
    assert!(got.iter().all(|r| r.signed_by(&secret)));
    let body = |t: &str| got.iter().find(|r| r.event_type() == t).unwrap().body["data"].clone();
    assert_eq!(
        body("exception.requested")["exceptionRequest"]["status"],
        json!("PENDING")
    );
    assert_eq!(
        body("exception.reviewed")["exceptionRequest"]["id"],
        json!(exception)
    );
    assert_eq!(
        body("exception.reviewed")["exceptionRequest"]["status"],
        json!("APPROVED")
    );
    let recorded = body("outcome.recorded");
    assert_eq!(
        recorded["outcomeEntry"]["id"],
        outcome["recordOutcome"]["outcome"]["id"]
    );
    assert_eq!(recorded["outcomeEntry"]["month"], json!(month(0)));
    assert_eq!(recorded["outcomeEntry"]["revenueMinorUnits"], json!(120050));
    assert_eq!(
        body("template.published")["template"]["id"],
        json!(template)
    );
    assert_eq!(
        body("template.published")["templateVersion"]["id"],
        json!(version)
    );
    for t in ["mentee.joined", "mentee.removed"] {
        assert_eq!(body(t)["mentee"]["id"], json!(joined.id), "{t}");
        assert_eq!(body(t)["program"]["id"], json!(w.program_id), "{t}");
    }
    let overdue = body("requalification.overdue");
    assert_eq!(overdue["prospect"]["id"], json!(prospect));
    assert_eq!(overdue["requalifyBy"], json!(yesterday.to_string()));

    // Looked for again after another restart: still told once.
    app.restart().await;
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    assert_eq!(hook.received().len(), 10);
}

#[tokio::test]
async fn each_attempt_is_made_by_one_instance_when_several_share_the_database() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("STRICT").await;
    // Two more workers on the same database, competing for the same deliveries.
    let Some(second) = app.another_instance().await else {
        return;
    };
    let third = app.another_instance().await.expect("a third on PostgreSQL");
    let hook = Receiver::start().await;
    endpoint(&app, &w.mentor, &hook.url(), &["PROSPECT_CREATED"]).await;
    for i in 0..30 {
        app.create_prospect(&w.mentee, &w.program_id, &format!("Shared {i}"))
            .await;
    }
    let got = hook.wait_for(30).await;
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    let got_after = hook.received();
    assert_eq!(
        got_after.len(),
        30,
        "each event sent once: {}",
        got_after.len()
    );
    let ids: std::collections::BTreeSet<&str> = got.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids.len(), 30);
    let log = deliveries(&app, &w.mentor).await;
    assert_eq!(log.len(), 30);
    assert!(
        log.iter()
            .all(|d| d["attemptCount"] == json!(1) && d["state"] == json!("DELIVERED"))
    );
    second.stop().await;
    third.stop().await;
}
