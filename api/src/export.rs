//! CSV exports for integrations (BI, spreadsheets): `GET /export/prospects.csv` and
//! `GET /export/outcomes.csv`, each optionally `?programId=<global id>`. The same
//! credentials as `/graphql` (an access token or an API key) and the same visibility as
//! the `prospects` list: a mentor's programs, a mentee's own prospects, a key's program.
//!
//! Streamed: the rows are read a page at a time (keyset paging, [`PAGE`] prospects per
//! statement) and written out as they come, so memory stays bounded whatever the size of
//! the export. RFC 4180 (`csv`, CRLF line ends), UTF-8 without a byte-order mark, a header
//! row first; a cell a spreadsheet would run as a formula (starting with `=`, `+`, `-`,
//! `@`, a tab or a carriage return) gets a leading `'`.

use axum::body::{Body, Bytes};
use axum::extract::{Query, Request};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use domain::policy::{self, Kind, Visibility};
use futures_util::stream;
use serde::Deserialize;
use store::{Order, PageRequest, ProspectFilter, ProspectOrder, ProspectSort};
use uuid::Uuid;

use crate::app::{Actor, AppState, Credentials};
use crate::graphql::ids::{self, Kind as IdKind};
use crate::http::negotiate::MediaType;
use crate::reply;

/// Prospects read per statement.
const PAGE: u64 = 500;

/// Outcome entries read per statement.
const ENTRIES: u64 = 1_000;

const PROSPECT_COLUMNS: [&str; 16] = [
    "id",
    "name",
    "company",
    "program_id",
    "owner_id",
    "status",
    "archived",
    "latest_score_basis_points",
    "latest_tier",
    "latest_verdict",
    "requalify_by",
    "latest_decision",
    "latest_decision_at",
    "decisions",
    "created_at",
    "updated_at",
];

const OUTCOME_COLUMNS: [&str; 11] = [
    "id",
    "prospect_id",
    "program_id",
    "month",
    "revenue_minor_units",
    "currency",
    "hours",
    "custom_hours",
    "energy",
    "note",
    "updated_at",
];

/// `?programId=`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExportQuery {
    program_id: Option<String>,
}

/// Who may export what: the `prospects` list's visibility, narrowed to one program.
struct Scope {
    visible: Visibility,
    filter: ProspectFilter,
}

/// `405` for a route beside `/graphql`, with `Allow` and the usual error body.
pub(crate) fn method_not_allowed(allow: &'static str) -> Response {
    let mut response = refuse(
        StatusCode::METHOD_NOT_ALLOWED,
        "METHOD_NOT_ALLOWED",
        &format!("use {allow}"),
    );
    response
        .headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static(allow));
    response
}

fn bad_query() -> Response {
    refuse(
        StatusCode::BAD_REQUEST,
        "BAD_USER_INPUT",
        "the only parameter is `programId`, a program's id",
    )
}

fn refuse(status: StatusCode, code: &str, message: &str) -> Response {
    reply::error(status, MediaType::Json, code, message)
}

/// The caller's scope, or the error reply.
fn scope(request: &Request, query: &ExportQuery) -> Result<Scope, Box<Response>> {
    let actor = app_actor(request)?.policy();
    scope_of(&actor, query.program_id.as_deref())
}

/// The caller as the GraphQL half knows them (an access token's user, or an API key's
/// owner narrowed by the key), or the error reply; for the routes beside `/graphql`.
pub(crate) fn app_actor(request: &Request) -> Result<Actor, Box<Response>> {
    match crate::auth::session::of(request) {
        Credentials::Valid(subject) => Ok(Actor::new(subject.user_id, subject.role)),
        Credentials::Key(key) => Ok(Actor::through_key(&key)),
        Credentials::Unverified => Err(Box::new(reply::internal(
            MediaType::Json,
            &"the session could not be checked",
        ))),
        Credentials::Anonymous | Credentials::Invalid => Err(Box::new(refuse(
            StatusCode::UNAUTHORIZED,
            "UNAUTHENTICATED",
            "send `Authorization: Bearer <access token or API key>`",
        ))),
    }
}

