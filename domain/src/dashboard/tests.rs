use chrono::NaiveDate;
use proptest::prelude::*;
use uuid::Uuid;

use super::*;
use crate::flagged_for_exit;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_else(|| panic!("{y}-{m}-{d} is no date"))
}

fn window(from: NaiveDate, to: NaiveDate) -> DateWindow {
    DateWindow::new(from, to).unwrap_or_else(|e| panic!("{from}..={to}: {e:?}"))
}

#[test]
fn a_window_is_refused_when_it_starts_after_it_ends_or_spans_more_than_five_years() {
    assert!(matches!(
        DateWindow::new(date(2026, 3, 2), date(2026, 3, 1)),
        Err(WindowError::StartsAfterEnd(_))
    ));
    assert!(matches!(
        DateWindow::new(date(2021, 3, 1), date(2026, 3, 2)),
        Err(WindowError::TooLong(_))
    ));
    let longest = window(date(2021, 3, 1), date(2026, 3, 1));
    assert_eq!(longest.months().len(), 61);
    let day = window(date(2026, 3, 1), date(2026, 3, 1));
    assert_eq!(day.end_exclusive(), Some(date(2026, 3, 2)));
    assert_eq!(day.months().len(), 1);
    // The months it touches, even partly.
    let w = window(date(2026, 1, 31), date(2026, 3, 1));
    assert_eq!(w.months().from(), Month::of(date(2026, 1, 1)));
    assert_eq!(w.months().to(), Month::of(date(2026, 3, 31)));
}

#[test]
fn rates_are_rounded_down_and_missing_without_a_divisor() {
    let f = Figures {
        taken_on: 2,
        turned_down: 1,
        exceptions_pending: 1,
        revenue_minor: 3,
        a_revenue_minor: 2,
        ..Figures::default()
    };
    assert_eq!(f.say_no_rate().map(BasisPoints::get), Some(3333));
    assert_eq!(f.exception_rate().map(BasisPoints::get), Some(5000));
    assert_eq!(f.a_share().map(BasisPoints::get), Some(6666));
    let none = Figures::default();
    assert_eq!(none.say_no_rate(), None);
    assert_eq!(none.exception_rate(), None);
    assert_eq!(none.a_share(), None);
    assert!(!none.has_data());
    assert!(f.has_data());
    // Only turn-downs: no take-on, so no exception rate, but a say-no rate of 100 %.
    let no = Figures {
        turned_down: 2,
        ..Figures::default()
    };
    assert_eq!(no.say_no_rate().map(BasisPoints::get), Some(10_000));
    assert_eq!(no.exception_rate(), None);
}

#[test]
fn a_requalification_is_due_within_30_days_and_overdue_exactly_when_flagged_for_exit() {
    let today = date(2026, 11, 30);
    let check = |by: Option<NaiveDate>, ended: bool, expected: Option<Requalification>| {
        assert_eq!(
            requalification(by, ended, today),
            expected,
            "{by:?} {ended}"
        );
        assert_eq!(
            expected == Some(Requalification::Overdue),
            flagged_for_exit(by, ended, today),
            "{by:?} {ended}"
        );
    };
    check(None, false, None);
    check(
        Some(date(2026, 11, 29)),
        false,
        Some(Requalification::Overdue),
    );
    check(Some(date(2026, 11, 29)), true, None);
    check(Some(today), false, Some(Requalification::Due));
    check(Some(date(2026, 12, 30)), false, Some(Requalification::Due));
    check(Some(date(2026, 12, 31)), false, None);
    assert_eq!(due_until(today), date(2026, 12, 30));
}

fn row(mentee: u128, program: u128, taken_on: u32, turned_down: u32) -> MenteeRow {
    MenteeRow {
        mentee: Uuid::from_u128(mentee),
        program: Uuid::from_u128(program),
        figures: Figures {
            taken_on,
            turned_down,
            ..Figures::default()
        },
    }
}

