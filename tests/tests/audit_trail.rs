//! The audit trail over HTTP: who did what, when, to which object, read by a program's
//! mentor and by its mentee, filtered and paged, and hidden from everyone else.
//!
//! The world, in the order it happens (mentor X, mentee M of X's program P):
//!
//! | # | action | actor | program | about M |
//! |---|---|---|---|---|
//! | 1 | `session.login` (X signs in) | X | | |
//! | 2 | `template.create` | X | | |
//! | 3 | `template.publish` | X | | |
//! | 4 | `program.create` | X | P | |
//! | 5 | `invite.create` | X | P | |
//! | 6 | `user.sign_up` (joins P) | M | P | yes |
//! | 7 | `prospect.create` | M | P | yes |
//! | 8 | `prospect.qualify` | M | P | yes |
//! | 9 | `prospect.decide` | M | P | yes |
//!
//! X reads all nine (P's, and their own of no program); M reads 6 to 9.

use serde_json::{Value, json};

use crate::definitions::Answers;
use crate::fixtures::{Actor, World};
use crate::helpers::{TestApp, expect_code, expect_field, ok, str_at};

pub const TRAIL: &str = "query($filter: AuditFilter, $first: Int, $after: String) { \
    auditTrail(filter: $filter, first: $first, after: $after) { \
    totalCount pageInfo { hasNextPage endCursor } \
    nodes { id action objectType objectId actor { id } requestId at } } }";

struct Trail {
    w: World,
    prospect: String,
    qualification: String,
    decision: String,
}

async fn world(app: &TestApp) -> Trail {
    let w = app.mentee_in_program("REVIEW").await;
    let me = &w.mentee;
    let prospect = app.create_prospect(me, &w.program_id, "Acme").await;
    let q = app.qualify(me, &prospect, &Answers::good(), None).await;
    let decided = ok(app.decide(me, &prospect, "TAKE_ON", None, None).await);
    Trail {
        qualification: str_at(&q, "/qualification/id"),
        decision: str_at(&decided, "/decideProspect/decision/id"),
        prospect,
        w,
    }
}

async fn trail(app: &TestApp, who: &Actor, vars: Value) -> Value {
    app.data(who.tok(), TRAIL, vars).await["auditTrail"].clone()
}

