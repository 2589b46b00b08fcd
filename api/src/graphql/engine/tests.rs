//! The engine as `server` runs it, over the demo's data: known documents, and the stock
//! and tuned engines answering alike.

use std::sync::Arc;

use async_graphql::{Request, Variables};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config as ProptestConfig, RngAlgorithm, TestRng, TestRunner};
use serde_json::{Value as Json, json};

use super::Engine;
use super::known::MAX_CACHED_QUERY_BYTES;
use crate::app::{AppState, Credentials};
use crate::auth::{Hasher, LoginThrottle, TokenKeys, TokenSubject};
use crate::config::{self, Config};
use crate::http::Answer;

/// The demo's database, and who may ask.
struct World {
    /// Kept for its removal on drop.
    _database: test_support::database::TestDatabase,
    db: store::Db,
    url: String,
    credentials: Vec<Credentials>,
    /// Global ids of prospects (the mentee's), and of a mentee's program.
    prospects: Vec<String>,
    program: String,
}

async fn world() -> anyhow::Result<World> {
    let database = test_support::database::TestDatabase::sqlite_file();
    let url = database.url.clone();
    crate::demo::load(&url).await?;
    let db = store::connect(&url).await?;
    let mut credentials = vec![Credentials::Anonymous, Credentials::Invalid];
    for email in ["mentor@demo.qualify", "ada@demo.qualify"] {
        let user = store::users::user_by_email(&db, email)
            .await?
            .ok_or_else(|| anyhow::anyhow!("no demo user {email}"))?;
        credentials.push(Credentials::Valid(TokenSubject {
            user_id: user.id,
            role: user.role,
            session_id: uuid::Uuid::nil(),
            issued_at: 0,
        }));
    }
    let mut world = World {
        _database: database,
        db,
        url,
        credentials,
        prospects: Vec::new(),
        program: String::new(),
    };
    let engine = engine(&world, config::Engine::Stock);
    let ada = world.credentials[3];
    let listed = run(
        &engine,
        ada,
        "{ prospects(first: 50) { nodes { id program { id } } } }",
        json!({}),
        None,
    )
    .await;
    let data = listed.response.data.into_json()?;
    let nodes = data["prospects"]["nodes"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    world.prospects = nodes
        .iter()
        .filter_map(|n| n["id"].as_str().map(str::to_owned))
        .collect();
    world.program = nodes
        .first()
        .and_then(|n| n["program"]["id"].as_str())
        .unwrap_or_default()
        .to_owned();
    anyhow::ensure!(!world.prospects.is_empty() && !world.program.is_empty());
    Ok(world)
}

fn engine(world: &World, kind: config::Engine) -> Engine {
    let mut config = Config::for_tests(world.url.clone());
    config.engine = kind;
    let state = AppState {
        db: world.db.clone(),
        keys: TokenKeys::new(&[7; 32], 60).unwrap_or_else(|_| unreachable!("32 bytes")),
        hasher: Hasher::new(1),
        throttle: Arc::new(LoginThrottle::new(1000, 1000)),
        key_limit: Arc::new(crate::auth::KeyRateLimit::new(1000)),
        config: Arc::new(config),
        bus: Arc::new(crate::events::Bus::default()),
    };
    Engine::new(state)
}

async fn run(
    engine: &Engine,
    credentials: Credentials,
    query: &str,
    variables: Json,
    operation: Option<&str>,
) -> Answer {
    let mut request = Request::new(query).variables(Variables::from_json(variables));
    if let Some(name) = operation {
        request = request.operation_name(name);
    }
    engine.execute(credentials, request).await
}

/// What a client sees of an answer: the body, and whether the operation ran (which decides
/// the HTTP status).
fn seen(answer: &Answer) -> (String, bool) {
    let body = serde_json::to_string(&answer.response).unwrap_or_default();
    (body, answer.executed)
}

/// [`seen`], up to what async-graphql itself does not decide the same way twice: it puts
/// the keys of an object resolved in parallel (a query's fields) in the order their
/// resolvers finish, and field errors in the order they happen (the same stock engine
/// answers `{ a: prospects { totalCount } viewer { name } }` with either key first). Keys
/// are compared as a map (`serde_json::Value`'s equality) and an executed response's
/// errors as a set; request errors, lists and everything else as they are.
fn seen_up_to_completion_order(answer: &Answer) -> (Json, bool) {
    let mut body = serde_json::to_value(&answer.response).unwrap_or_default();
    if answer.executed
        && let Some(errors) = body.get_mut("errors").and_then(Json::as_array_mut)
    {
        errors.sort_by_key(ToString::to_string);
    }
    (body, answer.executed)
}

fn code(answer: &Answer) -> Option<String> {
    answer
        .response
        .errors
        .first()
        .and_then(|e| e.extensions.as_ref())
        .and_then(|x| x.get("code"))
        .map(ToString::to_string)
}

const QUALIFY: &str = "mutation($input: QualifyProspectInput!) { \
    qualifyProspect(input: $input) { qualification { score tier } } }";

fn ten_answers(scale: Json) -> Json {
    let mut answers = vec![
        json!({ "key": "decision_maker", "value": { "yes": true } }),
        json!({ "key": "values_expertise", "value": { "scale": scale } }),
        json!({ "key": "revenue_fit", "value": { "number": 80000 } }),
        json!({ "key": "standard_product", "value": { "yes": true } }),
        json!({ "key": "referral", "value": { "yes": false } }),
    ];
    for key in [
        "speaks_our_language",
        "team_fit",
        "growth",
        "bhag_fit",
        "energy",
    ] {
        answers.push(json!({ "key": key, "value": { "scale": 4 } }));
    }
    Json::Array(answers)
}

#[tokio::test]
async fn a_known_document_is_trusted_only_once_full_validation_has_executed_it()
-> anyhow::Result<()> {
    let world = world().await?;
    let engine = engine(&world, config::Engine::Tuned);
    let ada = world.credentials[3];
    let input = |scale: Json| json!({ "input": { "prospectId": world.prospects[0], "answers": ten_answers(scale) } });
    let known = |query: &str| {
        engine
            .known
            .as_ref()
            .and_then(|(documents, _)| documents.get(query))
    };

    // An invalid document is kept (it passed the limits) but never marked valid.
    let unknown = run(&engine, ada, "{ nope }", json!({}), None).await;
    assert!(!unknown.executed);
    assert_eq!(
        code(&unknown).as_deref(),
        Some("\"GRAPHQL_VALIDATION_FAILED\"")
    );
    assert!(known("{ nope }").is_some_and(|k| !k.is_valid()));

    // Refused for its variables: not marked either.
    let refused = run(&engine, ada, QUALIFY, input(json!("four")), None).await;
    assert!(!refused.executed);
    assert!(known(QUALIFY).is_some_and(|k| !k.is_valid()));

    // Executed: marked.
    let first = run(&engine, ada, QUALIFY, input(json!(4)), None).await;
    assert!(first.executed, "{:?}", first.response.errors);
    assert!(
        first.response.errors.is_empty(),
        "{:?}",
        first.response.errors
    );
    assert!(known(QUALIFY).is_some_and(|k| k.is_valid()));

    // Bad variables on the known document get the same refusal as before, and good ones
    // run as before.
    let again = run(&engine, ada, QUALIFY, input(json!("four")), None).await;
    assert_eq!(seen(&again), seen(&refused));
    let second = run(&engine, ada, QUALIFY, input(json!(4)), None).await;
    assert_eq!(seen(&second), seen(&first));
    assert_eq!(engine.known_documents(), 2);
    Ok(())
}

#[tokio::test]
async fn refused_and_long_documents_are_not_kept_and_stock_keeps_none() -> anyhow::Result<()> {
    let world = world().await?;
    let tuned = engine(&world, config::Engine::Tuned);
    let stock = engine(&world, config::Engine::Stock);
    let mentor = world.credentials[2];
    let aliases: String = (0..20).map(|i| format!("a{i}: __typename ")).collect();
    let too_many = format!("{{ {aliases} }}");
    for _ in 0..2 {
        let refused = run(&tuned, mentor, &too_many, json!({}), None).await;
        assert_eq!(code(&refused).as_deref(), Some("\"TOO_MANY_ALIASES\""));
    }
    let padding = " ".repeat(MAX_CACHED_QUERY_BYTES);
    let long = format!("{{ viewer {{ name }} }}{padding}");
    let answer = run(&tuned, mentor, &long, json!({}), None).await;
    assert_eq!(
        answer.response.data.into_json()?,
        json!({ "viewer": { "name": "Maria Mentor" } })
    );
    assert_eq!(tuned.known_documents(), 0);
    let short = run(&stock, mentor, "{ viewer { name } }", json!({}), None).await;
    assert!(short.executed);
    assert_eq!(stock.known_documents(), 0);
    Ok(())
}

/// A field that fails in a document too long to be kept still has its `null` put where
/// the specification wants it (the document is parsed again for `nulls`).
#[tokio::test]
async fn field_errors_of_an_uncached_document_are_nulled() -> anyhow::Result<()> {
    let world = world().await?;
    let tuned = engine(&world, config::Engine::Tuned);
    let padding = " ".repeat(MAX_CACHED_QUERY_BYTES);
    // `programs` fails (null, with an error) without a valid token.
    let query = format!("{{ programs {{ totalCount }} }}{padding}");
    let answer = run(&tuned, Credentials::Invalid, &query, json!({}), None).await;
    assert!(answer.executed);
    assert_eq!(code(&answer).as_deref(), Some("\"UNAUTHENTICATED\""));
    assert_eq!(
        answer.response.data.into_json()?,
        json!({ "programs": null })
    );
    Ok(())
}

/// One generated request: who sends it, its text, variables and operation name.
#[derive(Debug, Clone)]
struct Generated {
    who: usize,
    query: String,
    variables: Json,
    operation: Option<String>,
}

fn first_value() -> impl Strategy<Value = Option<Json>> {
    prop_oneof![
        Just(None),
        Just(Some(json!(null))),
        Just(Some(json!(2))),
        Just(Some(json!(20))),
        Just(Some(json!(0))),
        Just(Some(json!(-1))),
        Just(Some(json!(101))),
        Just(Some(json!(3_000_000_000_i64))),
        Just(Some(json!("20"))),
        Just(Some(json!(2.5))),
    ]
}

fn text_value() -> impl Strategy<Value = Json> {
    prop_oneof![
        Just(json!("Jansen")),
        Just(json!("two\nlines\tand tab")),
        Just(json!("nul\u{0}byte")),
        Just(json!("esc\u{1b}")),
        Just(json!("")),
        Just(json!(7)),
        Just(json!(null)),
        Just(json!(["a", "b"])),
    ]
}

/// A selection of prospects, in one of several spellings of (nearly) the same thing.
fn prospect_selection() -> impl Strategy<Value = &'static str> {
    prop_oneof![
        Just("{ name company status }"),
        Just("{ n: name ...P }"),
        Just("{ name ... on Prospect { notes } __typename }"),
        Just("{ name @skip(if: $yes) company @include(if: $yes) }"),
        Just(
            "{ name latestQualification { score tier verdict explanation { key label points weight knockout unknown } } }"
        ),
        Just(
            "{ latestQualification { e: explanation { k: key ...C } projectedExplanation { __typename key } } }"
        ),
        Just(
            "{ latestQualification { explanation @include(if: $yes) { key pointsBasisPoints } } }"
        ),
        Just("{ name nope }"),
        Just("{ name owner }"),
    ]
}

