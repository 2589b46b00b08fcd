//! Outcome entries, a program's currency and the end of a client, over HTTP: each refusal
//! on its own field, and the values read back exactly.

use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};

use crate::definitions::Answers;
use crate::feedback::{CORRECT, END_CLIENT, RECORD, month, month_start, taken_on};
use crate::helpers::{TestApp, expect_code, expect_field, ok, str_at, today};

/// The audit log's actions on `object` (a global id), oldest first.
async fn audited(app: &TestApp, object: &str) -> Vec<String> {
    let db = app.db().await;
    let backend = db.get_database_backend();
    let placeholder = if backend == sea_orm::DbBackend::Postgres {
        "$1"
    } else {
        "?"
    };
    let sql = format!("SELECT action FROM audit_log WHERE object_id = {placeholder} ORDER BY id");
    let uuid = crate::feedback::uuid_of(object);
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(backend, sql, [uuid.into()]))
        .await
        .expect("read the audit log");
    rows.iter()
        .map(|row| row.try_get_by_index::<String>(0).expect("an action"))
        .collect()
}

/// The detail of the audit record of `action` on `object` (a global id).
async fn audit_detail(app: &TestApp, object: &str, action: &str) -> Value {
    let db = app.db().await;
    let backend = db.get_database_backend();
    let (object_at, action_at) = if backend == sea_orm::DbBackend::Postgres {
        ("$1", "$2")
    } else {
        ("?", "?")
    };
    let sql = format!(
        "SELECT CAST(detail AS TEXT) FROM audit_log \
         WHERE object_id = {object_at} AND action = {action_at}"
    );
    let uuid = crate::feedback::uuid_of(object);
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [uuid.into(), action.into()],
        ))
        .await
        .expect("read the audit log")
        .expect("an audit record");
    let text: String = row.try_get_by_index(0).expect("a detail");
    serde_json::from_str(&text).expect("JSON")
}

fn entry(prospect: &str, month: &str, amount: &str) -> Value {
    json!({ "prospectId": prospect, "month": month,
            "revenue": { "amount": amount, "currencyCode": "EUR" },
            "hours": "12.5", "customHours": "2.25", "energy": 4, "note": " Good month " })
}

