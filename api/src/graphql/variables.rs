//! Running a document already known to be valid without validating it again.
//!
//! async-graphql validates every request in full before running it, and for a mutation with
//! ten `@oneOf` answers that is the largest part of what the GraphQL layer costs
//! (`bench/RESULTS.md` has the figures).
//! Yet the GraphQL spec separates the two steps: validating the document depends only on
//! the schema and the document ("a GraphQL service may execute a request without
//! immediately validating it if that exact same request is known to have been validated
//! before"), while coercing the variable values is part of running it.
//!
//! So a cached document (`limits::Guard`) is marked valid once the fully validating schema
//! has run it, and later requests with that text go to a second schema that validates in
//! async-graphql's `Fast` mode, after [`Inputs::accept`] has checked their variable values
//! here exactly as async-graphql's `ArgumentsOfCorrectType` would. Anything this check is
//! not sure of (a missing or null variable, an unknown type, an operation it cannot
//! find) sends the request to the full validation instead, so every error a client can see
//! is still the one full validation reports.

use std::collections::HashMap;

use async_graphql::parser::types::{BaseType, DocumentOperations, ExecutableDocument, Type};
use async_graphql::registry::{MetaType, MetaTypeName, Registry, ScalarValidatorFn};
use async_graphql::{OutputType, Value, Variables};

use crate::graphql::mutations::Mutation;
use crate::graphql::query::Query;

/// The schema's input types, compiled from async-graphql's registry so that checking a
/// value looks nothing up by name below the variable's own type.
pub struct Inputs {
    index: HashMap<String, usize>,
    kinds: Vec<Kind>,
}

/// An input type.
enum Kind {
    Scalar(Option<ScalarValidatorFn>),
    Enum(Vec<String>),
    Object {
        fields: Vec<Field>,
        oneof: bool,
    },
    /// Not an input type: no value is accepted.
    Output,
}

struct Field {
    name: String,
    ty: Ty,
    /// Non-null without a default: must be given.
    required: bool,
}

/// A type as the registry writes it (`[AnswerInput!]!`), its names resolved.
enum Ty {
    NonNull(Box<Ty>),
    List(Box<Ty>),
    /// An index into `kinds`; `None` for a type that is not an input type.
    Named(Option<usize>),
}

impl Default for Inputs {
    fn default() -> Self {
        let mut registry = Registry::default();
        // Every argument's type is registered with the field that takes it.
        Query::create_type_info(&mut registry);
        Mutation::create_type_info(&mut registry);
        Self::compile(&registry)
    }
}

impl Inputs {
    fn compile(registry: &Registry) -> Self {
        let inputs: Vec<(&String, &MetaType)> = registry.types.iter().collect();
        let index: HashMap<String, usize> = inputs
            .iter()
            .enumerate()
            .map(|(i, (name, _))| ((*name).clone(), i))
            .collect();
        let ty = |name: &str| resolve(&index, name);
        let kinds = inputs
            .iter()
            .map(|(_, meta)| match meta {
                MetaType::Scalar { is_valid, .. } => Kind::Scalar(is_valid.clone()),
                MetaType::Enum { enum_values, .. } => {
                    Kind::Enum(enum_values.keys().cloned().collect())
                }
                MetaType::InputObject {
                    input_fields,
                    oneof,
                    ..
                } => Kind::Object {
                    fields: input_fields
                        .values()
                        .map(|field| Field {
                            name: field.name.clone(),
                            ty: ty(&field.ty),
                            required: MetaTypeName::create(&field.ty).is_non_null()
                                && field.default_value.is_none(),
                        })
                        .collect(),
                    oneof: *oneof,
                },
                _ => Kind::Output,
            })
            .collect();
        Self { index, kinds }
    }

    /// Whether every variable the operation declares is given, not null, and valid for its
    /// declared type. Validation (`VariablesInAllowedPosition`) has made sure the declared
    /// type fits wherever the variable is used; only a null or a missing variable could
    /// still meet a stricter position (a nullable variable with a default, passed to a
    /// non-null argument), and those are not accepted here.
    pub fn accept(
        &self,
        document: &ExecutableDocument,
        operation_name: Option<&str>,
        variables: &Variables,
    ) -> bool {
        let operation = match (&document.operations, operation_name) {
            (DocumentOperations::Single(operation), None) => operation,
            (DocumentOperations::Multiple(operations), Some(name)) => match operations.get(name) {
                Some(operation) => operation,
                None => return false,
            },
            (DocumentOperations::Multiple(operations), None) if operations.len() == 1 => {
                match operations.values().next() {
                    Some(operation) => operation,
                    None => return false,
                }
            }
            _ => return false,
        };
        operation
            .node
            .variable_definitions
            .iter()
            .all(|definition| {
                let definition = &definition.node;
                match variables.get(&definition.name.node) {
                    None | Some(Value::Null) => false,
                    Some(value) => self.of_type(&definition.var_type.node, value),
                }
            })
    }

