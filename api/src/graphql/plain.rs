//! Lists of plain objects, resolved in one pass.
//!
//! async-graphql resolves every field of every object as a boxed future of its own, polled
//! through a `FuturesUnordered`, and merges each result into the response map with two
//! hash lookups. For a list of small objects whose fields are stored values, that machinery
//! is most of what the list costs, more than the whole baseline spends on its response
//! (`bench/RESULTS.md` has the figures).
//!
//! A resolver that returns such a list builds it here instead: the field's selection set
//! is read once (fragments and inline fragments flattened by async-graphql's
//! [`SelectionField`](async_graphql::SelectionField), `@skip`/`@include` already applied),
//! and each object's map is filled straight from [`Plain::field`]. The GraphQL type is
//! unchanged: [`PlainList<T>`] is `[T!]!` in the schema, registered by `T` itself.
//! The differential test below holds the output to what async-graphql gives for the same
//! objects.

use std::borrow::Cow;
use std::marker::PhantomData;
use std::sync::Mutex;

use async_graphql::indexmap::IndexMap;
use async_graphql::parser::types::Field;
use async_graphql::registry::Registry;
use async_graphql::{
    Context, ContextSelectionSet, Name, OutputType, Positioned, ServerResult, Value,
};

use crate::error::{ApiError, ApiResult};

/// An object type whose fields take no arguments and are computed from the object alone.
pub trait Plain: OutputType + Sized + 'static {
    /// Every field of the type by its GraphQL name, with what async-graphql would give for
    /// it (`InputType::to_value` of the Rust value). [`assert_answers_every_field`] holds
    /// the names to the type's.
    const FIELDS: &'static [(&'static str, Getter<Self>)];
}

/// One field's value.
pub type Getter<T> = fn(&T) -> Value;

fn typename<T: Plain>(item: &T) -> Value {
    Value::String(item.introspection_type_name().into_owned())
}

/// Schema data that turns the one-pass build off: lists are resolved as `Vec<T>`.
pub struct Derived;

/// `[T!]!`, resolved in one pass.
pub struct PlainList<T> {
    inner: Inner<T>,
}

enum Inner<T> {
    /// Taken by `resolve`, which runs once for the one field that returned this list.
    Built(Mutex<Value>, PhantomData<fn() -> T>),
    /// For the derived resolver.
    Items(Vec<T>),
}

impl<T: Plain + Send + Sync> PlainList<T> {
    /// The objects of `items` with the fields the query selects on `ctx`'s field.
    ///
    /// # Errors
    /// `INTERNAL` when the selection names a field `T` does not have (validation rules
    /// that out, so only a [`Plain::FIELDS`] that misses a field can).
    pub fn new(ctx: &Context<'_>, items: Vec<T>) -> ApiResult<Self> {
        if ctx.data_opt::<Derived>().is_some() {
            return Ok(Self {
                inner: Inner::Items(items),
            });
        }
        // One entry per response key, in selection order; a key selected twice (allowed
        // when both ask for the same field) keeps its first place, as in async-graphql.
        let mut keys: Vec<&str> = Vec::new();
        let mut getters: Vec<Getter<T>> = Vec::new();
        for field in ctx.field().selection_set() {
            let key = field.alias().unwrap_or(field.name());
            if keys.contains(&key) {
                continue;
            }
            let getter = match field.name() {
                "__typename" => typename::<T>,
                name => T::FIELDS
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, getter)| *getter)
                    .ok_or_else(|| {
                        ApiError::internal(format!("{} has no field `{name}`", T::type_name()))
                    })?,
            };
            keys.push(key);
            getters.push(getter);
        }
        // Each object starts as a copy of this one, whose keys are hashed once for the
        // whole list; only the values are filled in per object.
        let shape: IndexMap<Name, Value> =
            keys.iter().map(|k| (Name::new(k), Value::Null)).collect();
        let list = items
            .iter()
            .map(|item| {
                let mut object = shape.clone();
                for (slot, getter) in object.values_mut().zip(&getters) {
                    *slot = getter(item);
                }
                Value::Object(object)
            })
            .collect();
        Ok(Self {
            inner: Inner::Built(Mutex::new(Value::List(list)), PhantomData),
        })
    }
}

