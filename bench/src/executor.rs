//! `bench executor`: what async-graphql alone costs to answer S3's document, with no
//! database, no HTTP and no authorization (issue 14: is 2x the floor within reach?).
//!
//! A schema of the same shape as S3's answer (`Prospect`, `Qualification`,
//! `TemplateVersion`, `Criterion`) whose resolvers only read prepared values in memory,
//! executed on one thread for the same page the bench's S3 asks for: twenty prospects,
//! each with a latest qualification against the A-client standard (ten criteria). Four
//! figures, CPU per request:
//! - `parse`: parsing the document (the API caches parsed documents, so it pays this
//!   once per text);
//! - `execute, every field resolved`: `Schema::execute` (parse, validation, resolution,
//!   the value tree) and serializing the response, each criterion resolved as async-graphql
//!   resolves any object;
//! - `execute, criteria copied`: the same, with each version's criteria resolved once and
//!   copied (what `api::graphql::shared` does);
//! - `serialize`: of the above, serializing the ready response to bytes;
//! - `hand-written JSON`: the same answer written straight into a buffer from the same
//!   values, as the floor writes it.
//!
//! The difference between the two last is what the executor costs on this document before
//! any byte is read from a database.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::time::Instant;

use async_graphql::parser::types::Field;
use async_graphql::registry::Registry;
use async_graphql::{
    ContextSelectionSet, EmptyMutation, EmptySubscription, Object, OutputType, Positioned, Schema,
    ServerResult, SimpleObject, Value,
};
use serde::Serialize;

use crate::scenarios::MENTEE_PROSPECTS;

/// What one run measured, in microseconds of CPU per request (medians of `rounds`).
#[derive(Debug, Serialize)]
pub struct Figures {
    pub iterations: usize,
    pub rounds: usize,
    pub response_bytes: usize,
    pub parse_us: f64,
    pub execute_every_field_us: f64,
    pub execute_criteria_copied_us: f64,
    /// Of `execute_criteria_copied_us`: serializing the ready response.
    pub serialize_us: f64,
    pub hand_written_json_us: f64,
}

#[derive(SimpleObject, Clone)]
struct Criterion {
    key: String,
    label: String,
    question: String,
    weight: i32,
}

/// A version's criteria as a list resolved once: each use copies the resolved value.
struct CopiedCriteria(Value);

impl OutputType for CopiedCriteria {
    fn type_name() -> Cow<'static, str> {
        <Vec<Criterion> as OutputType>::type_name()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        <Vec<Criterion> as OutputType>::create_type_info(registry)
    }

    async fn resolve(
        &self,
        _ctx: &ContextSelectionSet<'_>,
        _field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        Ok(self.0.clone())
    }
}

#[derive(Clone)]
struct Version {
    id: String,
    number: i32,
    threshold_a: i32,
    threshold_b: i32,
    criteria: Vec<Criterion>,
    /// `criteria` resolved for S3's selection (`key label question weight`).
    resolved: Value,
}

#[Object(name = "TemplateVersion")]
impl Version {
    async fn id(&self) -> &str {
        &self.id
    }
    async fn number(&self) -> i32 {
        self.number
    }
    async fn threshold_a(&self) -> i32 {
        self.threshold_a
    }
    async fn threshold_b(&self) -> i32 {
        self.threshold_b
    }
    async fn criteria(&self) -> Result<Vec<Criterion>, async_graphql::Error> {
        Ok(self.criteria.clone())
    }
    /// The same list, resolved once and copied (S3's document asks for it under an alias).
    #[graphql(name = "criteriaCopied")]
    async fn criteria_copied(&self) -> CopiedCriteria {
        CopiedCriteria(self.resolved.clone())
    }
}

#[derive(SimpleObject, Clone)]
struct Qualification {
    id: String,
    created_at: String,
    score: f64,
    tier: String,
    verdict: String,
    knockouts: Vec<String>,
    template_version: Version,
}

#[derive(SimpleObject, Clone)]
struct Prospect {
    id: String,
    name: String,
    company: Option<String>,
    status: String,
    created_at: String,
    latest_qualification: Option<Qualification>,
}

#[derive(SimpleObject)]
struct PageInfo {
    has_next_page: bool,
    end_cursor: Option<String>,
}

#[derive(SimpleObject)]
struct Edge {
    cursor: String,
    node: Prospect,
}

#[derive(SimpleObject)]
struct Connection {
    total_count: i64,
    page_info: PageInfo,
    edges: Vec<Edge>,
}

struct Query(Vec<Prospect>);

