//! Optimistic concurrency: an edit made against a stale revision is a `CONFLICT` and changes
//! nothing; against the current one it succeeds and moves the revision on by exactly one.

use serde_json::{Value, json};

use crate::definitions::standard_definition;
use crate::fixtures::Actor;
use crate::helpers::{TestApp, codes, expect_code, int_at};

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
        let mut input =
            json!({ "id": self.id, "name": name, "expectedRevision": expected_revision });
        input[self.other] = json!(name.to_lowercase());
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
    expect_code(&case.edit(app, "Lost", start).await, "CONFLICT");
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
