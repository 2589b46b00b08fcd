//! Mutations on hidden objects answer like missing ones, and change nothing.

use serde_json::{Value, json};

use super::{Matrix, Side};
use crate::definitions::Answers;
use crate::helpers::codes;

struct Attack {
    actor: &'static str,
    query: &'static str,
    vars: fn(&Side) -> Value,
    /// Hidden from the actor: the answer must equal the answer for a missing id.
    hidden: bool,
    /// The one code the refusal carries.
    code: &'static str,
}

const NF: &str = "NOT_FOUND";
const FORBIDDEN: &str = "FORBIDDEN";

fn attacks() -> Vec<Attack> {
    let update_prospect = "mutation($id: ID!) { updateProspect(input: { id: $id, name: \"Hijacked\" }) { __typename } }";
    let archive_prospect = "mutation($id: ID!) { archiveProspect(id: $id) { __typename } }";
    let qualify = "mutation($id: ID!, $answers: [AnswerInput!]!) { qualifyProspect(input: { prospectId: $id, answers: $answers }) { __typename } }";
    let decide = "mutation($id: ID!) { decideProspect(input: { prospectId: $id, decision: TURN_DOWN }) { __typename } }";
    let create_prospect = "mutation($id: ID!) { createProspect(input: { programId: $id, name: \"Planted\" }) { __typename } }";
    let update_template = "mutation($id: ID!) { updateTemplateDraft(input: { id: $id, name: \"Hijacked\" }) { __typename } }";
    let publish = "mutation($id: ID!) { publishTemplate(id: $id) { __typename } }";
    let archive_template = "mutation($id: ID!) { archiveTemplate(id: $id) { __typename } }";
    let copy_template =
        "mutation($id: ID!) { copyTemplate(input: { id: $id, name: \"Stolen\" }) { __typename } }";
    let create_program = "mutation($id: ID!) { createProgram(input: { name: \"Stolen standard\", standardVersionId: $id }) { __typename } }";
    let update_program = "mutation($id: ID!) { updateProgram(input: { id: $id, name: \"Hijacked\" }) { __typename } }";
    let create_invite =
        "mutation($id: ID!) { createInvite(input: { programId: $id }) { __typename } }";
    let revoke_invite = "mutation($id: ID!) { revokeInvite(id: $id) { __typename } }";
    let remove_mentee = "mutation($id: ID!, $mentee: ID!) { removeMentee(input: { programId: $id, menteeId: $mentee }) { __typename } }";
    let review =
        "mutation($id: ID!) { reviewException(input: { id: $id, approve: true }) { __typename } }";

    let on_prospect: fn(&Side) -> Value = |s| json!({ "id": s.prospect });
    let on_qualify: fn(&Side) -> Value =
        |s| json!({ "id": s.prospect, "answers": Answers::all_best().json() });
    let on_template: fn(&Side) -> Value = |s| json!({ "id": s.template });
    let on_version: fn(&Side) -> Value = |s| json!({ "id": s.v1 });
    let on_program: fn(&Side) -> Value = |s| json!({ "id": s.program });
    let on_invite: fn(&Side) -> Value = |s| json!({ "id": s.invite });
    let on_enrollment: fn(&Side) -> Value =
        |s| json!({ "id": s.program, "mentee": s.mentees[0].id });
    let on_exception: fn(&Side) -> Value = |s| json!({ "id": s.exception });

    let a = |actor, query, vars, hidden, code| Attack {
        actor,
        query,
        vars,
        hidden,
        code,
    };
    let mut list = Vec::new();
    for actor in ["mentee B", "mentee C"] {
        list.push(a(actor, update_prospect, on_prospect, true, NF));
        list.push(a(actor, archive_prospect, on_prospect, true, NF));
        list.push(a(actor, qualify, on_qualify, true, NF));
        list.push(a(actor, decide, on_prospect, true, NF));
    }
    list.push(a("mentee C", create_prospect, on_program, true, NF));
    // (mutation, target, hidden from mentee B, who is enrolled in X's program)
    for (query, vars, hidden_from_b) in [
        (update_template, on_template, false),
        (publish, on_template, false),
        (archive_template, on_template, false),
        (copy_template, on_template, false),
        (update_program, on_program, false),
        (create_invite, on_program, false),
        (revoke_invite, on_invite, true),
        (remove_mentee, on_enrollment, false),
        (review, on_exception, true),
    ] {
        list.push(a("mentor Y", query, vars, true, NF));
        // A mentee is refused by role before any lookup, so learns nothing about the id.
        list.push(a("mentee B", query, vars, hidden_from_b, FORBIDDEN));
    }
    list.push(a("mentor Y", create_program, on_version, true, NF));
    list.push(a("mentor Y", qualify, on_qualify, true, NF));
    list.push(a("mentor Y", decide, on_prospect, true, NF));
    // Visible but not theirs to change: the owner never approves their own exception,
    // and a mentor never changes a mentee's prospect.
    list.push(a("mentee A", review, on_exception, false, FORBIDDEN));
    for (query, vars) in [
        (update_prospect, on_prospect),
        (archive_prospect, on_prospect),
        (qualify, on_qualify),
        (decide, on_prospect),
    ] {
        list.push(a("mentor X", query, vars, false, FORBIDDEN));
    }
    list
}

