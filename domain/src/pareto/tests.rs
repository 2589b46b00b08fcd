//! Tests of the Pareto picture: hand-computed figures and properties of shares and head.

use proptest::prelude::*;

use super::*;
use crate::test_support::{client, id};

/// Five clients: A 500.00 and 300.00 (RULE), B 150.00 (EXCEPTION), C 50.00 (RULE) and
/// C 0 (EXCEPTION); total 1000.00.
fn five() -> Vec<ClientFigures> {
    vec![
        ClientFigures {
            hours: 10_000,
            custom_hours: 2_000,
            energy_sum: 20,
            energy_count: 5,
            ..client(1, Tier::A, Path::Rule, 50_000)
        },
        ClientFigures {
            hours: 5_000,
            energy_sum: 9,
            energy_count: 3,
            ..client(2, Tier::A, Path::Rule, 30_000)
        },
        client(3, Tier::B, Path::Exception, 15_000),
        client(4, Tier::C, Path::Rule, 5_000),
        client(5, Tier::C, Path::Exception, 0),
    ]
}

fn tier_shares(pareto: &Pareto) -> Vec<(u64, u32)> {
    let shares = pareto.by_tier.iter();
    shares
        .map(|s| (s.revenue_minor, s.share_bp.get()))
        .collect()
}

fn path_shares(pareto: &Pareto) -> Vec<(u64, u32)> {
    let shares = pareto.by_path.iter();
    shares
        .map(|s| (s.revenue_minor, s.share_bp.get()))
        .collect()
}

#[test]
fn revenue_splits_by_tier_and_path_in_basis_points() {
    let pareto = pareto(&five());
    assert_eq!(
        (pareto.total_revenue_minor, pareto.client_count),
        (100_000, 5)
    );
    // A 80000 / 100000 = 8000 bp, B 1500, C 500.
    assert_eq!(
        tier_shares(&pareto),
        [(80_000, 8_000), (15_000, 1_500), (5_000, 500)]
    );
    assert_eq!(pareto.a_share_bp.get(), 8_000);
    // RULE 85000, EXCEPTION 15000.
    assert_eq!(path_shares(&pareto), [(85_000, 8_500), (15_000, 1_500)]);
}

#[test]
fn the_head_is_the_fewest_top_clients_reaching_80_percent() {
    let pareto = pareto(&five());
    // 50000 * 10 < 100000 * 8; (50000 + 30000) * 10 >= 100000 * 8.
    assert_eq!(pareto.head, [id(1), id(2)]);
    assert_eq!(pareto.head_count, 2);
    // 2 * 10000 / 5.
    assert_eq!(pareto.head_share_bp.get(), 4_000);
}

#[test]
fn per_tier_figures_pool_the_tiers_clients() {
    let pareto = pareto(&five());
    let a = pareto.tier_figures[0];
    // 80000 * 100 / 15000 hundredths = 533.3; 2000 * 10000 / 15000 = 1333.3;
    // 29 * 100 / 8 = 362.5.
    assert_eq!(
        (
            a.tier,
            a.clients,
            a.revenue_per_hour_minor,
            a.custom_share_bp.map(BasisPoints::get),
            a.mean_energy_hundredths
        ),
        (Tier::A, 2, Some(533), Some(1_333), Some(362))
    );
    let b = pareto.tier_figures[1];
    assert_eq!(
        (
            b.clients,
            b.revenue_per_hour_minor,
            b.custom_share_bp,
            b.mean_energy_hundredths
        ),
        (1, None, None, None)
    );
    assert_eq!(pareto.tier_figures[2].clients, 2);
}

#[test]
fn equal_remainders_go_to_a_before_b_before_c_and_rule_before_exception() {
    let clients = [
        client(1, Tier::C, Path::Exception, 1),
        client(2, Tier::B, Path::Exception, 1),
        client(3, Tier::A, Path::Rule, 1),
    ];
    let pareto = pareto(&clients);
    // 10000 / 3 = 3333 rest 1 each: the one basis point left goes to A.
    assert_eq!(tier_shares(&pareto), [(1, 3_334), (1, 3_333), (1, 3_333)]);
    // RULE 1/3 (3333 rest 1), EXCEPTION 2/3 (6666 rest 2): the larger rest wins.
    assert_eq!(path_shares(&pareto), [(1, 3_333), (2, 6_667)]);
    let even = [
        client(1, Tier::C, Path::Exception, 2),
        client(2, Tier::C, Path::Rule, 2),
    ];
    // 2 of 4 each: 5000 each, nothing left to hand out.
    assert_eq!(path_shares(&super::pareto(&even)), [(2, 5_000), (2, 5_000)]);
}

#[test]
fn equal_revenue_ranks_by_id_and_zero_revenue_is_never_in_the_head() {
    let clients = [
        client(9, Tier::B, Path::Rule, 10),
        client(3, Tier::B, Path::Rule, 10),
        client(4, Tier::B, Path::Rule, 0),
    ];
    // Total 20: 10 * 10 < 160, 20 * 10 >= 160: both with revenue, the smaller id first.
    assert_eq!(pareto(&clients).head, [id(3), id(9)]);
}

