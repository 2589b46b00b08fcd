//! `Query.dashboard` over HTTP: a small world whose figures are worked out by hand below,
//! read by its mentor (all programs, one program, one mentee), by a mentee (their own),
//! and refused to everyone else; bad windows.
//!
//! T is today; the window is T-10..=T-1. Qualifications and decisions are made through
//! the API and then moved to the dates below (the API records them now). Mentor X runs
//! P1 (REVIEW) and P2; mentor Y runs another program with mentee M6.
//!
//! | mentee | prospect | qualifications (date: tier/verdict) | decision (date) | client |
//! |---|---|---|---|---|
//! | M1 (P1) | pA | T-20 A/ACCEPT, T-5 B/ACCEPT_WITH_PLAN | TAKE_ON T-4 | intake B, 1000.00, re-qualify T+10 (due) |
//! | M1 | pB | T-8 A/ACCEPT | TAKE_ON T-7 | intake A, 3000.00, re-qualify T-5 but ended T (not overdue) |
//! | M1 | pC | T-6 C/DECLINE | TAKE_ON T-6, exception pending | none |
//! | M1 | pD | T-3 B/DECLINE | TURN_DOWN T-3 | none |
//! | M1 | pE | T-30 B/DECLINE | TURN_DOWN T-30 | none (outside the window) |
//! | M2 (P1, removed at the end) | qA | T-2 A/ACCEPT | TAKE_ON T-2 | intake A, 500.00, re-qualify T+30 (due) |
//! | M2 | qB | T-9 C/DECLINE | TAKE_ON T-9, exception approved | intake C, 1500.00, re-qualify T-1 (overdue) |
//! | M2 | qC | T-9 C/DECLINE | TAKE_ON T-9, exception rejected | none |
//! | M3 (P2) | none | | | |
//! | M4 (P1, removed) | none | | | |
//! | M6 (Y's program) | r | T-5 A/ACCEPT | | |
//!
//! Revenue is recorded for the month of T-1. So, per row:
//! - M1/P1: qualified 4 (A 1, B 2, C 1; ACCEPT 1, AWP 1, DECLINE 2), taken on 3, turned
//!   down 1, say-no 2500, exceptions 1 pending, rate 3333, due 1, overdue 0, A-share 7500;
//! - M2/P1: qualified 3 (A 1, C 2; ACCEPT 1, DECLINE 2), taken on 3, turned down 0, say-no
//!   0, exceptions 1 approved and 1 rejected, rate 6666, due 1, overdue 1, flagged 1,
//!   A-share 2500;
//! - M3/P2: zeros, rates `null`; M4 (removed, nothing) has no row.
//! - X's totals: qualified 7 (A 2, B 2, C 3; ACCEPT 2, AWP 1, DECLINE 4), taken on 6,
//!   turned down 1, say-no 1428, exceptions 3 (1/1/1), rate 5000, due 2, overdue 1,
//!   flagged 1, A-share 3500/6000 = 5833, goal 8000.

use chrono::{Days, Months, NaiveDate};
use serde_json::{Value, json};

use crate::definitions::Answers;
use crate::feedback::{execute, plan, taken_on, uuid_of};
use crate::fixtures::{Actor, REVIEW_EXCEPTION, World};
use crate::helpers::{TestApp, expect_code, expect_field, ok, str_at, today};

pub const DASHBOARD: &str = "query($from: Date!, $to: Date!, $program: ID, $mentee: ID, \
    $order: DashboardMenteeOrder) { \
    dashboard(from: $from, to: $to, programId: $program, menteeId: $mentee) { \
    from to today figures { ...F } \
    mentees(orderBy: $order) { mentee { id } program { id } figures { ...F } } } } \
    fragment F on DashboardFigures { prospectsQualified \
      tierMix { tier count } verdictMix { verdict count } \
      takenOn turnedDown sayNoRateBasisPoints exceptionsRequested exceptionRateBasisPoints \
      exceptionsPending exceptionsApproved exceptionsRejected \
      requalificationsDue requalificationsOverdue clientsFlaggedForExit \
      aShareBasisPoints aShareGoalBasisPoints }";

const REMOVE: &str = "mutation($p: ID!, $m: ID!) { removeMentee(input: { programId: $p, menteeId: $m }) { removedMenteeId } }";

