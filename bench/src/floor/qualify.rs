//! S2 on the floor: `POST /s2` with the baseline's body (`{"prospectId": uuid, "answers":
//! [...]}`), doing what `qualifyProspect` does and answering exactly its JSON for
//! `scenarios::QUALIFY`.
//!
//! The same work as the API: the JWT and the session, the policy's decision on changing
//! the prospect (`domain::policy::decide` on its owner, program and the caller's
//! enrollment), the archived and no-standard conflicts, `domain::qualify` on the program's
//! standard version, and the rows `store::qualifications::insert_qualification`,
//! `save_prospect` and `store::audit::record` write, column for column (the tests compare
//! them). What makes it the floor: one `BEGIN IMMEDIATE` transaction for the reads and the
//! writes (the API reads outside its write transaction, then reads the prospect again
//! inside it), the checks in one statement, the prospect's new revision from `RETURNING`,
//! and each published version's `Definition` parsed once.

use std::io::Write as _;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, SecondsFormat, SubsecRound, Utc};
use domain::policy::{self, Action, Facts, Kind, Outcome, Tie};
use domain::{Definition, Qualified, Tier, Verdict};
use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior};
use serde::Deserialize;
use uuid::Uuid;

use super::{Fail, Floor, global_id, json, string, with_connection};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct QualifyBody {
    prospect_id: Uuid,
    answers: Vec<domain::AnswerDraft>,
}

/// S2: `qualifyProspect`.
pub(super) async fn qualify(
    State(floor): State<Floor>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match floor.qualify(&headers, &body) {
        Ok(body) => json(StatusCode::OK, body),
        Err(fail) => fail.into_response(),
    }
}

/// What the checks found: the prospect may be qualified against this version.
struct Target {
    prospect: Uuid,
    program: Uuid,
    version: Uuid,
}

/// The rows written, as the answer reads them.
struct Written {
    qualification: Uuid,
    /// The stored text of `created_at`.
    created_at: String,
    revision: i64,
}

fn bad_input() -> Fail {
    Fail(StatusCode::BAD_REQUEST, "BAD_USER_INPUT")
}

fn conflict() -> Fail {
    Fail(StatusCode::CONFLICT, "CONFLICT")
}

impl Floor {
    fn qualify(&self, headers: &HeaderMap, body: &[u8]) -> Result<Vec<u8>, Fail> {
        let subject = self.verify(headers)?;
        let body: QualifyBody = serde_json::from_slice(body).map_err(|_| bad_input())?;
        with_connection(&self.path, |conn| {
            // The write lock first (as `store::begin_write` takes it), waiting for it through
            // the busy handler: the checks below then still hold when the rows are written.
            let txn = Transaction::new_unchecked(conn, TransactionBehavior::Immediate)?;
            let role = self.session_role(&txn, &subject)?;
            let actor = policy::Actor::user(subject.user_id, role);
            // As `access::prospect_to_change`: what a role may never attempt is refused before
            // the prospect is read.
            allowed(policy::attempt(&actor, Kind::Prospect, Action::Change))?;
            let target = target(&txn, &actor, body.prospect_id)?;
            // BEGIN, the session, the checks, the three writes, COMMIT.
            let mut statements = 7;
            let definition = self.definition(&txn, target.version, &mut statements)?;
            let today = Utc::now().date_naive();
            let qualified = domain::qualify(&definition, &body.answers, None, today)
                .map_err(|_| bad_input())?;
            let written = write(&txn, &target, subject.user_id, &qualified)?;
            txn.commit()?;
            self.ran(statements);
            Ok(answer(&target, &definition, &qualified, &written))
        })
    }

    /// The standard's definition: from the cache when published, else read and parsed.
    fn definition(
        &self,
        conn: &Connection,
        id: Uuid,
        statements: &mut u64,
    ) -> Result<Arc<Definition>, Fail> {
        if let Some(found) = self
            .definitions
            .read()
            .ok()
            .and_then(|c| c.get(&id).cloned())
        {
            return Ok(found);
        }
        *statements += 2;
        let (definition, published) = read_definition(conn, id)?;
        let definition = Arc::new(definition);
        if published && let Ok(mut cache) = self.definitions.write() {
            cache.insert(id, Arc::clone(&definition));
        }
        Ok(definition)
    }
}

/// The policy's answer as the API's error codes.
fn allowed(outcome: Outcome) -> Result<(), Fail> {
    match outcome {
        Outcome::Allowed => Ok(()),
        Outcome::Hidden => Err(Fail(StatusCode::NOT_FOUND, "NOT_FOUND")),
        Outcome::Forbidden(_) => Err(Fail(StatusCode::FORBIDDEN, "FORBIDDEN")),
    }
}

