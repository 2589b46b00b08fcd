//! Database triggers that refuse any change to a published template version or its criteria.
//!
//! The store already checks this inside its transactions; the triggers are the second line
//! of defence, so that every past score stays reproducible even against a buggy writer.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

const SQLITE_UP: &[&str] = &[
    "CREATE TRIGGER trg_template_versions_published_immutable
     BEFORE UPDATE ON template_versions FOR EACH ROW WHEN OLD.status = 'PUBLISHED'
     BEGIN SELECT RAISE(ABORT, 'published template version is immutable'); END",
    "CREATE TRIGGER trg_criteria_published_immutable_insert
     BEFORE INSERT ON criteria FOR EACH ROW
     WHEN (SELECT status FROM template_versions WHERE id = NEW.version_id) = 'PUBLISHED'
     BEGIN SELECT RAISE(ABORT, 'published template version is immutable'); END",
    "CREATE TRIGGER trg_criteria_published_immutable_update
     BEFORE UPDATE ON criteria FOR EACH ROW
     WHEN (SELECT status FROM template_versions WHERE id = OLD.version_id) = 'PUBLISHED'
       OR (SELECT status FROM template_versions WHERE id = NEW.version_id) = 'PUBLISHED'
     BEGIN SELECT RAISE(ABORT, 'published template version is immutable'); END",
    "CREATE TRIGGER trg_criteria_published_immutable_delete
     BEFORE DELETE ON criteria FOR EACH ROW
     WHEN (SELECT status FROM template_versions WHERE id = OLD.version_id) = 'PUBLISHED'
     BEGIN SELECT RAISE(ABORT, 'published template version is immutable'); END",
];

const SQLITE_DOWN: &[&str] = &[
    "DROP TRIGGER IF EXISTS trg_criteria_published_immutable_delete",
    "DROP TRIGGER IF EXISTS trg_criteria_published_immutable_update",
    "DROP TRIGGER IF EXISTS trg_criteria_published_immutable_insert",
    "DROP TRIGGER IF EXISTS trg_template_versions_published_immutable",
];

const POSTGRES_UP: &[&str] = &[
    "CREATE FUNCTION forbid_published_version_change() RETURNS trigger
     LANGUAGE plpgsql AS $$
     BEGIN
       RAISE EXCEPTION 'published template version is immutable';
     END $$",
    "CREATE TRIGGER trg_template_versions_published_immutable
     BEFORE UPDATE ON template_versions FOR EACH ROW WHEN (OLD.status = 'PUBLISHED')
     EXECUTE FUNCTION forbid_published_version_change()",
    "CREATE FUNCTION forbid_published_criteria_change() RETURNS trigger
     LANGUAGE plpgsql AS $$
     BEGIN
       IF TG_OP <> 'INSERT' THEN
         IF EXISTS (SELECT 1 FROM template_versions
                    WHERE id = OLD.version_id AND status = 'PUBLISHED') THEN
           RAISE EXCEPTION 'published template version is immutable';
         END IF;
       END IF;
       IF TG_OP <> 'DELETE' THEN
         IF EXISTS (SELECT 1 FROM template_versions
                    WHERE id = NEW.version_id AND status = 'PUBLISHED') THEN
           RAISE EXCEPTION 'published template version is immutable';
         END IF;
         RETURN NEW;
       END IF;
       RETURN OLD;
     END $$",
    "CREATE TRIGGER trg_criteria_published_immutable
     BEFORE INSERT OR UPDATE OR DELETE ON criteria FOR EACH ROW
     EXECUTE FUNCTION forbid_published_criteria_change()",
];

const POSTGRES_DOWN: &[&str] = &[
    "DROP TRIGGER IF EXISTS trg_criteria_published_immutable ON criteria",
    "DROP FUNCTION IF EXISTS forbid_published_criteria_change()",
    "DROP TRIGGER IF EXISTS trg_template_versions_published_immutable ON template_versions",
    "DROP FUNCTION IF EXISTS forbid_published_version_change()",
];

async fn run(manager: &SchemaManager<'_>, sqlite: &[&str], postgres: &[&str]) -> Result<(), DbErr> {
    let statements = match manager.get_database_backend() {
        DbBackend::Sqlite => sqlite,
        DbBackend::Postgres => postgres,
        _ => {
            return Err(DbErr::Migration(
                "only SQLite and PostgreSQL are supported".to_owned(),
            ));
        }
    };
    for sql in statements {
        manager.get_connection().execute_unprepared(sql).await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run(manager, SQLITE_UP, POSTGRES_UP).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run(manager, SQLITE_DOWN, POSTGRES_DOWN).await
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
