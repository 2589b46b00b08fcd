//! API keys (issue 17): an integration acts as the key's owner, narrowed by the key's
//! scopes (reading only, or reading and writing; optionally one program). Only the key's
//! SHA-256 digest is stored (the secret is shown once); its prefix is kept to tell keys
//! apart in a list. The audit log records which key acted (`api_key_id`, null for a
//! signed-in user).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::idens::{Programs, Users};
use crate::m20250101_000001_initial::{RESTRICT, fk};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ApiKeys {
    Table,
    Id,
    OwnerId,
    Name,
    Prefix,
    Digest,
    CanWrite,
    ProgramId,
    ExpiresAt,
    CreatedAt,
    LastUsedAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    ApiKeyId,
}

fn api_keys() -> TableCreateStatement {
    use ApiKeys as K;
    Table::create()
        .table(K::Table)
        .col(pk_uuid(K::Id))
        .col(uuid(K::OwnerId))
        .col(text(K::Name))
        .col(text(K::Prefix))
        .col(text(K::Digest))
        .col(boolean(K::CanWrite))
        .col(uuid_null(K::ProgramId))
        .col(timestamp_with_time_zone_null(K::ExpiresAt))
        .col(timestamp_with_time_zone(K::CreatedAt))
        .col(timestamp_with_time_zone_null(K::LastUsedAt))
        .col(timestamp_with_time_zone_null(K::RevokedAt))
        .foreign_key(&mut fk(
            (K::Table, K::OwnerId),
            (Users::Table, Users::Id),
            RESTRICT,
        ))
        .foreign_key(&mut fk(
            (K::Table, K::ProgramId),
            (Programs::Table, Programs::Id),
            RESTRICT,
        ))
        .to_owned()
}

fn indexes() -> [IndexCreateStatement; 2] {
    use ApiKeys as K;
    [
        Index::create()
            .name("uq_api_keys_digest")
            .table(K::Table)
            .col(K::Digest)
            .unique()
            .to_owned(),
        Index::create()
            .name("idx_api_keys_owner_id_id")
            .table(K::Table)
            .col(K::OwnerId)
            .col(K::Id)
            .to_owned(),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.create_table(api_keys()).await?;
        for index in indexes() {
            manager.create_index(index).await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(AuditLog::Table)
                    .add_column(uuid_null(AuditLog::ApiKeyId))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(AuditLog::Table)
                    .drop_column(AuditLog::ApiKeyId)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(ApiKeys::Table).to_owned())
            .await
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
