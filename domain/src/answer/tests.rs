//! Tests of answer evaluation per rule kind and of matching answers to criteria.

use super::*;
use crate::test_support::{answer, bands, choice, criterion, definition, draft, scale, yes_no};

use AnswerValue::{Choice, Number, Scale, Unknown, YesNo};

/// Evaluates `value` under `rule`: `Ok((points rounded down, knockout))` or the error message.
fn check(rule: &Rule, value: AnswerValue, expected: Result<(u32, bool), &str>) {
    let actual = evaluate(rule, &value);
    let actual = actual
        .as_ref()
        .map(|e| (e.points.floor(), e.knockout))
        .map_err(String::as_str);
    assert_eq!(actual, expected, "{value:?} under {rule:?}");
}

#[test]
fn yes_no_answer_earns_its_points_and_may_knock_out() {
    let rule = Rule::YesNo(YesNoRule {
        yes_points: 100,
        no_points: 25,
        knockout_on: Some(false),
    });
    check(&rule, YesNo(true), Ok((10_000, false)));
    check(&rule, YesNo(false), Ok((2_500, true)));
    check(&yes_no(Some(true)), YesNo(true), Ok((10_000, true)));
    check(&yes_no(None), YesNo(false), Ok((0, false)));
}

#[test]
fn scale_answer_maps_linearly_rounding_down() {
    let one_to_five = scale(1, 5, None);
    check(&one_to_five, Scale(1), Ok((0, false)));
    check(&one_to_five, Scale(2), Ok((2_500, false)));
    check(&one_to_five, Scale(3), Ok((5_000, false)));
    check(&one_to_five, Scale(5), Ok((10_000, false)));
    let zero_to_three = scale(0, 3, None);
    check(&zero_to_three, Scale(1), Ok((3_333, false)));
    check(&zero_to_three, Scale(2), Ok((6_666, false)));
    check(&scale(-10, 10, None), Scale(-5), Ok((2_500, false)));
}

#[test]
fn scale_answer_keeps_its_exact_fraction() {
    let cases = [
        (scale(0, 3, None), 1, Points::share(10_000, 1, 3)),
        (scale(0, 3, None), 2, Points::share(10_000, 2, 3)),
        (scale(-50, 50, None), 50, Points::share(10_000, 100, 100)),
        (scale(1, 8, None), 4, Points::share(10_000, 3, 7)),
    ];
    for (rule, value, expected) in cases {
        let points = evaluate(&rule, &Scale(value)).map(|e| e.points);
        assert_eq!(points, Ok(expected), "{value} under {rule:?}");
    }
}

/// An answer as a qualification keeps it.
fn stored(key: &'static str, value: AnswerValue) -> Answer {
    Answer {
        key: CriterionKey::from_static(key),
        value,
    }
}

fn three_criteria() -> Definition {
    definition(draft(vec![
        criterion("first", 1, yes_no(None)),
        criterion("second", 1, scale(1, 5, None)),
        criterion("third", 1, yes_no(None)),
    ]))
}

#[test]
fn stored_answers_are_put_in_criteria_order_whatever_order_they_were_stored_in() {
    let given = [
        stored("third", YesNo(true)),
        stored("stray", YesNo(true)),
        stored("first", Unknown),
        stored("second", Scale(2)),
    ];
    let sorted = in_criteria_order(&three_criteria(), &given);
    let keys: Vec<&str> = sorted.iter().map(|a| a.key.as_str()).collect();
    assert_eq!(keys, ["first", "second", "third", "stray"]);
    assert_eq!(
        sorted[1],
        stored("second", Scale(2)),
        "values travel with their keys"
    );
}

#[test]
fn checked_answers_come_in_criteria_order_keyed_by_their_criteria() {
    let def = three_criteria();
    let drafts = [
        answer("third", YesNo(true)),
        answer("first", Unknown),
        answer("second", Scale(2)),
    ];
    let mut problems = Problems::default();
    let slots = evaluate_answers(&def, &drafts, "answers", &mut problems);
    assert!(problems.finish(()).is_ok());
    assert_eq!(
        checked_answers(&def, &drafts, &slots),
        [
            stored("first", Unknown),
            stored("second", Scale(2)),
            stored("third", YesNo(true)),
        ]
    );
}

#[test]
fn checked_answers_leave_out_the_unanswered_and_the_invalid() {
    let def = three_criteria();
    let drafts = [answer("third", YesNo(true)), answer("second", Scale(9))];
    let mut problems = Problems::default();
    let slots = evaluate_answers(&def, &drafts, "answers", &mut problems);
    assert_eq!(
        checked_answers(&def, &drafts, &slots),
        [stored("third", YesNo(true))]
    );
}

#[test]
fn scale_answer_outside_range_is_rejected() {
    let one_to_five = scale(1, 5, None);
    check(&one_to_five, Scale(0), Err("must be between 1 and 5"));
    check(&one_to_five, Scale(6), Err("must be between 1 and 5"));
    check(
        &one_to_five,
        Scale(i32::MIN),
        Err("must be between 1 and 5"),
    );
}