fn day(back: i64) -> NaiveDate {
    let t = today();
    if back >= 0 {
        t.checked_sub_days(Days::new(back.unsigned_abs()))
    } else {
        t.checked_add_days(Days::new(back.unsigned_abs()))
    }
    .expect("a date")
}

/// Noon (UTC) of the day `back` days before today.
fn noon(back: i64) -> chrono::DateTime<chrono::Utc> {
    day(back).and_hms_opt(12, 0, 0).expect("noon").and_utc()
}

/// The world of the module doc.
pub struct Dash {
    pub app: TestApp,
    pub x: World,
    pub p2: String,
    pub m2: Actor,
    pub m3: Actor,
    pub y: World,
}

impl Dash {
    async fn qualified_on(&self, qualification: &Value, back: i64) {
        let id = str_at(qualification, "/qualification/id");
        execute(
            &self.app,
            "UPDATE qualifications SET created_at = ? WHERE id = ?",
            vec![noon(back).into(), uuid_of(&id).into()],
        )
        .await;
    }

    async fn decided_on(&self, prospect: &str, back: i64) {
        execute(
            &self.app,
            "UPDATE decisions SET created_at = ? WHERE prospect_id = ?",
            vec![noon(back).into(), uuid_of(prospect).into()],
        )
        .await;
    }

    async fn requalify_by(&self, prospect: &str, back: i64) {
        execute(
            &self.app,
            "UPDATE prospects SET requalify_by = ? WHERE id = ?",
            vec![day(back).into(), uuid_of(prospect).into()],
        )
        .await;
    }

    /// A prospect qualified with `answers` (and `outlook`), moved to day `back`.
    async fn prospect(
        &self,
        who: &Actor,
        program: &str,
        answers: &Answers,
        outlook: Option<Value>,
        back: i64,
    ) -> String {
        let p = self.app.create_prospect(who, program, "Prospect").await;
        let q = self.app.qualify(who, &p, answers, outlook).await;
        self.qualified_on(&q, back).await;
        p
    }

    async fn decide(&self, who: &Actor, prospect: &str, decision: &str, back: i64) {
        ok(self.app.decide(who, prospect, decision, None, None).await);
        self.decided_on(prospect, back).await;
    }

    /// A prospect qualified `knocked_out` and taken on as an exception, both moved to day
    /// `back`; the prospect's and the exception request's ids.
    async fn exception(&self, who: &Actor, program: &str, back: i64) -> (String, String) {
        let (p, q, _, x) = self.app.pending_exception(who, program).await;
        execute(
            &self.app,
            "UPDATE qualifications SET created_at = ? WHERE id = ?",
            vec![noon(back).into(), uuid_of(&q).into()],
        )
        .await;
        self.decided_on(&p, back).await;
        (p, x)
    }

    async fn revenue(&self, who: &Actor, client: &str, taken: i64, amount: &str) {
        taken_on(&self.app, client, day(taken)).await;
        // The month of T-1: in the window's months, not before the take-on's.
        let month = day(1).format("%Y-%m").to_string();
        self.app
            .outcome(who, client, &month, amount, None, None, 4)
            .await;
    }

