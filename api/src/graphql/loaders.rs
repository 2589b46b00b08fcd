//! Batch loading for nested fields: one query per kind of object per request, never one per row.
//!
//! One `DataLoader<Batch>` per request, with no timer delay (the default 1 ms would only add
//! latency). A batch starts after one `yield_now`, which tokio defers until the worker has
//! run every other ready task: the executor has then asked for every key of its pass. Started
//! at once instead, a batch would take only the keys asked so far, because async-graphql
//! resolves a list of more than 30 items in slices of 32 and yields between them, and a
//! page of prospects would cost a query per slice for their latest qualifications.
//! Published template versions never change, so they are also kept in a process-wide cache.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use async_graphql::dataloader::{DataLoader, Loader};
use store::Db;
use tokio::sync::OnceCell;
use uuid::Uuid;

/// Process-wide cache of published (hence immutable) template versions.
#[derive(Clone, Default)]
pub struct VersionCache(Arc<RwLock<HashMap<Uuid, Arc<store::TemplateVersion>>>>);

impl VersionCache {
    fn get(&self, id: &Uuid) -> Option<Arc<store::TemplateVersion>> {
        self.0.read().ok()?.get(id).cloned()
    }

    fn get_many(&self, ids: &[Uuid]) -> HashMap<Uuid, Arc<store::TemplateVersion>> {
        let Ok(map) = self.0.read() else {
            return HashMap::new();
        };
        ids.iter()
            .filter_map(|id| map.get(id).map(|v| (*id, Arc::clone(v))))
            .collect()
    }

    fn keep_published(&self, versions: &[Arc<store::TemplateVersion>]) {
        if let Ok(mut map) = self.0.write() {
            for v in versions {
                if v.status == store::VersionStatus::Published {
                    map.insert(v.id, Arc::clone(v));
                }
            }
        }
    }
}

/// The loader behind every batch key below.
pub struct Batch {
    db: Db,
    versions: VersionCache,
    latest: Expected<Arc<store::Qualification>>,
    latest_heads: Expected<Arc<store::QualificationHead>>,
    decisions: Expected<Arc<Vec<store::DecisionRecord>>>,
    clients: Expected<Arc<Option<store::Client>>>,
}

/// Keys a list resolver knows its items will ask for. Batches can still be cut short by
/// the executor's scheduling (see the module doc), and under load a second batch starts
/// while the first still waits for the database; so the first batch that needs any expected
/// key loads them all, once, and every later batch awaits that same load. The statements of
/// a page stay the same at any size and under any load. Per request, and filled only by
/// queries, so a mutation never reads a value from before its own write.
struct Expected<V> {
    keys: Mutex<HashSet<Uuid>>,
    loaded: OnceCell<HashMap<Uuid, V>>,
}

impl<V> Default for Expected<V> {
    fn default() -> Self {
        Self {
            keys: Mutex::default(),
            loaded: OnceCell::new(),
        }
    }
}

impl<V: Clone> Expected<V> {
    /// The value of `key` if the shared load already has it: no batch needed.
    fn ready(&self, key: &Uuid) -> Option<V> {
        self.loaded.get()?.get(key).cloned()
    }

    /// Expects `ids` and loads them now, before the executor asks for any.
    async fn preload<F, Fut>(&self, ids: Vec<Uuid>, load: F) -> Result<(), LoadError>
    where
        F: FnOnce(Vec<Uuid>) -> Fut,
        Fut: std::future::Future<Output = Result<HashMap<Uuid, V>, LoadError>>,
    {
        if ids.is_empty() || self.loaded.initialized() {
            return Ok(());
        }
        self.expect(ids.iter().copied());
        self.loaded.get_or_try_init(|| load(ids)).await?;
        Ok(())
    }

    fn expect(&self, ids: impl IntoIterator<Item = Uuid>) {
        if self.loaded.initialized() {
            return; // too late: these keys load the ordinary way
        }
        if let Ok(mut keys) = self.keys.lock() {
            keys.extend(ids);
        }
    }

