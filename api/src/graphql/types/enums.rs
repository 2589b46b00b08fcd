//! GraphQL enums mirroring the domain's.

use async_graphql::Enum;

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "domain::Tier")]
pub enum Tier {
    A,
    B,
    C,
}

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "domain::ExceptionPolicy")]
pub enum ExceptionPolicy {
    /// Taking on a non-A prospect is refused outright ("no exceptions").
    Strict,
    /// Allowed with a written reason and a bias check, once the mentor approves.
    Review,
}

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "domain::Verdict")]
pub enum Verdict {
    /// Tier A now.
    Accept,
    /// Not A now, but projected A within the horizon with a plan.
    AcceptWithPlan,
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

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "domain::Decision", name = "DecisionKind")]
pub enum DecisionKind {
    TakeOn,
    TurnDown,
}

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "domain::ProspectStatus")]
pub enum ProspectStatus {
    /// Not qualified yet.
    New,
    /// Qualified; no decision since the latest qualification.
    Qualified,
    TakenOn,
    TurnedDown,
    /// Taking on was requested as an exception; the mentor has not reviewed it yet.
    ExceptionPending,
    ExceptionRejected,
}

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "store::VersionStatus")]
pub enum VersionStatus {
    Draft,
    Published,
}

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "store::ExceptionStatus")]
pub enum ExceptionStatus {
    Pending,
    Approved,
    Rejected,
}

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "store::Role")]
pub enum Role {
    Mentor,
    Mentee,
}

#[derive(Enum, Clone, Copy, PartialEq, Eq, Default)]
pub enum OrderDirection {
    Asc,
    #[default]
    Desc,
}
