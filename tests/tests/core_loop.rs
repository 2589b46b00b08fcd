//! The whole mentor-to-mentee loop: template, program, invite, sign-up, prospect, qualification,
//! decision, exceptions under each policy, and outlooks with a plan.

use serde_json::{Value, json};

use crate::definitions::{Answers, bias_check, standard_definition};
use crate::fixtures::{
    CREATE_INVITE, CREATE_PROGRAM, CREATE_PROSPECT, CREATE_TEMPLATE, DECIDE, PUBLISH_TEMPLATE,
    QUALIFY, SIGN_UP,
};
use crate::helpers::{TestApp, expect_code, int_at, ok, str_at, unique_email};

pub const PROSPECT_VIEW: &str = "query($id: ID!) { node(id: $id) { ... on Prospect { id name status requalifyBy \
    owner { id } program { id } latestQualification { id scoreBasisPoints verdict } \
    qualifications(first: 10) { totalCount } \
    decisions { nodes { id decision isException reason exceptionRequest { id status note reviewer { id } } } } } } }";

#[tokio::test]
async fn mentor_and_mentee_complete_the_qualification_loop() {
    let app = TestApp::spawn().await;
    assert_eq!(app.get("/healthz").await, reqwest::StatusCode::OK);
    // Development mode (as in Config::for_tests) serves GraphiQL on GET /graphql.
    assert_eq!(app.get("/graphql").await, reqwest::StatusCode::OK);
    let mentor = app.mentor().await;

    let vars = json!({ "input": { "name": "A-client standard", "description": "Our A-client definition",
                                  "definition": standard_definition("STRICT") } });
    let created =
        app.data(mentor.tok(), CREATE_TEMPLATE, vars).await["createTemplate"]["template"].clone();
    let template_id = str_at(&created, "/id");
    assert_eq!(created["name"], "A-client standard");
    assert_eq!(
        created["publishedVersion"],
        Value::Null,
        "nothing is published yet"
    );
    assert_eq!(created["latestVersion"]["number"], 1);
    assert_eq!(created["latestVersion"]["status"], "DRAFT");
    let weights: Vec<(String, i64)> = created["latestVersion"]["criteria"]
        .as_array()
        .expect("criteria")
        .iter()
        .map(|c| (str_at(c, "/key"), int_at(c, "/weight")))
        .collect();
    assert_eq!(weights.len(), 10);
    assert_eq!(weights[3], ("revenue_fit".to_owned(), 3));
    assert_eq!(weights.iter().map(|w| w.1).sum::<i64>(), 22);

    let published = app
        .data(mentor.tok(), PUBLISH_TEMPLATE, json!({ "id": template_id }))
        .await;
    let version_id = str_at(&published, "/publishTemplate/version/id");
    assert_eq!(published["publishTemplate"]["version"]["number"], 1);
    assert!(published["publishTemplate"]["version"]["publishedAt"].is_string());
    assert_eq!(
        str_at(&published, "/publishTemplate/template/publishedVersion/id"),
        version_id
    );

    let vars =
        json!({ "input": { "name": "Strategy Program 2027", "standardVersionId": version_id } });
    let program =
        app.data(mentor.tok(), CREATE_PROGRAM, vars).await["createProgram"]["program"].clone();
    let program_id = str_at(&program, "/id");
    assert_eq!(str_at(&program, "/standard/id"), version_id);
    assert_eq!(str_at(&program, "/mentor/id"), mentor.id);

    let vars = json!({ "input": { "programId": program_id, "maxUses": 5 } });
    let invite =
        app.data(mentor.tok(), CREATE_INVITE, vars).await["createInvite"]["invite"].clone();
    assert_eq!(
        (invite["uses"].clone(), invite["maxUses"].clone()),
        (json!(0), json!(5))
    );
    let code = str_at(&invite, "/code");
    assert!(
        code.len() >= 8,
        "an invite code must not be guessable: {code:?}"
    );

    let email = unique_email("mentee");
    let vars = json!({ "input": { "email": email, "password": "a long enough password", "name": "Max", "inviteCode": code } });
    let signed_up = app.data(None, SIGN_UP, vars).await["signUp"].clone();
    assert_eq!(signed_up["user"]["role"], "MENTEE");
    assert_eq!(signed_up["user"]["email"], email);
    let mentee_token = str_at(&signed_up, "/accessToken");
    let mentee_id = str_at(&signed_up, "/user/id");
    let tok = Some(mentee_token.as_str());
    let programs = app
        .data(
            tok,
            "{ programs { totalCount nodes { id standard { id } } } }",
            json!({}),
        )
        .await;
    assert_eq!(programs["programs"]["totalCount"], 1);
    assert_eq!(str_at(&programs, "/programs/nodes/0/id"), program_id);
    assert_eq!(
        str_at(&programs, "/programs/nodes/0/standard/id"),
        version_id
    );

    let vars = json!({ "input": { "programId": program_id, "name": "Bakery Schmidt", "company": "Schmidt GmbH" } });
    let prospect = app.data(tok, CREATE_PROSPECT, vars).await["createProspect"]["prospect"].clone();
    let prospect_id = str_at(&prospect, "/id");
    assert_eq!(prospect["status"], "NEW");
    assert_eq!(str_at(&prospect, "/owner/id"), mentee_id);
    assert_eq!(prospect["latestQualification"], Value::Null);

    let vars = json!({ "input": { "prospectId": prospect_id, "answers": Answers::good().json() } });
    let payload = app.data(tok, QUALIFY, vars).await["qualifyProspect"].clone();
    let q = &payload["qualification"];
    // The full explanation is checked in scoring.rs; here the loop's headline values.
    assert_eq!(q["scoreBasisPoints"], 7613);
    assert_eq!(q["tier"], "A");
    assert_eq!(q["verdict"], "ACCEPT");
    assert_eq!(q["knockouts"], json!([]));
    assert_eq!(str_at(q, "/templateVersion/id"), version_id);
    assert_eq!(str_at(q, "/qualifiedBy/id"), mentee_id);
    assert_eq!(q["answers"].as_array().map(Vec::len), Some(10));
    assert_eq!(
        q["answers"][1],
        json!({ "key": "values_expertise", "value": { "__typename": "ScaleAnswer", "scale": 4 } })
    );
    assert_eq!(payload["prospect"]["status"], "QUALIFIED");
    assert_eq!(payload["prospect"]["latestQualification"]["id"], q["id"]);

    let vars = json!({ "input": { "prospectId": prospect_id, "qualificationId": q["id"],
                                  "decision": "TAKE_ON" } });
    let decided = app.data(tok, DECIDE, vars).await["decideProspect"].clone();
    assert_eq!(decided["decision"]["decision"], "TAKE_ON");
    assert_eq!(decided["decision"]["isException"], false);
    assert_eq!(decided["decision"]["qualification"]["id"], q["id"]);
    assert_eq!(decided["exceptionRequest"], Value::Null);
    assert_eq!(decided["prospect"]["status"], "TAKEN_ON");

    // The mentor sees the mentee's prospect, its result and decision, and the used invite.
    let seen = app
        .data(mentor.tok(), PROSPECT_VIEW, json!({ "id": prospect_id }))
        .await;
    assert_eq!(seen["node"]["status"], "TAKEN_ON");
    assert_eq!(
        seen["node"]["latestQualification"]["scoreBasisPoints"],
        7613
    );
    assert_eq!(seen["node"]["decisions"]["nodes"][0]["decision"], "TAKE_ON");
    let listed = app
        .data(mentor.tok(), "query($p: ID!) { prospects(filter: { programId: $p }) { totalCount nodes { id name } } }", json!({ "p": program_id }))
        .await;
    assert_eq!(listed["prospects"]["totalCount"], 1);
    assert_eq!(listed["prospects"]["nodes"][0]["name"], "Bakery Schmidt");
    let invite_now = app
        .data(
            mentor.tok(),
            "query($id: ID!) { node(id: $id) { ... on Invite { uses } } }",
            json!({ "id": invite["id"] }),
        )
        .await;
    assert_eq!(invite_now["node"]["uses"], 1);
}

