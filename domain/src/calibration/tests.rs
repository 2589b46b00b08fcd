//! Tests of the calibration table, precision and recall, and the criterion split.

use proptest::prelude::*;

use super::*;
use crate::client::Path;
use crate::test_support::{client, id};

fn key(text: &str) -> CriterionKey {
    CriterionKey::parse(text).unwrap_or_else(|e| panic!("{e}"))
}

fn points(n: u128, text: &str, bp: u32) -> CriterionPoints {
    CriterionPoints {
        client: id(n),
        key: key(text),
        points_bp: BasisPoints::new(bp).unwrap_or_else(|e| panic!("{e}")),
    }
}

/// A 600.00 over 3 months, A 0 over 2, B 300.00 over 3, C 100.00 over 1: the head is the
/// first A and the B (60000 * 10 < 800000 <= 90000 * 10).
fn four() -> (Vec<ClientFigures>, Vec<Uuid>) {
    let with_months = |mut c: ClientFigures, months: u32| {
        c.months = months;
        c
    };
    let clients = vec![
        with_months(client(1, Tier::A, Path::Rule, 60_000), 3),
        with_months(client(2, Tier::A, Path::Rule, 0), 2),
        with_months(client(3, Tier::B, Path::Rule, 30_000), 3),
        with_months(client(4, Tier::C, Path::Exception, 10_000), 1),
    ];
    (clients, vec![id(1), id(3)])
}

fn rows(calibration: &Calibration) -> Vec<(Tier, u32, u32)> {
    let rows = calibration.table.iter();
    rows.map(|row| (row.tier, row.head, row.tail)).collect()
}

#[test]
fn intake_tier_is_set_against_head_and_tail() {
    let (clients, head) = four();
    let calibration = calibration(&clients, &head, &[]);
    assert_eq!(
        rows(&calibration),
        [(Tier::A, 1, 1), (Tier::B, 1, 0), (Tier::C, 0, 1)]
    );
    // 1 of the 2 A clients is in the head; 1 of the 2 head clients was A.
    assert_eq!(calibration.precision_bp.map(BasisPoints::get), Some(5_000));
    assert_eq!(calibration.recall_bp.map(BasisPoints::get), Some(5_000));
    assert!(calibration.criteria.is_empty());
}

#[test]
fn precision_and_recall_are_none_without_a_clients_or_head() {
    let clients = [client(1, Tier::B, Path::Rule, 10)];
    let calibration = calibration(&clients, &[], &[]);
    assert_eq!(
        (calibration.precision_bp, calibration.recall_bp),
        (None, None)
    );
    let only_a = [
        client(1, Tier::A, Path::Rule, 10),
        client(2, Tier::B, Path::Rule, 5),
    ];
    let calibration = super::calibration(&only_a, &[id(1), id(2), id(77)], &[]);
    // 1 A of 1 in the head: 10000; 1 A of the 2 head clients found: 5000.
    assert_eq!(calibration.precision_bp.map(BasisPoints::get), Some(10_000));
    assert_eq!(calibration.recall_bp.map(BasisPoints::get), Some(5_000));
}

#[test]
fn each_criterion_sets_revenue_per_client_month_above_50_points_against_below() {
    let (clients, head) = four();
    let criteria = [
        points(1, "energy", 2_500),
        points(1, "decision_maker", 10_000),
        points(2, "decision_maker", 0),
        points(3, "decision_maker", 10_000),
        points(3, "energy", 7_500),
        points(4, "decision_maker", 5_000),
        // Not a client of the window, and a repeat: both left out.
        points(99, "decision_maker", 0),
        points(3, "energy", 0),
    ];
    let calibration = calibration(&clients, &head, &criteria);
    let found: Vec<(&str, CriterionGroup, CriterionGroup)> = calibration
        .criteria
        .iter()
        .map(|c| (c.key.as_str(), c.scored_well, c.scored_below))
        .collect();
    let side = |clients, mean| CriterionGroup {
        clients,
        mean_monthly_revenue_minor: mean,
    };
    assert_eq!(
        found,
        [
            // Well: client 3 (30000 / 3 months); below: client 1 (60000 / 3 months).
            ("energy", side(1, Some(10_000)), side(1, Some(20_000))),
            // Well: clients 1, 3, 4 (100000 / 7 months = 14285.7); below: client 2 (0 / 2).
            ("decision_maker", side(3, Some(14_285)), side(1, Some(0))),
        ]
    );
}

#[test]
fn a_side_without_months_has_no_mean() {
    let clients = [client(1, Tier::A, Path::Rule, 0)];
    let calibration = calibration(&clients, &[], &[points(1, "growth", 9_000)]);
    let growth = &calibration.criteria[0];
    assert_eq!(
        (growth.scored_well, growth.scored_below),
        (
            CriterionGroup {
                clients: 1,
                mean_monthly_revenue_minor: None
            },
            CriterionGroup {
                clients: 0,
                mean_monthly_revenue_minor: None
            }
        )
    );
}

