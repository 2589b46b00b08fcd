//! The floor: the fastest honest way to answer S2 and S3 on SQLite, the physical limit the
//! GraphQL server is measured against (issue 14). S2 (`POST /s2`) is in [`qualify`]; here
//! are S3 and S5 and what both share. It answers `GET /s3?first=N` with exactly the
//! JSON the API answers `MENTEE_PROSPECTS` with (`{"data": ...}`, same ids, same cursors,
//! same field order), and checks the caller as the API does: the bearer JWT with
//! `api::auth`, then the session, with the statement of `store::accounts::session_role`
//! written by hand, then the policy's list filter (`domain::policy::visibility`).
//!
//! What makes it the floor: the SQLite driver itself (`rusqlite`), called on the request's
//! own thread (no hop to a connection thread), one connection per thread kept open with
//! its statements prepared once (`prepare_cached`), one read transaction per request, only
//! the columns the answer needs (the page and each latest qualification in one join),
//! text columns borrowed from SQLite and written straight into the response buffer, ids
//! encoded on the stack, and each published template version rendered to JSON once
//! (published versions cannot change: a trigger forbids it).
//!
//! Stored timestamps are already the API's text: sqlx writes them with chrono's
//! `to_rfc3339_opts(AutoSi, false)`, which is what `to_rfc3339` (the API's `DateTime`
//! scalar) writes; the tests (`floor/tests.rs`) hold the two answers equal.

use std::cell::RefCell;
use std::collections::HashMap;
use std::io::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

mod qualify;

use api::auth::{TokenKeys, TokenSubject};
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{SecondsFormat, Utc};
use domain::policy::{self, Programs, Visibility};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags, OptionalExtension, ToSql};
use serde::Deserialize;
use uuid::Uuid;

#[derive(Clone)]
pub struct Floor {
    /// The SQLite file each thread opens its connection to.
    path: Arc<str>,
    keys: TokenKeys,
    /// Published versions as the JSON of `templateVersion { id number thresholdA
    /// thresholdB criteria { key label question weight } }`.
    versions: Arc<RwLock<HashMap<Uuid, Arc<[u8]>>>>,
    /// Published versions as `domain::qualify` reads them (S2).
    definitions: Arc<RwLock<HashMap<Uuid, Arc<domain::Definition>>>>,
    statements: Arc<AtomicU64>,
}

impl Floor {
    /// A floor over the SQLite database at `database_url` (`sqlite://PATH?...` or
    /// `sqlite:PATH?...`); the database must already be migrated.
    ///
    /// # Errors
    /// When the URL is not a SQLite one, or the secret is too short.
    pub fn new(database_url: &str, config: &api::Config) -> anyhow::Result<Self> {
        let path = database_url
            .strip_prefix("sqlite://")
            .or_else(|| database_url.strip_prefix("sqlite:"))
            .map(|rest| rest.split('?').next().unwrap_or(rest))
            .filter(|path| !path.is_empty())
            .ok_or_else(|| anyhow::anyhow!("the floor runs on SQLite files only"))?;
        let secret = config.jwt_secret.clone().unwrap_or_default();
        let keys = TokenKeys::new(secret.as_bytes(), config.access_token_ttl_secs)
            .map_err(|_| anyhow::anyhow!("the JWT secret must be at least 32 bytes"))?;
        Ok(Self {
            path: path.into(),
            keys,
            versions: Arc::default(),
            definitions: Arc::default(),
            statements: Arc::default(),
        })
    }

    /// SQL statements run so far (for `bench serve`'s `/statements`).
    pub fn statements_executed(&self) -> u64 {
        self.statements.load(Ordering::Relaxed)
    }

    fn ran(&self, statements: u64) {
        self.statements.fetch_add(statements, Ordering::Relaxed);
    }
}

pub fn router(state: Floor) -> Router {
    Router::new()
        .route("/s2", post(qualify::qualify))
        .route("/s3", get(own_prospects))
        .with_state(state)
}

thread_local! {
    /// This thread's connection and the file it is open on.
    static CONNECTION: RefCell<Option<(Arc<str>, Connection)>> = const { RefCell::new(None) };
}

