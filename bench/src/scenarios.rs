//! The scenarios S0..S7: the GraphQL operation each sends to the API, the equivalent
//! baseline route (S0..S5: the feedback loop's S6 and S7 have none), and who it runs as
//! (found in the generated world).

use std::fmt;

use anyhow::{Context, bail};
use api::auth::{TokenKeys, TokenSubject};
use api::graphql::ids::{Kind as IdKind, encode};
use rand::SeedableRng;
use rand::rngs::StdRng;
use serde::{Deserialize, Serialize};
use serde_json::json;
use store::{Db, PageRequest, ProspectFilter, ProspectOrder};
use uuid::Uuid;

use crate::load::Call;
use crate::serve::Kind;
use crate::world;

pub const LOGIN: &str = "mutation($input: LoginInput!) { login(input: $input) { \
    accessToken refreshToken expiresIn user { id email name role } } }";

pub const QUALIFY: &str = "mutation($input: QualifyProspectInput!) { qualifyProspect(input: $input) { \
    qualification { id createdAt score scoreBasisPoints tier verdict knockouts unknowns requalifyBy \
    explanation { key label pointsBasisPoints weight contributionBasisPoints knockout unknown } } \
    prospect { id status revision } } }";

pub const MENTEE_PROSPECTS: &str = "query($first: Int!) { prospects(first: $first) { \
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { \
    id name company status createdAt latestQualification { id createdAt score tier verdict knockouts \
    templateVersion { id number thresholdA thresholdB criteria { key label question weight } } } } } } }";

pub const PROGRAM_PROSPECTS: &str = "query($program: ID!, $first: Int!) { \
    prospects(first: $first, filter: { programId: $program }) { \
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { \
    id name company status latestQualification { id createdAt score tier verdict } \
    decisions(first: 5) { nodes { id decision isException createdAt } } } } } }";

/// S6: the mentee's Pareto picture over a window, and what their exceptions cost.
pub const MENTEE_PARETO: &str = "query($from: Month!, $to: Month!) { \
    feedback(from: $from, to: $to) { from to currencyCode clientCount \
    pareto { totalRevenue { amount currencyCode } \
    byTier { tier revenue { amount currencyCode } shareBasisPoints } \
    byPath { path revenue { amount currencyCode } shareBasisPoints } \
    aShareBasisPoints aShareTargetBasisPoints headClientCount headShareOfClientsBasisPoints \
    head { id name } \
    tierFigures { tier clients revenuePerHour { amount currencyCode } \
    customWorkShareBasisPoints meanEnergy } } \
    costOfExceptions { path clients revenuePerMonth { amount currencyCode } \
    revenuePerHour { amount currencyCode } customWorkShareBasisPoints meanEnergy \
    endedEarlyBasisPoints } } }";

/// S7: the mentor's calibration of one program over a window.
pub const PROGRAM_CALIBRATION: &str = "query($from: Month!, $to: Month!, $program: ID!) { \
    feedback(from: $from, to: $to, programId: $program) { from to clientCount \
    calibration { table { tier head tail } precisionBasisPoints recallBasisPoints \
    criteria { key scoredWell { clients meanMonthlyRevenue { amount currencyCode } } \
    scoredBelow { clients meanMonthlyRevenue { amount currencyCode } } } } \
    pareto { aShareBasisPoints headClientCount } } }";

