//! Tests of months, quarters and windows.

use proptest::prelude::*;

use super::*;
use crate::test_support::date;

fn month(text: &str) -> Month {
    match Month::parse(text) {
        Ok(month) => month,
        Err(error) => panic!("{text}: {error}"),
    }
}

#[test]
fn a_month_is_read_and_written_as_zero_padded_yyyy_mm() {
    let parsed = Month::parse("2026-03").map(|m| (m.year(), m.month(), m.to_string()));
    assert_eq!(parsed, Ok((2026, 3, "2026-03".to_owned())));
    assert_eq!(month("1900-01").to_string(), "1900-01");
    assert_eq!(month("9999-12").to_string(), "9999-12");
}

#[test]
fn a_month_not_written_strictly_or_out_of_range_is_refused() {
    for text in [
        "2026-3",
        "26-03",
        "2026/03",
        "2026-003",
        "+026-03",
        "2026-03-01",
        "",
    ] {
        assert_eq!(
            Month::parse(text).map_err(|e| e.message),
            Err("must be a month written YYYY-MM".to_owned()),
            "{text:?}"
        );
    }
    assert_eq!(
        Month::parse("2026-13").map_err(|e| e.message),
        Err("the month must be between 1 and 12".to_owned())
    );
    assert!(Month::parse("2026-00").is_err());
    assert_eq!(
        Month::parse("1899-12").map_err(|e| e.message),
        Err("the year must be between 1900 and 9999".to_owned())
    );
}

#[test]
fn a_month_is_serialized_as_its_text() {
    let json = serde_json::to_string(&month("2026-11")).map_err(|e| e.to_string());
    assert_eq!(json.as_deref(), Ok("\"2026-11\""));
    assert!(serde_json::from_str::<Month>("\"2026-1\"").is_err());
}

#[test]
fn the_month_of_a_date_starts_on_its_first_day() {
    let november = Month::of(date(2026, 11, 30));
    assert_eq!(november, month("2026-11"));
    assert_eq!(november.first_day(), date(2026, 11, 1));
    assert_eq!(Month::of(date(1850, 6, 1)), month("1900-01"));
}

#[test]
fn the_next_month_rolls_over_the_year_and_ends_at_9999_12() {
    assert_eq!(month("2026-11").next(), Some(month("2026-12")));
    assert_eq!(month("2026-12").next(), Some(month("2027-01")));
    assert_eq!(month("9999-12").next(), None);
}

#[test]
fn months_are_ordered_in_time() {
    assert!(month("2025-12") < month("2026-01"));
    assert!(month("2026-02") < month("2026-10"));
}

#[test]
fn the_index_counts_months_since_year_zero() {
    // 2026 * 12 + 3 - 1 = 24314.
    assert_eq!(month("2026-03").index(), 24_314);
    assert_eq!(Month::from_index(24_314), Ok(month("2026-03")));
    assert_eq!(Month::from_index(1900 * 12), Ok(month("1900-01")));
    assert!(Month::from_index(1900 * 12 - 1).is_err());
    assert!(Month::from_index(10_000 * 12).is_err());
    assert!(Month::from_index(-5).is_err());
}

#[test]
fn a_quarter_is_written_yyyy_qn_and_holds_three_months() {
    let quarter = Quarter::parse("2026-Q3");
    assert_eq!(quarter.map(|q| q.to_string()), Ok("2026-Q3".to_owned()));
    assert_eq!(
        Quarter::parse("2026-Q3").map(Quarter::months),
        Ok([month("2026-07"), month("2026-08"), month("2026-09")])
    );
    assert_eq!(
        Quarter::of(month("2026-12")),
        Quarter::new(2026, 4).unwrap_or_else(|e| panic!("{e}"))
    );
    assert_eq!(Quarter::of(month("2026-01")).quarter(), 1);
    assert_eq!(Quarter::of(month("2026-06")).to_string(), "2026-Q2");
    for text in [
        "2026-Q5", "2026-Q0", "2026-q1", "2026-Q12", "26-Q1", "2026Q1",
    ] {
        assert!(Quarter::parse(text).is_err(), "{text}");
    }
}

#[test]
fn a_window_runs_from_its_first_to_its_last_month_both_included() {
    let window = MonthWindow::new(month("2025-11"), month("2026-02"));
    let window = window.unwrap_or_else(|e| panic!("{e}"));
    // Nov, Dec, Jan, Feb.
    assert_eq!(window.len(), 4);
    assert!(!window.is_empty());
    assert!(window.contains(month("2025-11")) && window.contains(month("2026-02")));
    assert!(!window.contains(month("2025-10")) && !window.contains(month("2026-03")));
    assert_eq!(
        (window.from(), window.to()),
        (month("2025-11"), month("2026-02"))
    );
}

#[test]
fn a_window_backwards_or_over_120_months_is_refused() {
    assert_eq!(
        MonthWindow::new(month("2026-02"), month("2026-01")).map_err(|e| e.message),
        Err("must not start after it ends".to_owned())
    );
    // 2016-01..=2025-12 is 120 months; one more is too many.
    assert_eq!(
        MonthWindow::new(month("2016-01"), month("2025-12")).map(MonthWindow::len),
        Ok(120)
    );
    assert_eq!(
        MonthWindow::new(month("2016-01"), month("2026-01")).map_err(|e| e.message),
        Err("must span at most 120 months".to_owned())
    );
    let json = r#"{"from":"2026-02","to":"2026-01"}"#;
    assert!(serde_json::from_str::<MonthWindow>(json).is_err());
}

proptest! {
    /// A month written and read back is the same month, and so is its index.
    #[test]
    fn a_month_written_or_indexed_reads_back_the_same(year in 1900i32..=9999, m in 1u32..=12) {
        let month = Month::new(year, m).unwrap_or_else(|e| panic!("{e}"));
        prop_assert_eq!(Month::parse(&month.to_string()), Ok(month));
        prop_assert_eq!(Month::from_index(month.index()), Ok(month));
        prop_assert_eq!(Month::of(month.first_day()), month);
        prop_assert_eq!(Quarter::of(month).months().contains(&month), true);
    }
}

#[test]
fn a_month_plus_some_months_crosses_years_both_ways_and_refuses_the_range_ends() {
    let month = Month::parse("2026-11").unwrap_or_else(|_| unreachable!());
    assert_eq!(
        month.plus(2).map(|m| m.to_string()).ok(),
        Some("2027-01".to_owned())
    );
    assert_eq!(
        month.plus(-11).map(|m| m.to_string()).ok(),
        Some("2025-12".to_owned())
    );
    assert_eq!(month.plus(0), Ok(month));
    assert!(month.plus(-(2026 - 1899) * 12).is_err());
    assert!(month.plus(12 * 8000).is_err());
}
