//! Published template versions never change, and past qualifications read back exactly as scored.

use serde_json::{Value, json};

use crate::definitions::{Answers, standard_definition};
use crate::fixtures::{
    CREATE_PROGRAM, PUBLISH_TEMPLATE, QUALIFICATION_NODE, UPDATE_PROGRAM, UPDATE_TEMPLATE_DRAFT,
};
use crate::helpers::{TestApp, expect_code, expect_field, int_at, ok, str_at};

const VERSION_NODE: &str = "query($id: ID!) { node(id: $id) { ... on TemplateVersion { id number status publishedAt \
    thresholdA thresholdB horizonMonths exceptionPolicy knockoutCap \
    criteria { key label question weight position rule { __typename \
      ... on YesNoRule { yesPoints noPoints knockoutOn } ... on ScaleRule { min max knockoutBelow } \
      ... on NumberBandsRule { bands { min points } knockoutBelow } } } } } }";

/// The standard definition with `values_expertise` weighing 10 and threshold A at 80.
fn stricter_definition() -> Value {
    let mut definition = standard_definition("STRICT");
    definition["criteria"][1]["weight"] = json!(10);
    definition["thresholdA"] = json!(80);
    definition
}

#[tokio::test]
async fn qualifications_scored_under_version_one_read_back_unchanged_after_version_two() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("STRICT").await;
    let prospect = app
        .create_prospect(&w.mentee, &w.program_id, "Long-standing prospect")
        .await;
    let first = app
        .qualify(&w.mentee, &prospect, &Answers::good(), None)
        .await["qualification"]
        .clone();
    assert_eq!(
        (first["scoreBasisPoints"].clone(), first["tier"].clone()),
        (json!(7613), json!("A"))
    );
    let first_id = str_at(&first, "/id");
    let before = app
        .data(
            w.mentee.tok(),
            QUALIFICATION_NODE,
            json!({ "id": first_id }),
        )
        .await;
    let v1_before = app
        .data(w.mentor.tok(), VERSION_NODE, json!({ "id": w.version_id }))
        .await;
    assert_eq!(
        before["node"]["id"], first["id"],
        "the stored qualification is readable"
    );

    let vars = json!({ "input": { "id": w.template_id, "definition": stricter_definition() } });
    let edited = app.data(w.mentor.tok(), UPDATE_TEMPLATE_DRAFT, vars).await["updateTemplateDraft"]
        ["template"]
        .clone();
    assert_eq!(
        edited["latestVersion"]["number"], 2,
        "editing a published template starts version 2"
    );
    assert_eq!(edited["latestVersion"]["status"], "DRAFT");
    assert_ne!(str_at(&edited, "/latestVersion/id"), w.version_id);
    assert_eq!(
        str_at(&edited, "/publishedVersion/id"),
        w.version_id,
        "version 1 stays the published one"
    );
    let v2 = app.publish(&w.mentor, &w.template_id).await;

    let vars = json!({ "input": { "id": w.program_id, "standardVersionId": v2 } });
    let program = app.data(w.mentor.tok(), UPDATE_PROGRAM, vars).await;
    assert_eq!(str_at(&program, "/updateProgram/program/standard/id"), v2);

    // The same answers under version 2: W = 29, 220000 / 29 = 7586, below the new A threshold 8000.
    let second = app
        .qualify(&w.mentee, &prospect, &Answers::good(), None)
        .await["qualification"]
        .clone();
    assert_eq!(str_at(&second, "/templateVersion/id"), v2);
    assert_eq!(second["templateVersion"]["number"], 2);
    assert_eq!(
        (second["scoreBasisPoints"].clone(), second["tier"].clone()),
        (json!(7586), json!("B"))
    );
    assert_eq!(second["verdict"], "DECLINE");

    let after = app
        .data(
            w.mentee.tok(),
            QUALIFICATION_NODE,
            json!({ "id": first_id }),
        )
        .await;
    assert_eq!(
        after, before,
        "a past qualification must read back exactly as it was scored"
    );
    assert_eq!(after["node"]["templateVersion"]["number"], 1);
    let mentor_view = app
        .data(
            w.mentor.tok(),
            QUALIFICATION_NODE,
            json!({ "id": first_id }),
        )
        .await;
    assert_eq!(
        mentor_view, before,
        "the mentor sees the same stored result"
    );
    let v1_after = app
        .data(w.mentor.tok(), VERSION_NODE, json!({ "id": w.version_id }))
        .await;
    assert_eq!(v1_after, v1_before, "version 1 is unchanged");
    assert_eq!(v1_after["node"]["criteria"][1]["weight"], 3);

    let history = app
        .data(
            w.mentee.tok(),
            "query($id: ID!) { node(id: $id) { ... on Prospect { latestQualification { id } \
              qualifications(first: 10) { totalCount nodes { id scoreBasisPoints } } } } }",
            json!({ "id": prospect }),
        )
        .await;
    assert_eq!(
        history["node"]["qualifications"]["totalCount"], 2,
        "re-qualifying appends"
    );
    assert_eq!(history["node"]["latestQualification"]["id"], second["id"]);
    let mut scores: Vec<i64> = history["node"]["qualifications"]["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .map(|n| int_at(n, "/scoreBasisPoints"))
        .collect();
    scores.sort_unstable();
    assert_eq!(scores, [7586, 7613]);
}