    /// The values of `keys`: expected ones from the shared load, the others by `load`.
    async fn serve<F, Fut>(&self, keys: &[Uuid], load: F) -> Result<HashMap<Uuid, V>, LoadError>
    where
        F: Fn(Vec<Uuid>) -> Fut,
        Fut: std::future::Future<Output = Result<HashMap<Uuid, V>, LoadError>>,
    {
        let expected: Vec<Uuid> = match self.keys.lock() {
            Ok(set) if keys.iter().any(|k| set.contains(k)) => set.iter().copied().collect(),
            _ => Vec::new(),
        };
        let mut found = HashMap::new();
        let mut rest = keys.to_vec();
        if !expected.is_empty() {
            let all = self.loaded.get_or_try_init(|| load(expected)).await?;
            rest.retain(|k| match all.get(k) {
                Some(v) => {
                    found.insert(*k, v.clone());
                    false
                }
                None => true,
            });
        }
        if !rest.is_empty() {
            found.extend(load(rest).await?);
        }
        Ok(found)
    }
}

impl Batch {
    /// Loads the latest qualifications of a page of prospects in one statement, before
    /// their resolvers ask: each then finds its own without a batch ([`Shortcut`]).
    ///
    /// # Errors
    /// When the database fails.
    pub async fn preload_qualifications(&self, ids: Vec<Uuid>) -> Result<(), LoadError> {
        self.latest
            .preload(ids, |ids| qualifications_by_ids(&self.db, ids))
            .await
    }

    /// Loads only the heads of those latest qualifications (the page asks for no field
    /// that needs the whole row), likewise.
    ///
    /// # Errors
    /// When the database fails.
    pub async fn preload_heads(&self, ids: Vec<Uuid>) -> Result<(), LoadError> {
        self.latest_heads
            .preload(ids, |ids| heads_by_ids(&self.db, ids))
            .await
    }

    /// Loads the decisions of a page of prospects in one statement, likewise.
    ///
    /// # Errors
    /// When the database fails.
    pub async fn preload_decisions_of(&self, prospect_ids: Vec<Uuid>) -> Result<(), LoadError> {
        self.decisions
            .preload(prospect_ids, |ids| decisions_by_prospect_ids(&self.db, ids))
            .await
    }

    /// Loads the clients of a page of prospects (none for a prospect never taken on) in
    /// one statement, likewise.
    ///
    /// # Errors
    /// When the database fails.
    pub async fn preload_clients_of(&self, prospect_ids: Vec<Uuid>) -> Result<(), LoadError> {
        self.clients
            .preload(prospect_ids, |ids| clients_by_prospect_ids(&self.db, ids))
            .await
    }
}

/// Every prospect among `ids` gets its client, `None` when it was never taken on.
async fn clients_by_prospect_ids(
    db: &Db,
    ids: Vec<Uuid>,
) -> Result<HashMap<Uuid, Arc<Option<store::Client>>>, LoadError> {
    let rows = store::clients::clients_by_prospect_ids(db, &ids)
        .await
        .map_err(fail)?;
    let mut found: HashMap<Uuid, Option<store::Client>> =
        ids.iter().map(|id| (*id, None)).collect();
    for row in rows {
        found.insert(row.prospect_id, Some(row));
    }
    Ok(found.into_iter().map(|(id, c)| (id, Arc::new(c))).collect())
}

async fn qualifications_by_ids(
    db: &Db,
    ids: Vec<Uuid>,
) -> Result<HashMap<Uuid, Arc<store::Qualification>>, LoadError> {
    let rows = store::qualifications::qualifications_by_ids(db, &ids)
        .await
        .map_err(fail)?;
    Ok(rows.into_iter().map(|q| (q.id, Arc::new(q))).collect())
}

async fn heads_by_ids(
    db: &Db,
    ids: Vec<Uuid>,
) -> Result<HashMap<Uuid, Arc<store::QualificationHead>>, LoadError> {
    let rows = store::qualifications::heads_by_ids(db, &ids)
        .await
        .map_err(fail)?;
    Ok(rows.into_iter().map(|q| (q.id, Arc::new(q))).collect())
}

