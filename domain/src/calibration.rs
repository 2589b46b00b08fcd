//! Calibration: does the template predict? Intake tier against Pareto position, and per
//! criterion the revenue of clients that scored well on it against those that did not.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::key::CriterionKey;
use crate::measure::BasisPoints;
use crate::pareto::{ClientFigures, Sums, basis_points, count, ratio};
use crate::tier::Tier;

/// The points that splits a criterion's clients: 5000 bp (50 points) and more is "scored
/// well".
pub const CRITERION_SPLIT_BP: u32 = 5_000;

/// A client's intake points on one criterion (the `points_bp` of its intake
/// qualification's explanation).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CriterionPoints {
    pub client: Uuid,
    pub key: CriterionKey,
    pub points_bp: BasisPoints,
}

/// One row of the tier x position table: how many clients of an intake tier are in the
/// head and in the tail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TierPosition {
    pub tier: Tier,
    pub head: u32,
    pub tail: u32,
}

/// The clients on one side of a criterion's split.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CriterionGroup {
    pub clients: u32,
    /// Revenue per client-month, pooled: the group's total revenue in the window divided
    /// by the group's total number of months with an outcome entry in the window, rounded
    /// down, in minor units. A client with many months weighs more than one with few: it
    /// is the mean over client-months, not the mean of each client's mean. `None` when the
    /// group has no months (no clients, or none with an entry).
    pub mean_monthly_revenue_minor: Option<u64>,
}

/// How the clients that scored well on a criterion at intake did against the others.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CriterionCalibration {
    pub key: CriterionKey,
    /// Clients with `points_bp >= 5000` on it.
    pub scored_well: CriterionGroup,
    /// Clients with `points_bp < 5000` on it.
    pub scored_below: CriterionGroup,
}

/// See [`calibration`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Calibration {
    /// A, B, C: always all three, in that order.
    pub table: Vec<TierPosition>,
    /// Of the A-intake clients, the share in the head: `|A and head| * 10000 / |A|`,
    /// rounded down; `None` without A clients.
    pub precision_bp: Option<BasisPoints>,
    /// Of the head, the share that was A at intake: `|A and head| * 10000 / |head|`,
    /// rounded down; `None` when the head is empty.
    pub recall_bp: Option<BasisPoints>,
    /// One per criterion key, in the order keys first appear in `criteria`.
    pub criteria: Vec<CriterionCalibration>,
}

/// Calibrates the intake against the outcome: `clients` are the clients' figures over a
/// window, `head` the head of their Pareto picture ([`crate::pareto()`]) and `criteria` each
/// client's intake points per criterion.
///
/// Only clients in `clients` count: a head id or criterion points of any other client are
/// left out (so `|head|` counts the head's ids found in `clients`). For a criterion, a
/// client counts once, with its first points given; clients without points on it (taken
/// on with a version without that criterion) are on neither side.
#[must_use]
pub fn calibration(
    clients: &[ClientFigures],
    head: &[Uuid],
    criteria: &[CriterionPoints],
) -> Calibration {
    let head: HashSet<Uuid> = head.iter().copied().collect();
    let in_head = |client: &ClientFigures| head.contains(&client.id);
    let table: Vec<TierPosition> = [Tier::A, Tier::B, Tier::C]
        .map(|tier| {
            let of_tier = clients.iter().filter(|c| c.tier == tier);
            let (heads, tails): (Vec<_>, Vec<_>) = of_tier.partition(|c| in_head(c));
            TierPosition {
                tier,
                head: count(heads.len()),
                tail: count(tails.len()),
            }
        })
        .to_vec();
    let a_in_head = u128::from(table[0].head);
    let a_clients = a_in_head + u128::from(table[0].tail);
    let head_clients: u128 = table.iter().map(|row| u128::from(row.head)).sum();

    Calibration {
        precision_bp: ratio(a_in_head, a_clients, 10_000).map(basis_points),
        recall_bp: ratio(a_in_head, head_clients, 10_000).map(basis_points),
        table,
        criteria: by_criterion(clients, criteria),
    }
}

/// Per criterion key, in first-seen order, the clients on each side of the split.
fn by_criterion(
    clients: &[ClientFigures],
    criteria: &[CriterionPoints],
) -> Vec<CriterionCalibration> {
    let figures: HashMap<Uuid, &ClientFigures> = clients.iter().map(|c| (c.id, c)).collect();
    let mut keys: Vec<&CriterionKey> = Vec::new();
    for points in criteria {
        if !keys.contains(&&points.key) {
            keys.push(&points.key);
        }
    }
    keys.into_iter()
        .map(|key| {
            let mut seen = HashSet::new();
            let (mut well, mut below) = (Vec::new(), Vec::new());
            for points in criteria.iter().filter(|p| &p.key == key) {
                let Some(&client) = figures.get(&points.client) else {
                    continue;
                };
                if !seen.insert(points.client) {
                    continue;
                }
                if points.points_bp.get() >= CRITERION_SPLIT_BP {
                    well.push(client);
                } else {
                    below.push(client);
                }
            }
            CriterionCalibration {
                key: key.clone(),
                scored_well: group(&well),
                scored_below: group(&below),
            }
        })
        .collect()
}

/// The sums of the clients on one side of one criterion's split, as the store computes
/// them with one `GROUP BY` (criterion key, `points_bp >= 5000`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CriterionSums {
    pub key: CriterionKey,
    /// The side of `points_bp >= 5000` ([`CRITERION_SPLIT_BP`]).
    pub scored_well: bool,
    pub clients: u32,
    pub revenue_minor: u64,
    /// Months with an entry, summed over the clients.
    pub months: u32,
}

/// The per-criterion part of [`calibration`] from sums the database computed: the same
/// groups as `calibration(..).criteria` for the same clients, but ordered by key. A side
/// without a row has no clients and no mean; rows of the same key and side add up.
#[must_use]
pub fn criteria_from_sums(sums: &[CriterionSums]) -> Vec<CriterionCalibration> {
    let mut keys: Vec<&CriterionKey> = sums.iter().map(|s| &s.key).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .map(|key| {
            let side = |well: bool| {
                let rows = sums
                    .iter()
                    .filter(|s| &s.key == key && s.scored_well == well);
                let (clients, revenue, months) = rows.fold((0u32, 0u128, 0u128), |(c, r, m), s| {
                    let c = c.saturating_add(s.clients);
                    (c, r + u128::from(s.revenue_minor), m + u128::from(s.months))
                });
                CriterionGroup {
                    clients,
                    mean_monthly_revenue_minor: ratio(revenue, months, 1)
                        .map(|mean| u64::try_from(mean).unwrap_or(u64::MAX)),
                }
            };
            CriterionCalibration {
                key: key.clone(),
                scored_well: side(true),
                scored_below: side(false),
            }
        })
        .collect()
}

fn group(clients: &[&ClientFigures]) -> CriterionGroup {
    let sums = Sums::of(clients.iter().copied());
    CriterionGroup {
        clients: sums.clients,
        mean_monthly_revenue_minor: sums.revenue_per_month(),
    }
}

#[cfg(test)]
mod tests;
