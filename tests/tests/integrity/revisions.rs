//! Optimistic concurrency: an edit made against a stale revision is a `CONFLICT` and changes
//! nothing; against the current one it succeeds and moves the revision on by exactly one.

use serde_json::{Value, json};

use crate::definitions::standard_definition;
use crate::fixtures::Actor;
use crate::helpers::{TestApp, codes, expect_code, expect_field, int_at};

/// One editable kind of object.
struct Case {
    /// The mutation field, e.g. `updateProgram`; its input type is `Update...Input`.
    mutation: &'static str,
    /// The payload field holding the object, and its GraphQL type.
    object: &'static str,
    type_name: &'static str,
    /// A second text field the edits change, besides `name`.
    other: &'static str,
    id: String,
    editor: Actor,
}

impl Case {
    fn fields(&self) -> String {
        format!("name {} revision", self.other)
    }

    async fn read(&self, app: &TestApp) -> Value {
        let query = format!(
            "query($id: ID!) {{ node(id: $id) {{ ... on {} {{ {} }} }} }}",
            self.type_name,
            self.fields()
        );
        app.data(self.editor.tok(), &query, json!({ "id": self.id }))
            .await["node"]
            .clone()
    }

    /// Renames the object and sets its other field to `name` in lower case.
    async fn edit(&self, app: &TestApp, name: &str, expected_revision: i64) -> Value {
        let mut input =
            json!({ "id": self.id, "name": name, "expectedRevision": expected_revision });
        input[self.other] = json!(name.to_lowercase());
        self.send(app, input).await
    }

    /// Sends the update with `input` as it is.
    async fn send(&self, app: &TestApp, input: Value) -> Value {
        let mut first = self.mutation.chars();
        let input_type: String = first
            .next()
            .map(|c| c.to_ascii_uppercase())
            .into_iter()
            .chain(first)
            .collect();
        let query = format!(
            "mutation($input: {input_type}Input!) {{ {}(input: $input) {{ {} {{ {} }} }} }}",
            self.mutation,
            self.object,
            self.fields()
        );
        app.gql(self.editor.tok(), &query, json!({ "input": input }))
            .await
    }
}

/// Edits with the current revision, then with the stale one, then with the current one again.
async fn check(app: &TestApp, case: &Case) {
    let what = case.mutation;
    let start = int_at(&case.read(app).await, "/revision");

    let first = case.edit(app, "First", start).await;
    assert_eq!(codes(&first), Vec::<String>::new(), "{what}: {first}");
    let written = first["data"][case.mutation][case.object].clone();
    assert_eq!(written["name"], "First", "{what}");
    assert_eq!(int_at(&written, "/revision"), start + 1, "{what}");
    assert_eq!(case.read(app).await, written, "{what}: the edit is stored");

    // A second writer who read the object before that edit.
    let lost = case.edit(app, "Lost", start).await;
    assert_eq!(
        expect_code(&lost, "CONFLICT")["extensions"]["reason"],
        "STALE_REVISION",
        "{what}"
    );
    assert_eq!(
        case.read(app).await,
        written,
        "{what}: a stale edit changes nothing"
    );

    let second = case.edit(app, "Second", start + 1).await;
    assert_eq!(codes(&second), Vec::<String>::new(), "{what}: {second}");
    let current = case.read(app).await;
    assert_eq!(current["name"], "Second", "{what}");
    assert_eq!(current[case.other], "second", "{what}");
    assert_eq!(int_at(&current, "/revision"), start + 2, "{what}");
}

/// A mentor with a draft template and a program, and a mentee with a prospect in it.
async fn world() -> (TestApp, crate::fixtures::World, String, String) {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("STRICT").await;
    let (draft, _) = app
        .create_template(&w.mentor, "Draft", standard_definition("STRICT"))
        .await;
    let prospect = app.create_prospect(&w.mentee, &w.program_id, "Acme").await;
    (app, w, draft, prospect)
}

#[tokio::test]
async fn update_template_draft_with_a_stale_revision_is_a_conflict_that_changes_nothing() {
    let (app, w, draft, _) = world().await;
    let case = Case {
        mutation: "updateTemplateDraft",
        object: "template",
        type_name: "Template",
        other: "description",
        id: draft,
        editor: w.mentor,
    };
    check(&app, &case).await;
}

#[tokio::test]
async fn update_program_with_a_stale_revision_is_a_conflict_that_changes_nothing() {
    let (app, w, _, _) = world().await;
    let case = Case {
        mutation: "updateProgram",
        object: "program",
        type_name: "Program",
        other: "description",
        id: w.program_id,
        editor: w.mentor,
    };
    check(&app, &case).await;
}

