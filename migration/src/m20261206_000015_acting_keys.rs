//! Qualifications and decisions record the API key they were made through (null when
//! the user was signed in), so that `qualifiedBy` and `decidedBy` name the key as the
//! audit trail does. A nullable column: added in place on both databases.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::idens::{Decisions, Qualifications};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Added {
    ApiKeyId,
}

fn tables() -> [DynIden; 2] {
    [
        Qualifications::Table.into_iden(),
        Decisions::Table.into_iden(),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in tables() {
            manager
                .alter_table(
                    Table::alter()
                        .table(table)
                        .add_column(uuid_null(Added::ApiKeyId))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in tables() {
            manager
                .alter_table(
                    Table::alter()
                        .table(table)
                        .drop_column(Added::ApiKeyId)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