#[tokio::test]
async fn mutations_on_hidden_objects_answer_like_missing_ones_and_change_nothing() {
    let m = Matrix::build().await;
    let mut failures = Vec::new();
    for attack in attacks() {
        let token = m.actor(attack.actor).tok();
        let body = m.app.gql(token, attack.query, (attack.vars)(&m.x)).await;
        let found = codes(&body);
        let what = format!("{} with `{}`", attack.actor, attack.query);
        if found != [attack.code] {
            failures.push(format!("{what}: expected {}, got {body}", attack.code));
            continue;
        }
        if attack.hidden {
            let missing = m
                .app
                .gql(token, attack.query, (attack.vars)(&m.ghost))
                .await;
            if codes(&missing) != found {
                failures.push(format!(
                    "{what}: answered {found:?}, but {:?} for a missing id",
                    codes(&missing)
                ));
            }
        }
    }
    let (x, mentor, owner) = (&m.x, m.x.mentor.tok(), m.x.mentees[0].tok());
    let prospect = m
        .app
        .data(
            owner,
            "query($id: ID!) { node(id: $id) { ... on Prospect { name status archived \
        qualifications { totalCount } decisions { nodes { id } } } } }",
            json!({ "id": x.prospect }),
        )
        .await;
    let expected = json!({ "node": { "name": "Flattering referral", "status": "EXCEPTION_PENDING", "archived": false,
                                     "qualifications": { "totalCount": 1 }, "decisions": { "nodes": [{ "id": x.decision }] } } });
    if prospect != expected {
        failures.push(format!("the prospect changed: {prospect}"));
    }
    let state = m.app.data(mentor, "query($t: ID!, $p: ID!, $e: ID!) { \
        t: node(id: $t) { ... on Template { name archived latestVersion { id status } } } \
        p: node(id: $p) { ... on Program { name mentees(first: 100) { totalCount } invites { nodes { id revoked } } } } \
        e: node(id: $e) { ... on ExceptionRequest { status } } }", json!({ "t": x.template, "p": x.program, "e": x.exception })).await;
    let expected = json!({
        "t": { "name": "A-client standard", "archived": false, "latestVersion": { "id": x.v2_draft, "status": "DRAFT" } },
        "p": { "name": "Strategy Program 2027", "mentees": { "totalCount": 2 }, "invites": { "nodes": [{ "id": x.invite, "revoked": false }] } },
        "e": { "status": "PENDING" },
    });
    if state != expected {
        failures.push(format!("mentor X's objects changed: {state}"));
    }
    let theirs = m
        .app
        .data(
            m.y.mentor.tok(),
            "{ templates { totalCount } programs { totalCount } }",
            json!({}),
        )
        .await;
    if theirs != json!({ "templates": { "totalCount": 1 }, "programs": { "totalCount": 1 } }) {
        failures.push(format!("mentor Y gained objects: {theirs}"));
    }
    assert!(
        failures.is_empty(),
        "{} authorization failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
