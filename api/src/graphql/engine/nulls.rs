//! Field errors handled as the GraphQL specification says ("Handling Field Errors").
//!
//! async-graphql drops the key of a field whose resolver failed and leaves its parent as
//! it is, so a client finds a key missing from an object it asked for (and an object all
//! of whose fields failed becomes `null` instead). The specification asks for `null` in
//! the failed field's place when its type is nullable; when it is non-null, the `null`
//! moves up to the nearest nullable ancestor, and to `data` itself when there is none.
//!
//! [`propagate`] mends an executed response in that way, from the errors' paths, the
//! executed document and the schema's [`Shape`]. It runs once per executed response, in
//! `engine::Engine::execute` (on either engine), and costs nothing when no error has a path.

use std::collections::HashMap;

use async_graphql::parser::types::{
    BaseType, DocumentOperations, ExecutableDocument, OperationType, Selection, SelectionSet, Type,
};
use async_graphql::{Name, PathSegment, Response, Value};

use crate::graphql::shape::{Shape, named};

/// Where a path leads: the selection sets that apply there, each with the type its fields
/// are looked up on.
type Scope<'a> = Vec<(String, &'a SelectionSet)>;

/// Whether [`propagate`] has anything to do: an error with a path.
pub fn needed(response: &Response) -> bool {
    response.errors.iter().any(|e| !e.path.is_empty())
}

/// Puts `null` where the specification wants it for every error with a path.
pub fn propagate(
    shape: &Shape,
    document: &ExecutableDocument,
    operation_name: Option<&str>,
    response: &mut Response,
) {
    if !needed(response) {
        return;
    }
    let Some((root, selection)) = operation(document, operation_name) else {
        return;
    };
    let walker = Walker {
        shape,
        fragments: document,
    };
    // Prefixes set to null here, so that a later error inside one is not mistaken for an
    // object async-graphql emptied.
    let mut nulled: Vec<Vec<PathSegment>> = Vec::new();
    let paths: Vec<Vec<PathSegment>> = response
        .errors
        .iter()
        .filter(|e| !e.path.is_empty())
        .map(|e| e.path.clone())
        .collect();
    for path in paths {
        let Some(steps) = walker.steps(root, selection, &path) else {
            continue;
        };
        match mend(&mut response.data, &path, &steps, &nulled) {
            Mended::Root => {
                response.data = Value::Null;
                return;
            }
            Mended::At(len) => nulled.push(path[..len].to_vec()),
            Mended::Nothing => {}
        }
    }
}

fn operation<'a>(
    document: &'a ExecutableDocument,
    name: Option<&str>,
) -> Option<(&'static str, &'a SelectionSet)> {
    let op = match (&document.operations, name) {
        (DocumentOperations::Single(op), _) => op,
        (DocumentOperations::Multiple(ops), Some(name)) => ops.get(name)?,
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => ops.values().next()?,
        (DocumentOperations::Multiple(_), None) => return None,
    };
    let root = match op.node.ty {
        OperationType::Query => "Query",
        OperationType::Mutation => "Mutation",
        OperationType::Subscription => "Subscription",
    };
    Some((root, &op.node.selection_set.node))
}

/// What is known at one position of a path (after its segment).
struct Step {
    /// Whether `null` may stand at this position.
    nullable: bool,
    /// The response keys of the object at this position, in selection order (empty for
    /// a list or a leaf).
    keys: Vec<Name>,
}

struct Walker<'a> {
    shape: &'a Shape,
    fragments: &'a ExecutableDocument,
}

