//! Goals over HTTP: a mentee's BHAG and quarterly goals, their actuals worked out by hand
//! below, who reads and changes them, and the statements a list of goals costs.
//!
//! The world: mentee M in mentor X's program P (EUR, `REVIEW`) and, by invite, in mentor
//! Y's program P2. Q is the quarter three months back (all past), CQ this quarter; `before`
//! is the month before Q, `after` the first month of CQ.
//!
//! | client | intake | taken on | before | Q.1 | Q.2 | Q.3 | after |
//! |---|---|---|---|---|---|---|---|
//! | A1 | A (rule) | Q.1 | | 1000.00 | | 2000.00 | 5000.00 |
//! | A2 | A (rule) | before | 700.00 | | 500.00 | | |
//! | B1 | B (plan) | Q.1 | | | 1500.00 | | |
//! | C1 | C (exception, approved) | Q.2 | | | | 1000.00 | |
//! | E | C (exception, pending) | no client | | | | | |
//!
//! Turn-downs: T1 in Q.2, T2 in `before`, T3 today (CQ).
//!
//! In Q: revenue 6000.00, of it A 3500.00 (A1 3000, A2 500): A-share 5833 bp (5833.33
//! rounded down); A take-ons 1 (A1: A2 before Q, B1 and C1 not A, E pending); turn-downs 1.
//! In CQ: revenue 5000.00, all A (10000 bp); A take-ons 0; turn-downs 1.
//! In P2: nothing (an A-share without revenue is `null`).

use chrono::{Months, NaiveDate, NaiveTime};
use serde_json::{Value, json};

use crate::definitions::Answers;
use crate::feedback::{execute, month_start, plan, taken_on, uuid_of};
use crate::fixtures::{Actor, REVIEW_EXCEPTION, World};
use crate::helpers::{TestApp, codes, expect_code, expect_field, ok, str_at};

const GOAL_FIELDS: &str = "id quarter kind targetMoney { amount currencyCode } targetValue text \
    actualMoney { amount currencyCode } actualValue attained program { id } createdAt updatedAt";

fn create() -> String {
    format!(
        "mutation($input: CreateQuarterlyGoalInput!) {{ createQuarterlyGoal(input: $input) {{ \
         goal {{ {GOAL_FIELDS} }} }} }}"
    )
}

fn update() -> String {
    format!(
        "mutation($input: UpdateQuarterlyGoalInput!) {{ updateQuarterlyGoal(input: $input) {{ \
         goal {{ {GOAL_FIELDS} }} }} }}"
    )
}

const DELETE: &str = "mutation($id: ID!) { deleteQuarterlyGoal(id: $id) { deletedGoalId } }";

fn goals_of() -> String {
    format!(
        "query($user: ID!, $quarter: Quarter, $program: ID) {{ node(id: $user) {{ ... on User {{ \
         quarterlyGoals(quarter: $quarter, programId: $program) {{ {GOAL_FIELDS} }} }} }} }}"
    )
}

fn goal_node() -> String {
    format!("query($id: ID!) {{ node(id: $id) {{ ... on QuarterlyGoal {{ {GOAL_FIELDS} }} }} }}")
}

const SET_BHAG: &str = "mutation($input: SetBhagInput!) { setBhag(input: $input) { \
    bhag { statement targetYear targetNumber targetUnit createdAt updatedAt } } }";
const CLEAR_BHAG: &str = "mutation { clearBhag { cleared } }";
const BHAG_OF: &str = "query($user: ID!) { node(id: $user) { ... on User { bhag { statement targetYear targetNumber targetUnit } } } }";

/// `YYYY-Qn` of a day.
fn quarter_of(day: NaiveDate) -> String {
    use chrono::Datelike;
    format!("{}-Q{}", day.year(), (day.month() - 1) / 3 + 1)
}

/// The first day of the quarter three months back, and its quarter's months' first days.
fn past_quarter() -> (String, [NaiveDate; 3]) {
    use chrono::Datelike;
    let back = month_start(3);
    let first = NaiveDate::from_ymd_opt(back.year(), (back.month() - 1) / 3 * 3 + 1, 1).unwrap();
    let months = [0, 1, 2].map(|m| first.checked_add_months(Months::new(m)).unwrap());
    (quarter_of(first), months)
}

