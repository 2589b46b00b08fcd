//! Evidence on answers: it round-trips, and a qualification's assumption share is exact.
//!
//! `Answers::good()` on the A-client standard scores 167500 / 22 = 7613 bp. Its
//! contributions (each `weight * points * 100 / 22` rounded down, the 5 missing basis
//! points to the largest remainders, ties by key): decision_maker 1363.64 -> 1364,
//! values_expertise 1022.73 -> 1023, speaks_our_language 681.82 -> 682, revenue_fit
//! 681.82 -> 682, standard_product 1363.64 -> 1363 (its tie with decision_maker lost on
//! the key), team_fit 909, growth 454, bhag_fit 681.82 -> 682, energy 454, referral 0.
//!
//! - Assumed values_expertise, revenue_fit, standard_product: 1023 + 682 + 1363 = 3068;
//!   3068 * 10000 / 7613 = 4029.95 -> 4029, not more than half: not flagged.
//! - And decision_maker as well: 4432 * 10000 / 7613 = 5821.67 -> 5821: an `ACCEPT`
//!   resting on assumptions for more than half its score, flagged.

use serde_json::{Value, json};

use crate::definitions::Answers;
use crate::helpers::{TestApp, expect_field, ok};

const QUALIFY: &str = "mutation($input: QualifyProspectInput!) { qualifyProspect(input: $input) { \
    qualification { id verdict scoreBasisPoints assumptionShareBasisPoints restsOnAssumptions \
    answers { key evidence { kind note } } explanation { key contributionBasisPoints } } } }";

/// The good answers with evidence: `(key, kind, note)`.
fn with_evidence(evidence: &[(&str, &str, Option<&str>)]) -> Value {
    let mut answers = Answers::good().json();
    for answer in answers.as_array_mut().expect("a list") {
        let key = answer["key"].as_str().expect("a key").to_owned();
        if let Some((_, kind, note)) = evidence.iter().find(|(k, _, _)| *k == key) {
            answer["evidence"] = json!({ "kind": kind, "note": note });
        }
    }
    answers
}

#[tokio::test]
async fn evidence_round_trips_and_the_assumption_share_is_exact() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("REVIEW").await;
    let me = &w.mentee;
    let prospect = app.create_prospect(me, &w.program_id, "Evident").await;
    let qualify = |answers: Value| {
        let vars = json!({ "input": { "prospectId": prospect, "answers": answers } });
        app.gql(me.tok(), QUALIFY, vars)
    };
    let some = [
        ("decision_maker", "FACT", Some("Met the CEO on 3 March")),
        ("values_expertise", "ASSUMPTION", None),
        ("revenue_fit", "ASSUMPTION", Some("  their estimate  ")),
        ("standard_product", "ASSUMPTION", Some("   ")),
        ("team_fit", "JUDGEMENT", None),
    ];
    let first = ok(qualify(with_evidence(&some)).await);
    let q = &first["qualifyProspect"]["qualification"];
    assert_eq!(q["verdict"], "ACCEPT");
    assert_eq!(q["scoreBasisPoints"], 7613);
    let contributions: Vec<(String, i64)> = q["explanation"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|c| {
            (
                c["key"].as_str().expect("key").to_owned(),
                c["contributionBasisPoints"].as_i64().expect("bp"),
            )
        })
        .collect();
    let expected_contributions = [
        ("decision_maker", 1364),
        ("values_expertise", 1023),
        ("speaks_our_language", 682),
        ("revenue_fit", 682),
        ("standard_product", 1363),
        ("team_fit", 909),
        ("growth", 454),
        ("bhag_fit", 682),
        ("energy", 454),
        ("referral", 0),
    ]
    .map(|(k, bp)| (k.to_owned(), bp));
    assert_eq!(contributions, expected_contributions);
    assert_eq!(q["assumptionShareBasisPoints"], 4029);
    assert_eq!(q["restsOnAssumptions"], false);
    let evidence: Vec<Value> = q["answers"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|a| a["evidence"].clone())
        .collect();
    assert_eq!(
        evidence,
        vec![
            json!({ "kind": "FACT", "note": "Met the CEO on 3 March" }),
            json!({ "kind": "ASSUMPTION", "note": null }),
            Value::Null,
            json!({ "kind": "ASSUMPTION", "note": "their estimate" }),
            json!({ "kind": "ASSUMPTION", "note": null }),
            json!({ "kind": "JUDGEMENT", "note": null }),
            Value::Null,
            Value::Null,
            Value::Null,
            Value::Null,
        ]
    );
    // Read back later, from the head (a page) and from the whole row.
    let read = "query($id: ID!) { node(id: $id) { ... on Prospect { latestQualification { \
        assumptionShareBasisPoints restsOnAssumptions answers { key evidence { kind note } } } } } }";
    let again = app.data(me.tok(), read, json!({ "id": prospect })).await;
    assert_eq!(
        again["node"]["latestQualification"]["answers"],
        q["answers"]
    );
    let page = "{ prospects { nodes { latestQualification { assumptionShareBasisPoints restsOnAssumptions } } } }";
    let listed = app.data(w.mentor.tok(), page, json!({})).await;
    assert_eq!(
        listed["prospects"]["nodes"][0]["latestQualification"],
        json!({ "assumptionShareBasisPoints": 4029, "restsOnAssumptions": false })
    );

    // The decision maker only assumed too: more than half the score rests on assumptions.
    let mut more = some;
    more[0] = ("decision_maker", "ASSUMPTION", None);
    let second = ok(qualify(with_evidence(&more)).await);
    let q = &second["qualifyProspect"]["qualification"];
    assert_eq!(q["assumptionShareBasisPoints"], 5821);
    assert_eq!(q["restsOnAssumptions"], true);
    // Without evidence: nothing rests on assumptions.
    let none = ok(qualify(Answers::good().json()).await);
    let q = &none["qualifyProspect"]["qualification"];
    assert_eq!(q["assumptionShareBasisPoints"], 0);
    assert_eq!(q["restsOnAssumptions"], false);
    assert_eq!(q["answers"][0]["evidence"], Value::Null);

    // A note too long, an unknown kind, evidence in an outlook.
    let long = "x".repeat(501);
    let refused = qualify(with_evidence(&[("growth", "FACT", Some(long.as_str()))])).await;
    expect_field(&refused, "input.answers.6.evidence.note");
    let mut bad_kind = Answers::good().json();
    bad_kind[0]["evidence"] = json!({ "kind": "RUMOUR" });
    crate::helpers::expect_code(&qualify(bad_kind).await, "BAD_USER_INPUT");
    let mut outlook_answers = Answers::default()
        .with("growth", crate::definitions::scale(5))
        .json();
    outlook_answers[0]["evidence"] = json!({ "kind": "ASSUMPTION" });
    let vars = json!({ "input": { "prospectId": prospect, "answers": Answers::middling().json(),
        "outlook": { "answers": outlook_answers, "plan": "Grow" } } });
    let in_outlook = app.gql(me.tok(), QUALIFY, vars).await;
    expect_field(&in_outlook, "input.outlook.answers.0.evidence");
}