fn scale_value() -> impl Strategy<Value = Json> {
    prop_oneof![
        Just(json!(4)),
        Just(json!(1)),
        Just(json!(9)),
        Just(json!("four")),
        Just(json!(3_000_000_000_i64)),
        Just(json!(4.5)),
        Just(json!(null)),
    ]
}

fn generated(prospects: Vec<String>, program: String) -> impl Strategy<Value = Generated> {
    let id = prop_oneof![
        prop::sample::select(prospects).prop_map(Json::String),
        Just(json!("bm9wZQ")),
        Just(json!(12)),
    ];
    let page = (
        0..4usize,
        first_value(),
        prospect_selection(),
        any::<bool>(),
        text_value(),
    )
        .prop_map(|(who, first, selection, yes, search)| {
            let query = format!(
                "query Page($first: Int, $yes: Boolean!, $search: String) {{ \
                 prospects(first: $first, filter: {{ search: $search }}) {{ totalCount \
                 nodes {selection} }} }} \
                 fragment P on Prospect {{ company status }} \
                 fragment C on Contribution {{ weight unknown }}"
            );
            let mut variables = json!({ "yes": yes, "search": search });
            if let Some(first) = first {
                variables["first"] = first;
            }
            Generated {
                who,
                query,
                variables,
                operation: Some("Page".into()),
            }
        });
    let literal_page = (
        0..4usize,
        prop::sample::select(vec!["2", "0", "3000000000", "\"x\"", "-5", "null"]),
    )
        .prop_map(|(who, first)| Generated {
            who,
            query: format!(
                "{{ a: prospects(first: {first}) {{ totalCount }} viewer {{ name role }} }}"
            ),
            variables: json!({}),
            operation: None,
        });
    let qualify = (
        0..4usize,
        id.clone(),
        scale_value(),
        prop::sample::select(vec!["yes", "scale", "unknown", "colour"]),
    )
        .prop_map(|(who, id, scale, kind)| {
            let mut answers = ten_answers(scale);
            answers[0]["value"] = json!({ kind: true });
            Generated {
                who,
                query: QUALIFY.into(),
                variables: json!({ "input": { "prospectId": id, "answers": answers } }),
                operation: None,
            }
        });
    let update =
        (0..4usize, id, text_value(), any::<bool>()).prop_map(|(who, id, notes, inline)| {
            if inline {
                let notes = serde_json::to_string(&notes).unwrap_or_default();
                Generated {
                    who,
                    query: format!(
                        "mutation {{ updateProspect(input: {{ id: {}, notes: {notes} }}) \
                     {{ prospect {{ name }} }} }}",
                        serde_json::to_string(&id).unwrap_or_default()
                    ),
                    variables: json!({}),
                    operation: None,
                }
            } else {
                Generated {
                    who,
                    query:
                        "mutation U($input: UpdateProspectInput!) { updateProspect(input: $input) \
                        { prospect { name } } }"
                            .into(),
                    variables: json!({ "input": { "id": id, "notes": notes, "bogus": 1 } }),
                    operation: Some("U".into()),
                }
            }
        });
    let create = (0..4usize, text_value()).prop_map(move |(who, name)| Generated {
        who,
        query: "mutation($input: CreateProspectInput!) { createProspect(input: $input) \
                { prospect { company } } }"
            .into(),
        // Only bad names: a good one would create a prospect on each engine, and the second
        // would answer differently (two prospects of the same name).
        variables: json!({ "input": { "programId": program, "name": name, "notes": "\u{7}" } }),
        operation: None,
    });
    let broken = (
        0..4usize,
        prop::sample::select(vec![
            "{ prospects(",
            "query { viewer { name } } query { viewer { role } }",
            "query A { viewer { name } } query B { viewer { role } }",
            "query($x: Int) { viewer { name } }",
            "{ viewer { ...Missing } }",
            "{ __schema { queryType { name } } }",
            "{ __type(name: \"Prospect\") { fields { name type { ofType { name } } } } }",
            "subscription { viewer }",
            "{ node(id: \"bm9wZQ\") { id } nodes(ids: []) { id } }",
        ]),
    )
        .prop_map(|(who, query)| Generated {
            who,
            query: query.into(),
            variables: json!({}),
            operation: None,
        });
    prop_oneof![
        4 => page,
        2 => literal_page,
        3 => qualify,
        2 => update,
        1 => create,
        2 => broken,
    ]
}

