//! A mentee's quarterly goals in a program.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "quarterly_goals")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub program_id: Uuid,
    pub mentee_id: Uuid,
    /// `YYYY-Qn`.
    pub quarter: String,
    /// `codes`: `REVENUE`, `A_SHARE`, `A_CLIENTS_TAKEN_ON`, `SAY_NO_COUNT`, `TEXT`.
    pub kind: String,
    /// Minor units (`REVENUE`), basis points (`A_SHARE`) or a count; `NULL` for `TEXT`.
    pub target: Option<i64>,
    /// The goal of a `TEXT` goal; `NULL` otherwise.
    pub text: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