#[tokio::test]
async fn an_entry_is_recorded_exactly_and_each_bad_value_is_refused_on_its_field() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("REVIEW").await;
    let me = &w.mentee;
    let client = app
        .client(me, &w.program_id, "Client", &Answers::good(), None)
        .await;
    let record = |input: Value| app.gql(me.tok(), RECORD, json!({ "input": input }));

    let recorded = ok(record(entry(&client, &month(0), "1234.5")).await);
    let outcome = &recorded["recordOutcome"]["outcome"];
    let quarter = format!(
        "{}-Q{}",
        &month(0)[..4],
        (month(0)[5..].parse::<u32>().expect("month") - 1) / 3 + 1
    );
    assert_eq!(
        outcome,
        &json!({ "id": outcome["id"], "month": month(0), "quarter": quarter,
            "revenue": { "amount": "1234.50", "currencyCode": "EUR" },
            "hours": "12.50", "customHours": "2.25", "energy": 4, "note": "Good month",
            "revision": 1 })
    );
    assert_eq!(recorded["recordOutcome"]["prospect"]["id"], client);
    let id = str_at(outcome, "/id");

    // The same month again: a conflict, not a second entry.
    let again = record(entry(&client, &month(0), "1.00")).await;
    assert_eq!(
        expect_code(&again, "CONFLICT")["extensions"]["reason"],
        "DUPLICATE"
    );
    // Before the take-on month, in the future: the month.
    expect_field(
        &record(entry(&client, &month(1), "1.00")).await,
        "input.month",
    );
    let next = today()
        .checked_add_months(chrono::Months::new(1))
        .expect("date")
        .format("%Y-%m")
        .to_string();
    expect_field(&record(entry(&client, &next, "1.00")).await, "input.month");
    // Each value on its own field.
    taken_on(&app, &client, month_start(1)).await;
    let m1 = month(1);
    let cases: [(Value, &str); 8] = [
        (entry(&client, &m1, "-1.00"), "input.revenue.amount"),
        (entry(&client, &m1, "1.005"), "input.revenue.amount"),
        (
            json!({ "prospectId": client, "month": m1, "energy": 3,
                    "revenue": { "amount": "1.00", "currencyCode": "USD" } }),
            "input.revenue.currencyCode",
        ),
        (
            json!({ "prospectId": client, "month": m1, "energy": 6,
                    "revenue": { "amount": "1.00", "currencyCode": "EUR" } }),
            "input.energy",
        ),
        (
            json!({ "prospectId": client, "month": m1, "energy": 3, "hours": "2",
                    "customHours": "3", "revenue": { "amount": "1.00", "currencyCode": "EUR" } }),
            "input.customHours",
        ),
        (
            json!({ "prospectId": client, "month": m1, "energy": 3, "hours": "745",
                    "revenue": { "amount": "1.00", "currencyCode": "EUR" } }),
            "input.hours",
        ),
        (
            json!({ "prospectId": client, "month": m1, "energy": 3, "customHours": "1",
                    "revenue": { "amount": "1.00", "currencyCode": "EUR" } }),
            "input.hours",
        ),
        (
            json!({ "prospectId": client, "month": m1, "energy": 0, "hours": "-1",
                    "revenue": { "amount": "1.00", "currencyCode": "EUR" } }),
            "input.energy",
        ),
    ];
    for (input, field) in cases {
        let body = record(input.clone()).await;
        expect_field(&body, field);
        assert_eq!(body["data"]["recordOutcome"], Value::Null, "{input}");
    }
    // A decimal that is not one, and the wrong scalar: refused before the resolver.
    let bad = record(entry(&client, &m1, "12,50")).await;
    expect_code(&bad, "BAD_USER_INPUT");
    let bad_month = record(entry(&client, "2027-1", "1")).await;
    expect_code(&bad_month, "BAD_USER_INPUT");
    // At most 10^15 minor units a month, exactly (sums beyond 2^53: `feedback::access`).
    let too_big = json!({ "prospectId": client, "month": m1, "energy": 5,
                          "revenue": { "amount": "10000000000000.01", "currencyCode": "EUR" } });
    expect_field(&record(too_big).await, "input.revenue.amount");
    let big = json!({ "prospectId": client, "month": m1, "energy": 5,
                      "revenue": { "amount": "9999999999999.99", "currencyCode": "EUR" } });
    let big = ok(record(big).await);
    assert_eq!(
        big["recordOutcome"]["outcome"]["revenue"]["amount"],
        "9999999999999.99"
    );
    assert_eq!(big["recordOutcome"]["outcome"]["hours"], Value::Null);

    // A correction: values replaced, revision bumped; a stale one changes nothing.
    let fix = json!({ "input": { "id": id, "expectedRevision": 1, "energy": 2,
        "revenue": { "amount": 1300, "currencyCode": "EUR" }, "hours": "10" } });
    let fixed = app.data(me.tok(), CORRECT, fix.clone()).await;
    assert_eq!(
        fixed["correctOutcome"]["outcome"],
        json!({ "id": id, "month": month(0), "revenue": { "amount": "1300.00", "currencyCode": "EUR" },
                "hours": "10.00", "customHours": null, "energy": 2, "note": null, "revision": 2 })
    );
    let stale = app.gql(me.tok(), CORRECT, fix).await;
    assert_eq!(
        expect_code(&stale, "CONFLICT")["extensions"]["reason"],
        "STALE_REVISION"
    );
    // Recorded, then corrected once: the stale attempt left no trace. The correction's
    // record keeps what the entry was, and what it became.
    assert_eq!(
        audited(&app, &id).await,
        ["outcome.record", "outcome.corrected"]
    );
    assert_eq!(
        audit_detail(&app, &id, "outcome.corrected").await,
        json!({
            "before": { "revision": 1, "revenueMinor": 123_450, "hoursHundredths": 1250,
                        "customHoursHundredths": 225, "energy": 4, "note": "Good month" },
            "after": { "revision": 2, "revenueMinor": 130_000, "hoursHundredths": 1000,
                       "customHoursHundredths": null, "energy": 2, "note": null }
        })
    );
    let wrong = json!({ "input": { "id": id, "expectedRevision": 2, "energy": 9,
        "revenue": { "amount": "-5", "currencyCode": "EUR" } } });
    let wrong = app.gql(me.tok(), CORRECT, wrong).await;
    expect_field(&wrong, "input.energy");
    expect_field(&wrong, "input.revenue.amount");

    // The entries, as the client's list and by id.
    let read = "query($id: ID!, $o: ID!) { p: node(id: $id) { ... on Prospect { \
        client { outcomes(first: 10) { totalCount nodes { month revenue { amount } revision } } } } } \
        o: node(id: $o) { ... on OutcomeEntry { id energy prospect { id } } } }";
    let vars = json!({ "id": client, "o": id });
    let mine = app.data(me.tok(), read, vars.clone()).await;
    assert_eq!(
        mine["p"]["client"]["outcomes"],
        json!({ "totalCount": 2, "nodes": [
            { "month": month(0), "revenue": { "amount": "1300.00" }, "revision": 2 },
            { "month": m1, "revenue": { "amount": "9999999999999.99" }, "revision": 1 },
        ] })
    );
    assert_eq!(
        mine["o"],
        json!({ "id": id, "energy": 2, "prospect": { "id": client } })
    );
    let mentors = app.data(w.mentor.tok(), read, vars.clone()).await;
    assert_eq!(mentors, mine);
    // Another mentee of the program: neither the prospect nor the entry.
    let peer = app.sign_up(&w.invite_code).await;
    let theirs = app.data(peer.tok(), read, vars).await;
    assert_eq!(theirs, json!({ "p": null, "o": null }));
    // Nor may they or the mentor change it.
    let mentor_fix = json!({ "input": { "id": id, "expectedRevision": 2, "energy": 1,
        "revenue": { "amount": "1", "currencyCode": "EUR" } } });
    expect_code(
        &app.gql(w.mentor.tok(), CORRECT, mentor_fix.clone()).await,
        "FORBIDDEN",
    );
    expect_code(&app.gql(peer.tok(), CORRECT, mentor_fix).await, "NOT_FOUND");
    let peer_entry = app
        .gql(
            peer.tok(),
            RECORD,
            json!({ "input": entry(&client, &m1, "1") }),
        )
        .await;
    expect_code(&peer_entry, "NOT_FOUND");
}