/// `access::prospect_to_change`, `require_active` and the program's standard, in one
/// statement: the prospect's facts for the policy (its owner, its program, and whether the
/// actor runs that program or is enrolled in it), whether it is archived, and its
/// program's standard version.
fn target(conn: &Connection, actor: &policy::Actor, id: Uuid) -> Result<Target, Fail> {
    let found = conn
        .prepare_cached(
            "SELECT p.owner_id, p.program_id, p.archived_at IS NOT NULL, g.standard_version_id, \
             g.mentor_id = ?2, EXISTS (SELECT 1 FROM enrollments e WHERE e.mentee_id = ?2 \
                 AND e.program_id = p.program_id AND e.removed_at IS NULL) \
             FROM prospects p JOIN programs g ON g.id = p.program_id WHERE p.id = ?1",
        )?
        .query_row(
            (
                id.as_bytes().as_slice(),
                actor.user_id.as_bytes().as_slice(),
            ),
            |row| {
                Ok((
                    super::uuid(row.get_ref(0)?),
                    super::uuid(row.get_ref(1)?),
                    row.get::<_, bool>(2)?,
                    row.get_ref(3)?.as_blob_or_null()?.map(Uuid::from_slice),
                    row.get::<_, bool>(4)?,
                    row.get::<_, bool>(5)?,
                ))
            },
        )
        .optional()?;
    let Some((owner, program, archived, standard, runs, enrolled)) = found else {
        return Err(Fail(StatusCode::NOT_FOUND, "NOT_FOUND"));
    };
    // The actor's tie as `access::facts::tie` finds it: a mentor runs the programs they
    // are the mentor of, a mentee is in those they are actively enrolled in.
    let tie = match actor.role {
        policy::Role::Mentor if runs => Tie::Runs,
        policy::Role::Mentee if enrolled => Tie::Enrolled,
        _ => Tie::Outside,
    };
    let program = program?;
    let facts = Facts {
        owner: Some(owner?),
        program: Some(program),
        tie,
        ..Facts::default()
    };
    allowed(policy::decide(
        actor,
        Kind::Prospect,
        Action::Change,
        &facts,
    ))?;
    if archived {
        return Err(conflict());
    }
    let version = standard
        .transpose()
        .map_err(|_| Fail::internal())?
        .ok_or_else(conflict)?;
    Ok(Target {
        prospect: id,
        program,
        version,
    })
}

/// A version's definition as `store::versions` reads it, and whether it is published.
fn read_definition(conn: &Connection, id: Uuid) -> Result<(Definition, bool), Fail> {
    let key = id.as_bytes().as_slice();
    let version = conn
        .prepare_cached(
            "SELECT status, threshold_a, threshold_b, horizon_months, exception_policy, \
             knockout_cap FROM template_versions WHERE id = ?1",
        )?
        .query_row([key], |row| {
            Ok((
                row.get_ref(0)?.as_str()? == "PUBLISHED",
                row.get::<_, u32>(1)?,
                row.get::<_, u32>(2)?,
                row.get::<_, u32>(3)?,
                row.get::<_, String>(4)?,
                row.get::<_, String>(5)?,
            ))
        })
        .optional()?;
    let Some((published, threshold_a, threshold_b, horizon_months, policy, cap)) = version else {
        return Err(Fail(StatusCode::NOT_FOUND, "NOT_FOUND"));
    };
    let mut statement = conn.prepare_cached(
        "SELECT key, label, question, weight, rule, json_format FROM criteria \
         WHERE version_id = ?1 ORDER BY position",
    )?;
    let mut rows = statement.query([key])?;
    let mut criteria = Vec::new();
    while let Some(row) = rows.next()? {
        // The one stored format this code reads (`store::codes::JSON_FORMAT`).
        if row.get::<_, i64>(5)? != 1 {
            return Err(Fail::internal());
        }
        criteria.push(domain::CriterionDraft {
            key: row.get(0)?,
            label: row.get(1)?,
            question: row.get(2)?,
            weight: row.get(3)?,
            rule: serde_json::from_str(row.get_ref(4)?.as_str()?).map_err(|_| Fail::internal())?,
        });
    }
    let draft = domain::DefinitionDraft {
        criteria,
        threshold_a,
        threshold_b,
        horizon_months,
        exception_policy: match policy.as_str() {
            "STRICT" => domain::ExceptionPolicy::Strict,
            "REVIEW" => domain::ExceptionPolicy::Review,
            _ => return Err(Fail::internal()),
        },
        knockout_cap: match cap.as_str() {
            "A" => Tier::A,
            "B" => Tier::B,
            "C" => Tier::C,
            _ => return Err(Fail::internal()),
        },
    };
    let definition = Definition::parse(draft).map_err(|_| Fail::internal())?;
    Ok((definition, published))
}

