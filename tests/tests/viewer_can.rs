//! `viewerCan*` and `viewerIsMentor`: what the viewer may do with an object, as the
//! mutation would answer them. For each field the viewer cases (owner, mentor, removed
//! mentee, archived program or prospect, published template, reviewed request, ended
//! client), and for most that the mutation indeed succeeds where the field says `true`
//! and fails where it says `false`.

use serde_json::{Value, json};

use crate::definitions::Answers;
use crate::feedback::{CORRECT, END_CLIENT};
use crate::fixtures::{Actor, World};
use crate::helpers::{TestApp, expect_code, ok, str_at, today};

const PROGRAM: &str = "query($id: ID!) { node(id: $id) { ... on Program { \
    viewerIsMentor viewerCanUpdate viewerCanArchive viewerCanInvite viewerCanCreateProspect } } }";
const PROSPECT: &str = "query($id: ID!) { node(id: $id) { ... on Prospect { \
    viewerCanUpdate viewerCanArchive viewerCanQualify viewerCanDecide } } }";
const TEMPLATE: &str = "query($id: ID!) { node(id: $id) { ... on Template { \
    viewerCanUpdate viewerCanPublish } } }";
const EXCEPTION: &str = "query($id: ID!) { node(id: $id) { ... on ExceptionRequest { \
    viewerCanReview } } }";
const CLIENT: &str = "query($id: ID!) { node(id: $id) { ... on Prospect { \
    client { viewerCanRecordOutcome viewerCanEnd } } } }";
const OUTCOME: &str = "query($id: ID!) { node(id: $id) { ... on OutcomeEntry { \
    viewerCanCorrect } } }";

const ARCHIVE_PROGRAM: &str = "mutation($id: ID!) { archiveProgram(id: $id) { program { id } } }";
const ARCHIVE_PROSPECT: &str =
    "mutation($id: ID!) { archiveProspect(id: $id) { prospect { id } } }";
const UPDATE_PROSPECT: &str = "mutation($input: UpdateProspectInput!) { \
    updateProspect(input: $input) { prospect { id name } } }";
const UPDATE_PROGRAM: &str = "mutation($input: UpdateProgramInput!) { \
    updateProgram(input: $input) { program { id name } } }";
const REMOVE_MENTEE: &str = "mutation($input: RemoveMenteeInput!) { \
    removeMentee(input: $input) { removedMenteeId } }";
const CREATE_INVITE: &str = "mutation($input: CreateInviteInput!) { \
    createInvite(input: $input) { invite { id } } }";
const CREATE_PROSPECT: &str = "mutation($input: CreateProspectInput!) { \
    createProspect(input: $input) { prospect { id } } }";
const PUBLISH: &str = "mutation($id: ID!) { publishTemplate(id: $id) { version { status } } }";
const REVIEW: &str = "mutation($input: ReviewExceptionInput!) { \
    reviewException(input: $input) { exceptionRequest { status } } }";

/// The viewer fields of `query` on `id` as `who` reads them.
async fn can(app: &TestApp, who: &Actor, query: &str, id: &str) -> Value {
    let data = app.data(who.tok(), query, json!({ "id": id })).await;
    data["node"].clone()
}

async fn remove(app: &TestApp, world: &World, mentee: &Actor) {
    let vars = json!({ "input": { "programId": world.program_id, "menteeId": mentee.id } });
    ok(app.gql(world.mentor.tok(), REMOVE_MENTEE, vars).await);
}

fn flags(names: &[&str], values: &[bool]) -> Value {
    names
        .iter()
        .zip(values)
        .map(|(n, v)| ((*n).to_owned(), json!(v)))
        .collect::<serde_json::Map<_, _>>()
        .into()
}

const PROGRAM_FIELDS: [&str; 5] = [
    "viewerIsMentor",
    "viewerCanUpdate",
    "viewerCanArchive",
    "viewerCanInvite",
    "viewerCanCreateProspect",
];
const PROSPECT_FIELDS: [&str; 4] = [
    "viewerCanUpdate",
    "viewerCanArchive",
    "viewerCanQualify",
    "viewerCanDecide",
];