#[tokio::test]
async fn only_clients_have_outcomes() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("REVIEW").await;
    let me = &w.mentee;
    let turned_down = app.create_prospect(me, &w.program_id, "No").await;
    app.qualify(me, &turned_down, &Answers::good(), None).await;
    ok(app.decide(me, &turned_down, "TURN_DOWN", None, None).await);
    let (pending, ..) = app.pending_exception(me, &w.program_id).await;
    for prospect in [&turned_down, &pending] {
        let body = app
            .gql(
                me.tok(),
                RECORD,
                json!({ "input": entry(prospect, &month(0), "1") }),
            )
            .await;
        expect_field(&body, "input.prospectId");
        let view = "query($id: ID!) { node(id: $id) { ... on Prospect { intake { tier } client { takenOn } } } }";
        let seen = app.data(me.tok(), view, json!({ "id": prospect })).await;
        assert_eq!(seen["node"], json!({ "intake": null, "client": null }));
        let end = json!({ "input": { "prospectId": prospect, "reason": "COMPLETED",
                                     "endedOn": today().to_string() } });
        expect_field(
            &app.gql(me.tok(), END_CLIENT, end).await,
            "input.prospectId",
        );
    }
}

#[tokio::test]
async fn a_programs_currency_is_its_mentors_until_an_outcome_is_recorded() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("REVIEW").await;
    let set = "mutation($input: SetProgramCurrencyInput!) { setProgramCurrency(input: $input) { \
        program { id currency revision } } }";
    let to = |code: &str| json!({ "input": { "programId": w.program_id, "currency": code } });
    let usd = app.data(w.mentor.tok(), set, to("USD")).await;
    assert_eq!(usd["setProgramCurrency"]["program"]["currency"], "USD");
    assert_eq!(usd["setProgramCurrency"]["program"]["revision"], 2);
    expect_code(&app.gql(w.mentee.tok(), set, to("EUR")).await, "FORBIDDEN");
    let stranger = app.mentor().await;
    expect_code(&app.gql(stranger.tok(), set, to("EUR")).await, "NOT_FOUND");
    expect_code(
        &app.gql(w.mentor.tok(), set, to("XYZ")).await,
        "BAD_USER_INPUT",
    );

    let client = app
        .client(&w.mentee, &w.program_id, "Client", &Answers::good(), None)
        .await;
    // An entry in euros is refused now; in dollars it is recorded.
    let euros = app
        .gql(
            w.mentee.tok(),
            RECORD,
            json!({ "input": entry(&client, &month(0), "5") }),
        )
        .await;
    expect_field(&euros, "input.revenue.currencyCode");
    let dollars = json!({ "prospectId": client, "month": month(0), "energy": 3,
                          "revenue": { "amount": "5", "currencyCode": "USD" } });
    let recorded = app
        .data(w.mentee.tok(), RECORD, json!({ "input": dollars }))
        .await;
    assert_eq!(
        recorded["recordOutcome"]["outcome"]["revenue"],
        json!({ "amount": "5.00", "currencyCode": "USD" })
    );
    let refused = app.gql(w.mentor.tok(), set, to("EUR")).await;
    assert_eq!(
        expect_code(&refused, "CONFLICT")["extensions"]["reason"],
        "OUTCOMES_RECORDED"
    );
    let read = "query($id: ID!) { node(id: $id) { ... on Program { currency } } }";
    let still = app
        .data(w.mentor.tok(), read, json!({ "id": w.program_id }))
        .await;
    assert_eq!(still["node"]["currency"], "USD");
    // Setting the currency it has changes nothing, and is allowed.
    let same = app.data(w.mentor.tok(), set, to("USD")).await;
    assert_eq!(same["setProgramCurrency"]["program"]["revision"], 2);
    // A new program in yen: whole amounts.
    let create = "mutation { createProgram(input: { name: \"Tokyo\", currency: JPY }) { program { currency } } }";
    let created = app.gql(w.mentor.tok(), create, json!({})).await;
    expect_code(&created, "BAD_USER_INPUT");
    let create = "mutation { createProgram(input: { name: \"Tokyo\", currency: \"JPY\" }) { program { currency } } }";
    let created = app.data(w.mentor.tok(), create, json!({})).await;
    assert_eq!(created["createProgram"]["program"]["currency"], "JPY");
}

