//! Tests of the score, tiers, knockouts and contribution rounding.

use super::*;
use crate::AnswerValue::{Scale, Unknown, YesNo};
use crate::CriterionDraft;
use crate::test_support::{answer, criterion, definition, draft, fields, scale, yes_no};

fn definition_capped_at(knockout_cap: Tier, criteria: Vec<CriterionDraft>) -> Definition {
    let mut draft = draft(criteria);
    draft.knockout_cap = knockout_cap;
    definition(draft)
}

fn assessed(def: &Definition, answers: &[Answer]) -> Assessment {
    match score(def, answers) {
        Ok(assessment) => assessment,
        Err(errors) => panic!("answers should be valid: {errors}"),
    }
}

fn contributions(assessment: &Assessment) -> Vec<(&str, u32)> {
    let explanation = assessment.explanation.iter();
    explanation
        .map(|c| (c.key.as_str(), c.contribution_bp))
        .collect()
}

#[test]
fn score_is_the_weighted_mean_rounded_down() {
    let def = definition(draft(vec![
        criterion("third", 1, scale(0, 3, None)),
        criterion("yes", 2, yes_no(None)),
    ]));
    let assessment = assessed(
        &def,
        &[answer("third", Scale(1)), answer("yes", YesNo(true))],
    );
    // (1 * 3333 + 2 * 10000) / 3 = 7777.67
    assert_eq!(assessment.score_bp, 7_777);
    assert_eq!(
        contributions(&assessment),
        [("third", 1_111), ("yes", 6_666)]
    );
}

#[test]
fn tier_follows_the_thresholds_inclusively() {
    // One 0..=100 scale: an answer of n scores exactly n * 100 bp.
    let def = definition(draft(vec![criterion("percent", 1, scale(0, 100, None))]));
    let cases = [
        (100, 10_000, Tier::A),
        (75, 7_500, Tier::A),
        (74, 7_400, Tier::B),
        (50, 5_000, Tier::B),
        (49, 4_900, Tier::C),
        (0, 0, Tier::C),
    ];
    for (percent, score_bp, tier) in cases {
        let assessment = assessed(&def, &[answer("percent", Scale(percent))]);
        let actual = (
            assessment.score_bp,
            assessment.tier,
            assessment.uncapped_tier,
        );
        assert_eq!(actual, (score_bp, tier, tier), "answer {percent}");
    }
}

/// `percent` (weight 99) and a `gate` (weight 1) that knocks out on "no".
fn gated(knockout_cap: Tier) -> Definition {
    definition_capped_at(
        knockout_cap,
        vec![
            criterion("percent", 99, scale(0, 100, None)),
            criterion("gate", 1, yes_no(Some(false))),
        ],
    )
}

#[test]
fn knockout_caps_the_tier_but_never_improves_it() {
    // (cap, percent, gate, score, uncapped tier, tier)
    let cases = [
        (Tier::C, 100, false, 9_900, Tier::A, Tier::C),
        (Tier::B, 100, false, 9_900, Tier::A, Tier::B),
        (Tier::B, 60, false, 5_940, Tier::B, Tier::B),
        (Tier::C, 60, false, 5_940, Tier::B, Tier::C),
        (Tier::B, 10, false, 990, Tier::C, Tier::C),
        (Tier::C, 100, true, 10_000, Tier::A, Tier::A),
    ];
    for (cap, percent, gate, score_bp, uncapped_tier, tier) in cases {
        let answers = [
            answer("percent", Scale(percent)),
            answer("gate", YesNo(gate)),
        ];
        let assessment = assessed(&gated(cap), &answers);
        let actual = (
            assessment.score_bp,
            assessment.uncapped_tier,
            assessment.tier,
        );
        assert_eq!(
            actual,
            (score_bp, uncapped_tier, tier),
            "cap {cap:?}, {percent}, {gate}"
        );
        let expected_knockouts: &[&str] = if gate { &[] } else { &["gate"] };
        let knockouts: Vec<&str> = assessment
            .knockouts
            .iter()
            .map(CriterionKey::as_str)
            .collect();
        assert_eq!(knockouts, expected_knockouts);
    }
}

#[test]
fn unknown_answer_on_a_knockout_criterion_counts_as_a_knockout() {
    let answers = [answer("percent", Scale(100)), answer("gate", Unknown)];
    let assessment = assessed(&gated(Tier::C), &answers);
    assert_eq!(assessment.score_bp, 9_900);
    assert_eq!(assessment.tier, Tier::C);
    assert_eq!(assessment.knockouts, [CriterionKey::from_static("gate")]);
    assert_eq!(assessment.unknowns, [CriterionKey::from_static("gate")]);
    let gate = &assessment.explanation[1];
    assert_eq!(
        (gate.points_bp, gate.knockout, gate.unknown),
        (0, true, true)
    );
}

#[test]
fn unknown_answer_without_a_knockout_is_only_flagged() {
    let answers = [answer("percent", Unknown), answer("gate", YesNo(true))];
    let assessment = assessed(&gated(Tier::C), &answers);
    assert_eq!((assessment.score_bp, assessment.tier), (100, Tier::C));
    assert!(assessment.knockouts.is_empty());
    assert_eq!(assessment.unknowns, [CriterionKey::from_static("percent")]);
}

#[test]
fn left_over_basis_points_go_to_the_smaller_key_on_equal_remainders() {
    let def = definition(draft(vec![
        criterion("b", 1, yes_no(None)),
        criterion("a", 1, yes_no(None)),
        criterion("c", 1, yes_no(None)),
    ]));
    let answers = [
        answer("a", YesNo(true)),
        answer("b", YesNo(true)),
        answer("c", YesNo(true)),
    ];
    let assessment = assessed(&def, &answers);
    // 10000 / 3 = 3333.33 each: the one left-over bp goes to key "a".
    assert_eq!(assessment.score_bp, 10_000);
    assert_eq!(
        contributions(&assessment),
        [("b", 3_333), ("a", 3_334), ("c", 3_333)]
    );
}

#[test]
fn left_over_basis_points_go_to_the_largest_remainder_first() {
    let def = definition(draft(vec![
        criterion("a", 1, yes_no(None)),
        criterion("b", 2, yes_no(None)),
    ]));
    let assessment = assessed(&def, &[answer("a", YesNo(true)), answer("b", YesNo(true))]);
    // Exact shares 3333.33 and 6666.67: "b" has the larger remainder.
    assert_eq!(contributions(&assessment), [("a", 3_333), ("b", 6_667)]);
}

#[test]
fn explanation_lists_every_criterion_in_definition_order() {
    let answers = [answer("gate", YesNo(true)), answer("percent", Scale(40))];
    let assessment = assessed(&gated(Tier::C), &answers);
    let percent = Contribution {
        key: CriterionKey::from_static("percent"),
        points_bp: 4_000,
        weight: 99,
        contribution_bp: 3_960,
        knockout: false,
        unknown: false,
    };
    let gate = Contribution {
        key: CriterionKey::from_static("gate"),
        points_bp: 10_000,
        weight: 1,
        contribution_bp: 100,
        knockout: false,
        unknown: false,
    };
    assert_eq!(assessment.explanation, [percent, gate]);
    assert_eq!(assessment.score_bp, 4_060);
}

#[test]
fn score_reports_every_answer_problem_by_path() {
    let answers = [
        answer("percent", YesNo(true)),
        answer("nope", YesNo(true)),
        answer("percent", Scale(1)),
    ];
    assert_eq!(
        fields(score(&gated(Tier::C), &answers)),
        [
            "answers.0.value",
            "answers.1.key",
            "answers.2.key",
            "answers"
        ]
    );
}