/// The code `store::codes` writes for a tier.
fn tier(tier: Tier) -> &'static str {
    match tier {
        Tier::A => "A",
        Tier::B => "B",
        Tier::C => "C",
    }
}

/// The code `store::codes` writes for a verdict.
fn verdict(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Accept => "ACCEPT",
        Verdict::AcceptWithPlan => "ACCEPT_WITH_PLAN",
        Verdict::Decline => "DECLINE",
    }
}

/// A JSON column's text as the store writes it: through `serde_json::Value` (whose maps
/// are sorted by key), then compact, as sqlx binds a `Value` on SQLite.
fn stored_json(value: &impl serde::Serialize) -> Result<String, Fail> {
    serde_json::to_value(value)
        .and_then(|v| serde_json::to_string(&v))
        .map_err(|_| Fail::internal())
}

/// A timestamp as the store writes it: `clock::now` (microseconds), as sqlx binds a
/// `DateTime<Utc>` on SQLite.
fn stored_now() -> String {
    stored_time(Utc::now())
}

fn stored_time(at: DateTime<Utc>) -> String {
    at.trunc_subsecs(6)
        .to_rfc3339_opts(SecondsFormat::AutoSi, false)
}

/// The qualification, the prospect's update and the audit record: the rows of
/// `insert_qualification`, `save_prospect` and `audit::record`, column for column.
fn write(
    conn: &Connection,
    target: &Target,
    me: Uuid,
    qualified: &Qualified,
) -> Result<Written, Fail> {
    let result = &qualified.result;
    let id = Uuid::now_v7();
    let created_at = stored_now();
    let requalify_by = result.requalify_by.map(|d| d.format("%F").to_string());
    let scoring_rule: i64 = match result.scoring_rule {
        domain::ScoringRule::BasisPointsPerAnswer => 1,
        domain::ScoringRule::ExactFractions => 2,
    };
    let outlook = qualified.outlook.as_ref().map(stored_json).transpose()?;
    // S2 sends no evidence: no assumption, a share of 0, as the store writes it.
    conn.prepare_cached(
        "INSERT INTO qualifications (id, prospect_id, template_version_id, qualified_by, \
         answers, outlook, score_bp, tier, knockouts, unknowns, explanation, \
         projected_score_bp, projected_tier, projected_explanation, verdict, plan, \
         requalify_by, created_at, scoring_rule, json_format, assumption_share_bp, program_id) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, \
         ?18, ?19, 1, 0, ?20)",
    )?
    .execute(rusqlite::params![
        id.as_bytes().as_slice(),
        target.prospect.as_bytes().as_slice(),
        target.version.as_bytes().as_slice(),
        me.as_bytes().as_slice(),
        stored_json(&qualified.answers)?,
        outlook,
        result.now.score_bp.get(),
        tier(result.now.tier),
        stored_json(&result.now.knockouts)?,
        stored_json(&result.now.unknowns)?,
        stored_json(&result.now)?,
        result.projected.score_bp.get(),
        tier(result.projected.tier),
        stored_json(&result.projected)?,
        verdict(result.verdict),
        result.plan,
        requalify_by,
        created_at,
        scoring_rule,
        target.program.as_bytes().as_slice(),
    ])?;
    let revision: i64 = conn
        .prepare_cached(
            "UPDATE prospects SET status = 'QUALIFIED', latest_qualification_id = ?2, \
             requalify_by = ?3, revision = revision + 1, updated_at = ?4, \
             latest_score_bp = ?5, latest_tier = ?6, latest_verdict = ?7 WHERE id = ?1 \
             RETURNING revision",
        )?
        .query_row(
            (
                target.prospect.as_bytes().as_slice(),
                id.as_bytes().as_slice(),
                requalify_by,
                stored_now(),
                result.now.score_bp.get(),
                tier(result.now.tier),
                verdict(result.verdict),
            ),
            |row| row.get(0),
        )?;
    // Its event, in the outbox: the body the API's `events::prospect_qualified` writes,
    // built by SQLite's `json_object` from the prospect's row.
    let gid = |kind: &str, id: Uuid| {
        let mut out = Vec::with_capacity(80);
        super::global_id(&mut out, kind, id);
        String::from_utf8_lossy(&out).trim_matches('"').to_owned()
    };
    let event = Uuid::now_v7();
    conn.prepare_cached(
        "INSERT INTO events (id, event_type, occurred_at, program_id, mentor_id, subject_id, body) \
         SELECT ?1, 'prospect.qualified', ?2, p.program_id, g.mentor_id, p.owner_id, \
         json_object('data', json_object('prospect', json_object('company', p.company, \
         'id', ?3, 'name', p.name, 'ownerId', ?4, 'programId', ?5, 'status', p.status), \
         'qualification', json_object('id', ?6, 'requalifyBy', ?7, 'scoreBasisPoints', ?8, \
         'templateVersionId', ?9, 'tier', ?10, 'verdict', ?11)), 'id', ?12, \
         'timestamp', ?13, 'type', 'prospect.qualified') \
         FROM prospects p JOIN programs g ON g.id = p.program_id WHERE p.id = ?14",
    )?
    .execute(rusqlite::params![
        event.as_bytes().as_slice(),
        stored_now(),
        gid("Prospect", target.prospect),
        gid("User", me),
        gid("Program", target.program),
        gid("Qualification", id),
        result.requalify_by.map(|d| d.format("%F").to_string()),
        result.now.score_bp.get(),
        gid("TemplateVersion", target.version),
        tier(result.now.tier),
        verdict(result.verdict),
        format!("evt_{}", event.simple()),
        chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        target.prospect.as_bytes().as_slice(),
    ])?;
    // The API's request id: a fresh UUID, as `request_meta::middleware` makes one.
    let request_id = Uuid::now_v7().simple().to_string();
    conn.prepare_cached(
        "INSERT INTO audit_log (id, actor_id, action, object_type, object_id, request_id, \
         created_at, program_id, subject_id) VALUES (?1, ?2, 'prospect.qualify', \
         'Qualification', ?3, ?4, ?5, (SELECT program_id FROM prospects WHERE id = ?6), \
         (SELECT owner_id FROM prospects WHERE id = ?6))",
    )?
    .execute((
        Uuid::now_v7().as_bytes().as_slice(),
        me.as_bytes().as_slice(),
        id.as_bytes().as_slice(),
        request_id,
        stored_now(),
        target.prospect.as_bytes().as_slice(),
    ))?;
    Ok(Written {
        qualification: id,
        created_at,
        revision,
    })
}

