//! Resource limits, attacked from outside: query size in bytes and tokens, depth, aliases,
//! directives, complexity weighted by `first`, page sizes and the request time limit. Each
//! is refused with its code and a 400 (never a 500), each is configurable, and the server
//! keeps answering `/healthz` quickly while it refuses abusive queries.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::fixtures::{LOGIN, PASSWORD, SIGN_UP};
use crate::helpers::{TestApp, codes, expect_field, unique_email};
use crate::protocol::{GRAPHQL_RESPONSE, JSON, post, post_with};

/// Posts `query` (with `application/graphql-response+json`) and returns the status and the
/// error codes.
async fn run(app: &TestApp, query: &str) -> (u16, Vec<String>) {
    run_with(app, json!({ "query": query }), None).await
}

async fn run_with(app: &TestApp, body: Value, token: Option<&str>) -> (u16, Vec<String>) {
    let bearer = token.map(|t| format!("Bearer {t}"));
    let mut headers = vec![("accept", GRAPHQL_RESPONSE)];
    if let Some(bearer) = &bearer {
        headers.push(("authorization", bearer.as_str()));
    }
    let reply = post_with(app.addr, &headers, &body).await;
    (reply.status, codes(&reply.body()))
}

/// Asserts `query` is refused before execution with `code`.
async fn refused(app: &TestApp, query: &str, code: &str) {
    let (status, found) = run(app, query).await;
    assert_eq!(
        (status, found),
        (400, vec![code.to_owned()]),
        "query of {} bytes",
        query.len()
    );
}

/// Asserts `query` passed every limit: it ran (200), whatever its resolvers answered.
async fn within_limits(app: &TestApp, query: &str) {
    let (status, found) = run(app, query).await;
    assert_eq!(
        status,
        200,
        "refused with {found:?}: query of {} bytes",
        query.len()
    );
}

/// Fields nested `depth` deep: viewer { programs(first: 1) { nodes { mentor { ... } } } }.
fn nested(depth: usize) -> String {
    let cycle = ["programs(first: 1)", "nodes", "mentor"];
    let mut fields = vec!["viewer"];
    while fields.len() < depth - 1 {
        fields.push(cycle[(fields.len() - 1) % cycle.len()]);
    }
    let leaf = if fields.last() == Some(&cycle[0]) {
        "totalCount"
    } else {
        "id"
    };
    let open: String = fields.iter().map(|f| format!("{f} {{ ")).collect();
    format!("{{ {open}{leaf}{} }}", " }".repeat(fields.len()))
}

fn aliases(n: usize) -> String {
    let fields: String = (0..n).map(|i| format!("a{i}: __typename ")).collect();
    format!("{{ {fields}}}")
}

/// Fragments that each spread the next one twice: 2^30 fields once expanded.
fn fragment_bomb() -> String {
    let mut query = String::from("{ ...F0 }\n");
    for i in 0..30 {
        query.push_str(&format!(
            "fragment F{i} on Query {{ ...F{} ...F{} }}\n",
            i + 1,
            i + 1
        ));
    }
    query + "fragment F30 on Query { __typename }"
}

/// `{ nodes(ids: [1 1 ...]) { id } }` with exactly `tokens` lexical tokens.
fn tokens(tokens: usize) -> String {
    format!("{{ nodes(ids: [{}]) {{ id }} }}", "1 ".repeat(tokens - 12))
}

/// `{ __typename }` padded with a comment to exactly `bytes` bytes.
fn bytes(bytes: usize) -> String {
    let query = "{ __typename }\n#";
    format!("{query}{}", "x".repeat(bytes - query.len()))
}

#[tokio::test]
async fn query_text_over_64_kib_or_15000_tokens_is_too_large() {
    let app = TestApp::spawn().await;
    within_limits(&app, &bytes(64 * 1024)).await;
    refused(&app, &bytes(64 * 1024 + 1), "QUERY_TOO_LARGE").await;
    within_limits(&app, &tokens(15_000)).await;
    refused(&app, &tokens(15_001), "QUERY_TOO_LARGE").await;
}