impl<'a> Walker<'a> {
    /// One step per segment of `path`, or `None` when the path does not fit the document
    /// (then the error is left as it is).
    fn steps(
        &self,
        root: &str,
        selection: &'a SelectionSet,
        path: &[PathSegment],
    ) -> Option<Vec<Step>> {
        let mut scope: Scope<'a> = vec![(root.to_owned(), selection)];
        // The candidate types at the current position (several only under an abstract
        // type whose fragments select the same key).
        let mut types: Vec<Type> = Vec::new();
        let mut steps = Vec::with_capacity(path.len() + 1);
        steps.push(Step {
            nullable: false,
            keys: self.keys(&scope),
        });
        for segment in path {
            match segment {
                PathSegment::Field(key) => {
                    let mut found = Vec::new();
                    for (on, set) in &scope {
                        self.fields_with_key(on, set, key, &mut found);
                    }
                    if found.is_empty() {
                        return None;
                    }
                    types = found.iter().map(|(ty, _)| ty.clone()).collect();
                    scope = found
                        .iter()
                        .map(|(ty, set)| (named(ty).to_owned(), *set))
                        .collect();
                }
                PathSegment::Index(_) => {
                    types = types
                        .iter()
                        .map(|ty| match &ty.base {
                            BaseType::List(inner) => Some((**inner).clone()),
                            BaseType::Named(_) => None,
                        })
                        .collect::<Option<_>>()?;
                }
            }
            let is_object = types.iter().all(|t| matches!(t.base, BaseType::Named(_)));
            steps.push(Step {
                // Where the candidates disagree, the stricter reading wins: a client
                // generated for the non-null one must never see a null there.
                nullable: types.iter().all(|t| t.nullable),
                keys: if is_object {
                    self.keys(&scope)
                } else {
                    Vec::new()
                },
            });
        }
        Some(steps)
    }

    /// The fields selected under the response key `key` in `set` (on type `on`), through
    /// fragments, each with its type and its own selection set.
    fn fields_with_key(
        &self,
        on: &str,
        set: &'a SelectionSet,
        key: &str,
        found: &mut Vec<(Type, &'a SelectionSet)>,
    ) {
        for item in &set.items {
            match &item.node {
                Selection::Field(field) if field.node.response_key().node == key => {
                    if let Some(ty) = self.shape.field_type(on, &field.node.name.node) {
                        found.push((ty, &field.node.selection_set.node));
                    }
                }
                Selection::Field(_) => {}
                Selection::FragmentSpread(spread) => {
                    if let Some(fragment) = self
                        .fragments
                        .fragments
                        .get(&spread.node.fragment_name.node)
                    {
                        let on = &fragment.node.type_condition.node.on.node;
                        self.fields_with_key(on, &fragment.node.selection_set.node, key, found);
                    }
                }
                Selection::InlineFragment(inline) => {
                    let on = inline
                        .node
                        .type_condition
                        .as_ref()
                        .map_or(on, |c| c.node.on.node.as_str());
                    self.fields_with_key(on, &inline.node.selection_set.node, key, found);
                }
            }
        }
    }

    /// The response keys selected in `scope`, in the order the specification's
    /// CollectFields gives them.
    fn keys(&self, scope: &Scope<'a>) -> Vec<Name> {
        let mut keys = Vec::new();
        for (_, set) in scope {
            self.collect_keys(set, &mut keys, 0);
        }
        keys
    }

    fn collect_keys(&self, set: &'a SelectionSet, keys: &mut Vec<Name>, depth: usize) {
        // Fragment cycles are refused by validation; the bound only keeps this total.
        if depth > 64 {
            return;
        }
        for item in &set.items {
            match &item.node {
                Selection::Field(field) => {
                    let key = field.node.response_key().node.clone();
                    if !keys.contains(&key) {
                        keys.push(key);
                    }
                }
                Selection::FragmentSpread(spread) => {
                    if let Some(fragment) = self
                        .fragments
                        .fragments
                        .get(&spread.node.fragment_name.node)
                    {
                        self.collect_keys(&fragment.node.selection_set.node, keys, depth + 1);
                    }
                }
                Selection::InlineFragment(inline) => {
                    self.collect_keys(&inline.node.selection_set.node, keys, depth + 1);
                }
            }
        }
    }
}

enum Mended {
    /// `data` itself must be null.
    Root,
    /// The first this many segments of the path were set to null.
    At(usize),
    /// Already null higher up.
    Nothing,
}

/// The nearest position at or above `upto` (1 = the first segment) that may be null.
fn nearest_nullable(steps: &[Step], upto: usize) -> Option<usize> {
    (1..=upto).rev().find(|p| steps[*p].nullable)
}

fn child<'v>(value: &'v Value, segment: &PathSegment) -> Option<&'v Value> {
    match (segment, value) {
        (PathSegment::Field(key), Value::Object(map)) => map.get(key.as_str()),
        (PathSegment::Index(i), Value::List(list)) => list.get(*i),
        _ => None,
    }
}

