//! Limits on a parsed document, measured once per fragment however often it is spread.

use std::collections::HashMap;

use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{Name, Pos, Positioned, ServerError, ServerResult};

use super::{
    INTROSPECTION_DISABLED, QUERY_TOO_COMPLEX, QUERY_TOO_DEEP, TOO_MANY_ALIASES,
    TOO_MANY_DIRECTIVES, VALIDATION_FAILED, coded, max_nesting,
};
use crate::config;

/// Checks every operation of a parsed document: nesting, fields once fragments are
/// expanded, aliases and directives; and introspection when it is off.
///
/// # Errors
/// The first limit exceeded, with its code.
pub fn check_document(
    document: &ExecutableDocument,
    limits: &config::Limits,
    introspection: bool,
) -> ServerResult<()> {
    let mut walker = Walker {
        document,
        limits,
        introspection,
        max_nesting: max_nesting(limits),
        fragments: HashMap::new(),
        visiting: Vec::new(),
    };
    let mut fields = 0usize;
    for (_, operation) in document.operations.iter() {
        let mut cost = walker.selection_set(&operation.node.selection_set, 0)?;
        cost.directives = cost
            .directives
            .saturating_add(operation.node.directives.len())
            .saturating_add(
                operation
                    .node
                    .variable_definitions
                    .iter()
                    .map(|v| v.node.directives.len())
                    .sum(),
            );
        let at_most = |used: usize, max: usize, what: &str, code: &'static str| {
            if used > max {
                Err(coded(
                    format!("the operation uses {used} {what}; at most {max} are accepted"),
                    code,
                    Some(operation.pos),
                ))
            } else {
                Ok(())
            }
        };
        at_most(
            cost.aliases,
            limits.max_aliases,
            "aliases",
            TOO_MANY_ALIASES,
        )?;
        at_most(
            cost.directives,
            limits.max_directives,
            "directives",
            TOO_MANY_DIRECTIVES,
        )?;
        if cost.depth > limits.max_depth || cost.type_refs > MAX_TYPE_REFS {
            return Err(coded(
                format!(
                    "the query nests fields {} deep; at most {} are accepted",
                    cost.depth.max(cost.type_refs),
                    limits.max_depth
                ),
                QUERY_TOO_DEEP,
                Some(operation.pos),
            ));
        }
        fields = fields.saturating_add(cost.fields);
        walker.check_fields(fields, operation.pos)?;
    }
    Ok(())
}

/// `ofType` fields nested in one query: the standard introspection queries of graphql-js
/// and graphql-core nest 9 (`tests/fixtures/introspection`).
pub const MAX_TYPE_REFS: usize = 10;

/// What a selection set amounts to once its fragments are expanded.
#[derive(Clone, Copy, Default)]
struct Cost {
    fields: usize,
    aliases: usize,
    directives: usize,
    /// Nesting below this selection set, counted like async-graphql's recursive depth.
    height: usize,
    /// Fields nested below this selection set (the depth `max_depth` limits), except
    /// introspection's `ofType`, counted in `type_refs` instead.
    depth: usize,
    /// `ofType` fields nested below this selection set.
    type_refs: usize,
}

impl Cost {
    fn add(&mut self, other: Cost) {
        self.fields = self.fields.saturating_add(other.fields);
        self.aliases = self.aliases.saturating_add(other.aliases);
        self.directives = self.directives.saturating_add(other.directives);
        self.height = self.height.max(other.height);
        self.depth = self.depth.max(other.depth);
        self.type_refs = self.type_refs.max(other.type_refs);
    }
}

struct Walker<'a> {
    document: &'a ExecutableDocument,
    limits: &'a config::Limits,
    introspection: bool,
    max_nesting: usize,
    /// Each fragment is measured once, however often it is spread.
    fragments: HashMap<&'a Name, Cost>,
    /// Fragments being measured, to refuse cycles instead of recursing forever.
    visiting: Vec<&'a Name>,
}

impl<'a> Walker<'a> {
    /// The cost of `set`, found at `depth`. Gives up as soon as a limit is exceeded, so the
    /// work is bounded by the limits, not by the document.
    fn selection_set(
        &mut self,
        set: &'a Positioned<SelectionSet>,
        depth: usize,
    ) -> ServerResult<Cost> {
        if depth > self.max_nesting {
            return Err(too_deep(set.pos));
        }
        let mut total = Cost::default();
        for selection in &set.node.items {
            let directives = selection.node.directives();
            let mut cost = Cost {
                directives: directives.len(),
                ..Cost::default()
            };
            let inner = match &selection.node {
                Selection::Field(field) => {
                    let field = &field.node;
                    if directives.len() > self.limits.max_directives_per_field {
                        return Err(coded(
                            format!(
                                "the field `{}` has {} directives; at most {} are accepted",
                                field.name.node,
                                directives.len(),
                                self.limits.max_directives_per_field
                            ),
                            TOO_MANY_DIRECTIVES,
                            Some(selection.pos),
                        ));
                    }
                    if !self.introspection
                        && matches!(field.name.node.as_str(), "__schema" | "__type")
                    {
                        return Err(coded(
                            "introspection is disabled on this server",
                            INTROSPECTION_DISABLED,
                            Some(selection.pos),
                        ));
                    }
                    cost.fields = 1;
                    cost.aliases = usize::from(field.alias.is_some());
                    // `ofType` (a field of introspection's `__Type` only) unwraps a list
                    // or non-null type: standard introspection queries nest it 9 deep
                    // to reach a type like `[[String!]!]!`. That chain is bounded on its
                    // own (`MAX_TYPE_REFS`), so that a client's introspection fits in
                    // `max_depth` without raising it for every query.
                    if field.name.node == "ofType" {
                        cost.type_refs = 1;
                    } else {
                        cost.depth = 1;
                    }
                    if field.selection_set.node.items.is_empty() {
                        None
                    } else {
                        Some(self.selection_set(&field.selection_set, depth + 1)?)
                    }
                }
                Selection::InlineFragment(fragment) => {
                    Some(self.selection_set(&fragment.node.selection_set, depth + 1)?)
                }
                Selection::FragmentSpread(spread) => {
                    self.fragment(&spread.node.fragment_name.node, depth + 1)?
                }
            };
            if let Some(inner) = inner {
                // A field's own depth (or `ofType`) sits on top of its selection's.
                let (depth, type_refs) = (cost.depth, cost.type_refs);
                cost.add(inner);
                cost.height = inner.height + 1;
                cost.depth = inner.depth + depth;
                cost.type_refs = inner.type_refs + type_refs;
            }
            total.add(cost);
            self.check_fields(total.fields, selection.pos)?;
        }
        Ok(total)
    }

