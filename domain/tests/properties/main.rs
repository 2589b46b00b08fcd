//! Property tests of the scoring rules, through the public API only.

mod paths;
mod reference;
mod strategies;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

use domain::{
    AnswerDraft, AnswerValue, Assessment, CriterionDraft, Definition, DefinitionDraft, Rule, Tier,
    Verdict, YesNoRule, qualify, score,
};
use reference::{Expected, Ratio, expected, parts, scenario_parts};
use strategies::{
    Scenario, large_scenario, scenario, scenario_with_alternative, scenario_with_outlook,
    scenario_with_permutations,
};

fn parse(draft: DefinitionDraft) -> Result<Definition, TestCaseError> {
    Definition::parse(draft).map_err(|errors| TestCaseError::fail(errors.to_string()))
}

fn assess(def: &Definition, answers: &[AnswerDraft]) -> Result<Assessment, TestCaseError> {
    score(def, answers).map_err(|errors| TestCaseError::fail(errors.to_string()))
}

fn contributions_by_key(assessment: &Assessment) -> BTreeMap<String, u32> {
    let explanation = assessment.explanation.iter();
    explanation
        .map(|c| (c.key.to_string(), c.contribution_bp.get()))
        .collect()
}

proptest! {
    #[test]
    fn score_lies_between_0_and_10000(s in scenario()) {
        let assessment = assess(&parse(s.draft)?, &s.answers)?;
        prop_assert!(assessment.score_bp.get() <= 10_000);
        prop_assert!(assessment.explanation.iter().all(|c| c.points_bp.get() <= 10_000));
    }

    #[test]
    fn raising_one_answers_points_never_lowers_the_score(
        (s, index, alternative) in scenario_with_alternative()
    ) {
        let def = parse(s.draft)?;
        let before = assess(&def, &s.answers)?;
        let mut changed = s.answers.clone();
        changed[index].value = alternative;
        let after = assess(&def, &changed)?;
        let (lower, higher) = if after.explanation[index].points_bp.get() >= before.explanation[index].points_bp.get() {
            (before, after)
        } else {
            (after, before)
        };
        prop_assert!(higher.score_bp.get() >= lower.score_bp.get());
    }

    #[test]
    fn a_knockout_never_yields_tier_a(s in scenario()) {
        let cap = s.draft.knockout_cap;
        let assessment = assess(&parse(s.draft)?, &s.answers)?;
        if assessment.knockouts.is_empty() {
            prop_assert_eq!(assessment.tier, assessment.uncapped_tier);
        } else {
            prop_assert_ne!(assessment.tier, Tier::A);
            prop_assert_eq!(assessment.tier, assessment.uncapped_tier.worse(cap));
        }
    }

    #[test]
    fn a_hit_knockout_caps_even_a_perfect_score(s in scenario(), weight in 1..=100u32) {
        let cap = s.draft.knockout_cap;
        let mut draft = s.draft;
        let mut answers = s.answers;
        draft.criteria.push(CriterionDraft {
            key: "gate".into(),
            label: "Gate".into(),
            question: String::new(),
            weight,
            rule: Rule::YesNo(YesNoRule { yes_points: 100, no_points: 100, knockout_on: Some(false) }),
        });
        answers.push(AnswerDraft { key: "gate".into(), value: AnswerValue::YesNo(false) });
        let assessment = assess(&parse(draft)?, &answers)?;
        prop_assert!(assessment.knockouts.iter().any(|key| key.as_str() == "gate"));
        prop_assert_ne!(assessment.tier, Tier::A);
        prop_assert!(assessment.tier.rank() >= cap.rank());
    }

    #[test]
    fn criteria_order_does_not_change_the_result(
        (s, criteria_order, answer_order) in scenario_with_permutations()
    ) {
        let original = assess(&parse(s.draft.clone())?, &s.answers)?;
        let mut draft = s.draft.clone();
        draft.criteria = criteria_order.iter().map(|&i| s.draft.criteria[i].clone()).collect();
        let answers: Vec<AnswerDraft> = answer_order.iter().map(|&i| s.answers[i].clone()).collect();
        let permuted = assess(&parse(draft)?, &answers)?;
        prop_assert_eq!(permuted.score_bp.get(), original.score_bp.get());
        prop_assert_eq!(permuted.tier, original.tier);
        prop_assert_eq!(permuted.uncapped_tier, original.uncapped_tier);
        prop_assert_eq!(contributions_by_key(&permuted), contributions_by_key(&original));
    }

    #[test]
    fn contributions_add_up_to_the_score_exactly(s in scenario()) {
        let assessment = assess(&parse(s.draft)?, &s.answers)?;
        let sum: u32 = assessment.explanation.iter().map(|c| c.contribution_bp.get()).sum();
        prop_assert_eq!(sum, assessment.score_bp.get());
    }

    #[test]
    fn score_is_the_exact_mean_rounded_down_once(s in scenario()) {
        check_against_reference(&s)?;
    }

    #[test]
    fn score_of_up_to_50_criteria_is_the_exact_mean_rounded_down_once(s in large_scenario()) {
        check_against_reference(&s)?;
    }

    #[test]
    fn a_threshold_at_the_exact_score_is_reached_and_one_above_it_is_not(s in scenario()) {
        let exact = expected(&s.draft, &scenario_parts(&s)).score;
        // The largest whole threshold the exact score reaches, and the next one up.
        let reached = u32::try_from(exact.floor()).unwrap_or(0);
        for (threshold_a, reaches) in [(reached, true), (reached + 1, false)] {
            if !(1..=100).contains(&threshold_a) {
                continue;
            }
            let mut draft = s.draft.clone();
            draft.threshold_a = threshold_a;
            draft.threshold_b = threshold_a - 1;
            let assessment = assess(&parse(draft)?, &s.answers)?;
            prop_assert_eq!(assessment.uncapped_tier == Tier::A, reaches);
            // The rounded score tells the same: it is below threshold x 100 exactly when
            // the exact score is.
            prop_assert_eq!(assessment.score_bp.get() >= threshold_a * 100, reaches);
        }
    }

    #[test]
    fn projected_score_follows_the_same_exact_rule((s, outlook) in scenario_with_outlook()) {
        let def = parse(s.draft.clone())?;
        let today = NaiveDate::from_ymd_opt(2026, 3, 15)
            .ok_or_else(|| TestCaseError::fail("invalid date"))?;
        let result = qualify(&def, &s.answers, outlook.as_ref(), today)
            .map_err(|errors| TestCaseError::fail(errors.to_string()))?
            .result;
        let projected_parts = parts(&s.draft, |key| {
            let changed = outlook.iter().flat_map(|o| &o.answers).find(|a| a.key == key);
            let now = s.answers.iter().find(|a| a.key == key);
            changed.or(now).map_or(AnswerValue::Unknown, |a| a.value.clone())
        });
        compare(&result.projected, &expected(&s.draft, &projected_parts))?;
        compare(&result.now, &expected(&s.draft, &scenario_parts(&s)))?;
        prop_assert_eq!(result.scoring_rule, domain::ScoringRule::ExactFractions);
    }

    #[test]
    fn verdict_is_consistent_with_the_tiers((s, outlook) in scenario_with_outlook()) {
        let def = parse(s.draft)?;
        let today = NaiveDate::from_ymd_opt(2026, 3, 15)
            .ok_or_else(|| TestCaseError::fail("invalid date"))?;
        let result = qualify(&def, &s.answers, outlook.as_ref(), today)
            .map_err(|errors| TestCaseError::fail(errors.to_string()))?
            .result;
        let now_a = result.now.tier == Tier::A;
        let projected_a = result.projected.tier == Tier::A;
        prop_assert_eq!(result.verdict == Verdict::Accept, now_a);
        if result.verdict == Verdict::AcceptWithPlan {
            prop_assert!(projected_a && !now_a && outlook.is_some());
        }
        if result.verdict == Verdict::Decline {
            // Without an outlook the projection is the tier now.
            prop_assert!(!now_a && !projected_a);
        }
        prop_assert_eq!(result.requalify_by.is_some(), result.verdict == Verdict::AcceptWithPlan);
        if outlook.is_none() {
            prop_assert_eq!(&result.projected, &result.now);
        }
    }
}

