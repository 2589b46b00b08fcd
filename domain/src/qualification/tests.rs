//! Tests of verdicts, outlooks, re-qualification dates and the horizon.

use super::*;
use crate::AnswerValue::{self, Scale, YesNo};
use crate::test_support::{answer, criterion, date, definition, draft, fields, scale, yes_no};

fn today() -> NaiveDate {
    date(2026, 3, 15)
}

/// One 0..=100 scale scoring n * 100 bp, and a gate knocking out on "no".
fn percent_and_gate() -> Definition {
    definition(draft(vec![
        criterion("percent", 9, scale(0, 100, None)),
        criterion("gate", 1, yes_no(Some(false))),
    ]))
}

fn answers(percent: i32, gate: bool) -> Vec<AnswerDraft> {
    vec![
        answer("percent", Scale(percent)),
        answer("gate", YesNo(gate)),
    ]
}

fn outlook(answers: Vec<AnswerDraft>) -> OutlookDraft {
    OutlookDraft {
        answers,
        plan: "  Sell the standard package first. ".into(),
        requalify_by: None,
    }
}

fn qualified(answers: &[AnswerDraft], outlook: Option<&OutlookDraft>) -> QualificationResult {
    match qualify(&percent_and_gate(), answers, outlook, today()) {
        Ok(qualified) => qualified.result,
        Err(errors) => panic!("qualification should be valid: {errors}"),
    }
}

#[test]
fn a_client_now_is_accepted_without_a_date() {
    let result = qualified(&answers(100, true), None);
    assert_eq!(result.verdict, Verdict::Accept);
    assert_eq!(result.now.tier, Tier::A);
    assert_eq!(result.projected, result.now);
    assert_eq!((result.requalify_by, result.plan), (None, None));
}

#[test]
fn non_a_client_without_outlook_is_declined() {
    let result = qualified(&answers(50, true), None);
    assert_eq!(result.now.score_bp.get(), 5_500);
    assert_eq!(result.verdict, Verdict::Decline);
    assert_eq!(result.projected, result.now);
}

#[test]
fn outlook_reaching_a_is_accepted_with_plan_due_at_the_horizon() {
    let plan = outlook(vec![answer("percent", Scale(80))]);
    let result = qualified(&answers(50, true), Some(&plan));
    assert_eq!(
        (result.now.score_bp.get(), result.now.tier),
        (5_500, Tier::B)
    );
    assert_eq!(
        (result.projected.score_bp.get(), result.projected.tier),
        (8_200, Tier::A)
    );
    assert_eq!(result.verdict, Verdict::AcceptWithPlan);
    assert_eq!(result.requalify_by, Some(date(2026, 9, 15)));
    assert_eq!(
        result.plan.as_deref(),
        Some("Sell the standard package first.")
    );
}

#[test]
fn given_requalification_date_is_kept() {
    let mut plan = outlook(vec![answer("percent", Scale(80))]);
    plan.requalify_by = Some(date(2026, 6, 1));
    let result = qualified(&answers(50, true), Some(&plan));
    assert_eq!(result.requalify_by, Some(date(2026, 6, 1)));
}

#[test]
fn outlook_short_of_a_is_declined_but_keeps_its_projection_and_plan() {
    let plan = outlook(vec![answer("percent", Scale(60))]);
    let result = qualified(&answers(50, true), Some(&plan));
    assert_eq!(
        (result.projected.score_bp.get(), result.projected.tier),
        (6_400, Tier::B)
    );
    assert_eq!(result.verdict, Verdict::Decline);
    assert_eq!(result.requalify_by, None);
    assert!(result.plan.is_some());
}

#[test]
fn outlook_cannot_plan_past_a_knockout_it_does_not_change() {
    let plan = outlook(vec![answer("percent", Scale(100))]);
    let result = qualified(&answers(50, false), Some(&plan));
    assert_eq!(result.projected.uncapped_tier, Tier::A);
    assert_eq!(result.projected.tier, Tier::C);
    assert_eq!(result.verdict, Verdict::Decline);
    let fixed = outlook(vec![
        answer("percent", Scale(100)),
        answer("gate", YesNo(true)),
    ]);
    assert_eq!(
        qualified(&answers(50, false), Some(&fixed)).verdict,
        Verdict::AcceptWithPlan
    );
}

#[test]
fn a_client_now_stays_accepted_whatever_the_outlook() {
    let gloomy = outlook(vec![answer("percent", Scale(0))]);
    let result = qualified(&answers(90, true), Some(&gloomy));
    assert_eq!(result.verdict, Verdict::Accept);
    assert_eq!(result.projected.tier, Tier::C);
    assert_eq!(result.requalify_by, None);
}

/// Qualifies B-tier answers with an edited outlook and returns the offending fields.
fn check_outlook(edit: impl FnOnce(&mut OutlookDraft), expected_fields: &[&str]) {
    let mut plan = outlook(vec![answer("percent", Scale(80))]);
    edit(&mut plan);
    let actual = match qualify(
        &percent_and_gate(),
        &answers(50, true),
        Some(&plan),
        today(),
    ) {
        Ok(_) => Vec::new(),
        Err(errors) => errors.0.into_iter().map(|e| e.field).collect(),
    };
    assert_eq!(actual, expected_fields);
}

