//! Prospects owned by a mentee within a program.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "prospects")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub owner_id: Uuid,
    pub program_id: Uuid,
    pub name: String,
    pub company: Option<String>,
    pub notes: Option<String>,
    pub status: String,
    pub archived_at: Option<DateTimeUtc>,
    pub latest_qualification_id: Option<Uuid>,
    pub requalify_by: Option<Date>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub revision: i32,
    /// The name in lower case: what the list sorts by name on (migration
    /// `m20261204_000011_list_orderings`).
    pub name_key: String,
    /// Copies of the latest qualification's result, for the list's orderings and filters.
    pub latest_score_bp: Option<i32>,
    pub latest_tier: Option<String>,
    pub latest_verdict: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
