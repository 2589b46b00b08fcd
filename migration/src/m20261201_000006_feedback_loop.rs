//! The feedback loop (issue 15): a program's currency, clients with the intake their
//! take-on rested on, their intake points per criterion, monthly outcome entries, and the
//! evidence behind a qualification's answers; and a detail on an audit record (what a
//! corrected outcome entry was before).
//!
//! `programs.currency` defaults to `EUR`: every program before the column was one. The
//! qualification columns are nullable: rows from before them carry no evidence, and a
//! share of 0 is read for them.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::idens::{Decisions, Programs, Prospects, Qualifications, TemplateVersions, Users};
use crate::m20250101_000001_initial::{RESTRICT, fk};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum NewColumns {
    Currency,
    Evidence,
    AssumptionShareBp,
    Detail,
}

#[derive(DeriveIden)]
enum AuditLog {
    Table,
}

#[derive(DeriveIden)]
enum Clients {
    Table,
    ProspectId,
    ProgramId,
    OwnerId,
    DecisionId,
    IntakeQualificationId,
    IntakeVersionId,
    IntakeTier,
    IntakeVerdict,
    IntakePath,
    TakenOn,
    EndedReason,
    EndedOn,
    EndNote,
    Revision,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ClientIntakePoints {
    Table,
    ProspectId,
    CriterionKey,
    PointsBp,
}

#[derive(DeriveIden)]
enum OutcomeEntries {
    Table,
    Id,
    ProspectId,
    Month,
    RevenueMinor,
    HoursHundredths,
    CustomHoursHundredths,
    Energy,
    Note,
    Revision,
    CreatedAt,
    UpdatedAt,
}

fn clients() -> TableCreateStatement {
    Table::create()
        .table(Clients::Table)
        .col(pk_uuid(Clients::ProspectId))
        .col(uuid(Clients::ProgramId))
        .col(uuid(Clients::OwnerId))
        .col(uuid(Clients::DecisionId))
        .col(uuid(Clients::IntakeQualificationId))
        .col(uuid(Clients::IntakeVersionId))
        .col(text(Clients::IntakeTier))
        .col(text(Clients::IntakeVerdict))
        .col(text(Clients::IntakePath))
        .col(date(Clients::TakenOn))
        .col(text_null(Clients::EndedReason))
        .col(date_null(Clients::EndedOn))
        .col(text_null(Clients::EndNote))
        .col(integer(Clients::Revision).default(1))
        .col(timestamp_with_time_zone(Clients::CreatedAt))
        .col(timestamp_with_time_zone(Clients::UpdatedAt))
        .foreign_key(&mut fk(
            (Clients::Table, Clients::ProspectId),
            (Prospects::Table, Prospects::Id),
            RESTRICT,
        ))
        .foreign_key(&mut fk(
            (Clients::Table, Clients::ProgramId),
            (Programs::Table, Programs::Id),
            RESTRICT,
        ))
        .foreign_key(&mut fk(
            (Clients::Table, Clients::OwnerId),
            (Users::Table, Users::Id),
            RESTRICT,
        ))
        .foreign_key(&mut fk(
            (Clients::Table, Clients::DecisionId),
            (Decisions::Table, Decisions::Id),
            RESTRICT,
        ))
        .foreign_key(&mut fk(
            (Clients::Table, Clients::IntakeQualificationId),
            (Qualifications::Table, Qualifications::Id),
            RESTRICT,
        ))
        .foreign_key(&mut fk(
            (Clients::Table, Clients::IntakeVersionId),
            (TemplateVersions::Table, TemplateVersions::Id),
            RESTRICT,
        ))
        .to_owned()
}

fn intake_points() -> TableCreateStatement {
    Table::create()
        .table(ClientIntakePoints::Table)
        .col(uuid(ClientIntakePoints::ProspectId))
        .col(text(ClientIntakePoints::CriterionKey))
        .col(integer(ClientIntakePoints::PointsBp))
        .primary_key(
            Index::create()
                .col(ClientIntakePoints::ProspectId)
                .col(ClientIntakePoints::CriterionKey),
        )
        .foreign_key(&mut fk(
            (ClientIntakePoints::Table, ClientIntakePoints::ProspectId),
            (Clients::Table, Clients::ProspectId),
            RESTRICT,
        ))
        .to_owned()
}

fn outcome_entries() -> TableCreateStatement {
    use OutcomeEntries as O;
    Table::create()
        .table(O::Table)
        .col(pk_uuid(O::Id))
        .col(uuid(O::ProspectId))
        .col(integer(O::Month))
        .col(big_integer(O::RevenueMinor))
        .col(integer_null(O::HoursHundredths))
        .col(integer_null(O::CustomHoursHundredths))
        .col(integer(O::Energy))
        .col(text_null(O::Note))
        .col(integer(O::Revision).default(1))
        .col(timestamp_with_time_zone(O::CreatedAt))
        .col(timestamp_with_time_zone(O::UpdatedAt))
        .foreign_key(&mut fk(
            (O::Table, O::ProspectId),
            (Clients::Table, Clients::ProspectId),
            RESTRICT,
        ))
        .to_owned()
}

fn indexes() -> Vec<IndexCreateStatement> {
    let index = |name: &str, table: DynIden, columns: &[DynIden]| {
        let mut index = Index::create();
        index.name(name).table(table);
        for column in columns {
            index.col(column.clone());
        }
        index.to_owned()
    };
    // The feedback aggregates (`store::feedback`) read a scope's clients in prospect order,
    // so that grouping by client streams instead of sorting, and read the entries and the
    // intake points from their indexes alone (covering): S7 on the 10k world, 18 ms of
    // CPU per request before, bench/RESULTS.md.
    vec![
        index(
            "idx_clients_program_id_prospect_id",
            Clients::Table.into_iden(),
            &[
                Clients::ProgramId.into_iden(),
                Clients::ProspectId.into_iden(),
            ],
        ),
        index(
            "idx_clients_owner_id_prospect_id",
            Clients::Table.into_iden(),
            &[
                Clients::OwnerId.into_iden(),
                Clients::ProspectId.into_iden(),
            ],
        ),
        index(
            "idx_outcome_entries_sums",
            OutcomeEntries::Table.into_iden(),
            &[
                OutcomeEntries::ProspectId.into_iden(),
                OutcomeEntries::Month.into_iden(),
                OutcomeEntries::RevenueMinor.into_iden(),
                OutcomeEntries::HoursHundredths.into_iden(),
                OutcomeEntries::CustomHoursHundredths.into_iden(),
                OutcomeEntries::Energy.into_iden(),
            ],
        ),
        index(
            "idx_client_intake_points_points",
            ClientIntakePoints::Table.into_iden(),
            &[
                ClientIntakePoints::ProspectId.into_iden(),
                ClientIntakePoints::CriterionKey.into_iden(),
                ClientIntakePoints::PointsBp.into_iden(),
            ],
        ),
        index(
            "uq_outcome_entries_prospect_id_month",
            OutcomeEntries::Table.into_iden(),
            &[
                OutcomeEntries::ProspectId.into_iden(),
                OutcomeEntries::Month.into_iden(),
            ],
        )
        .unique()
        .to_owned(),
    ]
}

/// One column per ALTER TABLE: SQLite adds no more at a time.
fn added_columns() -> Vec<(DynIden, ColumnDef)> {
    vec![
        (
            Programs::Table.into_iden(),
            text(NewColumns::Currency).default("EUR").to_owned(),
        ),
        (
            Qualifications::Table.into_iden(),
            json_null(NewColumns::Evidence),
        ),
        (
            Qualifications::Table.into_iden(),
            integer_null(NewColumns::AssumptionShareBp),
        ),
        (AuditLog::Table.into_iden(), json_null(NewColumns::Detail)),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, mut column) in added_columns() {
            let alter = Table::alter()
                .table(table)
                .add_column(&mut column)
                .to_owned();
            manager.alter_table(alter).await?;
        }
        for table in [clients(), intake_points(), outcome_entries()] {
            manager.create_table(table).await?;
        }
        for index in indexes() {
            manager.create_index(index).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Children first, so that no foreign key is left dangling.
        let tables: [DynIden; 3] = [
            OutcomeEntries::Table.into_iden(),
            ClientIntakePoints::Table.into_iden(),
            Clients::Table.into_iden(),
        ];
        for table in tables {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        for (table, column) in added_columns().into_iter().rev() {
            let name = column.get_column_name();
            let alter = Table::alter()
                .table(table)
                .drop_column(Alias::new(name))
                .to_owned();
            manager.alter_table(alter).await?;
        }
        Ok(())
    }

    fn use_transaction(&self) -> Option<bool> {
        // Also on SQLite: a half-made feedback schema is worse than none.
        Some(true)
    }
}
