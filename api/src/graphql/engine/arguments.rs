//! One walk over an operation's arguments and variables, for the three things the engine
//! checks in them before async-graphql runs the request:
//!
//! - **The text rule** of every text input, whatever field it is for: no control characters
//!   except newline and tab (a NUL byte, which PostgreSQL cannot store, among them). Every
//!   string an argument carries is checked: literals in the document, nested in input
//!   objects and lists, variable values at the argument they fill, and a variable's default
//!   when the variable is not given. Length limits stay with each field's parsing.
//! - **Coercion of the scalars async-graphql's validation lets through unparsed.** Its
//!   validation (`ArgumentsOfCorrectType`) checks a scalar with the scalar's `is_valid`,
//!   which defaults to "anything goes": `DateTime` keeps that default, so `expiresAt:
//!   "tomorrow"` would pass validation and fail inside the resolver, as a field error without
//!   a code or a path. And its `Int` accepts any 64-bit integer, while the specification's
//!   is 32-bit. The specification makes both request errors, so their own parsing runs on
//!   every value at such a position, written inline or passed as a variable. Scalars of our
//!   own implement `is_valid` instead (`types::scalars`), so validation sees them.
//! - **Whether the variables fit their declared types** exactly as async-graphql's
//!   `ArgumentsOfCorrectType` would find, for the known-document path (`engine::known`): a
//!   document full validation has passed is then run in `Fast` mode. Anything this check is
//!   not sure of (a missing or null variable, an unknown type, an operation it cannot find)
//!   sends the request to full validation, so every error a client sees is the one full
//!   validation reports.
//!
//! A refusal of the first two is `BAD_USER_INPUT` with `extensions.field` the argument path
//! (`input.name`, `input.answers.3.value.scale`, `filter.search`); text refusals come before
//! coercion refusals, literals before variables.
//!
//! What depends on the document alone (literals, where each variable is used, the declared
//! types compiled) is found once, by [`Arguments::plan`]: a known document keeps its
//! [`Plan`], so a request with it walks only its variable values, once, for all three.

use std::collections::HashMap;

use async_graphql::parser::types::{
    BaseType, Directive, DocumentOperations, ExecutableDocument, OperationDefinition,
    OperationType, Selection, SelectionSet, Type,
};
use async_graphql::registry::{MetaType, MetaTypeName, Registry, ScalarValidatorFn};
use async_graphql::{
    InputType, Name, OutputType, Pos, Positioned, ScalarType, ServerError, Value as ConstValue,
    Variables,
};
use chrono::{DateTime, Utc};

use crate::error::ApiError;
use crate::graphql::mutations::Mutation;
use crate::graphql::query::Query;

/// What a string the text rule refuses is told.
pub const TEXT_MESSAGE: &str = "must not contain control characters (other than newline and tab)";
const INT_MESSAGE: &str = "expected an integer from -2147483648 to 2147483647";
const DATE_TIME_MESSAGE: &str = "expected a date and time in RFC 3339 format";

/// Whether `text` obeys the text rule.
pub fn acceptable(text: &str) -> bool {
    !text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
}

/// Parses a value as its scalar would: `Err` with the reason when it does not.
type Parse = fn(&ConstValue) -> Result<(), &'static str>;

fn int(value: &ConstValue) -> Result<(), &'static str> {
    // `<i32 as ScalarType>::parse`, without the copy: a number that is an `i64` in range.
    match value {
        ConstValue::Number(n) if n.as_i64().is_some_and(|n| i32::try_from(n).is_ok()) => Ok(()),
        _ => Err(INT_MESSAGE),
    }
}

fn date_time(value: &ConstValue) -> Result<(), &'static str> {
    <DateTime<Utc> as ScalarType>::parse(value.clone())
        .map(drop)
        .map_err(|_| DATE_TIME_MESSAGE)
}

/// The scalars whose values are parsed here, by GraphQL name.
fn strict_scalars() -> [(String, Parse); 2] {
    [
        (<i32 as InputType>::type_name().into_owned(), int as Parse),
        (
            <DateTime<Utc> as InputType>::type_name().into_owned(),
            date_time as Parse,
        ),
    ]
}

