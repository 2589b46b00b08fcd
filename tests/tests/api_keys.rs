//! API keys: made by a signed-in user, shown once, stored as a digest; a request with one
//! acts as its owner narrowed by its access and program, never manages the account, is
//! recorded in the audit trail, stops working on the next request after revocation,
//! expiry or the owner's removal, and is rate limited with `429` and `Retry-After`.

use std::time::Duration;

use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::definitions::Answers;
use crate::fixtures::{PASSWORD, QUALIFY, World};
use crate::helpers::{TestApp, codes, expect_code, ok, str_at};

const CREATE: &str = "mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { \
    secret apiKey { id name prefix access program { id } expiresAt createdAt lastUsedAt revokedAt } } }";
const KEYS: &str = "{ apiKeys { id name prefix access program { id } lastUsedAt revokedAt } }";
const REVOKE: &str = "mutation($id: ID!) { revokeApiKey(id: $id) { id revokedAt } }";
const VIEWER: &str = "{ viewer { id } }";
const PROGRAMS: &str = "{ programs(first: 10) { nodes { id } } }";
const CREATE_PROSPECT: &str = "mutation($input: CreateProspectInput!) { \
    createProspect(input: $input) { prospect { id } } }";
const PROSPECTS: &str = "{ prospects(first: 10) { totalCount nodes { id name } } }";
const TRAIL: &str = "query($filter: AuditFilter) { auditTrail(first: 10, filter: $filter) { \
    nodes { action objectId apiKeyId actor { __typename id name \
    ... on ApiKeyActor { prefix owner { id } } } } } }";

/// (secret, the key as listed) of a new key of `token`'s user.
async fn create(app: &TestApp, token: &str, input: Value) -> (String, Value) {
    let data = ok(app
        .gql(Some(token), CREATE, json!({ "input": input }))
        .await);
    let created = &data["createApiKey"];
    (str_at(created, "/secret"), created["apiKey"].clone())
}

async fn prospect_count(app: &TestApp, token: &str) -> i64 {
    let data = ok(app.gql(Some(token), PROSPECTS, json!({})).await);
    data["prospects"]["totalCount"].as_i64().expect("a count")
}