/// `{"data": {"qualifyProspect": ...}}` for `scenarios::QUALIFY`, in its field order.
fn answer(target: &Target, definition: &Definition, q: &Qualified, written: &Written) -> Vec<u8> {
    let now = &q.result.now;
    let mut out = Vec::with_capacity(512 + 256 * now.explanation.len());
    out.extend_from_slice(br#"{"data":{"qualifyProspect":{"qualification":{"id":"#);
    global_id(&mut out, "Qualification", written.qualification);
    out.extend_from_slice(br#","createdAt":"#);
    string(&mut out, &written.created_at);
    out.extend_from_slice(br#","score":"#);
    let _ = serde_json::to_writer(&mut out, &now.score_bp.as_percent());
    let _ = write!(out, r#","scoreBasisPoints":{},"tier":"#, now.score_bp.get());
    string(&mut out, tier(now.tier));
    out.extend_from_slice(br#","verdict":"#);
    string(&mut out, verdict(q.result.verdict));
    out.extend_from_slice(br#","knockouts":"#);
    let _ = serde_json::to_writer(&mut out, &now.knockouts);
    out.extend_from_slice(br#","unknowns":"#);
    let _ = serde_json::to_writer(&mut out, &now.unknowns);
    out.extend_from_slice(br#","requalifyBy":"#);
    match q.result.requalify_by {
        Some(date) => string(&mut out, &date.format("%F").to_string()),
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(br#","explanation":["#);
    for (i, c) in now.explanation.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(br#"{"key":"#);
        string(&mut out, c.key.as_str());
        out.extend_from_slice(br#","label":"#);
        let label = definition.criterion(c.key.as_str()).map(|k| k.label());
        string(&mut out, label.unwrap_or_default());
        let _ = write!(
            out,
            r#","pointsBasisPoints":{},"weight":{},"contributionBasisPoints":{},"knockout":{},"unknown":{}}}"#,
            c.points_bp.get(),
            c.weight.get(),
            c.contribution_bp.get(),
            c.knockout,
            c.unknown,
        );
    }
    out.extend_from_slice(br#"]},"prospect":{"id":"#);
    global_id(&mut out, "Prospect", target.prospect);
    let _ = write!(
        out,
        r#","status":"QUALIFIED","revision":{}}}}}}}}}"#,
        written.revision
    );
    out
}
