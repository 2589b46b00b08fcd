//! Keeps what a program's dashboard reads (`store::dashboard`) together on disk, as
//! `m20261202_000007_feedback_locality` did for the feedback loop's aggregates.
//!
//! The dashboard read each of a program's prospects' qualifications and decisions through
//! indexes that lead with the prospect (`m20261204_000012_dashboard_indexes`). Ids follow
//! time and every program writes at once, so one program's entries lay scattered over
//! those indexes: on the bench's 1M world a mentor's dashboard over five programs cost
//! 1.4-1.7 times what it cost on the 10k world for the same programs (`bench/RESULTS.md`,
//! item 26). So qualifications and decisions now carry their prospect's program, and the
//! dashboard's indexes lead with it: one program's entries are adjacent, in prospect
//! order, whatever the size of the database.
//!
//! The program is the prospect's own, which never changes. SQLite cannot add a `NOT NULL`
//! column without a default to a table, and these tables are referenced by others, so they
//! are not rebuilt: the column is added, filled from the prospects, made `NOT NULL` on
//! PostgreSQL, and on both databases a trigger refuses a row whose program is not its
//! prospect's (which also refuses a missing one).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::DbBackend;

use crate::idens::{Decisions, Qualifications};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Added {
    ProgramId,
}

/// The two tables, each with the index of `m20261204_000012_dashboard_indexes` it replaces
/// and its new index's name and columns after the program.
fn tables() -> [(DynIden, &'static str, &'static str, Vec<DynIden>); 2] {
    use Decisions as D;
    use Qualifications as Q;
    [
        (
            Q::Table.into_iden(),
            "idx_qualifications_prospect_id_created_at",
            "idx_qualifications_program_id_prospect_id_created_at",
            vec![
                Q::ProspectId.into_iden(),
                Q::CreatedAt.into_iden(),
                Q::Id.into_iden(),
                Q::Tier.into_iden(),
                Q::Verdict.into_iden(),
            ],
        ),
        (
            D::Table.into_iden(),
            "idx_decisions_prospect_id_created_at",
            "idx_decisions_program_id_prospect_id_created_at",
            vec![
                D::ProspectId.into_iden(),
                D::CreatedAt.into_iden(),
                D::Id.into_iden(),
                D::Decision.into_iden(),
            ],
        ),
    ]
}

const TABLES: [&str; 2] = ["qualifications", "decisions"];

fn sqlite_up(table: &str) -> Vec<String> {
    ["INSERT", "UPDATE OF program_id, prospect_id"]
        .iter()
        .zip(["insert", "update"])
        .map(|(event, name)| {
            format!(
                "CREATE TRIGGER trg_{table}_program_{name} BEFORE {event} ON {table} \
                 FOR EACH ROW WHEN NEW.program_id IS NOT \
                   (SELECT program_id FROM prospects WHERE id = NEW.prospect_id) \
                 BEGIN SELECT RAISE(ABORT, '{table}: program_id is not the prospect''s'); END"
            )
        })
        .collect()
}

fn sqlite_down(table: &str) -> Vec<String> {
    ["insert", "update"]
        .iter()
        .map(|name| format!("DROP TRIGGER IF EXISTS trg_{table}_program_{name}"))
        .collect()
}

const POSTGRES_FUNCTION: &str = "CREATE FUNCTION require_prospect_program() RETURNS trigger
     LANGUAGE plpgsql AS $$
     BEGIN
       IF NEW.program_id IS DISTINCT FROM
          (SELECT program_id FROM prospects WHERE id = NEW.prospect_id) THEN
         RAISE EXCEPTION '%: program_id is not the prospect''s', TG_TABLE_NAME;
       END IF;
       RETURN NEW;
     END $$";

fn postgres_up(table: &str) -> Vec<String> {
    vec![
        format!("ALTER TABLE {table} ALTER COLUMN program_id SET NOT NULL"),
        format!(
            "CREATE TRIGGER trg_{table}_program BEFORE INSERT OR UPDATE OF program_id, prospect_id \
             ON {table} FOR EACH ROW EXECUTE FUNCTION require_prospect_program()"
        ),
    ]
}

fn postgres_down(table: &str) -> Vec<String> {
    vec![format!(
        "DROP TRIGGER IF EXISTS trg_{table}_program ON {table}"
    )]
}

async fn execute(manager: &SchemaManager<'_>, statements: Vec<String>) -> Result<(), DbErr> {
    for sql in statements {
        manager.get_connection().execute_unprepared(&sql).await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let postgres = match manager.get_database_backend() {
            DbBackend::Sqlite => false,
            DbBackend::Postgres => true,
            _ => {
                return Err(DbErr::Migration(
                    "only SQLite and PostgreSQL are supported".to_owned(),
                ));
            }
        };
        if postgres {
            execute(manager, vec![POSTGRES_FUNCTION.to_owned()]).await?;
        }
        for ((table, old, new, columns), name) in tables().into_iter().zip(TABLES) {
            manager
                .alter_table(
                    Table::alter()
                        .table(table.clone())
                        .add_column(uuid_null(Added::ProgramId))
                        .to_owned(),
                )
                .await?;
            execute(
                manager,
                vec![format!(
                    "UPDATE {name} SET program_id = \
                     (SELECT program_id FROM prospects WHERE prospects.id = {name}.prospect_id)"
                )],
            )
            .await?;
            execute(
                manager,
                if postgres {
                    postgres_up(name)
                } else {
                    sqlite_up(name)
                },
            )
            .await?;
            manager
                .drop_index(Index::drop().name(old).table(table.clone()).to_owned())
                .await?;
            let mut index = Index::create();
            index.name(new).table(table).col(Added::ProgramId);
            for column in columns {
                index.col(column);
            }
            manager.create_index(index.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let postgres = manager.get_database_backend() == DbBackend::Postgres;
        for ((table, old, new, columns), name) in tables().into_iter().zip(TABLES) {
            manager
                .drop_index(Index::drop().name(new).table(table.clone()).to_owned())
                .await?;
            let mut index = Index::create();
            index.name(old).table(table.clone());
            for column in columns {
                index.col(column);
            }
            manager.create_index(index.to_owned()).await?;
            execute(
                manager,
                if postgres {
                    postgres_down(name)
                } else {
                    sqlite_down(name)
                },
            )
            .await?;
            manager
                .alter_table(
                    Table::alter()
                        .table(table)
                        .drop_column(Added::ProgramId)
                        .to_owned(),
                )
                .await?;
        }
        if postgres {
            execute(
                manager,
                vec!["DROP FUNCTION IF EXISTS require_prospect_program()".to_owned()],
            )
            .await?;
        }
        Ok(())
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