fn ym(day: NaiveDate) -> String {
    day.format("%Y-%m").to_string()
}

/// The world of the module doc.
struct Goals {
    app: TestApp,
    w: World,
    /// Mentor Y and P2.
    other: World,
    /// A mentor of nothing.
    stranger: Actor,
    q: String,
    cq: String,
}

async fn turned_down(app: &TestApp, w: &World, name: &str, at: Option<NaiveDate>) {
    let p = app.create_prospect(&w.mentee, &w.program_id, name).await;
    app.qualify(&w.mentee, &p, &Answers::good(), None).await;
    ok(app.decide(&w.mentee, &p, "TURN_DOWN", None, None).await);
    if let Some(day) = at {
        let when = day
            .and_time(NaiveTime::from_hms_opt(12, 0, 0).unwrap())
            .and_utc();
        execute(
            app,
            "UPDATE decisions SET created_at = ? WHERE prospect_id = ?",
            vec![when.into(), uuid_of(&p).into()],
        )
        .await;
    }
}

impl Goals {
    async fn build() -> Goals {
        let app = TestApp::spawn().await;
        let w = app.mentee_in_program("REVIEW").await;
        let other = app.mentee_in_program("STRICT").await;
        let join = "mutation($c: String!) { joinProgram(inviteCode: $c) { program { id } } }";
        ok(app
            .gql(w.mentee.tok(), join, json!({ "c": other.invite_code }))
            .await);
        let stranger = app.mentor().await;
        let (q, [q1, q2, q3]) = past_quarter();
        let before = q1.checked_sub_months(Months::new(1)).unwrap();
        let after = q3.checked_add_months(Months::new(1)).unwrap();
        let (me, program) = (&w.mentee, w.program_id.as_str());
        let a1 = app.client(me, program, "A1", &Answers::good(), None).await;
        let a2 = app.client(me, program, "A2", &Answers::good(), None).await;
        let b1 = app
            .client(me, program, "B1", &Answers::middling(), Some(plan()))
            .await;
        let (c1, _, _, exception) = app.pending_exception(me, program).await;
        let review = json!({ "input": { "id": exception, "approve": true } });
        app.data(w.mentor.tok(), REVIEW_EXCEPTION, review).await;
        let _pending = app.pending_exception(me, program).await;
        for (client, on) in [(&a1, q1), (&a2, before), (&b1, q1), (&c1, q2)] {
            taken_on(&app, client, on).await;
        }
        let entries = [
            (&a1, q1, "1000.00"),
            (&a1, q3, "2000.00"),
            (&a1, after, "5000.00"),
            (&a2, before, "700.00"),
            (&a2, q2, "500.00"),
            (&b1, q2, "1500.00"),
            (&c1, q3, "1000.00"),
        ];
        for (client, month, amount) in entries {
            app.outcome(me, client, &ym(month), amount, None, None, 4)
                .await;
        }
        turned_down(&app, &w, "T1", q2.checked_add_days(chrono::Days::new(14))).await;
        turned_down(
            &app,
            &w,
            "T2",
            before.checked_add_days(chrono::Days::new(9)),
        )
        .await;
        turned_down(&app, &w, "T3", None).await;
        let cq = quarter_of(crate::helpers::today());
        Goals {
            app,
            w,
            other,
            stranger,
            q,
            cq,
        }
    }

    async fn create(&self, who: &Actor, input: Value) -> Value {
        self.app
            .gql(who.tok(), &create(), json!({ "input": input }))
            .await
    }

    /// Creates a goal of M's that must be accepted; its id.
    async fn goal(&self, input: Value) -> String {
        let body = ok(self.create(&self.w.mentee, input).await);
        str_at(&body, "/createQuarterlyGoal/goal/id")
    }

    async fn list(&self, who: &Actor, quarter: Option<&str>, program: Option<&str>) -> Value {
        let vars = json!({ "user": self.w.mentee.id, "quarter": quarter, "program": program });
        self.app.gql(who.tok(), &goals_of(), vars).await
    }
}

fn eur(amount: &str) -> Value {
    json!({ "amount": amount, "currencyCode": "EUR" })
}