fn child_mut<'v>(value: &'v mut Value, segment: &PathSegment) -> Option<&'v mut Value> {
    match (segment, value) {
        (PathSegment::Field(key), Value::Object(map)) => map.get_mut(key.as_str()),
        (PathSegment::Index(i), Value::List(list)) => list.get_mut(*i),
        _ => None,
    }
}

/// Sets the nearest position at or above the end of `path` that may be null to null.
/// `steps[p]` describes position `p` of the path, `steps[0]` the root.
fn mend(
    data: &mut Value,
    path: &[PathSegment],
    steps: &[Step],
    nulled: &[Vec<PathSegment>],
) -> Mended {
    let Some(mut target) = nearest_nullable(steps, path.len()) else {
        return Mended::Root;
    };
    // Look down the path first. A key async-graphql dropped on the way is another error's
    // field: the nearest nullable position at or above it takes the null instead. A null
    // on the way is either set here for an earlier error (nothing left to do) or an
    // object async-graphql emptied because all its fields failed.
    let mut value = &*data;
    let mut position = 0;
    while position + 1 < target {
        let Some(next) = child(value, &path[position]) else {
            break;
        };
        position += 1;
        if matches!(next, Value::Null) {
            if nulled
                .iter()
                .any(|n| n.len() <= position && path.starts_with(n))
            {
                return Mended::Nothing;
            }
            if !matches!(path.get(position), Some(PathSegment::Field(_))) {
                break;
            }
        }
        value = next;
    }
    if position + 1 < target {
        match nearest_nullable(steps, position + 1) {
            Some(t) => target = t,
            None => return Mended::Root,
        }
    }
    // Then walk to the target's parent, giving the emptied objects their map back (`data`
    // too, when every root field failed).
    if matches!(data, Value::Null) {
        *data = Value::Object(Default::default());
    }
    let mut value = data;
    for segment in &path[..target - 1] {
        let Some(next) = child_mut(value, segment) else {
            return Mended::Nothing;
        };
        if matches!(next, Value::Null) {
            *next = Value::Object(Default::default());
        }
        value = next;
    }
    match (&path[target - 1], value) {
        (PathSegment::Field(key), Value::Object(map)) => {
            map.insert(Name::new(key), Value::Null);
            reorder(map, &steps[target - 1].keys);
        }
        (PathSegment::Index(i), Value::List(list)) => match list.get_mut(*i) {
            Some(slot) => *slot = Value::Null,
            None => return Mended::Nothing,
        },
        _ => return Mended::Nothing,
    }
    Mended::At(target)
}

/// Puts an object's keys back in selection order after a key was inserted.
fn reorder(map: &mut async_graphql::indexmap::IndexMap<Name, Value>, order: &[Name]) {
    let rank: HashMap<&Name, usize> = order.iter().enumerate().map(|(i, k)| (k, i)).collect();
    map.sort_by_cached_key(|key, _| rank.get(key).copied().unwrap_or(usize::MAX));
}

#[cfg(test)]
mod tests {
    use async_graphql::{EmptySubscription, Error, Object, Schema};
    use serde_json::{Value as Json, json};

    use super::propagate;
    use crate::graphql::conformance::violations;
    use crate::graphql::shape::Shape;

    struct Query;
    #[Object]
    impl Query {
        async fn ok(&self) -> i32 {
            1
        }
        async fn fail(&self) -> Result<i32, Error> {
            Err(Error::new("no"))
        }
        async fn maybe(&self) -> Option<Obj> {
            Some(Obj)
        }
        async fn obj(&self) -> Obj {
            Obj
        }
        async fn list(&self) -> Vec<Obj> {
            vec![Obj, Obj]
        }
        async fn opt_list(&self) -> Option<Vec<Obj>> {
            Some(vec![Obj, Obj])
        }
        async fn holes(&self) -> Vec<Option<Obj>> {
            vec![Some(Obj), None, Some(Obj)]
        }
    }

    struct Obj;
    #[Object]
    impl Obj {
        async fn n(&self) -> i32 {
            1
        }
        async fn bad(&self) -> Result<i32, Error> {
            Err(Error::new("bad"))
        }
        async fn bad_or_null(&self) -> Result<Option<i32>, Error> {
            Err(Error::new("bad"))
        }
        async fn child(&self) -> Option<Obj> {
            Some(Obj)
        }
        async fn must(&self) -> Obj {
            Obj
        }
    }

