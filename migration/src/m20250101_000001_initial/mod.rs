//! The initial schema: every table, foreign key and index.

use sea_orm_migration::prelude::*;

use crate::idens::*;

mod tables;

pub struct Migration;

// Named by hand: the derive would take the file name, which is `mod` here.
impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20250101_000001_initial"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in tables::tables() {
            manager.create_table(table).await?;
        }
        for index in indexes() {
            manager.create_index(index).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Children first, so that no foreign key is left dangling.
        let names: [DynIden; 13] = [
            ExceptionRequests::Table.into_iden(),
            Decisions::Table.into_iden(),
            Qualifications::Table.into_iden(),
            Prospects::Table.into_iden(),
            Invites::Table.into_iden(),
            Enrollments::Table.into_iden(),
            Programs::Table.into_iden(),
            Criteria::Table.into_iden(),
            TemplateVersions::Table.into_iden(),
            Templates::Table.into_iden(),
            RefreshTokens::Table.into_iden(),
            Settings::Table.into_iden(),
            Users::Table.into_iden(),
        ];
        for name in names {
            manager
                .drop_table(Table::drop().table(name).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }

    fn use_transaction(&self) -> Option<bool> {
        // Also on SQLite: a half-created schema is worse than none.
        Some(true)
    }
}

pub(crate) fn fk(
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(from.0, from.1)
        .to(to.0, to.1)
        .on_delete(on_delete)
        .on_update(ForeignKeyAction::Restrict)
        .to_owned()
}

pub(crate) const RESTRICT: ForeignKeyAction = ForeignKeyAction::Restrict;
pub(crate) const CASCADE: ForeignKeyAction = ForeignKeyAction::Cascade;

fn index(name: &str, table: impl IntoIden, columns: Vec<DynIden>) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(name).table(table);
    for column in columns {
        index.col(column);
    }
    index.to_owned()
}

fn indexes() -> Vec<IndexCreateStatement> {
    use ExceptionRequests as X;
    vec![
        index(
            "idx_refresh_tokens_user_id",
            RefreshTokens::Table,
            vec![RefreshTokens::UserId.into_iden()],
        ),
        index(
            "idx_refresh_tokens_family_id",
            RefreshTokens::Table,
            vec![RefreshTokens::FamilyId.into_iden()],
        ),
        index(
            "idx_templates_owner_id_id",
            Templates::Table,
            vec![Templates::OwnerId.into_iden(), Templates::Id.into_iden()],
        ),
        index(
            "uq_template_versions_template_id_number",
            TemplateVersions::Table,
            vec![
                TemplateVersions::TemplateId.into_iden(),
                TemplateVersions::Number.into_iden(),
            ],
        )
        .unique()
        .to_owned(),
        index(
            "uq_criteria_version_id_key",
            Criteria::Table,
            vec![Criteria::VersionId.into_iden(), Criteria::Key.into_iden()],
        )
        .unique()
        .to_owned(),
        index(
            "idx_criteria_version_id_position",
            Criteria::Table,
            vec![
                Criteria::VersionId.into_iden(),
                Criteria::Position.into_iden(),
            ],
        ),
        index(
            "idx_programs_mentor_id_id",
            Programs::Table,
            vec![Programs::MentorId.into_iden(), Programs::Id.into_iden()],
        ),
        index(
            "uq_enrollments_program_id_mentee_id",
            Enrollments::Table,
            vec![
                Enrollments::ProgramId.into_iden(),
                Enrollments::MenteeId.into_iden(),
            ],
        )
        .unique()
        .to_owned(),
        index(
            "idx_enrollments_mentee_id",
            Enrollments::Table,
            vec![Enrollments::MenteeId.into_iden()],
        ),
        index(
            "idx_invites_program_id",
            Invites::Table,
            vec![Invites::ProgramId.into_iden()],
        ),
        index(
            "idx_prospects_owner_id_id",
            Prospects::Table,
            vec![Prospects::OwnerId.into_iden(), Prospects::Id.into_iden()],
        ),
        index(
            "idx_prospects_program_id_id",
            Prospects::Table,
            vec![Prospects::ProgramId.into_iden(), Prospects::Id.into_iden()],
        ),
        index(
            "idx_prospects_owner_id_status",
            Prospects::Table,
            vec![
                Prospects::OwnerId.into_iden(),
                Prospects::Status.into_iden(),
            ],
        ),
        index(
            "idx_qualifications_prospect_id_id",
            Qualifications::Table,
            vec![
                Qualifications::ProspectId.into_iden(),
                Qualifications::Id.into_iden(),
            ],
        ),
        index(
            "idx_decisions_prospect_id_id",
            Decisions::Table,
            vec![Decisions::ProspectId.into_iden(), Decisions::Id.into_iden()],
        ),
        index(
            "idx_exception_requests_program_id_status_id",
            X::Table,
            vec![
                X::ProgramId.into_iden(),
                X::Status.into_iden(),
                X::Id.into_iden(),
            ],
        ),
    ]
}