#[test]
fn outlook_answers_must_name_criteria_once_with_valid_values() {
    check_outlook(
        |o| o.answers.push(answer("nope", YesNo(true))),
        &["outlook.answers.1.key"],
    );
    check_outlook(
        |o| o.answers.push(answer("percent", Scale(90))),
        &["outlook.answers.1.key"],
    );
    check_outlook(
        |o| o.answers[0].value = Scale(101),
        &["outlook.answers.0.value"],
    );
    check_outlook(|o| o.answers.clear(), &[]);
}

#[test]
fn outlook_plan_needs_1_to_2000_characters() {
    check_outlook(|o| o.plan = "   ".into(), &["outlook.plan"]);
    check_outlook(|o| o.plan = "x".repeat(2000), &[]);
    check_outlook(|o| o.plan = "x".repeat(2001), &["outlook.plan"]);
}

#[test]
fn requalification_date_must_lie_between_today_and_the_horizon() {
    check_outlook(
        |o| o.requalify_by = Some(date(2026, 3, 14)),
        &["outlook.requalifyBy"],
    );
    check_outlook(|o| o.requalify_by = Some(date(2026, 3, 15)), &[]);
    check_outlook(|o| o.requalify_by = Some(date(2026, 9, 15)), &[]);
    check_outlook(
        |o| o.requalify_by = Some(date(2026, 9, 16)),
        &["outlook.requalifyBy"],
    );
}

#[test]
fn answer_and_outlook_problems_are_reported_together() {
    let mut plan = outlook(vec![answer("gate", Scale(1))]);
    plan.plan = String::new();
    let result = qualify(
        &percent_and_gate(),
        &answers(50, true)[..1],
        Some(&plan),
        today(),
    );
    assert_eq!(
        fields(result),
        ["answers", "outlook.answers.0.value", "outlook.plan"]
    );
}

#[test]
fn horizon_date_adds_months_clamping_to_the_month_end() {
    let cases = [
        (date(2026, 3, 15), 6, date(2026, 9, 15)),
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2027, 8, 31), 6, date(2028, 2, 29)),
        (date(2026, 10, 31), 24, date(2028, 10, 31)),
        (NaiveDate::MAX, 1, NaiveDate::MAX),
    ];
    for (today, months, expected) in cases {
        assert_eq!(
            horizon_date(today, months),
            expected,
            "{today} + {months} months"
        );
    }
}

#[test]
fn verdict_depends_on_tier_now_and_projected_tier_with_a_plan() {
    let cases = [
        (Tier::A, None, Verdict::Accept),
        (Tier::A, Some(Tier::C), Verdict::Accept),
        (Tier::B, Some(Tier::A), Verdict::AcceptWithPlan),
        (Tier::C, Some(Tier::A), Verdict::AcceptWithPlan),
        (Tier::B, Some(Tier::B), Verdict::Decline),
        (Tier::B, None, Verdict::Decline),
        (Tier::C, None, Verdict::Decline),
    ];
    for (now, projected, expected) in cases {
        assert_eq!(verdict(now, projected), expected, "{now:?} / {projected:?}");
    }
}

#[test]
fn qualification_keeps_the_answers_in_criteria_order_and_the_outlook_as_given() {
    let mut given = answers(50, true);
    given.reverse();
    let mut plan = outlook(vec![
        answer("gate", YesNo(true)),
        answer("percent", Scale(80)),
    ]);
    plan.requalify_by = Some(date(2026, 6, 1));
    let qualified = match qualify(&percent_and_gate(), &given, Some(&plan), today()) {
        Ok(qualified) => qualified,
        Err(errors) => panic!("qualification should be valid: {errors}"),
    };
    let keyed = |answers: &[Answer]| -> Vec<(String, AnswerValue)> {
        answers
            .iter()
            .map(|a| (a.key.as_str().to_owned(), a.value.clone()))
            .collect()
    };
    assert_eq!(
        keyed(&qualified.answers),
        [
            ("percent".to_owned(), Scale(50)),
            ("gate".to_owned(), YesNo(true))
        ]
    );
    let kept = qualified.outlook.as_ref().map(|o| keyed(&o.answers));
    assert_eq!(
        kept,
        Some(vec![
            ("percent".to_owned(), Scale(80)),
            ("gate".to_owned(), YesNo(true))
        ])
    );
    let kept = qualified.outlook.map(|o| (o.plan, o.requalify_by));
    assert_eq!(
        kept,
        Some((
            "  Sell the standard package first. ".to_owned(),
            Some(date(2026, 6, 1))
        )),
        "the plan and date as given; the result holds the trimmed plan"
    );
    assert_eq!(
        qualified.result.plan.as_deref(),
        Some("Sell the standard package first.")
    );
}
