//! The audit log: each successful change appends exactly one record naming who did what to
//! which object, and under which request; a refused change appends none.

use serde_json::{Value, json};
use store::Db;

use super::uuid_of;
use crate::definitions::{Answers, standard_definition};
use crate::fixtures::{
    Actor, CREATE_PROSPECT, CREATE_TEMPLATE, DECIDE, LOGIN, PASSWORD, PUBLISH_TEMPLATE, QUALIFY,
};
use crate::helpers::{Reply, TestApp, codes, expect_code, str_at};

async fn audit_count(db: &Db) -> u64 {
    store::audit::count(db).await.expect("count audit records")
}

/// Runs a mutation that must succeed; asserts it appended exactly one audit record, and that
/// the record names `actor`, `action` and the object at `object` in the response data.
async fn audited(
    app: &TestApp,
    db: &Db,
    actor: Option<&Actor>,
    (query, vars): (&str, Value),
    (action, object_type, object): (&str, &str, &str),
) -> Value {
    let before = audit_count(db).await;
    let reply: Reply = app
        .post_with(actor.map(|a| a.access.as_str()), &[], query, vars)
        .await;
    assert_eq!(codes(&reply.body), Vec::<String>::new(), "{}", reply.text);
    assert_eq!(audit_count(db).await, before + 1, "{action}: one record");

    let data = reply.body["data"].clone();
    let object_id = uuid_of(&str_at(&data, object));
    let entries = store::audit::entries_for_object(db, object_id)
        .await
        .expect("audit entries");
    let entry = entries
        .iter()
        .find(|e| e.action == action)
        .unwrap_or_else(|| panic!("no {action} record for the object: {entries:#?}"));
    let actor_id = match actor {
        Some(actor) => actor.id.clone(),
        // An anonymous login acts as the user it signs in.
        None => str_at(&data, "/login/user/id"),
    };
    assert_eq!(entry.actor_id, Some(uuid_of(&actor_id)), "{action}: who");
    assert_eq!(entry.object_type, object_type, "{action}: what kind");
    assert_eq!(
        entry.request_id.as_deref(),
        reply.header("x-request-id"),
        "{action}: under which request"
    );
    let age = chrono::Utc::now() - entry.created_at;
    assert!(
        age < chrono::Duration::seconds(60) && age > chrono::Duration::seconds(-5),
        "{action}: when ({})",
        entry.created_at
    );
    data
}

#[tokio::test]
async fn each_successful_mutation_appends_one_record_naming_actor_action_and_object() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("STRICT").await;
    let db = app.db().await;
    let mentee = Some(&w.mentee);

    let vars = json!({ "input": { "programId": w.program_id, "name": "Audited" } });
    let created = audited(
        &app,
        &db,
        mentee,
        (CREATE_PROSPECT, vars),
        ("prospect.create", "Prospect", "/createProspect/prospect/id"),
    )
    .await;
    let prospect = str_at(&created, "/createProspect/prospect/id");

    let vars = json!({ "input": { "prospectId": prospect, "answers": Answers::good().json() } });
    let qualification = "/qualifyProspect/qualification/id";
    let qualified = audited(
        &app,
        &db,
        mentee,
        (QUALIFY, vars),
        ("prospect.qualify", "Qualification", qualification),
    )
    .await;
    assert_eq!(
        qualified["qualifyProspect"]["prospect"]["id"],
        json!(prospect)
    );

    let seen = &qualified["qualifyProspect"]["qualification"]["id"];
    let vars = json!({ "input": { "prospectId": prospect, "qualificationId": seen,
                                  "decision": "TAKE_ON" } });
    audited(
        &app,
        &db,
        mentee,
        (DECIDE, vars),
        ("prospect.decide", "Decision", "/decideProspect/decision/id"),
    )
    .await;

    let vars = json!({ "input": { "name": "Next standard", "definition": standard_definition("STRICT") } });
    let template = audited(
        &app,
        &db,
        Some(&w.mentor),
        (CREATE_TEMPLATE, vars),
        ("template.create", "Template", "/createTemplate/template/id"),
    )
    .await;
    let vars = json!({ "id": str_at(&template, "/createTemplate/template/id") });
    audited(
        &app,
        &db,
        Some(&w.mentor),
        (PUBLISH_TEMPLATE, vars),
        (
            "template.publish",
            "TemplateVersion",
            "/publishTemplate/version/id",
        ),
    )
    .await;

    let vars = json!({ "input": { "email": w.mentee.email, "password": PASSWORD } });
    audited(
        &app,
        &db,
        None,
        (LOGIN, vars),
        ("session.login", "User", "/login/user/id"),
    )
    .await;
}

#[tokio::test]
async fn a_refused_mutation_appends_no_record() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("STRICT").await;
    let db = app.db().await;
    let prospect = app.create_prospect(&w.mentee, &w.program_id, "Kept").await;
    let seen = app
        .qualify(&w.mentee, &prospect, &Answers::knocked_out(), None)
        .await["qualification"]["id"]
        .clone();
    let update = "mutation($input: UpdateProspectInput!) { updateProspect(input: $input) { \
        prospect { id } } }";

    let cases = [
        (
            "BAD_USER_INPUT",
            w.mentee.tok(),
            CREATE_PROSPECT,
            json!({ "input": { "programId": w.program_id, "name": "   " } }),
        ),
        (
            "CONFLICT",
            w.mentee.tok(),
            update,
            json!({ "input": { "id": prospect, "name": "Stale", "expectedRevision": -1 } }),
        ),
        (
            "FORBIDDEN",
            w.mentee.tok(),
            CREATE_TEMPLATE,
            json!({ "input": { "name": "Not mine to make" } }),
        ),
        (
            "UNAUTHENTICATED",
            None,
            CREATE_PROSPECT,
            json!({ "input": { "programId": w.program_id, "name": "Anonymous" } }),
        ),
        (
            "UNAUTHENTICATED",
            None,
            LOGIN,
            json!({ "input": { "email": w.mentee.email, "password": "not the password" } }),
        ),
        (
            "EXCEPTION_NOT_ALLOWED",
            w.mentee.tok(),
            DECIDE,
            json!({ "input": { "prospectId": prospect, "qualificationId": seen, "decision": "TAKE_ON",
                               "reason": "Please", "biasCheck": crate::definitions::bias_check(true) } }),
        ),
    ];
    for (code, token, query, vars) in cases {
        let before = audit_count(&db).await;
        expect_code(&app.gql(token, query, vars).await, code);
        assert_eq!(
            audit_count(&db).await,
            before,
            "a {code} refusal is not audited"
        );
    }

    // Control: the count does move for a change.
    let before = audit_count(&db).await;
    app.create_prospect(&w.mentee, &w.program_id, "Counted")
        .await;
    assert_eq!(audit_count(&db).await, before + 1);
}