/// The prospects `actor` may list, narrowed to one program (a global id) when given.
fn scope_of(actor: &policy::Actor, program_id: Option<&str>) -> Result<Scope, Box<Response>> {
    let visible = policy::visibility(actor, Kind::Prospect).map_err(|_| {
        Box::new(refuse(
            StatusCode::FORBIDDEN,
            "FORBIDDEN",
            "you may not list prospects",
        ))
    })?;
    let program = match program_id {
        Some(id) => Some(
            ids::decode(IdKind::Program, &async_graphql::ID(id.to_owned())).map_err(|_| {
                refuse(
                    StatusCode::BAD_REQUEST,
                    "BAD_USER_INPUT",
                    "`programId` is not a program id",
                )
            })?,
        ),
        None => None,
    };
    Ok(Scope {
        visible,
        filter: ProspectFilter {
            program_ids: program.map(|p| vec![p]),
            include_archived: true,
            ..ProspectFilter::default()
        },
    })
}

/// Writes records into a buffer.
struct Sheet {
    writer: csv::Writer<Vec<u8>>,
}

impl Sheet {
    fn new() -> Self {
        Self {
            writer: Self::writer(),
        }
    }

    fn writer() -> csv::Writer<Vec<u8>> {
        csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(Vec::new())
    }

    fn row<I, S>(&mut self, cells: I) -> Result<(), csv::Error>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.writer.write_record(
            cells
                .into_iter()
                .map(|c| neutralise(c.as_ref()).into_owned()),
        )
    }

    /// What was written so far; the sheet goes on empty.
    fn take(&mut self) -> Result<Bytes, std::io::Error> {
        let written = std::mem::replace(&mut self.writer, Self::writer());
        let buffer = written
            .into_inner()
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        Ok(Bytes::from(buffer))
    }
}

/// A cell a spreadsheet would run as a formula, with a leading `'`.
fn neutralise(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

fn csv_response(name: &str, body: Body) -> Response {
    let mut response = Response::new(body);
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8; header=present"),
    );
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The next page of the scope's prospects after `after`, oldest first.
async fn prospects(
    db: &store::Db,
    scope: &Scope,
    after: Option<Uuid>,
) -> Result<store::Page<store::Prospect>, store::StoreError> {
    let order = ProspectOrder {
        by: ProspectSort::CreatedAt,
        direction: Order::Asc,
    };
    let request = PageRequest {
        count: false,
        ..PageRequest::first(PAGE, after)
    };
    store::visible::prospects_page(db, &scope.visible, &scope.filter, order, request).await
}

fn time(at: chrono::DateTime<chrono::Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

fn tier(tier: domain::Tier) -> &'static str {
    match tier {
        domain::Tier::A => "A",
        domain::Tier::B => "B",
        domain::Tier::C => "C",
    }
}

fn verdict(verdict: domain::Verdict) -> &'static str {
    match verdict {
        domain::Verdict::Accept => "ACCEPT",
        domain::Verdict::AcceptWithPlan => "ACCEPT_WITH_PLAN",
        domain::Verdict::Decline => "DECLINE",
    }
}

fn status(status: domain::ProspectStatus) -> &'static str {
    use domain::ProspectStatus as S;
    match status {
        S::New => "NEW",
        S::Qualified => "QUALIFIED",
        S::TakenOn => "TAKEN_ON",
        S::TurnedDown => "TURNED_DOWN",
        S::ExceptionPending => "EXCEPTION_PENDING",
        S::ExceptionRejected => "EXCEPTION_REJECTED",
    }
}

fn decision(decision: domain::Decision) -> &'static str {
    match decision {
        domain::Decision::TakeOn => "TAKE_ON",
        domain::Decision::TurnDown => "TURN_DOWN",
    }
}

/// One page of prospects as CSV rows, with their latest decision (one more statement).
async fn prospect_rows(
    db: &store::Db,
    sheet: &mut Sheet,
    page: &[store::Prospect],
) -> Result<(), anyhow::Error> {
    let ids: Vec<Uuid> = page.iter().map(|p| p.id).collect();
    let decisions = store::decisions::decisions_by_prospect_ids(db, &ids).await?;
    let mut latest: std::collections::HashMap<Uuid, (&store::DecisionRecord, usize)> =
        std::collections::HashMap::new();
    for d in &decisions {
        // Oldest first: the last one seen is the latest.
        let count = latest.get(&d.prospect_id).map_or(0, |(_, n)| *n);
        latest.insert(d.prospect_id, (d, count + 1));
    }
    for p in page {
        let (decided, at, count) = match latest.get(&p.id) {
            Some((d, n)) => (decision(d.decision), time(d.created_at), n.to_string()),
            None => ("", String::new(), "0".to_owned()),
        };
        sheet.row([
            ids::encode(IdKind::Prospect, p.id).0,
            p.name.clone(),
            p.company.clone().unwrap_or_default(),
            ids::encode(IdKind::Program, p.program_id).0,
            ids::encode(IdKind::User, p.owner_id).0,
            status(p.status).to_owned(),
            p.archived_at.is_some().to_string(),
            p.latest
                .map(|l| l.score_bp.get().to_string())
                .unwrap_or_default(),
            p.latest
                .map(|l| tier(l.tier))
                .unwrap_or_default()
                .to_owned(),
            p.latest
                .map(|l| verdict(l.verdict))
                .unwrap_or_default()
                .to_owned(),
            p.requalify_by.map(|d| d.to_string()).unwrap_or_default(),
            decided.to_owned(),
            at,
            count,
            time(p.created_at),
            time(p.updated_at),
        ])?;
    }
    Ok(())
}

