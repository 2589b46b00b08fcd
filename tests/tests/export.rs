//! CSV exports: streamed, RFC 4180, formulas neutralised, with the `prospects` list's
//! visibility for a token or an API key.

use chrono::Datelike;
use serde_json::{Value, json};

use crate::definitions::Answers;
use crate::feedback::{RECORD, month, taken_on};
use crate::helpers::{TestApp, codes, ok, str_at, today};

/// (status, content type, rows) of an export.
async fn export(app: &TestApp, path: &str, token: Option<&str>) -> (u16, String, Vec<Vec<String>>) {
    let mut request = reqwest::Client::new().get(format!("http://{}{path}", app.addr));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("answered");
    let status = response.status().as_u16();
    let kind = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let bytes = response.bytes().await.expect("a body");
    if !kind.starts_with("text/csv") {
        let body: Value = serde_json::from_slice(&bytes).expect("a JSON error");
        return (status, kind, vec![codes(&body)]);
    }
    assert!(bytes.ends_with(b"\r\n"), "CRLF line ends");
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(&bytes[..]);
    let rows = reader
        .records()
        .map(|r| r.expect("a CSV record").iter().map(str::to_owned).collect())
        .collect();
    (status, kind, rows)
}

fn column(rows: &[Vec<String>], name: &str) -> Vec<String> {
    let at = rows[0].iter().position(|c| c == name).expect("a column");
    rows[1..].iter().map(|r| r[at].clone()).collect()
}

#[tokio::test]
async fn prospects_and_outcomes_come_out_as_csv_for_whoever_may_list_them() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("STRICT").await;
    let plain = app
        .create_prospect(&w.mentee, &w.program_id, "Acme, \"the\" best co")
        .await;
    let formula = app
        .create_prospect(&w.mentee, &w.program_id, "=HYPERLINK(\"http://evil\")")
        .await;
    app.qualify(&w.mentee, &plain, &Answers::all_best(), None)
        .await;
    ok(app.decide(&w.mentee, &plain, "TAKE_ON", None, None).await);
    let first_of_month = today().with_day(1).expect("a day");
    taken_on(&app, &plain, first_of_month - chrono::Months::new(3)).await;
    let this_month = month(0);
    ok(app
        .gql(
            w.mentee.tok(),
            RECORD,
            json!({ "input": { "prospectId": plain, "month": this_month,
                "revenue": { "amount": "1234.50", "currencyCode": "EUR" },
                "hours": "10", "energy": 5, "note": "@risk" } }),
        )
        .await);

    let (status, kind, rows) = export(&app, "/export/prospects.csv", Some(&w.mentee.access)).await;
    assert_eq!(status, 200);
    assert_eq!(kind, "text/csv; charset=utf-8; header=present");
    assert_eq!(rows[0][0], "id");
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert_eq!(column(&rows, "id"), [plain.clone(), formula.clone()]);
    assert_eq!(
        column(&rows, "name"),
        ["Acme, \"the\" best co", "'=HYPERLINK(\"http://evil\")"]
    );
    assert_eq!(column(&rows, "latest_tier"), ["A", ""]);
    assert_eq!(column(&rows, "latest_verdict"), ["ACCEPT", ""]);
    assert_eq!(column(&rows, "latest_score_basis_points"), ["10000", ""]);
    assert_eq!(column(&rows, "status"), ["TAKEN_ON", "NEW"]);
    assert_eq!(column(&rows, "latest_decision"), ["TAKE_ON", ""]);
    assert_eq!(column(&rows, "decisions"), ["1", "0"]);
    assert_eq!(
        column(&rows, "program_id"),
        [w.program_id.clone(), w.program_id.clone()]
    );

    // The mentor sees the same rows; another mentor none; nobody without credentials.
    let (_, _, theirs) = export(&app, "/export/prospects.csv", Some(&w.mentor.access)).await;
    assert_eq!(theirs, rows);
    let stranger = app.mentor().await;
    let (status, _, none) = export(&app, "/export/prospects.csv", Some(&stranger.access)).await;
    assert_eq!((status, none.len()), (200, 1), "only the header");
    let (status, _, refused) = export(&app, "/export/prospects.csv", None).await;
    assert_eq!(
        (status, refused),
        (401, vec![vec!["UNAUTHENTICATED".to_owned()]])
    );
    let (status, _, refused) = export(&app, "/export/prospects.csv", Some("qk_made-up")).await;
    assert_eq!(
        (status, refused),
        (401, vec![vec!["UNAUTHENTICATED".to_owned()]])
    );
    let (status, _, refused) = export(
        &app,
        "/export/prospects.csv?programId=nope",
        Some(&w.mentor.access),
    )
    .await;
    assert_eq!(
        (status, refused),
        (400, vec![vec!["BAD_USER_INPUT".to_owned()]])
    );
    let (status, _, refused) = export(
        &app,
        "/export/prospects.csv?other=1",
        Some(&w.mentor.access),
    )
    .await;
    assert_eq!(
        (status, refused),
        (400, vec![vec!["BAD_USER_INPUT".to_owned()]])
    );

    // A key narrowed to another program of the mentor's sees nothing of this one.
    let other = app.create_program(&w.mentor, &w.version_id).await;
    let created = ok(app
        .gql(
            Some(&w.mentor.access),
            "mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret } }",
            json!({ "input": { "name": "BI", "access": "READ", "programId": other } }),
        )
        .await);
    let key = str_at(&created, "/createApiKey/secret");
    let (_, _, narrowed) = export(&app, "/export/prospects.csv", Some(&key)).await;
    assert_eq!(narrowed.len(), 1);
    let path = format!("/export/prospects.csv?programId={}", w.program_id);
    let (_, _, one) = export(&app, &path, Some(&w.mentor.access)).await;
    assert_eq!(one, rows);
    let path = format!("/export/prospects.csv?programId={other}");
    let (_, _, empty) = export(&app, &path, Some(&w.mentor.access)).await;
    assert_eq!(empty.len(), 1);

    let (status, _, entries) = export(&app, "/export/outcomes.csv", Some(&w.mentor.access)).await;
    assert_eq!(status, 200);
    assert_eq!(entries.len(), 2, "{entries:?}");
    assert_eq!(column(&entries, "prospect_id"), [plain]);
    assert_eq!(column(&entries, "month"), [this_month]);
    assert_eq!(column(&entries, "revenue_minor_units"), ["123450"]);
    assert_eq!(column(&entries, "currency"), ["EUR"]);
    assert_eq!(column(&entries, "energy"), ["5"]);
    assert_eq!(column(&entries, "note"), ["'@risk"]);
}

