//! Template management: the default definition, copies, archiving, and revision checks.

use serde_json::{Value, json};

use crate::definitions::{Answers, standard_definition};
use crate::fixtures::{CREATE_TEMPLATE, UPDATE_TEMPLATE_DRAFT};
use crate::helpers::{TestApp, expect_code, int_at, ok, str_at};

const TEMPLATE_VIEW: &str = "query($id: ID!) { node(id: $id) { ... on Template { id name archived revision \
    publishedVersion { id } latestVersion { id number status thresholdA thresholdB horizonMonths \
    exceptionPolicy knockoutCap criteria { key label question weight position rule { __typename \
    ... on YesNoRule { yesPoints noPoints knockoutOn } ... on ScaleRule { min max knockoutBelow } \
    ... on NumberBandsRule { bands { min points } knockoutBelow } } } } } } }";

/// The criteria of a template's latest version as (key, weight, rule type).
fn criteria(view: &Value) -> Vec<(String, i64, String)> {
    view["node"]["latestVersion"]["criteria"]
        .as_array()
        .unwrap_or_else(|| panic!("criteria: {view:#}"))
        .iter()
        .map(|c| {
            (
                str_at(c, "/key"),
                int_at(c, "/weight"),
                str_at(c, "/rule/__typename"),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_template_without_a_definition_starts_from_the_a_client_standard() {
    let app = TestApp::spawn().await;
    let mentor = app.mentor().await;
    let created = app
        .data(
            mentor.tok(),
            CREATE_TEMPLATE,
            json!({ "input": { "name": "From the standard" } }),
        )
        .await;
    let id = str_at(&created, "/createTemplate/template/id");
    let view = app
        .data(mentor.tok(), TEMPLATE_VIEW, json!({ "id": id }))
        .await;
    let expected: Vec<(String, i64, String)> = [
        ("decision_maker", 3, "YesNoRule"),
        ("values_expertise", 3, "ScaleRule"),
        ("speaks_our_language", 2, "ScaleRule"),
        ("revenue_fit", 3, "NumberBandsRule"),
        ("standard_product", 3, "YesNoRule"),
        ("team_fit", 2, "ScaleRule"),
        ("growth", 2, "ScaleRule"),
        ("bhag_fit", 2, "ScaleRule"),
        ("energy", 1, "ScaleRule"),
        ("referral", 1, "YesNoRule"),
    ]
    .into_iter()
    .map(|(k, w, r)| (k.to_owned(), w, r.to_owned()))
    .collect();
    assert_eq!(criteria(&view), expected);
    let version = &view["node"]["latestVersion"];
    assert_eq!(version["status"], "DRAFT");
    let settings = json!([
        version["thresholdA"],
        version["thresholdB"],
        version["horizonMonths"],
        version["exceptionPolicy"],
        version["knockoutCap"]
    ]);
    assert_eq!(settings, json!([75, 50, 6, "STRICT", "C"]));
    let rules = &version["criteria"];
    assert_eq!(
        rules[0]["rule"],
        json!({ "__typename": "YesNoRule", "yesPoints": 100, "noPoints": 0, "knockoutOn": false })
    );
    assert_eq!(
        rules[4]["rule"]["knockoutOn"], false,
        "no standard product is a knockout"
    );
    assert_eq!(
        rules[9]["rule"]["knockoutOn"],
        Value::Null,
        "a missing referral is no knockout"
    );
    assert_eq!(
        rules[1]["rule"],
        json!({ "__typename": "ScaleRule", "min": 1, "max": 5, "knockoutBelow": null })
    );
    assert_eq!(
        rules[3]["rule"]["bands"],
        json!([
            { "min": null, "points": 0 }, { "min": "10000", "points": 50 }, { "min": "50000", "points": 100 }
        ]),
        "band bounds are BigInt: strings of digits"
    );
    let positions: Vec<i64> = rules
        .as_array()
        .expect("list")
        .iter()
        .map(|c| int_at(c, "/position"))
        .collect();
    assert_eq!(positions, (0..10).collect::<Vec<i64>>());
}

#[tokio::test]
async fn copying_a_template_copies_its_newest_version_into_a_new_draft() {
    let app = TestApp::spawn().await;
    let mentor = app.mentor().await;
    let (source, v1) = app.standard_template_published(&mentor, "REVIEW").await;
    let mut edited = standard_definition("REVIEW");
    edited["criteria"][0]["weight"] = json!(7);
    let vars = json!({ "input": { "id": source, "definition": edited } });
    app.data(mentor.tok(), UPDATE_TEMPLATE_DRAFT, vars).await;
    let before = app
        .data(mentor.tok(), TEMPLATE_VIEW, json!({ "id": source }))
        .await;

    let copy = "mutation($id: ID!) { copyTemplate(input: { id: $id }) { template { id name } version { number status } } }";
    let copied =
        app.data(mentor.tok(), copy, json!({ "id": source })).await["copyTemplate"].clone();
    let copy_id = str_at(&copied, "/template/id");
    assert_ne!(copy_id, source);
    assert_eq!(copied["template"]["name"], "A-client standard (copy)");
    assert_eq!(copied["version"], json!({ "number": 1, "status": "DRAFT" }));
    let view = app
        .data(mentor.tok(), TEMPLATE_VIEW, json!({ "id": copy_id }))
        .await;
    assert_eq!(view["node"]["publishedVersion"], Value::Null);
    assert_eq!(
        criteria(&view)[0],
        ("decision_maker".to_owned(), 7, "YesNoRule".to_owned()),
        "the newest version is copied"
    );
    assert_eq!(view["node"]["latestVersion"]["exceptionPolicy"], "REVIEW");
    assert_eq!(
        app.data(mentor.tok(), TEMPLATE_VIEW, json!({ "id": source }))
            .await,
        before,
        "the source is untouched"
    );
    assert_eq!(str_at(&before, "/node/publishedVersion/id"), v1);
}

#[tokio::test]
async fn archiving_a_template_hides_it_but_programs_keep_their_standard() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("STRICT").await;
    let archive = "mutation($id: ID!) { archiveTemplate(id: $id) { template { id archived } } }";
    let archived = app
        .data(w.mentor.tok(), archive, json!({ "id": w.template_id }))
        .await;
    assert_eq!(archived["archiveTemplate"]["template"]["archived"], true);
    let listed = app
        .data(w.mentor.tok(), "{ templates { totalCount } }", json!({}))
        .await;
    assert_eq!(listed["templates"]["totalCount"], 0);
    let prospect = app
        .create_prospect(&w.mentee, &w.program_id, "Still scored")
        .await;
    let q = app
        .qualify(&w.mentee, &prospect, &Answers::good(), None)
        .await;
    assert_eq!(
        str_at(&q, "/qualification/templateVersion/id"),
        w.version_id
    );
    assert_eq!(q["qualification"]["scoreBasisPoints"], 7613);
}

#[tokio::test]
async fn a_stale_expected_revision_is_a_conflict_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let mentor = app.mentor().await;
    let (template, _) = app
        .create_template(&mentor, "Revised", standard_definition("STRICT"))
        .await;
    let view = app
        .data(mentor.tok(), TEMPLATE_VIEW, json!({ "id": template }))
        .await;
    let revision = int_at(&view, "/node/revision");
    let rename = |name: &str| json!({ "input": { "id": template, "name": name, "expectedRevision": revision } });
    let renamed = app
        .data(mentor.tok(), UPDATE_TEMPLATE_DRAFT, rename("First"))
        .await;
    assert!(
        int_at(&renamed, "/updateTemplateDraft/template/revision") > revision,
        "the revision moves on"
    );
    expect_code(
        &app.gql(mentor.tok(), UPDATE_TEMPLATE_DRAFT, rename("Second"))
            .await,
        "CONFLICT",
    );
    let now = app
        .data(mentor.tok(), TEMPLATE_VIEW, json!({ "id": template }))
        .await;
    assert_eq!(now["node"]["name"], "First");
    // Without an expected revision the last writer wins.
    let vars = json!({ "input": { "id": template, "name": "Third" } });
    let body = ok(app.gql(mentor.tok(), UPDATE_TEMPLATE_DRAFT, vars).await);
    assert_eq!(body["updateTemplateDraft"]["template"]["name"], "Third");
}
