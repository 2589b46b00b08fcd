//! Audit log: one row per data-changing mutation.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_log")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub actor_id: Option<Uuid>,
    pub action: String,
    pub object_type: String,
    pub object_id: Option<Uuid>,
    pub request_id: Option<String>,
    pub created_at: DateTimeUtc,
    /// What the action changed, where the action alone does not say (e.g. a corrected
    /// outcome entry's values before and after).
    pub detail: Option<Json>,
    /// The program the object belongs to; `None` for templates, sessions and accounts.
    pub program_id: Option<Uuid>,
    /// The mentee whose data it is (a prospect's owner, a joining or removed mentee, a
    /// user's own account); `None` for a mentor's templates and programs.
    pub subject_id: Option<Uuid>,
    /// The API key the actor acted through; `None` for a signed-in user.
    pub api_key_id: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
