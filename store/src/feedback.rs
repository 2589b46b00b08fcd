//! The feedback loop's aggregates, computed by the database: per client, the sums of its
//! outcome entries in a window of months (with its program's currency, so that a caller
//! can refuse a mix of currencies without another statement); per criterion of the
//! intake, the sums of the clients that scored well on it and of those below. Each is one
//! `GROUP BY` statement, whatever the number of clients and entries.
//!
//! Whose clients: a [`FeedbackScope`] of conditions that must all hold (a mentee's own
//! clients, in one program or all; a mentor's programs, one or all; one mentee within a
//! mentor's programs), so that no caller reads program ids first.
//!
//! Entries and intake points are joined by their client's program as well as its prospect:
//! their indexes lead with the program, so one program's rows lie together on disk
//! (migration `m20261202_000007_feedback_locality`).
//!
//! Written as SQL text (the same on SQLite and PostgreSQL but for the placeholders): a
//! `LEFT JOIN` so that a client without entries in the window has zeros, and every sum
//! cast to `BIGINT` (PostgreSQL sums a `BIGINT` column as `NUMERIC`).

use chrono::NaiveDate;
use domain::{
    CRITERION_SPLIT_BP, ClientFigures, CriterionKey, CriterionSums, Currency, EndReason,
    MonthWindow, Path, Tier,
};
use sea_orm::{DbBackend, QueryResult, Statement, Value};
use uuid::Uuid;

use crate::Conn;
use crate::StoreError;
use crate::codes::Code;

/// Whose clients an aggregate covers: every condition given must hold. A scope with
/// neither an owner nor a mentor covers no client (never the whole platform).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FeedbackScope {
    /// Only this mentee's clients.
    pub owner: Option<Uuid>,
    /// Only the clients of this program.
    pub program: Option<Uuid>,
    /// Only the clients of programs this mentor runs.
    pub mentor: Option<Uuid>,
}

/// One client's figures over a window and the currency of its program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopedFigures {
    pub figures: ClientFigures,
    pub currency: Currency,
}

/// `FROM ... WHERE ...` over the clients of `scope` whose span overlaps `window`, each with
/// its program (`p`) and its entries in the window (`o`), and the values to bind.
fn clients_in_window(scope: FeedbackScope, window: MonthWindow) -> Option<(String, Vec<Value>)> {
    if scope.owner.is_none() && scope.mentor.is_none() {
        return None;
    }
    let mut values: Vec<Value> = vec![window.from().index().into(), window.to().index().into()];
    let mut conditions = Vec::new();
    for (column, id) in [
        ("c.owner_id", scope.owner),
        ("c.program_id", scope.program),
        ("p.mentor_id", scope.mentor),
    ] {
        if let Some(id) = id {
            conditions.push(format!("{column} = ?"));
            values.push(id.into());
        }
    }
    values.push(last_day(window).into());
    values.push(window.from().first_day().into());
    let sql = format!(
        "FROM clients c \
         JOIN programs p ON p.id = c.program_id \
         LEFT JOIN outcome_entries o \
           ON o.program_id = c.program_id AND o.prospect_id = c.prospect_id \
             AND o.month BETWEEN ? AND ? \
         WHERE {} AND c.taken_on <= ? AND (c.ended_on IS NULL OR c.ended_on >= ?)",
        conditions.join(" AND ")
    );
    Some((sql, values))
}

fn last_day(window: MonthWindow) -> NaiveDate {
    let next = window.to().next().map(|m| m.first_day());
    next.and_then(|first| first.pred_opt())
        .unwrap_or(NaiveDate::from_ymd_opt(9999, 12, 31).unwrap_or(NaiveDate::MAX))
}

/// `?` placeholders as the backend writes them (`$1`, `$2`, ... on PostgreSQL); the
/// dashboard's statements use it too.
pub(crate) fn statement(backend: DbBackend, sql: &str, values: Vec<Value>) -> Statement {
    let sql = match backend {
        DbBackend::Postgres => {
            let mut numbered = String::with_capacity(sql.len() + 16);
            let mut n = 0;
            for c in sql.chars() {
                if c == '?' {
                    n += 1;
                    numbered.push_str(&format!("${n}"));
                } else {
                    numbered.push(c);
                }
            }
            numbered
        }
        _ => sql.to_owned(),
    };
    Statement::from_sql_and_values(backend, sql, values)
}

fn count(row: &QueryResult, column: &str) -> Result<u64, StoreError> {
    let value: i64 = row.try_get("", column)?;
    u64::try_from(value).map_err(|_| StoreError::corrupt(format_args!("{column} {value}")))
}

fn narrow(value: u64, column: &str) -> Result<u32, StoreError> {
    u32::try_from(value).map_err(|_| StoreError::corrupt(format_args!("{column} {value}")))
}