/// Scores the scenario and holds the result to the reference.
fn check_against_reference(s: &Scenario) -> Result<(), TestCaseError> {
    let assessment = assess(&parse(s.draft.clone())?, &s.answers)?;
    compare(&assessment, &expected(&s.draft, &scenario_parts(s)))
}

fn compare(assessment: &Assessment, expected: &Expected) -> Result<(), TestCaseError> {
    prop_assert_eq!(i128::from(assessment.score_bp.get()), expected.score_bp);
    // floor(exact x 100): the rounded score is at most the exact one, by less than 1 bp.
    let rounded = Ratio::int(expected.score_bp);
    let exact_bp = expected.score.times(100);
    prop_assert_ne!(rounded.cmp(exact_bp), std::cmp::Ordering::Greater);
    prop_assert_eq!(
        rounded.add(Ratio::int(1)).cmp(exact_bp),
        std::cmp::Ordering::Greater
    );
    prop_assert_eq!(assessment.uncapped_tier, expected.uncapped_tier);
    prop_assert_eq!(assessment.tier, expected.tier);
    let knockouts: Vec<String> = assessment.knockouts.iter().map(|k| k.to_string()).collect();
    prop_assert_eq!(&knockouts, &expected.knockouts);
    let contributions: Vec<i128> = assessment
        .explanation
        .iter()
        .map(|c| i128::from(c.contribution_bp.get()))
        .collect();
    prop_assert_eq!(&contributions, &expected.contributions);
    Ok(())
}