impl<T: Plain + Send + Sync> OutputType for PlainList<T> {
    fn type_name() -> Cow<'static, str> {
        <Vec<T> as OutputType>::type_name()
    }

    fn qualified_type_name() -> String {
        <Vec<T> as OutputType>::qualified_type_name()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        <Vec<T> as OutputType>::create_type_info(registry)
    }

    async fn resolve(
        &self,
        ctx: &ContextSelectionSet<'_>,
        field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        match &self.inner {
            Inner::Built(value, _) => {
                let mut value = value.lock().unwrap_or_else(|e| e.into_inner());
                Ok(std::mem::take(&mut *value))
            }
            Inner::Items(items) => OutputType::resolve(items, ctx, field).await,
        }
    }
}

/// Fails unless [`Plain::FIELDS`] names exactly the fields of `T`'s GraphQL type: a field
/// added to the type but not to the table would otherwise fail only when queried.
#[cfg(test)]
pub fn assert_answers_every_field<T: Plain>() {
    let mut registry = Registry::default();
    T::create_type_info(&mut registry);
    let name = T::type_name();
    let Some(async_graphql::registry::MetaType::Object { fields, .. }) =
        registry.types.get(name.as_ref())
    else {
        panic!("{name} is not an object type");
    };
    let mut declared: Vec<&str> = fields
        .keys()
        .map(String::as_str)
        .filter(|f| !f.starts_with("__"))
        .collect();
    let mut answered: Vec<&str> = T::FIELDS.iter().map(|(n, _)| *n).collect();
    declared.sort_unstable();
    answered.sort_unstable();
    assert_eq!(answered, declared, "{name}");
}

/// A query type with `derived: [T!]!` resolved by async-graphql and `plain: [T!]!`
/// resolved here, from the same items, for [`assert_same_as_derived`].
#[cfg(test)]
macro_rules! plain_and_derived {
    ($ty:ty, $items:expr) => {{
        struct Both;
        #[async_graphql::Object]
        impl Both {
            async fn derived(&self) -> Vec<$ty> {
                $items
            }
            async fn plain(
                &self,
                ctx: &async_graphql::Context<'_>,
            ) -> $crate::error::ApiResult<$crate::graphql::plain::PlainList<$ty>>
            {
                $crate::graphql::plain::PlainList::new(ctx, $items)
            }
        }
        Both
    }};
}
#[cfg(test)]
pub(crate) use plain_and_derived;

/// Each selection on `plain` gives the same JSON, keys in the same order, as on `derived`.
/// Selections may use the variables `$yes: true` and `$no: false` and the fragment `F`
/// (`fragment F on <type> <fragment>`).
#[cfg(test)]
pub async fn assert_same_as_derived<T: Plain, Q: async_graphql::ObjectType + 'static>(
    query: Q,
    fragment: &str,
    selections: &[&str],
) {
    use async_graphql::{EmptyMutation, EmptySubscription, Schema};

    let schema = Schema::new(query, EmptyMutation, EmptySubscription);
    let type_name = T::type_name();
    let run = |field: &str, selection: &str| {
        // `other` uses the variables and the fragment, which validation requires.
        let query = format!(
            "query($yes: Boolean!, $no: Boolean!) {{ list: {field} {selection} \
             other: derived {{ ...F ... @skip(if: $yes) @include(if: $no) {{ __typename }} }} }} \
             fragment F on {type_name} {fragment}"
        );
        let variables =
            async_graphql::Variables::from_json(serde_json::json!({ "yes": true, "no": false }));
        let schema = &schema;
        async move {
            let response = schema
                .execute(async_graphql::Request::new(&query).variables(variables))
                .await;
            assert!(response.errors.is_empty(), "{query}: {:?}", response.errors);
            response.data.into_json().unwrap_or_default()
        }
    };
    for selection in selections {
        let derived = run("derived", selection).await;
        let plain = run("plain", selection).await;
        assert_eq!(plain, derived, "{selection}");
        // Order matters to clients reading the JSON as written.
        assert_eq!(plain.to_string(), derived.to_string(), "{selection}");
        assert!(derived["list"].as_array().is_some_and(|l| !l.is_empty()));
    }
}