#[tokio::test]
async fn a_key_acts_as_its_owner_is_shown_once_and_is_stored_only_as_its_digest() {
    let app = TestApp::spawn().await;
    let World {
        mentee, program_id, ..
    } = app.mentee_in_program("STRICT").await;
    let (secret, key) = create(
        &app,
        &mentee.access,
        json!({ "name": "  CRM sync ", "access": "READ_WRITE" }),
    )
    .await;
    assert!(secret.starts_with("qk_"), "{secret}");
    assert_eq!(secret.len(), 46);
    assert_eq!(key["prefix"], &secret[..11]);
    assert_eq!(key["name"], "CRM sync");
    assert_eq!(key["access"], "READ_WRITE");
    assert_eq!(key["program"], Value::Null);
    assert_eq!(key["revokedAt"], Value::Null);
    assert_eq!(key["lastUsedAt"], Value::Null);

    // Listed without its secret, which is nowhere in the database either.
    let listed = ok(app.gql(Some(&mentee.access), KEYS, json!({})).await);
    assert_eq!(listed["apiKeys"].as_array().map(Vec::len), Some(1));
    assert_eq!(listed["apiKeys"][0]["id"], key["id"]);
    assert!(!listed.to_string().contains(&secret[11..]));
    let db = app.db().await;
    let backend = db.pool().get_database_backend();
    let rows = db
        .pool()
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT prefix, digest, name FROM api_keys",
        ))
        .await
        .expect("the keys");
    assert_eq!(rows.len(), 1);
    let digest: String = rows[0].try_get("", "digest").expect("digest");
    let expected: String = Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(digest, expected);

    // The key is its owner: the viewer, their programs, their writes.
    let me = ok(app.gql(Some(&secret), VIEWER, json!({})).await);
    assert_eq!(me["viewer"]["id"], mentee.id.as_str());
    let created = ok(app
        .gql(
            Some(&secret),
            CREATE_PROSPECT,
            json!({ "input": { "programId": program_id, "name": "Via key" } }),
        )
        .await);
    let prospect = str_at(&created, "/createProspect/prospect/id");
    assert_eq!(prospect_count(&app, &mentee.access).await, 1);

    // The trail says which key acted, and who owns it.
    let trail = ok(app
        .gql(
            Some(&mentee.access),
            TRAIL,
            json!({ "filter": { "objectId": prospect } }),
        )
        .await);
    let entries = trail["auditTrail"]["nodes"].as_array().expect("entries");
    assert_eq!(entries.len(), 1, "{trail:#}");
    assert_eq!(entries[0]["action"], "prospect.create");
    assert_eq!(entries[0]["apiKeyId"], key["id"]);
    let actor = &entries[0]["actor"];
    assert_eq!(actor["__typename"], "ApiKeyActor");
    assert_eq!(actor["id"], key["id"]);
    assert_eq!(actor["name"], "CRM sync");
    assert_eq!(actor["prefix"], key["prefix"]);
    assert_eq!(actor["owner"]["id"], mentee.id.as_str());
    let creation = ok(app
        .gql(
            Some(&mentee.access),
            TRAIL,
            json!({ "filter": { "action": "api_key.create" } }),
        )
        .await);
    let made = &creation["auditTrail"]["nodes"][0];
    assert_eq!(made["apiKeyId"], Value::Null, "made by the signed-in user");
    assert_eq!(made["actor"]["__typename"], "User");
    assert_eq!(made["actor"]["id"], mentee.id.as_str());

    // Its last use is recorded (after the answer, so looked for a moment).
    let mut last_used = Value::Null;
    for _ in 0..50 {
        let listed = ok(app.gql(Some(&mentee.access), KEYS, json!({})).await);
        last_used = listed["apiKeys"][0]["lastUsedAt"].clone();
        if !last_used.is_null() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(last_used.is_string(), "lastUsedAt never written");
}

#[tokio::test]
async fn a_read_only_key_reads_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("STRICT").await;
    app.create_prospect(&w.mentee, &w.program_id, "Existing")
        .await;
    let (secret, key) = create(
        &app,
        &w.mentee.access,
        json!({ "name": "BI", "access": "READ" }),
    )
    .await;
    assert_eq!(key["access"], "READ");
    assert_eq!(prospect_count(&app, &secret).await, 1);
    let refused = app
        .gql(
            Some(&secret),
            CREATE_PROSPECT,
            json!({ "input": { "programId": w.program_id, "name": "Nope" } }),
        )
        .await;
    let error = expect_code(&refused, "FORBIDDEN");
    assert!(
        error["message"]
            .as_str()
            .is_some_and(|m| m.contains("only read")),
        "{error}"
    );
    assert_eq!(refused["data"]["createProspect"], Value::Null);
    assert_eq!(prospect_count(&app, &w.mentee.access).await, 1);
}