#[tokio::test]
async fn update_prospect_with_a_stale_revision_is_a_conflict_that_changes_nothing() {
    let (app, w, _, prospect) = world().await;
    let case = Case {
        mutation: "updateProspect",
        object: "prospect",
        type_name: "Prospect",
        other: "company",
        id: prospect,
        editor: w.mentee,
    };
    check(&app, &case).await;
}

/// The update rule of every update mutation: an update that changes nothing keeps the
/// revision and writes no audit record; `name: null` is refused; `null` for the other field
/// clears it where the object's field is nullable (`Prospect.company`) and is refused where
/// it is not (`description`).
async fn check_no_op_and_null(app: &TestApp, case: &Case) {
    let what = case.mutation;
    let db = app.db().await;
    let before = case.read(app).await;
    let revision = int_at(&before, "/revision");
    let audits = store::audit::count(&db).await.expect("count audit records");

    let mut same = json!({ "id": case.id, "name": before["name"] });
    same[case.other] = before[case.other].clone();
    let answer = case.send(app, same.clone()).await;
    assert_eq!(codes(&answer), Vec::<String>::new(), "{what}: {answer}");
    assert_eq!(
        case.read(app).await,
        before,
        "{what}: a no-op keeps the revision"
    );
    assert_eq!(
        store::audit::count(&db).await.expect("count audit records"),
        audits,
        "{what}: a no-op is not audited"
    );
    // The client's revision is still current after the no-op.
    same["expectedRevision"] = json!(revision);
    assert_eq!(
        codes(&case.send(app, same).await),
        Vec::<String>::new(),
        "{what}"
    );

    let refused = case.send(app, json!({ "id": case.id, "name": null })).await;
    expect_field(&refused, "input.name");
    assert_eq!(
        case.read(app).await,
        before,
        "{what}: name null changes nothing"
    );

    let cleared = case
        .send(app, json!({ "id": case.id, case.other: null }))
        .await;
    if case.other == "company" {
        assert_eq!(codes(&cleared), Vec::<String>::new(), "{what}: {cleared}");
        let after = case.read(app).await;
        assert_eq!(after[case.other], Value::Null, "{what}");
        assert_eq!(int_at(&after, "/revision"), revision + 1, "{what}");
    } else {
        expect_field(&cleared, &format!("input.{}", case.other));
        assert_eq!(case.read(app).await, before, "{what}");
    }
}

#[tokio::test]
async fn every_update_mutation_keeps_the_revision_on_a_no_op_and_treats_null_by_one_rule() {
    let (app, w, draft, prospect) = world().await;
    let cases = [
        Case {
            mutation: "updateTemplateDraft",
            object: "template",
            type_name: "Template",
            other: "description",
            id: draft,
            editor: w.mentor.clone(),
        },
        Case {
            mutation: "updateProgram",
            object: "program",
            type_name: "Program",
            other: "description",
            id: w.program_id.clone(),
            editor: w.mentor.clone(),
        },
        Case {
            mutation: "updateProspect",
            object: "prospect",
            type_name: "Prospect",
            other: "company",
            id: prospect,
            editor: w.mentee.clone(),
        },
    ];
    for case in &cases {
        check_no_op_and_null(&app, case).await;
    }
}

#[tokio::test]
async fn the_same_definition_again_starts_no_new_draft_and_keeps_the_revision() {
    let (app, w, _, _) = world().await;
    let read = "query($id: ID!) { node(id: $id) { ... on Template { revision versions { nodes { id } } } } }";
    let before = app
        .data(w.mentor.tok(), read, json!({ "id": w.template_id }))
        .await;
    let input = json!({ "id": w.template_id, "definition": standard_definition("STRICT") });
    let answer = app
        .gql(
            w.mentor.tok(),
            crate::fixtures::UPDATE_TEMPLATE_DRAFT,
            json!({ "input": input }),
        )
        .await;
    assert_eq!(codes(&answer), Vec::<String>::new(), "{answer}");
    let after = app
        .data(w.mentor.tok(), read, json!({ "id": w.template_id }))
        .await;
    assert_eq!(after, before, "the published version stays the newest");
    let refused = app
        .gql(
            w.mentor.tok(),
            crate::fixtures::UPDATE_TEMPLATE_DRAFT,
            json!({ "input": { "id": w.template_id, "definition": null } }),
        )
        .await;
    expect_field(&refused, "input.definition");
}