#[Object]
impl Query {
    async fn prospects(&self, first: i32) -> Connection {
        let first = usize::try_from(first).unwrap_or(0);
        let items: Vec<Prospect> = self.0.iter().take(first).cloned().collect();
        Connection {
            total_count: 200,
            page_info: PageInfo {
                has_next_page: true,
                end_cursor: items.last().map(|p| p.id.clone()),
            },
            edges: items
                .into_iter()
                .map(|node| Edge {
                    cursor: node.id.clone(),
                    node,
                })
                .collect(),
        }
    }
}

fn page(count: usize) -> Vec<Prospect> {
    let def = domain::a_client_standard();
    let criteria: Vec<Criterion> = def
        .criteria()
        .iter()
        .map(|c| Criterion {
            key: c.key().as_str().to_owned(),
            label: c.label().to_owned(),
            question: c.question().to_owned(),
            weight: i32::try_from(c.weight().get()).unwrap_or(0),
        })
        .collect();
    let resolved = Value::List(
        criteria
            .iter()
            .map(|c| {
                Value::Object(
                    [
                        ("key", Value::String(c.key.clone())),
                        ("label", Value::String(c.label.clone())),
                        ("question", Value::String(c.question.clone())),
                        ("weight", Value::from(c.weight)),
                    ]
                    .into_iter()
                    .map(|(k, v)| (async_graphql::Name::new(k), v))
                    .collect(),
                )
            })
            .collect(),
    );
    let version = Version {
        id: "VGVtcGxhdGVWZXJzaW9uOjAxOTMwMDAwLTAwMDAtNzAwMC04MDAwLTAwMDAwMDAwMDAwMQ".to_owned(),
        number: 1,
        threshold_a: 75,
        threshold_b: 50,
        criteria,
        resolved,
    };
    (0..count)
        .map(|i| Prospect {
            id: format!("UHJvc3BlY3Q6MDE5MzAwMDAtMDAwMC03MDAwLTgwMDAtMDAwMDAwMDAwe{i:03}"),
            name: format!("Prospect {i} of mentee 0"),
            company: Some(format!("Company {i} GmbH")),
            status: "QUALIFIED".to_owned(),
            created_at: "2026-11-30T08:00:00.123456Z".to_owned(),
            latest_qualification: Some(Qualification {
                id: format!("UXVhbGlmaWNhdGlvbjowMTkzMDAwMC0wMDAwLTcwMDAtODAwMC0wMDAwMDAwe{i:03}"),
                created_at: "2026-11-30T08:00:01.123456Z".to_owned(),
                score: 61.25,
                tier: "B".to_owned(),
                verdict: "ACCEPT_WITH_PLAN".to_owned(),
                knockouts: Vec::new(),
                template_version: version.clone(),
            }),
        })
        .collect()
}

/// The floor's way: the same answer written into one buffer.
fn hand_written(prospects: &[Prospect], out: &mut String) {
    out.clear();
    out.push_str("{\"data\":{\"prospects\":{\"totalCount\":200,\"pageInfo\":{\"hasNextPage\":true,\"endCursor\":");
    let json = |out: &mut String, s: &str| {
        let _ = serde_json::to_writer(string_writer(out), s);
    };
    match prospects.last() {
        Some(p) => json(out, &p.id),
        None => out.push_str("null"),
    }
    out.push_str("},\"edges\":[");
    for (i, p) in prospects.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str("{\"cursor\":");
        json(out, &p.id);
        out.push_str(",\"node\":{\"id\":");
        json(out, &p.id);
        out.push_str(",\"name\":");
        json(out, &p.name);
        out.push_str(",\"company\":");
        match &p.company {
            Some(c) => json(out, c),
            None => out.push_str("null"),
        }
        let _ = write!(
            out,
            ",\"status\":\"{}\",\"createdAt\":\"{}\",\"latestQualification\":",
            p.status, p.created_at
        );
        let Some(q) = &p.latest_qualification else {
            out.push_str("null}}");
            continue;
        };
        let v = &q.template_version;
        let _ = write!(
            out,
            "{{\"id\":\"{}\",\"createdAt\":\"{}\",\"score\":{},\"tier\":\"{}\",\"verdict\":\"{}\",\"knockouts\":[],\"templateVersion\":{{\"id\":\"{}\",\"number\":{},\"thresholdA\":{},\"thresholdB\":{},\"criteria\":[",
            q.id,
            q.created_at,
            q.score,
            q.tier,
            q.verdict,
            v.id,
            v.number,
            v.threshold_a,
            v.threshold_b
        );
        for (j, c) in v.criteria.iter().enumerate() {
            if j > 0 {
                out.push(',');
            }
            out.push_str("{\"key\":");
            json(out, &c.key);
            out.push_str(",\"label\":");
            json(out, &c.label);
            out.push_str(",\"question\":");
            json(out, &c.question);
            let _ = write!(out, ",\"weight\":{}}}", c.weight);
        }
        out.push_str("]}}}}");
    }
    out.push_str("]}}}");
}