/// Every prospect among `ids` gets its list, empty when it has no decision.
async fn decisions_by_prospect_ids(
    db: &Db,
    ids: Vec<Uuid>,
) -> Result<HashMap<Uuid, Arc<Vec<store::DecisionRecord>>>, LoadError> {
    let rows = store::decisions::decisions_by_prospect_ids(db, &ids)
        .await
        .map_err(fail)?;
    let mut grouped: HashMap<Uuid, Vec<store::DecisionRecord>> =
        ids.iter().map(|id| (*id, Vec::new())).collect();
    for row in rows {
        grouped.entry(row.prospect_id).or_default().push(row);
    }
    Ok(grouped
        .into_iter()
        .map(|(id, v)| (id, Arc::new(v)))
        .collect())
}

/// A value a key can have without going through a batch: a preloaded one, or a published
/// version from the process-wide cache. Each batch costs a task, a lock and a round of
/// hash maps however few keys it carries, and async-graphql cuts the batches of a long
/// list short (module doc): skipping them is most of what a page of 100 costs.
pub trait Shortcut<K, V> {
    fn shortcut(&self, _key: &K) -> Option<V> {
        None
    }
}

pub type Loaders = DataLoader<Batch>;

pub fn loaders(db: Db, versions: VersionCache) -> Loaders {
    let after_the_pass = |fetch| {
        tokio::spawn(async move {
            tokio::task::yield_now().await;
            fetch.await;
        })
    };
    let batch = Batch {
        db,
        versions,
        latest: Expected::default(),
        latest_heads: Expected::default(),
        decisions: Expected::default(),
        clients: Expected::default(),
    };
    DataLoader::new(batch, after_the_pass).delay(Duration::ZERO)
}

/// Errors are cloned to every waiter of a batch, so they travel as text (logged, never shown).
pub type LoadError = Arc<String>;

fn fail(err: store::StoreError) -> LoadError {
    Arc::new(err.to_string())
}

macro_rules! by_id_loader {
    ($key:ident, $value:ty, $load:path) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $key(pub Uuid);

        impl Loader<$key> for Batch {
            type Value = Arc<$value>;
            type Error = LoadError;

            async fn load(&self, keys: &[$key]) -> Result<HashMap<$key, Self::Value>, Self::Error> {
                let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
                let rows = $load(&self.db, &ids).await.map_err(fail)?;
                Ok(rows
                    .into_iter()
                    .map(|r| ($key(r.id), Arc::new(r)))
                    .collect())
            }
        }

        impl Shortcut<$key, Arc<$value>> for Batch {}
    };
}

