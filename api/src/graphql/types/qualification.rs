//! Qualifications: one scoring of a prospect against a published template version.
//!
//! Everything here is read back from what was stored when the prospect was qualified; nothing
//! is recomputed, so a later version of the template never changes a past result.

use std::sync::Arc;

use async_graphql::{Context, ID, InputType, Object, SimpleObject, Union};
use uuid::Uuid;

use crate::error::ApiResult;
use crate::graphql::ids::{self, Kind};
use crate::graphql::load;
use crate::graphql::loaders::{ProspectId, QualificationHeadId, QualificationId, VersionId};
use crate::graphql::plain::{Getter, Plain, PlainList};
use crate::graphql::types::actor::Actor;
use crate::graphql::types::datetime::DateTime;
use crate::graphql::types::enums::{EvidenceKind, ScoringRule, Tier, Verdict};
use crate::graphql::types::path_to_a::{PathsToA, paths_to_a};
use crate::graphql::types::prospect::Prospect;
use crate::graphql::types::scalars::{BigInt, Date};
use crate::graphql::types::template::TemplateVersion;

/// A qualification as it was read: always its head (the result's copied columns), and the
/// whole row (answers, outlook, explanations) when it was read too. A list that asks for
/// none of [`NEEDS_ROW`] reads heads only; a field that needs the row loads it then (batched).
pub struct Qualification {
    head: Arc<store::QualificationHead>,
    row: Option<Arc<store::Qualification>>,
}

/// The fields answered from the whole row, not the head. Only a hint for choosing what to
/// read: a field missing here still answers, with one more batched load.
const NEEDS_ROW: &[&str] = &[
    "answers",
    "pathsToA",
    "outlook",
    "uncappedTier",
    "projectedKnockouts",
    "explanation",
    "projectedExplanation",
];

impl From<store::Qualification> for Qualification {
    fn from(row: store::Qualification) -> Self {
        Qualification::from(Arc::new(row))
    }
}

impl From<Arc<store::Qualification>> for Qualification {
    fn from(row: Arc<store::Qualification>) -> Self {
        Qualification {
            head: Arc::new(store::QualificationHead::from(row.as_ref())),
            row: Some(row),
        }
    }
}

impl Qualification {
    /// The qualification `id` for the field at `ctx`: its head only, unless the field's
    /// selection asks for something in [`NEEDS_ROW`] or the whole row is already at hand.
    pub async fn load(ctx: &Context<'_>, id: Uuid) -> ApiResult<Qualification> {
        if Qualification::needs_row(&ctx.look_ahead()) {
            return Ok(load::existing(ctx, QualificationId(id)).await?.into());
        }
        if let Some(row) = load::ready(ctx, &QualificationId(id)) {
            return Ok(row.into());
        }
        Ok(Qualification {
            head: load::existing(ctx, QualificationHeadId(id)).await?,
            row: None,
        })
    }

    /// Whether a list's items, selected as `look`, need whole rows (see [`NEEDS_ROW`]).
    pub fn needs_row(look: &async_graphql::Lookahead<'_>) -> bool {
        NEEDS_ROW.iter().any(|field| look.field(field).exists())
    }

    /// The whole row: as read, or loaded now.
    async fn row(&self, ctx: &Context<'_>) -> ApiResult<Arc<store::Qualification>> {
        match &self.row {
            Some(row) => Ok(Arc::clone(row)),
            None => load::existing(ctx, QualificationId(self.head.id)).await,
        }
    }
}

