//! The GraphQL-over-HTTP request parameters (`query`, `operationName`, `variables`,
//! `extensions`) from a JSON body or a query string, checked strictly: a parameter of the
//! wrong type is refused, not ignored.

use std::collections::HashMap;

use async_graphql::Variables;
use axum::extract::Query;
use axum::http::Uri;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::trusted::TrustedDocuments;
use super::{BATCHING_NOT_SUPPORTED, Refusal};

/// The parameters of a `POST` with a JSON body.
///
/// # Errors
/// 400 for an empty or malformed body, a body that is not an object, or a parameter of the
/// wrong type; a JSON array (a batch) is refused with `BATCHING_NOT_SUPPORTED`.
pub fn from_json(
    body: &[u8],
    trusted: Option<&TrustedDocuments>,
) -> Result<async_graphql::Request, Refusal> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(Refusal::bad_request(
            "the request body is empty; send a JSON object with a `query`",
        ));
    }
    // The common case in one pass, straight into GraphQL values; anything unusual (a batch,
    // a parameter of the wrong type, broken JSON) goes the slow way below, which says
    // exactly what is wrong.
    // (With trusted documents, the document comes from the manifest: the slow way.)
    if trusted.is_none()
        && let Ok(fast) = serde_json::from_slice::<Params>(body)
    {
        return Ok(fast.into_request());
    }
    // serde_json refuses nesting deeper than 128 levels, so this cannot exhaust the stack.
    let value: Value = serde_json::from_slice(body)
        .map_err(|_| Refusal::bad_request("the request body is not valid JSON"))?;
    match value {
        Value::Object(params) => request(params, trusted),
        Value::Array(_) => Err(Refusal::bad_request(
            "batched requests (a JSON array) are not supported; send one operation per request",
        )
        .code(BATCHING_NOT_SUPPORTED)),
        _ => Err(Refusal::bad_request(
            "the request body must be a JSON object with a `query`",
        )),
    }
}

/// A well-formed body, every parameter of the right type.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Params {
    query: String,
    operation_name: Option<String>,
    variables: Option<Variables>,
    extensions: Option<HashMap<String, async_graphql::Value>>,
}

impl Params {
    fn into_request(self) -> async_graphql::Request {
        let mut request = async_graphql::Request::new(self.query);
        if let Some(name) = self.operation_name {
            request = request.operation_name(name);
        }
        if let Some(variables) = self.variables {
            request = request.variables(variables);
        }
        request
            .extensions
            .0
            .extend(self.extensions.unwrap_or_default());
        request
    }
}

/// The parameters of a `GET`, from its query string.
///
/// # Errors
/// 400 for a malformed query string, a repeated parameter, or `variables`/`extensions`
/// that are not JSON objects.
pub fn from_query_string(
    uri: &Uri,
    trusted: Option<&TrustedDocuments>,
) -> Result<async_graphql::Request, Refusal> {
    let Query(pairs) = Query::<Vec<(String, String)>>::try_from_uri(uri)
        .map_err(|_| Refusal::bad_request("the query string is malformed"))?;
    let mut params = Map::new();
    for (name, value) in pairs {
        let value = match name.as_str() {
            "variables" | "extensions" => serde_json::from_str(&value).map_err(|_| {
                Refusal::bad_request(format!("`{name}` must be a JSON-encoded object"))
            })?,
            _ => Value::String(value),
        };
        if params.insert(name.clone(), value).is_some() {
            return Err(Refusal::bad_request(format!(
                "the parameter `{name}` is given twice"
            )));
        }
    }
    request(params, trusted)
}

fn request(
    mut params: Map<String, Value>,
    trusted: Option<&TrustedDocuments>,
) -> Result<async_graphql::Request, Refusal> {
    if let Some(trusted) = trusted {
        trusted.resolve(&mut params)?;
    }
    let query = match params.remove("query") {
        Some(Value::String(query)) => query,
        None | Some(Value::Null) => {
            return Err(Refusal::bad_request("the `query` parameter is required"));
        }
        Some(_) => return Err(Refusal::bad_request("`query` must be a string")),
    };
    let mut request = async_graphql::Request::new(query);
    match params.remove("operationName") {
        None | Some(Value::Null) => {}
        Some(Value::String(name)) => request = request.operation_name(name),
        Some(_) => {
            return Err(Refusal::bad_request(
                "`operationName` must be a string or null",
            ));
        }
    }
    if let Some(variables) = object(&mut params, "variables")? {
        request = request.variables(Variables::from_json(Value::Object(variables)));
    }
    if let Some(extensions) = object(&mut params, "extensions")? {
        for (name, value) in extensions {
            let value = async_graphql::Value::from_json(value)
                .map_err(|_| Refusal::bad_request("`extensions` is not a valid value"))?;
            request.extensions.0.insert(name, value);
        }
    }
    // Other parameters are ignored, as the specification asks.
    Ok(request)
}