/// (kind, targetMoney, targetValue, text, actualMoney, actualValue, attained) of a list.
fn summary(goals: &Value) -> Vec<Value> {
    goals
        .as_array()
        .expect("a list")
        .iter()
        .map(|g| {
            json!([
                g["kind"],
                g["targetMoney"]["amount"],
                g["targetValue"],
                g["text"],
                g["actualMoney"]["amount"],
                g["actualValue"],
                g["attained"]
            ])
        })
        .collect()
}

#[tokio::test]
async fn every_actual_of_a_quarter_is_computed_from_the_programs_entries_and_decisions() {
    let g = Goals::build().await;
    let (p, p2) = (g.w.program_id.as_str(), g.other.program_id.as_str());
    let q = g.q.as_str();
    g.goal(json!({ "programId": p, "quarter": q, "kind": "REVENUE", "targetMoney": eur("5000") }))
        .await;
    g.goal(json!({ "programId": p, "quarter": q, "kind": "A_SHARE", "targetValue": 8000 }))
        .await;
    g.goal(json!({ "programId": p, "quarter": q, "kind": "A_CLIENTS_TAKEN_ON", "targetValue": 1 }))
        .await;
    g.goal(json!({ "programId": p, "quarter": q, "kind": "SAY_NO_COUNT", "targetValue": 2 }))
        .await;
    g.goal(json!({ "programId": p, "quarter": q, "kind": "TEXT", "text": " Hire a COO " }))
        .await;
    let cq = g.cq.as_str();
    for (kind, target) in [
        ("REVENUE", json!({ "targetMoney": eur("4000.00") })),
        ("A_SHARE", json!({ "targetValue": 8000 })),
        ("A_CLIENTS_TAKEN_ON", json!({ "targetValue": 1 })),
        ("SAY_NO_COUNT", json!({ "targetValue": 1 })),
    ] {
        let mut input = json!({ "programId": p, "quarter": cq, "kind": kind });
        input
            .as_object_mut()
            .unwrap()
            .extend(target.as_object().unwrap().clone());
        g.goal(input).await;
    }
    g.goal(json!({ "programId": p2, "quarter": q, "kind": "A_SHARE", "targetValue": 5000 }))
        .await;

    let mine = ok(g.list(&g.w.mentee, Some(q), Some(p)).await);
    let goals = &mine["node"]["quarterlyGoals"];
    assert_eq!(
        summary(goals),
        [
            json!(["REVENUE", "5000.00", null, null, "6000.00", null, true]),
            json!(["A_SHARE", null, 8000, null, null, 5833, false]),
            json!(["A_CLIENTS_TAKEN_ON", null, 1, null, null, 1, true]),
            json!(["SAY_NO_COUNT", null, 2, null, null, 1, false]),
            json!(["TEXT", null, null, "Hire a COO", null, null, null]),
        ],
        "{goals:#}"
    );
    assert_eq!(goals[0]["actualMoney"]["currencyCode"], "EUR");
    assert_eq!(goals[0]["quarter"], q);
    assert_eq!(goals[0]["program"]["id"], p);

    let now = ok(g.list(&g.w.mentee, Some(cq), Some(p)).await);
    assert_eq!(
        summary(&now["node"]["quarterlyGoals"]),
        [
            json!(["REVENUE", "4000.00", null, null, "5000.00", null, true]),
            json!(["A_SHARE", null, 8000, null, null, 10000, true]),
            json!(["A_CLIENTS_TAKEN_ON", null, 1, null, null, 0, false]),
            json!(["SAY_NO_COUNT", null, 1, null, null, 1, true]),
        ]
    );
    let elsewhere = ok(g.list(&g.w.mentee, Some(q), Some(p2)).await);
    assert_eq!(
        summary(&elsewhere["node"]["quarterlyGoals"]),
        [json!(["A_SHARE", null, 5000, null, null, null, null])]
    );
    // Without filters: every quarter and program, by quarter, program and creation.
    let all = ok(g.list(&g.w.mentee, None, None).await);
    assert_eq!(all["node"]["quarterlyGoals"].as_array().unwrap().len(), 10);

    // Program P's mentor reads P's goals of M, with the same actuals; P2's mentor only P2's.
    let x = ok(g.list(&g.w.mentor, Some(q), None).await);
    assert_eq!(summary(&x["node"]["quarterlyGoals"]), summary(goals));
    let y = ok(g.list(&g.other.mentor, None, None).await);
    assert_eq!(
        summary(&y["node"]["quarterlyGoals"]),
        [json!(["A_SHARE", null, 5000, null, null, null, null])]
    );
    // One goal as a node: the same actual, computed alone.
    let id = goals[1]["id"].as_str().unwrap();
    let node = ok(g
        .app
        .gql(g.w.mentor.tok(), &goal_node(), json!({ "id": id }))
        .await);
    assert_eq!(node["node"]["actualValue"], 5833);
    assert_eq!(node["node"]["attained"], false);
    for outsider in [&g.other.mentor, &g.stranger, &g.other.mentee] {
        let hidden = ok(g
            .app
            .gql(outsider.tok(), &goal_node(), json!({ "id": id }))
            .await);
        assert_eq!(hidden["node"], Value::Null);
    }
}

