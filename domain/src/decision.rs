//! Decisions on prospects: taking on, turning down, and exceptions to the verdict.

use serde::{Deserialize, Serialize};

use crate::qualification::Verdict;
use crate::template::ExceptionPolicy;
use crate::text::{MAX_TEXT_CHARS, char_len};

/// The mentee's call on a prospect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Decision {
    TakeOn,
    TurnDown,
}

/// The reasons people say yes to the wrong client, answered at decision time
/// and shown to the mentor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BiasCheck {
    /// Flattered by the request (ego).
    pub flattered: bool,
    pub wants_to_please: bool,
    /// Afraid that a no will cost other or ongoing work.
    pub fears_losing_work: bool,
    /// Saying yes only because the team can deliver it.
    pub only_because_we_can: bool,
    /// The work needs custom work instead of standard products.
    pub needs_custom_work: bool,
}

/// What a decision leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DecisionOutcome {
    TakenOn,
    TurnedDown,
    /// Taking on against a decline: waits for the mentor's review.
    PendingException,
}

/// Why a decision is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
pub enum DecisionError {
    #[error("the prospect must be qualified before it can be taken on")]
    NotQualified,
    #[error("the verdict is DECLINE and the template allows no exceptions")]
    ExceptionNotAllowed,
    #[error("an exception needs a written reason")]
    ReasonRequired,
    #[error("an exception needs a bias check")]
    BiasCheckRequired,
    #[error("the reason must be at most {MAX_TEXT_CHARS} characters")]
    ReasonTooLong,
}

/// Where a prospect stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ProspectStatus {
    New,
    Qualified,
    TakenOn,
    TurnedDown,
    ExceptionPending,
    ExceptionRejected,
}

/// Applies the method to a decision. `latest_verdict` is `None` when the
/// prospect was never qualified.
///
/// Turning down is always allowed. Taking on needs an `ACCEPT` or
/// `ACCEPT_WITH_PLAN` verdict; against `DECLINE` it is an exception: refused
/// under [`ExceptionPolicy::Strict`], and under [`ExceptionPolicy::Review`]
/// pending the mentor's review if a reason and a bias check are given.
///
/// # Errors
/// - [`DecisionError::ReasonTooLong`] for a reason over 2000 characters
///   (trimmed), whatever the decision;
/// - [`DecisionError::NotQualified`] when taking on an unqualified prospect;
/// - [`DecisionError::ExceptionNotAllowed`] for an exception under `Strict`;
/// - [`DecisionError::ReasonRequired`] / [`DecisionError::BiasCheckRequired`]
///   for an exception under `Review` without them.
pub fn decide(
    policy: ExceptionPolicy,
    latest_verdict: Option<Verdict>,
    decision: Decision,
    reason: Option<&str>,
    bias: Option<&BiasCheck>,
) -> Result<DecisionOutcome, DecisionError> {
    let reason = reason.map(str::trim).filter(|reason| !reason.is_empty());
    // Checked for every decision: the reason is stored whatever the outcome.
    if reason.is_some_and(|reason| char_len(reason) > MAX_TEXT_CHARS) {
        return Err(DecisionError::ReasonTooLong);
    }
    match (decision, latest_verdict) {
        (Decision::TurnDown, _) => Ok(DecisionOutcome::TurnedDown),
        (Decision::TakeOn, None) => Err(DecisionError::NotQualified),
        (Decision::TakeOn, Some(Verdict::Accept | Verdict::AcceptWithPlan)) => {
            Ok(DecisionOutcome::TakenOn)
        }
        (Decision::TakeOn, Some(Verdict::Decline)) => request_exception(policy, reason, bias),
    }
}

fn request_exception(
    policy: ExceptionPolicy,
    reason: Option<&str>,
    bias: Option<&BiasCheck>,
) -> Result<DecisionOutcome, DecisionError> {
    match (policy, reason, bias) {
        (ExceptionPolicy::Strict, _, _) => Err(DecisionError::ExceptionNotAllowed),
        (ExceptionPolicy::Review, None, _) => Err(DecisionError::ReasonRequired),
        (ExceptionPolicy::Review, Some(_), None) => Err(DecisionError::BiasCheckRequired),
        (ExceptionPolicy::Review, Some(_), Some(_)) => Ok(DecisionOutcome::PendingException),
    }
}

/// The prospect's status once a decision is recorded.
pub fn status_after_decision(outcome: DecisionOutcome) -> ProspectStatus {
    match outcome {
        DecisionOutcome::TakenOn => ProspectStatus::TakenOn,
        DecisionOutcome::TurnedDown => ProspectStatus::TurnedDown,
        DecisionOutcome::PendingException => ProspectStatus::ExceptionPending,
    }
}

/// The prospect's status once the mentor has reviewed a pending exception.
pub fn status_after_review(approved: bool) -> ProspectStatus {
    if approved {
        ProspectStatus::TakenOn
    } else {
        ProspectStatus::ExceptionRejected
    }
}

#[cfg(test)]
mod tests;
