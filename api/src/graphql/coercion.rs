//! Coercing argument values of scalars whose validation async-graphql skips.
//!
//! async-graphql's validation (`ArgumentsOfCorrectType`) checks a scalar value with the
//! scalar's `is_valid`, which defaults to "anything goes": `DateTime` (`types::datetime`,
//! parsed as chrono parses it) keeps that default, so `expiresAt: "tomorrow"` passed validation and failed only inside the
//! resolver, as an executed field's error without a code or the field's path. The
//! specification makes it a request error (coercing a literal is validation, coercing a
//! variable happens before execution), so this check runs those scalars' own parsing on
//! every value at such a position, written inline or passed as a variable, before
//! execution, and reports a failure as `BAD_USER_INPUT` with the argument's path
//! (`input.expiresAt`), as every other coercion error is. Scalars of our own implement
//! `is_valid` instead (`types::scalars`), so async-graphql's validation sees them. `Int`
//! is checked here too: async-graphql's validation accepts any integer, the specification's
//! `Int` is 32-bit.

use std::collections::{HashMap, HashSet};

use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, OperationType, Selection, SelectionSet,
};
use async_graphql::registry::{MetaType, MetaTypeName, Registry};
use async_graphql::{
    InputType, Name, OutputType, Positioned, ScalarType, ServerError, Value as ConstValue,
    Variables,
};
use chrono::{DateTime, Utc};

use crate::error::ApiError;
use crate::graphql::mutations::Mutation;
use crate::graphql::query::Query;

/// Parses a value as its scalar would: `Err` with the reason when it does not.
type Parse = fn(ConstValue) -> Result<(), String>;

/// The scalars async-graphql's validation lets through unparsed, by GraphQL name.
fn strict_scalars() -> HashMap<String, Parse> {
    fn date_time(value: ConstValue) -> Result<(), String> {
        <DateTime<Utc> as ScalarType>::parse(value)
            .map(drop)
            .map_err(|_| "expected a date and time in RFC 3339 format".to_owned())
    }
    // async-graphql's `Int` validation accepts any JSON integer; the specification's `Int`
    // is 32-bit, and a larger value used to fail inside the resolver without a code.
    fn int(value: ConstValue) -> Result<(), String> {
        <i32 as ScalarType>::parse(value)
            .map(drop)
            .map_err(|_| "expected an integer from -2147483648 to 2147483647".to_owned())
    }
    HashMap::from([
        (
            <DateTime<Utc> as InputType>::type_name().into_owned(),
            date_time as Parse,
        ),
        (<i32 as InputType>::type_name().into_owned(), int as Parse),
    ])
}

/// The schema's argument types, and which of them can hold a strict scalar.
pub struct Coercion {
    registry: Registry,
    strict: HashMap<String, Parse>,
    /// Input types (and scalars) that are, or contain, a strict scalar.
    reaching: HashSet<String>,
    /// Fields with an argument whose type reaches a strict scalar: a query that names none
    /// of them is not walked at all.
    fields: Vec<String>,
    query: String,
    mutation: String,
}

impl Default for Coercion {
    fn default() -> Self {
        let mut registry = Registry::default();
        Query::create_type_info(&mut registry);
        Mutation::create_type_info(&mut registry);
        let strict = strict_scalars();
        let reaching = reaching(&registry, &strict);
        let mut fields: Vec<String> = registry
            .types
            .values()
            .filter_map(MetaType::fields)
            .flat_map(|fields| fields.values())
            .filter(|field| {
                field
                    .args
                    .values()
                    .any(|arg| reaching.contains(MetaTypeName::concrete_typename(&arg.ty)))
            })
            .map(|field| field.name.clone())
            .collect();
        fields.sort();
        fields.dedup();
        Self {
            registry,
            strict,
            reaching,
            fields,
            query: Query::type_name().into_owned(),
            mutation: Mutation::type_name().into_owned(),
        }
    }
}

/// The input types from which a strict scalar can be reached through input fields.
fn reaching(registry: &Registry, strict: &HashMap<String, Parse>) -> HashSet<String> {
    let mut found: HashSet<String> = strict.keys().cloned().collect();
    // Input objects nest a few levels: repeat until nothing is added.
    loop {
        let before = found.len();
        for (name, meta) in &registry.types {
            if let MetaType::InputObject { input_fields, .. } = meta
                && input_fields
                    .values()
                    .any(|f| found.contains(MetaTypeName::concrete_typename(&f.ty)))
            {
                found.insert(name.clone());
            }
        }
        if found.len() == before {
            return found;
        }
    }
}

impl Coercion {
    /// Whether `query` names a field that takes a strict scalar somewhere in its arguments
    /// (a cheap test on the text, so that most requests are not walked).
    pub fn may_apply(&self, query: &str) -> bool {
        self.fields
            .iter()
            .any(|field| query.contains(field.as_str()))
    }

