//! Criteria templates, their versions and criteria.

use std::sync::Arc;

use async_graphql::{Context, ID, Object, SimpleObject, Union};

use crate::error::{ApiError, ApiResult};
use crate::graphql::access::{self, viewer};
use crate::graphql::ids::{self, Kind};
use crate::graphql::load;
use crate::graphql::loaders::{TemplateId, UserId, VersionsOf};
use crate::graphql::paging::{self, Conn};
use crate::graphql::shared::Shared;
use crate::graphql::types::datetime::DateTime;
use crate::graphql::types::enums::{ExceptionPolicy, Tier, VersionStatus};
use crate::graphql::types::scalars::BigInt;
use crate::graphql::types::user::User;

/// A mentor's criteria template: what an A-client is, versioned.
pub struct Template(pub Arc<store::Template>);

/// A mentor's criteria template: what an A-client is, in versions. Only its owner sees it.
#[Object]
impl Template {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Template, self.0.id)
    }
    /// The template's name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Free text; empty when none.
    async fn description(&self) -> &str {
        &self.0.description
    }
    /// Whether it is archived (no longer listed; programs using it keep their standard).
    async fn archived(&self) -> bool {
        self.0.archived_at.is_some()
    }
    /// Increases with every change; pass it as `expectedRevision` to detect concurrent edits.
    async fn revision(&self) -> i32 {
        self.0.revision
    }
    /// When it was created.
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }
    /// When its name, description or draft last changed.
    async fn updated_at(&self) -> DateTime {
        DateTime(self.0.updated_at)
    }
    /// The mentor who owns it.
    async fn owner(&self, ctx: &Context<'_>) -> ApiResult<User> {
        Ok(User::new(
            load::existing(ctx, UserId(self.0.owner_id)).await?,
        ))
    }
    /// The newest version: a draft being edited, or the newest published one.
    async fn latest_version(&self, ctx: &Context<'_>) -> ApiResult<TemplateVersion> {
        self.all_versions(ctx)
            .await?
            .last()
            .cloned()
            .map(TemplateVersion)
            .ok_or_else(|| ApiError::internal("template without versions"))
    }
    /// The newest published version, if any.
    async fn published_version(&self, ctx: &Context<'_>) -> ApiResult<Option<TemplateVersion>> {
        Ok(self
            .all_versions(ctx)
            .await?
            .iter()
            .rev()
            .find(|v| v.status == store::VersionStatus::Published)
            .cloned()
            .map(TemplateVersion))
    }
    /// Every version, oldest first (loaded in one batch for every template of a list).
    #[graphql(complexity = "paging::complexity(first, last, child_complexity)")]
    async fn versions(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "How many items to return from the start: 1 to 100 (20 when neither `first` nor `last` is given); not together with `last`."
        )]
        first: Option<i32>,
        #[graphql(
            desc = "Return the items after this cursor (an `endCursor` or edge `cursor` you read); omit for the first page."
        )]
        after: Option<String>,
        #[graphql(
            desc = "How many items to return from the end: 1 to 100; not together with `first`."
        )]
        last: Option<i32>,
        #[graphql(
            desc = "Return the items before this cursor (a `startCursor` or edge `cursor` you read). With `after` too: the items between the two."
        )]
        before: Option<String>,
    ) -> ApiResult<Conn<TemplateVersion>> {
        let page = paging::Args::new(first, after, last, before).request(ctx)?;
        let all: Vec<_> = self.all_versions(ctx).await?.iter().cloned().collect();
        let page = store::Page::slice(all, |v| v.id, store::Order::Asc, &page);
        Ok(paging::connection(page, |v| v.id, TemplateVersion))
    }
    /// Whether `updateTemplateDraft` (and `archiveTemplate`, `copyTemplate`) would let you
    /// change it (its owner).
    async fn viewer_can_update(&self, ctx: &Context<'_>) -> ApiResult<bool> {
        viewer::may_update_template(ctx, &self.0).await
    }
    /// Whether `publishTemplate` would publish it: yours, and its newest version a draft.
    async fn viewer_can_publish(&self, ctx: &Context<'_>) -> ApiResult<bool> {
        viewer::may_publish_template(ctx, &self.0).await
    }
}

impl Template {
    /// Every version, oldest first, batched across all templates of the response.
    async fn all_versions(
        &self,
        ctx: &Context<'_>,
    ) -> ApiResult<Arc<Vec<Arc<store::TemplateVersion>>>> {
        Ok(load::one(ctx, VersionsOf(self.0.id))
            .await?
            .unwrap_or_default())
    }
}

/// One version of a template. Published versions never change, so every score made
/// against one can be reproduced exactly.
pub struct TemplateVersion(pub Arc<store::TemplateVersion>);

