//! Goals (issue 16): a mentee's BHAG (one per mentee) and their quarterly goals in a
//! program. A goal's target is one number (minor units of the program's currency for
//! `REVENUE`, basis points for `A_SHARE`, a count otherwise) or, for `TEXT`, its text;
//! actuals are never stored. At most one goal of each numeric kind per program, mentee
//! and quarter: a partial unique index (`WHERE kind <> 'TEXT'`, written the same on
//! SQLite and PostgreSQL), while `TEXT` goals may be many.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::idens::{Programs, Users};
use crate::m20250101_000001_initial::{RESTRICT, fk};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Bhags {
    Table,
    MenteeId,
    Statement,
    TargetYear,
    TargetNumber,
    TargetUnit,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum QuarterlyGoals {
    Table,
    Id,
    ProgramId,
    MenteeId,
    Quarter,
    Kind,
    Target,
    Text,
    CreatedAt,
    UpdatedAt,
}

fn bhags() -> TableCreateStatement {
    Table::create()
        .table(Bhags::Table)
        .col(pk_uuid(Bhags::MenteeId))
        .col(text(Bhags::Statement))
        .col(integer(Bhags::TargetYear))
        .col(text_null(Bhags::TargetNumber))
        .col(text_null(Bhags::TargetUnit))
        .col(timestamp_with_time_zone(Bhags::CreatedAt))
        .col(timestamp_with_time_zone(Bhags::UpdatedAt))
        .foreign_key(&mut fk(
            (Bhags::Table, Bhags::MenteeId),
            (Users::Table, Users::Id),
            RESTRICT,
        ))
        .to_owned()
}

fn quarterly_goals() -> TableCreateStatement {
    use QuarterlyGoals as G;
    Table::create()
        .table(G::Table)
        .col(pk_uuid(G::Id))
        .col(uuid(G::ProgramId))
        .col(uuid(G::MenteeId))
        .col(text(G::Quarter))
        .col(text(G::Kind))
        .col(big_integer_null(G::Target))
        .col(text_null(G::Text))
        .col(timestamp_with_time_zone(G::CreatedAt))
        .col(timestamp_with_time_zone(G::UpdatedAt))
        .foreign_key(&mut fk(
            (G::Table, G::ProgramId),
            (Programs::Table, Programs::Id),
            RESTRICT,
        ))
        .foreign_key(&mut fk(
            (G::Table, G::MenteeId),
            (Users::Table, Users::Id),
            RESTRICT,
        ))
        .to_owned()
}

/// A mentee's goals of a program and quarter lie together, in creation order (the list's
/// order; ids are UUIDv7).
fn goals_index() -> IndexCreateStatement {
    use QuarterlyGoals as G;
    Index::create()
        .name("idx_quarterly_goals_program_mentee_quarter")
        .table(G::Table)
        .col(G::ProgramId)
        .col(G::MenteeId)
        .col(G::Quarter)
        .col(G::Id)
        .to_owned()
}

const ONE_NUMERIC_KIND: &str = "CREATE UNIQUE INDEX uq_quarterly_goals_numeric_kind \
     ON quarterly_goals (program_id, mentee_id, quarter, kind) WHERE kind <> 'TEXT'";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.create_table(bhags()).await?;
        manager.create_table(quarterly_goals()).await?;
        manager.create_index(goals_index()).await?;
        manager
            .get_connection()
            .execute_unprepared(ONE_NUMERIC_KIND)
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let tables: [DynIden; 2] = [QuarterlyGoals::Table.into_iden(), Bhags::Table.into_iden()];
        for table in tables {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
