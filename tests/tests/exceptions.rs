//! Taking on a declined prospect: refused under STRICT, a reviewed exception under REVIEW.

use serde_json::json;

use crate::core_loop::PROSPECT_VIEW;
use crate::definitions::{Answers, bias_check};
use crate::fixtures::REVIEW_EXCEPTION;
use crate::helpers::{TestApp, expect_code, expect_field, ok, str_at};

#[tokio::test]
async fn declined_prospect_under_review_policy_is_taken_on_only_after_mentor_approval() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("REVIEW").await;
    let prospect = app
        .create_prospect(&w.mentee, &w.program_id, "Flattering referral")
        .await;
    let q = app
        .qualify(&w.mentee, &prospect, &Answers::knocked_out(), None)
        .await;
    assert_eq!(q["qualification"]["verdict"], "DECLINE");

    // An exception needs a written reason and the bias check.
    let no_reason = app
        .decide(
            &w.mentee,
            &prospect,
            "TAKE_ON",
            None,
            Some(bias_check(true)),
        )
        .await;
    expect_field(&no_reason, "input.reason");
    let blank_reason = app
        .decide(
            &w.mentee,
            &prospect,
            "TAKE_ON",
            Some("   "),
            Some(bias_check(true)),
        )
        .await;
    expect_field(&blank_reason, "input.reason");
    let no_bias = app
        .decide(
            &w.mentee,
            &prospect,
            "TAKE_ON",
            Some("The CEO asked us"),
            None,
        )
        .await;
    expect_field(&no_bias, "input.biasCheck");

    let body = app
        .decide(
            &w.mentee,
            &prospect,
            "TAKE_ON",
            Some("The CEO asked us"),
            Some(bias_check(true)),
        )
        .await;
    let d = ok(body)["decideProspect"].clone();
    assert_eq!(d["decision"]["isException"], true);
    assert_eq!(d["decision"]["reason"], "The CEO asked us");
    assert_eq!(d["decision"]["biasCheck"], bias_check(true));
    assert_eq!(d["exceptionRequest"]["status"], "PENDING");
    assert_eq!(
        d["decision"]["exceptionRequest"]["id"],
        d["exceptionRequest"]["id"]
    );
    assert_eq!(d["prospect"]["status"], "EXCEPTION_PENDING");
    let exception_id = str_at(&d, "/exceptionRequest/id");

    let pending = app
        .data(w.mentor.tok(), "{ exceptionRequests(filter: { status: PENDING }) { totalCount nodes { id status \
              prospect { id name } decision { reason biasCheck { flattered fearsLosingWork } } } } }", json!({}))
        .await;
    assert_eq!(pending["exceptionRequests"]["totalCount"], 1);
    let request = &pending["exceptionRequests"]["nodes"][0];
    assert_eq!(str_at(request, "/id"), exception_id);
    assert_eq!(request["prospect"]["name"], "Flattering referral");
    assert_eq!(
        request["decision"]["biasCheck"],
        json!({ "flattered": true, "fearsLosingWork": true })
    );

    let vars = json!({ "input": { "id": exception_id, "approve": true, "note": "Only with a fixed-scope offer" } });
    let reviewed = app.data(w.mentor.tok(), REVIEW_EXCEPTION, vars).await["reviewException"]["exceptionRequest"].clone();
    assert_eq!(reviewed["status"], "APPROVED");
    assert_eq!(reviewed["note"], "Only with a fixed-scope offer");
    assert_eq!(str_at(&reviewed, "/reviewer/id"), w.mentor.id);
    assert!(reviewed["reviewedAt"].is_string());
    assert_eq!(reviewed["prospect"]["status"], "TAKEN_ON");

    let seen = app
        .data(w.mentee.tok(), PROSPECT_VIEW, json!({ "id": prospect }))
        .await;
    assert_eq!(seen["node"]["status"], "TAKEN_ON");
    assert_eq!(
        seen["node"]["decisions"]["nodes"][0]["exceptionRequest"]["status"],
        "APPROVED"
    );
    let still_pending = app
        .data(
            w.mentor.tok(),
            "{ exceptionRequests(filter: { status: PENDING }) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(still_pending["exceptionRequests"]["totalCount"], 0);
}

#[tokio::test]
async fn rejected_exception_leaves_the_prospect_rejected() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("REVIEW").await;
    let (prospect, _, _, exception) = app.pending_exception(&w.mentee, &w.program_id).await;
    let vars = json!({ "input": { "id": exception, "approve": false, "note": "This is a C-client. Say no." } });
    let reviewed = app.data(w.mentor.tok(), REVIEW_EXCEPTION, vars).await["reviewException"]["exceptionRequest"].clone();
    assert_eq!(reviewed["status"], "REJECTED");
    assert_eq!(reviewed["prospect"]["status"], "EXCEPTION_REJECTED");
    let seen = app
        .data(w.mentee.tok(), PROSPECT_VIEW, json!({ "id": prospect }))
        .await;
    assert_eq!(seen["node"]["status"], "EXCEPTION_REJECTED");
    assert_eq!(
        seen["node"]["decisions"]["nodes"][0]["exceptionRequest"]["note"],
        "This is a C-client. Say no."
    );
}

#[tokio::test]
async fn strict_policy_refuses_taking_on_a_declined_prospect_even_with_a_reason() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("STRICT").await;
    let prospect = app
        .create_prospect(&w.mentee, &w.program_id, "C-client")
        .await;
    app.qualify(&w.mentee, &prospect, &Answers::middling(), None)
        .await;
    for (reason, bias) in [(None, None), (Some("They insist"), Some(bias_check(false)))] {
        let body = app
            .decide(&w.mentee, &prospect, "TAKE_ON", reason, bias)
            .await;
        expect_code(&body, "EXCEPTION_NOT_ALLOWED");
    }
    let seen = app
        .data(w.mentee.tok(), PROSPECT_VIEW, json!({ "id": prospect }))
        .await;
    assert_eq!(seen["node"]["status"], "QUALIFIED");
    assert_eq!(
        seen["node"]["decisions"]["nodes"],
        json!([]),
        "a refused decision is not recorded"
    );
    let requests = app
        .data(
            w.mentor.tok(),
            "{ exceptionRequests { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(requests["exceptionRequests"]["totalCount"], 0);
}
