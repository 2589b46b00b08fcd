//! The rows and groups of the feedback loop's analyses: plain values, built by
//! `types::feedback` from the domain's figures.

use async_graphql::SimpleObject;

use crate::graphql::types::enums::{IntakePath, Tier};
use crate::graphql::types::money::Money;
use crate::graphql::types::units::Decimal;

/// One tier's revenue.
#[derive(SimpleObject)]
pub struct TierRevenue {
    /// The intake tier.
    pub tier: Tier,
    /// The revenue of its clients.
    pub revenue: Money,
    /// Its share of the total revenue, 0..=10000 (see `ParetoPicture.byTier`).
    pub share_basis_points: u32,
}

/// One path's revenue.
#[derive(SimpleObject)]
pub struct PathRevenue {
    /// How the clients were taken on.
    pub path: IntakePath,
    /// The revenue of its clients.
    pub revenue: Money,
    /// Its share of the total revenue, 0..=10000 (see `ParetoPicture.byTier`).
    pub share_basis_points: u32,
}

/// How the clients of one intake tier worked out. Each figure pools the tier's clients
/// (sum over sum) and is `null` when there is nothing to divide by.
#[derive(SimpleObject)]
pub struct TierFigures {
    /// The intake tier.
    pub tier: Tier,
    /// How many clients had it at intake.
    pub clients: u32,
    /// Revenue per hour worked: total revenue over the hours given, rounded down to the
    /// currency's minor unit; `null` without hours.
    pub revenue_per_hour: Option<Money>,
    /// Custom-work hours over hours, 0..=10000, rounded down; `null` without hours.
    pub custom_work_share_basis_points: Option<u32>,
    /// Mean energy (1..=5) of the entries, rounded down to two decimals (`"3.50"`);
    /// `null` without entries.
    pub mean_energy: Option<Decimal>,
}

/// One row of the tier x position table.
#[derive(SimpleObject)]
pub struct TierPosition {
    /// The intake tier.
    pub tier: Tier,
    /// Its clients in the Pareto head.
    pub head: u32,
    /// Its clients in the tail (everyone else).
    pub tail: u32,
}

/// How the clients that scored well on one criterion did against the others.
#[derive(SimpleObject)]
pub struct CriterionCalibration {
    /// The criterion's key.
    pub key: String,
    /// Clients with at least 50 points (5000 bp) on it at intake.
    pub scored_well: CriterionGroup,
    /// Clients with fewer.
    pub scored_below: CriterionGroup,
}

/// The clients on one side of a criterion's split.
#[derive(SimpleObject)]
pub struct CriterionGroup {
    /// How many.
    pub clients: u32,
    /// Revenue per client-month: their revenue in the window over their months with an
    /// entry, rounded down to the minor unit (a client with more months weighs more);
    /// `null` without any entry.
    pub mean_monthly_revenue: Option<Money>,
}

/// The clients of one path, pooled (sum over sum); each figure `null` when there is
/// nothing to divide by.
#[derive(SimpleObject)]
pub struct PathCost {
    /// `RULE` or `EXCEPTION`.
    pub path: IntakePath,
    /// How many clients were taken on this way.
    pub clients: u32,
    /// Revenue per client-month: revenue over months with an entry, rounded down to the
    /// minor unit; `null` without entries.
    pub revenue_per_month: Option<Money>,
    /// Revenue over hours given, rounded down to the minor unit; `null` without hours.
    pub revenue_per_hour: Option<Money>,
    /// Custom-work hours over hours, 0..=10000, rounded down; `null` without hours.
    pub custom_work_share_basis_points: Option<u32>,
    /// Mean energy (1..=5) of the entries, rounded down to two decimals; `null` without
    /// entries.
    pub mean_energy: Option<Decimal>,
    /// The share of its clients that ended early (`WE_EXITED` or `CLIENT_LEFT`, by the
    /// window's end), 0..=10000, rounded down; `null` without clients.
    pub ended_early_basis_points: Option<u32>,
}
