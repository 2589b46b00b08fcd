//! CSV import of prospects: checked as a whole, all or nothing, every error by row and
//! column; the caller needs what `createProspect` needs.

use serde_json::{Value, json};

use crate::helpers::{TestApp, ok, str_at};

const PROSPECTS: &str = "{ prospects(first: 50) { totalCount nodes { name company notes } } }";

async fn import(
    app: &TestApp,
    token: Option<&str>,
    program: &str,
    body: &str,
    headers: &[(&str, &str)],
) -> (u16, Value) {
    let mut request = reqwest::Client::new()
        .post(format!(
            "http://{}/import/prospects.csv?programId={program}",
            app.addr
        ))
        .header("content-type", "text/csv")
        .body(body.to_owned());
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.expect("answered");
    let status = response.status().as_u16();
    (status, response.json().await.expect("JSON"))
}

fn problems(body: &Value) -> Vec<(i64, String, String)> {
    body["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| {
            (
                e["extensions"]["row"].as_i64().unwrap_or(-1),
                e["extensions"]["column"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                e["extensions"]["code"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            )
        })
        .collect()
}

async fn count(app: &TestApp, token: &str) -> i64 {
    ok(app.gql(Some(token), PROSPECTS, json!({})).await)["prospects"]["totalCount"]
        .as_i64()
        .expect("a count")
}

#[tokio::test]
async fn a_file_is_imported_whole_or_not_at_all() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("STRICT").await;
    let me = w.mentee.access.as_str();

    // One bad cell anywhere: nothing is written, every problem is listed.
    let bad = "name,company,notes\nAcme,Acme Ltd,\n ,Blank name,\nGood,,\"bell\u{7}\"\n";
    let (status, body) = import(&app, Some(me), &w.program_id, bad, &[]).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(
        problems(&body),
        [
            (3, "name".to_owned(), "BAD_USER_INPUT".to_owned()),
            (4, "notes".to_owned(), "BAD_USER_INPUT".to_owned())
        ]
    );
    assert_eq!(count(&app, me).await, 0);

    let good = "Name,Notes,Company\r\n\"Acme, Inc.\",\"two\nlines\",Acme\r\nBeta,,\r\n";
    let (status, body) = import(&app, Some(me), &w.program_id, good, &[]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["imported"], 2);
    assert_eq!(
        body["data"]["prospectIds"].as_array().map(Vec::len),
        Some(2)
    );
    let listed = ok(app.gql(Some(me), PROSPECTS, json!({})).await);
    let mut names: Vec<Value> = listed["prospects"]["nodes"]
        .as_array()
        .expect("nodes")
        .clone();
    names.sort_by_key(|n| n["name"].as_str().unwrap_or_default().to_owned());
    assert_eq!(
        names,
        [
            json!({ "name": "Acme, Inc.", "company": "Acme", "notes": "two\nlines" }),
            json!({ "name": "Beta", "company": null, "notes": null })
        ]
    );

    // The trail has one entry per prospect.
    let trail = ok(app
        .gql(
            Some(me),
            "{ auditTrail(first: 10, filter: { action: \"prospect.create\" }) { totalCount } }",
            json!({}),
        )
        .await);
    assert_eq!(trail["auditTrail"]["totalCount"], 2);

    // An Idempotency-Key replays the answer and imports once.
    let key = [("idempotency-key", "import-1")];
    let once = import(&app, Some(me), &w.program_id, "name\nGamma\n", &key).await;
    let twice = import(&app, Some(me), &w.program_id, "name\nGamma\n", &key).await;
    assert_eq!(once.0, 200, "{}", once.1);
    assert_eq!(once, twice);
    assert_eq!(count(&app, me).await, 3);
}

#[tokio::test]
async fn only_whoever_may_create_prospects_there_imports() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("STRICT").await;
    let file = "name\nAcme\n";
    let (status, body) = import(&app, None, &w.program_id, file, &[]).await;
    assert_eq!(
        (status, body["errors"][0]["extensions"]["code"].clone()),
        (401, json!("UNAUTHENTICATED"))
    );
    // Mentors do not own prospects.
    let (status, _) = import(&app, Some(&w.mentor.access), &w.program_id, file, &[]).await;
    assert_eq!(status, 403);
    // Another program's mentee: as if it did not exist.
    let other = app.mentee_in_program("STRICT").await;
    let (status, _) = import(&app, Some(&other.mentee.access), &w.program_id, file, &[]).await;
    assert_eq!(status, 404);
    // A read-only key may not.
    let created = ok(app
        .gql(
            Some(&w.mentee.access),
            "mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret } }",
            json!({ "input": { "name": "r", "access": "READ" } }),
        )
        .await);
    let key = str_at(&created, "/createApiKey/secret");
    let (status, body) = import(&app, Some(&key), &w.program_id, file, &[]).await;
    assert_eq!(status, 403, "{body}");
    // Not CSV, a bad program id, an unknown parameter.
    let response = reqwest::Client::new()
        .post(format!(
            "http://{}/import/prospects.csv?programId={}",
            app.addr, w.program_id
        ))
        .bearer_auth(&w.mentee.access)
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .expect("answered");
    assert_eq!(response.status().as_u16(), 415);
    let (status, _) = import(&app, Some(&w.mentee.access), "nope", file, &[]).await;
    assert_eq!(status, 400);
    assert_eq!(count(&app, &w.mentee.access).await, 0);
    // A write key imports, and the trail names it.
    let created = ok(app
        .gql(
            Some(&w.mentee.access),
            "mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret apiKey { id } } }",
            json!({ "input": { "name": "w", "access": "READ_WRITE" } }),
        )
        .await);
    let key = str_at(&created, "/createApiKey/secret");
    let (status, body) = import(&app, Some(&key), &w.program_id, file, &[]).await;
    assert_eq!(status, 200, "{body}");
    let trail = ok(app
        .gql(
            Some(&w.mentee.access),
            "{ auditTrail(first: 1, filter: { action: \"prospect.create\" }) { nodes { apiKeyId } } }",
            json!({}),
        )
        .await);
    assert_eq!(
        trail["auditTrail"]["nodes"][0]["apiKeyId"],
        created["createApiKey"]["apiKey"]["id"]
    );
    assert_eq!(count(&app, &w.mentee.access).await, 1);
}