/// S8: mentor 0's dashboard over the five programs they run, with one row per mentee.
pub const MENTOR_DASHBOARD: &str = "query($from: Date!, $to: Date!) { \
    dashboard(from: $from, to: $to) { from to today figures { ...figures } \
    mentees { mentee { id name } program { id name } figures { ...figures } } } } \
    fragment figures on DashboardFigures { prospectsQualified \
    tierMix { tier count } verdictMix { verdict count } takenOn turnedDown \
    sayNoRateBasisPoints exceptionsRequested exceptionRateBasisPoints exceptionsPending \
    exceptionsApproved exceptionsRejected requalificationsDue requalificationsOverdue \
    clientsFlaggedForExit aShareBasisPoints aShareGoalBasisPoints }";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Scenario {
    /// `{ __typename }`.
    S0,
    /// `login`.
    S1,
    /// `qualifyProspect` against the A-client standard.
    S2,
    /// A mentee's first 20 prospects with latest qualification, version and criteria.
    S3,
    /// A mentor's view of a program: first 50 prospects, latest qualification, decisions.
    S4,
    /// S3 with another page size.
    S5(u64),
    /// The reader mentee's Pareto picture and cost of exceptions, last 12 months.
    S6,
    /// Mentor 0's calibration of their first program, last 12 months.
    S7,
    /// Mentor 0's dashboard over their five programs, last 12 months, a row per mentee.
    S8,
    /// S3 through a read-only API key of the reader instead of an access token.
    S9,
}

impl Scenario {
    /// Whether the baseline answers it: not the feedback loop's S6 and S7, which are
    /// measured on the API alone.
    pub fn on_baseline(self) -> bool {
        !matches!(
            self,
            Scenario::S6 | Scenario::S7 | Scenario::S8 | Scenario::S9
        )
    }

    /// Whether the floor answers it (`floor.rs`): S2, S3 and S5.
    pub fn on_floor(self) -> bool {
        matches!(self, Scenario::S2 | Scenario::S3 | Scenario::S5(_))
    }
}

impl fmt::Display for Scenario {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scenario::S5(first) => write!(f, "S5 first={first}"),
            other => write!(f, "{other:?}"),
        }
    }
}

/// Who and what the scenarios use, looked up in the generated world.
pub struct Targets {
    reader: String,
    /// `Bearer qk_...`: a read-only API key of the reader's.
    reader_key: String,
    writer: String,
    mentor: String,
    program: Uuid,
    writer_prospects: Vec<Uuid>,
    logins: Vec<String>,
    answers: Vec<Vec<domain::AnswerDraft>>,
}

impl Targets {
    /// # Errors
    /// When the database does not hold a generated world.
    pub async fn find(db: &Db) -> anyhow::Result<Targets> {
        let user = |email: String| async move {
            store::users::user_by_email(db, &email)
                .await?
                .with_context(|| format!("no user {email}: generate the data first"))
        };
        let reader = user(world::mentee_email(world::READER)).await?;
        let writer = user(world::mentee_email(world::WRITER)).await?;
        let mentor = user(world::mentor_email(0)).await?;
        let program = *store::programs::program_ids_for_mentor(db, mentor.id)
            .await?
            .iter()
            .min()
            .context("the mentor has no program")?;
        let filter = ProspectFilter::default();
        let visible = domain::policy::Visibility {
            owner: Some(writer.id),
            programs: domain::policy::Programs::Any,
            program: None,
        };
        let request = PageRequest::first(64, None);
        let order = ProspectOrder::CREATED_DESC;
        let page = store::visible::prospects_page(db, &visible, &filter, order, request).await?;
        let writer_prospects: Vec<Uuid> = page.items.iter().map(|p| p.id).collect();
        if writer_prospects.is_empty() {
            bail!("the writer mentee has no prospects");
        }
        let standard = store::programs::program_by_id(db, program)
            .await?
            .and_then(|p| p.standard_version_id)
            .context("the program has no standard")?;
        let version = store::templates::versions_by_ids(db, &[standard])
            .await?
            .pop()
            .context("no standard version")?;
        let mut rng = StdRng::seed_from_u64(7);
        let answers = (0..writer_prospects.len())
            .map(|_| world::answers(&version.definition, &mut rng))
            .collect();
        let mut logins = Vec::new();
        for i in world::LOGIN_FIRST..world::LOGIN_FIRST + world::LOGINS {
            let email = world::mentee_email(i);
            if store::users::user_by_email(db, &email).await?.is_some() {
                logins.push(email);
            }
        }
        let keys = TokenKeys::new(world::JWT_SECRET.as_bytes(), world::ACCESS_TTL_SECS)
            .map_err(|_| anyhow::anyhow!("bad secret"))?;
        let now = chrono::Utc::now();
        let mut sessions = Vec::new();
        for u in [&reader, &writer, &mentor] {
            // A real session (refresh-token family), as a login would leave behind.
            let family = Uuid::now_v7();
            let (_, digest) = api::auth::tokens::new_refresh_token();
            let expires = now + chrono::Duration::seconds(world::ACCESS_TTL_SECS as i64);
            let client = store::sessions::SessionClient::default();
            store::sessions::insert_refresh_token(db, u.id, family, &digest, expires, &client)
                .await?;
            let subject = TokenSubject {
                user_id: u.id,
                role: u.role,
                session_id: family,
                issued_at: now.timestamp().unsigned_abs(),
            };
            let token = keys
                .issue_access(subject, now.timestamp().unsigned_abs())
                .map_err(|_| anyhow::anyhow!("cannot sign a token"))?;
            sessions.push(format!("Bearer {token}"));
        }
        // A read-only key of the reader's, made as `createApiKey` makes one.
        let (secret, prefix, digest) = api::auth::api_keys::new_key();
        store::api_keys::create_key(
            db,
            store::api_keys::NewApiKey {
                owner_id: reader.id,
                name: "bench",
                prefix: &prefix,
                digest: &digest,
                can_write: false,
                program_id: None,
                expires_at: None,
            },
        )
        .await?;
        let [reader, writer, mentor]: [String; 3] = sessions
            .try_into()
            .map_err(|_| anyhow::anyhow!("three sessions"))?;
        Ok(Targets {
            reader_key: format!("Bearer {secret}"),
            reader,
            writer,
            mentor,
            program,
            writer_prospects,
            logins,
            answers,
        })
    }

