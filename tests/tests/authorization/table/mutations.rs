//! Every guarded mutation, by every actor, refused exactly as the policy table says
//! (anonymous: `UNAUTHENTICATED`), and nothing refused changes anything.

use domain::policy::{self, Action, Kind, Outcome};
use serde_json::{Value, json};

use super::{PEOPLE, World};
use crate::definitions::Answers;
use crate::helpers::codes;

/// A guarded mutation, the object it targets and its variables.
struct Attempt {
    mutation: &'static str,
    query: &'static str,
    kind: Kind,
    action: Action,
    /// The targeted object's label in `World::objects` (`None`: nothing targeted).
    target: Option<&'static str>,
    vars: fn(&World) -> Value,
}

fn attempts() -> Vec<Attempt> {
    let a = |mutation, query, kind, action, target, vars| Attempt {
        mutation,
        query,
        kind,
        action,
        target,
        vars,
    };
    use Action::{Change, Create, Join};
    vec![
        a(
            "createTemplate",
            "mutation { createTemplate(input: { name: \"T\" }) { __typename } }",
            Kind::Template,
            Create,
            None,
            |_| json!({}),
        ),
        a(
            "updateTemplateDraft",
            "mutation($id: ID!) { updateTemplateDraft(input: { id: $id, name: \"Hijacked\" }) { __typename } }",
            Kind::Template,
            Change,
            Some("X's template"),
            |w| json!({ "id": w.m.x.template }),
        ),
        a(
            "publishTemplate",
            "mutation($id: ID!) { publishTemplate(id: $id) { __typename } }",
            Kind::Template,
            Change,
            Some("X's template"),
            |w| json!({ "id": w.m.x.template }),
        ),
        a(
            "archiveTemplate",
            "mutation($id: ID!) { archiveTemplate(id: $id) { __typename } }",
            Kind::Template,
            Change,
            Some("X's template"),
            |w| json!({ "id": w.m.x.template }),
        ),
        a(
            "copyTemplate",
            "mutation($id: ID!) { copyTemplate(input: { id: $id }) { __typename } }",
            Kind::Template,
            Change,
            Some("X's template"),
            |w| json!({ "id": w.m.x.template }),
        ),
        a(
            "createProgram",
            "mutation { createProgram(input: { name: \"P\" }) { __typename } }",
            Kind::Program,
            Create,
            None,
            |_| json!({}),
        ),
        a(
            "updateProgram",
            "mutation($id: ID!) { updateProgram(input: { id: $id, name: \"Hijacked\" }) { __typename } }",
            Kind::Program,
            Change,
            Some("X's program"),
            |w| json!({ "id": w.m.x.program }),
        ),
        a(
            "createInvite",
            "mutation($id: ID!) { createInvite(input: { programId: $id }) { __typename } }",
            Kind::Program,
            Change,
            Some("X's program"),
            |w| json!({ "id": w.m.x.program }),
        ),
        a(
            "removeMentee",
            "mutation($id: ID!, $m: ID!) { removeMentee(input: { programId: $id, menteeId: $m }) { __typename } }",
            Kind::Program,
            Change,
            Some("X's program"),
            |w| json!({ "id": w.m.x.program, "m": w.m.x.mentees[1].id }),
        ),
        a(
            "revokeInvite",
            "mutation($id: ID!) { revokeInvite(id: $id) { __typename } }",
            Kind::Invite,
            Change,
            Some("X's invite"),
            |w| json!({ "id": w.m.x.invite }),
        ),
        a(
            "reviewException",
            "mutation($id: ID!) { reviewException(input: { id: $id, approve: true }) { __typename } }",
            Kind::ExceptionRequest,
            Change,
            Some("A's exception request"),
            |w| json!({ "id": w.m.x.exception }),
        ),
        a(
            "joinProgram",
            "mutation($c: String!) { joinProgram(inviteCode: $c) { __typename } }",
            Kind::Program,
            Join,
            None,
            |w| json!({ "c": w.m.x.invite_code }),
        ),
        a(
            "createProspect",
            "mutation($id: ID!) { createProspect(input: { programId: $id, name: \"Planted\" }) { __typename } }",
            Kind::Prospect,
            Create,
            Some("X's program"),
            |w| json!({ "id": w.m.x.program }),
        ),
        a(
            "updateProspect",
            "mutation($id: ID!) { updateProspect(input: { id: $id, name: \"Hijacked\" }) { __typename } }",
            Kind::Prospect,
            Change,
            Some("A's prospect"),
            |w| json!({ "id": w.m.x.prospect }),
        ),
        a(
            "updateProspect (R's)",
            "mutation($id: ID!) { updateProspect(input: { id: $id, name: \"Hijacked\" }) { __typename } }",
            Kind::Prospect,
            Change,
            Some("R's prospect"),
            |w| json!({ "id": w.removed_prospect }),
        ),
        a(
            "archiveProspect",
            "mutation($id: ID!) { archiveProspect(id: $id) { __typename } }",
            Kind::Prospect,
            Change,
            Some("R's prospect"),
            |w| json!({ "id": w.removed_prospect }),
        ),
        a(
            "qualifyProspect",
            "mutation($id: ID!, $answers: [AnswerInput!]!) { qualifyProspect(input: { prospectId: $id, answers: $answers }) { __typename } }",
            Kind::Prospect,
            Change,
            Some("A's prospect"),
            |w| json!({ "id": w.m.x.prospect, "answers": Answers::all_best().json() }),
        ),
        a(
            "decideProspect",
            "mutation($id: ID!) { decideProspect(input: { prospectId: $id, decision: TURN_DOWN }) { __typename } }",
            Kind::Prospect,
            Change,
            Some("R's prospect"),
            |w| json!({ "id": w.removed_prospect }),
        ),
        a(
            "setProgramCurrency",
            "mutation($id: ID!) { setProgramCurrency(input: { programId: $id, currency: \"USD\" }) { __typename } }",
            Kind::Program,
            Change,
            Some("X's program"),
            |w| json!({ "id": w.m.x.program }),
        ),
        a(
            "recordOutcome",
            "mutation($id: ID!) { recordOutcome(input: { prospectId: $id, month: \"2026-01\", energy: 3, \
             revenue: { amount: \"1\", currencyCode: \"EUR\" } }) { __typename } }",
            Kind::OutcomeEntry,
            Change,
            Some("R's prospect"),
            |w| json!({ "id": w.removed_prospect }),
        ),
        a(
            "correctOutcome",
            "mutation($id: ID!) { correctOutcome(input: { id: $id, expectedRevision: 1, energy: 1, \
             revenue: { amount: \"999\", currencyCode: \"EUR\" } }) { __typename } }",
            Kind::OutcomeEntry,
            Change,
            Some("A's outcome entry"),
            |w| json!({ "id": w.outcome }),
        ),
        a(
            "endClient",
            "mutation($id: ID!) { endClient(input: { prospectId: $id, reason: WE_EXITED, endedOn: \"2026-01-01\" }) { __typename } }",
            Kind::Client,
            Change,
            Some("A's client"),
            |w| json!({ "id": w.client }),
        ),
        a(
            "deleteAccount",
            "mutation { deleteAccount(input: { password: \"wrong\" }) { __typename } }",
            Kind::Account,
            Change,
            None,
            |_| json!({}),
        ),
        a(
            "changePassword",
            "mutation { changePassword(input: { currentPassword: \"wrong\", newPassword: \"a much longer passphrase\" }) { __typename } }",
            Kind::Account,
            Change,
            None,
            |_| json!({}),
        ),
    ]
}