#[tokio::test]
async fn a_program_tells_its_mentor_and_its_mentee_what_each_may_do_before_and_after_archiving() {
    let app = TestApp::spawn().await;
    let world = app.mentee_in_program("STRICT").await;
    let (mentor, mentee, id) = (&world.mentor, &world.mentee, world.program_id.as_str());

    let theirs = can(&app, mentor, PROGRAM, id).await;
    assert_eq!(
        theirs,
        flags(&PROGRAM_FIELDS, &[true, true, true, true, false])
    );
    let mine = can(&app, mentee, PROGRAM, id).await;
    assert_eq!(
        mine,
        flags(&PROGRAM_FIELDS, &[false, false, false, false, true])
    );

    // True: the mutations succeed. False: they fail.
    let prospect = json!({ "input": { "programId": id, "name": "Before" } });
    ok(app
        .gql(mentee.tok(), CREATE_PROSPECT, prospect.clone())
        .await);
    expect_code(
        &app.gql(mentor.tok(), CREATE_PROSPECT, prospect).await,
        "FORBIDDEN",
    );
    let invite = json!({ "input": { "programId": id } });
    expect_code(
        &app.gql(mentee.tok(), CREATE_INVITE, invite.clone()).await,
        "FORBIDDEN",
    );
    ok(app.gql(mentor.tok(), CREATE_INVITE, invite.clone()).await);
    let rename = json!({ "input": { "id": id, "name": "Renamed" } });
    expect_code(
        &app.gql(mentee.tok(), UPDATE_PROGRAM, rename.clone()).await,
        "FORBIDDEN",
    );
    expect_code(
        &app.gql(mentee.tok(), ARCHIVE_PROGRAM, json!({ "id": id }))
            .await,
        "FORBIDDEN",
    );
    ok(app
        .gql(mentor.tok(), ARCHIVE_PROGRAM, json!({ "id": id }))
        .await);

    // Archived: still updatable by its mentor; no invite, no prospect, nothing to archive.
    let theirs = can(&app, mentor, PROGRAM, id).await;
    assert_eq!(
        theirs,
        flags(&PROGRAM_FIELDS, &[true, true, false, false, false])
    );
    let mine = can(&app, mentee, PROGRAM, id).await;
    assert_eq!(
        mine,
        flags(&PROGRAM_FIELDS, &[false, false, false, false, false])
    );
    ok(app.gql(mentor.tok(), UPDATE_PROGRAM, rename).await);
    expect_code(
        &app.gql(mentor.tok(), CREATE_INVITE, invite).await,
        "CONFLICT",
    );
    let after = json!({ "input": { "programId": id, "name": "After" } });
    expect_code(
        &app.gql(mentee.tok(), CREATE_PROSPECT, after).await,
        "CONFLICT",
    );
}

#[tokio::test]
async fn a_prospect_may_be_changed_by_its_enrolled_owner_only() {
    let app = TestApp::spawn().await;
    let world = app.mentee_in_program("STRICT").await;
    let (mentor, mentee) = (&world.mentor, &world.mentee);
    let prospect = app.create_prospect(mentee, &world.program_id, "Acme").await;

    let mine = can(&app, mentee, PROSPECT, &prospect).await;
    assert_eq!(mine, flags(&PROSPECT_FIELDS, &[true, true, true, true]));
    let theirs = can(&app, mentor, PROSPECT, &prospect).await;
    assert_eq!(
        theirs,
        flags(&PROSPECT_FIELDS, &[false, false, false, false])
    );

    let rename = json!({ "input": { "id": prospect, "name": "Acme Ltd" } });
    expect_code(
        &app.gql(mentor.tok(), UPDATE_PROSPECT, rename.clone()).await,
        "FORBIDDEN",
    );
    ok(app.gql(mentee.tok(), UPDATE_PROSPECT, rename.clone()).await);
    app.qualify(mentee, &prospect, &Answers::good(), None).await;

    // Removed from the program: the prospect stays readable, and nothing is allowed.
    remove(&app, &world, mentee).await;
    let mine = can(&app, mentee, PROSPECT, &prospect).await;
    assert_eq!(mine, flags(&PROSPECT_FIELDS, &[false, false, false, false]));
    expect_code(
        &app.gql(mentee.tok(), UPDATE_PROSPECT, rename).await,
        "FORBIDDEN",
    );
    let decided = app.decide(mentee, &prospect, "TURN_DOWN", None, None).await;
    expect_code(&decided, "FORBIDDEN");
}

