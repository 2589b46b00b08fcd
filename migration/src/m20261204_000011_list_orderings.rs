//! The orderings and filters of the prospect list (issue 16), each read through an index
//! that leads with the column the visibility `WHERE` clause names (`program_id` for a
//! mentor, `owner_id` for a mentee), then the sort key and the id (the keyset's tie-break).
//!
//! The prospect row carries what the list sorts and filters by, so that no list joins its
//! qualifications:
//! - `name_key`: the name in Unicode lower case (Rust's `str::to_lowercase`, written by the
//!   store), compared byte by byte (code point order): SQLite's `BINARY` collation, and
//!   `COLLATE "C"` on PostgreSQL, so both databases sort alike whatever their locale;
//! - `latest_score_bp`, `latest_tier`, `latest_verdict`: copies of the latest
//!   qualification's result, written with `latest_qualification_id`; null until qualified.
//!
//! Existing rows are filled here: the copies by one `UPDATE` from the qualifications, the
//! name keys row by row in Rust (SQL `LOWER` lowers only ASCII on SQLite, the locale's
//! letters on PostgreSQL).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::DatabaseBackend;
use sea_orm_migration::sea_orm::prelude::Uuid;

use crate::idens::{Prospects, Qualifications};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Keys {
    NameKey,
    LatestScoreBp,
    LatestTier,
    LatestVerdict,
}

fn columns(backend: DatabaseBackend) -> [ColumnDef; 4] {
    let mut name_key = text(Keys::NameKey);
    name_key.default("");
    if backend == DatabaseBackend::Postgres {
        name_key.extra("COLLATE \"C\"");
    }
    [
        name_key,
        integer_null(Keys::LatestScoreBp),
        text_null(Keys::LatestTier),
        text_null(Keys::LatestVerdict),
    ]
}

/// (name, leading column, sort key): every ordering by each visibility column.
fn indexes() -> Vec<IndexCreateStatement> {
    let keys: [(&str, DynIden); 6] = [
        ("name_key", Keys::NameKey.into_iden()),
        ("latest_score_bp", Keys::LatestScoreBp.into_iden()),
        ("requalify_by", Prospects::RequalifyBy.into_iden()),
        ("updated_at", Prospects::UpdatedAt.into_iden()),
        ("latest_tier", Keys::LatestTier.into_iden()),
        ("latest_verdict", Keys::LatestVerdict.into_iden()),
    ];
    let leads: [(&str, DynIden); 2] = [
        ("program_id", Prospects::ProgramId.into_iden()),
        ("owner_id", Prospects::OwnerId.into_iden()),
    ];
    let mut all = Vec::new();
    for (lead_name, lead) in &leads {
        for (key_name, key) in &keys {
            all.push(
                Index::create()
                    .name(format!("idx_prospects_{lead_name}_{key_name}_id"))
                    .table(Prospects::Table)
                    .col(lead.clone())
                    .col(key.clone())
                    .col(Prospects::Id)
                    .to_owned(),
            );
        }
    }
    all
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        // One column per ALTER TABLE: SQLite adds no more at a time.
        for mut column in columns(backend) {
            let alter = Table::alter()
                .table(Prospects::Table)
                .add_column(&mut column)
                .to_owned();
            manager.alter_table(alter).await?;
        }
        let latest = |column: Qualifications| {
            SimpleExpr::SubQuery(
                None,
                Box::new(
                    Query::select()
                        .column(column)
                        .from(Qualifications::Table)
                        .and_where(
                            Expr::col((Qualifications::Table, Qualifications::Id))
                                .equals((Prospects::Table, Prospects::LatestQualificationId)),
                        )
                        .to_owned()
                        .into_sub_query_statement(),
                ),
            )
        };
        manager
            .exec_stmt(
                Query::update()
                    .table(Prospects::Table)
                    .value(Keys::LatestScoreBp, latest(Qualifications::ScoreBp))
                    .value(Keys::LatestTier, latest(Qualifications::Tier))
                    .value(Keys::LatestVerdict, latest(Qualifications::Verdict))
                    .and_where(Expr::col(Prospects::LatestQualificationId).is_not_null())
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        let select = Query::select()
            .columns([Prospects::Id, Prospects::Name])
            .from(Prospects::Table)
            .to_owned();
        let rows = db.query_all(&select).await?;
        for row in rows {
            let id: Uuid = row.try_get("", "id")?;
            let name: String = row.try_get("", "name")?;
            let update = Query::update()
                .table(Prospects::Table)
                .value(Keys::NameKey, name.to_lowercase())
                .and_where(Expr::col(Prospects::Id).eq(id))
                .to_owned();
            db.execute(&update).await?;
        }
        for index in indexes() {
            manager.create_index(index).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for index in indexes() {
            let name = index
                .get_index_spec()
                .get_name()
                .unwrap_or_default()
                .to_owned();
            manager
                .drop_index(Index::drop().name(name).table(Prospects::Table).to_owned())
                .await?;
        }
        for column in columns(manager.get_database_backend()).into_iter().rev() {
            let alter = Table::alter()
                .table(Prospects::Table)
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