#[tokio::test]
async fn depth_over_12_is_refused() {
    let app = TestApp::spawn().await;
    within_limits(&app, &nested(12)).await;
    refused(&app, &nested(13), "QUERY_TOO_DEEP").await;
    refused(&app, &nested(40), "QUERY_TOO_DEEP").await;
    // The same depth reached through fragments counts the same.
    let through_fragments = "{ viewer { ...U } } fragment U on User { programs(first: 1) { \
        nodes { mentor { ...V } } } } fragment V on User { programs(first: 1) { nodes { mentor { \
        programs(first: 1) { nodes { mentor { programs(first: 1) { nodes { id } } } } } } } } }";
    refused(&app, through_fragments, "QUERY_TOO_DEEP").await;
}

#[tokio::test]
async fn more_than_15_aliases_in_an_operation_are_refused() {
    let app = TestApp::spawn().await;
    let (status, found) = run(&app, &aliases(15)).await;
    assert_eq!((status, found.len()), (200, 0));
    refused(&app, &aliases(16), "TOO_MANY_ALIASES").await;
    refused(&app, &aliases(101), "TOO_MANY_ALIASES").await;
    // Aliases in a fragment count at every spread.
    let spread = "{ ...F ...G } fragment F on Query { a0: __typename a1: __typename a2: __typename \
        a3: __typename a4: __typename a5: __typename a6: __typename a7: __typename } \
        fragment G on Query { ...F }";
    refused(&app, spread, "TOO_MANY_ALIASES").await;
    // Aliased logins are refused before a single password is checked.
    let logins: String = (0..16)
        .map(|i| {
            format!(
                "l{i}: login(input: {{ email: \"x{i}@example.com\", password: \"nope-nope-nope\" }}) \
                 {{ accessToken }} "
            )
        })
        .collect();
    refused(&app, &format!("mutation {{ {logins}}}"), "TOO_MANY_ALIASES").await;
}

#[tokio::test]
async fn more_than_10_directives_on_a_field_or_50_in_an_operation_are_refused() {
    let app = TestApp::spawn().await;
    let on_field = |n: usize| format!("{{ viewer {}{{ id }} }}", "@d ".repeat(n));
    // Ten pass the limit (and then fail validation: `@d` does not exist).
    let (status, found) = run(&app, &on_field(10)).await;
    assert_eq!(status, 400);
    assert!(
        found.iter().all(|c| c == "GRAPHQL_VALIDATION_FAILED"),
        "{found:?}"
    );
    refused(&app, &on_field(11), "TOO_MANY_DIRECTIVES").await;

    let spread = |n: usize| format!("{{ {} }}", "__typename @include(if: true) ".repeat(n));
    let (status, found) = run(&app, &spread(50)).await;
    assert_eq!((status, found.len()), (200, 0));
    refused(&app, &spread(51), "TOO_MANY_DIRECTIVES").await;
}