/// One scoring of a prospect against a published template version. Never edited: qualifying
/// again appends a new one.
#[Object]
impl Qualification {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Qualification, self.head.id)
    }
    /// When it was made.
    async fn created_at(&self) -> DateTime {
        DateTime(self.head.created_at)
    }
    /// The prospect scored.
    async fn prospect(&self, ctx: &Context<'_>) -> ApiResult<Prospect> {
        Ok(Prospect(
            load::existing(ctx, ProspectId(self.head.prospect_id)).await?,
        ))
    }
    /// The published version this was scored against.
    async fn template_version(&self, ctx: &Context<'_>) -> ApiResult<TemplateVersion> {
        Ok(TemplateVersion(
            load::existing(ctx, VersionId(self.head.template_version_id)).await?,
        ))
    }
    /// Who qualified the prospect: the mentee (a `User`), or the API key they did it
    /// through (an `ApiKeyActor`, whose `owner` is the mentee).
    async fn qualified_by(&self, ctx: &Context<'_>) -> ApiResult<Actor> {
        Actor::of(ctx, self.head.qualified_by, self.head.api_key_id).await
    }
    /// The answers now, in the version's criteria order.
    async fn answers(&self, ctx: &Context<'_>) -> ApiResult<Vec<CriterionAnswer>> {
        let row = self.row(ctx).await?;
        self.in_criteria_order(ctx, &row.answers, &row.evidence)
            .await
    }
    /// The answers expected at the horizon if the plan works (in the version's criteria
    /// order), and the plan.
    async fn outlook(&self, ctx: &Context<'_>) -> ApiResult<Option<Outlook>> {
        let row = self.row(ctx).await?;
        let Some(outlook) = &row.outlook else {
            return Ok(None);
        };
        Ok(Some(Outlook {
            answers: self.in_criteria_order(ctx, &outlook.answers, &[]).await?,
            plan: outlook.plan.clone(),
            requalify_by: outlook.requalify_by.map(Date),
        }))
    }
    /// The rule that computed the scores, tiers and verdict below. A qualification keeps
    /// the result it was given; one scored before the rule changed keeps the old rule's.
    async fn scoring_rule(&self) -> ScoringRule {
        self.head.scoring_rule.into()
    }
    /// 0..=100, two decimals: `scoreBasisPoints / 100`.
    async fn score(&self) -> f64 {
        self.head.score_bp.as_percent()
    }
    /// The score in basis points, 0..=10000: the exact weighted mean rounded down once
    /// (see `scoringRule`).
    async fn score_basis_points(&self) -> u32 {
        self.head.score_bp.get()
    }
    /// The tier now, after any knockout cap; decided on the exact score (`EXACT_FRACTIONS`).
    async fn tier(&self) -> Tier {
        self.head.tier.into()
    }
    /// The tier the score alone would give.
    async fn uncapped_tier(&self, ctx: &Context<'_>) -> ApiResult<Tier> {
        Ok(self.row(ctx).await?.result.now.uncapped_tier.into())
    }
    /// Keys of the criteria whose knockout hit.
    async fn knockouts(&self) -> Vec<String> {
        keys(&self.head.knockouts)
    }
    /// Keys of the criteria answered "unknown" (scored 0).
    async fn unknowns(&self) -> Vec<String> {
        keys(&self.head.unknowns)
    }
    /// The score expected at the horizon if the plan works, 0..=100 with two decimals; the
    /// score now without an outlook.
    async fn projected_score(&self) -> f64 {
        self.head.projected_score_bp.as_percent()
    }
    /// The exact projected score, 0..=10000.
    async fn projected_score_basis_points(&self) -> u32 {
        self.head.projected_score_bp.get()
    }
    /// The tier expected at the horizon, after any knockout cap.
    async fn projected_tier(&self) -> Tier {
        self.head.projected_tier.into()
    }
    /// Keys of the criteria whose knockout hits at the horizon.
    async fn projected_knockouts(&self, ctx: &Context<'_>) -> ApiResult<Vec<String>> {
        Ok(keys(&self.row(ctx).await?.result.projected.knockouts))
    }
    /// Accept, accept with a plan, or decline.
    async fn verdict(&self) -> Verdict {
        self.head.verdict.into()
    }
    /// Each criterion's share of the score; the contributions add up to the score exactly.
    async fn explanation(&self, ctx: &Context<'_>) -> ApiResult<PlainList<Contribution>> {
        let row = self.row(ctx).await?;
        self.contributions(ctx, &row.result.now).await
    }
    /// The same for the projected score.
    async fn projected_explanation(&self, ctx: &Context<'_>) -> ApiResult<PlainList<Contribution>> {
        let row = self.row(ctx).await?;
        self.contributions(ctx, &row.result.projected).await
    }
    /// The share of the score that rests on answers whose evidence is `ASSUMPTION`,
    /// 0..=10000: their contributions over the score, rounded down; 0 when the score is 0
    /// or no answer carries evidence (qualifications from before evidence was recorded).
    async fn assumption_share_basis_points(&self) -> u32 {
        self.head.assumption_share_bp.get()
    }
    /// The verdict accepts (`ACCEPT` or `ACCEPT_WITH_PLAN`) while more than half of the
    /// score (`assumptionShareBasisPoints` above 5000) rests on assumptions: "we liked
    /// them, so we assumed the rest". Never for `DECLINE`.
    async fn rests_on_assumptions(&self) -> bool {
        domain::rests_on_assumptions(self.head.verdict, self.head.assumption_share_bp)
    }
    /// With `ACCEPT_WITH_PLAN`: the date to qualify again by (never after the horizon).
    async fn requalify_by(&self) -> Option<Date> {
        self.head.requalify_by.map(Date)
    }
    /// The smallest changes of these answers that would earn tier A, by the current
    /// scoring rule, against this qualification's version: what the prospect would have to
    /// become, and the criteria an `ACCEPT_WITH_PLAN` plan must move.
    async fn paths_to_a(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many paths at most, 1..=10.", default = 3)] limit: i32,
    ) -> ApiResult<PathsToA> {
        let row = self.row(ctx).await?;
        let version = load::existing(ctx, VersionId(self.head.template_version_id)).await?;
        let answers: Vec<domain::AnswerDraft> = row
            .answers
            .iter()
            .map(|a| domain::AnswerDraft {
                key: a.key.as_str().to_owned(),
                value: a.value.clone(),
            })
            .collect();
        paths_to_a(&version.definition, &answers, limit)
    }
    /// The plan of the outlook; `null` without one.
    async fn plan(&self) -> Option<&str> {
        self.head.plan.as_deref()
    }
}

