//! Decisions on prospects, and exception requests for the mentor to review.

use std::sync::Arc;

use async_graphql::{Context, ID, Object, SimpleObject};

use crate::error::ApiResult;
use crate::graphql::access::viewer;
use crate::graphql::ids::{self, Kind};
use crate::graphql::load;
use crate::graphql::loaders::{DecisionId, ExceptionOfDecision, ProgramId, ProspectId, UserId};
use crate::graphql::types::actor::Actor;
use crate::graphql::types::datetime::DateTime;
use crate::graphql::types::enums::{DecisionKind, ExceptionStatus};
use crate::graphql::types::program::Program;
use crate::graphql::types::prospect::Prospect;
use crate::graphql::types::qualification::Qualification;
use crate::graphql::types::user::User;

pub struct Decision(pub Arc<store::DecisionRecord>);

/// A mentee's decision on a prospect: taken on or turned down, on one qualification.
#[Object]
impl Decision {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Decision, self.0.id)
    }
    /// Taken on or turned down.
    async fn decision(&self) -> DecisionKind {
        self.0.decision.into()
    }
    /// The written reason (required for an exception); `null` when none was given.
    async fn reason(&self) -> Option<&str> {
        self.0.reason.as_deref()
    }
    /// The bias check answered with an exception; `null` otherwise.
    async fn bias_check(&self) -> Option<BiasCheck> {
        self.0.bias_check.as_ref().map(BiasCheck::from)
    }
    /// Taking on a prospect whose verdict was `DECLINE`.
    async fn is_exception(&self) -> bool {
        self.0.is_exception
    }
    /// When the decision was recorded.
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }
    /// The prospect decided on.
    async fn prospect(&self, ctx: &Context<'_>) -> ApiResult<Prospect> {
        Ok(Prospect(
            load::existing(ctx, ProspectId(self.0.prospect_id)).await?,
        ))
    }
    /// The qualification the decision was made on.
    async fn qualification(&self, ctx: &Context<'_>) -> ApiResult<Option<Qualification>> {
        match self.0.qualification_id {
            Some(id) => Ok(Some(Qualification::load(ctx, id).await?)),
            None => Ok(None),
        }
    }
    /// Who decided: the mentee (a `User`), or the API key they decided through (an
    /// `ApiKeyActor`, whose `owner` is the mentee).
    async fn decided_by(&self, ctx: &Context<'_>) -> ApiResult<Actor> {
        Actor::of(ctx, self.0.decided_by, self.0.api_key_id).await
    }
    /// For an exception: the request the mentor reviews; `null` otherwise.
    async fn exception_request(&self, ctx: &Context<'_>) -> ApiResult<Option<ExceptionRequest>> {
        if !self.0.is_exception {
            return Ok(None);
        }
        Ok(load::one(ctx, ExceptionOfDecision(self.0.id))
            .await?
            .map(ExceptionRequest))
    }
}

/// The reasons people say yes to the wrong client, answered at decision time.
#[derive(SimpleObject)]
pub struct BiasCheck {
    /// Flattered by the request (ego).
    pub flattered: bool,
    /// Wanting to please.
    pub wants_to_please: bool,
    /// Afraid that a no will cost other or ongoing work.
    pub fears_losing_work: bool,
    /// Saying yes only because the team can deliver it.
    pub only_because_we_can: bool,
    /// The work needs custom work instead of standard products.
    pub needs_custom_work: bool,
}

impl From<&domain::BiasCheck> for BiasCheck {
    fn from(b: &domain::BiasCheck) -> Self {
        Self {
            flattered: b.flattered,
            wants_to_please: b.wants_to_please,
            fears_losing_work: b.fears_losing_work,
            only_because_we_can: b.only_because_we_can,
            needs_custom_work: b.needs_custom_work,
        }
    }
}

/// A mentee's request to take on a prospect against a `DECLINE` verdict.
pub struct ExceptionRequest(pub Arc<store::ExceptionRequest>);

/// A mentee's request to take on a prospect against a `DECLINE` verdict, under a `REVIEW`
/// policy; the mentor approves or rejects it.
#[Object]
impl ExceptionRequest {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        ids::encode(Kind::ExceptionRequest, self.0.id)
    }
    /// Pending, approved or rejected.
    async fn status(&self) -> ExceptionStatus {
        self.0.status.into()
    }
    /// The mentor's note with the review.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
    /// When the mentor reviewed it; `null` while pending.
    async fn reviewed_at(&self) -> Option<DateTime> {
        self.0.reviewed_at.map(DateTime)
    }
    /// When it was requested.
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }
    /// The prospect to take on.
    async fn prospect(&self, ctx: &Context<'_>) -> ApiResult<Prospect> {
        Ok(Prospect(
            load::existing(ctx, ProspectId(self.0.prospect_id)).await?,
        ))
    }
    /// The program whose mentor reviews it.
    async fn program(&self, ctx: &Context<'_>) -> ApiResult<Program> {
        Ok(Program(
            load::existing(ctx, ProgramId(self.0.program_id)).await?,
        ))
    }
    /// The decision with the reason and the bias check.
    async fn decision(&self, ctx: &Context<'_>) -> ApiResult<Decision> {
        Ok(Decision(
            load::existing(ctx, DecisionId(self.0.decision_id)).await?,
        ))
    }
    /// The mentor who reviewed it; `null` while pending.
    async fn reviewer(&self, ctx: &Context<'_>) -> ApiResult<Option<User>> {
        match self.0.reviewer_id {
            Some(id) => Ok(Some(User::new(load::existing(ctx, UserId(id)).await?))),
            None => Ok(None),
        }
    }
    /// Whether `reviewException` would take your review: the mentor of its program, while
    /// it is pending.
    async fn viewer_can_review(&self, ctx: &Context<'_>) -> ApiResult<bool> {
        viewer::may_review(ctx, &self.0).await
    }
}
