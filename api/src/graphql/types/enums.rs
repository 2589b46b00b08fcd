//! GraphQL enums mirroring the domain's.

use async_graphql::Enum;

/// A prospect's class: A-clients bring most of the revenue and energy; C-clients cost more
/// than they bring.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "domain::Tier")]
pub enum Tier {
    /// Score at or above the version's `thresholdA`, and no knockout capping it.
    A,
    /// Score at or above `thresholdB` but below `thresholdA` (or capped to B by a
    /// knockout).
    B,
    /// Everything else.
    C,
}

/// What happens when a mentee wants to take on a prospect whose verdict is `DECLINE`.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "domain::ExceptionPolicy")]
pub enum ExceptionPolicy {
    /// Taking on a non-A prospect is refused outright ("no exceptions").
    Strict,
    /// Allowed with a written reason and a bias check, once the mentor approves.
    Review,
}

/// What a qualification says about taking the prospect on.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "domain::Verdict")]
pub enum Verdict {
    /// Tier A now.
    Accept,
    /// Not A now, but projected A within the horizon with a plan.
    AcceptWithPlan,
    /// Neither: taking it on is an exception (refused under `STRICT`, reviewed under
    /// `REVIEW`).
    Decline,
}

/// Which rule computed a qualification's scores. Stored results are never recomputed, so
/// a qualification keeps the rule it was scored by.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "domain::ScoringRule")]
pub enum ScoringRule {
    /// The first rule (qualifications before 2026-11-30): each answer's points rounded
    /// down to whole basis points, then the weighted mean rounded down again and the tier
    /// decided on that; a score could come out almost two basis points below the exact one.
    BasisPointsPerAnswer,
    /// The weighted mean of the exact points (a scale's are fractions), rounded once,
    /// down, to basis points; tiers are decided on the exact mean.
    ExactFractions,
}

/// The mentee's call on a qualified prospect.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "domain::Decision", name = "DecisionKind")]
pub enum DecisionKind {
    /// Take the prospect on as a client.
    TakeOn,
    /// Say no; always allowed.
    TurnDown,
}

/// Where a prospect stands, from its latest qualification and decision.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "domain::ProspectStatus")]
pub enum ProspectStatus {
    /// Not qualified yet.
    New,
    /// Qualified; no decision since the latest qualification.
    Qualified,
    /// Taken on (by the rule, or as an approved exception).
    TakenOn,
    /// Turned down.
    TurnedDown,
    /// Taking on was requested as an exception; the mentor has not reviewed it yet.
    ExceptionPending,
    /// Taking on was requested as an exception and the mentor rejected it.
    ExceptionRejected,
}

/// Whether a template version can still change.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "store::VersionStatus")]
pub enum VersionStatus {
    /// Being edited; prospects cannot be scored against it.
    Draft,
    /// Frozen forever; programs use it as their standard.
    Published,
}

/// Where an exception request stands.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "store::ExceptionStatus")]
pub enum ExceptionStatus {
    /// Waiting for the mentor's review.
    Pending,
    /// The mentor approved: the prospect is taken on.
    Approved,
    /// The mentor rejected: the prospect is not taken on.
    Rejected,
}

/// What a user is on the platform.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "store::Role")]
pub enum Role {
    /// Runs programs, defines templates, reviews exceptions.
    Mentor,
    /// Enrolled in programs; owns and qualifies prospects.
    Mentee,
}

/// A sort direction.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Default)]
pub enum OrderDirection {
    /// Oldest (smallest) first.
    Asc,
    /// Newest (largest) first.
    #[default]
    Desc,
}

/// How a client was taken on: by the rule, or as an exception to it.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "domain::Path")]
pub enum IntakePath {
    /// The intake verdict was `ACCEPT` or `ACCEPT_WITH_PLAN`.
    Rule,
    /// The intake verdict was `DECLINE`: taken on as an exception the mentor approved.
    Exception,
}

/// Why a client ended.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "domain::EndReason")]
pub enum ClientEndReason {
    /// The work was done as agreed.
    Completed,
    /// We ended it (counts as ended early).
    WeExited,
    /// The client ended it (counts as ended early).
    ClientLeft,
}

/// How an answer is known.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "domain::EvidenceKind")]
pub enum EvidenceKind {
    /// Verified.
    Fact,
    /// Believed, not verified: counts towards the qualification's assumption share.
    Assumption,
    /// The mentee's opinion.
    Judgement,
}