impl Qualification {
    /// Answers stored in the order they were sent (qualifications from before answers were
    /// stored sorted) are put in the version's criteria order here.
    async fn in_criteria_order(
        &self,
        ctx: &Context<'_>,
        answers: &[domain::Answer],
        evidence: &[(domain::CriterionKey, domain::Evidence)],
    ) -> ApiResult<Vec<CriterionAnswer>> {
        let version = load::existing(ctx, VersionId(self.head.template_version_id)).await?;
        let sorted = domain::in_criteria_order(&version.definition, answers);
        Ok(sorted
            .iter()
            .map(|answer| {
                let mut shown = CriterionAnswer::from(answer);
                shown.evidence =
                    evidence
                        .iter()
                        .find(|(key, _)| *key == answer.key)
                        .map(|(_, e)| Evidence {
                            kind: e.kind.into(),
                            note: e.note.as_ref().map(|n| n.as_str().to_owned()),
                        });
                shown
            })
            .collect())
    }

    async fn contributions(
        &self,
        ctx: &Context<'_>,
        assessment: &domain::Assessment,
    ) -> ApiResult<PlainList<Contribution>> {
        let version = load::existing(ctx, VersionId(self.head.template_version_id)).await?;
        contributions_of(ctx, &version.definition, assessment)
    }
}

/// The explanation of `assessment`, with the labels of `definition`'s criteria.
pub fn contributions_of(
    ctx: &Context<'_>,
    definition: &domain::Definition,
    assessment: &domain::Assessment,
) -> ApiResult<PlainList<Contribution>> {
    let contributions: Vec<Contribution> = assessment
        .explanation
        .iter()
        .map(|c| Contribution {
            key: c.key.as_str().to_owned(),
            label: definition
                .criterion(c.key.as_str())
                .map(|k| k.label().to_owned())
                .unwrap_or_default(),
            points: c.points_bp.as_percent(),
            points_basis_points: c.points_bp.get(),
            weight: c.weight.get(),
            contribution_basis_points: c.contribution_bp.get(),
            knockout: c.knockout,
            unknown: c.unknown,
        })
        .collect();
    PlainList::new(ctx, contributions)
}

/// Criterion keys as the schema shows them.
pub fn keys(keys: &[domain::CriterionKey]) -> Vec<String> {
    keys.iter().map(|k| k.as_str().to_owned()).collect()
}

/// One criterion's part of a score.
#[derive(SimpleObject)]
pub struct Contribution {
    /// The criterion's key.
    pub key: String,
    /// The criterion's label.
    pub label: String,
    /// The answer's points, 0..=100: `pointsBasisPoints / 100`.
    pub points: f64,
    /// The answer's points in basis points, rounded down (a scale's exact points can be a
    /// fraction, e.g. 3333 1/3; the score and the contributions use the exact value).
    pub points_basis_points: u32,
    /// The criterion's weight.
    pub weight: u32,
    /// This criterion's share of the score in basis points; all shares add up to the score.
    pub contribution_basis_points: u32,
    /// Whether this answer hit the criterion's knockout.
    pub knockout: bool,
    /// Whether the answer was "unknown" (0 points).
    pub unknown: bool,
}

impl Plain for Contribution {
    const FIELDS: &'static [(&'static str, Getter<Self>)] = &[
        ("key", |c| c.key.to_value()),
        ("label", |c| c.label.to_value()),
        ("points", |c| c.points.to_value()),
        ("pointsBasisPoints", |c| c.points_basis_points.to_value()),
        ("weight", |c| c.weight.to_value()),
        ("contributionBasisPoints", |c| {
            c.contribution_basis_points.to_value()
        }),
        ("knockout", |c| c.knockout.to_value()),
        ("unknown", |c| c.unknown.to_value()),
    ];
}

