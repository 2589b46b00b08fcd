//! Worked examples with the A-client standard template.

use chrono::NaiveDate;

use super::*;
use crate::AnswerValue::{Number, Scale, Unknown, YesNo};
use crate::test_support::{answer, date};
use crate::{AnswerDraft, AnswerValue, Assessment, Tier, Verdict, qualify, score};

/// The best answer to every criterion.
fn best_answers() -> Vec<AnswerDraft> {
    vec![
        answer("decision_maker", YesNo(true)),
        answer("values_expertise", Scale(5)),
        answer("speaks_our_language", Scale(5)),
        answer("revenue_fit", Number(80_000)),
        answer("standard_product", YesNo(true)),
        answer("team_fit", Scale(5)),
        answer("growth", Scale(5)),
        answer("bhag_fit", Scale(5)),
        answer("energy", Scale(5)),
        answer("referral", YesNo(true)),
    ]
}

fn with(mut answers: Vec<AnswerDraft>, key: &str, value: AnswerValue) -> Vec<AnswerDraft> {
    for answer in &mut answers {
        if answer.key == key {
            answer.value = value.clone();
        }
    }
    answers
}

fn assessed(answers: &[AnswerDraft]) -> Assessment {
    match score(&a_client_standard(), answers) {
        Ok(assessment) => assessment,
        Err(errors) => panic!("answers should be valid: {errors}"),
    }
}

fn today() -> NaiveDate {
    date(2026, 3, 15)
}

#[test]
fn standard_template_is_a_valid_definition() {
    let standard = a_client_standard();
    assert_eq!(Definition::parse(standard.to_draft()), Ok(standard));
}

#[test]
fn standard_template_has_the_documented_criteria_and_weights() {
    let standard = a_client_standard();
    let criteria: Vec<(&str, u32, bool)> = standard
        .criteria()
        .iter()
        .map(|c| (c.key().as_str(), c.weight().get(), c.rule().has_knockout()))
        .collect();
    assert_eq!(
        criteria,
        [
            ("decision_maker", 3, true),
            ("values_expertise", 3, false),
            ("speaks_our_language", 2, false),
            ("revenue_fit", 3, false),
            ("standard_product", 3, true),
            ("team_fit", 2, false),
            ("growth", 2, false),
            ("bhag_fit", 2, false),
            ("energy", 1, false),
            ("referral", 1, false),
        ]
    );
    assert_eq!(
        (standard.threshold_a().get(), standard.threshold_b().get()),
        (75, 50)
    );
    assert_eq!(standard.horizon_months(), 6);
    assert_eq!(standard.exception_policy(), crate::ExceptionPolicy::Strict);
    assert_eq!(standard.knockout_cap(), Tier::C);
}

#[test]
fn all_best_answers_score_10000_tier_a_and_are_accepted() {
    let assessment = assessed(&best_answers());
    assert_eq!(
        (assessment.score_bp.get(), assessment.tier),
        (10_000, Tier::A)
    );
    // Weight 3: 1363.64 -> 1364 (largest remainders), weight 2: 909.09 -> 909,
    // weight 1: 454.55 -> 454. 4 x 1364 + 4 x 909 + 2 x 454 = 10000.
    let shares: Vec<u32> = assessment
        .explanation
        .iter()
        .map(|c| c.contribution_bp.get())
        .collect();
    assert_eq!(
        shares,
        [1364, 1364, 909, 1364, 1364, 909, 909, 909, 454, 454]
    );

    let result = qualify(&a_client_standard(), &best_answers(), None, today());
    assert_eq!(result.map(|r| r.result.verdict), Ok(Verdict::Accept));
}

#[test]
fn no_direct_access_to_the_decision_maker_caps_a_high_score_at_c() {
    let answers = with(best_answers(), "decision_maker", YesNo(false));
    let assessment = assessed(&answers);
    // 19 of 22 weight at full points: 190000 / 22 = 8636.36.
    assert_eq!(assessment.score_bp.get(), 8_636);
    assert_eq!(
        (assessment.uncapped_tier, assessment.tier),
        (Tier::A, Tier::C)
    );
    assert_eq!(
        assessment.knockouts,
        [CriterionKey::from_static("decision_maker")]
    );

    let result = qualify(&a_client_standard(), &answers, None, today());
    assert_eq!(result.map(|r| r.result.verdict), Ok(Verdict::Decline));
}