#[tokio::test]
async fn goals_are_the_mentees_own_and_refuse_bad_targets() {
    let g = Goals::build().await;
    let (p, q) = (g.w.program_id.as_str(), g.q.as_str());
    let bad_quarter = g
        .create(
            &g.w.mentee,
            json!({ "programId": p, "quarter": "2026-Q5", "kind": "TEXT", "text": "x" }),
        )
        .await;
    expect_code(&bad_quarter, "BAD_USER_INPUT");
    let share = g
        .create(
            &g.w.mentee,
            json!({ "programId": p, "quarter": q, "kind": "A_SHARE", "targetValue": 10001 }),
        )
        .await;
    expect_field(&share, "input.targetValue");
    let dollars = g
        .create(
            &g.w.mentee,
            json!({ "programId": p, "quarter": q, "kind": "REVENUE",
            "targetMoney": { "amount": "10", "currencyCode": "USD" } }),
        )
        .await;
    expect_field(&dollars, "input.targetMoney.currencyCode");
    let negative = g
        .create(
            &g.w.mentee,
            json!({ "programId": p, "quarter": q, "kind": "SAY_NO_COUNT", "targetValue": -1 }),
        )
        .await;
    expect_field(&negative, "input.targetValue");
    let mixed = g
        .create(
            &g.w.mentee,
            json!({ "programId": p, "quarter": q, "kind": "REVENUE", "targetValue": 5 }),
        )
        .await;
    expect_field(&mixed, "input.targetValue");
    expect_field(&mixed, "input.targetMoney");
    let empty = g
        .create(
            &g.w.mentee,
            json!({ "programId": p, "quarter": q, "kind": "TEXT", "text": "  " }),
        )
        .await;
    expect_field(&empty, "input.text");

    let first = g
        .goal(json!({ "programId": p, "quarter": q, "kind": "SAY_NO_COUNT", "targetValue": 3 }))
        .await;
    let again = g
        .create(
            &g.w.mentee,
            json!({ "programId": p, "quarter": q, "kind": "SAY_NO_COUNT", "targetValue": 4 }),
        )
        .await;
    let conflict = expect_code(&again, "CONFLICT");
    assert_eq!(conflict["extensions"]["reason"], "DUPLICATE");
    // Another quarter, another program, or free text: no conflict.
    for input in [
        json!({ "programId": p, "quarter": g.cq, "kind": "SAY_NO_COUNT", "targetValue": 4 }),
        json!({ "programId": g.other.program_id, "quarter": q, "kind": "SAY_NO_COUNT", "targetValue": 4 }),
        json!({ "programId": p, "quarter": q, "kind": "TEXT", "text": "One" }),
        json!({ "programId": p, "quarter": q, "kind": "TEXT", "text": "Two" }),
    ] {
        g.goal(input).await;
    }

    // Mentors set no goals; a mentee only in programs they are enrolled in.
    let by_mentor = g
        .create(
            &g.w.mentor,
            json!({ "programId": p, "quarter": q, "kind": "TEXT", "text": "x" }),
        )
        .await;
    expect_code(&by_mentor, "FORBIDDEN");
    let outside = g
        .create(
            &g.other.mentee,
            json!({ "programId": p, "quarter": q, "kind": "TEXT", "text": "x" }),
        )
        .await;
    expect_code(&outside, "NOT_FOUND");

    // Updates keep the kind's field; others' goals are not found; mentors are refused.
    let raised = ok(g
        .app
        .gql(
            g.w.mentee.tok(),
            &update(),
            json!({ "input": { "id": first, "targetValue": 1 } }),
        )
        .await);
    let goal = &raised["updateQuarterlyGoal"]["goal"];
    assert_eq!(
        (
            goal["targetValue"].clone(),
            goal["actualValue"].clone(),
            goal["attained"].clone()
        ),
        (json!(1), json!(1), json!(true))
    );
    let wrong_field = g
        .app
        .gql(
            g.w.mentee.tok(),
            &update(),
            json!({ "input": { "id": first, "text": "x" } }),
        )
        .await;
    expect_field(&wrong_field, "input.text");
    let theirs = g
        .app
        .gql(
            g.other.mentee.tok(),
            &update(),
            json!({ "input": { "id": first, "targetValue": 9 } }),
        )
        .await;
    expect_code(&theirs, "NOT_FOUND");
    let by_mentor = g
        .app
        .gql(g.w.mentor.tok(), DELETE, json!({ "id": first }))
        .await;
    expect_code(&by_mentor, "FORBIDDEN");
    let not_theirs = g
        .app
        .gql(g.other.mentee.tok(), DELETE, json!({ "id": first }))
        .await;
    expect_code(&not_theirs, "NOT_FOUND");

    // Removed from P: M still reads their goals there, and changes none of them.
    let remove = "mutation($p: ID!, $m: ID!) { removeMentee(input: { programId: $p, menteeId: $m }) { removedMenteeId } }";
    ok(g.app
        .gql(
            g.w.mentor.tok(),
            remove,
            json!({ "p": p, "m": g.w.mentee.id }),
        )
        .await);
    let removed = g
        .app
        .gql(g.w.mentee.tok(), DELETE, json!({ "id": first }))
        .await;
    let refusal = expect_code(&removed, "FORBIDDEN");
    assert!(
        refusal["message"]
            .as_str()
            .unwrap()
            .contains("no longer enrolled")
    );
    let still = ok(g.list(&g.w.mentee, Some(q), Some(p)).await);
    assert_eq!(still["node"]["quarterlyGoals"].as_array().unwrap().len(), 3);
    assert_eq!(codes(&removed), ["FORBIDDEN"]);
}

