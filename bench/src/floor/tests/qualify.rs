//! S2: the floor's `qualifyProspect` against the API's: the same answer, the same rows, the
//! same refusals.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rusqlite::types::Value as Sql;
use serde_json::{Value, json};

use axum::http::StatusCode;
use uuid::Uuid;

use super::{Servers, send, servers};
use crate::load::Call;
use crate::scenarios::Scenario;
use crate::serve::Kind;

/// A row's columns by name, as SQLite holds them.
type Row = BTreeMap<String, Sql>;

fn row(s: &Servers, table: &str, column: &str, id: Uuid) -> anyhow::Result<Row> {
    let db = rusqlite::Connection::open(s.floor_state.path.as_ref())?;
    let mut statement = db.prepare(&format!("SELECT * FROM {table} WHERE {column} = ?1"))?;
    let names: Vec<String> = statement
        .column_names()
        .into_iter()
        .map(str::to_owned)
        .collect();
    let values = statement.query_row([id.as_bytes().as_slice()], |r| {
        (0..names.len())
            .map(|i| r.get::<_, Sql>(i))
            .collect::<Result<Vec<_>, _>>()
    })?;
    Ok(names.into_iter().zip(values).collect())
}

/// `row` without `columns`, which must be there.
fn without(mut row: Row, columns: &[&str]) -> Row {
    for column in columns {
        assert!(row.remove(*column).is_some(), "no column {column}");
    }
    row
}

/// The UUID behind a global id (`base64url("Kind:hex")`).
fn decoded(id: &Value) -> anyhow::Result<Uuid> {
    let text = String::from_utf8(URL_SAFE_NO_PAD.decode(id.as_str().unwrap_or_default())?)?;
    let (_, hex) = text.split_once(':').unwrap_or_default();
    Ok(Uuid::parse_str(hex)?)
}

/// A stored timestamp in the one text form sqlx writes (`to_rfc3339_opts(AutoSi, false)`).
fn assert_stored_time(value: Option<&Sql>) {
    let Some(Sql::Text(text)) = value else {
        panic!("not a text timestamp: {value:?}");
    };
    let parsed = chrono::DateTime::parse_from_rfc3339(text).map(|t| t.to_utc());
    let again = parsed.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false));
    assert_eq!(again.as_deref(), Ok(text.as_str()));
}

/// A call's JSON body.
fn parsed(call: &Call) -> anyhow::Result<Value> {
    Ok(serde_json::from_str(
        call.body.as_deref().unwrap_or_default(),
    )?)
}

/// One qualification's answer and what it wrote.
struct Qualification {
    body: String,
    id: Uuid,
    stored: Row,
    prospect: Row,
    audit: Row,
}

async fn qualification(s: &Servers, kind: Kind, prospect: Uuid) -> anyhow::Result<Qualification> {
    let (calls, auth) = s.targets.calls(Scenario::S2, kind);
    let addr = match kind {
        Kind::Api => s.api.addr,
        _ => s.floor,
    };
    let (status, body) = send(addr, &calls[0], auth.as_deref()).await?;
    assert_eq!(status, StatusCode::OK, "{kind:?}: {body}");
    let value: Value = serde_json::from_str(&body)?;
    let id = decoded(&value["data"]["qualifyProspect"]["qualification"]["id"])?;
    Ok(Qualification {
        body,
        id,
        stored: row(s, "qualifications", "id", id)?,
        prospect: row(s, "prospects", "id", prospect)?,
        audit: row(s, "audit_log", "object_id", id)?,
    })
}