    struct Mutation;
    #[Object]
    impl Mutation {
        async fn maybe_do(&self, fail: bool) -> Result<Option<i32>, Error> {
            if fail {
                Err(Error::new("refused"))
            } else {
                Ok(Some(1))
            }
        }
        async fn must_do(&self, fail: bool) -> Result<i32, Error> {
            if fail {
                Err(Error::new("refused"))
            } else {
                Ok(1)
            }
        }
    }

    /// Runs `query` on the toy schema, mends it, checks it against the rules and returns
    /// its `data`.
    async fn run(query: &str) -> Json {
        let schema = Schema::new(Query, Mutation, EmptySubscription);
        let shape = Shape::parse(&schema.sdl()).unwrap_or_default();
        let mut response = schema.execute(query).await;
        assert!(
            !response.errors.is_empty(),
            "{query} has no error to handle"
        );
        let document = async_graphql::parser::parse_query(query).unwrap_or_else(|e| panic!("{e}"));
        propagate(&shape, &document, None, &mut response);
        let body = serde_json::to_value(&response).unwrap_or_default();
        let problems = violations(&shape, query, None, &body);
        assert!(problems.is_empty(), "{query}: {problems:#?}\n{body:#}");
        body["data"].clone()
    }

    #[tokio::test]
    async fn an_error_in_a_non_null_field_nulls_the_nearest_nullable_ancestor() {
        let cases = [
            ("{ ok fail }", Json::Null),
            ("{ maybe { must { bad } } }", json!({ "maybe": null })),
            ("{ ok maybe { n bad } }", json!({ "ok": 1, "maybe": null })),
            (
                "{ maybe { must { bad } n } ok }",
                json!({ "maybe": null, "ok": 1 }),
            ),
            ("{ obj { must { bad } } ok }", Json::Null),
            (
                "{ optList { n bad } ok }",
                json!({ "optList": null, "ok": 1 }),
            ),
            ("{ list { n bad } ok }", Json::Null),
            (
                "{ holes { n bad } ok }",
                json!({ "holes": [null, null, null], "ok": 1 }),
            ),
            (
                "{ maybe { child { bad } badOrNull n } }",
                json!({ "maybe": { "child": null, "badOrNull": null, "n": 1 } }),
            ),
            (
                "{ maybe { child { child { must { bad } } n } } }",
                json!({ "maybe": { "child": { "child": null, "n": 1 } } }),
            ),
        ];
        for (query, expected) in cases {
            assert_eq!(run(query).await, expected, "{query}");
        }
    }

    #[tokio::test]
    async fn an_error_in_a_nullable_field_leaves_null_in_its_place_in_selection_order() {
        let cases = [
            (
                "{ maybe { badOrNull } }",
                json!({ "maybe": { "badOrNull": null } }),
            ),
            (
                "{ a: maybe { ...F } b: maybe { n } } fragment F on Obj { x: badOrNull n }",
                json!({ "a": { "x": null, "n": 1 }, "b": { "n": 1 } }),
            ),
            (
                "{ maybe { ... on Obj { y: badOrNull } n z: badOrNull } }",
                json!({ "maybe": { "y": null, "n": 1, "z": null } }),
            ),
            (
                "{ holes { badOrNull n } }",
                json!({ "holes": [{ "badOrNull": null, "n": 1 }, null, { "badOrNull": null, "n": 1 }] }),
            ),
        ];
        for (query, expected) in cases {
            let data = run(query).await;
            assert_eq!(data, expected, "{query}");
            // Key order too, which `==` on maps does not see.
            assert_eq!(data.to_string(), expected.to_string(), "{query}");
        }
    }

    #[tokio::test]
    async fn a_failed_mutation_field_is_null_and_the_others_stay() {
        let data = run(
            "mutation { a: maybeDo(fail: false) b: maybeDo(fail: true) c: maybeDo(fail: false) }",
        )
        .await;
        assert_eq!(
            data.to_string(),
            json!({ "a": 1, "b": null, "c": 1 }).to_string()
        );
        let data = run("mutation { b: maybeDo(fail: true) }").await;
        assert_eq!(data, json!({ "b": null }));
        let data = run("mutation { a: maybeDo(fail: false) b: mustDo(fail: true) }").await;
        assert_eq!(data, Json::Null);
    }
}