#[tokio::test]
async fn a_goal_is_deleted_by_its_mentee_and_each_change_is_audited() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("STRICT").await;
    let q = quarter_of(crate::helpers::today());
    let input =
        json!({ "programId": w.program_id, "quarter": q, "kind": "TEXT", "text": "Raise prices" });
    let made = ok(app
        .gql(w.mentee.tok(), &create(), json!({ "input": input }))
        .await);
    let id = str_at(&made, "/createQuarterlyGoal/goal/id");
    let gone = ok(app.gql(w.mentee.tok(), DELETE, json!({ "id": id })).await);
    assert_eq!(gone["deleteQuarterlyGoal"]["deletedGoalId"], id);
    let again = app.gql(w.mentee.tok(), DELETE, json!({ "id": id })).await;
    expect_code(&again, "NOT_FOUND");
    let node = ok(app
        .gql(w.mentee.tok(), &goal_node(), json!({ "id": id }))
        .await);
    assert_eq!(node["node"], Value::Null);
    let db = app.db().await;
    use sea_orm::{ConnectionTrait, Statement};
    let rows = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT action FROM audit_log WHERE object_type = 'QuarterlyGoal' ORDER BY created_at",
        ))
        .await
        .unwrap();
    let actions: Vec<String> = rows
        .iter()
        .map(|r| r.try_get::<String>("", "action").unwrap())
        .collect();
    assert_eq!(actions, ["goal.create", "goal.delete"]);
}