/// A key served from one of the [`Expected`] shares: a preloaded value without a batch
/// ([`Shortcut`]), otherwise through the share, by `$load`.
macro_rules! expected_loader {
    ($(#[$doc:meta])* $key:ident, $value:ty, $share:ident, $load:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $key(pub Uuid);

        impl Shortcut<$key, Arc<$value>> for Batch {
            fn shortcut(&self, key: &$key) -> Option<Arc<$value>> {
                self.$share.ready(&key.0)
            }
        }

        impl Loader<$key> for Batch {
            type Value = Arc<$value>;
            type Error = LoadError;

            async fn load(&self, keys: &[$key]) -> Result<HashMap<$key, Self::Value>, Self::Error> {
                let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
                let found = self.$share.serve(&ids, |ids| $load(&self.db, ids)).await?;
                Ok(found.into_iter().map(|(id, v)| ($key(id), v)).collect())
            }
        }
    };
}

by_id_loader!(UserId, store::User, store::users::users_by_ids);
by_id_loader!(
    ApiKeyId,
    store::api_keys::ApiKey,
    store::api_keys::keys_by_ids
);
by_id_loader!(ProgramId, store::Program, store::programs::programs_by_ids);
by_id_loader!(
    TemplateId,
    store::Template,
    store::templates::templates_by_ids
);
by_id_loader!(
    ProspectId,
    store::Prospect,
    store::prospects::prospects_by_ids
);
expected_loader!(
    QualificationId,
    store::Qualification,
    latest,
    qualifications_by_ids
);
expected_loader!(
    /// A qualification's head only ([`store::QualificationHead`]).
    QualificationHeadId,
    store::QualificationHead,
    latest_heads,
    heads_by_ids
);
by_id_loader!(
    DecisionId,
    store::DecisionRecord,
    store::decisions::decisions_by_ids
);
by_id_loader!(
    ExceptionId,
    store::ExceptionRequest,
    store::exceptions::exceptions_by_ids
);
by_id_loader!(InviteId, store::Invite, store::invites::invites_by_ids);
by_id_loader!(
    OutcomeId,
    store::OutcomeRecord,
    store::outcomes::outcomes_by_ids
);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct VersionId(pub Uuid);

impl Shortcut<VersionId, Arc<store::TemplateVersion>> for Batch {
    fn shortcut(&self, key: &VersionId) -> Option<Arc<store::TemplateVersion>> {
        self.versions.get(&key.0)
    }
}

impl Loader<VersionId> for Batch {
    type Value = Arc<store::TemplateVersion>;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[VersionId],
    ) -> Result<HashMap<VersionId, Self::Value>, Self::Error> {
        let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
        let mut found = self.versions.get_many(&ids);
        let missing: Vec<Uuid> = ids
            .iter()
            .filter(|id| !found.contains_key(id))
            .copied()
            .collect();
        if !missing.is_empty() {
            let rows: Vec<Arc<store::TemplateVersion>> =
                store::templates::versions_by_ids(&self.db, &missing)
                    .await
                    .map_err(fail)?
                    .into_iter()
                    .map(Arc::new)
                    .collect();
            self.versions.keep_published(&rows);
            found.extend(rows.into_iter().map(|v| (v.id, v)));
        }
        Ok(found
            .into_iter()
            .map(|(id, v)| (VersionId(id), v))
            .collect())
    }
}

/// Every version of a template, oldest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct VersionsOf(pub Uuid);

impl Shortcut<VersionsOf, Arc<Vec<Arc<store::TemplateVersion>>>> for Batch {}

impl Loader<VersionsOf> for Batch {
    type Value = Arc<Vec<Arc<store::TemplateVersion>>>;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[VersionsOf],
    ) -> Result<HashMap<VersionsOf, Self::Value>, Self::Error> {
        let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
        let rows: Vec<Arc<store::TemplateVersion>> =
            store::templates::versions_by_template_ids(&self.db, &ids)
                .await
                .map_err(fail)?
                .into_iter()
                .map(Arc::new)
                .collect();
        self.versions.keep_published(&rows);
        let mut grouped: HashMap<VersionsOf, Vec<Arc<store::TemplateVersion>>> =
            keys.iter().map(|k| (*k, Vec::new())).collect();
        for row in rows {
            grouped
                .entry(VersionsOf(row.template_id))
                .or_default()
                .push(row);
        }
        Ok(grouped.into_iter().map(|(k, v)| (k, Arc::new(v))).collect())
    }
}

expected_loader!(
    /// The client a prospect became, `None` when it was never taken on.
    ClientOf,
    Option<store::Client>,
    clients,
    clients_by_prospect_ids
);

expected_loader!(
    /// All decisions of a prospect, oldest first.
    DecisionsOf,
    Vec<store::DecisionRecord>,
    decisions,
    decisions_by_prospect_ids
);

/// The exception request opened by a decision, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ExceptionOfDecision(pub Uuid);

impl Shortcut<ExceptionOfDecision, Arc<store::ExceptionRequest>> for Batch {}

impl Loader<ExceptionOfDecision> for Batch {
    type Value = Arc<store::ExceptionRequest>;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[ExceptionOfDecision],
    ) -> Result<HashMap<ExceptionOfDecision, Self::Value>, Self::Error> {
        let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
        let rows = store::exceptions::exceptions_by_decision_ids(&self.db, &ids)
            .await
            .map_err(fail)?;
        Ok(rows
            .into_iter()
            .map(|r| (ExceptionOfDecision(r.decision_id), Arc::new(r)))
            .collect())
    }
}