#[tokio::test]
async fn an_archived_prospect_may_be_renamed_but_not_qualified_decided_or_archived_again() {
    let app = TestApp::spawn().await;
    let world = app.mentee_in_program("STRICT").await;
    let mentee = &world.mentee;
    let prospect = app.create_prospect(mentee, &world.program_id, "Acme").await;
    ok(app
        .gql(mentee.tok(), ARCHIVE_PROSPECT, json!({ "id": prospect }))
        .await);

    let mine = can(&app, mentee, PROSPECT, &prospect).await;
    assert_eq!(mine, flags(&PROSPECT_FIELDS, &[true, false, false, false]));
    let rename = json!({ "input": { "id": prospect, "name": "Acme Ltd" } });
    ok(app.gql(mentee.tok(), UPDATE_PROSPECT, rename).await);
    expect_code(
        &app.qualify_raw(mentee, &prospect, &Answers::good()).await,
        "CONFLICT",
    );
    let decided = app.decide(mentee, &prospect, "TURN_DOWN", None, None).await;
    expect_code(&decided, "CONFLICT");
}

#[tokio::test]
async fn in_an_archived_program_a_prospect_is_decided_but_not_qualified() {
    let app = TestApp::spawn().await;
    let world = app.mentee_in_program("STRICT").await;
    let mentee = &world.mentee;
    let prospect = app.create_prospect(mentee, &world.program_id, "Acme").await;
    app.qualify(mentee, &prospect, &Answers::good(), None).await;
    let program = json!({ "id": world.program_id });
    ok(app.gql(world.mentor.tok(), ARCHIVE_PROGRAM, program).await);

    let mine = can(&app, mentee, PROSPECT, &prospect).await;
    assert_eq!(mine, flags(&PROSPECT_FIELDS, &[true, true, false, true]));
    expect_code(
        &app.qualify_raw(mentee, &prospect, &Answers::good()).await,
        "CONFLICT",
    );
    ok(app.decide(mentee, &prospect, "TURN_DOWN", None, None).await);
}

#[tokio::test]
async fn a_pending_exception_blocks_deciding_until_its_review_which_only_the_mentor_may_give_once()
{
    let app = TestApp::spawn().await;
    let world = app.mentee_in_program("REVIEW").await;
    let (mentor, mentee) = (&world.mentor, &world.mentee);
    let (prospect, _, _, request) = app.pending_exception(mentee, &world.program_id).await;

    let mine = can(&app, mentee, PROSPECT, &prospect).await;
    assert_eq!(mine, flags(&PROSPECT_FIELDS, &[true, true, true, false]));
    let decided = app.decide(mentee, &prospect, "TURN_DOWN", None, None).await;
    expect_code(&decided, "CONFLICT");

    assert_eq!(
        can(&app, mentor, EXCEPTION, &request).await["viewerCanReview"],
        true
    );
    assert_eq!(
        can(&app, mentee, EXCEPTION, &request).await["viewerCanReview"],
        false
    );
    let review = json!({ "input": { "id": request, "approve": false } });
    expect_code(
        &app.gql(mentee.tok(), REVIEW, review.clone()).await,
        "FORBIDDEN",
    );
    let reviewed = ok(app.gql(mentor.tok(), REVIEW, review.clone()).await);
    assert_eq!(
        reviewed["reviewException"]["exceptionRequest"]["status"],
        "REJECTED"
    );

    // Reviewed: nothing left to review; the prospect can be decided on again.
    assert_eq!(
        can(&app, mentor, EXCEPTION, &request).await["viewerCanReview"],
        false
    );
    expect_code(&app.gql(mentor.tok(), REVIEW, review).await, "CONFLICT");
    let mine = can(&app, mentee, PROSPECT, &prospect).await;
    assert_eq!(mine["viewerCanDecide"], true);
    ok(app.decide(mentee, &prospect, "TURN_DOWN", None, None).await);
}

