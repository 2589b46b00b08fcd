//! Qualifications: append-only scorings of a prospect against a published version.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "qualifications")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub prospect_id: Uuid,
    /// The prospect's program, which never changes (a trigger holds them equal): the
    /// dashboard's index leads with it (migration `m20261205_000013_dashboard_locality`).
    pub program_id: Uuid,
    /// The API key it was made through; `None` when the user was signed in.
    pub api_key_id: Option<Uuid>,
    pub template_version_id: Uuid,
    pub qualified_by: Uuid,
    pub answers: Json,
    pub outlook: Option<Json>,
    pub score_bp: i32,
    pub tier: String,
    pub knockouts: Json,
    pub unknowns: Json,
    pub explanation: Json,
    pub projected_score_bp: i32,
    pub projected_tier: String,
    pub projected_explanation: Json,
    pub verdict: String,
    pub plan: Option<String>,
    pub requalify_by: Option<Date>,
    pub created_at: DateTimeUtc,
    /// Which `domain::ScoringRule` computed the result: 1 or 2 (`codes::scoring_rule`).
    pub scoring_rule: i32,
    /// Which format the row's JSON columns are in (`codes::json_format`).
    pub json_format: i32,
    /// `[{key, kind, note}]` in criteria order, only answers with evidence; `NULL` for
    /// rows without any (and rows from before the column).
    pub evidence: Option<Json>,
    /// `domain::assumption_share` of the result; `NULL` in rows from before the column.
    pub assumption_share_bp: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