/// The schema's types, compiled from async-graphql's registry: the fields' argument types
/// for walking a document, and the input types indexed so that checking a variable's value
/// looks nothing up by name below the variable's own type.
pub struct Arguments {
    registry: Registry,
    index: HashMap<String, usize>,
    kinds: Vec<Kind>,
    query: String,
    mutation: String,
}

/// An input type.
enum Kind {
    Scalar {
        is_valid: Option<ScalarValidatorFn>,
        /// Parsed here (`Int`, `DateTime`).
        strict: Option<Parse>,
    },
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

/// A type (`[AnswerInput!]!`), its names resolved.
#[derive(Clone)]
enum Ty {
    NonNull(Box<Ty>),
    List(Box<Ty>),
    /// An index into `kinds`; `None` for a name that is not a type of the schema.
    Named(Option<usize>),
}

impl Default for Arguments {
    fn default() -> Self {
        let mut registry = Registry::default();
        // Every argument's type is registered with the field that takes it.
        Query::create_type_info(&mut registry);
        Mutation::create_type_info(&mut registry);
        Self::compile(registry)
    }
}

impl Arguments {
    fn compile(registry: Registry) -> Self {
        let strict = strict_scalars();
        let index: HashMap<String, usize> = registry
            .types
            .keys()
            .enumerate()
            .map(|(i, name)| (name.clone(), i))
            .collect();
        let kinds = registry
            .types
            .iter()
            .map(|(name, meta)| match meta {
                MetaType::Scalar { is_valid, .. } => Kind::Scalar {
                    is_valid: is_valid.clone(),
                    strict: strict.iter().find(|(n, _)| n == name).map(|(_, p)| *p),
                },
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
                            ty: resolve(&index, &field.ty),
                            required: MetaTypeName::create(&field.ty).is_non_null()
                                && field.default_value.is_none(),
                        })
                        .collect(),
                    oneof: *oneof,
                },
                _ => Kind::Output,
            })
            .collect();
        Self {
            registry,
            index,
            kinds,
            query: Query::type_name().into_owned(),
            mutation: Mutation::type_name().into_owned(),
        }
    }

    /// What `document`'s arguments amount to: the refusals its literals earn, and where
    /// each variable of each operation is used.
    pub fn plan(&self, document: &ExecutableDocument) -> Plan {
        let operations = match &document.operations {
            DocumentOperations::Single(operation) => {
                vec![(None, self.operation(document, &operation.node))]
            }
            DocumentOperations::Multiple(operations) => operations
                .iter()
                .map(|(name, operation)| {
                    (
                        Some(name.clone()),
                        self.operation(document, &operation.node),
                    )
                })
                .collect(),
        };
        Plan {
            single: matches!(document.operations, DocumentOperations::Single(_)),
            operations,
        }
    }

    fn operation(
        &self,
        document: &ExecutableDocument,
        operation: &OperationDefinition,
    ) -> OperationPlan {
        let mut walk = DocumentWalk {
            arguments: self,
            document,
            fragments: Vec::new(),
            uses: HashMap::new(),
            text: None,
            coercion: None,
            path: Vec::new(),
        };
        walk.directives(&operation.directives);
        match operation.ty {
            OperationType::Query => walk.selection_set(Some(&self.query), &operation.selection_set),
            OperationType::Mutation => {
                walk.selection_set(Some(&self.mutation), &operation.selection_set);
            }
            OperationType::Subscription => walk.selection_set(None, &operation.selection_set),
        }
        let mut uses = walk.uses;
        let variables = operation
            .variable_definitions
            .iter()
            .map(|definition| {
                let definition = &definition.node;
                let default_text = definition.default_value.as_ref().and_then(|default| {
                    let mut path = vec![Segment::Key(definition.name.node.clone())];
                    first_bad_text(&default.node, &mut path).map(|at| Refusal {
                        field: at,
                        problem: TEXT_MESSAGE,
                        pos: default.pos,
                    })
                });
                VariablePlan {
                    name: definition.name.node.clone(),
                    ty: self.declared(&definition.var_type.node),
                    used: uses.remove(&definition.name.node),
                    default_text,
                }
            })
            .collect();
        OperationPlan {
            text: walk.text,
            coercion: walk.coercion,
            variables,
        }
    }

    /// A type as a document declares it.
    fn declared(&self, ty: &Type) -> Ty {
        let base = match &ty.base {
            BaseType::Named(name) => Ty::Named(self.index.get(name.as_str()).copied()),
            BaseType::List(item) => Ty::List(Box::new(self.declared(item))),
        };
        if ty.nullable {
            base
        } else {
            Ty::NonNull(Box::new(base))
        }
    }

    fn kind(&self, ty: Option<usize>) -> Option<&Kind> {
        ty.and_then(|i| self.kinds.get(i))
    }
}

