//! Goals: a mentee's BHAG (one per mentee) and their quarterly goals in a program, and the
//! sums a goal's actual is computed from ([`quarter_figures`]): per program, mentee and
//! quarter, one `GROUP BY` statement per figure asked (revenue and A-revenue of outcome
//! entries; A take-ons; turn-downs), whatever the number of goals.
//!
//! The quarter of an outcome entry is its month index divided by three
//! (`domain::quarter_index`); take-ons and decisions are bucketed by a `CASE` over the
//! quarters asked, bounds bound as values, so that the SQL is the same on SQLite and
//! PostgreSQL but for the placeholders.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use domain::policy::Visibility;
use domain::{
    BasisPoints, Bhag as BhagValue, BhagUnit, GoalKind, GoalTarget, LongText,
    MAX_GOALS_PER_QUARTER, Quarter, QuarterFigures, Revenue, quarter_days, quarter_index,
};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, DbBackend, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Statement, Value,
};
use uuid::Uuid;

use crate::clock::now;
use crate::codes::{Code, codes};
use crate::entity::{bhags, quarterly_goals};
use crate::error::unique;
use crate::visible::condition;
use crate::{Conn, StoreError};

codes!(GoalKind {
    GoalKind::Revenue => "REVENUE",
    GoalKind::AShare => "A_SHARE",
    GoalKind::AClientsTakenOn => "A_CLIENTS_TAKEN_ON",
    GoalKind::SayNoCount => "SAY_NO_COUNT",
    GoalKind::Text => "TEXT",
});

