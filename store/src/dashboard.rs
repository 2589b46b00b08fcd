//! The dashboards' counts, computed by the database: per mentee and program, what
//! happened in a window of dates (qualifications, decisions, exception requests), the
//! revenue of its months, and where clients' re-qualifications stand today; and the
//! enrolments, so that a mentee without any of it still has a row. Five `GROUP BY` (or
//! plain) statements whatever the number of mentees, prospects and entries.
//!
//! Whose: a [`FeedbackScope`] (a mentee's own, one program, a mentor's programs), the
//! conditions written on the program (`p`) and on the rows' own program and owner columns.
//! Every statement starts from a program's rows through an index that leads with
//! `program_id` (prospects by program and owner, clients and outcome entries by program,
//! enrolments by program), then reads each prospect's qualifications and decisions by
//! program, prospect and date (migration `m20261205_000013_dashboard_locality`: a
//! program's entries are adjacent on disk): bounded by the programs' size, never a scan
//! of a whole table, and not scattered over it.
//!
//! SQL text, the same on SQLite and PostgreSQL but for the placeholders; every sum cast
//! to `BIGINT`.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use domain::dashboard::{DateWindow, Figures, due_until};
use domain::{Currency, MonthWindow};
use sea_orm::{QueryResult, Value};
use uuid::Uuid;

use crate::Conn;
use crate::StoreError;
use crate::feedback::{FeedbackScope, statement};

/// One mentee's figures in one program, with the program's currency and whether the
/// mentee is enrolled in it now (not removed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DashboardRow {
    pub program: Uuid,
    pub mentee: Uuid,
    pub currency: Currency,
    pub enrolled: bool,
    pub figures: Figures,
}

/// The scope's conditions on the program's mentor (`p.mentor_id`), and on the rows'
/// program and owner columns; `None` for a scope that covers no one.
fn conditions(
    scope: FeedbackScope,
    program: &str,
    owner: &str,
    values: &mut Vec<Value>,
) -> Option<String> {
    if scope.owner.is_none() && scope.mentor.is_none() {
        return None;
    }
    let mut conditions = Vec::new();
    for (column, id) in [
        (owner, scope.owner),
        (program, scope.program),
        ("p.mentor_id", scope.mentor),
    ] {
        if let Some(id) = id {
            conditions.push(format!("{column} = ?"));
            values.push(id.into());
        }
    }
    Some(conditions.join(" AND "))
}

fn count(row: &QueryResult, column: &str) -> Result<u32, StoreError> {
    let value: i64 = row.try_get("", column)?;
    u32::try_from(value).map_err(|_| StoreError::corrupt(format_args!("{column} {value}")))
}

fn sum(row: &QueryResult, column: &str) -> Result<u64, StoreError> {
    let value: i64 = row.try_get("", column)?;
    u64::try_from(value).map_err(|_| StoreError::corrupt(format_args!("{column} {value}")))
}

fn midnight(date: NaiveDate) -> DateTime<Utc> {
    date.and_time(chrono::NaiveTime::MIN).and_utc()
}

/// The window's first instant and the instant after its last day.
fn instants(window: DateWindow) -> (DateTime<Utc>, DateTime<Utc>) {
    let end = window
        .end_exclusive()
        .map_or(DateTime::<Utc>::MAX_UTC, midnight);
    (midnight(window.from()), end)
}

fn last_day(months: MonthWindow) -> NaiveDate {
    months
        .to()
        .next()
        .and_then(|m| m.first_day().pred_opt())
        .unwrap_or(NaiveDate::MAX)
}

/// `SUM(CASE WHEN {condition} THEN 1 ELSE 0 END)` as a `BIGINT` named `name`.
fn count_when(condition: &str, name: &str) -> String {
    format!("CAST(COALESCE(SUM(CASE WHEN {condition} THEN 1 ELSE 0 END), 0) AS BIGINT) AS {name}")
}