    pub async fn build() -> Dash {
        let app = TestApp::spawn().await;
        let x = app.mentee_in_program("REVIEW").await;
        let y = app.mentee_in_program("REVIEW").await;
        let p2 = app.create_program(&x.mentor, &x.version_id).await;
        let (_, p2_code) = app.create_invite(&x.mentor, &p2, None).await;
        let m2 = app.sign_up(&x.invite_code).await;
        let m3 = app.sign_up(&p2_code).await;
        let m4 = app.sign_up(&x.invite_code).await;
        let d = Dash {
            app,
            x,
            p2,
            m2,
            m3,
            y,
        };
        let (m1, p1) = (&d.x.mentee, d.x.program_id.as_str());

        // M1.
        let pa = d.prospect(m1, p1, &Answers::good(), None, 20).await;
        let q = d
            .app
            .qualify(m1, &pa, &Answers::middling(), Some(plan()))
            .await;
        assert_eq!(q["qualification"]["verdict"], "ACCEPT_WITH_PLAN", "{q:#}");
        d.qualified_on(&q, 5).await;
        d.decide(m1, &pa, "TAKE_ON", 4).await;
        let pb = d.prospect(m1, p1, &Answers::good(), None, 8).await;
        d.decide(m1, &pb, "TAKE_ON", 7).await;
        d.exception(m1, p1, 6).await;
        let pd = d.prospect(m1, p1, &Answers::middling(), None, 3).await;
        d.decide(m1, &pd, "TURN_DOWN", 3).await;
        let pe = d.prospect(m1, p1, &Answers::middling(), None, 30).await;
        d.decide(m1, &pe, "TURN_DOWN", 30).await;
        d.revenue(m1, &pa, 4, "1000.00").await;
        d.revenue(m1, &pb, 7, "3000.00").await;
        d.requalify_by(&pa, -10).await;
        d.requalify_by(&pb, 5).await;
        execute(
            &d.app,
            "UPDATE clients SET ended_on = ?, ended_reason = 'COMPLETED' WHERE prospect_id = ?",
            vec![day(0).into(), uuid_of(&pb).into()],
        )
        .await;

        // M2.
        let m2 = &d.m2;
        let qa = d.prospect(m2, p1, &Answers::good(), None, 2).await;
        d.decide(m2, &qa, "TAKE_ON", 2).await;
        let (qb, approved) = d.exception(m2, p1, 9).await;
        let (_, rejected) = d.exception(m2, p1, 9).await;
        for (id, approve) in [(approved, true), (rejected, false)] {
            let review = json!({ "input": { "id": id, "approve": approve, "note": "Reviewed" } });
            d.app.data(d.x.mentor.tok(), REVIEW_EXCEPTION, review).await;
        }
        d.revenue(m2, &qa, 2, "500.00").await;
        d.revenue(m2, &qb, 9, "1500.00").await;
        d.requalify_by(&qa, -30).await;
        d.requalify_by(&qb, 1).await;

        // Y's mentee, in the window too.
        d.prospect(&d.y.mentee, &d.y.program_id, &Answers::good(), None, 5)
            .await;

        // M2 and M4 leave P1.
        for m in [&d.m2, &m4] {
            d.app
                .data(d.x.mentor.tok(), REMOVE, json!({ "p": p1, "m": m.id }))
                .await;
        }
        d
    }

    pub async fn read(&self, who: &Actor, vars: Value) -> Value {
        let mut all = json!({ "from": day(10).to_string(), "to": day(1).to_string() });
        if let (Some(all), Some(more)) = (all.as_object_mut(), vars.as_object()) {
            all.extend(more.clone());
        }
        ok(self.app.gql(who.tok(), DASHBOARD, all).await)["dashboard"].clone()
    }
}

/// The figures of a row or total: (qualified, [A, B, C], [ACCEPT, AWP, DECLINE], taken on,
/// turned down, say-no, requested, rate, [pending, approved, rejected], due, overdue,
/// flagged, A-share).
#[allow(clippy::too_many_arguments)]
fn figures(
    qualified: u32,
    tiers: [u32; 3],
    verdicts: [u32; 3],
    taken: u32,
    turned: u32,
    say_no: Option<u32>,
    rate: Option<u32>,
    exceptions: [u32; 3],
    due_overdue_flagged: [u32; 3],
    a_share: Option<u32>,
) -> Value {
    json!({
        "prospectsQualified": qualified,
        "tierMix": [{ "tier": "A", "count": tiers[0] }, { "tier": "B", "count": tiers[1] },
                    { "tier": "C", "count": tiers[2] }],
        "verdictMix": [{ "verdict": "ACCEPT", "count": verdicts[0] },
                       { "verdict": "ACCEPT_WITH_PLAN", "count": verdicts[1] },
                       { "verdict": "DECLINE", "count": verdicts[2] }],
        "takenOn": taken, "turnedDown": turned, "sayNoRateBasisPoints": say_no,
        "exceptionsRequested": exceptions.iter().sum::<u32>(),
        "exceptionRateBasisPoints": rate,
        "exceptionsPending": exceptions[0], "exceptionsApproved": exceptions[1],
        "exceptionsRejected": exceptions[2],
        "requalificationsDue": due_overdue_flagged[0],
        "requalificationsOverdue": due_overdue_flagged[1],
        "clientsFlaggedForExit": due_overdue_flagged[2],
        "aShareBasisPoints": a_share, "aShareGoalBasisPoints": 8000,
    })
}

