//! The feedback loop over HTTP: a small world of five clients whose Pareto picture,
//! calibration and cost of exceptions are worked out by hand below, read by its mentee and
//! its mentor, and hidden from everyone else.
//!
//! The world (one mentee of mentor X's program, EUR; M is this month):
//!
//! | client | intake | path | M-2 | M-1 | M | hours | custom | energy |
//! |---|---|---|---|---|---|---|---|---|
//! | A1 | A (good) | RULE | 4000.00 | 4000.00 | 4000.00 | 10+10+10 | 0 | 5, 5, 4 |
//! | A2 | A (good) | RULE | 3000.00 | 3000.00 | | 20+20 | 5+5 | 4, 4 |
//! | B1 | B (plan) | RULE | | 1500.00 | 1500.00 | 15+15 | 6+6 | 3, 3 |
//! | B2 | B (plan) | RULE | | | 1000.00 | none | | 3 |
//! | C1 | C (knocked out) | EXCEPTION | 1000.00 | 1000.00 | | 40+40 | 30+30 | 2, 1 |
//!
//! All taken on on the first day of M-2; C1 ended `WE_EXITED` on the first day of M-1.
//! A turned-down prospect is no client.

use chrono::{Datelike, Months, NaiveDate};
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::{Value, json};

use crate::definitions::{Answers, number, scale};
use crate::fixtures::{Actor, REVIEW_EXCEPTION, World};
use crate::helpers::{TestApp, expect_code, expect_field, ok, today};

mod access;
mod figures;

pub const RECORD: &str = "mutation($input: RecordOutcomeInput!) { recordOutcome(input: $input) { \
    outcome { id month quarter revenue { amount currencyCode } hours customHours energy note revision } \
    prospect { id } } }";

pub const FEEDBACK: &str = "query($from: Month!, $to: Month!, $program: ID, $mentee: ID) { \
    feedback(from: $from, to: $to, programId: $program, menteeId: $mentee) { \
    from to currencyCode clientCount \
    pareto { totalRevenue { amount currencyCode } \
      byTier { tier revenue { amount } shareBasisPoints } \
      byPath { path revenue { amount } shareBasisPoints } \
      aShareBasisPoints aShareTargetBasisPoints headClientCount headShareOfClientsBasisPoints \
      head { id name } \
      tierFigures { tier clients revenuePerHour { amount } customWorkShareBasisPoints meanEnergy } } \
    calibration { table { tier head tail } precisionBasisPoints recallBasisPoints \
      criteria { key scoredWell { clients meanMonthlyRevenue { amount currencyCode } } \
                 scoredBelow { clients meanMonthlyRevenue { amount currencyCode } } } } \
    costOfExceptions { path clients revenuePerMonth { amount } revenuePerHour { amount } \
      customWorkShareBasisPoints meanEnergy endedEarlyBasisPoints } } }";

/// The first day of the month `back` months before this one.
pub fn month_start(back: u32) -> NaiveDate {
    let first = today().with_day(1).expect("the first of the month");
    first
        .checked_sub_months(Months::new(back))
        .expect("a month")
}

/// `YYYY-MM` of the month `back` months before this one.
pub fn month(back: u32) -> String {
    month_start(back).format("%Y-%m").to_string()
}

/// The uuid behind a global id (`base64url("Kind:uuid")`), for a statement of the test's own.
pub fn uuid_of(id: &str) -> uuid::Uuid {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(id)
        .expect("a global id");
    let text = String::from_utf8(bytes).expect("utf-8");
    let (_, raw) = text.split_once(':').expect("kind:uuid");
    uuid::Uuid::parse_str(raw).expect("a uuid")
}

/// Runs `sql` with `?` placeholders (numbered on PostgreSQL) on the app's database.
pub async fn execute(app: &TestApp, sql: &str, values: Vec<sea_orm::Value>) {
    let db = app.db().await;
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => {
            let mut n = 0;
            sql.chars()
                .map(|c| {
                    if c == '?' {
                        n += 1;
                        format!("${n}")
                    } else {
                        c.to_string()
                    }
                })
                .collect()
        }
        _ => sql.to_owned(),
    };
    db.execute_raw(Statement::from_sql_and_values(backend, sql, values))
        .await
        .expect("the test's own statement runs");
}