/// The answer with what must differ between two qualifications named instead: the new
/// id, its time, and the prospect's revision. The rest stays as it was sent, field order
/// included.
fn normalised(body: &str) -> anyhow::Result<String> {
    let value: Value = serde_json::from_str(body)?;
    let payload = &value["data"]["qualifyProspect"];
    let q = &payload["qualification"];
    let revision = &payload["prospect"]["revision"];
    assert!(revision.is_u64(), "{body}");
    Ok(body
        .replace(&q["id"].to_string(), r#""ID""#)
        .replace(&q["createdAt"].to_string(), r#""TIME""#)
        .replace(&format!(r#""revision":{revision}"#), r#""revision":0"#))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_floor_qualifies_as_the_api_does_to_the_byte_and_the_column() -> anyhow::Result<()> {
    let s = servers("qualify").await?;
    let (calls, _) = s.targets.calls(Scenario::S2, Kind::Floor);
    let prospect: Uuid = serde_json::from_value(parsed(&calls[0])?["prospectId"].clone())?;

    let api = qualification(&s, Kind::Api, prospect).await?;
    let floor = qualification(&s, Kind::Floor, prospect).await?;
    assert_eq!(normalised(&floor.body)?, normalised(&api.body)?);
    assert!(
        floor.body.contains(r#""explanation":[{"key":"#),
        "{}",
        floor.body
    );

    // The qualification: every column but its id and time.
    for q in [&api, &floor] {
        assert_stored_time(q.stored.get("created_at"));
    }
    let columns = ["id", "created_at"];
    assert_eq!(
        without(floor.stored.clone(), &columns),
        without(api.stored.clone(), &columns)
    );
    // The prospect: the new latest qualification, the next revision, a new time.
    for (q, revision) in [(&api, 0), (&floor, 1)] {
        assert_eq!(
            q.prospect.get("latest_qualification_id"),
            Some(&Sql::Blob(q.id.as_bytes().to_vec()))
        );
        assert_stored_time(q.prospect.get("updated_at"));
        let Some(Sql::Integer(stored)) = q.prospect.get("revision") else {
            panic!("no revision");
        };
        let answered = serde_json::from_str::<Value>(&q.body)?["data"]["qualifyProspect"]
            ["prospect"]["revision"]
            .as_i64();
        assert_eq!(answered, Some(*stored));
        if revision == 1 {
            assert_eq!(
                api.prospect.get("revision"),
                Some(&Sql::Integer(stored - 1))
            );
        }
    }
    let columns = ["latest_qualification_id", "revision", "updated_at"];
    assert_eq!(
        without(floor.prospect.clone(), &columns),
        without(api.prospect.clone(), &columns)
    );
    assert_eq!(
        floor.prospect.get("status"),
        Some(&Sql::Text("QUALIFIED".into()))
    );
    // The audit record: who did what to which qualification, under a request id.
    for q in [&api, &floor] {
        assert_stored_time(q.audit.get("created_at"));
        assert!(
            matches!(q.audit.get("request_id"), Some(Sql::Text(id)) if id.len() == 32),
            "{:?}",
            q.audit
        );
    }
    let columns = ["id", "object_id", "request_id", "created_at"];
    assert_eq!(
        without(floor.audit.clone(), &columns),
        without(api.audit.clone(), &columns)
    );

    // The standard's definition was parsed once: BEGIN, the session, the checks, the
    // three writes, COMMIT.
    let before = s.floor_state.statements_executed();
    let again = qualification(&s, Kind::Floor, prospect).await?;
    assert_eq!(normalised(&again.body)?, normalised(&api.body)?);
    assert_eq!(s.floor_state.statements_executed() - before, 7);
    assert_eq!(
        s.floor_state.definitions.read().map(|c| c.len()).ok(),
        Some(1)
    );
    s.api.stop().await;
    Ok(())
}

/// A request both servers must refuse, and the code they must refuse it with.
struct Refused {
    what: &'static str,
    authorization: Option<String>,
    /// Changes the floor's body (`prospectId`, `answers`) and the API's input alike.
    edit: fn(&mut Value, &mut Value),
    status: StatusCode,
    code: &'static str,
}

async fn check(s: &Servers, case: &Refused) -> anyhow::Result<()> {
    let (api_calls, _) = s.targets.calls(Scenario::S2, Kind::Api);
    let (floor_calls, _) = s.targets.calls(Scenario::S2, Kind::Floor);
    let mut api_body = parsed(&api_calls[1])?;
    let mut floor_body = parsed(&floor_calls[1])?;
    (case.edit)(&mut floor_body, &mut api_body["variables"]["input"]);
    let api_call = Call {
        path: api_calls[1].path.clone(),
        body: Some(api_body.to_string()),
    };
    let floor_call = Call {
        path: floor_calls[1].path.clone(),
        body: Some(floor_body.to_string()),
    };
    let auth = case.authorization.as_deref();

    let (status, body) = send(s.api.addr, &api_call, auth).await?;
    let value: Value = serde_json::from_str(&body)?;
    assert_eq!(status, StatusCode::OK, "{}: {body}", case.what);
    assert_eq!(
        value["errors"][0]["extensions"]["code"], case.code,
        "{}: the API answered {body}",
        case.what
    );
    let (status, body) = send(s.floor, &floor_call, auth).await?;
    let value: Value = serde_json::from_str(&body)?;
    assert_eq!(status, case.status, "{}: {body}", case.what);
    assert!(value.get("data").is_none(), "{}: {body}", case.what);
    assert_eq!(
        value["errors"][0]["extensions"]["code"], case.code,
        "{}: the floor answered {body}",
        case.what
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_floor_refuses_to_qualify_what_the_api_refuses() -> anyhow::Result<()> {
    let s = servers("qualify-refuse").await?;
    let (_, writer) = s.targets.calls(Scenario::S2, Kind::Floor);
    let (_, reader) = s.targets.calls(Scenario::S3, Kind::Floor);
    let (_, mentor) = s.targets.calls(Scenario::S4, Kind::Floor);
    let unchanged: fn(&mut Value, &mut Value) = |_, _| {};
    let cases = [
        Refused {
            what: "no token",
            authorization: None,
            edit: unchanged,
            status: StatusCode::UNAUTHORIZED,
            code: "UNAUTHENTICATED",
        },
        Refused {
            what: "another mentee's prospect",
            authorization: reader,
            edit: unchanged,
            status: StatusCode::NOT_FOUND,
            code: "NOT_FOUND",
        },
        Refused {
            what: "a mentor",
            authorization: mentor,
            edit: unchanged,
            status: StatusCode::FORBIDDEN,
            code: "FORBIDDEN",
        },
        Refused {
            what: "a prospect that does not exist",
            authorization: writer.clone(),
            edit: |floor, api| {
                let id = Uuid::now_v7();
                floor["prospectId"] = json!(id);
                api["prospectId"] =
                    json!(api::graphql::ids::encode(api::graphql::ids::Kind::Prospect, id).0);
            },
            status: StatusCode::NOT_FOUND,
            code: "NOT_FOUND",
        },
        Refused {
            what: "no answers",
            authorization: writer.clone(),
            edit: |floor, api| {
                floor["answers"] = json!([]);
                api["answers"] = json!([]);
            },
            status: StatusCode::BAD_REQUEST,
            code: "BAD_USER_INPUT",
        },
        Refused {
            what: "one answer too few",
            authorization: writer.clone(),
            edit: |floor, api| {
                for body in [floor, api] {
                    if let Some(answers) = body["answers"].as_array_mut() {
                        answers.pop();
                    }
                }
            },
            status: StatusCode::BAD_REQUEST,
            code: "BAD_USER_INPUT",
        },
    ];
    for case in &cases {
        check(&s, case).await?;
    }
    // An archived prospect is a conflict.
    let (floor_calls, _) = s.targets.calls(Scenario::S2, Kind::Floor);
    let prospect: Uuid = serde_json::from_value(parsed(&floor_calls[1])?["prospectId"].clone())?;
    let db = store::connect(&format!("sqlite://{}", s.floor_state.path)).await?;
    store::prospects::archive_prospect(&db, prospect, chrono::Utc::now()).await?;
    let archived = Refused {
        what: "an archived prospect",
        authorization: writer,
        edit: unchanged,
        status: StatusCode::CONFLICT,
        code: "CONFLICT",
    };
    check(&s, &archived).await?;
    s.api.stop().await;
    Ok(())
}
