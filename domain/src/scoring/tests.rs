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

fn assessed(def: &Definition, answers: &[AnswerDraft]) -> Assessment {
    match score(def, answers) {
        Ok(assessment) => assessment,
        Err(errors) => panic!("answers should be valid: {errors}"),
    }
}

fn contributions(assessment: &Assessment) -> Vec<(&str, u32)> {
    let explanation = assessment.explanation.iter();
    explanation
        .map(|c| (c.key.as_str(), c.contribution_bp.get()))
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
    // (1 * 3333 1/3 + 2 * 10000) / 3 = 7777.78
    assert_eq!(assessment.score_bp.get(), 7_777);
    assert_eq!(
        contributions(&assessment),
        [("third", 1_111), ("yes", 6_666)]
    );
}

/// A 0..=3 scale (weight 3) and a yes/no (weight 1); tier B from 25.
fn third_and_yes_no() -> Definition {
    let mut draft = draft(vec![
        criterion("scale", 3, scale(0, 3, None)),
        criterion("yes", 1, yes_no(None)),
    ]);
    draft.threshold_b = 25;
    definition(draft)
}

#[test]
fn a_third_weighted_three_and_a_no_scores_exactly_25_and_reaches_tier_b() {
    let def = third_and_yes_no();
    let assessment = assessed(
        &def,
        &[answer("scale", Scale(1)), answer("yes", YesNo(false))],
    );
    // 3 x 3333 1/3 / 4 = 2500 exactly; rounding each answer first gave 2499 and tier C.
    assert_eq!(assessment.score_bp.get(), 2_500);
    assert_eq!(
        (assessment.tier, assessment.uncapped_tier),
        (Tier::B, Tier::B)
    );
    assert_eq!(contributions(&assessment), [("scale", 2_500), ("yes", 0)]);
    // The explanation still shows the answer's points rounded down.
    assert_eq!(assessment.explanation[0].points_bp.get(), 3_333);
}

#[test]
fn exact_scores_on_the_edge_of_a_tier_decide_it() {
    // (scale answer, yes, score_bp, tier): the exact score against thresholds 75 / 25.
    let def = third_and_yes_no();
    let cases = [
        (1, false, 2_500, Tier::B),
        (0, true, 2_500, Tier::B),
        (2, false, 5_000, Tier::B),
        (3, false, 7_500, Tier::A),
        (2, true, 7_500, Tier::A),
        (0, false, 0, Tier::C),
    ];
    for (value, yes, score_bp, tier) in cases {
        let assessment = assessed(
            &def,
            &[answer("scale", Scale(value)), answer("yes", YesNo(yes))],
        );
        assert_eq!(
            (assessment.score_bp.get(), assessment.tier),
            (score_bp, tier),
            "scale {value}, yes {yes}"
        );
    }
}

#[test]
fn several_scales_round_once_instead_of_losing_more_than_a_basis_point() {
    let def = definition(draft(vec![
        criterion("sevenths", 2, scale(0, 7, None)),
        criterion("ninths", 3, scale(0, 9, None)),
    ]));
    let assessment = assessed(
        &def,
        &[answer("sevenths", Scale(3)), answer("ninths", Scale(8))],
    );
    // (2 x 30000/7 + 3 x 80000/9) / 5 = 7047.62; per-answer rounding gave 7046.
    assert_eq!(assessment.score_bp.get(), 7_047);
    // Shares 1714.29 and 5333.33: floors 7047, nothing left over.
    assert_eq!(
        contributions(&assessment),
        [("sevenths", 1_714), ("ninths", 5_333)]
    );
    assert_eq!(
        assessment
            .explanation
            .iter()
            .map(|c| c.points_bp.get())
            .collect::<Vec<_>>(),
        [4_285, 8_888]
    );
}

#[test]
fn left_over_basis_points_follow_the_exact_remainders() {
    let def = definition(draft(vec![
        criterion("a", 1, scale(0, 2, None)),
        criterion("b", 2, scale(0, 7, None)),
    ]));
    let assessment = assessed(&def, &[answer("a", Scale(1)), answer("b", Scale(2))]);
    // Shares 5000/3 = 1666.67 and 2 x 20000/7 / 3 = 1904.76; exact score 3571.43.
    // The left-over bp goes to b (.76 > .67); with b's points rounded first (2857) the
    // remainders would tie at .67 and the smaller key, a, would have taken it.
    assert_eq!(assessment.score_bp.get(), 3_571);
    assert_eq!(contributions(&assessment), [("a", 1_666), ("b", 1_905)]);
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
            assessment.score_bp.get(),
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
            assessment.score_bp.get(),
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
    assert_eq!(assessment.score_bp.get(), 9_900);
    assert_eq!(assessment.tier, Tier::C);
    assert_eq!(assessment.knockouts, [CriterionKey::from_static("gate")]);
    assert_eq!(assessment.unknowns, [CriterionKey::from_static("gate")]);
    let gate = &assessment.explanation[1];
    assert_eq!(
        (gate.points_bp.get(), gate.knockout, gate.unknown),
        (0, true, true)
    );
}

#[test]
fn unknown_answer_without_a_knockout_is_only_flagged() {
    let answers = [answer("percent", Unknown), answer("gate", YesNo(true))];
    let assessment = assessed(&gated(Tier::C), &answers);
    assert_eq!((assessment.score_bp.get(), assessment.tier), (100, Tier::C));
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
    assert_eq!(assessment.score_bp.get(), 10_000);
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
        points_bp: BasisPoints::known(4_000),
        weight: Weight::known(99),
        contribution_bp: BasisPoints::known(3_960),
        knockout: false,
        unknown: false,
    };
    let gate = Contribution {
        key: CriterionKey::from_static("gate"),
        points_bp: BasisPoints::known(10_000),
        weight: Weight::known(1),
        contribution_bp: BasisPoints::known(100),
        knockout: false,
        unknown: false,
    };
    assert_eq!(assessment.explanation, [percent, gate]);
    assert_eq!(assessment.score_bp.get(), 4_060);
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
