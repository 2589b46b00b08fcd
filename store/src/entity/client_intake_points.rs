//! A client's intake points per criterion, from its intake qualification's explanation.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "client_intake_points")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub prospect_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub criterion_key: String,
    /// The client's program (held equal to it by a foreign key): points are indexed by it.
    pub program_id: Uuid,
    pub points_bp: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
