//! The parts of async-graphql the engine relies on beyond its documented API, held to what
//! we reviewed. `Cargo.toml` pins async-graphql exactly; when it is upgraded, these tests
//! say what to re-check.

use async_graphql::registry::{MetaType, MetaTypeName, Registry};
use async_graphql::{OutputType, Request, Value};

use crate::graphql::mutations::Mutation;
use crate::graphql::query::Query;
use crate::graphql::schema::schema_builder;

/// The version reviewed: `registry` (`arguments`), `ContextSelectionSet` and the `indexmap`
/// re-export (`plain`), the wording `limits::classify` reads, and that a request with its
/// parsed document set needs no text (`Engine::run`).
const REVIEWED: &str = "7.2.1";

#[test]
fn async_graphql_is_the_version_reviewed() {
    let lock = include_str!("../../../../Cargo.lock");
    let locked: Vec<&str> = lock
        .split("[[package]]")
        .filter(|p| p.contains("\nname = \"async-graphql\"\n"))
        .filter_map(|p| p.lines().find_map(|l| l.strip_prefix("version = \"")))
        .map(|v| v.trim_end_matches('"'))
        .collect();
    assert_eq!(
        locked,
        [REVIEWED],
        "async-graphql changed: re-check its `#[doc(hidden)]` `registry` (MetaType, \
         MetaTypeName, ScalarValidatorFn, as `graphql::engine::arguments` reads them), \
         `ContextSelectionSet` and `OutputType::resolve` (`graphql::plain`), the messages \
         `engine::limits::classify` matches, and whether `Request::query` is still read \
         after `set_parsed_query` (`engine::Engine::run`); then run `cargo test -p api \
         engine` and raise REVIEWED"
    );
}

fn registry() -> Registry {
    let mut registry = Registry::default();
    Query::create_type_info(&mut registry);
    Mutation::create_type_info(&mut registry);
    registry
}

/// `arguments` reads input objects (fields, their types as strings, defaults, `oneof`),
/// scalars' `is_valid`, enums' values and fields' argument types from the registry.
#[test]
fn the_registry_describes_our_inputs_as_we_read_them() {
    let registry = registry();
    let Some(MetaType::InputObject {
        input_fields,
        oneof,
        ..
    }) = registry.types.get("QualifyProspectInput")
    else {
        panic!("QualifyProspectInput is not an input object in the registry");
    };
    assert!(!oneof);
    let answers = input_fields.get("answers").map(|f| f.ty.as_str());
    assert_eq!(answers, Some("[AnswerInput!]!"));
    assert!(matches!(
        MetaTypeName::create("[AnswerInput!]!"),
        MetaTypeName::NonNull("[AnswerInput!]")
    ));
    assert!(matches!(
        MetaTypeName::create("[AnswerInput!]"),
        MetaTypeName::List("AnswerInput!")
    ));
    assert_eq!(
        MetaTypeName::concrete_typename("[AnswerInput!]!"),
        "AnswerInput"
    );
    assert!(matches!(
        registry.types.get("AnswerValueInput"),
        Some(MetaType::InputObject { oneof: true, .. })
    ));
    let Some(MetaType::InputObject { input_fields, .. }) = registry.types.get("YesNoRuleInput")
    else {
        panic!("YesNoRuleInput is not an input object in the registry");
    };
    let yes = input_fields.get("yesPoints");
    assert_eq!(yes.and_then(|f| f.default_value.as_deref()), Some("100"));
    assert_eq!(yes.map(|f| f.ty.as_str()), Some("Int!"));
    let Some(MetaType::Scalar {
        is_valid: Some(is_valid),
        ..
    }) = registry.types.get("Int")
    else {
        panic!("Int has no `is_valid` in the registry");
    };
    assert!(is_valid(&Value::from(4)));
    assert!(!is_valid(&Value::from("4")));
    assert!(matches!(
        registry.types.get("DecisionKind"),
        Some(MetaType::Enum { enum_values, .. }) if enum_values.contains_key("TAKE_ON")
    ));
    let first = registry
        .types
        .get("Query")
        .and_then(|q| q.field_by_name("prospects"))
        .and_then(|f| f.args.get("first"))
        .map(|a| a.ty.as_str());
    assert_eq!(first, Some("Int"));
}

/// The engine hands async-graphql a parsed document and keeps the text for itself.
#[tokio::test]
async fn a_request_with_its_document_set_needs_no_text() {
    let schema = schema_builder().finish();
    let document = async_graphql::parser::parse_query("{ __typename }");
    let Ok(document) = document else {
        panic!("does not parse");
    };
    let mut request = Request::new("{ this text is not read }");
    request.set_parsed_query(document);
    request.query = String::new();
    let response = schema.execute(request).await;
    assert!(response.errors.is_empty(), "{:?}", response.errors);
    assert_eq!(
        response.data.into_json().ok(),
        Some(serde_json::json!({ "__typename": "Query" }))
    );
}
