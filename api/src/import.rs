//! CSV import of prospects into a program: `POST /import/prospects.csv?programId=<id>`
//! with a `text/csv` body (within the server's body limit, `--max-body-bytes`: 256 KiB by
//! default, a few thousand rows). A header row names the columns: `name` (required),
//! `company` and `notes` (optional), in any order. The whole file is checked first, with
//! the rules of `createProspect`; any error refuses all of it, listing every error by row
//! (the file's line, the header being line 1) and column. Otherwise every row becomes a
//! prospect of the caller in one transaction, each with its audit record: all or nothing.
//! The caller needs what `createProspect` needs (a mentee enrolled in the program; an API
//! key that may write, and reaches the program).

use axum::body::Bytes;
use axum::extract::{FromRequest, Query, Request};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::policy::{self, Action, Facts, Kind, Outcome, Tie};
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::app::{Actor, AppState};
use crate::graphql::ids::{self, Kind as IdKind};
use crate::http::negotiate::MediaType;
use crate::reply;

/// Errors listed at most; the count says how many there were.
const MAX_ERRORS: usize = 100;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ImportQuery {
    program_id: String,
}

/// One row, checked.
struct Row {
    name: domain::DisplayName,
    company: Option<domain::LongText>,
    notes: Option<domain::LongText>,
}

/// A problem with one cell (or the file, at row 0).
struct Problem {
    row: u64,
    column: &'static str,
    message: String,
}

fn refuse(status: StatusCode, code: &str, message: &str) -> Response {
    reply::error(status, MediaType::Json, code, message)
}

fn problems(all: &[Problem]) -> Response {
    let errors: Vec<Value> = all
        .iter()
        .take(MAX_ERRORS)
        .map(|p| {
            json!({ "message": format!("row {}, {}: {}", p.row, p.column, p.message),
                    "extensions": { "code": "BAD_USER_INPUT", "row": p.row, "column": p.column } })
        })
        .collect();
    let body = json!({ "errors": errors, "extensions": { "errorCount": all.len() } });
    let mut response = (StatusCode::BAD_REQUEST, body.to_string()).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/json"),
    );
    response
}

fn refusal(outcome: Outcome) -> Option<Response> {
    match outcome {
        Outcome::Allowed => None,
        Outcome::Hidden => Some(refuse(StatusCode::NOT_FOUND, "NOT_FOUND", "not found")),
        Outcome::Forbidden(reason) => Some(refuse(StatusCode::FORBIDDEN, "FORBIDDEN", reason)),
    }
}

/// The file's rows, each checked; or every problem found.
fn rows(body: &[u8]) -> Result<Vec<Row>, Vec<Problem>> {
    let file = |message: &str| {
        vec![Problem {
            row: 0,
            column: "file",
            message: message.to_owned(),
        }]
    };
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    if std::str::from_utf8(body).is_err() {
        return Err(file("is not UTF-8"));
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(body);
    let Ok(headers) = reader.headers().cloned() else {
        return Err(file("has no header row"));
    };
    let mut columns: [Option<usize>; 3] = [None; 3];
    let mut found = Vec::new();
    for (at, name) in headers.iter().enumerate() {
        let slot = match name.trim().to_ascii_lowercase().as_str() {
            "name" => 0,
            "company" => 1,
            "notes" => 2,
            other => {
                found.push(Problem {
                    row: 1,
                    column: "header",
                    message: format!(
                        "unknown column {other:?}; the columns are name, company, notes"
                    ),
                });
                continue;
            }
        };
        if columns[slot].replace(at).is_some() {
            found.push(Problem {
                row: 1,
                column: "header",
                message: format!("the column {name:?} is given twice"),
            });
        }
    }
    if columns[0].is_none() {
        found.push(Problem {
            row: 1,
            column: "header",
            message: "a `name` column is required".to_owned(),
        });
    }
    if !found.is_empty() {
        return Err(found);
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                let row = e.position().map_or(0, |p| p.line());
                found.push(Problem {
                    row,
                    column: "file",
                    message: "is not well-formed CSV here (a stray quote, or a row with another number of cells)".to_owned(),
                });
                break;
            }
        };
        let row = record.position().map_or(0, |p| p.line());
        let cell = |slot: usize| columns[slot].and_then(|at| record.get(at)).unwrap_or("");
        let name = domain::DisplayName::parse(cell(0));
        let company = text(cell(1));
        let notes = text(cell(2));
        for (column, error) in [
            ("name", name.as_ref().err().map(|e| e.message.clone())),
            ("company", company.as_ref().err().cloned()),
            ("notes", notes.as_ref().err().cloned()),
        ] {
            if let Some(message) = error {
                found.push(Problem {
                    row,
                    column,
                    message,
                });
            }
        }
        if let (Ok(name), Ok(company), Ok(notes)) = (name, company, notes) {
            rows.push(Row {
                name,
                company,
                notes,
            });
        }
    }
    if rows.is_empty() && found.is_empty() {
        return Err(file("has no rows after the header"));
    }
    if found.is_empty() {
        Ok(rows)
    } else {
        Err(found)
    }
}

/// An optional free text: the GraphQL text rule (no control characters but newline and
/// tab), then `LongText`'s; blank is none.
fn text(cell: &str) -> Result<Option<domain::LongText>, String> {
    if cell
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err("must not contain control characters".to_owned());
    }
    domain::LongText::parse(cell)
        .map(domain::LongText::non_empty)
        .map_err(|e| e.message)
}