#[tokio::test]
async fn a_bhag_is_the_mentees_and_read_by_the_mentors_of_their_programs() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("STRICT").await;
    let stranger = app.mentor().await;
    let year = crate::helpers::today()
        .format("%Y")
        .to_string()
        .parse::<i64>()
        .unwrap();
    let input = json!({ "statement": "The go-to firm for family businesses",
        "targetYear": year + 9, "targetNumber": "10000000.50", "targetUnit": "EUR revenue" });
    let set = ok(app
        .gql(w.mentee.tok(), SET_BHAG, json!({ "input": input }))
        .await);
    let bhag = &set["setBhag"]["bhag"];
    assert_eq!(bhag["targetNumber"], "10000000.50");
    assert_eq!(bhag["targetYear"], year + 9);
    let read = |who: Actor| {
        let app = &app;
        let user = w.mentee.id.clone();
        async move { ok(app.gql(who.tok(), BHAG_OF, json!({ "user": user })).await) }
    };
    let own = read(w.mentee.clone()).await;
    assert_eq!(
        own["node"]["bhag"]["statement"],
        "The go-to firm for family businesses"
    );
    assert_eq!(own["node"]["bhag"]["targetUnit"], "EUR revenue");
    let mentor = read(w.mentor.clone()).await;
    assert_eq!(mentor["node"]["bhag"], own["node"]["bhag"]);
    assert_eq!(read(stranger.clone()).await["node"], Value::Null);

    let replaced = json!({ "statement": "Twice the size", "targetYear": year + 5 });
    let again = ok(app
        .gql(w.mentee.tok(), SET_BHAG, json!({ "input": replaced }))
        .await);
    assert_eq!(again["setBhag"]["bhag"]["targetNumber"], Value::Null);
    assert_eq!(again["setBhag"]["bhag"]["createdAt"], bhag["createdAt"]);

    let by_mentor = app
        .gql(
            w.mentor.tok(),
            SET_BHAG,
            json!({ "input": { "statement": "x", "targetYear": year } }),
        )
        .await;
    expect_code(&by_mentor, "FORBIDDEN");
    let unitless = app
        .gql(
            w.mentee.tok(),
            SET_BHAG,
            json!({ "input": { "statement": "x", "targetYear": year,
            "targetNumber": "5" } }),
        )
        .await;
    expect_field(&unitless, "input.targetUnit");
    let past = app
        .gql(
            w.mentee.tok(),
            SET_BHAG,
            json!({ "input": { "statement": "x", "targetYear": year - 1 } }),
        )
        .await;
    expect_field(&past, "input.targetYear");

    let cleared = ok(app.gql(w.mentee.tok(), CLEAR_BHAG, json!({})).await);
    assert_eq!(cleared["clearBhag"]["cleared"], true);
    assert_eq!(read(w.mentor.clone()).await["node"]["bhag"], Value::Null);
    let twice = ok(app.gql(w.mentee.tok(), CLEAR_BHAG, json!({})).await);
    assert_eq!(twice["clearBhag"]["cleared"], false);
}

/// The statements of one request on `server`, and its data.
async fn counted(
    app: &TestApp,
    server: &api::Server,
    who: &Actor,
    query: &str,
    variables: Value,
) -> (u64, Value) {
    let before = server.statements_executed();
    let body = app
        .gql_to(
            server.addr,
            Some(format!("Bearer {}", who.access)),
            query,
            variables,
        )
        .await;
    (server.statements_executed() - before, ok(body))
}

