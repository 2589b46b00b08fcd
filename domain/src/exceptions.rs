//! The cost of exceptions: how clients taken on against the method's verdict worked out,
//! against those taken on by its rule.

use serde::{Deserialize, Serialize};

use crate::client::Path;
use crate::measure::BasisPoints;
use crate::pareto::{ClientFigures, Sums};

/// How the clients of one path worked out over a window; each figure pools the path's
/// clients and is `None` when it has nothing to divide by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PathCost {
    pub path: Path,
    pub clients: u32,
    /// Revenue per client-month: total revenue over total months with an entry, rounded
    /// down, in minor units.
    pub revenue_per_month_minor: Option<u64>,
    /// `revenue * 100 / hours` (hours in hundredths), rounded down, in minor units.
    pub revenue_per_hour_minor: Option<u64>,
    /// `custom_hours * 10000 / hours`, rounded down.
    pub custom_share_bp: Option<BasisPoints>,
    /// `energy_sum * 100 / energy_count`, rounded down.
    pub mean_energy_hundredths: Option<u32>,
    /// Clients that ended early (we exited or they left) over clients, rounded down.
    pub ended_early_bp: Option<BasisPoints>,
}

/// The figures of RULE clients and of EXCEPTION clients, in that order.
#[must_use]
pub fn cost_of_exceptions(clients: &[ClientFigures]) -> Vec<PathCost> {
    [Path::Rule, Path::Exception]
        .map(|path| {
            let sums = Sums::of(clients.iter().filter(|c| c.path == path));
            PathCost {
                path,
                clients: sums.clients,
                revenue_per_month_minor: sums.revenue_per_month(),
                revenue_per_hour_minor: sums.revenue_per_hour(),
                custom_share_bp: sums.custom_share_bp(),
                mean_energy_hundredths: sums.mean_energy_hundredths(),
                ended_early_bp: sums.ended_early_bp(),
            }
        })
        .to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::client;
    use crate::tier::Tier;

    #[test]
    fn rule_and_exception_clients_are_pooled_apart() {
        let clients = [
            ClientFigures {
                months: 4,
                hours: 8_000,
                custom_hours: 800,
                energy_sum: 16,
                energy_count: 4,
                ..client(1, Tier::A, Path::Rule, 40_000)
            },
            ClientFigures {
                months: 2,
                hours: 2_000,
                energy_sum: 7,
                energy_count: 2,
                ended_early: true,
                ..client(2, Tier::B, Path::Rule, 20_000)
            },
            ClientFigures {
                months: 3,
                hours: 9_000,
                custom_hours: 6_000,
                energy_sum: 5,
                energy_count: 3,
                ended_early: true,
                ..client(3, Tier::C, Path::Exception, 9_000)
            },
        ];
        let costs = cost_of_exceptions(&clients);
        // RULE: 60000 / 6 months = 10000; 60000 * 100 / 10000 = 600; 800 * 10000 / 10000
        // = 800; 23 * 100 / 6 = 383.3; 1 of 2 ended early.
        // EXCEPTION: 9000 / 3 = 3000; 9000 * 100 / 9000 = 100; 6000 * 10000 / 9000 =
        // 6666.7; 5 * 100 / 3 = 166.7; 1 of 1.
        let bp = |value: u32| BasisPoints::new(value).ok();
        assert_eq!(
            costs,
            [
                PathCost {
                    path: Path::Rule,
                    clients: 2,
                    revenue_per_month_minor: Some(10_000),
                    revenue_per_hour_minor: Some(600),
                    custom_share_bp: bp(800),
                    mean_energy_hundredths: Some(383),
                    ended_early_bp: bp(5_000),
                },
                PathCost {
                    path: Path::Exception,
                    clients: 1,
                    revenue_per_month_minor: Some(3_000),
                    revenue_per_hour_minor: Some(100),
                    custom_share_bp: bp(6_666),
                    mean_energy_hundredths: Some(166),
                    ended_early_bp: bp(10_000),
                },
            ]
        );
    }

    #[test]
    fn a_path_without_clients_has_no_figures() {
        let costs = cost_of_exceptions(&[client(1, Tier::A, Path::Rule, 0)]);
        let exception = costs[1];
        assert_eq!(
            exception,
            PathCost {
                path: Path::Exception,
                clients: 0,
                revenue_per_month_minor: None,
                revenue_per_hour_minor: None,
                custom_share_bp: None,
                mean_energy_hundredths: None,
                ended_early_bp: None,
            }
        );
        assert_eq!(costs[0].ended_early_bp.map(BasisPoints::get), Some(0));
    }
}