fn m1_figures() -> Value {
    figures(
        4,
        [1, 2, 1],
        [1, 1, 2],
        3,
        1,
        Some(2500),
        Some(3333),
        [1, 0, 0],
        [1, 0, 0],
        Some(7500),
    )
}

fn m2_figures() -> Value {
    figures(
        3,
        [1, 0, 2],
        [1, 0, 2],
        3,
        0,
        Some(0),
        Some(6666),
        [0, 1, 1],
        [1, 1, 1],
        Some(2500),
    )
}

fn zeros() -> Value {
    figures(0, [0; 3], [0; 3], 0, 0, None, None, [0; 3], [0; 3], None)
}

fn row(who: &Actor, program: &str, figures: Value) -> Value {
    json!({ "mentee": { "id": who.id }, "program": { "id": program }, "figures": figures })
}

#[tokio::test]
async fn a_mentors_dashboard_counts_every_figure_of_their_programs_per_mentee_and_in_total() {
    let d = Dash::build().await;
    let got = d.read(&d.x.mentor, json!({})).await;
    assert_eq!(got["from"], json!(day(10).to_string()));
    assert_eq!(got["to"], json!(day(1).to_string()));
    assert_eq!(got["today"], json!(day(0).to_string()));
    let total = figures(
        7,
        [2, 2, 3],
        [2, 1, 4],
        6,
        1,
        Some(1428),
        Some(5000),
        [1, 1, 1],
        [2, 1, 1],
        Some(5833),
    );
    assert_eq!(got["figures"], total, "{got:#}");
    // Default order: prospects qualified, most first; M3 (P2, nothing) last; M4 (removed,
    // nothing) not at all; M2 (removed, with data) still there.
    let (m1, p1) = (&d.x.mentee, d.x.program_id.as_str());
    assert_eq!(
        got["mentees"],
        json!([
            row(m1, p1, m1_figures()),
            row(&d.m2, p1, m2_figures()),
            row(&d.m3, &d.p2, zeros()),
        ]),
        "{got:#}"
    );
}

#[tokio::test]
async fn mentee_rows_sort_by_any_figure_with_ties_by_mentee_id_and_missing_rates_lowest() {
    let d = Dash::build().await;
    let ids = |got: &Value| -> Vec<String> {
        got["mentees"]
            .as_array()
            .expect("rows")
            .iter()
            .map(|r| str_at(r, "/mentee/id"))
            .collect()
    };
    let order = |field: &str, direction: &str| json!({ "order": { "field": field, "direction": direction } });
    let (m1, m2, m3) = (d.x.mentee.id.clone(), d.m2.id.clone(), d.m3.id.clone());
    // Taken on: M1 and M2 tie at 3, by mentee id (ascending in both directions).
    let mut tied = [m1.clone(), m2.clone()];
    tied.sort_by_key(|id| uuid_of(id));
    let got = d.read(&d.x.mentor, order("TAKEN_ON", "DESC")).await;
    assert_eq!(ids(&got), [tied[0].clone(), tied[1].clone(), m3.clone()]);
    let got = d.read(&d.x.mentor, order("TAKEN_ON", "ASC")).await;
    assert_eq!(ids(&got), [m3.clone(), tied[0].clone(), tied[1].clone()]);
    // Say-no rate: M3 has none (lowest), M2 0, M1 2500.
    let got = d.read(&d.x.mentor, order("SAY_NO_RATE", "ASC")).await;
    assert_eq!(ids(&got), [m3.clone(), m2.clone(), m1.clone()]);
    let got = d.read(&d.x.mentor, order("A_SHARE", "DESC")).await;
    assert_eq!(ids(&got), [m1.clone(), m2.clone(), m3.clone()]);
    let got = d
        .read(&d.x.mentor, order("CLIENTS_FLAGGED_FOR_EXIT", "DESC"))
        .await;
    assert_eq!(ids(&got)[0], m2);
    let got = d.read(&d.x.mentor, order("EXCEPTION_RATE", "DESC")).await;
    assert_eq!(ids(&got), [m2, m1, m3]);
}