#[tokio::test]
async fn an_export_larger_than_a_page_streams_every_row_once() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("STRICT").await;
    let vars =
        |n: usize| json!({ "input": { "programId": w.program_id, "name": format!("P{n:04}") } });
    let create = "mutation($input: CreateProspectInput!) { createProspect(input: $input) { prospect { id } } }";
    for n in 0..1_203 {
        ok(app.gql(w.mentee.tok(), create, vars(n)).await);
    }
    let (status, _, rows) = export(&app, "/export/prospects.csv", Some(&w.mentee.access)).await;
    assert_eq!(status, 200);
    let names = column(&rows, "name");
    let expected: Vec<String> = (0..1_203).map(|n| format!("P{n:04}")).collect();
    assert_eq!(names, expected, "oldest first, none twice, none missing");
}

#[tokio::test]
async fn qualifications_of_a_version_come_with_a_column_per_criterion() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("STRICT").await;
    let prospect = app.create_prospect(&w.mentee, &w.program_id, "Acme").await;
    app.qualify(&w.mentee, &prospect, &Answers::all_best(), None)
        .await;
    app.qualify(&w.mentee, &prospect, &Answers::middling(), None)
        .await;
    app.create_prospect(&w.mentee, &w.program_id, "Never qualified")
        .await;
    let path = format!("/export/qualifications.csv?versionId={}", w.version_id);
    let (status, _, rows) = export(&app, &path, Some(&w.mentee.access)).await;
    assert_eq!(status, 200, "{rows:?}");
    let keys = [
        "decision_maker",
        "values_expertise",
        "speaks_our_language",
        "revenue_fit",
        "standard_product",
        "team_fit",
        "growth",
        "bhag_fit",
        "energy",
        "referral",
    ];
    let answer_columns: Vec<String> = rows[0][12..].to_vec();
    let expected: Vec<String> = keys.iter().map(|k| format!("answer:{k}")).collect();
    assert_eq!(answer_columns, expected);
    assert_eq!(rows.len(), 3, "two qualifications");
    assert_eq!(
        column(&rows, "prospect_id"),
        [prospect.clone(), prospect.clone()]
    );
    assert_eq!(column(&rows, "score_basis_points"), ["10000", "6136"]);
    assert_eq!(column(&rows, "tier"), ["A", "B"]);
    assert_eq!(column(&rows, "verdict"), ["ACCEPT", "DECLINE"]);
    assert_eq!(column(&rows, "answer:decision_maker"), ["yes", "yes"]);
    assert_eq!(column(&rows, "answer:values_expertise"), ["5", "3"]);
    assert_eq!(column(&rows, "answer:revenue_fit"), ["100000", "30000"]);
    assert_eq!(column(&rows, "answer:referral"), ["yes", "no"]);
    // The mentor reads the same; a stranger's version is not there; bad ids are refused.
    let (_, _, theirs) = export(&app, &path, Some(&w.mentor.access)).await;
    assert_eq!(theirs, rows);
    let stranger = app.mentee_in_program("STRICT").await;
    let (status, _, refused) = export(&app, &path, Some(&stranger.mentee.access)).await;
    assert_eq!((status, refused), (404, vec![vec!["NOT_FOUND".to_owned()]]));
    let (status, _, refused) =
        export(&app, "/export/qualifications.csv", Some(&w.mentor.access)).await;
    assert_eq!(
        (status, refused),
        (400, vec![vec!["BAD_USER_INPUT".to_owned()]])
    );
    let (status, _, refused) = export(
        &app,
        "/export/qualifications.csv?versionId=x",
        Some(&w.mentor.access),
    )
    .await;
    assert_eq!(
        (status, refused),
        (400, vec![vec!["BAD_USER_INPUT".to_owned()]])
    );
}

#[tokio::test]
async fn the_wrong_method_is_a_405_that_says_which() {
    let app = TestApp::spawn().await;
    let client = reqwest::Client::new();
    for (method, path, allow) in [
        (reqwest::Method::POST, "/export/prospects.csv", "GET"),
        (reqwest::Method::DELETE, "/export/outcomes.csv", "GET"),
        (reqwest::Method::PUT, "/export/qualifications.csv", "GET"),
        (reqwest::Method::GET, "/import/prospects.csv", "POST"),
    ] {
        let response = client
            .request(method.clone(), format!("http://{}{path}", app.addr))
            .send()
            .await
            .expect("answered");
        assert_eq!(response.status().as_u16(), 405, "{method} {path}");
        assert_eq!(
            response
                .headers()
                .get("allow")
                .and_then(|v| v.to_str().ok()),
            Some(allow)
        );
        let body: Value = response.json().await.expect("JSON");
        assert_eq!(codes(&body), ["METHOD_NOT_ALLOWED"]);
    }
}