/// Runs `f` on this thread's connection to `path`, opening it on first use.
fn with_connection<T>(
    path: &Arc<str>,
    f: impl FnOnce(&Connection) -> Result<T, Fail>,
) -> Result<T, Fail> {
    CONNECTION.with_borrow_mut(|slot| {
        if slot.as_ref().is_none_or(|(open, _)| open != path) {
            let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
            let conn = Connection::open_with_flags(path.as_ref(), flags)?;
            // What `store::connect` sets on its connections (WAL is the file's own): a
            // commit is as durable as the API's, and references are checked as there.
            conn.busy_timeout(std::time::Duration::from_secs(5))?;
            conn.execute_batch(&format!(
                "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA cache_size = -{};",
                store::SQLITE_CACHE_KIB
            ))?;
            conn.set_prepared_statement_cache_capacity(32);
            *slot = Some((Arc::clone(path), conn));
        }
        match slot {
            Some((_, conn)) => f(conn),
            None => Err(Fail::internal()),
        }
    })
}

/// A failure: the status and `{"errors": [{"message": ..., "extensions": {"code": ...}}]}`.
#[derive(Debug)]
struct Fail(StatusCode, &'static str);

impl Fail {
    fn internal() -> Self {
        Fail(StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL")
    }
}

impl From<rusqlite::Error> for Fail {
    fn from(err: rusqlite::Error) -> Self {
        tracing::error!(error = %err, "floor database error");
        Fail::internal()
    }
}

impl From<rusqlite::types::FromSqlError> for Fail {
    fn from(err: rusqlite::types::FromSqlError) -> Self {
        tracing::error!(error = %err, "floor: a stored value of another type");
        Fail::internal()
    }
}

impl IntoResponse for Fail {
    fn into_response(self) -> Response {
        let body = format!(
            r#"{{"errors":[{{"message":"{}","extensions":{{"code":"{}"}}}}]}}"#,
            self.1.to_lowercase().replace('_', " "),
            self.1
        );
        json(self.0, body.into_bytes())
    }
}

fn json(status: StatusCode, body: Vec<u8>) -> Response {
    let content_type = [(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    )];
    (status, content_type, body).into_response()
}

#[derive(Deserialize)]
struct PageQuery {
    first: Option<u64>,
}

/// S3 and S5: `MENTEE_PROSPECTS` with `first`.
async fn own_prospects(
    State(floor): State<Floor>,
    headers: HeaderMap,
    Query(q): Query<PageQuery>,
) -> Response {
    match floor.own_prospects(&headers, q.first.unwrap_or(20)) {
        Ok(body) => json(StatusCode::OK, body),
        Err(fail) => fail.into_response(),
    }
}

/// `SELECT COUNT(*)` and the page of prospects with their latest qualification, for each
/// shape of the policy's filter (the statement text is the prepared-statement cache key).
struct PageSql {
    count: String,
    page: String,
}

/// The columns of a page row, in order.
const PAGE_COLUMNS: &str = "p.id, p.name, p.company, p.status, p.created_at, \
    q.id, q.created_at, q.score_bp, q.tier, q.verdict, q.knockouts, q.template_version_id";

impl PageSql {
    /// The statements for `visible`, and the ids they bind in order (the page's `LIMIT`
    /// follows them).
    fn new(visible: &Visibility) -> (PageSql, Vec<Uuid>) {
        // `store::prospects::filtered` with the default filter, then `store::visible`.
        let mut filter = String::from("p.archived_at IS NULL");
        let mut ids = Vec::with_capacity(3);
        if let Some(owner) = visible.owner {
            filter.push_str(" AND p.owner_id = ?");
            ids.push(owner);
        }
        match visible.programs {
            Programs::Any => {}
            Programs::RunBy(mentor) => {
                filter
                    .push_str(" AND p.program_id IN (SELECT id FROM programs WHERE mentor_id = ?)");
                ids.push(mentor);
            }
            Programs::EnrolledIn(mentee) => {
                filter.push_str(
                    " AND p.program_id IN (SELECT program_id FROM enrollments \
                     WHERE mentee_id = ? AND removed_at IS NULL)",
                );
                ids.push(mentee);
            }
        }
        if let Some(program) = visible.program {
            filter.push_str(" AND p.program_id = ?");
            ids.push(program);
        }
        let sql = PageSql {
            count: format!("SELECT COUNT(*) FROM prospects p WHERE {filter}"),
            page: format!(
                "SELECT {PAGE_COLUMNS} FROM prospects p \
                 LEFT JOIN qualifications q ON q.id = p.latest_qualification_id \
                 WHERE {filter} ORDER BY p.id DESC LIMIT ?"
            ),
        };
        (sql, ids)
    }
}

impl Floor {
    fn own_prospects(&self, headers: &HeaderMap, first: u64) -> Result<Vec<u8>, Fail> {
        if !(1..=100).contains(&first) {
            return Err(Fail(StatusCode::BAD_REQUEST, "BAD_USER_INPUT"));
        }
        let subject = self.verify(headers)?;
        with_connection(&self.path, |conn| {
            let txn = conn.unchecked_transaction()?;
            let role = self.session_role(&txn, &subject)?;
            let actor = policy::Actor::user(subject.user_id, role);
            let visible = policy::visibility(&actor, policy::Kind::Prospect)
                .map_err(|_| Fail(StatusCode::FORBIDDEN, "FORBIDDEN"))?;
            let mut statements = 3; // BEGIN, the session, and COMMIT below
            let answer = self.page(&txn, &visible, first, &mut statements)?;
            txn.commit()?;
            self.ran(statements);
            Ok(answer)
        })
    }

    /// `{"data": {"prospects": ...}}`: the first `first` prospects `visible` admits.
    fn page(
        &self,
        conn: &Connection,
        visible: &Visibility,
        first: u64,
        statements: &mut u64,
    ) -> Result<Vec<u8>, Fail> {
        let (sql, ids) = PageSql::new(visible);
        let limit = i64::try_from(first).unwrap_or(i64::MAX);
        let blobs: Vec<&[u8]> = ids.iter().map(|id| id.as_bytes().as_slice()).collect();
        let mut params: Vec<&dyn ToSql> = blobs.iter().map(|b| b as &dyn ToSql).collect();
        let total: i64 = conn
            .prepare_cached(&sql.count)?
            .query_row(params.as_slice(), |row| row.get(0))?;
        params.push(&limit);
        *statements += 2;
        // The edges get their own buffer: `pageInfo`, which comes first, needs the last
        // edge's id.
        let mut edges = Vec::with_capacity(1024 * usize::try_from(first).unwrap_or(20));
        let mut count = 0_u64;
        let mut last = None;
        let mut page = conn.prepare_cached(&sql.page)?;
        let mut rows = page.query(params.as_slice())?;
        while let Some(row) = rows.next()? {
            if count > 0 {
                edges.push(b',');
            }
            last = Some(self.edge(conn, row, &mut edges, statements)?);
            count += 1;
        }
        let mut out = Vec::with_capacity(edges.len() + 160);
        out.extend_from_slice(br#"{"data":{"prospects":{"totalCount":"#);
        let _ = write!(out, "{total}");
        out.extend_from_slice(br#","pageInfo":{"hasNextPage":"#);
        // No `after`: the page starts at the first prospect, so more follow exactly when
        // there are more than it holds (counted in the same transaction).
        let has_next = u64::try_from(total).unwrap_or(0) > count;
        out.extend_from_slice(if has_next { b"true" } else { b"false" });
        out.extend_from_slice(br#","endCursor":"#);
        match last {
            Some(id) => global_id(&mut out, "c", id),
            None => out.extend_from_slice(b"null"),
        }
        out.extend_from_slice(br#"},"edges":["#);
        out.extend_from_slice(&edges);
        out.extend_from_slice(b"]}}}");
        Ok(out)
    }

    /// The bearer token's subject, as `api::auth::session::credentials` reads it.
    fn verify(&self, headers: &HeaderMap) -> Result<TokenSubject, Fail> {
        let unauthenticated = || Fail(StatusCode::UNAUTHORIZED, "UNAUTHENTICATED");
        let token = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .ok_or_else(unauthenticated)?;
        let now = Utc::now().timestamp().unsigned_abs();
        self.keys
            .verify_access(token.trim(), now)
            .map_err(|_| unauthenticated())
    }

    /// The role the account has now, if the token's session is still active: the
    /// statement of `store::accounts::session_role`, by hand.
    fn session_role(
        &self,
        conn: &Connection,
        subject: &TokenSubject,
    ) -> Result<policy::Role, Fail> {
        let issued_at = chrono::DateTime::from_timestamp(
            i64::try_from(subject.issued_at).unwrap_or(i64::MAX),
            0,
        )
        .unwrap_or_default()
        // As sqlx binds a `DateTime<Utc>` on SQLite, so the comparison is the store's.
        .to_rfc3339_opts(SecondsFormat::AutoSi, false);
        let mut statement = conn.prepare_cached(
            "SELECT role FROM users WHERE id = ?1 AND deleted_at IS NULL \
             AND (sessions_valid_after IS NULL OR sessions_valid_after <= ?3) \
             AND EXISTS (SELECT 1 FROM refresh_tokens \
                 WHERE family_id = ?2 AND user_id = ?1 AND revoked_at IS NULL) \
             LIMIT 1",
        )?;
        let user = subject.user_id.as_bytes().as_slice();
        let family = subject.session_id.as_bytes().as_slice();
        let role = statement
            .query_row((user, family, issued_at), |row| {
                Ok(match row.get_ref(0)?.as_str()? {
                    "MENTOR" => Some(policy::Role::Mentor),
                    "MENTEE" => Some(policy::Role::Mentee),
                    _ => None,
                })
            })
            .optional()?;
        match role {
            Some(Some(role)) => Ok(role),
            Some(None) => Err(Fail::internal()),
            None => Err(Fail(StatusCode::UNAUTHORIZED, "UNAUTHENTICATED")),
        }
    }

    /// Writes one edge of a page row; returns the prospect's id.
    fn edge(
        &self,
        conn: &Connection,
        row: &rusqlite::Row<'_>,
        out: &mut Vec<u8>,
        statements: &mut u64,
    ) -> Result<Uuid, Fail> {
        let id = uuid(row.get_ref(0)?)?;
        out.extend_from_slice(br#"{"cursor":"#);
        global_id(out, "c", id);
        out.extend_from_slice(br#","node":{"id":"#);
        global_id(out, "Prospect", id);
        out.extend_from_slice(br#","name":"#);
        string(out, row.get_ref(1)?.as_str()?);
        out.extend_from_slice(br#","company":"#);
        match row.get_ref(2)?.as_str_or_null()? {
            Some(company) => string(out, company),
            None => out.extend_from_slice(b"null"),
        }
        out.extend_from_slice(br#","status":"#);
        string(out, row.get_ref(3)?.as_str()?);
        out.extend_from_slice(br#","createdAt":"#);
        string(out, row.get_ref(4)?.as_str()?);
        out.extend_from_slice(br#","latestQualification":"#);
        match row.get_ref(5)? {
            ValueRef::Null => out.extend_from_slice(b"null"),
            q => {
                out.extend_from_slice(br#"{"id":"#);
                global_id(out, "Qualification", uuid(q)?);
                out.extend_from_slice(br#","createdAt":"#);
                string(out, row.get_ref(6)?.as_str()?);
                out.extend_from_slice(br#","score":"#);
                let basis_points: i64 = row.get(7)?;
                // `BasisPoints::as_percent`, written as serde_json writes an f64.
                let _ = serde_json::to_writer(&mut *out, &(basis_points as f64 / 100.0));
                out.extend_from_slice(br#","tier":"#);
                string(out, row.get_ref(8)?.as_str()?);
                out.extend_from_slice(br#","verdict":"#);
                string(out, row.get_ref(9)?.as_str()?);
                // Stored as a JSON array of criterion keys: the answer's own text.
                out.extend_from_slice(br#","knockouts":"#);
                out.extend_from_slice(row.get_ref(10)?.as_bytes()?);
                out.extend_from_slice(br#","templateVersion":"#);
                let version = self.version(conn, uuid(row.get_ref(11)?)?, statements)?;
                out.extend_from_slice(&version);
                out.push(b'}');
            }
        }
        out.extend_from_slice(b"}}");
        Ok(id)
    }

    /// A template version's JSON: from the cache when published, else read and rendered.
    fn version(
        &self,
        conn: &Connection,
        id: Uuid,
        statements: &mut u64,
    ) -> Result<Arc<[u8]>, Fail> {
        if let Some(found) = self.versions.read().ok().and_then(|c| c.get(&id).cloned()) {
            return Ok(found);
        }
        *statements += 2;
        let key = id.as_bytes().as_slice();
        let (number, threshold_a, threshold_b, published) = conn
            .prepare_cached(
                "SELECT number, threshold_a, threshold_b, status FROM template_versions \
                 WHERE id = ?1",
            )?
            .query_row([key], |row| {
                Ok((
                    row.get::<_, i64>(0)?,
                    row.get::<_, i64>(1)?,
                    row.get::<_, i64>(2)?,
                    row.get_ref(3)?.as_str()? == "PUBLISHED",
                ))
            })?;
        let mut out = Vec::with_capacity(2048);
        out.extend_from_slice(br#"{"id":"#);
        global_id(&mut out, "TemplateVersion", id);
        let _ = write!(
            out,
            r#","number":{number},"thresholdA":{threshold_a},"thresholdB":{threshold_b},"criteria":["#
        );
        let mut criteria = conn.prepare_cached(
            "SELECT key, label, question, weight FROM criteria WHERE version_id = ?1 \
             ORDER BY position",
        )?;
        let mut rows = criteria.query([key])?;
        let mut first = true;
        while let Some(row) = rows.next()? {
            if !first {
                out.push(b',');
            }
            first = false;
            out.extend_from_slice(br#"{"key":"#);
            string(&mut out, row.get_ref(0)?.as_str()?);
            out.extend_from_slice(br#","label":"#);
            string(&mut out, row.get_ref(1)?.as_str()?);
            out.extend_from_slice(br#","question":"#);
            string(&mut out, row.get_ref(2)?.as_str()?);
            let weight: i64 = row.get(3)?;
            let _ = write!(out, r#","weight":{weight}}}"#);
        }
        out.extend_from_slice(b"]}");
        let rendered: Arc<[u8]> = out.into();
        if published && let Ok(mut cache) = self.versions.write() {
            cache.insert(id, Arc::clone(&rendered));
        }
        Ok(rendered)
    }
}

/// A UUID stored as its 16 bytes.
fn uuid(value: ValueRef<'_>) -> Result<Uuid, Fail> {
    Uuid::from_slice(value.as_blob()?).map_err(|_| Fail::internal())
}

/// `"base64url(<kind>:<uuid without hyphens>)"`, as `api::graphql::ids::encode` (and, with
/// kind `c`, `api::graphql::paging::encode_cursor`) write it, without allocating.
fn global_id(out: &mut Vec<u8>, kind: &str, id: Uuid) {
    let mut plain = [0_u8; 64];
    let prefix = kind.len() + 1;
    plain[..kind.len()].copy_from_slice(kind.as_bytes());
    plain[kind.len()] = b':';
    id.simple().encode_lower(&mut plain[prefix..prefix + 32]);
    let mut encoded = [0_u8; 96];
    let n = URL_SAFE_NO_PAD
        .encode_slice(&plain[..prefix + 32], &mut encoded)
        .unwrap_or(0);
    out.push(b'"');
    out.extend_from_slice(&encoded[..n]);
    out.push(b'"');
}

/// A JSON string, escaped as serde_json escapes it (writing to a `Vec` cannot fail).
fn string(out: &mut Vec<u8>, text: &str) {
    let _ = serde_json::to_writer(out, text);
}

#[cfg(test)]
mod tests;