#[tokio::test]
async fn a_mentor_narrows_to_a_program_or_a_mentee_of_theirs_and_nothing_else() {
    let d = Dash::build().await;
    let (m1, p1) = (&d.x.mentee, d.x.program_id.as_str());
    let got = d.read(&d.x.mentor, json!({ "program": d.p2 })).await;
    assert_eq!(got["figures"], zeros());
    assert_eq!(got["mentees"], json!([row(&d.m3, &d.p2, zeros())]));
    let got = d.read(&d.x.mentor, json!({ "program": p1 })).await;
    assert_eq!(
        got["mentees"],
        json!([row(m1, p1, m1_figures()), row(&d.m2, p1, m2_figures())])
    );
    let got = d.read(&d.x.mentor, json!({ "mentee": m1.id })).await;
    assert_eq!(got["figures"], m1_figures());
    assert_eq!(got["mentees"], json!([row(m1, p1, m1_figures())]));

    // Another mentor's program or mentee, or a mentee's program, are not found.
    let vars = |extra: Value| {
        let mut v = json!({ "from": day(10).to_string(), "to": day(1).to_string() });
        v.as_object_mut()
            .expect("an object")
            .extend(extra.as_object().expect("an object").clone());
        v
    };
    for extra in [
        json!({ "program": d.y.program_id }),
        json!({ "mentee": d.y.mentee.id }),
        json!({ "mentee": d.x.mentor.id }),
    ] {
        let body = d
            .app
            .gql(d.x.mentor.tok(), DASHBOARD, vars(extra.clone()))
            .await;
        expect_code(&body, "NOT_FOUND");
        assert_eq!(body["data"]["dashboard"], Value::Null, "{extra}");
    }
    // Y's dashboard has its own mentee only.
    let got = d.read(&d.y.mentor, json!({})).await;
    assert_eq!(got["figures"]["prospectsQualified"], 1);
    assert_eq!(got["mentees"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn a_mentee_sees_only_their_own_figures_and_no_rows() {
    let d = Dash::build().await;
    let (m1, p1) = (&d.x.mentee, d.x.program_id.as_str());
    for vars in [
        json!({}),
        json!({ "program": p1 }),
        json!({ "mentee": m1.id }),
    ] {
        let got = d.read(m1, vars.clone()).await;
        assert_eq!(got["figures"], m1_figures(), "{vars}");
        assert_eq!(got["mentees"], json!([]), "{vars}");
    }
    let vars = |extra: Value| {
        let mut v = json!({ "from": day(10).to_string(), "to": day(1).to_string() });
        v.as_object_mut()
            .expect("an object")
            .extend(extra.as_object().expect("an object").clone());
        v
    };
    for extra in [
        json!({ "mentee": d.m3.id }),
        json!({ "program": d.p2 }),
        json!({ "program": d.y.program_id }),
    ] {
        let body = d.app.gql(m1.tok(), DASHBOARD, vars(extra.clone())).await;
        expect_code(&body, "NOT_FOUND");
    }
    // A mentee in another program: nothing of M1's.
    let got = d.read(&d.m3, json!({})).await;
    assert_eq!(got["figures"], zeros());
    // Without a token.
    let body = d.app.gql(None, DASHBOARD, vars(json!({}))).await;
    expect_code(&body, "UNAUTHENTICATED");
}

#[tokio::test]
async fn a_window_that_ends_before_it_starts_or_spans_more_than_five_years_is_bad_input() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("STRICT").await;
    let ask = |from: NaiveDate, to: NaiveDate| {
        app.gql(
            w.mentor.tok(),
            DASHBOARD,
            json!({ "from": from.to_string(), "to": to.to_string() }),
        )
    };
    let from = NaiveDate::from_ymd_opt(2021, 2, 28).expect("a date");
    let five_years = from.checked_add_months(Months::new(60)).expect("a date");
    ok(ask(from, five_years).await);
    ok(ask(from, from).await);
    expect_field(
        &ask(from, five_years.succ_opt().expect("a date")).await,
        "to",
    );
    expect_field(&ask(from, from.pred_opt().expect("a date")).await, "from");
    let body = app
        .gql(
            w.mentor.tok(),
            DASHBOARD,
            json!({ "from": "2026-02-30", "to": "2026-03-01" }),
        )
        .await;
    expect_code(&body, "BAD_USER_INPUT");
}