    /// The cost of a spread of fragment `name` at `depth`; `None` for an unknown fragment
    /// (validation reports it).
    fn fragment(&mut self, name: &'a Name, depth: usize) -> ServerResult<Option<Cost>> {
        let Some(definition) = self.document.fragments.get(name) else {
            return Ok(None);
        };
        let cost = match self.fragments.get(name) {
            Some(cost) => *cost,
            None => {
                if self.visiting.contains(&name) {
                    return Err(coded(
                        format!("the fragment `{name}` spreads itself"),
                        VALIDATION_FAILED,
                        Some(definition.pos),
                    ));
                }
                self.visiting.push(name);
                let mut cost = self.selection_set(&definition.node.selection_set, depth)?;
                self.visiting.pop();
                cost.directives = cost
                    .directives
                    .saturating_add(definition.node.directives.len());
                self.fragments.insert(name, cost);
                cost
            }
        };
        // A fragment measured where it was first spread may sit deeper elsewhere.
        if depth.saturating_add(cost.height) > self.max_nesting {
            return Err(too_deep(definition.pos));
        }
        Ok(Some(cost))
    }

    fn check_fields(&self, fields: usize, pos: Pos) -> ServerResult<()> {
        // Every field costs at least 1 in the complexity, so more fields than the complexity
        // limit can only be refused; refusing them here keeps the later checks cheap.
        if fields > self.limits.max_complexity {
            return Err(coded(
                format!(
                    "the query selects more than {} fields once fragments are expanded",
                    self.limits.max_complexity
                ),
                QUERY_TOO_COMPLEX,
                Some(pos),
            ));
        }
        Ok(())
    }
}

fn too_deep(pos: Pos) -> ServerError {
    coded(
        "the query nests selections or fragments too deeply",
        QUERY_TOO_DEEP,
        Some(pos),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(query: &str, limits: &config::Limits) -> Option<String> {
        let document = async_graphql::parser::parse_query(query).ok()?;
        check_document(&document, limits, true).err().map(|e| {
            e.extensions
                .and_then(|x| x.get("code").cloned())
                .map(|c| c.to_string())
                .unwrap_or_default()
        })
    }

    #[test]
    fn a_fragment_bomb_is_refused_without_expanding_it() {
        let mut query = String::from("{ ...F0 }\n");
        for i in 0..30 {
            query.push_str(&format!(
                "fragment F{i} on Query {{ ...F{} ...F{} }}\n",
                i + 1,
                i + 1
            ));
        }
        query.push_str("fragment F30 on Query { __typename }");
        let limits = config::Limits {
            max_depth: 40,
            ..config::Limits::default()
        };
        assert_eq!(
            check(&query, &limits).as_deref(),
            Some("\"QUERY_TOO_COMPLEX\"")
        );
    }

    #[test]
    fn fragment_cycles_and_deep_chains_are_refused() {
        let limits = config::Limits::default();
        let cycle = "{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }";
        assert_eq!(
            check(cycle, &limits).as_deref(),
            Some("\"GRAPHQL_VALIDATION_FAILED\"")
        );
        let mut chain = String::from("{ ...F0 }\n");
        for i in 0..100 {
            chain.push_str(&format!("fragment F{i} on Query {{ ...F{} }}\n", i + 1));
        }
        chain.push_str("fragment F100 on Query { __typename }");
        assert_eq!(
            check(&chain, &limits).as_deref(),
            Some("\"QUERY_TOO_DEEP\"")
        );
    }

    #[test]
    fn aliases_and_directives_inside_fragments_count_once_per_spread() {
        let limits = config::Limits {
            max_aliases: 3,
            ..config::Limits::default()
        };
        let query = "{ ...F ...F } fragment F on Query { a: __typename b: __typename }";
        assert_eq!(
            check(query, &limits).as_deref(),
            Some("\"TOO_MANY_ALIASES\"")
        );
        let fine = "{ ...F } fragment F on Query { a: __typename b: __typename }";
        assert_eq!(check(fine, &limits), None);
    }
}
