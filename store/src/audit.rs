//! The audit log: who changed what, and when. Written in the same transaction as the change,
//! with whose it is (the object's program and mentee, [`scope_sql`]), so that the trail can
//! be listed per program and per mentee (`visible::audit_page`).

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, DbBackend, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Statement, Value,
};
use uuid::Uuid;

use crate::Conn;
use crate::StoreError;
use crate::clock::now;
use crate::entity::audit_log;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub id: Uuid,
    /// `None` for an anonymous caller (e.g. a failed sign-up never gets here; a sign-up does,
    /// with the new user as actor).
    pub actor_id: Option<Uuid>,
    /// What happened, e.g. `prospect.qualify`.
    pub action: String,
    /// The kind of object changed, e.g. `Prospect`.
    pub object_type: String,
    pub object_id: Option<Uuid>,
    /// The HTTP request id, to find the request in the logs.
    pub request_id: Option<String>,
    pub created_at: DateTime<Utc>,
    /// What changed, for the actions that keep it (see [`record_detailed`]).
    pub detail: Option<serde_json::Value>,
    /// The program the object belongs to, if any.
    pub program_id: Option<Uuid>,
    /// The mentee whose data it is, if any.
    pub subject_id: Option<Uuid>,
    /// The API key the actor acted through; `None` for a signed-in user.
    pub api_key_id: Option<Uuid>,
}

impl From<audit_log::Model> for AuditEntry {
    fn from(row: audit_log::Model) -> Self {
        AuditEntry {
            id: row.id,
            actor_id: row.actor_id,
            action: row.action,
            object_type: row.object_type,
            object_id: row.object_id,
            request_id: row.request_id,
            created_at: row.created_at,
            detail: row.detail,
            program_id: row.program_id,
            subject_id: row.subject_id,
            api_key_id: row.api_key_id,
        }
    }
}

/// What a `?` of a [`Part`] is bound to.
#[derive(Debug, Clone, Copy)]
enum Bind {
    Object,
    Actor,
}

/// One SQL expression of an entry's scope and what its `?`s are bound to, in order.
type Part = (&'static str, &'static [Bind]);

const NONE: Part = ("NULL", &[]);
const OBJECT_USER: Part = ("(SELECT x.id FROM users x WHERE x.id = ?)", &[Bind::Object]);

/// The program and the mentee of an object whose rows name their prospect.
fn via_prospect(object_type: &str) -> Option<(Part, Part)> {
    let (program, subject): (&'static str, &'static str) = match object_type {
        "Prospect" => (
            "(SELECT p.program_id FROM prospects p WHERE p.id = ?)",
            "(SELECT p.owner_id FROM prospects p WHERE p.id = ?)",
        ),
        "Qualification" => (
            "(SELECT p.program_id FROM qualifications x JOIN prospects p ON p.id = x.prospect_id WHERE x.id = ?)",
            "(SELECT p.owner_id FROM qualifications x JOIN prospects p ON p.id = x.prospect_id WHERE x.id = ?)",
        ),
        "Decision" => (
            "(SELECT p.program_id FROM decisions x JOIN prospects p ON p.id = x.prospect_id WHERE x.id = ?)",
            "(SELECT p.owner_id FROM decisions x JOIN prospects p ON p.id = x.prospect_id WHERE x.id = ?)",
        ),
        "ExceptionRequest" => (
            "(SELECT p.program_id FROM exception_requests x JOIN prospects p ON p.id = x.prospect_id WHERE x.id = ?)",
            "(SELECT p.owner_id FROM exception_requests x JOIN prospects p ON p.id = x.prospect_id WHERE x.id = ?)",
        ),
        "OutcomeEntry" => (
            "(SELECT p.program_id FROM outcome_entries x JOIN prospects p ON p.id = x.prospect_id WHERE x.id = ?)",
            "(SELECT p.owner_id FROM outcome_entries x JOIN prospects p ON p.id = x.prospect_id WHERE x.id = ?)",
        ),
        _ => return None,
    };
    Some(((program, &[Bind::Object]), (subject, &[Bind::Object])))
}

/// Whose an entry is: SQL for its program and for its mentee, by object type (and for two
/// actions, by what they did). Read in the statement that writes the entry, inside the
/// change's transaction, so it sees the change. Migration `m20261204_000010_audit_scope`
/// backfilled older rows by the same rule.
fn scope_sql(action: &str, object_type: &str) -> (Part, Part) {
    if let Some(parts) = via_prospect(object_type) {
        return parts;
    }
    match (action, object_type) {
        (_, "Invite") => (
            (
                "(SELECT x.program_id FROM invites x WHERE x.id = ?)",
                &[Bind::Object],
            ),
            NONE,
        ),
        // Joining a program is the mentee's (the actor's) enrollment.
        ("program.join", "Program") => (
            (
                "(SELECT x.id FROM programs x WHERE x.id = ?)",
                &[Bind::Object],
            ),
            ("(SELECT x.id FROM users x WHERE x.id = ?)", &[Bind::Actor]),
        ),
        (_, "Program") => (
            (
                "(SELECT x.id FROM programs x WHERE x.id = ?)",
                &[Bind::Object],
            ),
            NONE,
        ),
        // A mentee removed from a program: the actor's program they were removed from last
        // (in this very transaction).
        ("program.remove_mentee", "User") => (
            (
                "(SELECT e.program_id FROM enrollments e JOIN programs x ON x.id = e.program_id \
                  WHERE e.mentee_id = ? AND x.mentor_id = ? AND e.removed_at IS NOT NULL \
                  ORDER BY e.removed_at DESC LIMIT 1)",
                &[Bind::Object, Bind::Actor],
            ),
            OBJECT_USER,
        ),
        // A mentee's sign-up joins the invite's program: their first enrollment.
        ("user.sign_up", "User") => (
            (
                "(SELECT e.program_id FROM enrollments e WHERE e.mentee_id = ? \
                  ORDER BY e.created_at, e.id LIMIT 1)",
                &[Bind::Object],
            ),
            OBJECT_USER,
        ),
        // A user's own account: logins, password, removal.
        (_, "User") => (NONE, OBJECT_USER),
        // Templates and versions are the mentor's; sessions belong to no program.
        _ => (NONE, NONE),
    }
}