/// An optional parameter that must be a JSON object (or null).
fn object(
    params: &mut Map<String, Value>,
    name: &str,
) -> Result<Option<Map<String, Value>>, Refusal> {
    match params.remove(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(object)) => Ok(Some(object)),
        Some(_) => Err(Refusal::bad_request(format!(
            "`{name}` must be an object or null"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(body: &str) -> Option<(u16, &'static str)> {
        from_json(body.as_bytes(), None)
            .err()
            .map(|r| (r.status.as_u16(), r.code))
    }

    #[test]
    fn well_formed_bodies_are_accepted() {
        let ok = [
            r#"{"query": "{ __typename }"}"#,
            r#"{"query": "{ __typename }", "variables": null, "operationName": null, "extensions": null}"#,
            r#"{"query": "query Q { __typename }", "operationName": "Q", "variables": {"a": 1}, "extensions": {"x": [1]}}"#,
            r#"{"query": "{ __typename }", "unknown": 1}"#,
        ];
        for body in ok {
            assert!(from_json(body.as_bytes(), None).is_ok(), "{body}");
        }
    }

    #[test]
    fn the_fast_path_reads_what_the_slow_path_reads() {
        let body = r#"{"query": "query Q($a: Int) { __typename }", "operationName": "Q",
            "variables": {"a": 1, "b": {"c": [true, null, "x", 2.5]}}, "extensions": {"x": [1]}}"#;
        let fast = from_json(body.as_bytes(), None).ok();
        let slow = serde_json::from_str::<Value>(body)
            .ok()
            .and_then(|v| match v {
                Value::Object(params) => request(params, None).ok(),
                _ => None,
            });
        let seen = |r: Option<async_graphql::Request>| {
            r.map(|r| {
                (
                    r.query,
                    r.operation_name,
                    r.variables.into_value().to_string(),
                    format!("{:?}", r.extensions.0),
                )
            })
        };
        let fast = seen(fast);
        assert!(fast.is_some());
        assert_eq!(fast, seen(slow));
        if let Some((_, _, variables, _)) = fast {
            assert_eq!(variables, r#"{a: 1, b: {c: [true, null, "x", 2.5]}}"#);
        }
    }

    #[test]
    fn malformed_bodies_are_bad_requests() {
        let bad = [
            "",
            "  ",
            r#"{ "not a JSON"#,
            "42",
            r#""{ __typename }""#,
            r#"{"qeury": "{ __typename }"}"#,
            r#"{"query": null}"#,
            r#"{"query": {"obj": "ect"}}"#,
            r#"{"query": 0}"#,
            r#"{"query": false}"#,
            r#"{"query": ["array"]}"#,
            r#"{"query": "{ a }", "operationName": 0}"#,
            r#"{"query": "{ a }", "operationName": {"a": 1}}"#,
            r#"{"query": "{ a }", "variables": "string"}"#,
            r#"{"query": "{ a }", "variables": ["array"]}"#,
            r#"{"query": "{ a }", "extensions": false}"#,
        ];
        for body in bad {
            assert_eq!(refused(body), Some((400, "BAD_REQUEST")), "{body}");
        }
        assert_eq!(
            refused(r#"[{"query": "{ a }"}, {"query": "{ b }"}]"#),
            Some((400, "BATCHING_NOT_SUPPORTED"))
        );
    }

    fn from_query_string_test(uri: &Uri) -> Result<async_graphql::Request, Refusal> {
        from_query_string(uri, None)
    }

    #[test]
    fn query_strings_carry_json_encoded_variables() {
        let uri = |query: &str| -> Uri { format!("/graphql?{query}").parse().unwrap_or_default() };
        let request = from_query_string_test(&uri(
            "query=query%20Q(%24n%3AString!)%7B__type(name%3A%24n)%7Bname%7D%7D&variables=%7B%22n%22%3A%22x%22%7D&operationName=Q",
        ));
        assert!(request.is_ok());
        for bad in [
            "query=%7Ba%7D&variables=nope",
            "query=%7Ba%7D&variables=%5B1%5D",
            "query=%7Ba%7D&query=%7Bb%7D",
            "operationName=Q",
        ] {
            assert!(from_query_string_test(&uri(bad)).is_err(), "{bad}");
        }
    }
}