/// The clients of `scope` whose span overlaps `window` (taken on by its last day, not
/// ended before its first), each with the sums of its entries whose month is in the
/// window and its program's currency; `ended_early` when it ended `WE_EXITED` or
/// `CLIENT_LEFT` by the window's last day. Ordered by id. One statement; none for a scope
/// that covers no client.
///
/// # Errors
/// [`StoreError::Db`] when the query fails or a row does not read back.
pub async fn client_figures(
    db: &impl Conn,
    scope: FeedbackScope,
    window: MonthWindow,
) -> Result<Vec<ScopedFigures>, StoreError> {
    let Some((from, values)) = clients_in_window(scope, window) else {
        return Ok(Vec::new());
    };
    // Grouped by the client's key alone: its other columns depend on it (PostgreSQL allows
    // them ungrouped, as SQLite does) and its program's currency is one (`MAX` picks it),
    // so SQLite streams the groups in the index's prospect order instead of sorting them.
    let sql = format!(
        "SELECT c.prospect_id AS id, c.intake_tier AS tier, c.intake_path AS path, \
           c.ended_reason AS ended_reason, c.ended_on AS ended_on, \
           MAX(p.currency) AS currency, \
           CAST(COALESCE(SUM(o.revenue_minor), 0) AS BIGINT) AS revenue, \
           COUNT(o.month) AS months, \
           CAST(COALESCE(SUM(o.hours_hundredths), 0) AS BIGINT) AS hours, \
           CAST(COALESCE(SUM(o.custom_hours_hundredths), 0) AS BIGINT) AS custom_hours, \
           CAST(COALESCE(SUM(o.energy), 0) AS BIGINT) AS energy_sum, \
           COUNT(o.energy) AS energy_count \
         {from} \
         GROUP BY c.prospect_id \
         ORDER BY c.prospect_id"
    );
    let rows = db
        .query_all_raw(statement(db.get_database_backend(), &sql, values))
        .await?;
    let last = last_day(window);
    rows.iter()
        .map(|row| {
            let reason: Option<String> = row.try_get("", "ended_reason")?;
            let ended_on: Option<NaiveDate> = row.try_get("", "ended_on")?;
            let reason = reason.as_deref().map(EndReason::from_code).transpose()?;
            let ended_early = matches!((reason, ended_on),
                (Some(reason), Some(on)) if reason.ended_early() && on <= last);
            let currency: String = row.try_get("", "currency")?;
            let currency = Currency::parse(&currency)
                .map_err(|_| StoreError::corrupt(format_args!("currency {currency:?}")))?;
            Ok(ScopedFigures {
                figures: ClientFigures {
                    id: row.try_get("", "id")?,
                    tier: Tier::from_code(&row.try_get::<String>("", "tier")?)?,
                    path: Path::from_code(&row.try_get::<String>("", "path")?)?,
                    revenue_minor: count(row, "revenue")?,
                    months: narrow(count(row, "months")?, "months")?,
                    hours: count(row, "hours")?,
                    custom_hours: count(row, "custom_hours")?,
                    energy_sum: count(row, "energy_sum")?,
                    energy_count: count(row, "energy_count")?,
                    ended_early,
                },
                currency,
            })
        })
        .collect()
}

/// Over the clients [`client_figures`] covers: per intake criterion, the clients with
/// `points_bp >= 5000` on it and those below, with their revenue and months in the
/// window. Ordered by key, the side below first. One statement; none for a scope that
/// covers no client.
///
/// # Errors
/// [`StoreError::Db`] when the query fails or a row does not read back.
pub async fn criterion_sums(
    db: &impl Conn,
    scope: FeedbackScope,
    window: MonthWindow,
) -> Result<Vec<CriterionSums>, StoreError> {
    let Some((from, values)) = clients_in_window(scope, window) else {
        return Ok(Vec::new());
    };
    let sql = format!(
        "SELECT i.criterion_key AS criterion_key, \
           CASE WHEN i.points_bp >= {CRITERION_SPLIT_BP} THEN 1 ELSE 0 END AS scored_well, \
           COUNT(*) AS clients, \
           CAST(COALESCE(SUM(f.revenue), 0) AS BIGINT) AS revenue, \
           CAST(COALESCE(SUM(f.months), 0) AS BIGINT) AS months \
         FROM client_intake_points i \
         JOIN (SELECT c.prospect_id AS prospect_id, c.program_id AS program_id, \
                 CAST(COALESCE(SUM(o.revenue_minor), 0) AS BIGINT) AS revenue, \
                 COUNT(o.month) AS months \
               {from} \
               GROUP BY c.prospect_id) f \
           ON i.program_id = f.program_id AND i.prospect_id = f.prospect_id \
         GROUP BY i.criterion_key, \
           CASE WHEN i.points_bp >= {CRITERION_SPLIT_BP} THEN 1 ELSE 0 END \
         ORDER BY 1, 2"
    );
    let rows = db
        .query_all_raw(statement(db.get_database_backend(), &sql, values))
        .await?;
    rows.iter()
        .map(|row| {
            let key: String = row.try_get("", "criterion_key")?;
            let key = CriterionKey::parse(&key)
                .map_err(|_| StoreError::corrupt(format_args!("criterion key {key:?}")))?;
            let scored_well: i32 = row.try_get("", "scored_well")?;
            Ok(CriterionSums {
                key,
                scored_well: scored_well == 1,
                clients: narrow(count(row, "clients")?, "clients")?,
                revenue_minor: count(row, "revenue")?,
                months: narrow(count(row, "months")?, "months")?,
            })
        })
        .collect()
}