/// One version of a template: a draft until published; a published version never changes,
/// so every score made against it can be reproduced exactly.
#[Object]
impl TemplateVersion {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        ids::encode(Kind::TemplateVersion, self.0.id)
    }
    /// 1 for the first version, then one more for each new draft.
    async fn number(&self) -> i32 {
        self.0.number
    }
    /// Draft or published.
    async fn status(&self) -> VersionStatus {
        self.0.status.into()
    }
    /// When it was published; `null` for a draft.
    async fn published_at(&self) -> Option<DateTime> {
        self.0.published_at.map(DateTime)
    }
    /// When it was created.
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }
    /// The template's name (visible to everyone who may see this version).
    async fn template_name(&self, ctx: &Context<'_>) -> ApiResult<String> {
        let template = load::existing(ctx, TemplateId(self.0.template_id)).await?;
        Ok(template.name.clone())
    }
    /// The template, for its owner; `null` for everyone else.
    async fn template(&self, ctx: &Context<'_>) -> ApiResult<Option<Template>> {
        let template = load::existing(ctx, TemplateId(self.0.template_id)).await?;
        Ok(access::template_of_version(ctx, template)
            .await?
            .map(Template))
    }
    /// The criteria, in order.
    async fn criteria(&self, ctx: &Context<'_>) -> Shared<Criterion> {
        // The same for every qualification of a page scored against this version.
        Shared::new(ctx, self.0.id, || {
            self.0
                .definition
                .criteria()
                .iter()
                .enumerate()
                .map(|(position, c)| Criterion::from_domain(position, c))
                .collect()
        })
    }
    /// Score (0..=100) from which a prospect is tier A.
    async fn threshold_a(&self) -> u32 {
        self.0.definition.threshold_a().get()
    }
    /// Score (0..=100) from which a prospect is tier B.
    async fn threshold_b(&self) -> u32 {
        self.0.definition.threshold_b().get()
    }
    /// Months within which a prospect may become A.
    async fn horizon_months(&self) -> u32 {
        self.0.definition.horizon_months()
    }
    /// What happens when a prospect with verdict `DECLINE` is to be taken on.
    async fn exception_policy(&self) -> ExceptionPolicy {
        self.0.definition.exception_policy().into()
    }
    /// The best tier a prospect can reach when a knockout hits.
    async fn knockout_cap(&self) -> Tier {
        self.0.definition.knockout_cap().into()
    }
}

impl TemplateVersion {
    pub async fn visible(ctx: &Context<'_>, id: uuid::Uuid) -> ApiResult<Option<Self>> {
        Ok(access::version(ctx, id).await?.map(Self))
    }
}

/// One criterion of a version.
#[derive(SimpleObject)]
pub struct Criterion {
    /// Stable key: answers refer to it.
    pub key: String,
    /// Short name shown to mentees.
    pub label: String,
    /// The guidance question to ask about the prospect.
    pub question: String,
    /// Weight in the score, 1..=100.
    pub weight: u32,
    /// 0-based position in the version.
    pub position: u32,
    /// How the answer is scored.
    pub rule: CriterionRule,
}

impl Criterion {
    pub fn from_domain(position: usize, c: &domain::Criterion) -> Self {
        Self {
            key: c.key().as_str().to_owned(),
            label: c.label().to_owned(),
            question: c.question().to_owned(),
            weight: c.weight().get(),
            position: u32::try_from(position).unwrap_or(u32::MAX),
            rule: CriterionRule::from(c.rule()),
        }
    }
}

/// How a criterion's answer is scored.
#[derive(Union)]
pub enum CriterionRule {
    /// A yes/no question.
    YesNo(YesNoRule),
    /// An integer on a scale.
    Scale(ScaleRule),
    /// One of several options.
    Choice(ChoiceRule),
    /// A number, scored by bands.
    NumberBands(NumberBandsRule),
}

/// A yes/no criterion.
#[derive(SimpleObject)]
pub struct YesNoRule {
    /// Points for yes, 0..=100.
    pub yes_points: u32,
    /// Points for no, 0..=100.
    pub no_points: u32,
    /// The answer that is a knockout, if any.
    pub knockout_on: Option<bool>,
}

/// An integer from `min` to `max`, mapped linearly to 0..=100 points.
#[derive(SimpleObject)]
pub struct ScaleRule {
    /// The lowest answer (0 points).
    pub min: i32,
    /// The highest answer (100 points).
    pub max: i32,
    /// Answers below this are a knockout.
    pub knockout_below: Option<i32>,
}

/// One option of a choice criterion.
#[derive(SimpleObject)]
pub struct ChoiceOption {
    /// Stable key: answers name it.
    pub key: String,
    /// What the mentee reads.
    pub label: String,
    /// Points for this option, 0..=100.
    pub points: u32,
    /// Whether choosing it is a knockout.
    pub knockout: bool,
}

/// A criterion answered by choosing one option.
#[derive(SimpleObject)]
pub struct ChoiceRule {
    /// The options, in order.
    pub options: Vec<ChoiceOption>,
}

/// Numbers from `min` up to the next band's `min` earn `points`; the first band is open below.
#[derive(SimpleObject)]
pub struct NumberBand {
    /// Lower bound (inclusive); `null` for the first band, open below.
    pub min: Option<BigInt>,
    /// Points for a number in this band, 0..=100.
    pub points: u32,
}

/// A number (e.g. an annual budget) scored by the band it falls in.
#[derive(SimpleObject)]
pub struct NumberBandsRule {
    /// The bands, by ascending `min`.
    pub bands: Vec<NumberBand>,
    /// Numbers below this are a knockout.
    pub knockout_below: Option<BigInt>,
}

impl From<&domain::Rule> for CriterionRule {
    fn from(rule: &domain::Rule) -> Self {
        match rule {
            domain::Rule::YesNo(r) => Self::YesNo(YesNoRule {
                yes_points: r.yes_points,
                no_points: r.no_points,
                knockout_on: r.knockout_on,
            }),
            domain::Rule::Scale(r) => Self::Scale(ScaleRule {
                min: r.min,
                max: r.max,
                knockout_below: r.knockout_below,
            }),
            domain::Rule::Choice(r) => Self::Choice(ChoiceRule {
                options: r
                    .options
                    .iter()
                    .map(|o| ChoiceOption {
                        key: o.key.clone(),
                        label: o.label.clone(),
                        points: o.points,
                        knockout: o.knockout,
                    })
                    .collect(),
            }),
            domain::Rule::NumberBands(r) => Self::NumberBands(NumberBandsRule {
                bands: r
                    .bands
                    .iter()
                    .map(|b| NumberBand {
                        min: b.min.map(BigInt),
                        points: b.points,
                    })
                    .collect(),
                knockout_below: r.knockout_below.map(BigInt),
            }),
        }
    }
}