fn resolve(index: &HashMap<String, usize>, ty: &str) -> Ty {
    match MetaTypeName::create(ty) {
        MetaTypeName::NonNull(inner) => Ty::NonNull(Box::new(resolve(index, inner))),
        MetaTypeName::List(item) => Ty::List(Box::new(resolve(index, item))),
        MetaTypeName::Named(name) => Ty::Named(index.get(name).copied()),
    }
}

/// A refused value: where, why, and the position its error points at.
#[derive(Clone)]
struct Refusal {
    field: String,
    problem: &'static str,
    pos: Pos,
}

impl Refusal {
    fn error(&self) -> ServerError {
        async_graphql::Error::from(ApiError::bad_field(self.field.clone(), self.problem))
            .into_server_error(self.pos)
    }
}

/// What a document's arguments amount to ([`Arguments::plan`]).
pub struct Plan {
    single: bool,
    operations: Vec<(Option<Name>, OperationPlan)>,
}

struct OperationPlan {
    /// The first literal string the text rule refuses.
    text: Option<Refusal>,
    /// The first literal a strict scalar refuses.
    coercion: Option<Refusal>,
    variables: Vec<VariablePlan>,
}

struct VariablePlan {
    name: Name,
    /// As declared.
    ty: Ty,
    /// Where it is first used: the argument path of the position, and the positions of the
    /// argument's value (for the text rule) and name (for coercion).
    used: Option<Use>,
    /// Its default value's first string the text rule refuses.
    default_text: Option<Refusal>,
}

#[derive(Clone)]
struct Use {
    path: Vec<Segment>,
    value_pos: Pos,
    name_pos: Pos,
}

#[derive(Clone)]
enum Segment {
    /// A `Name` is shared, not copied: pushing one costs no allocation.
    Key(Name),
    Index(usize),
}

fn joined(path: &[Segment]) -> String {
    let mut out = String::new();
    for (i, segment) in path.iter().enumerate() {
        if i > 0 {
            out.push('.');
        }
        match segment {
            Segment::Key(key) => out.push_str(key.as_str()),
            Segment::Index(index) => out.push_str(&index.to_string()),
        }
    }
    out
}

