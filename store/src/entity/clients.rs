//! Clients: prospects with an effective take-on, with the intake it rested on.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "clients")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub prospect_id: Uuid,
    pub program_id: Uuid,
    pub owner_id: Uuid,
    pub decision_id: Uuid,
    pub intake_qualification_id: Uuid,
    pub intake_version_id: Uuid,
    pub intake_tier: String,
    pub intake_verdict: String,
    pub intake_path: String,
    pub taken_on: Date,
    pub ended_reason: Option<String>,
    pub ended_on: Option<Date>,
    pub end_note: Option<String>,
    pub revision: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