#[test]
fn not_knowing_whether_custom_work_is_needed_is_a_knockout() {
    let assessment = assessed(&with(best_answers(), "standard_product", Unknown));
    assert_eq!(
        (assessment.score_bp.get(), assessment.tier),
        (8_636, Tier::C)
    );
    assert_eq!(
        assessment.knockouts,
        [CriterionKey::from_static("standard_product")]
    );
    assert_eq!(
        assessment.unknowns,
        [CriterionKey::from_static("standard_product")]
    );
}

#[test]
fn revenue_fit_bands_score_0_50_and_100_points() {
    let cases = [
        (0, 0),
        (9_999, 0),
        (10_000, 5_000),
        (49_999, 5_000),
        (50_000, 10_000),
    ];
    for (revenue, points_bp) in cases {
        let assessment = assessed(&with(best_answers(), "revenue_fit", Number(revenue)));
        assert_eq!(
            assessment.explanation[3].points_bp.get(),
            points_bp,
            "revenue {revenue}"
        );
    }
}

#[test]
fn referral_of_a_b_client_with_a_plan_is_accepted_with_plan() {
    let answers = vec![
        answer("decision_maker", YesNo(true)),
        answer("values_expertise", Scale(4)),
        answer("speaks_our_language", Scale(3)),
        answer("revenue_fit", Number(30_000)),
        answer("standard_product", YesNo(true)),
        answer("team_fit", Scale(4)),
        answer("growth", Scale(3)),
        answer("bhag_fit", Scale(3)),
        answer("energy", Scale(4)),
        answer("referral", YesNo(true)),
    ];
    let outlook = crate::OutlookDraft {
        answers: vec![answer("revenue_fit", Number(60_000))],
        plan: "Move them onto the yearly retainer after the pilot.".into(),
        requalify_by: None,
    };
    let result = match qualify(&a_client_standard(), &answers, Some(&outlook), today()) {
        Ok(qualified) => qualified.result,
        Err(errors) => panic!("{errors}"),
    };
    // Now 160000 / 22 = 7272.7; with 60k revenue 175000 / 22 = 7954.5.
    assert_eq!(
        (result.now.score_bp.get(), result.now.tier),
        (7_272, Tier::B)
    );
    assert_eq!(
        (result.projected.score_bp.get(), result.projected.tier),
        (7_954, Tier::A)
    );
    assert_eq!(result.verdict, Verdict::AcceptWithPlan);
    assert_eq!(result.requalify_by, Some(date(2026, 9, 15)));
}

#[test]
fn every_built_in_has_a_unique_slug_key_a_valid_name_and_a_definition_that_parses() {
    let mut keys: Vec<&str> = BUILT_INS.iter().map(|b| b.key).collect();
    keys.sort_unstable();
    keys.dedup();
    assert_eq!(keys.len(), BUILT_INS.len(), "duplicate built-in keys");
    for built in BUILT_INS {
        assert!(
            crate::CriterionKey::parse(built.key).is_ok(),
            "{}",
            built.key
        );
        assert!(
            crate::DisplayName::parse(built.name).is_ok(),
            "{}",
            built.name
        );
        assert!(crate::LongText::parse(built.description).is_ok());
        let parsed = Definition::parse(built.definition().to_draft());
        assert_eq!(parsed.ok(), Some(built.definition()), "{}", built.key);
    }
}

#[test]
fn the_a_client_standard_is_found_by_its_key_and_nothing_else_is() {
    let found = built_in("a_client_standard").map(BuiltIn::definition);
    assert_eq!(found, Some(a_client_standard()));
    assert!(built_in("A-client standard").is_none());
    assert!(built_in("").is_none());
}
