//! The re-qualification queue over HTTP: a small world of clients taken on with a plan,
//! their dates moved by hand, read by their mentee and their mentor and hidden from
//! everyone else; re-qualifying from the queue in one mutation, and ending an overdue
//! client in one step.
//!
//! The world (one mentee of mentor X's program; T is today, UTC), every client taken on
//! with `Answers::middling()` (B, 6136) and `feedback::plan()` (A at the horizon: the plan
//! "Onto the standard package"):
//!
//! | prospect | due | state | in the 30-day queue |
//! |---|---|---|---|
//! | Late | T-5 | client | yes, first: overdue, -5 days, flagged |
//! | Soon | T+10 | client | yes, second: 10 days |
//! | Later | T+40 | client | no (within 60: yes) |
//! | Gone | T-2 | ended `WE_EXITED` | no |
//! | Shelved | T-1 | archived | no |
//! | Fine | none | taken on with A (`good`) | no |

use chrono::{Days, NaiveDate};
use serde_json::{Value, json};

use crate::definitions::Answers;
use crate::feedback::{END_CLIENT, execute, plan, uuid_of};
use crate::fixtures::{Actor, World};
use crate::helpers::{TestApp, expect_code, expect_field, ok, str_at, today};

pub const QUEUE: &str = "query($within: Int, $program: ID, $mentee: ID, $first: Int, $after: String) { \
    requalificationQueue(withinDays: $within, programId: $program, menteeId: $mentee, first: $first, after: $after) { \
    totalCount pageInfo { hasNextPage endCursor } \
    nodes { prospect { id name } client { takenOn flaggedForExit } dueOn overdue daysLeft plan flaggedForExit } } }";

pub const REQUALIFY: &str = "mutation($input: RequalifyProspectInput!) { requalifyProspect(input: $input) { \
    qualification { id verdict tier scoreBasisPoints requalifyBy outlook { plan } \
      answers { key value { __typename ... on ScaleAnswer { scale } ... on NumberAnswer { number } ... on YesNoAnswer { yes } } } } \
    prospect { id status requalifyBy latestQualification { id } client { flaggedForExit } } } }";

fn day(offset: i64) -> NaiveDate {
    let t = today();
    if offset >= 0 {
        t.checked_add_days(Days::new(offset.unsigned_abs()))
    } else {
        t.checked_sub_days(Days::new(offset.unsigned_abs()))
    }
    .expect("a date")
}

async fn due(app: &TestApp, prospect: &str, offset: i64) {
    execute(
        app,
        "UPDATE prospects SET requalify_by = ? WHERE id = ?",
        vec![day(offset).into(), uuid_of(prospect).into()],
    )
    .await;
}

struct Queue {
    w: World,
    late: String,
    soon: String,
    later: String,
}

/// The world of the module doc.
async fn world(app: &TestApp) -> Queue {
    let w = app.mentee_in_program("REVIEW").await;
    let me = &w.mentee;
    let mut made = Vec::new();
    for (name, offset) in [
        ("Late", -5),
        ("Soon", 10),
        ("Later", 40),
        ("Gone", -2),
        ("Shelved", -1),
    ] {
        let p = app
            .client(me, &w.program_id, name, &Answers::middling(), Some(plan()))
            .await;
        due(app, &p, offset).await;
        made.push(p);
    }
    let end = json!({ "input": { "prospectId": made[3], "reason": "WE_EXITED",
                                 "endedOn": today().to_string() } });
    ok(app.gql(me.tok(), END_CLIENT, end).await);
    let archive = "mutation($id: ID!) { archiveProspect(id: $id) { prospect { id } } }";
    ok(app.gql(me.tok(), archive, json!({ "id": made[4] })).await);
    app.client(me, &w.program_id, "Fine", &Answers::good(), None)
        .await;
    Queue {
        w,
        late: made[0].clone(),
        soon: made[1].clone(),
        later: made[2].clone(),
    }
}

async fn queue(app: &TestApp, who: &Actor, vars: Value) -> Value {
    app.data(who.tok(), QUEUE, vars).await["requalificationQueue"].clone()
}

