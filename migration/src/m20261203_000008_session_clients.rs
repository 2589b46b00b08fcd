//! Where each login was made from: the client IP and user agent of a refresh token's
//! request (login, sign-up or refresh), so that a user can tell their sessions apart
//! (`Query.sessions`) and end the ones they do not recognise. Null for tokens from before.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum RefreshTokens {
    Table,
    ClientIp,
    UserAgent,
}

fn columns() -> [ColumnDef; 2] {
    [
        text_null(RefreshTokens::ClientIp),
        text_null(RefreshTokens::UserAgent),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per ALTER TABLE: SQLite adds no more at a time.
        for mut column in columns() {
            let alter = Table::alter()
                .table(RefreshTokens::Table)
                .add_column(&mut column)
                .to_owned();
            manager.alter_table(alter).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in columns().into_iter().rev() {
            let alter = Table::alter()
                .table(RefreshTokens::Table)
                .drop_column(Alias::new(column.get_column_name()))
                .to_owned();
            manager.alter_table(alter).await?;
        }
        Ok(())
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