#[tokio::test]
async fn turning_down_is_always_allowed() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("STRICT").await;
    // (prospect name, answers to qualify with first, if any)
    let cases = [
        ("never qualified", None),
        ("declined", Some(Answers::knocked_out())),
        ("accepted", Some(Answers::all_best())),
    ];
    for (name, answers) in cases {
        let prospect = app.create_prospect(&w.mentee, &w.program_id, name).await;
        if let Some(answers) = &answers {
            app.qualify(&w.mentee, &prospect, answers, None).await;
        }
        let d = ok(app
            .decide(&w.mentee, &prospect, "TURN_DOWN", None, None)
            .await)["decideProspect"]
            .clone();
        assert_eq!(d["decision"]["decision"], "TURN_DOWN", "{name}");
        assert_eq!(d["decision"]["isException"], false, "{name}");
        assert_eq!(d["prospect"]["status"], "TURNED_DOWN", "{name}");
    }
}

#[tokio::test]
async fn taking_on_an_unqualified_prospect_is_refused() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("REVIEW").await;
    let prospect = app
        .create_prospect(&w.mentee, &w.program_id, "Skipped the qualification")
        .await;
    let body = app
        .decide(
            &w.mentee,
            &prospect,
            "TAKE_ON",
            Some("We can deliver"),
            Some(bias_check(false)),
        )
        .await;
    expect_code(&body, "CONFLICT");
    let seen = app
        .data(w.mentee.tok(), PROSPECT_VIEW, json!({ "id": prospect }))
        .await;
    assert_eq!(seen["node"]["status"], "NEW");
    assert_eq!(seen["node"]["decisions"]["nodes"], json!([]));
}