#[tokio::test]
async fn a_template_is_updated_by_its_owner_and_published_while_its_newest_version_is_a_draft() {
    let app = TestApp::spawn().await;
    let mentor = app.mentor().await;
    let definition = crate::definitions::standard_definition("STRICT");
    let (template, _) = app.create_template(&mentor, "Ours", definition).await;
    let draft = can(&app, &mentor, TEMPLATE, &template).await;
    assert_eq!(
        draft,
        json!({ "viewerCanUpdate": true, "viewerCanPublish": true })
    );
    ok(app
        .gql(mentor.tok(), PUBLISH, json!({ "id": template }))
        .await);

    let published = can(&app, &mentor, TEMPLATE, &template).await;
    assert_eq!(
        published,
        json!({ "viewerCanUpdate": true, "viewerCanPublish": false })
    );
    let again = app
        .gql(mentor.tok(), PUBLISH, json!({ "id": template }))
        .await;
    expect_code(&again, "CONFLICT");

    // Another mentor does not see it at all, and may not publish it.
    let other = app.mentor().await;
    let hidden = app
        .data(other.tok(), TEMPLATE, json!({ "id": template }))
        .await;
    assert_eq!(hidden["node"], Value::Null);
    expect_code(
        &app.gql(other.tok(), PUBLISH, json!({ "id": template }))
            .await,
        "NOT_FOUND",
    );
}

/// A client of the mentee's, with one outcome entry this month; returns (prospect, entry).
async fn client_with_entry(app: &TestApp, world: &World) -> (String, String) {
    let prospect = app
        .client(
            &world.mentee,
            &world.program_id,
            "Client",
            &Answers::good(),
            None,
        )
        .await;
    let month = today().format("%Y-%m").to_string();
    let entry = app
        .outcome(&world.mentee, &prospect, &month, "1000.00", None, None, 4)
        .await;
    (prospect, str_at(&entry, "/id"))
}

fn correction(entry: &str) -> Value {
    json!({ "input": { "id": entry, "expectedRevision": 1,
        "revenue": { "amount": "1200.00", "currencyCode": "EUR" }, "energy": 5 } })
}

#[tokio::test]
async fn a_client_is_ended_once_and_its_entries_recorded_and_corrected_by_its_mentee_only() {
    let app = TestApp::spawn().await;
    let world = app.mentee_in_program("STRICT").await;
    let (mentor, mentee) = (&world.mentor, &world.mentee);
    let (prospect, entry) = client_with_entry(&app, &world).await;

    let mine = can(&app, mentee, CLIENT, &prospect).await;
    assert_eq!(
        mine["client"],
        json!({ "viewerCanRecordOutcome": true, "viewerCanEnd": true })
    );
    let theirs = can(&app, mentor, CLIENT, &prospect).await;
    assert_eq!(
        theirs["client"],
        json!({ "viewerCanRecordOutcome": false, "viewerCanEnd": false })
    );
    assert_eq!(
        can(&app, mentee, OUTCOME, &entry).await["viewerCanCorrect"],
        true
    );
    assert_eq!(
        can(&app, mentor, OUTCOME, &entry).await["viewerCanCorrect"],
        false
    );

    expect_code(
        &app.gql(mentor.tok(), CORRECT, correction(&entry)).await,
        "FORBIDDEN",
    );
    ok(app.gql(mentee.tok(), CORRECT, correction(&entry)).await);
    let end = json!({ "input": { "prospectId": prospect, "reason": "COMPLETED",
        "endedOn": today().to_string() } });
    expect_code(
        &app.gql(mentor.tok(), END_CLIENT, end.clone()).await,
        "FORBIDDEN",
    );
    ok(app.gql(mentee.tok(), END_CLIENT, end.clone()).await);

    // Ended: not again; its months within the span can still be recorded and corrected.
    let mine = can(&app, mentee, CLIENT, &prospect).await;
    assert_eq!(
        mine["client"],
        json!({ "viewerCanRecordOutcome": true, "viewerCanEnd": false })
    );
    expect_code(&app.gql(mentee.tok(), END_CLIENT, end).await, "CONFLICT");
    assert_eq!(
        can(&app, mentee, OUTCOME, &entry).await["viewerCanCorrect"],
        true
    );
}