/// Per mentee and program of `scope`: the figures of `window` and, as of `today`, the
/// re-qualifications of their clients; a row for every enrolment in the scope (removed or
/// not) and for every mentee and program with figures. Ordered by program, then mentee.
/// Five statements; none for a scope that covers no one.
///
/// - qualified: prospects with a qualification made in the window; tier and verdict of
///   the latest of them in the window (by time, then id);
/// - decisions made in the window by kind; of those with an exception request, the
///   request's status now;
/// - revenue: the outcome entries of the window's months of clients whose span overlaps
///   those months (the feedback loop's rule), and of those the clients A at intake;
/// - clients not ended whose prospect's re-qualification date is before `today`
///   (overdue, flagged for exit) or from `today` to 30 days after (due).
///
/// # Errors
/// [`StoreError::Db`] when a query fails or a row does not read back.
pub async fn rows(
    db: &impl Conn,
    scope: FeedbackScope,
    window: DateWindow,
    today: NaiveDate,
) -> Result<Vec<DashboardRow>, StoreError> {
    let backend = db.get_database_backend();
    let (start, end) = instants(window);
    let mut rows: BTreeMap<(Uuid, Uuid), DashboardRow> = BTreeMap::new();

    // Enrolments: a mentee without activity still has a row.
    let mut values = Vec::new();
    let Some(scoped) = conditions(scope, "e.program_id", "e.mentee_id", &mut values) else {
        return Ok(Vec::new());
    };
    let sql = format!(
        "SELECT e.program_id AS program_id, e.mentee_id AS owner_id, p.currency AS currency, \
           CASE WHEN e.removed_at IS NULL THEN 1 ELSE 0 END AS enrolled \
         FROM programs p JOIN enrollments e ON e.program_id = p.id \
         WHERE {scoped}"
    );
    for row in db.query_all_raw(statement(backend, &sql, values)).await? {
        let enrolled: i32 = row.try_get("", "enrolled")?;
        let entry = entry(&mut rows, &row)?;
        entry.enrolled = enrolled == 1;
    }

    // Qualifications in the window: each prospect's latest there.
    let mut values: Vec<Value> = vec![start.into(), end.into(), end.into()];
    let scoped = conditions(scope, "pr.program_id", "pr.owner_id", &mut values).unwrap_or_default();
    let sql = format!(
        "SELECT pr.program_id AS program_id, pr.owner_id AS owner_id, MAX(p.currency) AS currency, \
           COUNT(*) AS qualified, {}, {}, {}, {}, {}, {} \
         FROM programs p \
         JOIN prospects pr ON pr.program_id = p.id \
         JOIN qualifications q ON q.program_id = pr.program_id AND q.prospect_id = pr.id \
         WHERE q.created_at >= ? AND q.created_at < ? \
           AND NOT EXISTS (SELECT 1 FROM qualifications l \
             WHERE l.program_id = q.program_id AND l.prospect_id = q.prospect_id \
               AND l.created_at >= q.created_at \
               AND l.created_at < ? AND (l.created_at > q.created_at OR l.id > q.id)) \
           AND {scoped} \
         GROUP BY pr.program_id, pr.owner_id",
        count_when("q.tier = 'A'", "tier_a"),
        count_when("q.tier = 'B'", "tier_b"),
        count_when("q.tier = 'C'", "tier_c"),
        count_when("q.verdict = 'ACCEPT'", "accept"),
        count_when("q.verdict = 'ACCEPT_WITH_PLAN'", "accept_with_plan"),
        count_when("q.verdict = 'DECLINE'", "decline"),
    );
    for row in db.query_all_raw(statement(backend, &sql, values)).await? {
        let f = &mut entry(&mut rows, &row)?.figures;
        f.prospects_qualified = count(&row, "qualified")?;
        f.tier_a = count(&row, "tier_a")?;
        f.tier_b = count(&row, "tier_b")?;
        f.tier_c = count(&row, "tier_c")?;
        f.accept = count(&row, "accept")?;
        f.accept_with_plan = count(&row, "accept_with_plan")?;
        f.decline = count(&row, "decline")?;
    }

    // Decisions in the window, and the exception requests they made.
    let mut values: Vec<Value> = vec![start.into(), end.into()];
    let scoped = conditions(scope, "pr.program_id", "pr.owner_id", &mut values).unwrap_or_default();
    let sql = format!(
        "SELECT pr.program_id AS program_id, pr.owner_id AS owner_id, MAX(p.currency) AS currency, \
           {}, {}, {}, {}, {} \
         FROM programs p \
         JOIN prospects pr ON pr.program_id = p.id \
         JOIN decisions d ON d.program_id = pr.program_id AND d.prospect_id = pr.id \
         LEFT JOIN exception_requests x ON x.decision_id = d.id \
         WHERE d.created_at >= ? AND d.created_at < ? AND {scoped} \
         GROUP BY pr.program_id, pr.owner_id",
        count_when("d.decision = 'TAKE_ON'", "taken_on"),
        count_when("d.decision = 'TURN_DOWN'", "turned_down"),
        count_when("x.status = 'PENDING'", "pending"),
        count_when("x.status = 'APPROVED'", "approved"),
        count_when("x.status = 'REJECTED'", "rejected"),
    );
    for row in db.query_all_raw(statement(backend, &sql, values)).await? {
        let f = &mut entry(&mut rows, &row)?.figures;
        f.taken_on = count(&row, "taken_on")?;
        f.turned_down = count(&row, "turned_down")?;
        f.exceptions_pending = count(&row, "pending")?;
        f.exceptions_approved = count(&row, "approved")?;
        f.exceptions_rejected = count(&row, "rejected")?;
    }

    // Revenue of the window's months.
    let months = window.months();
    let mut values: Vec<Value> = vec![
        months.from().index().into(),
        months.to().index().into(),
        last_day(months).into(),
        months.from().first_day().into(),
    ];
    let scoped = conditions(scope, "c.program_id", "c.owner_id", &mut values).unwrap_or_default();
    let sql = format!(
        "SELECT c.program_id AS program_id, c.owner_id AS owner_id, MAX(p.currency) AS currency, \
           CAST(COALESCE(SUM(o.revenue_minor), 0) AS BIGINT) AS revenue, \
           CAST(COALESCE(SUM(CASE WHEN c.intake_tier = 'A' THEN o.revenue_minor ELSE 0 END), 0) \
             AS BIGINT) AS a_revenue \
         FROM programs p \
         JOIN clients c ON c.program_id = p.id \
         JOIN outcome_entries o ON o.program_id = c.program_id \
           AND o.prospect_id = c.prospect_id AND o.month BETWEEN ? AND ? \
         WHERE c.taken_on <= ? AND (c.ended_on IS NULL OR c.ended_on >= ?) AND {scoped} \
         GROUP BY c.program_id, c.owner_id"
    );
    for row in db.query_all_raw(statement(backend, &sql, values)).await? {
        let f = &mut entry(&mut rows, &row)?.figures;
        f.revenue_minor = sum(&row, "revenue")?;
        f.a_revenue_minor = sum(&row, "a_revenue")?;
    }

    // Re-qualifications as of today, of clients not ended.
    let until = due_until(today);
    let mut values: Vec<Value> = vec![today.into(), until.into(), today.into(), until.into()];
    let scoped = conditions(scope, "c.program_id", "c.owner_id", &mut values).unwrap_or_default();
    let sql = format!(
        "SELECT c.program_id AS program_id, c.owner_id AS owner_id, MAX(p.currency) AS currency, \
           {}, {} \
         FROM programs p \
         JOIN clients c ON c.program_id = p.id \
         JOIN prospects pr ON pr.id = c.prospect_id \
         WHERE c.ended_on IS NULL AND pr.requalify_by <= ? AND {scoped} \
         GROUP BY c.program_id, c.owner_id",
        count_when("pr.requalify_by >= ? AND pr.requalify_by <= ?", "due"),
        count_when("pr.requalify_by < ?", "overdue"),
    );
    // The condition's placeholders come first in the text: the select list's, then the
    // WHERE's.
    for row in db.query_all_raw(statement(backend, &sql, values)).await? {
        let f = &mut entry(&mut rows, &row)?.figures;
        f.requalifications_due = count(&row, "due")?;
        f.requalifications_overdue = count(&row, "overdue")?;
        // The same rule: a client not ended whose date has passed (`domain::flagged_for_exit`).
        f.flagged_for_exit = f.requalifications_overdue;
    }

    Ok(rows.into_values().collect())
}

/// The row of the statement row's program and owner, created (not enrolled, no figures)
/// if new.
fn entry<'a>(
    rows: &'a mut BTreeMap<(Uuid, Uuid), DashboardRow>,
    row: &QueryResult,
) -> Result<&'a mut DashboardRow, StoreError> {
    let program: Uuid = row.try_get("", "program_id")?;
    let mentee: Uuid = row.try_get("", "owner_id")?;
    let currency: String = row.try_get("", "currency")?;
    let currency = Currency::parse(&currency)
        .map_err(|_| StoreError::corrupt(format_args!("currency {currency:?}")))?;
    Ok(rows
        .entry((program, mentee))
        .or_insert_with(|| DashboardRow {
            program,
            mentee,
            currency,
            enrolled: false,
            figures: Figures::default(),
        }))
}