    /// A value against a type written in the document.
    fn of_type(&self, ty: &Type, value: &Value) -> bool {
        if matches!(value, Value::Null) {
            return ty.nullable;
        }
        match &ty.base {
            BaseType::Named(name) => self.of_kind(self.index.get(name.as_str()).copied(), value),
            BaseType::List(item) => match value {
                Value::List(items) => items.iter().all(|v| self.of_type(item, v)),
                // A single value where a list is expected is a list of one.
                single => self.of_type(item, single),
            },
        }
    }

    /// A value against a type of an input object's field.
    fn of_ty(&self, ty: &Ty, value: &Value) -> bool {
        match ty {
            Ty::NonNull(inner) => !matches!(value, Value::Null) && self.of_ty(inner, value),
            Ty::List(item) => match value {
                Value::List(items) => items.iter().all(|v| self.of_ty(item, v)),
                Value::Null => true,
                single => self.of_ty(item, single),
            },
            Ty::Named(kind) => self.of_kind(*kind, value),
        }
    }

    fn of_kind(&self, kind: Option<usize>, value: &Value) -> bool {
        if matches!(value, Value::Null) {
            return true;
        }
        match kind.and_then(|i| self.kinds.get(i)) {
            Some(Kind::Scalar(is_valid)) => is_valid.as_ref().is_none_or(|f| f(value)),
            Some(Kind::Enum(names)) => match value {
                Value::Enum(v) => names.iter().any(|n| n == v.as_str()),
                Value::String(v) => names.iter().any(|n| n == v),
                _ => false,
            },
            Some(Kind::Object {
                fields: expected,
                oneof,
            }) => {
                let Value::Object(given) = value else {
                    return false;
                };
                if *oneof && (given.len() != 1 || given.values().any(|v| *v == Value::Null)) {
                    return false;
                }
                // Input objects have a handful of fields: comparing names is cheaper here
                // than hashing them for the maps' lookups.
                given
                    .keys()
                    .all(|key| expected.iter().any(|field| field.name == key.as_str()))
                    && expected.iter().all(|field| {
                        match given.iter().find(|(key, _)| key.as_str() == field.name) {
                            Some((_, value)) => self.of_ty(&field.ty, value),
                            None => !field.required,
                        }
                    })
            }
            Some(Kind::Output) | None => false,
        }
    }
}

fn resolve(index: &HashMap<String, usize>, ty: &str) -> Ty {
    match MetaTypeName::create(ty) {
        MetaTypeName::NonNull(inner) => Ty::NonNull(Box::new(resolve(index, inner))),
        MetaTypeName::List(item) => Ty::List(Box::new(resolve(index, item))),
        MetaTypeName::Named(name) => Ty::Named(index.get(name).copied()),
    }
}

#[cfg(test)]
mod tests {
    use async_graphql::parser::{Error as ParseError, parse_query};
    use async_graphql::{Request, Variables};
    use serde_json::{Value as Json, json};

    use super::Inputs;
    use crate::graphql::limits;
    use crate::graphql::schema::schema_builder;

    const QUALIFY: &str = "mutation($input: QualifyProspectInput!) { \
        qualifyProspect(input: $input) { qualification { id } } }";
    const DECIDE: &str = "mutation Decide($input: DecideProspectInput!) { \
        decideProspect(input: $input) { prospect { id } } }";
    const PAGE: &str = "query($first: Int, $after: String) { \
        prospects(first: $first, after: $after) { totalCount } }";

    fn answers(value: Json) -> Json {
        json!({ "input": { "prospectId": "cHJvc3BlY3Q6MQ", "answers": [
            { "key": "budget", "value": { "yes": true } },
            { "key": "fit", "value": value },
        ] } })
    }