    /// The requests (cycled through) and the `Authorization` header of a scenario. The
    /// floor is sent the baseline's routes; it answers only S2, S3 and S5
    /// (`Scenario::on_floor`; the others are 404). S6 and S7 have no baseline route
    /// (`Scenario::on_baseline`): the harness sends them to the API only, and asking for
    /// them elsewhere gets a route that is 404.
    pub fn calls(&self, scenario: Scenario, kind: Kind) -> (Vec<Call>, Option<String>) {
        let graphql = |query: &str, variables: serde_json::Value| Call {
            path: "/graphql".to_owned(),
            body: Some(json!({ "query": query, "variables": variables }).to_string()),
        };
        let get = |path: String| Call { path, body: None };
        let post = |path: &str, body: serde_json::Value| Call {
            path: path.to_owned(),
            body: Some(body.to_string()),
        };
        match (scenario, kind) {
            (Scenario::S0, Kind::Api) => (vec![graphql("{ __typename }", json!({}))], None),
            (Scenario::S0, Kind::Baseline | Kind::Floor) => (
                vec![post("/s0", json!({ "query": "{ __typename }" }))],
                None,
            ),
            (Scenario::S1, kind) => {
                let calls = self
                    .logins
                    .iter()
                    .map(|email| {
                        let input = json!({ "email": email, "password": world::PASSWORD });
                        match kind {
                            Kind::Api => graphql(LOGIN, json!({ "input": input })),
                            Kind::Baseline | Kind::Floor => post("/s1", input),
                        }
                    })
                    .collect();
                (calls, None)
            }
            (Scenario::S2, kind) => {
                let calls = self
                    .writer_prospects
                    .iter()
                    .zip(&self.answers)
                    .map(|(id, answers)| match kind {
                        Kind::Api => {
                            let answers: Vec<_> = answers.iter().map(world::answer_input).collect();
                            let input = json!({ "prospectId": encode(IdKind::Prospect, *id).0,
                                                "answers": answers });
                            graphql(QUALIFY, json!({ "input": input }))
                        }
                        Kind::Baseline | Kind::Floor => {
                            post("/s2", json!({ "prospectId": id, "answers": answers }))
                        }
                    })
                    .collect();
                (calls, Some(self.writer.clone()))
            }
            (Scenario::S3, kind) => self.calls(Scenario::S5(20), kind),
            (Scenario::S9, Kind::Api) => (
                vec![graphql(MENTEE_PROSPECTS, json!({ "first": 20 }))],
                Some(self.reader_key.clone()),
            ),
            (Scenario::S9, Kind::Baseline | Kind::Floor) => {
                (vec![get("/feedback".to_owned())], None)
            }
            (Scenario::S5(first), Kind::Api) => (
                vec![graphql(MENTEE_PROSPECTS, json!({ "first": first }))],
                Some(self.reader.clone()),
            ),
            (Scenario::S5(first), Kind::Baseline | Kind::Floor) => (
                vec![get(format!("/s3?first={first}"))],
                Some(self.reader.clone()),
            ),
            (Scenario::S4, Kind::Api) => {
                let program = encode(IdKind::Program, self.program).0;
                (
                    vec![graphql(
                        PROGRAM_PROSPECTS,
                        json!({ "program": program, "first": 50 }),
                    )],
                    Some(self.mentor.clone()),
                )
            }
            (Scenario::S4, Kind::Baseline | Kind::Floor) => (
                vec![get(format!("/s4?program={}&first=50", self.program))],
                Some(self.mentor.clone()),
            ),
            (Scenario::S6, Kind::Api) => (
                vec![graphql(MENTEE_PARETO, window(chrono::Utc::now()))],
                Some(self.reader.clone()),
            ),
            (Scenario::S7, Kind::Api) => {
                let mut variables = window(chrono::Utc::now());
                variables["program"] = json!(encode(IdKind::Program, self.program).0);
                (
                    vec![graphql(PROGRAM_CALIBRATION, variables)],
                    Some(self.mentor.clone()),
                )
            }
            (Scenario::S8, Kind::Api) => {
                let today = chrono::Utc::now().date_naive();
                let from = today - chrono::Days::new(364);
                (
                    vec![graphql(
                        MENTOR_DASHBOARD,
                        json!({ "from": from.to_string(), "to": today.to_string() }),
                    )],
                    Some(self.mentor.clone()),
                )
            }
            (Scenario::S6 | Scenario::S7 | Scenario::S8, Kind::Baseline | Kind::Floor) => {
                (vec![get("/feedback".to_owned())], None)
            }
        }
    }
}

