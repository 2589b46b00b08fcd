//! `json_format` on every table with JSON columns: which format of the stored JSON a row
//! holds (`qualifications`: answers, outlook, knockouts, unknowns, explanations;
//! `criteria`: the rule; `decisions`: the bias check).
//!
//! Every row written before the column existed is in the format serde's derives produced
//! then, format 1, so the column defaults to 1. A future change of a stored shape writes a
//! new number, and code that does not know a number refuses the row instead of misreading
//! it (`store::StoreError::UnknownFormat`).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Tables {
    Qualifications,
    Criteria,
    Decisions,
}

#[derive(DeriveIden)]
enum Columns {
    JsonFormat,
}

const TABLES: [Tables; 3] = [Tables::Qualifications, Tables::Criteria, Tables::Decisions];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One statement per table: SQLite adds one column per ALTER TABLE.
        for table in TABLES {
            manager
                .alter_table(
                    Table::alter()
                        .table(table)
                        .add_column(integer(Columns::JsonFormat).default(1))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES {
            manager
                .alter_table(
                    Table::alter()
                        .table(table)
                        .drop_column(Columns::JsonFormat)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
