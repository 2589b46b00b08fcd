//! A checker of responses against the specification's rules for `data` and field errors,
//! independent of `graphql::engine::nulls` (which mends responses): tests hold every response
//! they drive to it.
//!
//! It checks that every key the operation selects on an object is present, that no
//! non-null position holds `null`, and that every error with a path has a `null` at that
//! path or above it (or `data` is `null`). Objects under an abstract type are checked
//! through the fragments that match their `__typename`, so a query that wants them checked
//! selects it.

use async_graphql::parser::types::{
    BaseType, DocumentOperations, ExecutableDocument, OperationType, Selection, SelectionSet, Type,
};
use serde_json::Value as Json;

use crate::graphql::shape::{Kind, Shape};

/// Every way `body` (a GraphQL response) breaks the rules for the operation in `query`.
pub fn violations(shape: &Shape, query: &str, operation: Option<&str>, body: &Json) -> Vec<String> {
    let document = match async_graphql::parser::parse_query(query) {
        Ok(d) => d,
        Err(e) => return vec![format!("the query does not parse: {e}")],
    };
    let op = match (&document.operations, operation) {
        (DocumentOperations::Single(op), _) => &op.node,
        (DocumentOperations::Multiple(ops), Some(name)) => match ops.get(name) {
            Some(op) => &op.node,
            None => return vec![format!("no operation {name}")],
        },
        (DocumentOperations::Multiple(_), None) => return vec!["which operation?".into()],
    };
    let root = match op.ty {
        OperationType::Query => "Query",
        OperationType::Mutation => "Mutation",
        OperationType::Subscription => "Subscription",
    };
    let mut problems = Vec::new();
    let data = &body["data"];
    if let Some(errors) = body["errors"].as_array() {
        for error in errors {
            let Some(path) = error["path"].as_array() else {
                continue;
            };
            if !null_at_or_above(data, path) {
                problems.push(format!("no null at or above the error path {path:?}"));
            }
        }
    }
    if !data.is_null() {
        let checker = Checker {
            shape,
            document: &document,
        };
        checker.object(data, root, &op.selection_set.node, "data", &mut problems);
    }
    problems
}

fn null_at_or_above(data: &Json, path: &[Json]) -> bool {
    let mut value = data;
    if value.is_null() {
        return true;
    }
    for segment in path {
        let next = match segment {
            Json::String(key) => value.get(key.as_str()),
            Json::Number(n) => n.as_u64().and_then(|i| value.get(i as usize)),
            _ => None,
        };
        match next {
            Some(Json::Null) => return true,
            Some(next) => value = next,
            None => return false,
        }
    }
    false
}

struct Checker<'a> {
    shape: &'a Shape,
    document: &'a ExecutableDocument,
}

impl Checker<'_> {
    fn object(
        &self,
        value: &Json,
        ty: &str,
        set: &SelectionSet,
        at: &str,
        problems: &mut Vec<String>,
    ) {
        let Some(map) = value.as_object() else {
            problems.push(format!(
                "{at}: expected an object of type {ty}, got {value}"
            ));
            return;
        };
        let abstract_type = matches!(
            self.shape.types.get(ty).map(|t| t.kind),
            Some(Kind::Interface | Kind::Union)
        );
        let concrete = if abstract_type {
            match map.get("__typename").and_then(Json::as_str) {
                Some(name) => name.to_owned(),
                // Without `__typename` only the fields on the abstract type itself are checked.
                None => ty.to_owned(),
            }
        } else {
            ty.to_owned()
        };
        let mut fields = Vec::new();
        self.collect(&concrete, set, &mut fields);
        for (key, name, sub) in fields {
            let field_at = format!("{at}.{key}");
            let Some(field_type) = self.shape.field_type(&concrete, &name) else {
                problems.push(format!("{field_at}: {concrete} has no field {name}"));
                continue;
            };
            match map.get(&key) {
                None => problems.push(format!("{field_at}: key missing")),
                Some(v) => self.value(v, &field_type, sub, &field_at, problems),
            }
        }
    }

    fn value(
        &self,
        value: &Json,
        ty: &Type,
        set: &SelectionSet,
        at: &str,
        problems: &mut Vec<String>,
    ) {
        if value.is_null() {
            if !ty.nullable {
                problems.push(format!("{at}: null in a non-null position ({ty})"));
            }
            return;
        }
        match &ty.base {
            BaseType::List(inner) => match value.as_array() {
                Some(items) => {
                    for (i, item) in items.iter().enumerate() {
                        self.value(item, inner, set, &format!("{at}.{i}"), problems);
                    }
                }
                None => problems.push(format!("{at}: expected a list")),
            },
            BaseType::Named(name) => {
                if matches!(
                    self.shape.types.get(name.as_str()).map(|t| t.kind),
                    Some(Kind::Object | Kind::Interface | Kind::Union)
                ) {
                    self.object(value, name, set, at, problems);
                }
            }
        }
    }

    /// (response key, field name, selection set) of the fields that apply to `concrete`.
    fn collect<'s>(
        &'s self,
        concrete: &str,
        set: &'s SelectionSet,
        out: &mut Vec<(String, String, &'s SelectionSet)>,
    ) {
        for item in &set.items {
            match &item.node {
                Selection::Field(f) => {
                    let key = f.node.response_key().node.to_string();
                    if skipped(&f.node.directives) || out.iter().any(|(k, _, _)| *k == key) {
                        continue;
                    }
                    out.push((
                        key,
                        f.node.name.node.to_string(),
                        &f.node.selection_set.node,
                    ));
                }
                Selection::FragmentSpread(s) => {
                    if let Some(fragment) = self.document.fragments.get(&s.node.fragment_name.node)
                        && self.applies(&fragment.node.type_condition.node.on.node, concrete)
                    {
                        self.collect(concrete, &fragment.node.selection_set.node, out);
                    }
                }
                Selection::InlineFragment(i) => {
                    let applies = i
                        .node
                        .type_condition
                        .as_ref()
                        .is_none_or(|c| self.applies(&c.node.on.node, concrete));
                    if applies {
                        self.collect(concrete, &i.node.selection_set.node, out);
                    }
                }
            }
        }
    }

    fn applies(&self, condition: &str, concrete: &str) -> bool {
        condition == concrete
            || self
                .shape
                .types
                .get(concrete)
                .is_some_and(|t| t.members.contains(condition))
            || self
                .shape
                .types
                .get(condition)
                .is_some_and(|t| t.kind == Kind::Union && t.members.contains(concrete))
    }
}

/// `@skip(if: true)` or `@include(if: false)` with a literal (the tests use no variables there).
fn skipped(
    directives: &[async_graphql::Positioned<async_graphql::parser::types::Directive>],
) -> bool {
    directives.iter().any(|d| {
        let literal = d.node.get_argument("if").map(|v| v.node.to_string());
        match d.node.name.node.as_str() {
            "skip" => literal.as_deref() == Some("true"),
            "include" => literal.as_deref() == Some("false"),
            _ => false,
        }
    })
}
