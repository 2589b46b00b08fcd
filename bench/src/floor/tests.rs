//! The floor against the API: the same answers, byte for byte, and the same refusals.

use std::net::SocketAddr;

use http_body_util::BodyExt;
use hyper_util::rt::TokioIo;
use serde_json::Value;
use tokio::net::{TcpListener, TcpStream};

use super::*;
use crate::load::Call;
use crate::scenarios::{Scenario, Targets};
use crate::serve::{self, Kind};

mod qualify;

/// One request; the status and the body as text.
async fn send(
    addr: SocketAddr,
    call: &Call,
    authorization: Option<&str>,
) -> anyhow::Result<(StatusCode, String)> {
    let stream = TcpStream::connect(addr).await?;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(conn);
    let response = sender
        .send_request(crate::load::request(call, authorization)?)
        .await?;
    let status = response.status();
    let body = response.into_body().collect().await?.to_bytes();
    Ok((status, String::from_utf8(body.to_vec())?))
}

/// A generated world, the API and the floor on it, and the scenarios' targets.
struct Servers {
    api: api::Server,
    floor: SocketAddr,
    floor_state: Floor,
    targets: Targets,
    _dir: TempDir,
}

struct TempDir(std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

async fn servers(name: &str) -> anyhow::Result<Servers> {
    let dir = std::env::temp_dir().join(format!("bench-floor-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let dir = TempDir(dir);
    let url = format!("sqlite://{}?mode=rwc", dir.0.join("world.db").display());
    crate::generate::generate(&url, 1200, 11).await?;
    let targets = Targets::find(&store::connect(&url).await?).await?;
    let config = serve::config(&url);
    let api = api::start(config.clone()).await?;
    let floor_state = Floor::new(&url, &config)?;
    let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
    let floor = listener.local_addr()?;
    let app = router(floor_state.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(Servers {
        api,
        floor,
        floor_state,
        targets,
        _dir: dir,
    })
}

/// What the API and the floor answer to a scenario's first request.
async fn both(s: &Servers, scenario: Scenario) -> anyhow::Result<(String, String)> {
    let (api_calls, auth) = s.targets.calls(scenario, Kind::Api);
    let (floor_calls, floor_auth) = s.targets.calls(scenario, Kind::Floor);
    assert_eq!(auth, floor_auth, "the same caller");
    let (status, api) = send(s.api.addr, &api_calls[0], auth.as_deref()).await?;
    assert_eq!(status, StatusCode::OK, "{api}");
    let (status, floor) = send(s.floor, &floor_calls[0], auth.as_deref()).await?;
    assert_eq!(status, StatusCode::OK, "{floor}");
    Ok((api, floor))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_floor_answers_s3_and_s5_with_the_apis_exact_json() -> anyhow::Result<()> {
    let s = servers("same").await?;
    for scenario in [Scenario::S3, Scenario::S5(3), Scenario::S5(100)] {
        let (api, floor) = both(&s, scenario).await?;
        // Byte for byte: the same values, ids, cursors, timestamps and field order.
        assert_eq!(floor, api, "{scenario}");
        let value: Value = serde_json::from_str(&floor)?;
        let prospects = &value["data"]["prospects"];
        let edges = prospects["edges"].as_array().map_or(0, Vec::len);
        let total = prospects["totalCount"].as_u64().unwrap_or(0);
        let first = match scenario {
            Scenario::S5(first) => first,
            _ => 20,
        };
        assert_eq!(edges as u64, first.min(total), "{scenario}: {floor}");
        assert_eq!(prospects["pageInfo"]["hasNextPage"], total > first);
        let criteria =
            &prospects["edges"][0]["node"]["latestQualification"]["templateVersion"]["criteria"];
        assert!(
            criteria.as_array().is_some_and(|c| !c.is_empty()),
            "{floor}"
        );
    }
    // From the cache, the same: the published version was rendered once.
    let before = s.floor_state.statements_executed();
    let (api, again) = both(&s, Scenario::S3).await?;
    assert_eq!(again, api);
    assert_eq!(s.floor_state.versions.read().map(|c| c.len()).ok(), Some(1));
    // BEGIN, the session, the count, the page, COMMIT.
    assert_eq!(s.floor_state.statements_executed() - before, 5);
    s.api.stop().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_floor_refuses_what_the_api_refuses() -> anyhow::Result<()> {
    let s = servers("refuse").await?;
    let (calls, auth) = s.targets.calls(Scenario::S3, Kind::Floor);
    let code = |body: &str| -> anyhow::Result<Value> {
        let value: Value = serde_json::from_str(body)?;
        assert!(value.get("data").is_none(), "{body}");
        Ok(value["errors"][0]["extensions"]["code"].clone())
    };
    let (status, body) = send(s.floor, &calls[0], None).await?;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(code(&body)?, "UNAUTHENTICATED");
    let forged = auth.as_deref().map(|a| format!("{a}x"));
    let (status, body) = send(s.floor, &calls[0], forged.as_deref()).await?;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(code(&body)?, "UNAUTHENTICATED");
    let zero = Call {
        path: "/s3?first=0".to_owned(),
        body: None,
    };
    let (status, body) = send(s.floor, &zero, auth.as_deref()).await?;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(code(&body)?, "BAD_USER_INPUT");
    // A session ended after the token was issued ends the token, as in the API.
    let db = store::connect(&format!("sqlite://{}", s.floor_state.path)).await?;
    let reader = store::users::user_by_email(&db, &crate::world::mentee_email(0))
        .await?
        .map(|u| u.id)
        .unwrap_or_default();
    store::accounts::end_sessions(&db, reader, Utc::now() + chrono::Duration::seconds(5)).await?;
    let (status, body) = send(s.floor, &calls[0], auth.as_deref()).await?;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(code(&body)?, "UNAUTHENTICATED");
    s.api.stop().await;
    Ok(())
}