fn names(page: &Value) -> Vec<String> {
    page["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .map(|n| str_at(n, "/prospect/name"))
        .collect()
}

#[tokio::test]
async fn the_queue_lists_due_and_overdue_clients_oldest_first_with_the_promised_plan() {
    let app = TestApp::spawn().await;
    let q = world(&app).await;
    let me = &q.w.mentee;
    let page = queue(&app, me, json!({})).await;
    assert_eq!(page["totalCount"], 2);
    assert_eq!(
        page["nodes"],
        json!([
            { "prospect": { "id": q.late, "name": "Late" },
              "client": { "takenOn": today().to_string(), "flaggedForExit": true },
              "dueOn": day(-5).to_string(), "overdue": true, "daysLeft": -5,
              "plan": "Onto the standard package", "flaggedForExit": true },
            { "prospect": { "id": q.soon, "name": "Soon" },
              "client": { "takenOn": today().to_string(), "flaggedForExit": false },
              "dueOn": day(10).to_string(), "overdue": false, "daysLeft": 10,
              "plan": "Onto the standard package", "flaggedForExit": false },
        ])
    );
    // The window: 0 days is what is overdue or due today; 60 reaches Later.
    assert_eq!(
        names(&queue(&app, me, json!({ "within": 0 })).await),
        ["Late"]
    );
    assert_eq!(
        names(&queue(&app, me, json!({ "within": 60 })).await),
        ["Late", "Soon", "Later"]
    );
    for bad in [-1, 367] {
        expect_field(
            &app.gql(me.tok(), QUEUE, json!({ "within": bad })).await,
            "withinDays",
        );
    }
    // Pages on (due date, id): one at a time, in order.
    let first = queue(&app, me, json!({ "within": 60, "first": 2 })).await;
    assert_eq!(names(&first), ["Late", "Soon"]);
    assert_eq!(first["pageInfo"]["hasNextPage"], true);
    assert_eq!(first["totalCount"], 3);
    let after = first["pageInfo"]["endCursor"].clone();
    let second = queue(
        &app,
        me,
        json!({ "within": 60, "first": 2, "after": after }),
    )
    .await;
    assert_eq!(names(&second), ["Later"]);
    assert_eq!(second["pageInfo"]["hasNextPage"], false);
    assert_eq!(second["nodes"][0]["prospect"]["id"], q.later.as_str());
    expect_field(
        &app.gql(me.tok(), QUEUE, json!({ "after": "bm9wZQ" })).await,
        "after",
    );
}

#[tokio::test]
async fn a_mentor_sees_the_queue_of_their_programs_and_nobody_else_sees_it() {
    let app = TestApp::spawn().await;
    let q = world(&app).await;
    let mentor = &q.w.mentor;
    let all = queue(&app, mentor, json!({})).await;
    assert_eq!(names(&all), ["Late", "Soon"]);
    let narrowed = queue(
        &app,
        mentor,
        json!({ "program": q.w.program_id, "mentee": q.w.mentee.id }),
    )
    .await;
    assert_eq!(names(&narrowed), ["Late", "Soon"]);

    // Another mentor and their mentee: nothing of it, and not found when they name it.
    let other = app.mentee_in_program("REVIEW").await;
    for who in [&other.mentor, &other.mentee] {
        let page = queue(&app, who, json!({ "within": 366 })).await;
        assert_eq!(
            (page["totalCount"].clone(), names(&page).len()),
            (json!(0), 0)
        );
        let program = json!({ "program": q.w.program_id });
        expect_code(&app.gql(who.tok(), QUEUE, program).await, "NOT_FOUND");
        let mentee = json!({ "mentee": q.w.mentee.id });
        expect_code(&app.gql(who.tok(), QUEUE, mentee).await, "NOT_FOUND");
    }
    // A mentee may name only themself.
    let me = json!({ "mentee": q.w.mentee.id });
    assert_eq!(names(&queue(&app, &q.w.mentee, me).await), ["Late", "Soon"]);
    expect_code(
        &app.gql(q.w.mentee.tok(), QUEUE, json!({ "mentee": q.w.mentor.id }))
            .await,
        "NOT_FOUND",
    );
    expect_code(&app.gql(None, QUEUE, json!({})).await, "UNAUTHENTICATED");
}

#[tokio::test]
async fn requalifying_from_the_queue_is_one_mutation_and_an_accept_takes_the_client_off_it() {
    let app = TestApp::spawn().await;
    let q = world(&app).await;
    let me = &q.w.mentee;
    let seen = app.latest_qualification_id(me, &q.late).await;
    // The plan worked: the four answers it promised, the other six as they were.
    let changes = json!([
        { "key": "values_expertise", "value": { "scale": 5 } },
        { "key": "revenue_fit", "value": { "number": 60000 } },
        { "key": "growth", "value": { "scale": 5 } },
        { "key": "bhag_fit", "value": { "scale": 5 } },
    ]);
    let input = |seen: &Value| json!({ "input": { "prospectId": q.late, "changes": changes, "qualificationId": seen } });
    expect_code(
        &app.gql(q.w.mentor.tok(), REQUALIFY, input(&seen)).await,
        "FORBIDDEN",
    );
    let done = app.data(me.tok(), REQUALIFY, input(&seen)).await["requalifyProspect"].clone();
    let qualification = &done["qualification"];
    assert_eq!(
        (
            &qualification["verdict"],
            &qualification["tier"],
            &qualification["scoreBasisPoints"],
            &qualification["requalifyBy"]
        ),
        (&json!("ACCEPT"), &json!("A"), &json!(8409), &Value::Null)
    );
    let answers = qualification["answers"].as_array().expect("answers");
    assert_eq!(answers.len(), 10);
    let value = |key: &str| {
        answers
            .iter()
            .find(|a| a["key"] == key)
            .map(|a| a["value"].clone())
            .expect("answered")
    };
    assert_eq!(value("growth")["scale"], 5);
    assert_eq!(value("team_fit")["scale"], 3);
    assert_eq!(value("decision_maker")["yes"], true);
    assert_eq!(
        done["prospect"],
        json!({ "id": q.late, "status": "TAKEN_ON", "requalifyBy": null,
                "latestQualification": { "id": qualification["id"] },
                "client": { "flaggedForExit": false } })
    );
    assert_eq!(names(&queue(&app, me, json!({})).await), ["Soon"]);
    // The qualification it started from is no longer the latest.
    let stale = app.gql(me.tok(), REQUALIFY, input(&seen)).await;
    assert_eq!(
        expect_code(&stale, "CONFLICT")["extensions"]["reason"],
        "STALE_QUALIFICATION"
    );
    // Answers that do not fit: where the input has them.
    let bad = json!({ "input": { "prospectId": q.soon,
        "changes": [{ "key": "growth", "value": { "scale": 4 } },
                    { "key": "no_such_thing", "value": { "scale": 4 } }] } });
    expect_field(
        &app.gql(me.tok(), REQUALIFY, bad).await,
        "input.changes.1.key",
    );
}

#[tokio::test]
async fn a_new_plan_moves_the_date_a_decline_keeps_it_and_an_overdue_client_is_exited_in_one_step()
{
    let app = TestApp::spawn().await;
    let q = world(&app).await;
    let me = &q.w.mentee;
    // Nothing changed and no plan: B, DECLINE. The client stays due on the date it had.
    let same = json!({ "input": { "prospectId": q.soon, "changes": [] } });
    let declined = app.data(me.tok(), REQUALIFY, same).await["requalifyProspect"].clone();
    assert_eq!(declined["qualification"]["verdict"], "DECLINE");
    assert_eq!(declined["prospect"]["status"], "TAKEN_ON");
    assert_eq!(declined["prospect"]["requalifyBy"], day(10).to_string());
    assert_eq!(names(&queue(&app, me, json!({})).await), ["Late", "Soon"]);

    // A new plan with a new date: the item moves to it, with the new plan.
    let outlook = json!({ "answers": [{ "key": "values_expertise", "value": { "scale": 5 } },
                                      { "key": "revenue_fit", "value": { "number": 60000 } },
                                      { "key": "growth", "value": { "scale": 5 } },
                                      { "key": "bhag_fit", "value": { "scale": 5 } }],
                          "plan": "A second try", "requalifyBy": day(45).to_string() });
    let moved = json!({ "input": { "prospectId": q.soon, "changes": [], "outlook": outlook } });
    let moved = app.data(me.tok(), REQUALIFY, moved).await["requalifyProspect"].clone();
    assert_eq!(moved["qualification"]["verdict"], "ACCEPT_WITH_PLAN");
    assert_eq!(moved["prospect"]["requalifyBy"], day(45).to_string());
    let page = queue(&app, me, json!({ "within": 60 })).await;
    assert_eq!(names(&page), ["Late", "Later", "Soon"]);
    assert_eq!(page["nodes"][2]["plan"], "A second try");
    assert_eq!(page["nodes"][2]["daysLeft"], 45);
    assert_eq!(page["nodes"][1]["plan"], "Onto the standard package");

    // The overdue item names the prospect `endClient` takes: exited in one step.
    let late = queue(&app, me, json!({ "within": 0 })).await;
    let id = str_at(&late, "/nodes/0/prospect/id");
    let exit = json!({ "input": { "prospectId": id, "reason": "WE_EXITED",
                                  "endedOn": today().to_string() } });
    let ended = app.data(me.tok(), END_CLIENT, exit).await;
    assert_eq!(
        ended["endClient"]["prospect"]["client"]["endReason"],
        "WE_EXITED"
    );
    assert_eq!(
        ended["endClient"]["prospect"]["client"]["flaggedForExit"],
        false
    );
    assert_eq!(
        names(&queue(&app, me, json!({ "within": 60 })).await),
        ["Later", "Soon"]
    );
    // A prospect never qualified cannot be re-qualified.
    let fresh = app.create_prospect(me, &q.w.program_id, "Fresh").await;
    let never = json!({ "input": { "prospectId": fresh, "changes": [] } });
    assert_eq!(
        expect_code(&app.gql(me.tok(), REQUALIFY, never).await, "CONFLICT")["extensions"]["reason"],
        "NOT_QUALIFIED"
    );
}