impl Plan {
    /// Checks a request with this plan's document: its literals' refusals, then its
    /// variables' values (the text rule, coercion, and whether they fit their declared
    /// types), in one walk of each value.
    ///
    /// Returns whether every variable the operation declares is given, not null, and valid
    /// for its declared type (validation's `VariablesInAllowedPosition` has made sure the
    /// declared type fits wherever the variable is used; only a null or a missing variable
    /// could still meet a stricter position, and those are not accepted).
    ///
    /// # Errors
    /// `BAD_USER_INPUT` with the path of the first value the text rule or a strict scalar
    /// refuses.
    pub fn check(
        &self,
        arguments: &Arguments,
        operation_name: Option<&str>,
        variables: &Variables,
    ) -> Result<bool, ServerError> {
        let (operation, mut accepted) = match (self.single, operation_name) {
            (true, name) => (self.operations.first().map(|(_, o)| o), name.is_none()),
            (false, Some(name)) => (
                self.operations
                    .iter()
                    .find(|(n, _)| n.as_ref().is_some_and(|n| n.as_str() == name))
                    .map(|(_, o)| o),
                true,
            ),
            (false, None) if self.operations.len() == 1 => {
                (self.operations.first().map(|(_, o)| o), true)
            }
            (false, None) => (None, false),
        };
        // An operation that is not there is validation's to report.
        let Some(operation) = operation else {
            return Ok(false);
        };
        if let Some(refused) = &operation.text {
            return Err(refused.error());
        }
        let mut found = Found::default();
        for variable in &operation.variables {
            match variables.get(&variable.name) {
                None => {
                    accepted = false;
                    if found.text.is_none() {
                        found.text.clone_from(&variable.default_text);
                    }
                }
                Some(ConstValue::Null) => accepted = false,
                Some(value) => {
                    let Some(used) = &variable.used else {
                        // Unused: validation refuses the document, whatever the value.
                        accepted = false;
                        continue;
                    };
                    let mut walk = ValueWalk {
                        arguments,
                        path: used.path.clone(),
                        used,
                        found: &mut found,
                    };
                    accepted &= walk.value(Some(&variable.ty), value);
                }
            }
        }
        if let Some(refused) = found.text.as_ref().or(operation.coercion.as_ref()) {
            return Err(refused.error());
        }
        if let Some(refused) = &found.coercion {
            return Err(refused.error());
        }
        Ok(accepted)
    }
}

/// The first refusals of each kind found in variables' values.
#[derive(Default)]
struct Found {
    text: Option<Refusal>,
    coercion: Option<Refusal>,
}

/// One variable's value, against its declared type.
struct ValueWalk<'a> {
    arguments: &'a Arguments,
    path: Vec<Segment>,
    used: &'a Use,
    found: &'a mut Found,
}

impl ValueWalk<'_> {
    /// Checks the text rule and strict scalars in `value`, and returns whether it fits `ty`
    /// (`None`: a position no type is known for; every string is still checked).
    fn value(&mut self, ty: Option<&Ty>, value: &ConstValue) -> bool {
        match ty {
            None => {
                self.untyped(value);
                false
            }
            Some(Ty::NonNull(inner)) => {
                !matches!(value, ConstValue::Null) && self.value(Some(inner), value)
            }
            Some(Ty::List(item)) => match value {
                ConstValue::List(items) => {
                    let mut fits = true;
                    for (i, v) in items.iter().enumerate() {
                        self.path.push(Segment::Index(i));
                        fits &= self.value(Some(item), v);
                        self.path.pop();
                    }
                    fits
                }
                ConstValue::Null => true,
                // A single value where a list is expected is a list of one.
                single => self.value(Some(item), single),
            },
            Some(Ty::Named(kind)) => self.named(*kind, value),
        }
    }

    fn named(&mut self, kind: Option<usize>, value: &ConstValue) -> bool {
        if matches!(value, ConstValue::Null) {
            return true;
        }
        match self.arguments.kind(kind) {
            Some(Kind::Scalar { is_valid, strict }) => {
                if let ConstValue::String(text) = value {
                    self.text(text);
                }
                if let Some(parse) = strict
                    && let Err(problem) = parse(value)
                    && self.found.coercion.is_none()
                {
                    self.found.coercion = Some(Refusal {
                        field: joined(&self.path),
                        problem,
                        pos: self.used.name_pos,
                    });
                }
                is_valid.as_ref().is_none_or(|f| f(value))
            }
            Some(Kind::Enum(names)) => match value {
                ConstValue::Enum(v) => names.iter().any(|n| n == v.as_str()),
                ConstValue::String(v) => {
                    self.text(v);
                    names.iter().any(|n| n == v)
                }
                other => {
                    self.untyped(other);
                    false
                }
            },
            Some(Kind::Object {
                fields: expected,
                oneof,
            }) => {
                let ConstValue::Object(given) = value else {
                    self.untyped(value);
                    return false;
                };
                let mut fits = !(*oneof
                    && (given.len() != 1 || given.values().any(|v| *v == ConstValue::Null)));
                // Input objects have a handful of fields: comparing names is cheaper here
                // than hashing them for the maps' lookups.
                for (key, v) in given {
                    self.path.push(Segment::Key(key.clone()));
                    match expected.iter().find(|field| field.name == key.as_str()) {
                        Some(field) => fits &= self.value(Some(&field.ty), v),
                        None => {
                            self.untyped(v);
                            fits = false;
                        }
                    }
                    self.path.pop();
                }
                fits && expected.iter().all(|field| {
                    !field.required || given.iter().any(|(key, _)| key.as_str() == field.name)
                })
            }
            Some(Kind::Output) | None => {
                self.untyped(value);
                false
            }
        }
    }

    /// The text rule over a value of no known type.
    fn untyped(&mut self, value: &ConstValue) {
        if self.found.text.is_some() {
            return;
        }
        if let Some(at) = first_bad_text(value, &mut self.path) {
            self.found.text = Some(Refusal {
                field: at,
                problem: TEXT_MESSAGE,
                pos: self.used.value_pos,
            });
        }
    }

    fn text(&mut self, text: &str) {
        if self.found.text.is_none() && !acceptable(text) {
            self.found.text = Some(Refusal {
                field: joined(&self.path),
                problem: TEXT_MESSAGE,
                pos: self.used.value_pos,
            });
        }
    }
}

