//! Indexes for the dashboards (`store::dashboard`): each of its statements starts from a
//! program's prospects (`prospects` by program, then owner) and reads, per prospect, its
//! qualifications and decisions in a window of dates. The existing indexes lead with the
//! prospect but hold only the id, so every qualification (a wide row of JSON) and every
//! decision was read from the table to see its date; these hold what the statements read
//! (date, id, tier, verdict; date, id, decision), so a program's figures come from index
//! pages alone and the work is bounded by the program's size, not the table's.

use sea_orm_migration::prelude::*;

use crate::idens::{Decisions, Prospects, Qualifications};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Each index: its name, its table and its columns.
fn indexes() -> Vec<(&'static str, DynIden, Vec<DynIden>)> {
    use Decisions as D;
    use Prospects as P;
    use Qualifications as Q;
    vec![
        (
            "idx_prospects_program_id_owner_id_id",
            P::Table.into_iden(),
            vec![
                P::ProgramId.into_iden(),
                P::OwnerId.into_iden(),
                P::Id.into_iden(),
            ],
        ),
        (
            "idx_qualifications_prospect_id_created_at",
            Q::Table.into_iden(),
            vec![
                Q::ProspectId.into_iden(),
                Q::CreatedAt.into_iden(),
                Q::Id.into_iden(),
                Q::Tier.into_iden(),
                Q::Verdict.into_iden(),
            ],
        ),
        (
            "idx_decisions_prospect_id_created_at",
            D::Table.into_iden(),
            vec![
                D::ProspectId.into_iden(),
                D::CreatedAt.into_iden(),
                D::Id.into_iden(),
                D::Decision.into_iden(),
            ],
        ),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, table, columns) in indexes() {
            let mut index = Index::create();
            index.name(name).table(table);
            for column in columns {
                index.col(column);
            }
            manager.create_index(index.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, table, _) in indexes() {
            manager
                .drop_index(Index::drop().name(name).table(table).to_owned())
                .await?;
        }
        Ok(())
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
