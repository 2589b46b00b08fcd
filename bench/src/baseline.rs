//! The baseline: plain axum JSON routes doing each scenario's work with the same `store`,
//! `domain` and `api::auth` functions the GraphQL resolvers call, and nothing else. What
//! GraphQL costs on top of this is the layer's price; the baseline is its limit.
//!
//! It authenticates and authorizes like the API (a bearer token, ownership and enrollment
//! checks), caches published template versions as the API does, and answers the same
//! fields, as `{"data": ...}` or `{"errors": [...]}`.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use api::auth::{Hasher, TokenKeys, TokenSubject};
use axum::Json;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::Utc;
use domain::policy;
use serde::Deserialize;
use serde_json::{Value, json};
use store::{Db, PageRequest, ProspectFilter, ProspectOrder, Role};
use uuid::Uuid;

#[derive(Clone)]
pub struct Baseline {
    db: Db,
    keys: TokenKeys,
    hasher: Hasher,
    versions: Arc<RwLock<HashMap<Uuid, Arc<store::TemplateVersion>>>>,
    refresh_ttl: chrono::Duration,
}

impl Baseline {
    /// # Errors
    /// When the secret is too short.
    pub fn new(db: Db, config: &api::Config) -> anyhow::Result<Self> {
        let secret = config.jwt_secret.clone().unwrap_or_default();
        let keys = TokenKeys::new(secret.as_bytes(), config.access_token_ttl_secs)
            .map_err(|_| anyhow::anyhow!("the JWT secret must be at least 32 bytes"))?;
        Ok(Self {
            db,
            keys,
            hasher: Hasher::new(config.limits.max_concurrent_hashes),
            versions: Arc::default(),
            refresh_ttl: chrono::Duration::seconds(
                i64::try_from(config.refresh_token_ttl_secs).unwrap_or(i64::MAX / 2),
            ),
        })
    }
}

pub fn router(state: Baseline) -> Router {
    Router::new()
        .route("/s0", post(typename))
        .route("/s1", post(login))
        .route("/s2", post(qualify))
        .route("/s3", get(own_prospects))
        .route("/s4", get(program_prospects))
        .with_state(state)
}

