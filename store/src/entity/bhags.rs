//! A mentee's BHAG: one per mentee.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "bhags")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub mentee_id: Uuid,
    pub statement: String,
    pub target_year: i32,
    /// An exact decimal, as its text.
    pub target_number: Option<String>,
    pub target_unit: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