    /// Checks the values of the operation's arguments at strict-scalar positions.
    ///
    /// # Errors
    /// The first value its scalar refuses, as `BAD_USER_INPUT` with the argument's path.
    pub fn check(
        &self,
        document: &ExecutableDocument,
        operation_name: Option<&str>,
        variables: &Variables,
    ) -> Result<(), ServerError> {
        let operation = match (&document.operations, operation_name) {
            (DocumentOperations::Single(operation), _) => operation,
            (DocumentOperations::Multiple(operations), Some(name)) => match operations.get(name) {
                Some(operation) => operation,
                None => return Ok(()),
            },
            (DocumentOperations::Multiple(_), None) => return Ok(()),
        };
        let root = match operation.node.ty {
            OperationType::Query => &self.query,
            OperationType::Mutation => &self.mutation,
            OperationType::Subscription => return Ok(()),
        };
        let mut walk = Walk {
            coercion: self,
            document,
            variables,
            fragments: HashSet::new(),
        };
        walk.selection_set(root, &operation.node.selection_set)
    }
}

struct Walk<'a> {
    coercion: &'a Coercion,
    document: &'a ExecutableDocument,
    variables: &'a Variables,
    /// Fragments already walked (their arguments do not change with the spread).
    fragments: HashSet<&'a Name>,
}

impl<'a> Walk<'a> {
    fn selection_set(
        &mut self,
        parent: &str,
        set: &'a Positioned<SelectionSet>,
    ) -> Result<(), ServerError> {
        for selection in &set.node.items {
            match &selection.node {
                Selection::Field(field) => {
                    let field = &field.node;
                    // An unknown field is validation's to report.
                    let Some(meta) = self
                        .coercion
                        .registry
                        .types
                        .get(parent)
                        .and_then(|t| t.field_by_name(&field.name.node))
                    else {
                        continue;
                    };
                    for (name, value) in &field.arguments {
                        let Some(arg) = meta.args.get(name.node.as_str()) else {
                            continue;
                        };
                        if !self
                            .coercion
                            .reaching
                            .contains(MetaTypeName::concrete_typename(&arg.ty))
                        {
                            continue;
                        }
                        // Variables' values in place (a missing one is null: validation
                        // reports it if that matters).
                        let value = value
                            .node
                            .clone()
                            .into_const_with(|name| {
                                Ok::<_, std::convert::Infallible>(
                                    self.variables.get(&name).cloned().unwrap_or_default(),
                                )
                            })
                            .unwrap_or_default();
                        if let Err((path, problem)) =
                            self.value(&arg.ty, value, name.node.to_string())
                        {
                            return Err(async_graphql::Error::from(ApiError::bad_field(
                                path, problem,
                            ))
                            .into_server_error(name.pos));
                        }
                    }
                    let child = MetaTypeName::concrete_typename(&meta.ty);
                    self.selection_set(child, &field.selection_set)?;
                }
                Selection::InlineFragment(fragment) => {
                    let fragment = &fragment.node;
                    let on = fragment
                        .type_condition
                        .as_ref()
                        .map_or(parent, |c| c.node.on.node.as_str());
                    self.selection_set(on, &fragment.selection_set)?;
                }
                Selection::FragmentSpread(spread) => {
                    let name = &spread.node.fragment_name.node;
                    if !self.fragments.insert(name) {
                        continue;
                    }
                    if let Some(fragment) = self.document.fragments.get(name) {
                        let on = fragment.node.type_condition.node.on.node.as_str();
                        self.selection_set(on, &fragment.node.selection_set)?;
                    }
                }
            }
        }
        Ok(())
    }

    /// Checks `value` against the type `ty` (as the registry writes it), at `path`.
    fn value(&self, ty: &str, value: ConstValue, path: String) -> Result<(), (String, String)> {
        if matches!(value, ConstValue::Null) {
            return Ok(());
        }
        match MetaTypeName::create(ty) {
            MetaTypeName::NonNull(inner) => self.value(inner, value, path),
            MetaTypeName::List(item) => match value {
                ConstValue::List(items) => {
                    for (i, v) in items.into_iter().enumerate() {
                        self.value(item, v, format!("{path}.{i}"))?;
                    }
                    Ok(())
                }
                single => self.value(item, single, path),
            },
            MetaTypeName::Named(name) => {
                if let Some(parse) = self.coercion.strict.get(name) {
                    return parse(value).map_err(|problem| (path, problem));
                }
                let (Some(MetaType::InputObject { input_fields, .. }), ConstValue::Object(given)) =
                    (self.coercion.registry.types.get(name), value)
                else {
                    return Ok(());
                };
                for (field, v) in given {
                    if let Some(meta) = input_fields.get(field.as_str())
                        && self
                            .coercion
                            .reaching
                            .contains(MetaTypeName::concrete_typename(&meta.ty))
                    {
                        self.value(&meta.ty, v, format!("{path}.{field}"))?;
                    }
                }
                Ok(())
            }
        }
    }
}