#[tokio::test]
async fn complexity_weighs_lists_by_first_and_is_capped_at_5000() {
    let app = TestApp::spawn().await;
    let mentor = app.mentor().await;
    let nested_pages = |first: u32| {
        format!(
            "{{ programs(first: {first}) {{ nodes {{ mentees(first: {first}) {{ nodes {{ active }} }} }} }} }}"
        )
    };
    // 10 x (1 + 10 x 2 + 1) + 1 = 221: served.
    let (status, found) = run_with(&app, json!({ "query": nested_pages(10) }), mentor.tok()).await;
    assert_eq!((status, found.len()), (200, 0), "{found:?}");
    // 100 x (1 + 100 x 2 + 1) + 1 = 20201: refused, also when `first` is a variable.
    let (status, found) = run_with(&app, json!({ "query": nested_pages(100) }), mentor.tok()).await;
    assert_eq!((status, found), (400, vec!["QUERY_TOO_COMPLEX".to_owned()]));
    let by_variable = json!({
        "query": "query($n: Int) { programs(first: $n) { nodes { mentees(first: $n) { nodes { active } } } } }",
        "variables": { "n": 100 },
    });
    let (status, found) = run_with(&app, by_variable, mentor.tok()).await;
    assert_eq!((status, found), (400, vec!["QUERY_TOO_COMPLEX".to_owned()]));
    // Fragments cannot multiply work past the limit either, and are never expanded
    // (expanded, the bomb would take far longer than this bound, even on a loaded machine).
    let started = Instant::now();
    refused(&app, &fragment_bomb(), "QUERY_TOO_COMPLEX").await;
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn first_outside_1_to_100_is_bad_user_input() {
    let app = TestApp::spawn().await;
    let mentor = app.mentor().await;
    for first in [0, -1, 101, 1_000_000] {
        let query = format!("{{ programs(first: {first}) {{ totalCount }} }}");
        let body = app.gql(mentor.tok(), &query, json!({})).await;
        expect_field(&body, "first");
    }
    let body = app
        .gql(
            mentor.tok(),
            "{ programs(first: 100) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(body["data"]["programs"]["totalCount"], 0);
}

#[tokio::test]
async fn every_limit_is_configurable() {
    let app = TestApp::spawn_with(|c| {
        c.limits.max_query_bytes = 200;
        c.limits.max_query_tokens = 30;
        c.limits.max_depth = 3;
        c.limits.max_aliases = 2;
        c.limits.max_directives_per_field = 1;
        c.limits.max_directives = 3;
        c.limits.max_complexity = 201;
    })
    .await;
    let cases = [
        (bytes(200), None),
        (bytes(201), Some("QUERY_TOO_LARGE")),
        (tokens(30), None),
        (tokens(31), Some("QUERY_TOO_LARGE")),
        (nested(3), None),
        (nested(4), Some("QUERY_TOO_DEEP")),
        (aliases(2), None),
        (aliases(3), Some("TOO_MANY_ALIASES")),
        ("{ __typename @include(if: true) }".into(), None),
        (
            "{ __typename @include(if: true) @skip(if: false) }".into(),
            Some("TOO_MANY_DIRECTIVES"),
        ),
        (
            "{ a: __typename @include(if: true) b: __typename @include(if: true) }".into(),
            None,
        ),
        (
            "{ __typename @d __typename @d __typename @d __typename @d }".into(),
            Some("TOO_MANY_DIRECTIVES"),
        ),
        // 100 x 2 + 1 = 201, then 100 x 3 + 1 = 301.
        ("{ programs(first: 100) { nodes { id } } }".into(), None),
        (
            "{ programs(first: 100) { nodes { id name } } }".into(),
            Some("QUERY_TOO_COMPLEX"),
        ),
    ];
    for (query, expected) in cases {
        match expected {
            None => within_limits(&app, &query).await,
            Some(code) => refused(&app, &query, code).await,
        }
    }
}

#[tokio::test]
async fn a_request_running_past_the_time_limit_is_cancelled_with_timeout() {
    let mut app = TestApp::spawn().await;
    let w = app.mentee_in_program("STRICT").await;
    // The server restarted on the same database with requests that may run 5 ms: a sign-up
    // hashes a password (tens of milliseconds) before it writes anything.
    if let Some(plain) = app.take_server() {
        plain.stop().await;
    }
    let mut config = api::Config::for_tests(app.database_url.clone());
    config.limits.request_timeout = Duration::from_millis(5);
    let hurried = api::start(config).await.expect("the hurried server starts");
    let email = unique_email("cancelled");
    let sign_up = json!({ "query": SIGN_UP, "variables": { "input": {
        "email": email, "password": PASSWORD, "name": "Too Slow", "inviteCode": w.invite_code } } });
    let started = Instant::now();
    let strict = post(hurried.addr, GRAPHQL_RESPONSE, &sign_up).await;
    strict.refused(504, "TIMEOUT");
    // Answered at its 5 ms deadline, not after the work (bounded for a loaded machine).
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "{:?}",
        started.elapsed()
    );
    let legacy = post(hurried.addr, JSON, &sign_up).await;
    legacy.refused(200, "TIMEOUT");
    // The work was cancelled, not merely unanswered: even after the hash had time to finish,
    // the account does not exist (asked of the server restarted unhurried).
    tokio::time::sleep(Duration::from_millis(500)).await;
    hurried.stop().await;
    app.restart().await;
    let login = json!({ "input": { "email": email, "password": PASSWORD } });
    assert_eq!(
        codes(&app.gql(None, LOGIN, login).await),
        vec!["UNAUTHENTICATED"]
    );
    // The positive control: the same sign-up on the unhurried server creates the account.
    let done = app.gql(None, SIGN_UP, sign_up["variables"].clone()).await;
    assert_eq!(done["data"]["signUp"]["user"]["email"], json!(email));
}

// Several threads, as the server has in production: on the default single-threaded test
// runtime, server and attackers would take turns on one thread.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn healthz_stays_fast_while_abusive_queries_are_refused() {
    let app = Arc::new(TestApp::spawn().await);
    let abusive: Arc<Vec<(String, &str)>> = Arc::new(vec![
        (fragment_bomb(), "QUERY_TOO_COMPLEX"),
        (bytes(64 * 1024 + 1), "QUERY_TOO_LARGE"),
        (tokens(15_001), "QUERY_TOO_LARGE"),
        (nested(40), "QUERY_TOO_DEEP"),
        (aliases(500), "TOO_MANY_ALIASES"),
        (
            "{ programs(first: 100) { nodes { mentees(first: 100) { nodes { active } } } } }"
                .into(),
            "QUERY_TOO_COMPLEX",
        ),
    ]);
    let stop = Arc::new(AtomicBool::new(false));
    let refusals = Arc::new(AtomicUsize::new(0));
    let mut attackers = Vec::new();
    for worker in 0..6 {
        let (app, abusive, stop, refusals) =
            (app.clone(), abusive.clone(), stop.clone(), refusals.clone());
        attackers.push(tokio::spawn(async move {
            let mut i = worker;
            while !stop.load(Ordering::Relaxed) {
                let (query, code) = &abusive[i % abusive.len()];
                let started = Instant::now();
                let (status, found) = run(&app, query).await;
                assert_eq!((status, found), (400, vec![(*code).to_owned()]));
                // Refused before any work: bounded on a loaded two-core machine too.
                assert!(
                    started.elapsed() < Duration::from_secs(5),
                    "{code}: {:?}",
                    started.elapsed()
                );
                refusals.fetch_add(1, Ordering::Relaxed);
                i += 1;
            }
        }));
    }
    // Measured only once the attack is under way, and while it goes on (counted below).
    let under_way = async {
        while refusals.load(Ordering::Relaxed) < 12 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(60), under_way)
        .await
        .expect("the attack gets under way");
    let before = refusals.load(Ordering::Relaxed);
    let mut latencies = Vec::new();
    for _ in 0..20 {
        let started = Instant::now();
        assert_eq!(app.get("/healthz").await, reqwest::StatusCode::OK);
        latencies.push(started.elapsed());
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let during = refusals.load(Ordering::Relaxed) - before;
    stop.store(true, Ordering::Relaxed);
    for attacker in attackers {
        attacker.await.expect("attacker saw only refusals");
    }
    latencies.sort();
    let (median, worst) = (
        latencies[latencies.len() / 2],
        latencies[latencies.len() - 1],
    );
    assert!(during > 0, "the attack ran while /healthz was measured");
    // Generous for a loaded two-core machine; a server whose threads the refusals blocked
    // would answer `/healthz` after the attack, seconds later.
    assert!(
        median < Duration::from_millis(500) && worst < Duration::from_secs(5),
        "healthz latencies under attack: {latencies:?}"
    );
    // And the server still serves real queries.
    assert_eq!(run(&app, "{ __typename }").await, (200, Vec::new()));
}
