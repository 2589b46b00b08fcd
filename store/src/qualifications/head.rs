//! A qualification's head: the columns that copy its stored result, read without the
//! answers and explanation documents (for lists).

use chrono::{DateTime, NaiveDate, Utc};
use domain::{BasisPoints, CriterionKey, ScoringRule, Tier, Verdict};
use sea_orm::{ColumnTrait, DerivePartialModel, EntityTrait, QueryFilter};
use serde_json::Value as Json;
use uuid::Uuid;

use super::{Qualification, from_json, share};
use crate::Conn;
use crate::StoreError;
use crate::codes::{Code, basis_points, json_format, scoring_rule};
use crate::entity::qualifications;

/// A qualification without its answers, outlook and explanations: what a list shows of a
/// prospect's latest result. Read from the columns that copy the stored assessments
/// ([`heads_by_ids`]), so neither the answers nor the explanation documents are read from
/// the database or parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QualificationHead {
    pub id: Uuid,
    pub prospect_id: Uuid,
    pub template_version_id: Uuid,
    pub qualified_by: Uuid,
    pub score_bp: BasisPoints,
    pub tier: Tier,
    /// Criteria whose knockout hit, in definition order.
    pub knockouts: Vec<CriterionKey>,
    /// Criteria answered as unknown, in definition order.
    pub unknowns: Vec<CriterionKey>,
    pub projected_score_bp: BasisPoints,
    pub projected_tier: Tier,
    pub verdict: Verdict,
    pub requalify_by: Option<NaiveDate>,
    pub plan: Option<String>,
    pub scoring_rule: ScoringRule,
    /// As [`Qualification::assumption_share_bp`].
    pub assumption_share_bp: BasisPoints,
    pub created_at: DateTime<Utc>,
    /// As [`Qualification::api_key_id`].
    pub api_key_id: Option<Uuid>,
}

impl From<&Qualification> for QualificationHead {
    fn from(q: &Qualification) -> Self {
        let result = &q.result;
        QualificationHead {
            id: q.id,
            prospect_id: q.prospect_id,
            template_version_id: q.template_version_id,
            qualified_by: q.qualified_by,
            score_bp: result.now.score_bp,
            tier: result.now.tier,
            knockouts: result.now.knockouts.clone(),
            unknowns: result.now.unknowns.clone(),
            projected_score_bp: result.projected.score_bp,
            projected_tier: result.projected.tier,
            verdict: result.verdict,
            requalify_by: result.requalify_by,
            plan: result.plan.clone(),
            scoring_rule: result.scoring_rule,
            assumption_share_bp: q.assumption_share_bp,
            created_at: q.created_at,
            api_key_id: q.api_key_id,
        }
    }
}

/// The columns of a [`QualificationHead`].
#[derive(DerivePartialModel)]
#[sea_orm(entity = "qualifications::Entity")]
struct HeadRow {
    id: Uuid,
    prospect_id: Uuid,
    template_version_id: Uuid,
    qualified_by: Uuid,
    score_bp: i32,
    tier: String,
    knockouts: Json,
    unknowns: Json,
    projected_score_bp: i32,
    projected_tier: String,
    verdict: String,
    plan: Option<String>,
    requalify_by: Option<NaiveDate>,
    created_at: DateTime<Utc>,
    scoring_rule: i32,
    json_format: i32,
    assumption_share_bp: Option<i32>,
    api_key_id: Option<Uuid>,
}

impl TryFrom<HeadRow> for QualificationHead {
    type Error = StoreError;

    fn try_from(row: HeadRow) -> Result<Self, StoreError> {
        json_format("qualifications", row.json_format)?;
        Ok(QualificationHead {
            id: row.id,
            prospect_id: row.prospect_id,
            template_version_id: row.template_version_id,
            qualified_by: row.qualified_by,
            score_bp: basis_points(row.score_bp)?,
            tier: Tier::from_code(&row.tier)?,
            knockouts: from_json(row.knockouts)?,
            unknowns: from_json(row.unknowns)?,
            projected_score_bp: basis_points(row.projected_score_bp)?,
            projected_tier: Tier::from_code(&row.projected_tier)?,
            verdict: Verdict::from_code(&row.verdict)?,
            requalify_by: row.requalify_by,
            plan: row.plan,
            scoring_rule: scoring_rule(row.scoring_rule)?,
            assumption_share_bp: share(row.assumption_share_bp)?,
            created_at: row.created_at,
            api_key_id: row.api_key_id,
        })
    }
}

/// The heads of the qualifications among `ids` that exist, in one query that reads none of
/// the answer or explanation columns.
///
/// # Errors
/// [`StoreError::Db`] when the query fails.
pub async fn heads_by_ids(
    db: &impl Conn,
    ids: &[Uuid],
) -> Result<Vec<QualificationHead>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    qualifications::Entity::find()
        .filter(qualifications::Column::Id.is_in(ids.iter().copied()))
        .into_partial_model::<HeadRow>()
        .all(db)
        .await?
        .into_iter()
        .map(QualificationHead::try_from)
        .collect()
}
