//! A mentee removed from a program loses it: no re-joining with the old code, no writes on
//! their prospects there; they may still read their own prospects and their history.

use serde_json::{Value, json};

use crate::definitions::{Answers, bias_check};
use crate::fixtures::{CREATE_PROSPECT, QUALIFY};
use crate::helpers::{TestApp, codes, expect_code};

const REMOVE: &str = "mutation($p: ID!, $m: ID!) { removeMentee(input: { programId: $p, menteeId: $m }) { removedMenteeId } }";
const JOIN: &str = "mutation($c: String!) { joinProgram(inviteCode: $c) { program { id } } }";
const HISTORY: &str = "query($id: ID!) { node(id: $id) { ... on Prospect { name notes status \
    archived qualifications { totalCount } decisions { nodes { id decision } } } } }";

#[tokio::test]
async fn a_removed_mentee_can_write_nothing_more_in_the_program_but_reads_their_history() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("REVIEW").await;
    let declined = app
        .create_prospect(&w.mentee, &w.program_id, "Declined")
        .await;
    app.qualify(&w.mentee, &declined, &Answers::knocked_out(), None)
        .await;
    let good = app.create_prospect(&w.mentee, &w.program_id, "Good").await;
    app.qualify(&w.mentee, &good, &Answers::good(), None).await;
    let turned = app.decide(&w.mentee, &good, "TURN_DOWN", None, None).await;
    assert_eq!(codes(&turned), Vec::<String>::new(), "{turned}");
    let before: Vec<Value> = {
        let mut seen = Vec::new();
        for id in [&declined, &good] {
            seen.push(app.data(w.mentee.tok(), HISTORY, json!({ "id": id })).await);
        }
        seen
    };
    app.data(
        w.mentor.tok(),
        REMOVE,
        json!({ "p": w.program_id, "m": w.mentee.id }),
    )
    .await;

    let update = "mutation($id: ID!) { updateProspect(input: { id: $id, notes: \"after\" }) { prospect { id } } }";
    let archive = "mutation($id: ID!) { archiveProspect(id: $id) { prospect { id } } }";
    let writes: Vec<(&str, String, Value)> = vec![
        ("updateProspect", update.to_owned(), json!({ "id": good })),
        ("archiveProspect", archive.to_owned(), json!({ "id": good })),
        (
            "qualifyProspect",
            QUALIFY.to_owned(),
            json!({ "input": { "prospectId": good, "answers": Answers::all_best().json() } }),
        ),
        (
            "decideProspect (take on)",
            crate::fixtures::DECIDE.to_owned(),
            json!({ "input": { "prospectId": good, "decision": "TAKE_ON" } }),
        ),
        (
            "decideProspect (exception request)",
            crate::fixtures::DECIDE.to_owned(),
            json!({ "input": { "prospectId": declined, "decision": "TAKE_ON",
                            "reason": "They insisted", "biasCheck": bias_check(true) } }),
        ),
        (
            "decideProspect (turn down)",
            crate::fixtures::DECIDE.to_owned(),
            json!({ "input": { "prospectId": declined, "decision": "TURN_DOWN" } }),
        ),
    ];
    for (what, query, vars) in writes {
        let body = app.gql(w.mentee.tok(), &query, vars).await;
        assert_eq!(codes(&body), vec!["FORBIDDEN".to_owned()], "{what}: {body}");
    }
    let create = app
        .gql(
            w.mentee.tok(),
            CREATE_PROSPECT,
            json!({ "input": { "programId": w.program_id, "name": "New" } }),
        )
        .await;
    expect_code(&create, "NOT_FOUND");
    let pending = app
        .data(
            w.mentor.tok(),
            "{ exceptionRequests { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(
        pending["exceptionRequests"]["totalCount"], 0,
        "no exception request filed"
    );

    // Their own prospects and history stay readable, and unchanged.
    for (id, expected) in [&declined, &good].into_iter().zip(before) {
        let now = app.data(w.mentee.tok(), HISTORY, json!({ "id": id })).await;
        assert_eq!(now, expected);
    }

    // The code they were removed with does not let them back in, nor does any older one.
    expect_code(
        &app.gql(w.mentee.tok(), JOIN, json!({ "c": w.invite_code }))
            .await,
        "FORBIDDEN",
    );
    let programs = app
        .data(w.mentee.tok(), "{ programs { totalCount } }", json!({}))
        .await;
    assert_eq!(programs["programs"]["totalCount"], 0);
    // Only a new invite from the mentor does.
    let (_, fresh) = app.create_invite(&w.mentor, &w.program_id, None).await;
    let joined = app.gql(w.mentee.tok(), JOIN, json!({ "c": fresh })).await;
    assert_eq!(codes(&joined), Vec::<String>::new(), "{joined}");
    let body = app.gql(w.mentee.tok(), update, json!({ "id": good })).await;
    assert_eq!(
        codes(&body),
        Vec::<String>::new(),
        "writes again once back: {body}"
    );
}