#[test]
fn scale_answer_below_knockout_threshold_knocks_out() {
    let rule = scale(1, 5, Some(3));
    check(&rule, Scale(2), Ok((2_500, true)));
    check(&rule, Scale(3), Ok((5_000, false)));
}

#[test]
fn choice_answer_earns_the_options_points() {
    let rule = choice(&[
        ("small", 20, false),
        ("custom", 0, true),
        ("large", 100, false),
    ]);
    check(&rule, Choice("small".into()), Ok((2_000, false)));
    check(&rule, Choice("custom".into()), Ok((0, true)));
    check(&rule, Choice("large".into()), Ok((10_000, false)));
    check(
        &rule,
        Choice("huge".into()),
        Err("must be one of: small, custom, large"),
    );
}

#[test]
fn number_answer_falls_in_the_band_with_the_greatest_min_at_or_below_it() {
    let rule = bands(
        &[(None, 0), (Some(10_000), 50), (Some(50_000), 100)],
        Some(1_000),
    );
    check(&rule, Number(i64::MIN), Ok((0, true)));
    check(&rule, Number(999), Ok((0, true)));
    check(&rule, Number(1_000), Ok((0, false)));
    check(&rule, Number(9_999), Ok((0, false)));
    check(&rule, Number(10_000), Ok((5_000, false)));
    check(&rule, Number(49_999), Ok((5_000, false)));
    check(&rule, Number(50_000), Ok((10_000, false)));
    check(&rule, Number(i64::MAX), Ok((10_000, false)));
}

#[test]
fn unknown_answer_scores_zero_and_knocks_out_where_a_knockout_exists() {
    check(&yes_no(Some(false)), Unknown, Ok((0, true)));
    check(&yes_no(None), Unknown, Ok((0, false)));
    check(&scale(1, 5, Some(2)), Unknown, Ok((0, true)));
    check(
        &choice(&[("a", 100, false), ("b", 100, true)]),
        Unknown,
        Ok((0, true)),
    );
    check(&bands(&[(None, 100)], None), Unknown, Ok((0, false)));
    let evaluation = evaluate(&scale(1, 5, None), &Unknown);
    assert_eq!(evaluation.map(|e| e.unknown), Ok(true));
}

#[test]
fn answer_of_another_kind_is_rejected() {
    check(&yes_no(None), Scale(1), Err("must be a yes/no answer"));
    check(
        &scale(1, 5, None),
        YesNo(true),
        Err("must be a scale answer"),
    );
    check(
        &choice(&[("a", 1, false), ("b", 2, false)]),
        Number(1),
        Err("must be a choice answer"),
    );
    check(
        &bands(&[(None, 1)], None),
        Choice("a".into()),
        Err("must be a number answer"),
    );
}

fn two_criteria() -> Definition {
    definition(draft(vec![
        criterion("first", 1, yes_no(None)),
        criterion("second", 1, scale(1, 5, None)),
    ]))
}

/// Runs `evaluate_answers` and `require_all` and returns the offending fields.
fn problem_fields(answers: &[AnswerDraft]) -> Vec<String> {
    let def = two_criteria();
    let mut problems = Problems::default();
    let slots = evaluate_answers(&def, answers, "answers", &mut problems);
    require_all(&def, &slots, "answers", &mut problems);
    match problems.finish(()) {
        Ok(()) => Vec::new(),
        Err(errors) => errors
            .0
            .into_iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect(),
    }
}

#[test]
fn answers_are_matched_to_criteria_by_key_in_any_order() {
    let def = two_criteria();
    let mut problems = Problems::default();
    let answers = [answer("second", Scale(5)), answer("first", YesNo(false))];
    let slots = evaluate_answers(&def, &answers, "answers", &mut problems);
    let points: Vec<u32> = require_all(&def, &slots, "answers", &mut problems)
        .iter()
        .map(|e| e.points.floor())
        .collect();
    assert_eq!(points, [0, 10_000]);
    assert!(problems.finish(()).is_ok());
}

#[test]
fn unknown_repeated_and_missing_keys_are_reported_by_path() {
    assert_eq!(
        problem_fields(&[
            answer("first", YesNo(true)),
            answer("first", YesNo(false)),
            answer("third", YesNo(true)),
        ]),
        [
            "answers.1.key: is answered more than once",
            "answers.2.key: is not a criterion of this template",
            "answers: missing answers for: second",
        ]
    );
    assert_eq!(
        problem_fields(&[]),
        ["answers: missing answers for: first, second"]
    );
}

#[test]
fn a_key_that_is_not_a_slug_is_reported_as_not_a_criterion() {
    assert_eq!(
        problem_fields(&[
            answer("First", YesNo(true)),
            answer("", YesNo(true)),
            answer("first", YesNo(true)),
            answer("second field", Scale(2)),
            answer("second", Scale(2)),
        ]),
        [
            "answers.0.key: is not a criterion of this template",
            "answers.1.key: is not a criterion of this template",
            "answers.3.key: is not a criterion of this template",
        ]
    );
}

#[test]
fn invalid_value_is_reported_once_and_not_as_missing() {
    assert_eq!(
        problem_fields(&[answer("first", YesNo(true)), answer("second", Scale(9))]),
        ["answers.1.value: must be between 1 and 5"]
    );
}