#[tokio::test]
async fn editing_a_published_template_creates_one_new_draft_and_leaves_the_published_version_alone()
{
    let app = TestApp::spawn().await;
    let mentor = app.mentor().await;
    let (template, v1) = app.standard_template_published(&mentor, "STRICT").await;
    let v1_before = app
        .data(mentor.tok(), VERSION_NODE, json!({ "id": v1 }))
        .await;
    assert_eq!(v1_before["node"]["status"], "PUBLISHED");
    assert_eq!(
        v1_before["node"]["criteria"][0]["rule"],
        json!({ "__typename": "YesNoRule", "yesPoints": 100, "noPoints": 0, "knockoutOn": false })
    );
    assert_eq!(
        v1_before["node"]["criteria"][3]["rule"]["bands"],
        json!([
            { "min": null, "points": 0 }, { "min": "10000", "points": 50 }, { "min": "50000", "points": 100 }
        ]),
        "band bounds are BigInt: strings of digits"
    );

    // Publishing again with nothing new to publish is a conflict.
    expect_code(
        &app.gql(mentor.tok(), PUBLISH_TEMPLATE, json!({ "id": template }))
            .await,
        "CONFLICT",
    );

    let vars = json!({ "input": { "id": template, "definition": stricter_definition() } });
    let first_edit = app.data(mentor.tok(), UPDATE_TEMPLATE_DRAFT, vars).await["updateTemplateDraft"]["template"].clone();
    let v2 = str_at(&first_edit, "/latestVersion/id");
    let mut definition = stricter_definition();
    definition["thresholdA"] = json!(85);
    let vars = json!({ "input": { "id": template, "definition": definition } });
    let second_edit = app.data(mentor.tok(), UPDATE_TEMPLATE_DRAFT, vars).await["updateTemplateDraft"]["template"].clone();
    assert_eq!(
        str_at(&second_edit, "/latestVersion/id"),
        v2,
        "a draft is edited in place"
    );
    assert_eq!(second_edit["latestVersion"]["thresholdA"], 85);
    let statuses: Vec<(i64, String)> = second_edit["versions"]["nodes"]
        .as_array()
        .expect("versions")
        .iter()
        .map(|v| (int_at(v, "/number"), str_at(v, "/status")))
        .collect();
    assert_eq!(
        statuses,
        [(1, "PUBLISHED".to_owned()), (2, "DRAFT".to_owned())]
    );

    let v1_after = app
        .data(mentor.tok(), VERSION_NODE, json!({ "id": v1 }))
        .await;
    assert_eq!(
        v1_after, v1_before,
        "the published version is untouched by edits"
    );

    // A program standard must be a published version: a draft is refused.
    let program = app.create_program(&mentor, &v1).await;
    let vars = json!({ "input": { "id": program, "standardVersionId": v2 } });
    expect_field(
        &app.gql(mentor.tok(), UPDATE_PROGRAM, vars).await,
        "input.standardVersionId",
    );
    let vars = json!({ "input": { "name": "Drafty", "standardVersionId": v2 } });
    expect_field(
        &app.gql(mentor.tok(), CREATE_PROGRAM, vars).await,
        "input.standardVersionId",
    );

    let published = app.publish(&mentor, &template).await;
    assert_eq!(published, v2);
    let v2_view = app
        .data(mentor.tok(), VERSION_NODE, json!({ "id": v2 }))
        .await;
    assert_eq!(
        (
            v2_view["node"]["number"].clone(),
            v2_view["node"]["thresholdA"].clone()
        ),
        (json!(2), json!(85))
    );
    let renamed = app
        .gql(
            mentor.tok(),
            UPDATE_TEMPLATE_DRAFT,
            json!({ "input": { "id": template, "name": "Renamed" } }),
        )
        .await;
    let renamed = ok(renamed)["updateTemplateDraft"]["template"].clone();
    assert_eq!(renamed["name"], "Renamed");
    assert_eq!(
        renamed["latestVersion"]["number"], 2,
        "renaming alone does not start a version"
    );
    assert_eq!(
        app.data(mentor.tok(), VERSION_NODE, json!({ "id": v2 }))
            .await,
        v2_view
    );
}