/// A mentee's stored BHAG.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bhag {
    pub mentee_id: Uuid,
    pub bhag: BhagValue,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<bhags::Model> for Bhag {
    type Error = StoreError;

    fn try_from(row: bhags::Model) -> Result<Self, StoreError> {
        let corrupt =
            |what: &str| StoreError::corrupt(format_args!("bhag {} {what}", row.mentee_id));
        let statement = LongText::parse(&row.statement).map_err(|_| corrupt("statement"))?;
        let target = match (row.target_number, row.target_unit) {
            (Some(number), Some(unit)) => {
                Some((number, BhagUnit::parse(&unit).map_err(|_| corrupt("unit"))?))
            }
            (None, None) => None,
            _ => return Err(corrupt("target")),
        };
        Ok(Bhag {
            mentee_id: row.mentee_id,
            bhag: BhagValue {
                statement,
                target_year: row.target_year,
                target,
            },
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

/// A stored quarterly goal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuarterlyGoal {
    pub id: Uuid,
    pub program_id: Uuid,
    pub mentee_id: Uuid,
    pub quarter: Quarter,
    pub target: GoalTarget,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl QuarterlyGoal {
    /// The key its actual is computed for.
    #[must_use]
    pub fn key(&self) -> (Uuid, Uuid, Quarter) {
        (self.program_id, self.mentee_id, self.quarter)
    }
}

impl TryFrom<quarterly_goals::Model> for QuarterlyGoal {
    type Error = StoreError;

    fn try_from(row: quarterly_goals::Model) -> Result<Self, StoreError> {
        let corrupt = |what: &str| StoreError::corrupt(format_args!("goal {} {what}", row.id));
        let quarter = Quarter::parse(&row.quarter).map_err(|_| corrupt("quarter"))?;
        let kind = GoalKind::from_code(&row.kind)?;
        let target = match (kind, row.target, row.text.as_deref()) {
            (GoalKind::Text, None, Some(text)) => {
                GoalTarget::text(text).map_err(|_| corrupt("text"))?
            }
            (GoalKind::Revenue, Some(minor), None) => {
                GoalTarget::Revenue(Revenue::new(minor).map_err(|_| corrupt("target"))?)
            }
            (kind, Some(value), None) if kind != GoalKind::Text => {
                GoalTarget::number(kind, value).map_err(|_| corrupt("target"))?
            }
            _ => return Err(corrupt("target")),
        };
        Ok(QuarterlyGoal {
            id: row.id,
            program_id: row.program_id,
            mentee_id: row.mentee_id,
            quarter,
            target,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

/// A new quarterly goal (its target's kind is the goal's kind).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewGoal {
    pub program_id: Uuid,
    pub mentee_id: Uuid,
    pub quarter: Quarter,
    pub target: GoalTarget,
}

/// The columns a target is stored in: `(target, text)`.
fn columns(target: &GoalTarget) -> (Option<i64>, Option<String>) {
    match target {
        GoalTarget::Text(text) => (None, Some(text.as_str().to_owned())),
        other => (other.value().and_then(|v| i64::try_from(v).ok()), None),
    }
}

/// The mentee's BHAG, if they set one.
///
/// # Errors
/// [`StoreError::Db`] when the query fails or the row does not read back.
pub async fn bhag_of(db: &impl Conn, mentee_id: Uuid) -> Result<Option<Bhag>, StoreError> {
    bhags::Entity::find_by_id(mentee_id)
        .one(db)
        .await?
        .map(Bhag::try_from)
        .transpose()
}

/// Sets (or replaces) the mentee's BHAG; its creation time stays that of the first.
///
/// # Errors
/// [`StoreError::Db`] when the database fails.
pub async fn set_bhag(
    txn: &impl Conn,
    mentee_id: Uuid,
    bhag: &BhagValue,
) -> Result<Bhag, StoreError> {
    let at = now();
    let (number, unit) = match &bhag.target {
        Some((number, unit)) => (Some(number.clone()), Some(unit.as_str().to_owned())),
        None => (None, None),
    };
    let existing = bhags::Entity::find_by_id(mentee_id).one(txn).await?;
    let row = bhags::ActiveModel {
        mentee_id: Set(mentee_id),
        statement: Set(bhag.statement.as_str().to_owned()),
        target_year: Set(bhag.target_year),
        target_number: Set(number),
        target_unit: Set(unit),
        created_at: Set(existing.as_ref().map_or(at, |e| e.created_at)),
        updated_at: Set(at),
    };
    let saved = if existing.is_some() {
        bhags::Entity::update(row).exec(txn).await?
    } else {
        bhags::Entity::insert(row).exec_with_returning(txn).await?
    };
    Bhag::try_from(saved)
}

/// Clears the mentee's BHAG; whether there was one.
///
/// # Errors
/// [`StoreError::Db`] when the database fails.
pub async fn clear_bhag(txn: &impl Conn, mentee_id: Uuid) -> Result<bool, StoreError> {
    let deleted = bhags::Entity::delete_by_id(mentee_id).exec(txn).await?;
    Ok(deleted.rows_affected > 0)
}

/// One goal by id.
///
/// # Errors
/// [`StoreError::Db`] when the query fails or the row does not read back.
pub async fn goal_by_id(db: &impl Conn, id: Uuid) -> Result<Option<QuarterlyGoal>, StoreError> {
    quarterly_goals::Entity::find_by_id(id)
        .one(db)
        .await?
        .map(QuarterlyGoal::try_from)
        .transpose()
}

/// Which goals of one mentee a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GoalScope {
    pub mentee_id: Uuid,
    pub quarter: Option<Quarter>,
    pub program_id: Option<Uuid>,
}

/// The mentee's goals the actor may see (`visible`, the policy's `Goal` list filter),
/// narrowed by `scope`; by quarter, program and creation. One statement.
///
/// # Errors
/// [`StoreError::Db`] when the query fails or a row does not read back.
pub async fn goals_of(
    db: &impl Conn,
    visible: &Visibility,
    scope: GoalScope,
) -> Result<Vec<QuarterlyGoal>, StoreError> {
    let mut query = quarterly_goals::Entity::find()
        .filter(condition(
            visible,
            |owner| quarterly_goals::Column::MenteeId.eq(owner),
            Some(quarterly_goals::Column::ProgramId),
        ))
        .filter(quarterly_goals::Column::MenteeId.eq(scope.mentee_id));
    if let Some(quarter) = scope.quarter {
        query = query.filter(quarterly_goals::Column::Quarter.eq(quarter.to_string()));
    }
    if let Some(program) = scope.program_id {
        query = query.filter(quarterly_goals::Column::ProgramId.eq(program));
    }
    query
        .order_by_asc(quarterly_goals::Column::Quarter)
        .order_by_asc(quarterly_goals::Column::ProgramId)
        .order_by_asc(quarterly_goals::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(QuarterlyGoal::try_from)
        .collect()
}

/// Adds a goal.
///
/// # Errors
/// [`StoreError::Conflict`] `"goal kind"` when the mentee has a goal of this numeric kind
/// in the program and quarter, `"too many goals"` when they have
/// [`MAX_GOALS_PER_QUARTER`] there; [`StoreError::Db`] when the database fails.
pub async fn insert_goal(txn: &impl Conn, goal: &NewGoal) -> Result<QuarterlyGoal, StoreError> {
    let quarter = goal.quarter.to_string();
    let held = quarterly_goals::Entity::find()
        .filter(quarterly_goals::Column::ProgramId.eq(goal.program_id))
        .filter(quarterly_goals::Column::MenteeId.eq(goal.mentee_id))
        .filter(quarterly_goals::Column::Quarter.eq(quarter.as_str()))
        .count(txn)
        .await?;
    if usize::try_from(held).unwrap_or(usize::MAX) >= MAX_GOALS_PER_QUARTER {
        return Err(StoreError::Conflict("too many goals"));
    }
    let at = now();
    let (target, text) = columns(&goal.target);
    let row = quarterly_goals::Model {
        id: Uuid::now_v7(),
        program_id: goal.program_id,
        mentee_id: goal.mentee_id,
        quarter,
        kind: goal.target.kind().code().to_owned(),
        target,
        text,
        created_at: at,
        updated_at: at,
    };
    let saved = quarterly_goals::Entity::insert(quarterly_goals::ActiveModel::from(row))
        .exec_with_returning(txn)
        .await
        .map_err(unique("goal kind"))?;
    QuarterlyGoal::try_from(saved)
}

/// Replaces a goal's target (of the same kind: the caller checks it).
///
/// # Errors
/// [`StoreError::NotFound`] when the goal is gone; [`StoreError::Db`] when the database
/// fails.
pub async fn update_goal(
    txn: &impl Conn,
    id: Uuid,
    target: &GoalTarget,
) -> Result<QuarterlyGoal, StoreError> {
    let (value, text) = columns(target);
    let updated = quarterly_goals::Entity::update_many()
        .col_expr(quarterly_goals::Column::Target, Expr::value(value))
        .col_expr(quarterly_goals::Column::Text, Expr::value(text))
        .col_expr(quarterly_goals::Column::UpdatedAt, Expr::value(now()))
        .filter(quarterly_goals::Column::Id.eq(id))
        .filter(quarterly_goals::Column::Kind.eq(target.kind().code()))
        .exec(txn)
        .await?;
    if updated.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    goal_by_id(txn, id).await?.ok_or(StoreError::NotFound)
}

/// Deletes a goal.
///
/// # Errors
/// [`StoreError::NotFound`] when it is gone; [`StoreError::Db`] when the database fails.
pub async fn delete_goal(txn: &impl Conn, id: Uuid) -> Result<(), StoreError> {
    let deleted = quarterly_goals::Entity::delete_by_id(id).exec(txn).await?;
    if deleted.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// The `A_SHARE` goal targets of the mentees of `program_ids` for `quarter`, by (program,
/// mentee): for the dashboard's rows. One statement; none without programs.
///
/// # Errors
/// [`StoreError::Db`] when the query fails or a row does not read back.
pub async fn a_share_goals(
    db: &impl Conn,
    program_ids: &[Uuid],
    quarter: Quarter,
) -> Result<HashMap<(Uuid, Uuid), BasisPoints>, StoreError> {
    if program_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = quarterly_goals::Entity::find()
        .filter(quarterly_goals::Column::ProgramId.is_in(program_ids.iter().copied()))
        .filter(quarterly_goals::Column::Quarter.eq(quarter.to_string()))
        .filter(quarterly_goals::Column::Kind.eq(GoalKind::AShare.code()))
        .all(db)
        .await?;
    rows.into_iter()
        .map(|row| {
            let key = (row.program_id, row.mentee_id);
            match QuarterlyGoal::try_from(row)?.target {
                GoalTarget::AShare(bp) => Ok((key, bp)),
                _ => Err(StoreError::corrupt("A_SHARE goal without basis points")),
            }
        })
        .collect()
}

/// A goal's key: (program, mentee, quarter).
pub type GoalKey = (Uuid, Uuid, Quarter);

/// The figures of each key's quarter, for the goal kinds in `kinds` (the others stay 0):
/// at most three statements (revenue for `REVENUE` and `A_SHARE`, take-ons, turn-downs),
/// each one `GROUP BY` over every key, whatever their number.
///
/// # Errors
/// [`StoreError::Db`] when a query fails or a row does not read back.
pub async fn quarter_figures(
    db: &impl Conn,
    keys: &[GoalKey],
    kinds: &[GoalKind],
) -> Result<HashMap<GoalKey, QuarterFigures>, StoreError> {
    let mut figures: HashMap<GoalKey, QuarterFigures> = keys
        .iter()
        .map(|k| (*k, QuarterFigures::default()))
        .collect();
    if keys.is_empty() {
        return Ok(figures);
    }
    let set = KeySet::of(keys);
    let backend = db.get_database_backend();
    let wants = |k: GoalKind| kinds.contains(&k);
    if wants(GoalKind::Revenue) || wants(GoalKind::AShare) {
        let (sql, values) = set.revenue();
        for row in db.query_all_raw(statement(backend, &sql, values)).await? {
            let key = set.key(&row)?;
            if let Some(f) = key.and_then(|k| figures.get_mut(&k)) {
                f.revenue_minor = sum(&row, "revenue")?;
                f.a_revenue_minor = sum(&row, "a_revenue")?;
            }
        }
    }
    if wants(GoalKind::AClientsTakenOn) {
        let (sql, values) = set.take_ons();
        for row in db.query_all_raw(statement(backend, &sql, values)).await? {
            if let Some(f) = set.key(&row)?.and_then(|k| figures.get_mut(&k)) {
                f.a_clients_taken_on = sum(&row, "n")?;
            }
        }
    }
    if wants(GoalKind::SayNoCount) {
        let (sql, values) = set.turn_downs();
        for row in db.query_all_raw(statement(backend, &sql, values)).await? {
            if let Some(f) = set.key(&row)?.and_then(|k| figures.get_mut(&k)) {
                f.turned_down = sum(&row, "n")?;
            }
        }
    }
    Ok(figures)
}

/// The programs, mentees and quarters of a set of keys: each statement reads their cross
/// product (a superset of the keys; the rest is dropped by [`KeySet::key`]).
struct KeySet {
    programs: BTreeSet<Uuid>,
    mentees: BTreeSet<Uuid>,
    quarters: BTreeSet<Quarter>,
}

impl KeySet {
    fn of(keys: &[GoalKey]) -> Self {
        Self {
            programs: keys.iter().map(|k| k.0).collect(),
            mentees: keys.iter().map(|k| k.1).collect(),
            quarters: keys.iter().map(|k| k.2).collect(),
        }
    }

    /// `{program} IN (..) AND {mentee} IN (..)` and its values.
    fn whose(&self, program: &str, mentee: &str, values: &mut Vec<Value>) -> String {
        let marks = |n: usize| vec!["?"; n].join(", ");
        values.extend(self.programs.iter().map(|id| Value::from(*id)));
        values.extend(self.mentees.iter().map(|id| Value::from(*id)));
        format!(
            "{program} IN ({}) AND {mentee} IN ({})",
            marks(self.programs.len()),
            marks(self.mentees.len())
        )
    }

    /// `CASE` giving a quarter's index to a value of `column` within one of the quarters,
    /// -1 otherwise; `at` turns a quarter's first day (and the day after its last) into
    /// the column's values.
    fn bucket(
        &self,
        column: &str,
        at: impl Fn(NaiveDate) -> Value,
        values: &mut Vec<Value>,
    ) -> String {
        let mut case = String::from("CASE");
        for quarter in &self.quarters {
            let (first, last) = quarter_days(*quarter);
            let after = last.succ_opt().unwrap_or(last);
            case.push_str(&format!(
                " WHEN {column} >= ? AND {column} < ? THEN {}",
                quarter_index(*quarter)
            ));
            values.push(at(first));
            values.push(at(after));
        }
        case.push_str(" ELSE -1 END");
        case
    }

    /// The first day of the first quarter and the day after the last's last day.
    fn span(&self) -> (NaiveDate, NaiveDate) {
        let first = self.quarters.first().map(|q| quarter_days(*q).0);
        let last = self.quarters.last().map(|q| quarter_days(*q).1);
        let first = first.unwrap_or(NaiveDate::MIN);
        let last = last.unwrap_or(NaiveDate::MAX);
        (first, last.succ_opt().unwrap_or(last))
    }

    fn revenue(&self) -> (String, Vec<Value>) {
        let mut values = Vec::new();
        let whose = self.whose("c.program_id", "c.owner_id", &mut values);
        let months = |q: Option<&Quarter>, i: usize| q.map(|q| q.months()[i].index());
        values.push(months(self.quarters.first(), 0).unwrap_or(0).into());
        values.push(months(self.quarters.last(), 2).unwrap_or(0).into());
        let sql = format!(
            "SELECT c.program_id AS program_id, c.owner_id AS mentee_id, o.month / 3 AS q, \
               CAST(COALESCE(SUM(o.revenue_minor), 0) AS BIGINT) AS revenue, \
               CAST(COALESCE(SUM(CASE WHEN c.intake_tier = 'A' THEN o.revenue_minor ELSE 0 END), 0) \
                 AS BIGINT) AS a_revenue \
             FROM clients c \
             JOIN outcome_entries o ON o.program_id = c.program_id AND o.prospect_id = c.prospect_id \
             WHERE {whose} AND o.month BETWEEN ? AND ? \
             GROUP BY c.program_id, c.owner_id, o.month / 3"
        );
        (sql, values)
    }

    fn take_ons(&self) -> (String, Vec<Value>) {
        let mut values = Vec::new();
        let bucket = self.bucket("c.taken_on", Value::from, &mut values);
        let whose = self.whose("c.program_id", "c.owner_id", &mut values);
        let (first, after) = self.span();
        values.push(first.into());
        values.push(after.into());
        let sql = format!(
            "SELECT c.program_id AS program_id, c.owner_id AS mentee_id, {bucket} AS q, \
               CAST(COUNT(*) AS BIGINT) AS n \
             FROM clients c \
             WHERE {whose} AND c.intake_tier = 'A' AND c.taken_on >= ? AND c.taken_on < ? \
             GROUP BY 1, 2, 3"
        );
        (sql, values)
    }

    fn turn_downs(&self) -> (String, Vec<Value>) {
        let midnight = |day: NaiveDate| Value::from(day.and_time(NaiveTime::MIN).and_utc());
        let mut values = Vec::new();
        let bucket = self.bucket("d.created_at", midnight, &mut values);
        let whose = self.whose("p.program_id", "p.owner_id", &mut values);
        let (first, after) = self.span();
        values.push(midnight(first));
        values.push(midnight(after));
        values.push(domain::Decision::TurnDown.code().into());
        let sql = format!(
            "SELECT p.program_id AS program_id, p.owner_id AS mentee_id, {bucket} AS q, \
               CAST(COUNT(*) AS BIGINT) AS n \
             FROM decisions d \
             JOIN prospects p ON p.id = d.prospect_id AND p.program_id = d.program_id \
             WHERE {whose} AND d.created_at >= ? AND d.created_at < ? AND d.decision = ? \
             GROUP BY 1, 2, 3"
        );
        (sql, values)
    }

    /// The key of a row, if its quarter is one asked for.
    fn key(&self, row: &sea_orm::QueryResult) -> Result<Option<GoalKey>, StoreError> {
        let program: Uuid = row.try_get("", "program_id")?;
        let mentee: Uuid = row.try_get("", "mentee_id")?;
        let index: i64 = match row.try_get::<i32>("", "q") {
            Ok(q) => i64::from(q),
            Err(_) => row.try_get::<i64>("", "q")?,
        };
        let quarter = self
            .quarters
            .iter()
            .find(|q| i64::from(quarter_index(**q)) == index);
        Ok(quarter.map(|q| (program, mentee, *q)))
    }
}

fn sum(row: &sea_orm::QueryResult, column: &str) -> Result<u64, StoreError> {
    let value: i64 = row.try_get("", column)?;
    u64::try_from(value).map_err(|_| StoreError::corrupt(format_args!("{column} {value}")))
}

/// `?` placeholders as the backend writes them (`$1`, `$2`, ... on PostgreSQL).
fn statement(backend: DbBackend, sql: &str, values: Vec<Value>) -> Statement {
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