/// A list of goals with every actual: the same statements for 4 goals as for 40, in one
/// quarter or in ten.
#[tokio::test]
async fn a_list_of_goals_runs_the_same_statements_whatever_its_length() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("STRICT").await;
    let client = app
        .client(&w.mentee, &w.program_id, "A", &Answers::good(), None)
        .await;
    let this_month = crate::helpers::today().format("%Y-%m").to_string();
    app.outcome(&w.mentee, &client, &this_month, "100", None, None, 4)
        .await;
    let server = app.server();
    let kinds = [
        ("REVENUE", json!({ "targetMoney": eur("10") })),
        ("A_SHARE", json!({ "targetValue": 5000 })),
        ("A_CLIENTS_TAKEN_ON", json!({ "targetValue": 1 })),
        ("SAY_NO_COUNT", json!({ "targetValue": 1 })),
    ];
    let add = |year: i32| {
        let (app, w, kinds) = (&app, &w, kinds.clone());
        async move {
            for quarter in 1..=4 {
                for (kind, target) in &kinds {
                    let mut input = json!({ "programId": w.program_id,
                        "quarter": format!("{year}-Q{quarter}"), "kind": kind });
                    input
                        .as_object_mut()
                        .unwrap()
                        .extend(target.as_object().unwrap().clone());
                    ok(app
                        .gql(w.mentee.tok(), &create(), json!({ "input": input }))
                        .await);
                }
            }
        }
    };
    let query = goals_of();
    let measure = |who: Actor| {
        let (app, server, query, user) = (&app, &server, query.clone(), w.mentee.id.clone());
        async move { counted(app, server, &who, &query, json!({ "user": user })).await }
    };
    add(2025).await;
    let (mentee_small, small) = measure(w.mentee.clone()).await;
    let (mentor_small, _) = measure(w.mentor.clone()).await;
    assert_eq!(
        small["node"]["quarterlyGoals"].as_array().unwrap().len(),
        16
    );
    for year in 2026..=2027 {
        add(year).await;
    }
    let (mentee_large, large) = measure(w.mentee.clone()).await;
    let (mentor_large, _) = measure(w.mentor.clone()).await;
    assert_eq!(
        large["node"]["quarterlyGoals"].as_array().unwrap().len(),
        48
    );
    assert_eq!(
        (mentee_small, mentor_small),
        (mentee_large, mentor_large),
        "statements grew with the goals"
    );
    // The user, the goals, three figures, the program (batched): a handful.
    assert!(mentee_large <= 8, "{mentee_large} statements");
}

#[tokio::test]
async fn the_dashboard_measures_a_mentee_against_their_own_a_share_goal() {
    let g = Goals::build().await;
    let (p, p2) = (g.w.program_id.as_str(), g.other.program_id.as_str());
    let q = g.q.as_str();
    g.goal(json!({ "programId": p2, "quarter": q, "kind": "A_SHARE", "targetValue": 5000 }))
        .await;
    // A goal of another quarter is not the window's.
    g.goal(json!({ "programId": p, "quarter": g.cq, "kind": "A_SHARE", "targetValue": 7000 }))
        .await;
    let (_, months) = past_quarter();
    let to = months[2].checked_add_months(Months::new(1)).unwrap() - chrono::Days::new(1);
    let query = "query($from: Date!, $to: Date!, $program: ID) { \
        dashboard(from: $from, to: $to, programId: $program) { \
        figures { aShareGoalBasisPoints } \
        mentees { mentee { id } figures { aShareGoalBasisPoints } } } }";
    let window = |program: &str| json!({ "from": months[0], "to": to, "program": program });
    // P2's mentor: M's row in P2 carries M's goal there.
    let y = ok(g.app.gql(g.other.mentor.tok(), query, window(p2)).await);
    let row = y["dashboard"]["mentees"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["mentee"]["id"] == g.w.mentee.id)
        .cloned()
        .expect("M has a row in P2");
    assert_eq!(row["figures"]["aShareGoalBasisPoints"], 5000, "{y:#}");
    // P's mentor: M has no A_SHARE goal in P for that quarter, so the method's target.
    let x = ok(g.app.gql(g.w.mentor.tok(), query, window(p)).await);
    let rows = x["dashboard"]["mentees"].as_array().unwrap();
    assert!(!rows.is_empty());
    for row in rows {
        assert_eq!(row["figures"]["aShareGoalBasisPoints"], 8000, "{x:#}");
    }
    // M's own dashboard narrowed to P2: one mentee in one program, their goal.
    let own = ok(g.app.gql(g.w.mentee.tok(), query, window(p2)).await);
    assert_eq!(
        own["dashboard"]["figures"]["aShareGoalBasisPoints"], 5000,
        "{own:#}"
    );
    // Across both programs: the method's target.
    let both = json!({ "from": months[0], "to": to, "program": null });
    let all = ok(g.app.gql(g.w.mentee.tok(), query, both).await);
    assert_eq!(all["dashboard"]["figures"]["aShareGoalBasisPoints"], 8000);
}
