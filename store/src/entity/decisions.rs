//! Decisions to take on or turn down a prospect.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "decisions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub prospect_id: Uuid,
    /// The prospect's program, which never changes (a trigger holds them equal): the
    /// dashboard's index leads with it (migration `m20261205_000013_dashboard_locality`).
    pub program_id: Uuid,
    /// The API key it was made through; `None` when the user was signed in.
    pub api_key_id: Option<Uuid>,
    pub qualification_id: Option<Uuid>,
    pub decided_by: Uuid,
    pub decision: String,
    pub reason: Option<String>,
    pub bias_check: Option<Json>,
    pub is_exception: bool,
    pub created_at: DateTimeUtc,
    /// Which format the row's JSON columns are in (`codes::json_format`).
    pub json_format: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
