//! The Pareto picture: how a window's revenue splits by intake tier and path, the A-share,
//! the head (the fewest clients that bring 80 % of the revenue), and per tier the revenue
//! per hour, custom-work share and energy. Exact integer arithmetic throughout.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::client::Path;
use crate::measure::BasisPoints;
use crate::tier::Tier;

/// One client's figures over a window: the sums of its outcome entries in the window (the
/// store computes them with one `GROUP BY`), and what its intake was.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClientFigures {
    pub id: Uuid,
    /// The intake tier.
    pub tier: Tier,
    pub path: Path,
    /// Minor units of the program's currency.
    pub revenue_minor: u64,
    /// Months with an entry in the window.
    pub months: u32,
    /// Hundredths of an hour, over the entries that gave hours.
    pub hours: u64,
    /// Hundredths of an hour on custom work, over the same entries.
    pub custom_hours: u64,
    pub energy_sum: u64,
    /// Entries whose energy is in `energy_sum`.
    pub energy_count: u64,
    pub ended_early: bool,
}

/// A tier's revenue and its share of the total.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TierShare {
    pub tier: Tier,
    pub revenue_minor: u64,
    pub share_bp: BasisPoints,
}

/// A path's revenue and its share of the total.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PathShare {
    pub path: Path,
    pub revenue_minor: u64,
    pub share_bp: BasisPoints,
}

/// How the clients of one intake tier worked out; each figure is `None` when it has
/// nothing to divide by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TierFigures {
    pub tier: Tier,
    pub clients: u32,
    /// Minor units per hour: `revenue * 100 / hours` (hours in hundredths), rounded down.
    pub revenue_per_hour_minor: Option<u64>,
    /// `custom_hours * 10000 / hours`, rounded down.
    pub custom_share_bp: Option<BasisPoints>,
    /// `energy_sum * 100 / energy_count`, rounded down: 350 is a mean of 3.5.
    pub mean_energy_hundredths: Option<u32>,
}

/// The Pareto picture of a set of clients over a window; see [`pareto()`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Pareto {
    /// Saturates at `u64::MAX` (never reached by real figures); the shares and the head
    /// are computed on the exact sum.
    pub total_revenue_minor: u64,
    pub client_count: u32,
    /// A, B, C: always all three, in that order.
    pub by_tier: Vec<TierShare>,
    /// RULE, EXCEPTION: always both, in that order.
    pub by_path: Vec<PathShare>,
    /// The share of tier A in `by_tier`: the method's promise is 8000.
    pub a_share_bp: BasisPoints,
    /// The head's clients, by revenue descending, ties by id ascending.
    pub head: Vec<Uuid>,
    pub head_count: u32,
    /// `head_count * 10000 / client_count`, rounded down; 0 without clients.
    pub head_share_bp: BasisPoints,
    /// A, B, C: always all three, in that order.
    pub tier_figures: Vec<TierFigures>,
}

const TIERS: [Tier; 3] = [Tier::A, Tier::B, Tier::C];
const PATHS: [Path; 2] = [Path::Rule, Path::Exception];

/// The Pareto picture of `clients` (one entry per client).
///
/// - **Shares** of revenue by tier and by path are split by largest remainder: each group
///   first gets `revenue * 10000 / total` rounded down; the basis points still missing to
///   10000 go one each to the largest remainders (compared exactly), ties to A before B
///   before C and RULE before EXCEPTION. So each set of shares sums to exactly 10000 when
///   the total is above 0; when the total is 0 every share is 0.
/// - **The head** is the smallest set of clients whose revenue reaches 80 % of the total
///   (`revenue * 10 >= total * 8`), taken from the top of the clients sorted by revenue
///   descending, ties by id ascending. A client without revenue is never needed; with a
///   total of 0 the head is empty.
/// - **Per tier**, revenue per hour, custom-work share and mean energy pool the tier's
///   clients (sum of revenue over sum of hours, and so on).
#[must_use]
pub fn pareto(clients: &[ClientFigures]) -> Pareto {
    let total: u128 = clients.iter().map(|c| u128::from(c.revenue_minor)).sum();
    let revenue_of = |keep: &dyn Fn(&ClientFigures) -> bool| -> u128 {
        let kept = clients.iter().filter(|c| keep(c));
        kept.map(|c| u128::from(c.revenue_minor)).sum()
    };
    let tier_revenue = TIERS.map(|tier| revenue_of(&|c| c.tier == tier));
    let path_revenue = PATHS.map(|path| revenue_of(&|c| c.path == path));
    let tier_shares = apportion(&tier_revenue);
    let path_shares = apportion(&path_revenue);
    let by_tier: Vec<TierShare> = (0..TIERS.len())
        .map(|i| TierShare {
            tier: TIERS[i],
            revenue_minor: saturate(tier_revenue[i]),
            share_bp: BasisPoints::known(tier_shares[i]),
        })
        .collect();
    let by_path = (0..PATHS.len())
        .map(|i| PathShare {
            path: PATHS[i],
            revenue_minor: saturate(path_revenue[i]),
            share_bp: BasisPoints::known(path_shares[i]),
        })
        .collect();

    let head = head(clients, total);
    let client_count = count(clients.len());
    let head_count = count(head.len());
    let head_share = ratio(u128::from(head_count), u128::from(client_count), 10_000);
    let tier_figures = TIERS
        .map(|tier| {
            let sums = Sums::of(clients.iter().filter(|c| c.tier == tier));
            TierFigures {
                tier,
                clients: sums.clients,
                revenue_per_hour_minor: sums.revenue_per_hour(),
                custom_share_bp: sums.custom_share_bp(),
                mean_energy_hundredths: sums.mean_energy_hundredths(),
            }
        })
        .to_vec();
    Pareto {
        total_revenue_minor: saturate(total),
        client_count,
        a_share_bp: by_tier[0].share_bp,
        by_tier,
        by_path,
        head,
        head_count,
        head_share_bp: basis_points(head_share.unwrap_or(0)),
        tier_figures,
    }
}

