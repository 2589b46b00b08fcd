//! Outlooks: a plan that reaches A within the horizon, and the limits of its re-qualification date.

use chrono::Months;
use serde_json::{Value, json};

use crate::definitions::{Answers, number, scale, yes};
use crate::fixtures::QUALIFY;
use crate::helpers::{TestApp, expect_field, int_at, ok, today};

fn outlook(requalify_by: Option<chrono::NaiveDate>) -> Value {
    let answers = Answers::default()
        .with("values_expertise", scale(5))
        .with("revenue_fit", number(60_000))
        .with("growth", scale(5))
        .with("bhag_fit", scale(5));
    json!({ "answers": answers.json(), "plan": "Move them onto the standard package by Q3",
            "requalifyBy": requalify_by.map(|d| d.to_string()) })
}

#[tokio::test]
async fn outlook_reaching_a_within_the_horizon_accepts_with_a_plan() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("STRICT").await;
    let prospect = app
        .create_prospect(&w.mentee, &w.program_id, "Growing client")
        .await;
    let date = today().checked_add_months(Months::new(3)).expect("date");
    let payload = app
        .qualify(
            &w.mentee,
            &prospect,
            &Answers::middling(),
            Some(outlook(Some(date))),
        )
        .await;
    let q = &payload["qualification"];
    // Now 135000 / 22 = 6136 (B); with the plan 185000 / 22 = 8409 (A).
    assert_eq!(
        (q["scoreBasisPoints"].clone(), q["tier"].clone()),
        (json!(6136), json!("B"))
    );
    assert_eq!(
        (
            q["projectedScoreBasisPoints"].clone(),
            q["projectedTier"].clone()
        ),
        (json!(8409), json!("A"))
    );
    assert_eq!(q["verdict"], "ACCEPT_WITH_PLAN");
    assert_eq!(q["requalifyBy"], date.to_string());
    assert_eq!(
        q["outlook"]["plan"],
        "Move them onto the standard package by Q3"
    );
    assert_eq!(q["outlook"]["answers"].as_array().map(Vec::len), Some(4));
    let projected: i64 = q["projectedExplanation"]
        .as_array()
        .expect("list")
        .iter()
        .map(|c| int_at(c, "/contributionBasisPoints"))
        .sum();
    assert_eq!(projected, 8409);

    let d = ok(app
        .decide(&w.mentee, &prospect, "TAKE_ON", None, None)
        .await)["decideProspect"]
        .clone();
    assert_eq!(d["decision"]["isException"], false);
    assert_eq!(d["prospect"]["status"], "TAKEN_ON");
    assert_eq!(d["prospect"]["requalifyBy"], date.to_string());

    // Without a date the plan is due at the horizon; a knockout can be planned away too.
    let other = app
        .create_prospect(&w.mentee, &w.program_id, "No CEO access yet")
        .await;
    let plan = json!({ "answers": [{ "key": "decision_maker", "value": yes(true) }], "plan": "Meet the CEO" });
    let q = app
        .qualify(&w.mentee, &other, &Answers::knocked_out(), Some(plan))
        .await["qualification"]
        .clone();
    assert_eq!(
        (
            q["tier"].clone(),
            q["projectedTier"].clone(),
            q["verdict"].clone()
        ),
        (json!("C"), json!("A"), json!("ACCEPT_WITH_PLAN"))
    );
    assert_eq!(q["knockouts"], json!(["decision_maker"]));
    assert_eq!(
        q["projectedKnockouts"],
        json!([]),
        "the plan removes the knockout"
    );
    let horizon = today().checked_add_months(Months::new(6)).expect("date");
    assert_eq!(q["requalifyBy"], horizon.to_string());

    // A plan that does not reach A is still a decline, with no due date.
    let modest = json!({ "answers": [{ "key": "growth", "value": scale(5) }], "plan": "Hope" });
    let q = app
        .qualify(&w.mentee, &other, &Answers::middling(), Some(modest))
        .await["qualification"]
        .clone();
    assert_eq!(
        (
            q["projectedScoreBasisPoints"].clone(),
            q["projectedTier"].clone()
        ),
        (json!(6590), json!("B"))
    );
    assert_eq!(q["verdict"], "DECLINE");
    assert_eq!(q["requalifyBy"], Value::Null);
}

#[tokio::test]
async fn requalify_by_must_lie_between_today_and_the_horizon() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("STRICT").await;
    let prospect = app
        .create_prospect(&w.mentee, &w.program_id, "Dated plan")
        .await;
    let horizon = today().checked_add_months(Months::new(6)).expect("date");
    let cases = [
        (today().pred_opt().expect("date"), false),
        (today(), true),
        (horizon, true),
        (horizon.succ_opt().expect("date"), false),
    ];
    for (date, allowed) in cases {
        let vars = json!({ "input": { "prospectId": prospect, "answers": Answers::middling().json(),
                                      "outlook": outlook(Some(date)) } });
        let body = app.gql(w.mentee.tok(), QUALIFY, vars).await;
        if allowed {
            let q = ok(body)["qualifyProspect"]["qualification"].clone();
            assert_eq!(q["requalifyBy"], date.to_string(), "{date}");
        } else {
            expect_field(&body, "input.outlook.requalifyBy");
        }
    }
    let mut blank_plan = outlook(None);
    blank_plan["plan"] = json!("  ");
    let vars = json!({ "input": { "prospectId": prospect, "answers": Answers::middling().json(), "outlook": blank_plan } });
    expect_field(
        &app.gql(w.mentee.tok(), QUALIFY, vars).await,
        "input.outlook.plan",
    );
}
