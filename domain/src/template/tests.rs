//! Tests of definition parsing: every limit, reported at its exact path.

use super::*;
use crate::test_support::{criterion, definition, draft, fields, scale, yes_no};

fn valid_draft() -> DefinitionDraft {
    draft(vec![
        criterion("decision_maker", 3, yes_no(Some(false))),
        criterion("energy", 1, scale(1, 5, None)),
    ])
}

/// Changes a valid draft with `edit` and compares the offending fields.
fn check(edit: impl FnOnce(&mut DefinitionDraft), expected_fields: &[&str]) {
    let mut draft = valid_draft();
    edit(&mut draft);
    let actual = match Definition::parse(draft) {
        Ok(_) => Vec::new(),
        Err(errors) => errors.0.into_iter().map(|e| e.field).collect(),
    };
    assert_eq!(actual, expected_fields);
}

#[test]
fn valid_draft_parses_and_round_trips_through_to_draft() {
    let parsed = definition(valid_draft());
    assert_eq!(parsed.to_draft(), valid_draft());
    assert_eq!(parsed.criteria().len(), 2);
    assert_eq!(parsed.threshold_a().get(), 75);
    assert_eq!(parsed.threshold_b().get(), 50);
    assert_eq!(parsed.horizon_months(), 6);
    assert_eq!(parsed.exception_policy(), ExceptionPolicy::Strict);
    assert_eq!(parsed.knockout_cap(), Tier::C);
}

#[test]
fn criterion_is_found_by_key() {
    let parsed = definition(valid_draft());
    let energy = parsed
        .criterion("energy")
        .map(|c| (c.label(), c.weight().get()));
    assert_eq!(energy, Some(("Label of energy", 1)));
    assert_eq!(parsed.criterion("missing"), None);
}

#[test]
fn labels_and_questions_are_trimmed() {
    let mut padded = valid_draft();
    padded.criteria[0].label = "  Decision maker ".into();
    padded.criteria[0].question = "\tWho decides?\n".into();
    let parsed = definition(padded);
    assert_eq!(parsed.criteria()[0].label(), "Decision maker");
    assert_eq!(parsed.criteria()[0].question(), "Who decides?");
}

#[test]
fn criteria_count_must_be_between_1_and_50() {
    check(|d| d.criteria.clear(), &["criteria"]);
    check(
        |d| {
            d.criteria = (0..50)
                .map(|i| criterion(&format!("c{i}"), 1, yes_no(None)))
                .collect();
        },
        &[],
    );
    check(
        |d| {
            d.criteria = (0..51)
                .map(|i| criterion(&format!("c{i}"), 1, yes_no(None)))
                .collect();
        },
        &["criteria"],
    );
}

#[test]
fn criterion_keys_must_be_unique_slugs() {
    check(
        |d| d.criteria[1].key = "decision_maker".into(),
        &["criteria.1.key"],
    );
    check(
        |d| d.criteria[0].key = "Decision Maker".into(),
        &["criteria.0.key"],
    );
    check(|d| d.criteria[0].key = String::new(), &["criteria.0.key"]);
}

#[test]
fn weight_must_be_between_1_and_100() {
    check(|d| d.criteria[0].weight = 0, &["criteria.0.weight"]);
    check(|d| d.criteria[0].weight = 100, &[]);
    check(|d| d.criteria[1].weight = 101, &["criteria.1.weight"]);
}

#[test]
fn label_needs_1_to_200_characters_and_question_at_most_1000() {
    check(|d| d.criteria[0].label = " ".into(), &["criteria.0.label"]);
    check(|d| d.criteria[0].label = "é".repeat(200), &[]);
    check(
        |d| d.criteria[0].label = "é".repeat(201),
        &["criteria.0.label"],
    );
    check(|d| d.criteria[0].question = String::new(), &[]);
    check(|d| d.criteria[0].question = "?".repeat(1000), &[]);
    check(
        |d| d.criteria[0].question = "?".repeat(1001),
        &["criteria.0.question"],
    );
}

#[test]
fn rule_errors_are_reported_under_the_criterion() {
    check(
        |d| d.criteria[1].rule = scale(5, 1, None),
        &["criteria.1.rule.scale.max"],
    );
}

#[test]
fn thresholds_must_satisfy_b_below_a_at_most_100() {
    check(|d| (d.threshold_a, d.threshold_b) = (100, 0), &[]);
    check(|d| (d.threshold_a, d.threshold_b) = (1, 0), &[]);
    check(|d| d.threshold_a = 101, &["thresholdA"]);
    check(|d| d.threshold_b = 75, &["thresholdB"]);
    check(|d| d.threshold_b = 80, &["thresholdB"]);
    check(|d| (d.threshold_a, d.threshold_b) = (0, 0), &["thresholdB"]);
}

#[test]
fn horizon_must_be_between_1_and_24_months() {
    check(|d| d.horizon_months = 0, &["horizonMonths"]);
    check(|d| d.horizon_months = 1, &[]);
    check(|d| d.horizon_months = 24, &[]);
    check(|d| d.horizon_months = 25, &["horizonMonths"]);
}

#[test]
fn knockout_cap_of_a_is_rejected() {
    check(|d| d.knockout_cap = Tier::A, &["knockoutCap"]);
    check(|d| d.knockout_cap = Tier::B, &[]);
}

#[test]
fn every_problem_is_reported_at_once() {
    let mut broken = valid_draft();
    broken.criteria[0].key = "bad key".into();
    broken.criteria[0].weight = 0;
    broken.criteria[1].label = String::new();
    broken.threshold_a = 200;
    broken.horizon_months = 0;
    broken.knockout_cap = Tier::A;
    assert_eq!(
        fields(Definition::parse(broken)),
        [
            "criteria.0.key",
            "criteria.0.weight",
            "criteria.1.label",
            "thresholdA",
            "horizonMonths",
            "knockoutCap"
        ]
    );
}

#[test]
fn default_draft_holds_the_methods_defaults() {
    let defaults = DefinitionDraft::default();
    assert_eq!(
        (
            defaults.threshold_a,
            defaults.threshold_b,
            defaults.horizon_months,
            defaults.exception_policy,
            defaults.knockout_cap
        ),
        (75, 50, 6, ExceptionPolicy::Strict, Tier::C)
    );
    assert!(defaults.criteria.is_empty());
}