#[tokio::test]
async fn an_ended_client_shows_its_end_and_an_overdue_plan_flags_a_client_for_exit() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("REVIEW").await;
    let me = &w.mentee;
    let planned = app
        .client(
            me,
            &w.program_id,
            "Planned",
            &Answers::middling(),
            Some(crate::feedback::plan()),
        )
        .await;
    let view = "query($id: ID!) { node(id: $id) { ... on Prospect { \
        intake { tier verdict path qualification { id verdict } templateVersion { id } } \
        client { takenOn endedOn endReason endNote flaggedForExit revision } } } }";
    let read = || app.data(me.tok(), view, json!({ "id": planned }));
    let before = read().await;
    let intake = &before["node"]["intake"];
    assert_eq!(
        (&intake["tier"], &intake["verdict"], &intake["path"]),
        (&json!("B"), &json!("ACCEPT_WITH_PLAN"), &json!("RULE"))
    );
    assert_eq!(intake["qualification"]["verdict"], "ACCEPT_WITH_PLAN");
    assert_eq!(intake["templateVersion"]["id"], w.version_id.as_str());
    assert_eq!(
        before["node"]["client"],
        json!({ "takenOn": today().to_string(), "endedOn": null, "endReason": null,
                "endNote": null, "flaggedForExit": false, "revision": 1 })
    );
    // The re-qualification date passes: flagged for exit.
    let yesterday = today().pred_opt().expect("a date");
    crate::feedback::execute(
        &app,
        "UPDATE prospects SET requalify_by = ? WHERE id = ?",
        vec![yesterday.into(), crate::feedback::uuid_of(&planned).into()],
    )
    .await;
    assert_eq!(read().await["node"]["client"]["flaggedForExit"], true);

    let end = |on: String, revision: i64| {
        json!({ "input": { "prospectId": planned, "reason": "CLIENT_LEFT", "endedOn": on,
                           "note": "Moved abroad", "expectedRevision": revision } })
    };
    let early = today()
        .checked_sub_days(chrono::Days::new(40))
        .expect("date");
    expect_field(
        &app.gql(me.tok(), END_CLIENT, end(early.to_string(), 1))
            .await,
        "input.endedOn",
    );
    let stale = app
        .gql(me.tok(), END_CLIENT, end(today().to_string(), 7))
        .await;
    assert_eq!(
        expect_code(&stale, "CONFLICT")["extensions"]["reason"],
        "STALE_REVISION"
    );
    expect_code(
        &app.gql(w.mentor.tok(), END_CLIENT, end(today().to_string(), 1))
            .await,
        "FORBIDDEN",
    );
    let ended = app
        .data(me.tok(), END_CLIENT, end(today().to_string(), 1))
        .await;
    let expected = json!({ "takenOn": today().to_string(), "endedOn": today().to_string(),
        "endReason": "CLIENT_LEFT", "endNote": "Moved abroad", "flaggedForExit": false,
        "revision": 2 });
    assert_eq!(ended["endClient"]["prospect"]["client"], expected);
    assert_eq!(read().await["node"]["client"], expected);
    let twice = app
        .gql(me.tok(), END_CLIENT, end(today().to_string(), 2))
        .await;
    assert_eq!(
        expect_code(&twice, "CONFLICT")["extensions"]["reason"],
        "ALREADY_ENDED"
    );
}
