//! Path to A and what-if scoring: the smallest changes of answers that would earn tier A
//! (`domain::paths_to_a`), and the score of answers nobody stored (`domain::score`).

use async_graphql::{Context, Enum, Object, SimpleObject};

use crate::error::{ApiError, ApiResult};
use crate::graphql::plain::PlainList;
use crate::graphql::types::enums::Tier;
use crate::graphql::types::qualification::{AnswerValue, Contribution, contributions_of, keys};
use crate::graphql::types::template::TemplateVersion;

/// The paths to A of `answers` against `definition`, at most `limit` (1..=10).
///
/// # Errors
/// `BAD_USER_INPUT` at `limit` outside 1..=10, or at the answers' paths when they do not
/// fit the definition (only answers sent by the caller can: stored ones fit theirs).
pub fn paths_to_a(
    definition: &domain::Definition,
    answers: &[domain::AnswerDraft],
    limit: i32,
) -> ApiResult<PathsToA> {
    let limit = usize::try_from(limit)
        .ok()
        .filter(|n| (1..=domain::MAX_PATHS_TO_A).contains(n))
        .ok_or_else(|| {
            ApiError::bad_field(
                "limit",
                format!("must be from 1 to {}", domain::MAX_PATHS_TO_A),
            )
        })?;
    let found = domain::paths_to_a(definition, answers, limit)
        .map_err(|errors| ApiError::invalid("", errors))?;
    let label = |key: &domain::CriterionKey| {
        definition
            .criterion(key.as_str())
            .map(|c| c.label().to_owned())
            .unwrap_or_default()
    };
    Ok(match found {
        domain::PathsToA::AlreadyA => PathsToA::empty(PathToAStatus::AlreadyA),
        domain::PathsToA::Unreachable => PathsToA::empty(PathToAStatus::Unreachable),
        domain::PathsToA::Paths { paths, complete } => PathsToA {
            status: PathToAStatus::Found,
            complete,
            paths: paths
                .into_iter()
                .map(|path| PathToA {
                    score: path.score_bp.as_percent(),
                    score_basis_points: path.score_bp.get(),
                    changes: path
                        .changes
                        .into_iter()
                        .map(|change| AnswerChange {
                            label: label(&change.key),
                            key: change.key.as_str().to_owned(),
                            from: AnswerValue::from(&change.from),
                            to: AnswerValue::from(&change.to),
                            from_points_basis_points: change.from_points_bp.get(),
                            to_points_basis_points: change.to_points_bp.get(),
                        })
                        .collect(),
                })
                .collect(),
        },
    })
}

/// Whether answers can reach tier A, and how.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum PathToAStatus {
    /// The answers earn A already: nothing to change.
    AlreadyA,
    /// No change of answers earns A: even every criterion at its best answer that is not
    /// a knockout scores below the A threshold. Say no.
    Unreachable,
    /// `paths` holds the smallest changes that earn A.
    Found,
}

/// The smallest changes of answers that would make a prospect tier A (no knockout, the
/// exact score at or above the A threshold, as `EXACT_FRACTIONS` decides it).
///
/// Paths come fewest changes first, then the lowest score (the least that is more than
/// needed), then in the criteria's order. Each is minimal: no change can be dropped or
/// lowered and still earn A, and no path holds all the criteria of a shorter one. Every
/// criterion answered with a knockout now is in every path.
#[derive(SimpleObject)]
pub struct PathsToA {
    /// Whether A is already earned, out of reach, or reachable by `paths`.
    pub status: PathToAStatus,
    /// False when the search stopped at its bound (a very large template): each path
    /// still earns A and is minimal, and the first has the fewest changes possible, but
    /// others with as many changes as the last may exist.
    pub complete: bool,
    /// Best first; empty unless `status` is `FOUND`.
    pub paths: Vec<PathToA>,
}

impl PathsToA {
    fn empty(status: PathToAStatus) -> Self {
        PathsToA {
            status,
            complete: true,
            paths: Vec::new(),
        }
    }
}

/// One set of answer changes that earns tier A.
#[derive(SimpleObject)]
pub struct PathToA {
    /// The changes, in the criteria's order.
    pub changes: Vec<AnswerChange>,
    /// The score with these changes, 0..=100 with two decimals.
    pub score: f64,
    /// The score with these changes in basis points (at or above the A threshold).
    pub score_basis_points: u32,
}

/// One answer to change.
#[derive(SimpleObject)]
pub struct AnswerChange {
    /// The criterion's key.
    pub key: String,
    /// The criterion's label.
    pub label: String,
    /// The answer now.
    pub from: AnswerValue,
    /// The answer needed: the lowest that earns this path's points on the criterion.
    pub to: AnswerValue,
    /// The points `from` earns, in basis points (rounded down).
    pub from_points_basis_points: u32,
    /// The points `to` earns, in basis points (rounded down).
    pub to_points_basis_points: u32,
}

/// Hypothetical answers scored against a program's standard; nothing is stored.
pub struct WhatIf {
    pub version: TemplateVersion,
    pub answers: Vec<domain::AnswerDraft>,
    pub assessment: domain::Assessment,
}

/// Hypothetical answers scored against a program's qualification standard, as
/// `qualifyProspect` would score them; nothing is stored.
#[Object]
impl WhatIf {
    /// The standard's version the answers were scored against.
    async fn template_version(&self) -> &TemplateVersion {
        &self.version
    }
    /// 0..=100, two decimals: `scoreBasisPoints / 100`.
    async fn score(&self) -> f64 {
        self.assessment.score_bp.as_percent()
    }
    /// The score in basis points, 0..=10000 (`EXACT_FRACTIONS`).
    async fn score_basis_points(&self) -> u32 {
        self.assessment.score_bp.get()
    }
    /// The tier, after any knockout cap.
    async fn tier(&self) -> Tier {
        self.assessment.tier.into()
    }
    /// The tier the score alone would give.
    async fn uncapped_tier(&self) -> Tier {
        self.assessment.uncapped_tier.into()
    }
    /// Keys of the criteria whose knockout hit.
    async fn knockouts(&self) -> Vec<String> {
        keys(&self.assessment.knockouts)
    }
    /// Keys of the criteria answered "unknown" (scored 0).
    async fn unknowns(&self) -> Vec<String> {
        keys(&self.assessment.unknowns)
    }
    /// One contribution per criterion, in the criteria's order.
    async fn explanation(&self, ctx: &Context<'_>) -> ApiResult<PlainList<Contribution>> {
        contributions_of(ctx, &self.version.0.definition, &self.assessment)
    }
    /// The smallest changes of these answers that would earn tier A.
    async fn paths_to_a(
        &self,
        #[graphql(desc = "How many paths at most, 1..=10.", default = 3)] limit: i32,
    ) -> ApiResult<PathsToA> {
        paths_to_a(&self.version.0.definition, &self.answers, limit)
    }
}