#[test]
fn without_revenue_every_share_is_zero_and_the_head_is_empty() {
    let clients = [
        client(1, Tier::A, Path::Rule, 0),
        client(2, Tier::B, Path::Exception, 0),
    ];
    let pareto = pareto(&clients);
    assert_eq!(tier_shares(&pareto), [(0, 0), (0, 0), (0, 0)]);
    assert_eq!(path_shares(&pareto), [(0, 0), (0, 0)]);
    assert_eq!(
        (
            pareto.head.len(),
            pareto.head_count,
            pareto.head_share_bp.get()
        ),
        (0, 0, 0)
    );
    let empty = super::pareto(&[]);
    assert_eq!(
        (
            empty.client_count,
            empty.head_share_bp.get(),
            empty.a_share_bp.get()
        ),
        (0, 0, 0)
    );
}

#[test]
fn the_pooled_ratios_divide_sums_and_are_none_without_a_divisor() {
    assert_eq!(ratio(7, 2, 1), Some(3));
    assert_eq!(ratio(7, 0, 100), None);
    assert_eq!(ratio(u128::MAX, 1, 10), Some(u128::MAX));
    assert_eq!(basis_points(12_000).get(), 10_000);
}

fn any_clients() -> impl Strategy<Value = Vec<ClientFigures>> {
    let revenue = prop_oneof![Just(0u64), 0u64..20, 0u64..1_000_000_000_000];
    let one = (
        0usize..3,
        any::<bool>(),
        revenue,
        0u32..24,
        0u64..50_000,
        0u64..=100,
        0u64..40,
        0u64..10,
        any::<bool>(),
    );
    prop::collection::vec(one, 0..12).prop_map(|rows| {
        rows.into_iter()
            .enumerate()
            .map(
                |(
                    n,
                    (
                        tier,
                        exception,
                        revenue,
                        months,
                        hours,
                        custom_pct,
                        energy_count,
                        energy_extra,
                        ended_early,
                    ),
                )| {
                    let path = if exception {
                        Path::Exception
                    } else {
                        Path::Rule
                    };
                    ClientFigures {
                        // Ids in another order than the clients, so that ties test the ids.
                        id: id(((n * 7) % 13) as u128),
                        tier: TIERS[tier],
                        path,
                        revenue_minor: revenue,
                        months,
                        hours,
                        custom_hours: hours * custom_pct / 100,
                        energy_sum: energy_count + energy_extra.min(energy_count * 4),
                        energy_count,
                        ended_early,
                    }
                },
            )
            .collect()
    })
}

fn revenue_of(clients: &[ClientFigures], ids: &[Uuid]) -> u128 {
    let in_head = clients.iter().filter(|c| ids.contains(&c.id));
    in_head.map(|c| u128::from(c.revenue_minor)).sum()
}

proptest! {
    /// Each set of shares sums to exactly 10000 when there is revenue, and every figure in
    /// basis points is within 0..=10000.
    #[test]
    fn shares_sum_to_exactly_10000_and_every_bp_figure_is_in_range(clients in any_clients()) {
        let pareto = pareto(&clients);
        let tiers: u32 = pareto.by_tier.iter().map(|s| s.share_bp.get()).sum();
        let paths: u32 = pareto.by_path.iter().map(|s| s.share_bp.get()).sum();
        let expected = if pareto.total_revenue_minor > 0 { 10_000 } else { 0 };
        prop_assert_eq!((tiers, paths), (expected, expected));
        let mut bps = vec![pareto.a_share_bp, pareto.head_share_bp];
        bps.extend(pareto.tier_figures.iter().filter_map(|f| f.custom_share_bp));
        bps.extend(pareto.by_tier.iter().map(|s| s.share_bp));
        bps.extend(pareto.by_path.iter().map(|s| s.share_bp));
        prop_assert!(bps.iter().all(|bp| bp.get() <= 10_000));
    }

    /// The head reaches 80 % of the revenue, and without its last client it would not.
    #[test]
    fn the_head_is_sufficient_and_minimal(clients in any_clients()) {
        let pareto = pareto(&clients);
        let total = u128::from(pareto.total_revenue_minor);
        prop_assert!(revenue_of(&clients, &pareto.head) * 10 >= total * 8);
        if let Some((_, shorter)) = pareto.head.split_last() {
            prop_assert!(revenue_of(&clients, shorter) * 10 < total * 8);
        }
        prop_assert_eq!(pareto.head_count as usize, pareto.head.len());
        prop_assert!(clients.iter().filter(|c| pareto.head.contains(&c.id)).all(|c| c.revenue_minor > 0));
    }

    /// A client in the head stays there when it brings more.
    #[test]
    fn more_revenue_never_drops_a_client_from_the_head(
        clients in any_clients(),
        pick in any::<prop::sample::Index>(),
        more in 1u64..1_000_000,
    ) {
        let before = pareto(&clients);
        if !before.head.is_empty() {
            let chosen = before.head[pick.index(before.head.len())];
            let richer: Vec<ClientFigures> = clients.iter().cloned().map(|mut c| {
                if c.id == chosen {
                    c.revenue_minor += more;
                }
                c
            }).collect();
            prop_assert!(pareto(&richer).head.contains(&chosen));
        }
    }
}