#[cfg(test)]
mod tests {
    use async_graphql::{Enum, InputType, SimpleObject};

    use super::{Getter, Plain, PlainList, assert_answers_every_field, assert_same_as_derived};

    #[derive(Enum, Clone, Copy, PartialEq, Eq)]
    enum Shade {
        Light,
        Dark,
    }

    #[derive(SimpleObject, Clone)]
    struct Row {
        key: String,
        share: f64,
        points_basis_points: u32,
        maybe: Option<i32>,
        shade: Shade,
        hit: bool,
    }

    impl Plain for Row {
        const FIELDS: &'static [(&'static str, Getter<Self>)] = &[
            ("key", |r| r.key.to_value()),
            ("share", |r| r.share.to_value()),
            ("pointsBasisPoints", |r| r.points_basis_points.to_value()),
            ("maybe", |r| r.maybe.to_value()),
            ("shade", |r| r.shade.to_value()),
            ("hit", |r| r.hit.to_value()),
        ];
    }

    fn rows() -> Vec<Row> {
        vec![
            Row {
                key: "a \"quoted\" key".into(),
                share: 12.5,
                points_basis_points: 1250,
                maybe: None,
                shade: Shade::Dark,
                hit: true,
            },
            Row {
                key: "b".into(),
                share: 0.0,
                points_basis_points: 0,
                maybe: Some(-3),
                shade: Shade::Light,
                hit: false,
            },
        ]
    }

    /// Every selection shape gives what async-graphql gives for the same objects.
    #[tokio::test]
    async fn a_plain_list_answers_as_async_graphql_does() {
        assert_same_as_derived::<Row, _>(
            super::plain_and_derived!(Row, rows()),
            "{ key pointsBasisPoints __typename }",
            &[
                "{ key share pointsBasisPoints maybe shade hit }",
                "{ hit key }",
                "{ __typename k: key key share2: share }",
                "{ key key hit key }",
                "{ ...F hit }",
                "{ shade ... on Row { key maybe } ... { hit } }",
                "{ key @skip(if: $yes) hit @include(if: $no) share @include(if: $yes) }",
                "{ ... @skip(if: $yes) { key } ...F @include(if: $yes) }",
            ],
        )
        .await;
        assert_answers_every_field::<Row>();
    }

    /// A getter table that misses a field fails the request with `INTERNAL` when the field
    /// is asked for, rather than answering something else.
    #[tokio::test]
    async fn a_field_missing_from_the_table_is_an_internal_error() {
        #[derive(SimpleObject)]
        struct Partial {
            kept: i32,
            forgotten: i32,
        }
        impl Plain for Partial {
            const FIELDS: &'static [(&'static str, Getter<Self>)] =
                &[("kept", |p| p.kept.to_value())];
        }
        struct Query;
        #[async_graphql::Object]
        impl Query {
            async fn partial(
                &self,
                ctx: &async_graphql::Context<'_>,
            ) -> crate::error::ApiResult<PlainList<Partial>> {
                PlainList::new(
                    ctx,
                    vec![Partial {
                        kept: 1,
                        forgotten: 2,
                    }],
                )
            }
        }
        let schema = async_graphql::Schema::new(
            Query,
            async_graphql::EmptyMutation,
            async_graphql::EmptySubscription,
        );
        let kept = schema.execute("{ partial { kept } }").await;
        assert_eq!(
            kept.data.into_json().ok(),
            Some(serde_json::json!({ "partial": [{ "kept": 1 }] }))
        );
        let missing = schema.execute("{ partial { kept forgotten } }").await;
        let codes: Vec<_> = missing
            .errors
            .iter()
            .map(|e| e.extensions.as_ref().and_then(|x| x.get("code")).cloned())
            .collect();
        assert_eq!(codes, [Some(async_graphql::Value::from("INTERNAL"))]);
    }

    #[test]
    fn the_list_is_the_same_graphql_type_as_a_vec() {
        assert_eq!(
            <PlainList<Row> as async_graphql::OutputType>::qualified_type_name(),
            <Vec<Row> as async_graphql::OutputType>::qualified_type_name()
        );
    }
}