fn actions(page: &Value) -> Vec<String> {
    page["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .map(|n| str_at(n, "/action"))
        .collect()
}

const MENTEES: [&str; 4] = [
    "prospect.decide",
    "prospect.qualify",
    "prospect.create",
    "user.sign_up",
];

#[tokio::test]
async fn a_mentor_reads_the_trail_of_their_programs_and_a_mentee_their_own_newest_first() {
    let app = TestApp::spawn().await;
    let t = world(&app).await;
    let all = trail(&app, &t.w.mentor, json!({})).await;
    let mut expected: Vec<&str> = MENTEES.to_vec();
    expected.extend([
        "invite.create",
        "program.create",
        "template.publish",
        "template.create",
        "session.login",
    ]);
    assert_eq!(actions(&all), expected);
    assert_eq!(all["totalCount"], 9);
    let decide = &all["nodes"][0];
    assert_eq!(decide["objectType"], "Decision");
    assert_eq!(decide["objectId"], t.decision.as_str());
    assert_eq!(decide["actor"]["id"], t.w.mentee.id.as_str());
    assert_eq!(decide["requestId"].as_str().map(str::len), Some(32));
    let login = &all["nodes"][8];
    assert_eq!(
        (
            &login["objectType"],
            &login["objectId"],
            &login["actor"]["id"]
        ),
        (&json!("User"), &json!(t.w.mentor.id), &json!(t.w.mentor.id))
    );
    // The mentee: what is about them and what they did.
    let mine = trail(&app, &t.w.mentee, json!({})).await;
    assert_eq!(actions(&mine), MENTEES);
    assert_eq!(mine["nodes"][0]["id"], decide["id"]);
    // Their mentor is someone they may see: named as the actor of what the mentor did.
    let remove =
        "mutation($input: RemoveMenteeInput!) { removeMentee(input: $input) { removedMenteeId } }";
    let input = json!({ "input": { "programId": t.w.program_id, "menteeId": t.w.mentee.id } });
    app.data(t.w.mentor.tok(), remove, input).await;
    let mine = trail(&app, &t.w.mentee, json!({})).await;
    assert_eq!(mine["nodes"][0]["action"], "program.remove_mentee");
    assert_eq!(mine["nodes"][0]["objectId"], t.w.mentee.id.as_str());
    assert_eq!(mine["totalCount"], 5);
    let program = json!({ "filter": { "programId": t.w.program_id } });
    let of_p = trail(&app, &t.w.mentor, program).await;
    assert_eq!(of_p["nodes"][0]["action"], "program.remove_mentee");
    assert_eq!(of_p["totalCount"], 7);
}

#[tokio::test]
async fn the_trail_filters_by_program_object_actor_action_and_time_and_pages_newest_first() {
    let app = TestApp::spawn().await;
    let t = world(&app).await;
    let x = &t.w.mentor;
    let filtered = |filter: Value| json!({ "filter": filter });
    let of_p = trail(&app, x, filtered(json!({ "programId": t.w.program_id }))).await;
    let mut p_actions: Vec<&str> = MENTEES.to_vec();
    p_actions.extend(["invite.create", "program.create"]);
    assert_eq!(actions(&of_p), p_actions);
    let by_mentee = trail(&app, x, filtered(json!({ "actorId": t.w.mentee.id }))).await;
    assert_eq!(actions(&by_mentee), MENTEES);
    let of_prospect = trail(&app, x, filtered(json!({ "objectId": t.prospect }))).await;
    assert_eq!(actions(&of_prospect), ["prospect.create"]);
    assert_eq!(of_prospect["nodes"][0]["objectId"], t.prospect.as_str());
    let of_q = trail(&app, x, filtered(json!({ "objectId": t.qualification }))).await;
    assert_eq!(actions(&of_q), ["prospect.qualify"]);
    let qualify = trail(&app, x, filtered(json!({ "action": "prospect.qualify" }))).await;
    assert_eq!(qualify["nodes"], of_q["nodes"]);
    // A window from the prospect's creation to its qualification, both included.
    let from = of_prospect["nodes"][0]["at"].clone();
    let to = of_q["nodes"][0]["at"].clone();
    let window = trail(&app, x, filtered(json!({ "from": from, "to": to }))).await;
    assert_eq!(actions(&window), ["prospect.qualify", "prospect.create"]);
    let combined = filtered(
        json!({ "programId": t.w.program_id, "actorId": t.w.mentee.id,
                                    "from": from }),
    );
    assert_eq!(
        actions(&trail(&app, x, combined).await),
        ["prospect.decide", "prospect.qualify", "prospect.create"]
    );
    expect_field(
        &app.gql(x.tok(), TRAIL, filtered(json!({ "from": to, "to": from })))
            .await,
        "filter.to",
    );
    expect_field(
        &app.gql(x.tok(), TRAIL, filtered(json!({ "objectId": "nope" })))
            .await,
        "filter.objectId",
    );

    // Pages: four, then the last two, newest first throughout.
    let program = json!({ "programId": t.w.program_id });
    let first = trail(&app, x, json!({ "filter": program, "first": 4 })).await;
    assert_eq!(actions(&first), p_actions[..4]);
    assert_eq!(
        (&first["totalCount"], &first["pageInfo"]["hasNextPage"]),
        (&json!(6), &json!(true))
    );
    let after = first["pageInfo"]["endCursor"].clone();
    let second = trail(
        &app,
        x,
        json!({ "filter": program, "first": 4, "after": after }),
    )
    .await;
    assert_eq!(actions(&second), p_actions[4..]);
    assert_eq!(second["pageInfo"]["hasNextPage"], false);
    expect_field(
        &app.gql(x.tok(), TRAIL, json!({ "after": "bm9wZQ" })).await,
        "after",
    );
}

#[tokio::test]
async fn nobody_else_reads_a_programs_trail() {
    let app = TestApp::spawn().await;
    let t = world(&app).await;
    let other = app.mentee_in_program("REVIEW").await;
    for who in [&other.mentor, &other.mentee] {
        let about = json!({ "filter": { "objectId": t.prospect } });
        assert_eq!(trail(&app, who, about).await["totalCount"], 0);
        let by = json!({ "filter": { "actorId": t.w.mentee.id } });
        assert_eq!(trail(&app, who, by).await["totalCount"], 0);
        let program = json!({ "filter": { "programId": t.w.program_id } });
        expect_code(&app.gql(who.tok(), TRAIL, program).await, "NOT_FOUND");
    }
    // Their own trail holds only their world: the mentee's sign-up and the mentor's five.
    let theirs = trail(&app, &other.mentor, json!({})).await;
    assert_eq!(theirs["totalCount"], 6);
    let own = trail(&app, &other.mentee, json!({})).await;
    assert_eq!(actions(&own), ["user.sign_up"]);
    expect_code(&app.gql(None, TRAIL, json!({})).await, "UNAUTHENTICATED");
}
