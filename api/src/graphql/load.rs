//! Loading through the request's batch loaders, with errors mapped to `ApiError`.

use std::sync::Arc;

use async_graphql::Context;
use async_graphql::dataloader::Loader;

use crate::error::{ApiError, ApiResult};
use crate::graphql::loaders::{Batch, LoadError, Loaders, Shortcut};

/// The value of `key` if it is at hand without a batch (preloaded, or cached).
pub fn ready<K, V>(ctx: &Context<'_>, key: &K) -> Option<Arc<V>>
where
    K: Send + Sync + std::hash::Hash + Eq + Clone + 'static,
    Batch: Loader<K, Value = Arc<V>, Error = LoadError> + Shortcut<K, Arc<V>>,
    V: Send + Sync + 'static,
{
    ctx.data::<Loaders>().ok()?.loader().shortcut(key)
}

/// One object by key: at hand ([`ready`]), or through the request's batch loader.
///
/// # Errors
/// `INTERNAL` when the database fails.
pub async fn one<K, V>(ctx: &Context<'_>, key: K) -> ApiResult<Option<Arc<V>>>
where
    K: Send + Sync + std::hash::Hash + Eq + Clone + 'static,
    Batch: Loader<K, Value = Arc<V>, Error = LoadError> + Shortcut<K, Arc<V>>,
    V: Send + Sync + 'static,
{
    if let Some(found) = ready(ctx, &key) {
        return Ok(Some(found));
    }
    ctx.data::<Loaders>()
        .map_err(|_| ApiError::internal("loaders missing from request data"))?
        .load_one(key)
        .await
        .map_err(|e| ApiError::internal(format!("batch load: {e}")))
}

/// Like [`one`], for a key that must exist (a foreign key the database guarantees).
///
/// # Errors
/// `INTERNAL` when it is missing or the database fails.
pub async fn existing<K, V>(ctx: &Context<'_>, key: K) -> ApiResult<Arc<V>>
where
    K: Send + Sync + std::hash::Hash + Eq + Clone + std::fmt::Debug + 'static,
    Batch: Loader<K, Value = Arc<V>, Error = LoadError> + Shortcut<K, Arc<V>>,
    V: Send + Sync + 'static,
{
    one(ctx, key.clone())
        .await?
        .ok_or_else(|| ApiError::internal(format!("dangling reference {key:?}")))
}
