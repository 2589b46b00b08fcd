//! Who reads which feedback loop: the mentee their own clients, the mentor their programs'
//! (or one program's, or one mentee's), nobody else anything of them.

use serde_json::json;

use super::figures::expected;
use super::{FEEDBACK, Loop, month};
use crate::definitions::Answers;
use crate::helpers::{expect_code, expect_field, ok};

#[tokio::test]
async fn the_mentor_reads_the_same_figures_for_the_program_the_mentee_and_all_programs() {
    let l = Loop::build().await;
    let mentor = &l.w.mentor;
    let expected = expected(&l);
    for (program, mentee) in [
        (Some(l.w.program_id.as_str()), None),
        (None, None),
        (None, Some(l.w.mentee.id.as_str())),
        (Some(l.w.program_id.as_str()), Some(l.w.mentee.id.as_str())),
    ] {
        let data = ok(l.feedback(mentor, program, mentee).await);
        assert_eq!(data["feedback"], expected, "{program:?} {mentee:?}");
    }
    // The mentee may name their program and themself; the figures are the same.
    let own = l
        .feedback(&l.w.mentee, Some(&l.w.program_id), Some(&l.w.mentee.id))
        .await;
    assert_eq!(ok(own)["feedback"], expected);
}

#[tokio::test]
async fn nobody_else_learns_anything_of_a_programs_feedback() {
    let l = Loop::build().await;
    let app = &l.app;
    let other = app.mentee_in_program("REVIEW").await;
    // Another mentor: the program and the mentee are not found.
    for (program, mentee) in [
        (Some(l.w.program_id.as_str()), None),
        (None, Some(l.w.mentee.id.as_str())),
    ] {
        let body = l.feedback(&other.mentor, program, mentee).await;
        expect_code(&body, "NOT_FOUND");
        assert_eq!(body["data"]["feedback"], serde_json::Value::Null);
    }
    // Their own programs have no client: nothing of the world shows.
    let theirs = ok(l.feedback(&other.mentor, None, None).await);
    assert_eq!(theirs["feedback"]["clientCount"], 0);
    assert_eq!(theirs["feedback"]["pareto"]["head"], json!([]));
    // Another mentee: not their program, not themself; their own clients are none.
    for (program, mentee) in [
        (Some(l.w.program_id.as_str()), None),
        (None, Some(l.w.mentee.id.as_str())),
    ] {
        let body = l.feedback(&other.mentee, program, mentee).await;
        expect_code(&body, "NOT_FOUND");
    }
    let own = ok(l.feedback(&other.mentee, None, None).await);
    assert_eq!(own["feedback"]["clientCount"], 0);
    // A second mentee of the same program sees only their own (none).
    let peer = app.sign_up(&l.w.invite_code).await;
    let peer_view = ok(l.feedback(&peer, Some(&l.w.program_id), None).await);
    assert_eq!(peer_view["feedback"]["clientCount"], 0);
    assert_eq!(
        peer_view["feedback"]["pareto"]["totalRevenue"]["amount"],
        "0.00"
    );
    // The mentor names a user who is no mentee of theirs: themself, another mentor.
    for user in [&l.w.mentor.id, &other.mentor.id, &other.mentee.id] {
        let body = l.feedback(&l.w.mentor, None, Some(user)).await;
        expect_code(&body, "NOT_FOUND");
    }
    // Without a token.
    let anonymous = app
        .gql(None, FEEDBACK, json!({ "from": month(2), "to": month(0) }))
        .await;
    expect_code(&anonymous, "UNAUTHENTICATED");
}

#[tokio::test]
async fn programs_in_different_currencies_are_analysed_one_at_a_time() {
    let l = Loop::build().await;
    let app = &l.app;
    let mentor = &l.w.mentor;
    // A second program of the same mentor, in US dollars, with one client.
    let create = "mutation($input: CreateProgramInput!) { createProgram(input: $input) { \
        program { id currency } } }";
    let vars = json!({ "input": { "name": "US program", "standardVersionId": l.w.version_id,
                                  "currency": "USD" } });
    let created = app.data(mentor.tok(), create, vars).await;
    assert_eq!(created["createProgram"]["program"]["currency"], "USD");
    let usd = created["createProgram"]["program"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let (_, code) = app.create_invite(mentor, &usd, None).await;
    let dollar_mentee = app.sign_up(&code).await;
    let client = app
        .client(
            &dollar_mentee,
            &usd,
            "Dollar client",
            &Answers::good(),
            None,
        )
        .await;
    let input = json!({ "prospectId": client, "month": month(0),
        "revenue": { "amount": "9999999999999.999", "currencyCode": "USD" }, "energy": 4 });
    let refused = app
        .gql(
            dollar_mentee.tok(),
            super::RECORD,
            json!({ "input": input }),
        )
        .await;
    expect_field(&refused, "input.revenue.amount");
    // Ten months of nearly the most a month may bring: a sum beyond 2^53 minor units.
    super::taken_on(app, &client, super::month_start(9)).await;
    for back in 0..10 {
        let amount = if back == 0 {
            "9999999999999.98"
        } else {
            "9999999999999.99"
        };
        let input = json!({ "prospectId": client, "month": month(back),
            "revenue": { "amount": amount, "currencyCode": "USD" }, "energy": 4 });
        app.data(
            dollar_mentee.tok(),
            super::RECORD,
            json!({ "input": input }),
        )
        .await;
    }

    let mixed = l.feedback(mentor, None, None).await;
    expect_field(&mixed, "programId");
    let query = "query($from: Month!, $to: Month!, $program: ID) { \
        feedback(from: $from, to: $to, programId: $program) { currencyCode clientCount \
        pareto { totalRevenue { amount currencyCode } } \
        costOfExceptions { revenuePerMonth { amount currencyCode } } } }";
    let vars = json!({ "from": month(9), "to": month(0), "program": usd });
    let dollars = app.data(mentor.tok(), query, vars).await;
    // 9 * 999999999999999 + 999999999999998 = 9999999999999989 cents: odd, so no IEEE
    // double holds it; per month 999999999999998.9, rounded down.
    assert_eq!(
        dollars["feedback"],
        json!({ "currencyCode": "USD", "clientCount": 1,
            "pareto": { "totalRevenue": { "amount": "99999999999999.89", "currencyCode": "USD" } },
            "costOfExceptions": [
                { "revenuePerMonth": { "amount": "9999999999999.98", "currencyCode": "USD" } },
                { "revenuePerMonth": null },
            ] })
    );
    let euros = ok(l.feedback(mentor, Some(&l.w.program_id), None).await);
    assert_eq!(euros["feedback"], expected(&l));
}