/// The stock and tuned engines, on one database, answer every generated request the same:
/// the same JSON body (up to the order async-graphql leaves to chance:
/// [`seen_up_to_completion_order`]) and the same outcome (executed or refused: the HTTP
/// status). Requests
/// come in sequences, so that documents repeat and the tuned engine's cache warms (its
/// trusted path runs once full validation has passed a document).
#[test]
fn stock_and_tuned_answer_alike() -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let world = runtime.block_on(world())?;
    let engines = [
        engine(&world, config::Engine::Stock),
        engine(&world, config::Engine::Tuned),
        engine(&world, config::Engine::TunedWithoutKnownDocuments),
        engine(&world, config::Engine::TunedWithoutPlainLists),
    ];
    let config = ProptestConfig {
        cases: 64,
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    let rng = TestRng::deterministic_rng(RngAlgorithm::ChaCha);
    let mut runner = TestRunner::new_with_rng(config, rng);
    let requests = prop::collection::vec(
        generated(world.prospects.clone(), world.program.clone()),
        1..12,
    );
    let outcome = runner.run(&requests, |requests| {
        runtime.block_on(async {
            for request in &requests {
                let who = world.credentials[request.who];
                let mut answers = Vec::new();
                for engine in &engines {
                    let answer = run(
                        engine,
                        who,
                        &request.query,
                        request.variables.clone(),
                        request.operation.as_deref(),
                    )
                    .await;
                    answers.push(seen_up_to_completion_order(&answer));
                }
                for (kind, answer) in [
                    "tuned",
                    "tuned without known documents",
                    "tuned without plain lists",
                ]
                .iter()
                .zip(&answers[1..])
                {
                    prop_assert_eq!(&answers[0], answer, "stock vs {}: {:?}", kind, request);
                }
            }
            Ok(())
        })
    });
    outcome.map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(())
}