#[tokio::test]
async fn a_removed_mentee_reads_their_client_and_entries_but_may_change_neither() {
    let app = TestApp::spawn().await;
    let world = app.mentee_in_program("STRICT").await;
    let mentee = &world.mentee;
    let (prospect, entry) = client_with_entry(&app, &world).await;
    remove(&app, &world, mentee).await;

    let mine = can(&app, mentee, CLIENT, &prospect).await;
    assert_eq!(
        mine["client"],
        json!({ "viewerCanRecordOutcome": false, "viewerCanEnd": false })
    );
    assert_eq!(
        can(&app, mentee, OUTCOME, &entry).await["viewerCanCorrect"],
        false
    );
    expect_code(
        &app.gql(mentee.tok(), CORRECT, correction(&entry)).await,
        "FORBIDDEN",
    );
    let end = json!({ "input": { "prospectId": prospect, "reason": "COMPLETED",
        "endedOn": today().to_string() } });
    expect_code(&app.gql(mentee.tok(), END_CLIENT, end).await, "FORBIDDEN");
}

/// Every `viewerCan*` field on pages of prospects (with their programs and clients),
/// templates and exception requests: the same statements with 2 items and with 12.
#[tokio::test]
async fn viewer_fields_on_a_page_run_the_same_statements_at_any_page_size() {
    let app = TestApp::spawn().await;
    let world = app.mentee_in_program("REVIEW").await;
    let server = app.server();
    let prospects = "{ prospects(first: 50) { nodes { id viewerCanUpdate viewerCanArchive \
        viewerCanQualify viewerCanDecide program { viewerIsMentor viewerCanUpdate \
        viewerCanArchive viewerCanInvite viewerCanCreateProspect } \
        client { viewerCanRecordOutcome viewerCanEnd } } } }";
    let requests = "{ exceptionRequests(first: 50) { nodes { id viewerCanReview \
        decision { id } } } }";
    let templates = "{ templates(first: 50) { nodes { id viewerCanUpdate viewerCanPublish } } }";
    let add = |n: usize| {
        let (app, world) = (&app, &world);
        async move {
            for i in 0..n {
                let name = format!("Client {i}");
                app.client(
                    &world.mentee,
                    &world.program_id,
                    &name,
                    &Answers::good(),
                    None,
                )
                .await;
                app.pending_exception(&world.mentee, &world.program_id)
                    .await;
                let definition = crate::definitions::standard_definition("STRICT");
                app.create_template(&world.mentor, &name, definition).await;
            }
        }
    };
    let measure = || {
        let (app, server, world) = (&app, &server, &world);
        async move {
            let mut out = Vec::new();
            for (who, query) in [
                (&world.mentee, prospects),
                (&world.mentor, prospects),
                (&world.mentee, requests),
                (&world.mentor, requests),
                (&world.mentor, templates),
            ] {
                let before = server.statements_executed();
                let auth = Some(format!("Bearer {}", who.access));
                let body = app.gql_to(server.addr, auth, query, json!({})).await;
                let data = ok(body);
                out.push((server.statements_executed() - before, data));
            }
            out
        }
    };
    add(1).await;
    measure().await;
    let small = measure().await;
    add(5).await;
    let large = measure().await;
    let counts = |rows: &[(u64, Value)]| rows.iter().map(|r| r.0).collect::<Vec<_>>();
    assert_eq!(counts(&small), counts(&large), "statement counts vary");
    // The pages really grew, and say what each viewer may do.
    let nodes =
        |data: &Value, list: &str| data[list]["nodes"].as_array().cloned().unwrap_or_default();
    assert_eq!(nodes(&small[0].1, "prospects").len(), 2);
    assert_eq!(nodes(&large[0].1, "prospects").len(), 12);
    assert_eq!(nodes(&large[3].1, "exceptionRequests").len(), 6);
    assert!(
        nodes(&large[3].1, "exceptionRequests")
            .iter()
            .all(|r| r["viewerCanReview"] == true)
    );
    assert!(
        nodes(&large[2].1, "exceptionRequests")
            .iter()
            .all(|r| r["viewerCanReview"] == false)
    );
    // 6 from `add` and the world's own.
    assert_eq!(nodes(&large[4].1, "templates").len(), 7);
    assert!(
        nodes(&large[1].1, "prospects")
            .iter()
            .all(|p| p["viewerCanDecide"] == false && p["program"]["viewerIsMentor"] == true)
    );
    let mine = nodes(&large[0].1, "prospects");
    let clients: Vec<&Value> = mine.iter().filter(|p| !p["client"].is_null()).collect();
    assert_eq!(clients.len(), 6);
    assert!(clients.iter().all(|p| p["client"]["viewerCanEnd"] == true));
}