/// What an export writes for each page of prospects.
enum Rows {
    Prospects,
    Outcomes,
    /// The qualifications against one version, a column per criterion.
    Qualifications {
        version: Uuid,
        keys: Vec<domain::CriterionKey>,
    },
}

impl Rows {
    async fn write(
        &self,
        db: &store::Db,
        sheet: &mut Sheet,
        page: &[store::Prospect],
    ) -> Result<(), anyhow::Error> {
        match self {
            Rows::Prospects => prospect_rows(db, sheet, page).await,
            Rows::Outcomes => outcome_rows(db, sheet, page).await,
            Rows::Qualifications { version, keys } => {
                qualification_rows(db, sheet, page, *version, keys).await
            }
        }
    }
}

/// What a stream of pages carries from one page to the next.
struct Cursor {
    state: AppState,
    scope: Scope,
    sheet: Sheet,
    rows: Rows,
    after: Option<Uuid>,
    done: bool,
}

/// The export as a streamed CSV body: `sheet` (its header written) first, then a page of
/// the scope's prospects at a time, each written by `rows`. A failure midway cuts the
/// body short (the status is sent), so the client sees a broken transfer rather than a
/// short file, and the log says why.
fn stream_csv(name: &str, state: AppState, scope: Scope, sheet: Sheet, rows: Rows) -> Response {
    let cursor = Cursor {
        state,
        scope,
        sheet,
        rows,
        after: None,
        done: false,
    };
    let body = stream::unfold(cursor, |mut c| async move {
        if c.done {
            return None;
        }
        let chunk = async {
            let page = prospects(&c.state.db, &c.scope, c.after).await?;
            c.rows.write(&c.state.db, &mut c.sheet, &page.items).await?;
            c.after = page.items.last().map(|p| p.id);
            c.done = !page.has_next;
            Ok::<_, anyhow::Error>(c.sheet.take()?)
        }
        .await;
        match chunk {
            Ok(bytes) => Some((Ok::<_, std::io::Error>(bytes), c)),
            Err(e) => {
                tracing::error!(cause = %e, "CSV export failed");
                c.done = true;
                Some((Err(std::io::Error::other("export failed")), c))
            }
        }
    });
    csv_response(name, Body::from_stream(body))
}

/// `GET /export/prospects.csv`: every prospect the caller may list (archived ones too),
/// oldest first, with its latest result and decision.
pub async fn prospects_csv(state: AppState, request: Request) -> Response {
    listed_csv(
        state,
        &request,
        "prospects.csv",
        &PROSPECT_COLUMNS,
        Rows::Prospects,
    )
}

/// `GET /export/outcomes.csv`: the monthly outcome entries of the clients among the
/// prospects the caller may list, by prospect (oldest first), then in the order they
/// were recorded.
pub async fn outcomes_csv(state: AppState, request: Request) -> Response {
    listed_csv(
        state,
        &request,
        "outcomes.csv",
        &OUTCOME_COLUMNS,
        Rows::Outcomes,
    )
}

/// An export of the caller's prospects (`?programId=` only) with these columns and rows.
fn listed_csv(
    state: AppState,
    request: &Request,
    name: &str,
    columns: &[&str],
    rows: Rows,
) -> Response {
    let Ok(Query(query)) = Query::<ExportQuery>::try_from_uri(request.uri()) else {
        return bad_query();
    };
    let scope = match scope(request, &query) {
        Ok(scope) => scope,
        Err(reply) => return *reply,
    };
    let mut sheet = Sheet::new();
    if sheet.row(columns).is_err() {
        return reply::internal(MediaType::Json, &"csv header");
    }
    stream_csv(name, state, scope, sheet, rows)
}