/// Moves a client's take-on back to `on`, as if it had been decided then (the API takes
/// clients on today).
pub async fn taken_on(app: &TestApp, prospect: &str, on: NaiveDate) {
    execute(
        app,
        "UPDATE clients SET taken_on = ? WHERE prospect_id = ?",
        vec![on.into(), uuid_of(prospect).into()],
    )
    .await;
}

/// The outlook that makes `Answers::middling()` (B, 6136) an A at the horizon (8409):
/// `ACCEPT_WITH_PLAN`, re-qualify within three months.
pub fn plan() -> Value {
    let answers = Answers::default()
        .with("values_expertise", scale(5))
        .with("revenue_fit", number(60_000))
        .with("growth", scale(5))
        .with("bhag_fit", scale(5));
    let by = today().checked_add_months(Months::new(3)).expect("a date");
    json!({ "answers": answers.json(), "plan": "Onto the standard package", "requalifyBy": by.to_string() })
}

impl TestApp {
    /// A prospect qualified with `answers` (and `outlook`) and taken on; its id.
    pub async fn client(
        &self,
        mentee: &Actor,
        program: &str,
        name: &str,
        answers: &Answers,
        outlook: Option<Value>,
    ) -> String {
        let prospect = self.create_prospect(mentee, program, name).await;
        self.qualify(mentee, &prospect, answers, outlook).await;
        let decided = ok(self.decide(mentee, &prospect, "TAKE_ON", None, None).await);
        assert_eq!(
            decided["decideProspect"]["prospect"]["status"], "TAKEN_ON",
            "{decided:#}"
        );
        prospect
    }

    /// Records an entry that must be accepted.
    #[allow(clippy::too_many_arguments)]
    pub async fn outcome(
        &self,
        mentee: &Actor,
        prospect: &str,
        month: &str,
        amount: &str,
        hours: Option<&str>,
        custom: Option<&str>,
        energy: i64,
    ) -> Value {
        let input = json!({ "prospectId": prospect, "month": month,
            "revenue": { "amount": amount, "currencyCode": "EUR" },
            "hours": hours, "customHours": custom, "energy": energy });
        let data = self
            .data(mentee.tok(), RECORD, json!({ "input": input }))
            .await;
        data["recordOutcome"]["outcome"].clone()
    }
}

/// (prospect, month, amount, hours, custom hours, energy).
type Entry<'a> = (
    &'a str,
    &'a str,
    &'a str,
    Option<&'a str>,
    Option<&'a str>,
    i64,
);

/// The world of the module doc.
pub struct Loop {
    pub app: TestApp,
    pub w: World,
    pub a1: String,
    pub a2: String,
    pub b1: String,
    pub b2: String,
    pub c1: String,
    pub turned_down: String,
}

