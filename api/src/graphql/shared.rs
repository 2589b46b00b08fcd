//! Lists that are the same wherever they appear in one request.
//!
//! A page of twenty prospects asks for `latestQualification { templateVersion { criteria
//! { ... } } }`, and the twenty qualifications were usually scored against one version:
//! async-graphql would resolve the same criteria, field by field, twenty times (a fifth of
//! the page's CPU in the profile, `bench/RESULTS.md`). A [`Shared`] list is resolved once
//! per request for each object and each field of the document, and copied where the same
//! field of the same object appears again.
//!
//! Only for lists whose resolution cannot fail and depends on nothing but the object and
//! the field's selection (no arguments, no per-position access check): a copy carries no
//! error, and its value must be what resolving it again would give. The stock engine
//! ([`Derived`]) resolves every occurrence, and the engine's differential test holds the
//! two to the same answers.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Mutex;

use async_graphql::parser::types::Field;
use async_graphql::registry::Registry;
use async_graphql::{
    Context, ContextSelectionSet, OutputType, Pos, Positioned, ServerResult, Value,
};
use uuid::Uuid;

use crate::graphql::plain::Derived;

/// Per request: what each `(object, field of the document)` of a [`Shared`] list resolved to.
#[derive(Default)]
pub struct SharedValues(Mutex<HashMap<(Uuid, Pos), Value>>);

impl SharedValues {
    fn get(&self, key: &(Uuid, Pos)) -> Option<Value> {
        self.0.lock().ok()?.get(key).cloned()
    }

    fn keep(&self, key: (Uuid, Pos), value: &Value) {
        if let Ok(mut values) = self.0.lock() {
            values.entry(key).or_insert_with(|| value.clone());
        }
    }
}

/// `[T!]!` (as `Vec<T>`), resolved once per request for the object `key` and this field.
pub struct Shared<T> {
    key: (Uuid, Pos),
    inner: Inner<T>,
}

enum Inner<T> {
    /// Resolved earlier in this request.
    Copy(Value),
    /// To resolve (and keep, unless the engine is the stock one).
    Items(Vec<T>),
}

impl<T: OutputType> Shared<T> {
    /// The list of the field at `ctx` on the object `key`: copied if this request already
    /// resolved it, otherwise built by `items`.
    pub fn new(ctx: &Context<'_>, key: Uuid, items: impl FnOnce() -> Vec<T>) -> Self {
        let key = (key, ctx.item.pos);
        let earlier = match ctx.data_opt::<Derived>() {
            Some(_) => None,
            None => ctx.data_opt::<SharedValues>().and_then(|v| v.get(&key)),
        };
        let inner = match earlier {
            Some(value) => Inner::Copy(value),
            None => Inner::Items(items()),
        };
        Shared { key, inner }
    }
}

impl<T: OutputType> OutputType for Shared<T> {
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
            Inner::Copy(value) => Ok(value.clone()),
            Inner::Items(items) => {
                let value = OutputType::resolve(items, ctx, field).await?;
                if ctx.data_opt::<Derived>().is_none()
                    && let Some(values) = ctx.data_opt::<SharedValues>()
                {
                    values.keep(self.key, &value);
                }
                Ok(value)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use async_graphql::{EmptyMutation, EmptySubscription, Object, Schema, SimpleObject};
    use uuid::Uuid;

    use super::{Shared, SharedValues};

    static BUILT: AtomicUsize = AtomicUsize::new(0);

    #[derive(SimpleObject)]
    struct Item {
        key: String,
        weight: u32,
    }

    struct Holder(Uuid);

    #[Object]
    impl Holder {
        async fn id(&self) -> String {
            self.0.to_string()
        }
        async fn items(&self, ctx: &async_graphql::Context<'_>) -> Shared<Item> {
            Shared::new(ctx, self.0, || {
                BUILT.fetch_add(1, Ordering::SeqCst);
                let key = self.0.as_u128().to_string();
                vec![
                    Item { key, weight: 3 },
                    Item {
                        key: "b".into(),
                        weight: 1,
                    },
                ]
            })
        }
    }

    struct Query;

    #[Object]
    impl Query {
        /// Four holders of two objects.
        async fn holders(&self) -> Vec<Holder> {
            [1, 2, 1, 2].map(|n| Holder(Uuid::from_u128(n))).into()
        }
    }

    async fn run(query: &str, derived: bool) -> (serde_json::Value, usize) {
        let mut schema = Schema::build(Query, EmptyMutation, EmptySubscription);
        if derived {
            schema = schema.data(crate::graphql::plain::Derived);
        }
        let before = BUILT.load(Ordering::SeqCst);
        let response = schema
            .finish()
            .execute(async_graphql::Request::new(query).data(SharedValues::default()))
            .await;
        assert!(response.errors.is_empty(), "{:?}", response.errors);
        let built = BUILT.load(Ordering::SeqCst) - before;
        (response.data.into_json().unwrap_or_default(), built)
    }

    /// Each object's list is built once per field of the document, and answers what the
    /// stock resolution of every occurrence answers, keys in the same order.
    #[tokio::test]
    async fn a_shared_list_is_resolved_once_per_object_and_field_and_answers_alike() {
        for query in [
            "{ holders { id items { key weight } } }",
            "{ holders { items { weight } other: items { key __typename } } }",
            "{ holders { ...H } } fragment H on Holder { items { key } }",
        ] {
            let (shared, built) = run(query, false).await;
            let (derived, built_derived) = run(query, true).await;
            assert_eq!(shared.to_string(), derived.to_string(), "{query}");
            assert_eq!(built_derived, 4 * query.matches("items").count(), "{query}");
            assert_eq!(built, 2 * query.matches("items").count(), "{query}");
        }
    }
}