/// `from` and `to` of the last 12 months up to the month of `now`, as `Month` scalars.
fn window(now: chrono::DateTime<chrono::Utc>) -> serde_json::Value {
    let to = domain::Month::of(now.date_naive());
    let from = crate::generate::month_at(to, -11);
    json!({ "from": from.to_string(), "to": to.to_string() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_graphql_document_parses() {
        // S6 and S7 were written against the SDL contract of issue 15's GraphQL layer,
        // before it landed: this checks their syntax, not the schema.
        for query in [
            LOGIN,
            QUALIFY,
            MENTEE_PROSPECTS,
            PROGRAM_PROSPECTS,
            MENTEE_PARETO,
            PROGRAM_CALIBRATION,
            MENTOR_DASHBOARD,
        ] {
            let parsed = async_graphql::parser::parse_query(query);
            assert!(parsed.is_ok(), "{query}: {parsed:?}");
        }
    }

    #[test]
    fn the_feedback_window_is_the_last_twelve_months_up_to_this_one() {
        let at = |date: &str| {
            chrono::DateTime::parse_from_rfc3339(date).map(|d| d.with_timezone(&chrono::Utc))
        };
        let january = at("2027-01-15T10:00:00Z");
        assert_eq!(
            january.map(window).ok(),
            Some(json!({ "from": "2026-02", "to": "2027-01" }))
        );
        let december = at("2026-12-31T23:59:59Z");
        assert_eq!(
            december.map(window).ok(),
            Some(json!({ "from": "2026-01", "to": "2026-12" }))
        );
    }
}