/// The head of `clients`, whose revenue sums to `total` (see [`pareto()`]).
fn head(clients: &[ClientFigures], total: u128) -> Vec<Uuid> {
    let mut ranked: Vec<&ClientFigures> = clients.iter().collect();
    ranked.sort_by(|a, b| {
        b.revenue_minor
            .cmp(&a.revenue_minor)
            .then_with(|| a.id.cmp(&b.id))
    });
    let mut head = Vec::new();
    let mut reached: u128 = 0;
    for client in ranked {
        // With a total of 0 this holds at once: the head is empty.
        if reached * 10 >= total * 8 {
            break;
        }
        head.push(client.id);
        reached += u128::from(client.revenue_minor);
    }
    head
}

/// Splits 10000 bp over `values` in proportion, by largest remainder (see [`pareto()`]);
/// ties go to the earlier value. All 0 when the values sum to 0.
fn apportion(values: &[u128]) -> Vec<u32> {
    let total: u128 = values.iter().sum();
    if total == 0 {
        return vec![0; values.len()];
    }
    // Every remainder is over the same `total`: comparing the numerators is exact.
    let exact: Vec<(u128, u128)> = values
        .iter()
        .map(|&value| (value * 10_000 / total, value * 10_000 % total))
        .collect();
    let mut shares: Vec<u32> = exact.iter().map(|&(floor, _)| narrow(floor)).collect();
    let handed_out: u32 = shares.iter().sum();
    let mut by_remainder: Vec<usize> = (0..values.len()).collect();
    // A stable sort keeps the fixed order among equal remainders.
    by_remainder.sort_by(|&i, &j| exact[j].1.cmp(&exact[i].1));
    for &index in by_remainder
        .iter()
        .take(10_000u32.saturating_sub(handed_out) as usize)
    {
        shares[index] += 1;
    }
    shares
}

/// Sums of a group of clients' figures, and the pooled ratios of them.
#[derive(Debug, Default)]
pub(crate) struct Sums {
    pub(crate) clients: u32,
    revenue: u128,
    months: u128,
    hours: u128,
    custom_hours: u128,
    energy_sum: u128,
    energy_count: u128,
    ended_early: u128,
}

impl Sums {
    pub(crate) fn of<'a>(clients: impl IntoIterator<Item = &'a ClientFigures>) -> Self {
        clients.into_iter().fold(Sums::default(), |mut sums, c| {
            sums.clients = sums.clients.saturating_add(1);
            sums.revenue += u128::from(c.revenue_minor);
            sums.months += u128::from(c.months);
            sums.hours += u128::from(c.hours);
            sums.custom_hours += u128::from(c.custom_hours);
            sums.energy_sum += u128::from(c.energy_sum);
            sums.energy_count += u128::from(c.energy_count);
            sums.ended_early += u128::from(c.ended_early);
            sums
        })
    }

    /// Total revenue over total months with an entry: revenue per client-month.
    pub(crate) fn revenue_per_month(&self) -> Option<u64> {
        ratio(self.revenue, self.months, 1).map(saturate)
    }

    /// Minor units per hour (hours are in hundredths).
    pub(crate) fn revenue_per_hour(&self) -> Option<u64> {
        ratio(self.revenue, self.hours, 100).map(saturate)
    }

    pub(crate) fn custom_share_bp(&self) -> Option<BasisPoints> {
        ratio(self.custom_hours, self.hours, 10_000).map(basis_points)
    }

    pub(crate) fn mean_energy_hundredths(&self) -> Option<u32> {
        ratio(self.energy_sum, self.energy_count, 100).map(narrow)
    }

    /// The share of the clients that ended early.
    pub(crate) fn ended_early_bp(&self) -> Option<BasisPoints> {
        ratio(self.ended_early, u128::from(self.clients), 10_000).map(basis_points)
    }
}

/// `over * scale / under`, rounded down; `None` when `under` is 0. Saturates instead of
/// overflowing (only for sums far beyond any real figures).
pub(crate) fn ratio(over: u128, under: u128, scale: u128) -> Option<u128> {
    (under > 0).then(|| over.saturating_mul(scale) / under)
}

/// A figure that is a share of a whole in basis points (at most 10000 for consistent
/// input; capped there for input that is not, such as custom hours above hours).
pub(crate) fn basis_points(value: u128) -> BasisPoints {
    BasisPoints::known(narrow(value.min(10_000)))
}

fn saturate(value: u128) -> u64 {
    u64::try_from(value).unwrap_or(u64::MAX)
}

fn narrow(value: u128) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

pub(crate) fn count(len: usize) -> u32 {
    u32::try_from(len).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests;