#[tokio::test]
async fn a_program_key_reaches_only_its_program() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("STRICT").await;
    let other = app.create_program(&w.mentor, &w.version_id).await;
    let (secret, key) = create(
        &app,
        &w.mentor.access,
        json!({ "name": "One program", "access": "READ_WRITE", "programId": w.program_id }),
    )
    .await;
    assert_eq!(key["program"]["id"], w.program_id.as_str());

    let all = ok(app.gql(Some(&w.mentor.access), PROGRAMS, json!({})).await);
    assert_eq!(all["programs"]["nodes"].as_array().map(Vec::len), Some(2));
    let narrowed = ok(app.gql(Some(&secret), PROGRAMS, json!({})).await);
    assert_eq!(
        narrowed["programs"]["nodes"],
        json!([{ "id": w.program_id }])
    );
    let node = "query($id: ID!) { node(id: $id) { id } }";
    let here = ok(app
        .gql(Some(&secret), node, json!({ "id": w.program_id }))
        .await);
    assert_eq!(here["node"]["id"], w.program_id.as_str());
    let there = ok(app.gql(Some(&secret), node, json!({ "id": other })).await);
    assert_eq!(there["node"], Value::Null);
    let update = "mutation($input: UpdateProgramInput!) { updateProgram(input: $input) { program { name } } }";
    let refused = app
        .gql(
            Some(&secret),
            update,
            json!({ "input": { "id": other, "name": "Renamed by key" } }),
        )
        .await;
    expect_code(&refused, "NOT_FOUND");
    let allowed = ok(app
        .gql(
            Some(&secret),
            update,
            json!({ "input": { "id": w.program_id, "name": "Renamed by key" } }),
        )
        .await);
    assert_eq!(
        allowed["updateProgram"]["program"]["name"],
        "Renamed by key"
    );

    // A key for a program its user cannot see is refused, and so are bad inputs.
    let (stranger, _) = {
        let v = app.mentee_in_program("STRICT").await;
        (v.mentor, v.program_id)
    };
    let refused = app
        .gql(
            Some(&stranger.access),
            CREATE,
            json!({ "input": { "name": "x", "access": "READ", "programId": w.program_id } }),
        )
        .await;
    expect_code(&refused, "NOT_FOUND");
    for (input, field) in [
        (json!({ "name": "   ", "access": "READ" }), "input.name"),
        (
            json!({ "name": "x".repeat(101), "access": "READ" }),
            "input.name",
        ),
        (
            json!({ "name": "old", "access": "READ", "expiresAt": "2020-01-01T00:00:00Z" }),
            "input.expiresAt",
        ),
    ] {
        let refused = app
            .gql(Some(&w.mentor.access), CREATE, json!({ "input": input }))
            .await;
        let error = expect_code(&refused, "BAD_USER_INPUT");
        assert_eq!(error["extensions"]["field"], field, "{refused:#}");
    }
    let listed = ok(app.gql(Some(&w.mentor.access), KEYS, json!({})).await);
    assert_eq!(listed["apiKeys"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn no_key_manages_the_account() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("STRICT").await;
    let (secret, key) = create(
        &app,
        &w.mentee.access,
        json!({ "name": "All", "access": "READ_WRITE" }),
    )
    .await;
    let attempts = [
        (
            CREATE,
            json!({ "input": { "name": "more", "access": "READ" } }),
        ),
        (KEYS, json!({})),
        (REVOKE, json!({ "id": key["id"] })),
        ("{ sessions { id } }", json!({})),
        ("mutation { endOtherSessions { ended } }", json!({})),
        (
            "mutation($input: ChangePasswordInput!) { changePassword(input: $input) { accessToken } }",
            json!({ "input": { "currentPassword": PASSWORD, "newPassword": "another long passphrase 42" } }),
        ),
        (
            "mutation($input: DeleteAccountInput!) { deleteAccount(input: $input) { deletedUserId } }",
            json!({ "input": { "password": PASSWORD } }),
        ),
    ];
    for (query, variables) in attempts {
        let refused = app.gql(Some(&secret), query, variables).await;
        let error = expect_code(&refused, "FORBIDDEN");
        assert!(
            error["message"]
                .as_str()
                .is_some_and(|m| m.contains("API key")),
            "{query}: {refused:#}"
        );
    }
    // Nothing changed: the key works, the password too, one key listed.
    ok(app.gql(Some(&secret), VIEWER, json!({})).await);
    app.login(&w.mentee.email, PASSWORD).await;
    let listed = ok(app.gql(Some(&w.mentee.access), KEYS, json!({})).await);
    assert_eq!(listed["apiKeys"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn revocation_expiry_and_the_owners_removal_take_effect_on_the_next_request() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("STRICT").await;
    let (revoked, key) = create(
        &app,
        &w.mentee.access,
        json!({ "name": "to revoke", "access": "READ" }),
    )
    .await;
    ok(app.gql(Some(&revoked), VIEWER, json!({})).await);
    // Someone else cannot revoke it.
    let refused = app
        .gql(Some(&w.mentor.access), REVOKE, json!({ "id": key["id"] }))
        .await;
    expect_code(&refused, "NOT_FOUND");
    ok(app.gql(Some(&revoked), VIEWER, json!({})).await);
    let done = ok(app
        .gql(Some(&w.mentee.access), REVOKE, json!({ "id": key["id"] }))
        .await);
    let at = done["revokeApiKey"]["revokedAt"].clone();
    assert!(at.is_string());
    expect_code(
        &app.gql(Some(&revoked), VIEWER, json!({})).await,
        "UNAUTHENTICATED",
    );
    let again = ok(app
        .gql(Some(&w.mentee.access), REVOKE, json!({ "id": key["id"] }))
        .await);
    assert_eq!(again["revokeApiKey"]["revokedAt"], at, "revoked once");

    // Expiry.
    let soon = (chrono::Utc::now() + chrono::Duration::seconds(2)).to_rfc3339();
    let (expiring, _) = create(
        &app,
        &w.mentee.access,
        json!({ "name": "short", "access": "READ", "expiresAt": soon }),
    )
    .await;
    ok(app.gql(Some(&expiring), VIEWER, json!({})).await);
    tokio::time::sleep(Duration::from_millis(2_200)).await;
    expect_code(
        &app.gql(Some(&expiring), VIEWER, json!({})).await,
        "UNAUTHENTICATED",
    );

    // Made up, or tampered with.
    for bogus in ["qk_not-a-key", "qk_", &format!("{revoked}x")] {
        let answer = app.gql(Some(bogus), VIEWER, json!({})).await;
        assert_eq!(codes(&answer), ["UNAUTHENTICATED"], "{bogus}");
    }

    // The owner's removal.
    let (kept, _) = create(
        &app,
        &w.mentee.access,
        json!({ "name": "kept", "access": "READ_WRITE" }),
    )
    .await;
    ok(app.gql(Some(&kept), VIEWER, json!({})).await);
    ok(app
        .gql(
            Some(&w.mentee.access),
            "mutation($input: DeleteAccountInput!) { deleteAccount(input: $input) { deletedUserId } }",
            json!({ "input": { "password": PASSWORD } }),
        )
        .await);
    expect_code(
        &app.gql(Some(&kept), VIEWER, json!({})).await,
        "UNAUTHENTICATED",
    );
}

#[tokio::test]
async fn a_key_over_its_rate_gets_429_with_retry_after_and_other_keys_do_not() {
    let app = TestApp::spawn_with(|config| config.limits.api_key_requests_per_minute = 3).await;
    let w = app.mentee_in_program("STRICT").await;
    let (busy, _) = create(
        &app,
        &w.mentee.access,
        json!({ "name": "busy", "access": "READ" }),
    )
    .await;
    let (quiet, _) = create(
        &app,
        &w.mentee.access,
        json!({ "name": "quiet", "access": "READ" }),
    )
    .await;
    for _ in 0..3 {
        ok(app.gql(Some(&busy), VIEWER, json!({})).await);
    }
    let limited = app.post_with(Some(&busy), &[], VIEWER, json!({})).await;
    assert_eq!(limited.status, reqwest::StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = limited
        .header("retry-after")
        .and_then(|s| s.parse().ok())
        .expect("Retry-After in seconds");
    assert!((1..=20).contains(&wait), "{wait}");
    assert_eq!(codes(&limited.body), ["RATE_LIMITED"]);
    ok(app.gql(Some(&quiet), VIEWER, json!({})).await);
    // The signed-in owner is not limited by their key's rate.
    ok(app.gql(Some(&w.mentee.access), VIEWER, json!({})).await);
}

#[tokio::test]
async fn qualifications_and_decisions_made_through_a_key_name_it() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("STRICT").await;
    let (secret, key) = create(
        &app,
        &w.mentee.access,
        json!({ "name": "Intake bot", "access": "READ_WRITE" }),
    )
    .await;
    let by_key = app
        .create_prospect(&w.mentee, &w.program_id, "Via key")
        .await;
    let by_hand = app
        .create_prospect(&w.mentee, &w.program_id, "By hand")
        .await;
    let answers = Answers::all_best().json();
    ok(app
        .gql(
            Some(&secret),
            QUALIFY,
            json!({ "input": { "prospectId": by_key, "answers": answers } }),
        )
        .await);
    app.qualify(&w.mentee, &by_hand, &Answers::all_best(), None)
        .await;
    let seen = app.latest_qualification_id(&w.mentee, &by_key).await;
    let decide = "mutation($input: DecideProspectInput!) { decideProspect(input: $input) { prospect { id } } }";
    ok(app
        .gql(
            Some(&secret),
            decide,
            json!({ "input": { "prospectId": by_key, "qualificationId": seen, "decision": "TAKE_ON" } }),
        )
        .await);
    ok(app.decide(&w.mentee, &by_hand, "TAKE_ON", None, None).await);
    let who = "query($id: ID!) { node(id: $id) { ... on Prospect { \
        latestQualification { qualifiedBy { __typename id name ... on ApiKeyActor { owner { id } } } } \
        decisions(first: 5) { nodes { decidedBy { __typename id name ... on ApiKeyActor { owner { id } } } } } } } }";
    // The mentor reads who did it too.
    for reader in [&w.mentee.access, &w.mentor.access] {
        let via = ok(app.gql(Some(reader), who, json!({ "id": by_key })).await);
        let expected = json!({ "__typename": "ApiKeyActor", "id": key["id"], "name": "Intake bot",
                               "owner": { "id": w.mentee.id } });
        assert_eq!(via["node"]["latestQualification"]["qualifiedBy"], expected);
        assert_eq!(via["node"]["decisions"]["nodes"][0]["decidedBy"], expected);
        let hand = ok(app.gql(Some(reader), who, json!({ "id": by_hand })).await);
        let user = &hand["node"]["latestQualification"]["qualifiedBy"];
        assert_eq!(user["__typename"], "User");
        assert_eq!(user["id"], w.mentee.id.as_str());
        assert_eq!(
            hand["node"]["decisions"]["nodes"][0]["decidedBy"]["__typename"],
            "User"
        );
    }
}

/// The counters behind the limits cannot fail open. On PostgreSQL they are rows
/// (`throttle_buckets`, `login_failures`): with their tables gone, a key's request is 503
/// `INTERNAL` and a login `INTERNAL`, never let through uncounted, and no SQL leaks. On
/// SQLite they live in the process, so the same loss changes nothing.
#[tokio::test]
async fn a_limit_that_cannot_be_counted_refuses_the_request_and_leaks_nothing() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("STRICT").await;
    let (secret, _) = create(
        &app,
        &w.mentee.access,
        json!({ "name": "counted", "access": "READ" }),
    )
    .await;
    ok(app.gql(Some(&secret), VIEWER, json!({})).await);
    let email = crate::helpers::unique_email("counted");
    let failed = app
        .gql(
            None,
            crate::fixtures::LOGIN,
            json!({ "input": { "email": email, "password": PASSWORD } }),
        )
        .await;
    expect_code(&failed, "UNAUTHENTICATED");

    let db = app.db().await;
    for table in ["throttle_buckets", "login_failures"] {
        db.execute_unprepared(&format!("ALTER TABLE {table} RENAME TO {table}_gone"))
            .await
            .expect("rename");
    }
    let by_key = app.post_with(Some(&secret), &[], VIEWER, json!({})).await;
    let login = app
        .gql(
            None,
            crate::fixtures::LOGIN,
            json!({ "input": { "email": email, "password": PASSWORD } }),
        )
        .await;
    if app.on_sqlite() {
        assert_eq!(by_key.status, reqwest::StatusCode::OK);
        ok(by_key.body);
        expect_code(&login, "UNAUTHENTICATED");
    } else {
        assert_eq!(by_key.status, reqwest::StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(codes(&by_key.body), ["INTERNAL"]);
        expect_code(&login, "INTERNAL");
        for body in [&by_key.body, &login] {
            let text = body.to_string().to_lowercase();
            for secret in ["throttle", "login_failures", "relation", "sql", "table"] {
                assert!(!text.contains(secret), "{secret:?} in {text}");
            }
        }
    }
}
