//! The one rule every text input obeys, whatever field it is for: no control characters
//! except newline and tab (a NUL byte, which PostgreSQL cannot store, among them).
//!
//! Checked once per request, before the operation runs (`entry::Engine::execute`), over every
//! string the operation's arguments carry: literals in the document, nested in input objects
//! and lists, and variable values (or their defaults) at the argument they fill. A refusal is
//! `BAD_USER_INPUT` with `extensions.field` the argument path (`input.name`,
//! `input.definition.criteria.2.label`, `filter.search`), so nothing runs and nothing is
//! written. Length limits stay with each field's parsing (they differ by field).

use std::convert::Infallible;

use async_graphql::parser::types::{
    Directive, DocumentOperations, ExecutableDocument, Selection, SelectionSet,
};
use async_graphql::{Name, Positioned, ServerError, Value as ConstValue, Variables};

use crate::error::ApiError;

/// What a refused string is told.
pub const MESSAGE: &str = "must not contain control characters (other than newline and tab)";

/// Whether `text` obeys the rule.
pub fn acceptable(text: &str) -> bool {
    !text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
}

/// Checks every string argument of the request's (already parsed) document.
///
/// # Errors
/// `BAD_USER_INPUT` naming the first offending argument path.
pub fn check(request: &mut async_graphql::Request) -> Result<(), ServerError> {
    let variables = std::mem::take(&mut request.variables);
    // Usually every variable is clean, and only the document's literals need a look: the
    // variables are then left out of the walk instead of copied into it.
    let variables_clean = variables
        .values()
        .all(|value| const_value(value, "", async_graphql::Pos::default()).is_ok());
    let outcome = match request.parsed_query() {
        Ok(document) => Walk {
            variables: &variables,
            resolve_variables: !variables_clean,
            document,
        }
        .document(),
        // Parse errors are reported by the schema, as before.
        Err(_) => Ok(()),
    };
    request.variables = variables;
    outcome.map_err(|(field, pos)| {
        async_graphql::Error::from(ApiError::bad_field(field, MESSAGE)).into_server_error(pos)
    })
}

type Refusal = (String, async_graphql::Pos);

struct Walk<'a> {
    variables: &'a Variables,
    /// Whether variables are replaced by their values in the walk (only needed to find
    /// the argument path of a bad variable value).
    resolve_variables: bool,
    document: &'a ExecutableDocument,
}

impl Walk<'_> {
    fn document(&self) -> Result<(), Refusal> {
        let operations: Vec<_> = match &self.document.operations {
            DocumentOperations::Single(op) => vec![op],
            DocumentOperations::Multiple(ops) => ops.values().collect(),
        };
        for op in operations {
            let defaults = op.node.variable_definitions.iter().map(|d| &d.node);
            for definition in defaults {
                if let Some(default) = &definition.default_value
                    && !self.variables.contains_key(&definition.name.node)
                {
                    const_value(&default.node, definition.name.node.as_str(), default.pos)?;
                }
            }
            self.directives(&op.node.directives)?;
            self.selection_set(&op.node.selection_set.node)?;
        }
        for fragment in self.document.fragments.values() {
            self.directives(&fragment.node.directives)?;
            self.selection_set(&fragment.node.selection_set.node)?;
        }
        Ok(())
    }

    fn selection_set(&self, set: &SelectionSet) -> Result<(), Refusal> {
        for item in &set.items {
            match &item.node {
                Selection::Field(field) => {
                    for (name, value) in &field.node.arguments {
                        // Variables are replaced by their values: a string is checked at the
                        // argument path it fills, however it was passed.
                        let resolved = value.node.clone().into_const_with(|v| self.variable(&v));
                        let resolved = resolved.unwrap_or_default();
                        const_value(&resolved, name.node.as_str(), value.pos)?;
                    }
                    self.directives(&field.node.directives)?;
                    self.selection_set(&field.node.selection_set.node)?;
                }
                Selection::FragmentSpread(spread) => self.directives(&spread.node.directives)?,
                Selection::InlineFragment(fragment) => {
                    self.directives(&fragment.node.directives)?;
                    self.selection_set(&fragment.node.selection_set.node)?;
                }
            }
        }
        Ok(())
    }

    fn directives(&self, directives: &[Positioned<Directive>]) -> Result<(), Refusal> {
        for directive in directives {
            for (name, value) in &directive.node.arguments {
                let resolved = value.node.clone().into_const_with(|v| self.variable(&v));
                const_value(&resolved.unwrap_or_default(), name.node.as_str(), value.pos)?;
            }
        }
        Ok(())
    }

    fn variable(&self, name: &Name) -> Result<ConstValue, Infallible> {
        if !self.resolve_variables {
            return Ok(ConstValue::Null);
        }
        Ok(self.variables.get(name).cloned().unwrap_or_default())
    }
}

fn const_value(value: &ConstValue, path: &str, pos: async_graphql::Pos) -> Result<(), Refusal> {
    match value {
        ConstValue::String(text) if !acceptable(text) => Err((path.to_owned(), pos)),
        ConstValue::List(items) => items
            .iter()
            .enumerate()
            .try_for_each(|(i, item)| const_value(item, &format!("{path}.{i}"), pos)),
        ConstValue::Object(fields) => fields
            .iter()
            .try_for_each(|(key, item)| const_value(item, &format!("{path}.{key}"), pos)),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn refused(query: &str, variables: serde_json::Value) -> Option<String> {
        let mut request =
            async_graphql::Request::new(query).variables(Variables::from_json(variables));
        check(&mut request).err().map(|e| {
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
    fn literals_and_variables_are_refused_at_the_argument_path() {
        let nested = "mutation { createTemplate(input: { name: \"ok\", definition: \
                      { criteria: [{ key: \"a\", label: \"x\\u0000y\" }] } }) { template { id } } }";
        assert_eq!(
            refused(nested, json!({})).as_deref(),
            Some("\"input.definition.criteria.0.label\"")
        );
        let via_variable = "mutation($n: String!) { createProspect(input: \
                            { programId: \"p\", name: $n }) { prospect { id } } }";
        assert_eq!(
            refused(via_variable, json!({ "n": "a\u{0}" })).as_deref(),
            Some("\"input.name\"")
        );
        let whole = "query($f: ProspectFilter) { prospects(filter: $f) { totalCount } }";
        assert_eq!(
            refused(whole, json!({ "f": { "search": "\u{1}" } })).as_deref(),
            Some("\"filter.search\"")
        );
        assert_eq!(refused(whole, json!({ "f": { "search": "fine\n" } })), None);
        let in_fragment = "query { ...F } fragment F on Query { prospects(filter: \
                           { search: \"\\u001b\" }) { totalCount } }";
        assert_eq!(
            refused(in_fragment, json!({})).as_deref(),
            Some("\"filter.search\"")
        );
        let defaulted = "query($s: String = \"\\u0000\") { prospects(filter: { search: $s }) \
                         { totalCount } }";
        assert_eq!(refused(defaulted, json!({})).as_deref(), Some("\"s\""));
    }
}
