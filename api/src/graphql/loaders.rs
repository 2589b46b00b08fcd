//! Batch loading for nested fields: one query per kind of object per request, never one per row.
//!
//! One `DataLoader<Batch>` per request, with no delay: async-graphql resolves sibling fields
//! concurrently, so every key asked for in one pass of the executor lands in one batch
//! anyway, and the default 1 ms delay would only add latency.
//! Published template versions never change, so they are also kept in a process-wide cache.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use async_graphql::dataloader::{DataLoader, Loader};
use store::DatabaseConnection;
use uuid::Uuid;

/// Process-wide cache of published (hence immutable) template versions.
#[derive(Clone, Default)]
pub struct VersionCache(Arc<RwLock<HashMap<Uuid, Arc<store::TemplateVersion>>>>);

impl VersionCache {
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
    db: DatabaseConnection,
    versions: VersionCache,
}

pub type Loaders = DataLoader<Batch>;

pub fn loaders(db: DatabaseConnection, versions: VersionCache) -> Loaders {
    DataLoader::new(Batch { db, versions }, tokio::spawn).delay(Duration::ZERO)
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
    };
}

by_id_loader!(UserId, store::User, store::users::users_by_ids);
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
by_id_loader!(
    QualificationId,
    store::Qualification,
    store::qualifications::qualifications_by_ids
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct VersionId(pub Uuid);

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

/// All decisions of a prospect, oldest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DecisionsOf(pub Uuid);

impl Loader<DecisionsOf> for Batch {
    type Value = Arc<Vec<store::DecisionRecord>>;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[DecisionsOf],
    ) -> Result<HashMap<DecisionsOf, Self::Value>, Self::Error> {
        let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
        let rows = store::decisions::decisions_by_prospect_ids(&self.db, &ids)
            .await
            .map_err(fail)?;
        let mut grouped: HashMap<DecisionsOf, Vec<store::DecisionRecord>> =
            keys.iter().map(|k| (*k, Vec::new())).collect();
        for row in rows {
            grouped
                .entry(DecisionsOf(row.prospect_id))
                .or_default()
                .push(row);
        }
        Ok(grouped.into_iter().map(|(k, v)| (k, Arc::new(v))).collect())
    }
}

/// The exception request opened by a decision, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ExceptionOfDecision(pub Uuid);

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