impl Loop {
    pub async fn build() -> Loop {
        let app = TestApp::spawn().await;
        let w = app.mentee_in_program("REVIEW").await;
        let (me, program) = (&w.mentee, w.program_id.as_str());
        let a1 = app.client(me, program, "A1", &Answers::good(), None).await;
        let a2 = app.client(me, program, "A2", &Answers::good(), None).await;
        let b1 = app
            .client(me, program, "B1", &Answers::middling(), Some(plan()))
            .await;
        let b2 = app
            .client(me, program, "B2", &Answers::middling(), Some(plan()))
            .await;
        let (c1, _, _, exception) = app.pending_exception(me, program).await;
        let review = json!({ "input": { "id": exception, "approve": true } });
        app.data(w.mentor.tok(), REVIEW_EXCEPTION, review).await;
        let turned_down = app.create_prospect(me, program, "Turned down").await;
        app.qualify(me, &turned_down, &Answers::good(), None).await;
        ok(app.decide(me, &turned_down, "TURN_DOWN", None, None).await);
        for client in [&a1, &a2, &b1, &b2, &c1] {
            taken_on(&app, client, month_start(2)).await;
        }
        let (m2, m1, m0) = (month(2), month(1), month(0));
        let entries: [Entry; 10] = [
            (&a1, &m2, "4000.00", Some("10"), Some("0"), 5),
            (&a1, &m1, "4000.00", Some("10"), Some("0"), 5),
            (&a2, &m2, "3000.00", Some("20"), Some("5"), 4),
            (&a2, &m1, "3000", Some("20.00"), Some("5.0"), 4),
            (&b1, &m1, "1500.00", Some("15"), Some("6"), 3),
            (&b1, &m0, "1500.00", Some("15"), Some("6"), 3),
            (&b2, &m0, "1000.00", None, None, 3),
            (&c1, &m2, "1000.00", Some("40"), Some("30"), 2),
            (&c1, &m1, "1000.00", Some("40"), Some("30"), 1),
            // A typo, corrected below: the figures see the corrected entry.
            (&a1, &m0, "400.00", Some("10"), None, 4),
        ];
        let mut typo = Value::Null;
        for (prospect, month, amount, hours, custom, energy) in entries {
            typo = app
                .outcome(me, prospect, month, amount, hours, custom, energy)
                .await;
        }
        let fix = json!({ "input": { "id": typo["id"], "expectedRevision": 1,
            "revenue": { "amount": "4000.00", "currencyCode": "EUR" }, "hours": "10", "energy": 4 } });
        let fixed = app.data(me.tok(), CORRECT, fix).await;
        assert_eq!(
            fixed["correctOutcome"]["outcome"]["revenue"]["amount"],
            "4000.00"
        );
        assert_eq!(fixed["correctOutcome"]["outcome"]["revision"], 2);
        // Before the take-on month: refused, so it counts nowhere.
        let early = json!({ "input": { "prospectId": a2, "month": month(3),
            "revenue": { "amount": "99", "currencyCode": "EUR" }, "energy": 1 } });
        expect_field(&app.gql(me.tok(), RECORD, early).await, "input.month");
        let end = json!({ "input": { "prospectId": c1, "reason": "WE_EXITED",
            "endedOn": month_start(1).to_string(), "note": "Too much custom work" } });
        ok(app.gql(me.tok(), END_CLIENT, end).await);
        Loop {
            app,
            w,
            a1,
            a2,
            b1,
            b2,
            c1,
            turned_down,
        }
    }

    /// The feedback of the three months as `who` reads it, with `program` and `mentee`.
    pub async fn feedback(
        &self,
        who: &Actor,
        program: Option<&str>,
        mentee: Option<&str>,
    ) -> Value {
        let vars =
            json!({ "from": month(2), "to": month(0), "program": program, "mentee": mentee });
        self.app.gql(who.tok(), FEEDBACK, vars).await
    }
}

pub const CORRECT: &str = "mutation($input: CorrectOutcomeInput!) { correctOutcome(input: $input) { \
    outcome { id month revenue { amount currencyCode } hours customHours energy note revision } } }";

pub const END_CLIENT: &str = "mutation($input: EndClientInput!) { endClient(input: $input) { \
    prospect { id client { takenOn endedOn endReason endNote flaggedForExit revision } } } }";

#[tokio::test]
async fn a_window_that_is_not_one_is_refused_on_its_bound() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("REVIEW").await;
    let ask = |from: &str, to: &str| json!({ "from": from, "to": to });
    let backwards = app
        .gql(w.mentee.tok(), FEEDBACK, ask("2027-03", "2027-01"))
        .await;
    expect_field(&backwards, "from");
    let too_long = app
        .gql(w.mentee.tok(), FEEDBACK, ask("2000-01", "2027-01"))
        .await;
    expect_field(&too_long, "to");
    let not_a_month = app
        .gql(w.mentee.tok(), FEEDBACK, ask("2027-13", "2027-01"))
        .await;
    expect_code(&not_a_month, "BAD_USER_INPUT");
    let inline = app
        .gql(
            w.mentee.tok(),
            "{ feedback(from: \"2027-1\", to: \"2027-02\") { clientCount } }",
            json!({}),
        )
        .await;
    expect_code(&inline, "BAD_USER_INPUT");
    // Nobody's clients yet: zeros, the program's currency, no head.
    let empty = app
        .data(w.mentee.tok(), FEEDBACK, ask("2027-01", "2027-03"))
        .await;
    let f = &empty["feedback"];
    assert_eq!(f["clientCount"], 0);
    assert_eq!(f["currencyCode"], "EUR");
    assert_eq!(f["pareto"]["totalRevenue"]["amount"], "0.00");
    assert_eq!(f["pareto"]["head"], json!([]));
    assert_eq!(f["calibration"]["precisionBasisPoints"], Value::Null);
    assert_eq!(f["calibration"]["criteria"], json!([]));
}