#[tokio::test]
async fn every_guarded_mutation_is_refused_as_the_policy_table_says_and_changes_nothing() {
    let w = World::build().await;
    let objects = w.objects();
    let mut failures = Vec::new();
    let mut refused = 0;
    for attempt in attempts() {
        let vars = (attempt.vars)(&w);
        let anonymous = w.m.app.gql(None, attempt.query, vars.clone()).await;
        if codes(&anonymous) != ["UNAUTHENTICATED"] {
            failures.push(format!("anonymous {}: {anonymous}", attempt.mutation));
        }
        for who in PEOPLE {
            let actor = policy::Actor::user(who.id(), who.role());
            let expected = match attempt.target {
                // The facts of the target: a program's own for a prospect created in it.
                Some(label) => {
                    let object = objects
                        .iter()
                        .find(|o| o.label == label)
                        .expect("a modelled object");
                    policy::decide(&actor, attempt.kind, attempt.action, &object.facts(who))
                }
                None => policy::attempt(&actor, attempt.kind, attempt.action),
            };
            let (code, message) = match expected {
                // Allowed: not sent, it would change the world the other cells read.
                Outcome::Allowed => continue,
                Outcome::Hidden => ("NOT_FOUND", "not found"),
                Outcome::Forbidden(why) => ("FORBIDDEN", why),
            };
            refused += 1;
            let body = w.m.app.gql(w.token(who), attempt.query, vars.clone()).await;
            let got = (codes(&body), body["errors"][0]["message"].clone());
            if got != (vec![code.to_owned()], json!(message)) {
                failures.push(format!(
                    "{who:?} {}: expected {code} \"{message}\", got {body}",
                    attempt.mutation
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} refusals differ from the table:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(refused >= 60, "only {refused} refusals checked");
    // Nothing refused changed anything: X's objects read as before.
    let state = w.m.app.data(w.m.x.mentor.tok(), "query($t: ID!, $p: ID!, $r: ID!, $c: ID!, $o: ID!) { \
        t: node(id: $t) { ... on Template { name archived } } \
        p: node(id: $p) { ... on Program { name currency mentees(first: 100) { totalCount } invites { nodes { revoked } } } } \
        r: node(id: $r) { ... on Prospect { name archived decisions { nodes { id } } client { takenOn } } } \
        c: node(id: $c) { ... on Prospect { client { endedOn outcomes { totalCount } } } } \
        o: node(id: $o) { ... on OutcomeEntry { revenue { amount } revision } } }",
        json!({ "t": w.m.x.template, "p": w.m.x.program, "r": w.removed_prospect,
                "c": w.client, "o": w.outcome })).await;
    assert_eq!(
        state,
        json!({
            "t": { "name": "A-client standard", "archived": false },
            "p": { "name": "Strategy Program 2027", "currency": "EUR", "mentees": { "totalCount": 2 }, "invites": { "nodes": [{ "revoked": false }] } },
            "r": { "name": "Left behind", "archived": false, "decisions": { "nodes": [] }, "client": null },
            "c": { "client": { "endedOn": null, "outcomes": { "totalCount": 1 } } },
            "o": { "revenue": { "amount": "100.00" }, "revision": 1 },
        })
    );
}