/// The path of the first string in `value` the text rule refuses, below `path`.
fn first_bad_text(value: &ConstValue, path: &mut Vec<Segment>) -> Option<String> {
    match value {
        ConstValue::String(text) if !acceptable(text) => Some(joined(path)),
        ConstValue::List(items) => items.iter().enumerate().find_map(|(i, item)| {
            path.push(Segment::Index(i));
            let found = first_bad_text(item, path);
            path.pop();
            found
        }),
        ConstValue::Object(fields) => fields.iter().find_map(|(key, item)| {
            path.push(Segment::Key(key.clone()));
            let found = first_bad_text(item, path);
            path.pop();
            found
        }),
        _ => None,
    }
}

/// One operation of a document, with the fragments it spreads (each once).
struct DocumentWalk<'a> {
    arguments: &'a Arguments,
    document: &'a ExecutableDocument,
    fragments: Vec<&'a Name>,
    uses: HashMap<Name, Use>,
    text: Option<Refusal>,
    coercion: Option<Refusal>,
    path: Vec<Segment>,
}

impl<'a> DocumentWalk<'a> {
    /// `parent`: the type the selections are on, if it is known.
    fn selection_set(&mut self, parent: Option<&str>, set: &'a Positioned<SelectionSet>) {
        for selection in &set.node.items {
            match &selection.node {
                Selection::Field(field) => {
                    let field = &field.node;
                    // An unknown field is validation's to report; its arguments still obey
                    // the text rule.
                    let meta = parent.and_then(|p| {
                        self.arguments
                            .registry
                            .types
                            .get(p)
                            .and_then(|t| t.field_by_name(&field.name.node))
                    });
                    for (name, value) in &field.arguments {
                        let ty = meta
                            .and_then(|m| m.args.get(name.node.as_str()))
                            .map(|arg| resolve(&self.arguments.index, &arg.ty));
                        self.argument(name, value, ty.as_ref());
                    }
                    self.directives(&field.directives);
                    let child = meta.map(|m| MetaTypeName::concrete_typename(&m.ty));
                    self.selection_set(child, &field.selection_set);
                }
                Selection::InlineFragment(fragment) => {
                    let fragment = &fragment.node;
                    self.directives(&fragment.directives);
                    let on = match &fragment.type_condition {
                        Some(condition) => Some(condition.node.on.node.as_str()),
                        None => parent,
                    };
                    self.selection_set(on, &fragment.selection_set);
                }
                Selection::FragmentSpread(spread) => {
                    self.directives(&spread.node.directives);
                    let name = &spread.node.fragment_name.node;
                    if self.fragments.contains(&name) {
                        continue;
                    }
                    self.fragments.push(name);
                    if let Some(fragment) = self.document.fragments.get(name) {
                        self.directives(&fragment.node.directives);
                        let on = fragment.node.type_condition.node.on.node.as_str();
                        self.selection_set(Some(on), &fragment.node.selection_set);
                    }
                }
            }
        }
    }

