//! `qualifications.scoring_rule`: which scoring rule computed a stored result.
//!
//! Rows written before the column existed were scored by rule 1 (each answer's points
//! rounded down before the weighted mean), so the column defaults to 1; the code that
//! scores by exact fractions writes 2. Stored results are never recomputed.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Qualifications {
    Table,
    ScoringRule,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Qualifications::Table)
                    .add_column(integer(Qualifications::ScoringRule).default(1))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Qualifications::Table)
                    .drop_column(Qualifications::ScoringRule)
                    .to_owned(),
            )
            .await
    }
}