/// A failure: the status and `{"errors": [{"message": ...}]}`.
struct Fail(StatusCode, &'static str);

impl IntoResponse for Fail {
    fn into_response(self) -> Response {
        (self.0, Json(json!({ "errors": [{ "message": self.1 }] }))).into_response()
    }
}

impl From<store::StoreError> for Fail {
    fn from(err: store::StoreError) -> Self {
        tracing::error!(error = %err, "baseline store error");
        Fail(StatusCode::INTERNAL_SERVER_ERROR, "internal")
    }
}

type Answer = Result<Json<Value>, Fail>;

fn data(value: Value) -> Answer {
    Ok(Json(json!({ "data": value })))
}

impl Baseline {
    /// The bearer token's subject, if the token is valid and its session still active
    /// (the same check, and the same statement, as the API's).
    async fn subject(&self, headers: &HeaderMap) -> Result<TokenSubject, Fail> {
        let unauthenticated = || Fail(StatusCode::UNAUTHORIZED, "unauthenticated");
        let token = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or_else(unauthenticated)?;
        let now = Utc::now().timestamp().unsigned_abs();
        let subject = self
            .keys
            .verify_access(token.trim(), now)
            .map_err(|_| unauthenticated())?;
        let issued_at = chrono::DateTime::from_timestamp(
            i64::try_from(subject.issued_at).unwrap_or(i64::MAX),
            0,
        )
        .unwrap_or_default();
        let active = store::accounts::session_active(
            &self.db,
            subject.user_id,
            subject.session_id,
            issued_at,
        )
        .await?;
        if active {
            Ok(subject)
        } else {
            Err(unauthenticated())
        }
    }

    /// Published versions from the process-wide cache; the others from the database.
    async fn versions(
        &self,
        ids: &[Uuid],
    ) -> Result<HashMap<Uuid, Arc<store::TemplateVersion>>, Fail> {
        let mut found = HashMap::new();
        if let Ok(cache) = self.versions.read() {
            for id in ids {
                if let Some(v) = cache.get(id) {
                    found.insert(*id, Arc::clone(v));
                }
            }
        }
        let missing: Vec<Uuid> = ids
            .iter()
            .filter(|id| !found.contains_key(id))
            .copied()
            .collect();
        if !missing.is_empty() {
            let loaded = store::templates::versions_by_ids(&self.db, &missing).await?;
            let mut cache = self.versions.write().ok();
            for v in loaded {
                let v = Arc::new(v);
                if let Some(cache) = cache.as_mut()
                    && v.status == store::VersionStatus::Published
                {
                    cache.insert(v.id, Arc::clone(&v));
                }
                found.insert(v.id, v);
            }
        }
        Ok(found)
    }
}

#[derive(Deserialize)]
struct GraphqlLike {
    #[allow(dead_code)] // parsed like the GraphQL request, then not needed
    query: String,
}

/// S0: the cheapest JSON round trip.
async fn typename(Json(_body): Json<GraphqlLike>) -> Answer {
    data(json!({ "__typename": "Query" }))
}

#[derive(Deserialize)]
struct LoginBody {
    email: String,
    password: String,
}

/// S1: what `login` does: find the user, verify argon2, store a refresh token, sign.
async fn login(
    State(b): State<Baseline>,
    headers: axum::http::HeaderMap,
    Json(body): Json<LoginBody>,
) -> Answer {
    let denied = Fail(StatusCode::UNAUTHORIZED, "bad credentials");
    let user = match domain::Email::parse(&body.email) {
        Ok(email) => store::users::user_by_email(&b.db, email.as_str()).await?,
        Err(_) => None,
    };
    let ok = b
        .hasher
        .verify(
            body.password,
            user.as_ref().map(|u| u.password_hash.clone()),
        )
        .await
        .map_err(|_| Fail(StatusCode::INTERNAL_SERVER_ERROR, "internal"))?;
    let Some(user) = user.filter(|_| ok) else {
        return Err(denied);
    };
    let now = Utc::now();
    let family = Uuid::now_v7();
    let (refresh, digest) = api::auth::tokens::new_refresh_token();
    let txn = store::begin_write(&b.db).await?;
    // Where the login came from, kept with the token as the API keeps it (this server
    // is not told the peer's address, so it keeps the user agent only).
    let client = store::sessions::SessionClient {
        ip: None,
        user_agent: headers
            .get(axum::http::header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
    };
    store::sessions::insert_refresh_token(
        &txn,
        user.id,
        family,
        &digest,
        now + b.refresh_ttl,
        &client,
    )
    .await?;
    store::audit::record(
        &txn,
        Some(user.id),
        "session.login",
        "User",
        Some(user.id),
        None,
    )
    .await?;
    txn.commit().await?;
    let subject = TokenSubject {
        user_id: user.id,
        role: user.role,
        session_id: family,
        issued_at: now.timestamp().unsigned_abs(),
    };
    let access = b
        .keys
        .issue_access(subject, now.timestamp().unsigned_abs())
        .map_err(|_| Fail(StatusCode::INTERNAL_SERVER_ERROR, "internal"))?;
    data(json!({ "login": {
        "accessToken": access, "refreshToken": refresh, "expiresIn": b.keys.access_ttl_secs(),
        "user": { "id": user.id, "email": user.email, "name": user.name, "role": role(user.role) },
    }}))
}

fn role(role: Role) -> &'static str {
    match role {
        Role::Mentor => "MENTOR",
        Role::Mentee => "MENTEE",
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct QualifyBody {
    prospect_id: Uuid,
    answers: Vec<domain::AnswerDraft>,
}

/// S2: what `qualifyProspect` does, step by step.
async fn qualify(
    State(b): State<Baseline>,
    headers: HeaderMap,
    Json(body): Json<QualifyBody>,
) -> Answer {
    let me = b.subject(&headers).await?;
    let not_found = || Fail(StatusCode::NOT_FOUND, "not found");
    let prospect = store::prospects::prospect_by_id(&b.db, body.prospect_id)
        .await?
        .filter(|p| p.owner_id == me.user_id)
        .ok_or_else(not_found)?;
    if prospect.archived_at.is_some() {
        return Err(Fail(StatusCode::CONFLICT, "archived"));
    }
    let enrolled = store::programs::mentee_program_ids(&b.db, me.user_id).await?;
    if !enrolled.contains(&prospect.program_id) {
        return Err(Fail(StatusCode::FORBIDDEN, "not enrolled"));
    }
    let program = store::programs::program_by_id(&b.db, prospect.program_id)
        .await?
        .ok_or_else(not_found)?;
    let version_id = program
        .standard_version_id
        .ok_or(Fail(StatusCode::CONFLICT, "no standard"))?;
    let version = b
        .versions(&[version_id])
        .await?
        .remove(&version_id)
        .ok_or_else(not_found)?;
    let qualified = domain::qualify(
        &version.definition,
        &body.answers,
        None,
        Utc::now().date_naive(),
    )
    .map_err(|_| Fail(StatusCode::BAD_REQUEST, "invalid answers"))?;
    // One transaction with its audit record, as the API's mutations write.
    let txn = store::begin_write(&b.db).await?;
    let q = store::qualifications::insert_qualification(
        &txn,
        store::qualifications::NewQualification {
            prospect_id: prospect.id,
            template_version_id: version.id,
            qualified_by: me.user_id,
            answers: &qualified.answers,
            outlook: None,
            result: &qualified.result,
            evidence: &[],
        },
    )
    .await?;
    let prospect = store::prospects::prospect_by_id(&txn, prospect.id)
        .await?
        .ok_or_else(not_found)?;
    // Its event, in the outbox, as the API writes it.
    store::events::insert_event(&txn, &api::events::prospect_qualified(&prospect, &q)).await?;
    store::audit::record(
        &txn,
        Some(me.user_id),
        "prospect.qualify",
        "Qualification",
        Some(q.id),
        None,
    )
    .await?;
    txn.commit().await?;
    let now = &q.result.now;
    let explanation: Vec<Value> = now
        .explanation
        .iter()
        .map(|c| {
            json!({
                "key": c.key.as_str(),
                "label": version.definition.criterion(c.key.as_str()).map(|k| k.label()),
                "pointsBasisPoints": c.points_bp, "weight": c.weight,
                "contributionBasisPoints": c.contribution_bp,
                "knockout": c.knockout, "unknown": c.unknown,
            })
        })
        .collect();
    data(json!({ "qualifyProspect": {
        "qualification": {
            "id": q.id, "createdAt": q.created_at, "score": now.score_bp.as_percent(),
            "scoreBasisPoints": now.score_bp, "tier": now.tier, "verdict": q.result.verdict,
            "knockouts": now.knockouts, "unknowns": now.unknowns,
            "requalifyBy": q.result.requalify_by, "explanation": explanation,
        },
        "prospect": { "id": prospect.id, "status": prospect.status, "revision": prospect.revision },
    }}))
}

#[derive(Deserialize)]
struct PageQuery {
    first: Option<u64>,
    program: Option<Uuid>,
}

/// S3 and S5: the mentee's prospects, newest first, each with its latest qualification,
/// that qualification's template version and the version's criteria.
async fn own_prospects(
    State(b): State<Baseline>,
    headers: HeaderMap,
    Query(q): Query<PageQuery>,
) -> Answer {
    let me = b.subject(&headers).await?;
    let page = page(&b, &me, &ProspectFilter::default(), q.first).await?;
    let latest = latest(&b, &page.items).await?;
    let ids: Vec<Uuid> = latest.values().map(|q| q.template_version_id).collect();
    let versions = b.versions(&ids).await?;
    let edges: Vec<Value> = page
        .items
        .iter()
        .map(|p| {
            let q = p.latest_qualification_id.and_then(|id| latest.get(&id));
            let q = q.map(|q| {
                let v = versions.get(&q.template_version_id).map(|v| {
                    let criteria: Vec<Value> = v
                        .definition
                        .criteria()
                        .iter()
                        .map(|c| {
                            json!({ "key": c.key().as_str(), "label": c.label(),
                                         "question": c.question(), "weight": c.weight() })
                        })
                        .collect();
                    json!({ "id": v.id, "number": v.number,
                            "thresholdA": v.definition.threshold_a(),
                            "thresholdB": v.definition.threshold_b(), "criteria": criteria })
                });
                json!({ "id": q.id, "createdAt": q.created_at,
                        "score": q.score_bp.as_percent(),
                        "tier": q.tier, "verdict": q.verdict,
                        "knockouts": q.knockouts, "templateVersion": v })
            });
            json!({ "cursor": p.id, "node": {
                "id": p.id, "name": p.name, "company": p.company, "status": p.status,
                "createdAt": p.created_at, "latestQualification": q,
            }})
        })
        .collect();
    data(json!({ "prospects": {
        "totalCount": page.total,
        "pageInfo": { "hasNextPage": page.has_next, "endCursor": page.items.last().map(|p| p.id) },
        "edges": edges,
    }}))
}

/// S4: a mentor's view of one program: its prospects, newest first, each with its latest
/// qualification and its first 5 decisions (`decisions(first: 5) { nodes }`).
async fn program_prospects(
    State(b): State<Baseline>,
    headers: HeaderMap,
    Query(q): Query<PageQuery>,
) -> Answer {
    let me = b.subject(&headers).await?;
    if me.role != Role::Mentor {
        return Err(Fail(StatusCode::FORBIDDEN, "mentors only"));
    }
    let program = q.program.ok_or(Fail(StatusCode::BAD_REQUEST, "program"))?;
    let filter = ProspectFilter {
        program_ids: Some(vec![program]),
        ..ProspectFilter::default()
    };
    let page = page(&b, &me, &filter, q.first).await?;
    let latest = latest(&b, &page.items).await?;
    let ids: Vec<Uuid> = page.items.iter().map(|p| p.id).collect();
    let mut decisions: HashMap<Uuid, Vec<Value>> = HashMap::new();
    let mut all = store::decisions::decisions_by_prospect_ids(&b.db, &ids).await?;
    all.sort_by_key(|d| d.id);
    for d in all {
        let of_prospect = decisions.entry(d.prospect_id).or_default();
        if of_prospect.len() >= 5 {
            continue;
        }
        of_prospect.push(json!({
            "id": d.id, "decision": d.decision, "isException": d.is_exception,
            "createdAt": d.created_at,
        }));
    }
    let edges: Vec<Value> = page
        .items
        .iter()
        .map(|p| {
            let q = p.latest_qualification_id.and_then(|id| latest.get(&id));
            let q = q.map(|q| {
                json!({ "id": q.id, "createdAt": q.created_at,
                        "score": q.score_bp.as_percent(),
                        "tier": q.tier, "verdict": q.verdict })
            });
            json!({ "cursor": p.id, "node": {
                "id": p.id, "name": p.name, "company": p.company, "status": p.status,
                "latestQualification": q,
                "decisions": { "nodes": decisions.remove(&p.id).unwrap_or_default() },
            }})
        })
        .collect();
    data(json!({ "prospects": {
        "totalCount": page.total,
        "pageInfo": { "hasNextPage": page.has_next, "endCursor": page.items.last().map(|p| p.id) },
        "edges": edges,
    }}))
}

/// One page of the prospects `me` may see (the policy's filter, as the API applies it).
async fn page(
    b: &Baseline,
    me: &TokenSubject,
    filter: &ProspectFilter,
    first: Option<u64>,
) -> Result<store::Page<store::Prospect>, Fail> {
    let first = first.unwrap_or(20);
    if !(1..=100).contains(&first) {
        return Err(Fail(StatusCode::BAD_REQUEST, "first"));
    }
    let actor = policy::Actor::user(me.user_id, policy_role(me.role));
    let visible = policy::visibility(&actor, policy::Kind::Prospect)
        .map_err(|_| Fail(StatusCode::FORBIDDEN, "forbidden"))?;
    let request = PageRequest::first(first, None);
    let order = ProspectOrder::CREATED_DESC;
    Ok(store::visible::prospects_page(&b.db, &visible, filter, order, request).await?)
}

fn policy_role(role: Role) -> policy::Role {
    match role {
        Role::Mentor => policy::Role::Mentor,
        Role::Mentee => policy::Role::Mentee,
    }
}

async fn latest(
    b: &Baseline,
    prospects: &[store::Prospect],
) -> Result<HashMap<Uuid, store::QualificationHead>, Fail> {
    let ids: Vec<Uuid> = prospects
        .iter()
        .filter_map(|p| p.latest_qualification_id)
        .collect();
    // Only the columns the pages answer, as the API reads them.
    let rows = store::qualifications::heads_by_ids(&b.db, &ids).await?;
    Ok(rows.into_iter().map(|q| (q.id, q)).collect())
}