    fn directives(&mut self, directives: &'a [Positioned<Directive>]) {
        for directive in directives {
            for (name, value) in &directive.node.arguments {
                self.argument(name, value, None);
            }
        }
    }

    fn argument(
        &mut self,
        name: &Positioned<Name>,
        value: &Positioned<async_graphql_value::Value>,
        ty: Option<&Ty>,
    ) {
        self.path.clear();
        self.path.push(Segment::Key(name.node.clone()));
        let at = Use {
            path: Vec::new(),
            value_pos: value.pos,
            name_pos: name.pos,
        };
        self.literal(&value.node, ty, &at);
    }

    /// A literal value at `ty` (`None`: not known): strings, strict scalars, variables.
    fn literal(&mut self, value: &async_graphql_value::Value, ty: Option<&Ty>, at: &Use) {
        use async_graphql_value::Value;
        // Wrappers first: they carry no value of their own.
        let ty = match ty {
            Some(Ty::NonNull(inner)) => return self.literal(value, Some(inner), at),
            Some(Ty::List(item)) => {
                if let Value::List(items) = value {
                    for (i, v) in items.iter().enumerate() {
                        self.path.push(Segment::Index(i));
                        self.literal(v, Some(item), at);
                        self.path.pop();
                    }
                    return;
                }
                // A single value where a list is expected is a list of one.
                return self.literal(value, Some(item), at);
            }
            Some(Ty::Named(kind)) => self.arguments.kind(*kind),
            None => None,
        };
        match value {
            Value::Variable(name) => {
                self.uses.entry(name.clone()).or_insert_with(|| Use {
                    path: self.path.clone(),
                    ..at.clone()
                });
            }
            Value::Null => {}
            Value::List(items) => {
                for (i, v) in items.iter().enumerate() {
                    self.path.push(Segment::Index(i));
                    self.literal(v, None, at);
                    self.path.pop();
                }
            }
            Value::Object(fields) => {
                let expected = match ty {
                    Some(Kind::Object { fields, .. }) => Some(fields),
                    _ => None,
                };
                for (key, v) in fields {
                    let field_ty = expected
                        .and_then(|fields| fields.iter().find(|f| f.name == key.as_str()))
                        .map(|f| &f.ty);
                    self.path.push(Segment::Key(key.clone()));
                    self.literal(v, field_ty, at);
                    self.path.pop();
                }
            }
            scalar => {
                if let Value::String(text) = scalar
                    && self.text.is_none()
                    && !acceptable(text)
                {
                    self.text = Some(Refusal {
                        field: joined(&self.path),
                        problem: TEXT_MESSAGE,
                        pos: at.value_pos,
                    });
                }
                if let Some(Kind::Scalar {
                    strict: Some(parse),
                    ..
                }) = ty
                    && self.coercion.is_none()
                    && let Some(constant) = scalar.clone().into_const()
                    && let Err(problem) = parse(&constant)
                {
                    self.coercion = Some(Refusal {
                        field: joined(&self.path),
                        problem,
                        pos: at.name_pos,
                    });
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use async_graphql::parser::{Error as ParseError, parse_query};
    use async_graphql::{Request, Variables};
    use serde_json::{Value as Json, json};

    use super::{Arguments, acceptable};
    use crate::graphql::engine::limits;
    use crate::graphql::schema::schema_builder;

    /// The field of the refusal, or `None` when the request passes; panics on a parse error.
    fn refused(arguments: &Arguments, query: &str, variables: Json) -> Option<String> {
        let document = parse_query(query).ok()?;
        let plan = arguments.plan(&document);
        plan.check(arguments, None, &Variables::from_json(variables))
            .err()
            .map(|e| {
                e.extensions
                    .and_then(|x| x.get("field").cloned())
                    .map(|f| f.to_string())
                    .unwrap_or_default()
            })
    }

    #[test]
    fn newline_and_tab_pass_every_other_control_character_is_refused() {
        assert!(acceptable("two\nlines\tand a tab, émoji 🎯"));
        for c in ['\0', '\r', '\u{7}', '\u{1b}', '\u{7f}', '\u{85}'] {
            assert!(!acceptable(&format!("a{c}b")), "{:?}", c);
        }
    }

    #[test]
    fn text_literals_and_variables_are_refused_at_the_argument_path() {
        let a = Arguments::default();
        let nested = "mutation { createTemplate(input: { name: \"ok\", definition: \
                      { criteria: [{ key: \"a\", label: \"x\\u0000y\" }] } }) { template { id } } }";
        assert_eq!(
            refused(&a, nested, json!({})).as_deref(),
            Some("\"input.definition.criteria.0.label\"")
        );
        let via_variable = "mutation($n: String!) { createProspect(input: \
                            { programId: \"p\", name: $n }) { prospect { id } } }";
        assert_eq!(
            refused(&a, via_variable, json!({ "n": "a\u{0}" })).as_deref(),
            Some("\"input.name\"")
        );
        let whole = "query($f: ProspectFilter) { prospects(filter: $f) { totalCount } }";
        assert_eq!(
            refused(&a, whole, json!({ "f": { "search": "\u{1}" } })).as_deref(),
            Some("\"filter.search\"")
        );
        assert_eq!(
            refused(&a, whole, json!({ "f": { "search": "fine\n" } })),
            None
        );
        // A string under a key the type does not have is checked all the same.
        assert_eq!(
            refused(&a, whole, json!({ "f": { "bogus": ["\u{2}"] } })).as_deref(),
            Some("\"filter.bogus.0\"")
        );
        let in_fragment = "query { ...F } fragment F on Query { prospects(filter: \
                           { search: \"\\u001b\" }) { totalCount } }";
        assert_eq!(
            refused(&a, in_fragment, json!({})).as_deref(),
            Some("\"filter.search\"")
        );
        let defaulted = "query($s: String = \"\\u0000\") { prospects(filter: { search: $s }) \
                         { totalCount } }";
        assert_eq!(refused(&a, defaulted, json!({})).as_deref(), Some("\"s\""));
        assert_eq!(refused(&a, defaulted, json!({ "s": "given" })), None);
    }

    #[test]
    fn strict_scalars_are_coerced_in_literals_and_variables() {
        let a = Arguments::default();
        let page = "query { prospects(first: 3000000000) { totalCount } }";
        assert_eq!(refused(&a, page, json!({})).as_deref(), Some("\"first\""));
        let qualify = "mutation($input: QualifyProspectInput!) { \
            qualifyProspect(input: $input) { qualification { id } } }";
        assert_eq!(
            refused(&a, qualify, answers(json!({ "scale": 3_000_000_000_i64 }))).as_deref(),
            Some("\"input.answers.1.value.scale\"")
        );
        assert_eq!(refused(&a, qualify, answers(json!({ "scale": 4 }))), None);
        // The text rule is told before coercion.
        let both = "query($s: String, $n: Int) { prospects(first: $n, filter: { search: $s }) \
                    { totalCount } }";
        assert_eq!(
            refused(&a, both, json!({ "n": 3_000_000_000_i64, "s": "\u{0}" })).as_deref(),
            Some("\"filter.search\"")
        );
    }

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
        let arguments = Arguments::default();
        for (query, operation, vars, expected) in cases {
            let document = parse_query(query)?;
            let plan = arguments.plan(&document);
            // Values a strict scalar refuses are refused before this question is asked.
            let accepted = plan
                .check(&arguments, operation, &Variables::from_json(vars.clone()))
                .unwrap_or(false);
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
        let arguments = Arguments::default();
        for value in [
            json!({ "scale": 4, "yes": true }),
            json!({ "scale": "four" }),
            json!({ "colour": "red" }),
        ] {
            let vars = answers(value);
            let document = parse_query(QUALIFY)?;
            let plan = arguments.plan(&document);
            assert!(
                !plan
                    .check(&arguments, None, &Variables::from_json(vars.clone()))
                    .unwrap_or(false)
            );
            assert!(
                !full_validation_passes(QUALIFY, None, &vars).await,
                "{vars}"
            );
        }
        Ok(())
    }
}