/// The answers expected at the horizon if a concrete plan works.
#[derive(SimpleObject)]
pub struct Outlook {
    /// Only the answers the plan changes.
    pub answers: Vec<CriterionAnswer>,
    /// The plan.
    pub plan: String,
    /// When to qualify again.
    pub requalify_by: Option<Date>,
}

/// One criterion's answer.
#[derive(SimpleObject)]
pub struct CriterionAnswer {
    /// The criterion's key.
    pub key: String,
    /// The answer.
    pub value: AnswerValue,
    /// How the mentee knows it; `null` when they did not say (and in an outlook).
    pub evidence: Option<Evidence>,
}

/// How an answer is known.
#[derive(SimpleObject)]
pub struct Evidence {
    /// Fact, assumption or judgement.
    pub kind: EvidenceKind,
    /// The mentee's note on it (at most 500 characters); `null` without one.
    pub note: Option<String>,
}

/// An answer of the kind its criterion asks for, or unknown.
#[derive(Union)]
pub enum AnswerValue {
    YesNo(YesNoAnswer),
    Scale(ScaleAnswer),
    Choice(ChoiceAnswer),
    Number(NumberAnswer),
    Unknown(UnknownAnswer),
}

/// An answer to a yes/no criterion.
#[derive(SimpleObject)]
pub struct YesNoAnswer {
    /// Yes or no.
    pub yes: bool,
}
/// An answer on a scale.
#[derive(SimpleObject)]
pub struct ScaleAnswer {
    /// The value on the scale.
    pub scale: i32,
}
/// A chosen option.
#[derive(SimpleObject)]
pub struct ChoiceAnswer {
    /// The option's key.
    pub choice: String,
}
/// A number.
#[derive(SimpleObject)]
pub struct NumberAnswer {
    /// The number.
    pub number: BigInt,
}
/// Not known: 0 points, flagged, and a knockout where the criterion has one.
#[derive(SimpleObject)]
pub struct UnknownAnswer {
    /// Always true.
    pub unknown: bool,
}

impl From<&domain::AnswerValue> for AnswerValue {
    fn from(value: &domain::AnswerValue) -> Self {
        match value {
            domain::AnswerValue::YesNo(yes) => AnswerValue::YesNo(YesNoAnswer { yes: *yes }),
            domain::AnswerValue::Scale(scale) => AnswerValue::Scale(ScaleAnswer { scale: *scale }),
            domain::AnswerValue::Choice(choice) => AnswerValue::Choice(ChoiceAnswer {
                choice: choice.clone(),
            }),
            domain::AnswerValue::Number(number) => AnswerValue::Number(NumberAnswer {
                number: BigInt(*number),
            }),
            domain::AnswerValue::Unknown => AnswerValue::Unknown(UnknownAnswer { unknown: true }),
        }
    }
}

impl From<&domain::Answer> for CriterionAnswer {
    fn from(answer: &domain::Answer) -> Self {
        Self {
            key: answer.key.as_str().to_owned(),
            value: AnswerValue::from(&answer.value),
            evidence: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Contribution;
    use crate::graphql::plain::{assert_answers_every_field, assert_same_as_derived};

    fn contributions() -> Vec<Contribution> {
        vec![
            Contribution {
                key: "fit".into(),
                label: "Fit".into(),
                points: 75.0,
                points_basis_points: 7500,
                weight: 3,
                contribution_basis_points: 1200,
                knockout: false,
                unknown: true,
            },
            Contribution {
                key: "budget".into(),
                label: "Budget \u{e9}".into(),
                points: 0.5,
                points_basis_points: 50,
                weight: 1,
                contribution_basis_points: 7,
                knockout: true,
                unknown: false,
            },
        ]
    }

    #[tokio::test]
    async fn a_contribution_answers_every_field_as_async_graphql_does() {
        assert_answers_every_field::<Contribution>();
        assert_same_as_derived::<Contribution, _>(
            crate::graphql::plain::plain_and_derived!(Contribution, contributions()),
            "{ weight }",
            &[
                "{ key label points pointsBasisPoints weight contributionBasisPoints knockout unknown }",
                "{ unknown knockout contributionBasisPoints weight pointsBasisPoints points label key }",
                "{ ...F __typename l: label }",
            ],
        )
        .await;
    }
}
