//! Tests of hours, energy and the checks of an outcome entry.

use proptest::prelude::*;

use super::*;
use crate::test_support::{date, fields};

fn hours(hundredths: u32) -> Hours {
    Hours::from_hundredths(hundredths).unwrap_or_else(|e| panic!("{e}"))
}

fn month(text: &str) -> Month {
    Month::parse(text).unwrap_or_else(|e| panic!("{e}"))
}

/// Taken on 10 March 2026, still a client.
fn client() -> ClientSpan {
    ClientSpan {
        taken_on: date(2026, 3, 10),
        ended_on: None,
    }
}

fn today() -> NaiveDate {
    date(2026, 11, 30)
}

/// A valid entry for October 2026.
fn draft() -> OutcomeDraft {
    OutcomeDraft {
        month: month("2026-10"),
        revenue_minor: 123_450,
        hours: Some(hours(1_250)),
        custom_hours: Some(hours(300)),
        energy: 4,
        note: Some("  steady month \n".to_owned()),
    }
}

#[test]
fn energy_is_1_to_5() {
    assert_eq!(Energy::new(1).map(Energy::get), Ok(1));
    assert_eq!(Energy::new(5).map(u32::from), Ok(5));
    for refused in [0, 6] {
        assert_eq!(
            Energy::new(refused).map_err(|e| e.message),
            Err("must be between 1 and 5".to_owned())
        );
    }
}

#[test]
fn hours_are_hundredths_up_to_744_hours() {
    assert_eq!(
        Hours::from_hundredths(74_400).map(Hours::hundredths),
        Ok(74_400)
    );
    assert_eq!(
        Hours::from_hundredths(74_401).map_err(|e| e.message),
        Err("must be at most 744 hours in a month".to_owned())
    );
    assert_eq!(hours(1_250).to_string(), "12.50");
    assert_eq!(hours(5).to_string(), "0.05");
}

#[test]
fn hours_are_read_with_at_most_two_decimals() {
    let read = |text: &str| {
        Hours::parse_decimal(text)
            .map(Hours::hundredths)
            .map_err(|e| e.message)
    };
    assert_eq!(read("12"), Ok(1_200));
    assert_eq!(read("12.5"), Ok(1_250));
    assert_eq!(read("12.25"), Ok(1_225));
    assert_eq!(read("0.05"), Ok(5));
    assert_eq!(read("0744.00"), Ok(74_400));
    assert_eq!(
        read("12.255"),
        Err("must have at most 2 decimals".to_owned())
    );
    assert_eq!(
        read("744.01"),
        Err("must be at most 744 hours in a month".to_owned())
    );
    assert_eq!(
        read("100000"),
        Err("must be at most 744 hours in a month".to_owned())
    );
    for text in ["", ".5", "5.", "-1", "+1", "1e2", "1,5", " 1"] {
        assert_eq!(
            read(text),
            Err("must be a number of hours like 12.5".to_owned()),
            "{text:?}"
        );
    }
}

#[test]
fn a_valid_entry_is_kept_with_its_note_trimmed() {
    let entry = outcome_entry(draft(), &client(), today()).map_err(|e| e.to_string());
    let expected = OutcomeEntry {
        month: month("2026-10"),
        revenue: Revenue::new(123_450).unwrap_or_else(|e| panic!("{e}")),
        hours: Some(hours(1_250)),
        custom_hours: Some(hours(300)),
        energy: Energy::new(4).unwrap_or_else(|e| panic!("{e}")),
        note: Some(LongText::parse("steady month").unwrap_or_else(|e| panic!("{e}"))),
    };
    assert_eq!(entry, Ok(expected));
}

#[test]
fn a_blank_note_is_no_note_and_hours_are_optional() {
    let draft = OutcomeDraft {
        note: Some("   ".to_owned()),
        hours: None,
        custom_hours: None,
        revenue_minor: 0,
        ..draft()
    };
    let entry = outcome_entry(draft, &client(), today());
    assert_eq!(
        entry.map(|e| (e.note, e.hours, e.revenue.minor())),
        Ok((None, None, 0))
    );
}

#[test]
fn every_problem_of_an_entry_is_reported_by_field() {
    let draft = OutcomeDraft {
        month: month("2026-12"),
        revenue_minor: -1,
        hours: Some(hours(100)),
        custom_hours: Some(hours(101)),
        energy: 0,
        note: Some("n".repeat(2001)),
    };
    let errors = outcome_entry(draft, &client(), today()).map_err(|e| e.to_string());
    assert_eq!(
        errors,
        Err(
            "revenue: must not be negative; customHours: must not be more than hours; \
             energy: must be between 1 and 5; note: must be at most 2000 characters; \
             month: must not be after this month, 2026-11"
                .to_owned()
        )
    );
}

#[test]
fn custom_hours_need_hours_and_revenue_has_a_ceiling() {
    let draft = OutcomeDraft {
        hours: None,
        revenue_minor: 1_000_000_000_000_001,
        energy: -3,
        ..draft()
    };
    assert_eq!(
        fields(outcome_entry(draft, &client(), today())),
        ["revenue", "hours", "energy"]
    );
}

#[test]
fn the_month_lies_between_take_on_and_end_and_not_after_today() {
    let ended = ClientSpan {
        taken_on: date(2026, 3, 31),
        ended_on: Some(date(2026, 6, 1)),
    };
    let check = |text: &str| {
        let draft = OutcomeDraft {
            month: month(text),
            ..draft()
        };
        outcome_entry(draft, &ended, today())
            .map(|entry| entry.month.to_string())
            .map_err(|e| e.to_string())
    };
    // The months of take-on and of the end both count, whatever the day.
    assert_eq!(check("2026-03"), Ok("2026-03".to_owned()));
    assert_eq!(check("2026-06"), Ok("2026-06".to_owned()));
    assert_eq!(
        check("2026-02"),
        Err("month: must not be before the client was taken on, 2026-03".to_owned())
    );
    assert_eq!(
        check("2026-07"),
        Err("month: must not be after the client ended, 2026-06".to_owned())
    );
    assert_eq!(check("2026-11").map_err(|_| ()), Err(()));
    assert_eq!(
        outcome_entry(
            OutcomeDraft {
                month: month("2026-11"),
                ..draft()
            },
            &client(),
            today()
        )
        .map(|e| e.month),
        Ok(month("2026-11"))
    );
}

proptest! {
    /// Hours written with two decimals read back as the same hours.
    #[test]
    fn hours_written_then_read_are_the_same(hundredths in 0u32..=MAX_HOURS_HUNDREDTHS) {
        let written = hours(hundredths).to_string();
        prop_assert_eq!(Hours::parse_decimal(&written).map(Hours::hundredths), Ok(hundredths));
    }
}

/// What is stored outlives the code: a renamed field must fail here, not in production.
#[test]
fn an_entry_is_stored_in_this_exact_json_and_read_back() {
    let stored = r#"{"month":"2026-10","revenue":123450,"hours":1250,"customHours":300,"energy":4,"note":"steady month"}"#;
    let entry = outcome_entry(draft(), &client(), today()).map_err(|e| e.to_string());
    let written = entry
        .clone()
        .and_then(|entry| serde_json::to_string(&entry).map_err(|e| e.to_string()));
    assert_eq!(written.as_deref(), Ok(stored));
    let read = serde_json::from_str::<OutcomeEntry>(stored).map_err(|e| e.to_string());
    assert_eq!(read, entry);
    let out_of_range = stored.replace(r#""energy":4"#, r#""energy":6"#);
    assert!(serde_json::from_str::<OutcomeEntry>(&out_of_range).is_err());
}