    /// Whether the fully validating schema lets the request through to execution (its
    /// resolvers then fail for want of a database and a user, with a path).
    async fn full_validation_passes(query: &str, operation: Option<&str>, vars: &Json) -> bool {
        let mut request = Request::new(query).variables(Variables::from_json(vars.clone()));
        if let Some(name) = operation {
            request = request.operation_name(name);
        }
        limits::executed(&schema_builder().finish().execute(request).await)
    }

    /// Each case: whether the check accepts it. Whatever it accepts must pass full
    /// validation too; what it refuses goes to full validation, which says what is wrong.
    #[tokio::test]
    async fn what_the_check_accepts_full_validation_accepts() -> Result<(), ParseError> {
        let cases: Vec<(&str, Option<&str>, Json, bool)> = vec![
            (QUALIFY, None, answers(json!({ "scale": 4 })), true),
            (QUALIFY, None, answers(json!({ "choice": "retail" })), true),
            (QUALIFY, None, answers(json!({ "number": 120_000 })), true),
            (QUALIFY, None, answers(json!({ "unknown": true })), true),
            // @oneOf: two kinds, none, or a null one.
            (
                QUALIFY,
                None,
                answers(json!({ "scale": 4, "yes": true })),
                false,
            ),
            (QUALIFY, None, answers(json!({})), false),
            (QUALIFY, None, answers(json!({ "scale": null })), false),
            // Wrong scalar types, an unknown field.
            (QUALIFY, None, answers(json!({ "scale": "four" })), false),
            (QUALIFY, None, answers(json!({ "scale": 4.5 })), false),
            (QUALIFY, None, answers(json!({ "colour": "red" })), false),
            // An Int out of range passes both: its range is checked where the argument is
            // parsed, with the field's path.
            (
                QUALIFY,
                None,
                answers(json!({ "scale": 3_000_000_000_i64 })),
                true,
            ),
            // A required field missing, the whole input null or missing, not an object.
            (QUALIFY, None, json!({ "input": { "answers": [] } }), false),
            (QUALIFY, None, json!({ "input": null }), false),
            (QUALIFY, None, json!({}), false),
            (QUALIFY, None, json!({ "input": [1, 2] }), false),
            // A single answer where a list is expected is a list of one.
            (
                QUALIFY,
                None,
                json!({ "input": { "prospectId": "x", "answers": { "key": "k", "value": { "yes": false } } } }),
                true,
            ),
            // Enums, as variables are written in JSON: strings.
            (
                DECIDE,
                Some("Decide"),
                json!({ "input": { "prospectId": "x", "decision": "TAKE_ON" } }),
                true,
            ),
            (
                DECIDE,
                Some("Decide"),
                json!({ "input": { "prospectId": "x", "decision": "MAYBE" } }),
                false,
            ),
            (
                DECIDE,
                Some("Other"),
                json!({ "input": { "prospectId": "x", "decision": "TAKE_ON" } }),
                false,
            ),
            (
                DECIDE,
                None,
                json!({ "input": { "prospectId": "x", "decision": 1 } }),
                false,
            ),
            // Nullable variables: given, given as null, or left out.
            (PAGE, None, json!({ "first": 20, "after": "abc" }), true),
            (PAGE, None, json!({ "first": 20, "after": null }), false),
            (PAGE, None, json!({ "first": 20 }), false),
            (PAGE, None, json!({ "first": "20", "after": "abc" }), false),
        ];
        let inputs = Inputs::default();
        for (query, operation, vars, expected) in cases {
            let document = parse_query(query)?;
            let accepted = inputs.accept(&document, operation, &Variables::from_json(vars.clone()));
            assert_eq!(accepted, expected, "{vars}");
            if accepted {
                assert!(
                    full_validation_passes(query, operation, &vars).await,
                    "accepted, but full validation refuses: {vars}"
                );
            }
        }
        Ok(())
    }

    /// The refused cases that full validation refuses too: the check is not looser.
    #[tokio::test]
    async fn bad_values_are_refused_by_both() -> Result<(), ParseError> {
        let inputs = Inputs::default();
        for value in [
            json!({ "scale": 4, "yes": true }),
            json!({ "scale": "four" }),
            json!({ "colour": "red" }),
        ] {
            let vars = answers(value);
            let document = parse_query(QUALIFY)?;
            assert!(!inputs.accept(&document, None, &Variables::from_json(vars.clone())));
            assert!(
                !full_validation_passes(QUALIFY, None, &vars).await,
                "{vars}"
            );
        }
        Ok(())
    }
}