/// The outcome entries of one page of prospects, [`ENTRIES`] per statement.
async fn outcome_rows(
    db: &store::Db,
    sheet: &mut Sheet,
    page: &[store::Prospect],
) -> Result<(), anyhow::Error> {
    let ids: Vec<Uuid> = page.iter().map(|p| p.id).collect();
    let mut programs: Vec<Uuid> = page.iter().map(|p| p.program_id).collect();
    programs.sort_unstable();
    programs.dedup();
    let currencies: std::collections::HashMap<Uuid, domain::Currency> =
        store::programs::programs_by_ids(db, &programs)
            .await?
            .into_iter()
            .map(|p| (p.id, p.currency))
            .collect();
    let mut after = None;
    loop {
        let request = PageRequest {
            count: false,
            ..PageRequest::first(ENTRIES, after)
        };
        let entries = store::outcomes::outcomes_page(db, &ids, None, request).await?;
        for e in &entries.items {
            sheet.row([
                ids::encode(IdKind::OutcomeEntry, e.id).0,
                ids::encode(IdKind::Prospect, e.prospect_id).0,
                ids::encode(IdKind::Program, e.program_id).0,
                e.month.to_string(),
                e.revenue_minor.to_string(),
                currencies
                    .get(&e.program_id)
                    .map(|c| c.code().to_owned())
                    .unwrap_or_default(),
                e.hours.map(|h| h.to_string()).unwrap_or_default(),
                e.custom_hours.map(|h| h.to_string()).unwrap_or_default(),
                e.energy.get().to_string(),
                e.note.clone().unwrap_or_default(),
                time(e.updated_at),
            ])?;
        }
        after = entries.items.last().map(|e| e.id);
        if !entries.has_next {
            return Ok(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_and_quotes_follow_rfc_4180() {
        let mut sheet = Sheet::new();
        sheet
            .row([
                "=SUM(A1)",
                "+1",
                "-2",
                "@x",
                "\tt",
                "plain",
                "a,\"b\"\nc",
                "é",
            ])
            .unwrap_or_else(|e| panic!("{e}"));
        let bytes = sheet.take().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            std::str::from_utf8(&bytes).unwrap_or_default(),
            "'=SUM(A1),'+1,'-2,'@x,'\tt,plain,\"a,\"\"b\"\"\nc\",é\r\n"
        );
    }
}

/// `?versionId=&programId=`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct VersionQuery {
    version_id: String,
    program_id: Option<String>,
}

const QUALIFICATION_COLUMNS: [&str; 12] = [
    "id",
    "prospect_id",
    "program_id",
    "qualified_by",
    "created_at",
    "score_basis_points",
    "tier",
    "verdict",
    "projected_score_basis_points",
    "projected_tier",
    "plan",
    "requalify_by",
];

/// An answer as a cell: `yes`/`no`, the number, the option's key, or `unknown`.
fn answer(value: &domain::AnswerValue) -> String {
    match value {
        domain::AnswerValue::YesNo(true) => "yes".to_owned(),
        domain::AnswerValue::YesNo(false) => "no".to_owned(),
        domain::AnswerValue::Scale(n) => n.to_string(),
        domain::AnswerValue::Number(n) => n.to_string(),
        domain::AnswerValue::Choice(key) => key.clone(),
        domain::AnswerValue::Unknown => "unknown".to_owned(),
    }
}

/// The version if `me` may read it (its template's mentor; a mentee whose program uses
/// it as its standard); `None` otherwise, as if it did not exist.
async fn readable_version(
    db: &store::Db,
    me: &Actor,
    id: Uuid,
) -> Result<Option<store::TemplateVersion>, anyhow::Error> {
    let Some(version) = store::templates::versions_by_ids(db, &[id]).await?.pop() else {
        return Ok(None);
    };
    let Some(template) = store::templates::template_by_id(db, version.template_id).await? else {
        return Ok(None);
    };
    let mine = me
        .program_ids(db)
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let programs = store::programs::programs_by_ids(db, mine).await?;
    let facts = policy::Facts {
        owner: Some(template.owner_id),
        version_in_use: programs.iter().any(|p| p.standard_version_id == Some(id)),
        ..policy::Facts::default()
    };
    let allowed = policy::decide(
        &me.policy(),
        Kind::TemplateVersion,
        policy::Action::Read,
        &facts,
    ) == policy::Outcome::Allowed;
    Ok(allowed.then_some(version))
}

/// `GET /export/qualifications.csv?versionId=`: the qualifications scored against one
/// template version of the prospects the caller may list (optionally of one program),
/// by prospect (oldest first) then as they were made, with one `answer:<key>` column per
/// criterion of the version, in its order.
pub async fn qualifications_csv(state: AppState, request: Request) -> Response {
    let Ok(Query(query)) = Query::<VersionQuery>::try_from_uri(request.uri()) else {
        return refuse(
            StatusCode::BAD_REQUEST,
            "BAD_USER_INPUT",
            "the parameters are `versionId` (required) and `programId`",
        );
    };
    let me = match app_actor(&request) {
        Ok(me) => me,
        Err(reply) => return *reply,
    };
    let scope = match scope_of(&me.policy(), query.program_id.as_deref()) {
        Ok(scope) => scope,
        Err(reply) => return *reply,
    };
    let Ok(version_id) = ids::decode(
        IdKind::TemplateVersion,
        &async_graphql::ID(query.version_id),
    ) else {
        return refuse(
            StatusCode::BAD_REQUEST,
            "BAD_USER_INPUT",
            "`versionId` is not a template version id",
        );
    };
    let version = match readable_version(&state.db, &me, version_id).await {
        Ok(Some(version)) => version,
        Ok(None) => return refuse(StatusCode::NOT_FOUND, "NOT_FOUND", "not found"),
        Err(e) => return reply::internal(MediaType::Json, &e),
    };
    let keys: Vec<domain::CriterionKey> = version
        .definition
        .criteria()
        .iter()
        .map(|c| c.key().clone())
        .collect();
    let mut sheet = Sheet::new();
    let header = QUALIFICATION_COLUMNS
        .iter()
        .map(|c| (*c).to_owned())
        .chain(keys.iter().map(|k| format!("answer:{}", k.as_str())));
    if sheet.row(header).is_err() {
        return reply::internal(MediaType::Json, &"csv header");
    }
    stream_csv(
        "qualifications.csv",
        state,
        scope,
        sheet,
        Rows::Qualifications {
            version: version_id,
            keys,
        },
    )
}

/// The qualifications of one page of prospects against the version, [`ENTRIES`] per
/// statement, by prospect then as made.
async fn qualification_rows(
    db: &store::Db,
    sheet: &mut Sheet,
    page: &[store::Prospect],
    version: Uuid,
    keys: &[domain::CriterionKey],
) -> Result<(), anyhow::Error> {
    let ids: Vec<Uuid> = page.iter().map(|p| p.id).collect();
    let program_of: std::collections::HashMap<Uuid, Uuid> =
        page.iter().map(|p| (p.id, p.program_id)).collect();
    let mut after = None;
    let mut all = Vec::new();
    loop {
        let found =
            store::qualifications::qualifications_of_version(db, &ids, version, after, ENTRIES)
                .await?;
        let full = found.len() as u64 == ENTRIES;
        after = found.last().map(|q| q.id);
        all.extend(found);
        if !full {
            break;
        }
    }
    let order: std::collections::HashMap<Uuid, usize> =
        ids.iter().enumerate().map(|(n, id)| (*id, n)).collect();
    all.sort_by_key(|q| (order.get(&q.prospect_id).copied(), q.id));
    for q in &all {
        let r = &q.result;
        let cells = [
            ids::encode(IdKind::Qualification, q.id).0,
            ids::encode(IdKind::Prospect, q.prospect_id).0,
            program_of
                .get(&q.prospect_id)
                .map(|p| ids::encode(IdKind::Program, *p).0)
                .unwrap_or_default(),
            ids::encode(IdKind::User, q.qualified_by).0,
            time(q.created_at),
            r.now.score_bp.get().to_string(),
            tier(r.now.tier).to_owned(),
            verdict(r.verdict).to_owned(),
            r.projected.score_bp.get().to_string(),
            tier(r.projected.tier).to_owned(),
            r.plan.clone().unwrap_or_default(),
            r.requalify_by.map(|d| d.to_string()).unwrap_or_default(),
        ];
        let answers = keys.iter().map(|k| {
            q.answers
                .iter()
                .find(|a| &a.key == k)
                .map(|a| answer(&a.value))
                .unwrap_or_default()
        });
        sheet.row(cells.into_iter().chain(answers))?;
    }
    Ok(())
}