/// A `String` as an `io::Write` of UTF-8 (serde_json writes only valid UTF-8).
fn string_writer(out: &mut String) -> impl std::io::Write + '_ {
    struct W<'a>(&'a mut String);
    impl std::io::Write for W<'_> {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            let s = std::str::from_utf8(buf).map_err(std::io::Error::other)?;
            self.0.push_str(s);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    W(out)
}

/// CPU time of this thread, in microseconds (the executor runs on it alone).
fn thread_cpu_us() -> f64 {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    (ticks(11) + ticks(12)) * 10_000.0
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs.get(xs.len() / 2).copied().unwrap_or(f64::NAN)
}

/// # Errors
/// When the runtime cannot start or an execution answers an error.
pub fn run(iterations: usize, rounds: usize) -> anyhow::Result<Figures> {
    let runtime = tokio::runtime::Builder::new_current_thread().build()?;
    let prospects = page(20);
    let every = Schema::build(Query(prospects.clone()), EmptyMutation, EmptySubscription).finish();
    let copied_query = MENTEE_PROSPECTS.replace("criteria {", "criteria: criteriaCopied {");
    let variables = async_graphql::Variables::from_json(serde_json::json!({ "first": 20 }));
    let request = |query: &str| async_graphql::Request::new(query).variables(variables.clone());

    // The three answers must be the same document.
    let answer = |query: &str| -> anyhow::Result<Vec<u8>> {
        let response = runtime.block_on(every.execute(request(query)));
        anyhow::ensure!(response.errors.is_empty(), "{:?}", response.errors);
        Ok(serde_json::to_vec(&response)?)
    };
    let stock = answer(MENTEE_PROSPECTS)?;
    let copied = answer(&copied_query)?;
    let mut written = String::new();
    hand_written(&prospects, &mut written);
    let parse = |bytes: &[u8]| serde_json::from_slice::<serde_json::Value>(bytes);
    anyhow::ensure!(
        parse(&stock)? == parse(&copied)?,
        "the copied criteria answer differently"
    );
    anyhow::ensure!(
        parse(&stock)? == parse(written.as_bytes())?,
        "the hand-written answer differs from the executor's"
    );

    let time = |f: &mut dyn FnMut()| -> f64 {
        let samples = (0..rounds)
            .map(|_| {
                let start = thread_cpu_us();
                let wall = Instant::now();
                for _ in 0..iterations {
                    f();
                }
                let cpu = thread_cpu_us() - start;
                // Clock ticks are 10 ms: fall back on wall time for short rounds.
                let spent = if cpu > 0.0 {
                    cpu
                } else {
                    wall.elapsed().as_secs_f64() * 1e6
                };
                spent / iterations as f64
            })
            .collect();
        median(samples)
    };
    let parse_us = time(&mut || {
        let _ = std::hint::black_box(async_graphql::parser::parse_query(MENTEE_PROSPECTS));
    });
    let execute = |query: &str| {
        let response = runtime.block_on(every.execute(request(query)));
        let _ = std::hint::black_box(serde_json::to_vec(&response));
    };
    let execute_every_field_us = time(&mut || execute(MENTEE_PROSPECTS));
    let execute_criteria_copied_us = time(&mut || execute(&copied_query));
    let ready = runtime.block_on(every.execute(request(&copied_query)));
    let serialize_us = time(&mut || {
        let _ = std::hint::black_box(serde_json::to_vec(&ready));
    });
    let hand_written_json_us = time(&mut || {
        hand_written(&prospects, &mut written);
        std::hint::black_box(&written);
    });
    Ok(Figures {
        iterations,
        rounds,
        response_bytes: stock.len(),
        parse_us,
        execute_every_field_us,
        execute_criteria_copied_us,
        serialize_us,
        hand_written_json_us,
    })
}

#[cfg(test)]
mod tests {
    /// `run` refuses to measure unless the executor's two schemas and the hand-written
    /// writer give the same answer, twenty prospects of 1.7 KB or so each.
    #[test]
    fn the_executor_and_the_hand_written_answer_are_the_same_document() -> anyhow::Result<()> {
        let figures = super::run(1, 1)?;
        assert!(
            (30_000..40_000).contains(&figures.response_bytes),
            "{}",
            figures.response_bytes
        );
        Ok(())
    }
}