/// `POST /import/prospects.csv?programId=`.
pub async fn prospects_csv(state: AppState, request: Request) -> Response {
    let Ok(Query(query)) = Query::<ImportQuery>::try_from_uri(request.uri()) else {
        return refuse(
            StatusCode::BAD_REQUEST,
            "BAD_USER_INPUT",
            "the one parameter is `programId`, the program to import into",
        );
    };
    let Ok(program_id) = ids::decode(IdKind::Program, &async_graphql::ID(query.program_id)) else {
        return refuse(
            StatusCode::BAD_REQUEST,
            "BAD_USER_INPUT",
            "`programId` is not a program id",
        );
    };
    let me = match crate::export::app_actor(&request) {
        Ok(me) => me,
        Err(reply) => return *reply,
    };
    let is_csv = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().to_ascii_lowercase().starts_with("text/csv"));
    if !is_csv {
        return refuse(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UNSUPPORTED_MEDIA_TYPE",
            "send the file as `Content-Type: text/csv`",
        );
    }
    match import(&state, &me, program_id, request).await {
        Ok(response) | Err(response) => response,
    }
}

async fn import(
    state: &AppState,
    me: &Actor,
    program_id: Uuid,
    request: Request,
) -> Result<Response, Response> {
    let internal = |e: &dyn std::fmt::Display| reply::internal(MediaType::Json, e);
    let policy_actor = crate::graphql::context::Actor::policy(me);
    if let Some(refused) = refusal(policy::attempt(
        &policy_actor,
        Kind::Prospect,
        Action::Create,
    )) {
        return Err(refused);
    }
    let tie = match me.in_program(&state.db, program_id).await {
        Ok(true) if me.is_mentor() => Tie::Runs,
        Ok(true) => Tie::Enrolled,
        Ok(false) => Tie::Outside,
        Err(e) => return Err(internal(&format!("{e:?}"))),
    };
    let facts = Facts {
        program: Some(program_id),
        tie,
        ..Facts::default()
    };
    if let Some(refused) = refusal(policy::decide(
        &policy_actor,
        Kind::Prospect,
        Action::Create,
        &facts,
    )) {
        return Err(refused);
    }
    let program = store::programs::program_by_id(&state.db, program_id)
        .await
        .map_err(|e| internal(&e))?
        .ok_or_else(|| refuse(StatusCode::NOT_FOUND, "NOT_FOUND", "not found"))?;
    if program.archived_at.is_some() {
        return Err(refuse(
            StatusCode::CONFLICT,
            "CONFLICT",
            "the program is archived: it takes no new prospects",
        ));
    }
    let body = match Bytes::from_request(request, &()).await {
        Ok(body) => body,
        Err(_) => {
            return Err(refuse(
                StatusCode::PAYLOAD_TOO_LARGE,
                "REQUEST_TOO_LARGE",
                "the file is larger than the server's body limit (--max-body-bytes)",
            ));
        }
    };
    let rows = rows(&body).map_err(|found| problems(&found))?;
    let request_id = crate::request_meta::current().map(|m| m.request_id);
    let acting = store::audit::Acting {
        actor_id: Some(me.user_id),
        api_key_id: me.key_id,
    };
    // Under an `Idempotency-Key`, a savepoint in the key's transaction (as `graphql::Tx`).
    let txn = match crate::idempotency::transaction() {
        Some(keyed) => store::begin_write(&*keyed).await,
        None => store::begin_write(&state.db).await,
    }
    .map_err(|e| internal(&e))?;
    let mut created = Vec::with_capacity(rows.len());
    for row in &rows {
        let prospect = store::prospects::create_prospect(
            &txn,
            me.user_id,
            program_id,
            &row.name,
            row.company.as_ref(),
            row.notes.as_ref(),
        )
        .await
        .map_err(|e| internal(&e))?;
        store::audit::record_through(
            &txn,
            acting,
            "prospect.create",
            "Prospect",
            Some(prospect.id),
            request_id.as_deref(),
            Some(json!({ "via": "import" })),
        )
        .await
        .map_err(|e| internal(&e))?;
        store::events::insert_event(&txn, &crate::events::prospect_created(&prospect))
            .await
            .map_err(|e| internal(&e))?;
        created.push(ids::encode(IdKind::Prospect, prospect.id).0);
    }
    txn.commit().await.map_err(|e| internal(&e))?;
    state.bus.written();
    let body = json!({ "data": { "imported": created.len(), "prospectIds": created } });
    let mut response = (StatusCode::OK, body.to_string()).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/json"),
    );
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems_of(csv: &str) -> Vec<(u64, &'static str)> {
        match rows(csv.as_bytes()) {
            Ok(_) => Vec::new(),
            Err(found) => found.iter().map(|p| (p.row, p.column)).collect(),
        }
    }

    #[test]
    fn every_problem_is_found_with_its_row_and_column() {
        assert_eq!(
            problems_of("name,company\nAcme,Acme Ltd\n\"B, \"\"q\"\"\",\n"),
            []
        );
        assert_eq!(
            problems_of("\u{feff}Name\nAcme\n"),
            [],
            "a BOM and any case"
        );
        assert_eq!(
            problems_of("name,company\n  ,x\nok,\"a\u{7}\"\n"),
            [(2, "name"), (3, "company")]
        );
        assert_eq!(problems_of("company\nx\n"), [(1, "header")]);
        assert_eq!(problems_of("name,colour\nx,red\n"), [(1, "header")]);
        assert_eq!(problems_of("name,name\nx,y\n"), [(1, "header")]);
        assert_eq!(problems_of("name\n"), [(0, "file")]);
        assert_eq!(problems_of("name,company\nx\n"), [(2, "file")]);
        let long = format!("name\n{}\n", "x".repeat(101));
        assert_eq!(problems_of(&long), [(2, "name")]);
        assert!(rows(b"name\n\xff\n").is_err());
    }
}
