//! Known documents: clients send the same few operations over and over (with other
//! variables), so a document that passed the limits is kept, by its text, in a small LRU
//! cache, with what its arguments amount to (`arguments::Plan`). The next request with that
//! text skips lexing, parsing, the limits and the walk of its literals.
//!
//! Validating a document depends only on the schema and the document ("a GraphQL service
//! may execute a request without immediately validating it if that exact same request is
//! known to have been validated before"), while coercing variable values is part of running
//! it. So once the fully validating schema has executed a known document, it is marked
//! valid, and its later requests are validated in async-graphql's `Fast` mode after
//! `arguments::Plan::check` has accepted their variables; a request whose variables that
//! check does not accept is validated in full, so errors do not change. Complexity, which
//! depends on `first`, is computed on every request in either mode.

use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use async_graphql::parser::types::ExecutableDocument;

use super::arguments::Plan;

/// Parsed documents kept, at most.
pub const CACHED_DOCUMENTS: usize = 256;
/// Longer query texts are not kept (bounds the cache's memory: at most `CACHED_DOCUMENTS`
/// times this much text, and their parsed form).
pub const MAX_CACHED_QUERY_BYTES: usize = 4 * 1024;

/// The cache of documents that passed every check of `limits` (with this server's limits).
pub struct Documents(Mutex<lru::LruCache<String, Arc<Known>>>);

/// A kept document, its plan, and whether full validation has passed it.
pub struct Known {
    document: ExecutableDocument,
    plan: Plan,
    valid: AtomicBool,
}

impl Known {
    pub fn document(&self) -> &ExecutableDocument {
        &self.document
    }

    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    /// Whether async-graphql's full validation has passed this document (with some
    /// variables: what it checks of a document does not depend on them).
    pub fn is_valid(&self) -> bool {
        self.valid.load(Ordering::Relaxed)
    }

    /// Called once a fully validated request with this document was executed.
    pub fn mark_valid(&self) {
        self.valid.store(true, Ordering::Relaxed);
    }
}

impl Default for Documents {
    fn default() -> Self {
        let capacity = NonZeroUsize::new(CACHED_DOCUMENTS).unwrap_or(NonZeroUsize::MIN);
        Self(Mutex::new(lru::LruCache::new(capacity)))
    }
}

impl Documents {
    fn lock(&self) -> Option<MutexGuard<'_, lru::LruCache<String, Arc<Known>>>> {
        // A poisoned lock only means a panic elsewhere while it was held; the cache is
        // still a valid LRU, but skipping it is the safe choice.
        self.0.lock().ok()
    }

    /// Documents kept (for tests).
    #[cfg(test)]
    pub fn kept(&self) -> usize {
        self.lock().map_or(0, |d| d.len())
    }

    /// Documents kept that full validation has passed (for tests).
    #[cfg(test)]
    pub fn trusted(&self) -> usize {
        self.lock()
            .map_or(0, |d| d.iter().filter(|(_, k)| k.is_valid()).count())
    }

    pub fn get(&self, query: &str) -> Option<Arc<Known>> {
        // Only the `Arc` is cloned under the lock.
        self.lock()?.get(query).map(Arc::clone)
    }

    /// Keeps `document` (which passed the limits) under `query`, which [`fits`].
    pub fn keep(&self, query: &str, document: ExecutableDocument, plan: Plan) -> Arc<Known> {
        let known = Arc::new(Known {
            document,
            plan,
            valid: AtomicBool::new(false),
        });
        if let Some(mut documents) = self.lock() {
            documents.put(query.to_owned(), Arc::clone(&known));
        }
        known
    }
}

/// Whether a document of text `query` is kept.
pub fn fits(query: &str) -> bool {
    query.len() <= MAX_CACHED_QUERY_BYTES
}
