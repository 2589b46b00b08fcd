use async_graphql::{EmptyMutation, EmptySubscription, Object, Request, Schema, Variables};
use serde_json::json;

use super::*;

struct Query;

#[Object]
impl Query {
    async fn echo(&self, n: i32) -> i32 {
        n
    }

    #[graphql(complexity = "usize::try_from(first).unwrap_or(0) * child_complexity")]
    async fn page(&self, first: i32) -> Vec<Query> {
        (0..first).map(|_| Query).collect()
    }
}

fn code(error: &ServerError) -> Option<String> {
    error
        .extensions
        .as_ref()
        .and_then(|x| x.get("code"))
        .map(ToString::to_string)
}

fn field(error: &ServerError) -> Option<String> {
    error
        .extensions
        .as_ref()
        .and_then(|x| x.get("field"))
        .map(ToString::to_string)
}

/// The errors async-graphql itself gives `request` on a schema with all of its limits set
/// (ours do not run here), each classified.
async fn classified(request: Request) -> Vec<(ServerError, Kind)> {
    raw(request).await.into_iter().map(classify).collect()
}

async fn raw(request: Request) -> Vec<ServerError> {
    let schema = Schema::build(Query, EmptyMutation, EmptySubscription)
        .limit_complexity(100)
        .limit_depth(3)
        .limit_recursive_depth(4)
        .limit_directives(1)
        .finish();
    let response = schema.execute(request).await;
    assert!(!executed(&response), "{response:?}");
    response.errors
}

/// Each wording `classify` reads is produced here by async-graphql: an upgrade that
/// changes one fails this test instead of changing a code clients rely on.
#[tokio::test]
async fn each_async_graphql_message_has_its_code() {
    let cases: Vec<(Request, Kind, &str, Option<&str>)> = vec![
        (
            Request::new("{ echo(n: \"x\") }"),
            Kind::InvalidArgument,
            BAD_USER_INPUT,
            Some("\"n\""),
        ),
        (
            Request::new("query($n: Int!) { echo(n: $n) }")
                .variables(Variables::from_json(json!({ "n": "x" }))),
            Kind::InvalidArgument,
            BAD_USER_INPUT,
            Some("\"n\""),
        ),
        (
            Request::new("{ page(first: 50) { page(first: 50) { echo(n: 1) } } }"),
            Kind::Complexity,
            QUERY_TOO_COMPLEX,
            None,
        ),
        (
            Request::new("{ page(first: 1) { page(first: 1) { page(first: 1) { echo(n: 1) } } } }"),
            Kind::Depth,
            QUERY_TOO_DEEP,
            None,
        ),
        (
            Request::new(
                "{ page(first: 1) { ... { ... { ... { ... { page(first: 1) { echo(n: 1) } } } } } } }",
            ),
            Kind::RecursionDepth,
            QUERY_TOO_DEEP,
            None,
        ),
        (
            Request::new("{ echo(n: 1) @skip(if: false) @include(if: true) }"),
            Kind::Directives,
            TOO_MANY_DIRECTIVES,
            None,
        ),
        (
            Request::new("{ nope }"),
            Kind::Validation,
            VALIDATION_FAILED,
            None,
        ),
    ];
    for (request, kind, expected, expected_field) in cases {
        let query = request.query.clone();
        let errors = classified(request).await;
        let found = errors.iter().find(|(_, k)| *k == kind);
        let Some((error, _)) = found else {
            panic!(
                "async-graphql's wording changed? `{query}` gave {:?}; re-check `classify`",
                errors
                    .iter()
                    .map(|(e, k)| (&e.message, k))
                    .collect::<Vec<_>>()
            );
        };
        assert_eq!(code(error), Some(format!("\"{expected}\"")), "{query}");
        assert_eq!(field(error).as_deref(), expected_field, "{query}");
    }
}

/// `first` of the wrong type is reported by validation (with the path) and again by the
/// complexity calculation (rendered as an `InputValueError`): one error reaches the client.
#[tokio::test]
async fn a_bad_first_is_reported_once_with_its_path() {
    let query = "{ page(first: \"x\") { echo(n: 1) } }";
    let errors = classified(Request::new(query)).await;
    let kinds: Vec<Kind> = errors.iter().map(|(_, k)| *k).collect();
    assert!(kinds.contains(&Kind::InvalidArgument), "{kinds:?}");
    assert!(
        kinds.contains(&Kind::InputValue),
        "async-graphql's wording of the complexity calculation's error changed? {:?}",
        errors.iter().map(|(e, _)| &e.message).collect::<Vec<_>>()
    );
    let reported = request_errors(raw(Request::new(query)).await);
    assert_eq!(reported.len(), 1, "{reported:?}");
    assert_eq!(field(&reported[0]).as_deref(), Some("\"first\""));
    // Alone, it is bad input all the same.
    let alone = ServerError::new("Expected input type \"Int\", found \"x\".", None);
    let (alone, kind) = classify(alone);
    assert_eq!(kind, Kind::InputValue);
    assert_eq!(code(&alone), Some(format!("\"{BAD_USER_INPUT}\"")));
}

#[test]
fn an_error_with_a_code_keeps_it() {
    let ours = coded("too many", TOO_MANY_ALIASES, None);
    let (kept, kind) = classify(ours);
    assert_eq!(kind, Kind::Coded);
    assert_eq!(code(&kept), Some(format!("\"{TOO_MANY_ALIASES}\"")));
}

#[tokio::test]
async fn a_failing_root_field_still_counts_as_executed() {
    struct Failing;

    #[Object]
    impl Failing {
        async fn boom(&self) -> async_graphql::Result<i32> {
            Err("no".into())
        }
    }
    let schema = Schema::new(Failing, EmptyMutation, EmptySubscription);
    let response = schema.execute("{ boom }").await;
    assert!(matches!(response.data, async_graphql::Value::Null));
    assert!(executed(&response), "{response:?}");
    let unknown = schema.execute("{ nope }").await;
    assert!(!executed(&unknown));
}