/// `?` placeholders as the backend writes them (`$1`, `$2`, ... on PostgreSQL).
pub(crate) fn numbered(backend: DbBackend, sql: &str) -> String {
    match backend {
        DbBackend::Postgres => {
            let mut out = String::with_capacity(sql.len() + 16);
            let mut n = 0;
            for c in sql.chars() {
                if c == '?' {
                    n += 1;
                    out.push('$');
                    out.push_str(&n.to_string());
                } else {
                    out.push(c);
                }
            }
            out
        }
        _ => sql.to_owned(),
    }
}

/// Appends one entry. Call it with the transaction that makes the change.
///
/// # Errors
/// [`StoreError::Db`] when the database fails.
pub async fn record(
    db: &impl Conn,
    actor_id: Option<Uuid>,
    action: &str,
    object_type: &str,
    object_id: Option<Uuid>,
    request_id: Option<&str>,
) -> Result<AuditEntry, StoreError> {
    record_detailed(
        db,
        actor_id,
        action,
        object_type,
        object_id,
        request_id,
        None,
    )
    .await
}

/// [`record`] with what changed, e.g. a corrected outcome entry's values before and after
/// (the revision the entry had is kept here, not in the entry).
///
/// # Errors
/// [`StoreError::Db`] when the database fails.
pub async fn record_detailed(
    db: &impl Conn,
    actor_id: Option<Uuid>,
    action: &str,
    object_type: &str,
    object_id: Option<Uuid>,
    request_id: Option<&str>,
    detail: Option<serde_json::Value>,
) -> Result<AuditEntry, StoreError> {
    record_through(
        db,
        Acting {
            actor_id,
            api_key_id: None,
        },
        action,
        object_type,
        object_id,
        request_id,
        detail,
    )
    .await
}

/// Who acted: the user, and the API key they acted through, if any.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Acting {
    pub actor_id: Option<Uuid>,
    pub api_key_id: Option<Uuid>,
}

/// [`record_detailed`] naming the API key the actor acted through.
///
/// # Errors
/// [`StoreError::Db`] when the database fails.
pub async fn record_through(
    db: &impl Conn,
    acting: Acting,
    action: &str,
    object_type: &str,
    object_id: Option<Uuid>,
    request_id: Option<&str>,
    detail: Option<serde_json::Value>,
) -> Result<AuditEntry, StoreError> {
    let Acting {
        actor_id,
        api_key_id,
    } = acting;
    let id = Uuid::now_v7();
    let created_at = now();
    let ((program_sql, program_binds), (subject_sql, subject_binds)) =
        scope_sql(action, object_type);
    let mut values: Vec<Value> = vec![
        id.into(),
        actor_id.into(),
        action.into(),
        object_type.into(),
        object_id.into(),
        request_id.map(str::to_owned).into(),
        created_at.into(),
        Value::Json(detail.clone().map(Box::new)),
        api_key_id.into(),
    ];
    for bind in program_binds.iter().chain(subject_binds) {
        values.push(match bind {
            Bind::Object => object_id.into(),
            Bind::Actor => actor_id.into(),
        });
    }
    let sql = format!(
        "INSERT INTO audit_log (id, actor_id, action, object_type, object_id, request_id, \
         created_at, detail, api_key_id, program_id, subject_id) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, {program_sql}, {subject_sql}) \
         RETURNING program_id, subject_id"
    );
    let backend = db.get_database_backend();
    let stmt = Statement::from_sql_and_values(backend, numbered(backend, &sql), values);
    let scope = db
        .query_one_raw(stmt)
        .await?
        .ok_or_else(|| StoreError::corrupt("audit entry not written"))?;
    Ok(AuditEntry {
        id,
        actor_id,
        action: action.to_owned(),
        object_type: object_type.to_owned(),
        object_id,
        request_id: request_id.map(str::to_owned),
        created_at,
        detail,
        program_id: scope.try_get("", "program_id")?,
        subject_id: scope.try_get("", "subject_id")?,
        api_key_id,
    })
}

/// Every entry about one object, oldest first.
///
/// # Errors
/// [`StoreError::Db`] when the database fails.
pub async fn entries_for_object(
    db: &impl Conn,
    object_id: Uuid,
) -> Result<Vec<AuditEntry>, StoreError> {
    Ok(audit_log::Entity::find()
        .filter(audit_log::Column::ObjectId.eq(object_id))
        .order_by_asc(audit_log::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(AuditEntry::from)
        .collect())
}

/// How many entries there are in all.
///
/// # Errors
/// [`StoreError::Db`] when the database fails.
pub async fn count(db: &impl Conn) -> Result<u64, StoreError> {
    Ok(audit_log::Entity::find().count(db).await?)
}
