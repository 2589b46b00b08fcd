//! Outcome entries: what a client brought in one month.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "outcome_entries")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub prospect_id: Uuid,
    /// The client's program (held equal to it by a foreign key): entries are indexed by it.
    pub program_id: Uuid,
    /// `domain::Month::index()`.
    pub month: i32,
    pub revenue_minor: i64,
    pub hours_hundredths: Option<i32>,
    pub custom_hours_hundredths: Option<i32>,
    pub energy: i32,
    pub note: Option<String>,
    pub revision: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