/// The generator reaches what it is for: requests refused before execution with each
/// code the checks give, requests executed, and documents the tuned engine trusts.
#[test]
fn the_generated_requests_reach_every_path() -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let world = runtime.block_on(world())?;
    let tuned = engine(&world, config::Engine::Tuned);
    let mut runner = TestRunner::new_with_rng(
        ProptestConfig::default(),
        TestRng::deterministic_rng(RngAlgorithm::ChaCha),
    );
    let strategy = generated(world.prospects.clone(), world.program.clone());
    let mut codes = std::collections::BTreeSet::new();
    let mut executed = 0;
    for _ in 0..300 {
        let request = strategy
            .new_tree(&mut runner)
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .current();
        let answer = runtime.block_on(run(
            &tuned,
            world.credentials[request.who],
            &request.query,
            request.variables,
            request.operation.as_deref(),
        ));
        executed += usize::from(answer.executed);
        if let Some(code) = code(&answer) {
            codes.insert(code);
        }
    }
    for expected in [
        "\"BAD_USER_INPUT\"",
        "\"GRAPHQL_VALIDATION_FAILED\"",
        "\"GRAPHQL_PARSE_FAILED\"",
        "\"UNAUTHENTICATED\"",
    ] {
        assert!(
            codes.contains(expected),
            "{expected} not reached: {codes:?}"
        );
    }
    assert!(executed > 50, "{executed}");
    let trusted = tuned
        .known
        .as_ref()
        .map_or(0, |(documents, _)| documents.trusted());
    assert!(trusted > 3, "{trusted}");
    Ok(())
}
