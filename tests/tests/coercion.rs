//! Coercion errors of input values, as a table: every scalar the schema takes as input
//! (String, Int, Boolean, ID, Date, DateTime) and enums, inline and as variables, at the top
//! of an argument and nested in input objects and lists. Each is a request error with
//! `extensions.code` `BAD_USER_INPUT` and the value's path in `extensions.field`: 400 and
//! no `data` with `application/graphql-response+json`, 200 with `application/json`.
//! (The schema takes no `Float` input.)

use serde_json::{Value, json};

use crate::helpers::{TestApp, codes};
use crate::protocol::{GRAPHQL_RESPONSE, JSON, post};

const INVITE: &str =
    "mutation($i: CreateInviteInput!) { createInvite(input: $i) { invite { id } } }";
const QUALIFY: &str =
    "mutation($i: QualifyProspectInput!) { qualifyProspect(input: $i) { qualification { id } } }";
const PROSPECTS: &str = "query($f: ProspectFilter, $o: ProspectOrder) { prospects(filter: $f, orderBy: $o) { totalCount } }";

/// One bad value: the query, its variables, and the path the error must name.
struct Case {
    name: &'static str,
    query: String,
    variables: Value,
    field: &'static str,
}

fn case(name: &'static str, query: &str, variables: Value, field: &'static str) -> Case {
    Case {
        name,
        query: query.to_owned(),
        variables,
        field,
    }
}

fn cases() -> Vec<Case> {
    let outlook = |requalify: Value| {
        json!({ "i": { "prospectId": "x", "answers": [],
                       "outlook": { "answers": [], "plan": "p", "requalifyBy": requalify } } })
    };
    vec![
        // DateTime, the scalar async-graphql's validation does not parse.
        case(
            "DateTime inline",
            r#"mutation { createInvite(input: {programId: "x", expiresAt: "tomorrow"}) { invite { id } } }"#,
            json!({}),
            "input.expiresAt",
        ),
        case(
            "DateTime variable in an inline object",
            "mutation($e: DateTime) { createInvite(input: {programId: \"x\", expiresAt: $e}) { invite { id } } }",
            json!({ "e": "tomorrow" }),
            "input.expiresAt",
        ),
        case(
            "DateTime in an input object variable",
            INVITE,
            json!({ "i": { "programId": "x", "expiresAt": "2027-02-30T00:00:00Z" } }),
            "input.expiresAt",
        ),
        case(
            "DateTime of the wrong JSON type",
            INVITE,
            json!({ "i": { "programId": "x", "expiresAt": 1_700_000_000 } }),
            "input.expiresAt",
        ),
        case(
            "DateTime through a fragment",
            "mutation { ...M } fragment M on Mutation { createInvite(input: {programId: \"x\", expiresAt: \"x\"}) { invite { id } } }",
            json!({}),
            "input.expiresAt",
        ),
        // Date, nested two objects deep.
        case(
            "Date inline",
            r#"mutation { qualifyProspect(input: {prospectId: "x", answers: [], outlook: {answers: [], plan: "p", requalifyBy: "soon"}}) { qualification { id } } }"#,
            json!({}),
            "input.outlook.requalifyBy",
        ),
        case(
            "Date variable",
            QUALIFY,
            outlook(json!("2027-13-01")),
            "input.outlook.requalifyBy",
        ),
        // Int, top level and in a list of objects.
        case(
            "Int inline",
            "{ programs(first: \"x\") { totalCount } }",
            json!({}),
            "first",
        ),
        case(
            "Int variable",
            "query($n: Int) { programs(first: $n) { totalCount } }",
            json!({ "n": 1.5 }),
            "first",
        ),
        case(
            "Int in an input object",
            INVITE,
            json!({ "i": { "programId": "x", "maxUses": "3" } }),
            "input.maxUses",
        ),
        // Int is 32-bit: a larger integer is a coercion error, not a resolver's failure.
        case(
            "Int over 32 bits inline",
            "{ programs(first: 2147483648) { totalCount } }",
            json!({}),
            "first",
        ),
        case(
            "Int over 32 bits as a variable",
            "query($n: Int) { programs(first: $n) { totalCount } }",
            json!({ "n": 2_147_483_648_i64 }),
            "first",
        ),
        case(
            "Int below 32 bits in an input object variable",
            INVITE,
            json!({ "i": { "programId": "x", "maxUses": -2_147_483_649_i64 } }),
            "input.maxUses",
        ),
        case(
            "Int over 32 bits inline in an input object",
            r#"mutation { createInvite(input: {programId: "x", maxUses: 99999999999}) { invite { id } } }"#,
            json!({}),
            "input.maxUses",
        ),
        case(
            "Int over 32 bits as a variable in an inline object",
            "mutation($m: Int) { createInvite(input: {programId: \"x\", maxUses: $m}) { invite { id } } }",
            json!({ "m": 9_007_199_254_740_993_i64 }),
            "input.maxUses",
        ),
        case(
            "Int in a list of one-of objects",
            QUALIFY,
            json!({ "i": { "prospectId": "x", "answers": [
                { "key": "a", "value": { "scale": 3 } },
                { "key": "b", "value": { "scale": "four" } } ] } }),
            "input.answers.1.value.scale",
        ),
        // String, Boolean, ID.
        case(
            "String inline",
            "mutation { login(input: {email: 1, password: \"x\"}) { accessToken } }",
            json!({}),
            "input.email",
        ),
        case(
            "Boolean variable",
            PROSPECTS,
            json!({ "f": { "includeArchived": "yes" } }),
            "filter.includeArchived",
        ),
        case("ID inline", "{ node(id: true) { id } }", json!({}), "id"),
        case(
            "ID in a list variable",
            "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
            json!({ "ids": ["a", 1.5] }),
            "ids.1",
        ),
        // Enums.
        case(
            "enum inline in a list",
            "{ prospects(filter: {status: [NEW, NOPE]}) { totalCount } }",
            json!({}),
            "filter.status.1",
        ),
        case(
            "enum variable",
            PROSPECTS,
            json!({ "o": { "field": "POPULARITY" } }),
            "orderBy.field",
        ),
    ]
}

#[tokio::test]
async fn every_coercion_error_is_bad_user_input_with_the_values_path() {
    let app = TestApp::spawn().await;
    for case in cases() {
        let body = json!({ "query": case.query, "variables": case.variables });
        for (accept, status) in [(GRAPHQL_RESPONSE, 400), (JSON, 200)] {
            let reply = post(app.addr, accept, &body).await;
            let found = reply.body();
            assert_eq!(reply.status, status, "{} ({accept}): {found:#}", case.name);
            assert_eq!(
                codes(&found),
                vec!["BAD_USER_INPUT".to_owned()],
                "{}: {found:#}",
                case.name
            );
            assert_eq!(
                found["errors"][0]["extensions"]["field"], case.field,
                "{}: {found:#}",
                case.name
            );
            assert!(found.get("data").is_none(), "{}: {found:#}", case.name);
        }
    }
}

#[tokio::test]
async fn a_valid_date_time_still_reaches_the_resolver() {
    let app = TestApp::spawn().await;
    let body = json!({ "query": INVITE,
        "variables": { "i": { "programId": "x", "expiresAt": "2027-01-01T00:00:00Z" } } });
    let reply = post(app.addr, GRAPHQL_RESPONSE, &body).await;
    // Anonymous: refused by the resolver, so the value itself passed.
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(codes(&reply.body()), vec!["UNAUTHENTICATED".to_owned()]);
}