#[test]
fn rows_sort_by_a_figure_a_missing_rate_lowest_ties_by_mentee_then_program() {
    let mut rows = vec![
        row(3, 1, 1, 1), // say no 5000
        row(1, 2, 0, 0), // none
        row(2, 1, 3, 1), // 2500
        row(1, 1, 1, 1), // 5000
    ];
    let order = |rows: &[MenteeRow]| {
        rows.iter()
            .map(|r| (r.mentee.as_u128(), r.program.as_u128()))
            .collect::<Vec<_>>()
    };
    sort_rows(&mut rows, OrderField::SayNoRate, true);
    assert_eq!(order(&rows), [(1, 1), (3, 1), (2, 1), (1, 2)]);
    sort_rows(&mut rows, OrderField::SayNoRate, false);
    assert_eq!(order(&rows), [(1, 2), (2, 1), (1, 1), (3, 1)]);
    sort_rows(&mut rows, OrderField::TakenOn, true);
    assert_eq!(order(&rows), [(2, 1), (1, 1), (3, 1), (1, 2)]);
}

fn figures() -> impl Strategy<Value = Figures> {
    let small = 0..50u32;
    (
        proptest::array::uniform16(small),
        0..1_000_000u64,
        0..1_000_000u64,
    )
        .prop_map(|(c, revenue, a)| Figures {
            prospects_qualified: c[0],
            tier_a: c[1],
            tier_b: c[2],
            tier_c: c[3],
            accept: c[4],
            accept_with_plan: c[5],
            decline: c[6],
            taken_on: c[7],
            turned_down: c[8],
            exceptions_pending: c[9].min(c[7]),
            exceptions_approved: c[10].min(c[7] - c[9].min(c[7])),
            exceptions_rejected: 0,
            requalifications_due: c[11],
            requalifications_overdue: c[12],
            flagged_for_exit: c[12],
            revenue_minor: revenue.max(a),
            a_revenue_minor: a.min(revenue),
        })
}

proptest! {
    #[test]
    fn totals_are_the_sum_of_the_rows_and_rates_stay_within_0_and_10000(
        rows in proptest::collection::vec(figures(), 0..12)
    ) {
        let t = total(&rows);
        let sum = |f: fn(&Figures) -> u64| rows.iter().map(f).sum::<u64>();
        prop_assert_eq!(u64::from(t.prospects_qualified), sum(|f| f.prospects_qualified.into()));
        prop_assert_eq!(u64::from(t.taken_on), sum(|f| f.taken_on.into()));
        prop_assert_eq!(u64::from(t.turned_down), sum(|f| f.turned_down.into()));
        prop_assert_eq!(u64::from(t.exceptions_requested()), sum(|f| f.exceptions_requested().into()));
        prop_assert_eq!(u64::from(t.requalifications_overdue), sum(|f| f.requalifications_overdue.into()));
        prop_assert_eq!(t.revenue_minor, sum(|f| f.revenue_minor));
        prop_assert_eq!(t.a_revenue_minor, sum(|f| f.a_revenue_minor));
        prop_assert_eq!(u64::from(t.tier_a + t.tier_b + t.tier_c), sum(|f| u64::from(f.tier_a + f.tier_b + f.tier_c)));
        for f in rows.iter().chain(std::iter::once(&t)) {
            for rate in [f.say_no_rate(), f.exception_rate(), f.a_share()].into_iter().flatten() {
                prop_assert!(rate.get() <= 10_000);
            }
            prop_assert_eq!(f.say_no_rate().is_none(), f.decisions() == 0);
            prop_assert_eq!(f.exception_rate().is_none(), f.taken_on == 0);
            prop_assert_eq!(f.a_share().is_none(), f.revenue_minor == 0);
        }
    }

    #[test]
    fn sorting_orders_by_the_figure_then_by_mentee_and_program(
        rows in proptest::collection::vec((0..4u128, 0..3u128, 0..4u32, 0..4u32), 0..10),
        descending: bool,
    ) {
        let mut rows: Vec<MenteeRow> = rows.into_iter().map(|(m, p, t, d)| row(m, p, t, d)).collect();
        sort_rows(&mut rows, OrderField::SayNoRate, descending);
        for pair in rows.windows(2) {
            let (a, b) = (&pair[0], &pair[1]);
            let (ka, kb) = (OrderField::SayNoRate.key(&a.figures), OrderField::SayNoRate.key(&b.figures));
            if ka == kb {
                prop_assert!((a.mentee, a.program) <= (b.mentee, b.program));
            } else {
                prop_assert_eq!(ka < kb, !descending);
            }
        }
    }
}