proptest! {
    /// Precision and recall are within 0..=10000 whatever the head.
    #[test]
    fn precision_and_recall_are_basis_points(
        tiers in prop::collection::vec((0usize..3, any::<bool>()), 0..20),
    ) {
        let all = [Tier::A, Tier::B, Tier::C];
        let clients: Vec<ClientFigures> = tiers
            .iter()
            .enumerate()
            .map(|(n, &(tier, _))| client(n as u128, all[tier], Path::Rule, 1))
            .collect();
        let head: Vec<Uuid> = tiers
            .iter()
            .enumerate()
            .filter(|(_, (_, in_head))| *in_head)
            .map(|(n, _)| id(n as u128))
            .collect();
        let calibration = calibration(&clients, &head, &[]);
        for bp in [calibration.precision_bp, calibration.recall_bp].into_iter().flatten() {
            prop_assert!(bp.get() <= 10_000);
        }
        let counted: u32 = calibration.table.iter().map(|row| row.head + row.tail).sum();
        prop_assert_eq!(counted as usize, clients.len());
    }
}

fn sums(text: &str, scored_well: bool, clients: u32, revenue: u64, months: u32) -> CriterionSums {
    CriterionSums {
        key: key(text),
        scored_well,
        clients,
        revenue_minor: revenue,
        months,
    }
}

#[test]
fn criteria_from_sums_divides_each_sides_revenue_by_its_months_in_key_order() {
    let found = criteria_from_sums(&[
        sums("energy", true, 1, 30_000, 3),
        sums("decision_maker", true, 3, 100_000, 7),
        sums("decision_maker", false, 1, 0, 2),
        sums("energy", false, 2, 60_000, 0),
    ]);
    let side = |clients, mean| CriterionGroup {
        clients,
        mean_monthly_revenue_minor: mean,
    };
    let found: Vec<(&str, CriterionGroup, CriterionGroup)> = found
        .iter()
        .map(|c| (c.key.as_str(), c.scored_well, c.scored_below))
        .collect();
    assert_eq!(
        found,
        [
            // 100000 / 7 = 14285.7, rounded down; 0 / 2 = 0.
            ("decision_maker", side(3, Some(14_285)), side(1, Some(0))),
            // 30000 / 3; no months below: no mean.
            ("energy", side(1, Some(10_000)), side(2, None)),
        ]
    );
    let one_side = criteria_from_sums(&[sums("growth", false, 2, 500, 5)]);
    assert_eq!(one_side[0].scored_well, side(0, None));
    assert_eq!(one_side[0].scored_below, side(2, Some(100)));
}

proptest! {
    /// Sums aggregated by hand, as the store's `GROUP BY` does, give the criteria of
    /// `calibration` for the same clients, ordered by key.
    #[test]
    fn criteria_from_sums_equal_the_calibrations_criteria(
        clients in prop::collection::vec(
            (0u64..1_000_000, 0u32..13, prop::collection::vec(prop::option::of(0u32..=10_000), 4)),
            0..12,
        ),
    ) {
        let keys = ["bhag_fit", "decision_maker", "energy", "growth"];
        let mut figures = Vec::new();
        let mut points = Vec::new();
        for (n, (revenue, months, on)) in clients.iter().enumerate() {
            let mut figure = client(n as u128, Tier::A, Path::Rule, *revenue);
            figure.months = *months;
            figures.push(figure);
            for (k, bp) in keys.iter().zip(on) {
                if let Some(bp) = bp {
                    points.push(CriterionPoints {
                        client: id(n as u128),
                        key: key(k),
                        points_bp: BasisPoints::new(*bp).unwrap_or_else(|e| panic!("{e}")),
                    });
                }
            }
        }
        let mut by_hand: Vec<CriterionSums> = Vec::new();
        for p in &points {
            let well = p.points_bp.get() >= CRITERION_SPLIT_BP;
            let figure = &figures[usize::try_from(p.client.as_u128()).unwrap_or(0)];
            match by_hand.iter_mut().find(|s| s.key == p.key && s.scored_well == well) {
                Some(s) => {
                    s.clients += 1;
                    s.revenue_minor += figure.revenue_minor;
                    s.months += figure.months;
                }
                None => by_hand.push(sums(p.key.as_str(), well, 1, figure.revenue_minor, figure.months)),
            }
        }
        let mut expected = calibration(&figures, &[], &points).criteria;
        expected.sort_by(|a, b| a.key.cmp(&b.key));
        prop_assert_eq!(criteria_from_sums(&by_hand), expected);
    }
}
