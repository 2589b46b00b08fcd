//! Property tests of the scoring rules, through the public API only.

mod strategies;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

use domain::{
    Answer, AnswerValue, Assessment, CriterionDraft, Definition, DefinitionDraft, Rule, Tier,
    Verdict, YesNoRule, qualify, score,
};
use strategies::{
    scenario, scenario_with_alternative, scenario_with_outlook, scenario_with_permutations,
};

fn parse(draft: DefinitionDraft) -> Result<Definition, TestCaseError> {
    Definition::parse(draft).map_err(|errors| TestCaseError::fail(errors.to_string()))
}

fn assess(def: &Definition, answers: &[Answer]) -> Result<Assessment, TestCaseError> {
    score(def, answers).map_err(|errors| TestCaseError::fail(errors.to_string()))
}

fn contributions_by_key(assessment: &Assessment) -> BTreeMap<String, u32> {
    let explanation = assessment.explanation.iter();
    explanation
        .map(|c| (c.key.to_string(), c.contribution_bp))
        .collect()
}

proptest! {
    #[test]
    fn score_lies_between_0_and_10000(s in scenario()) {
        let assessment = assess(&parse(s.draft)?, &s.answers)?;
        prop_assert!(assessment.score_bp <= 10_000);
        prop_assert!(assessment.explanation.iter().all(|c| c.points_bp <= 10_000));
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
        let (lower, higher) = if after.explanation[index].points_bp >= before.explanation[index].points_bp {
            (before, after)
        } else {
            (after, before)
        };
        prop_assert!(higher.score_bp >= lower.score_bp);
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
        answers.push(Answer { key: "gate".into(), value: AnswerValue::YesNo(false) });
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
        let answers: Vec<Answer> = answer_order.iter().map(|&i| s.answers[i].clone()).collect();
        let permuted = assess(&parse(draft)?, &answers)?;
        prop_assert_eq!(permuted.score_bp, original.score_bp);
        prop_assert_eq!(permuted.tier, original.tier);
        prop_assert_eq!(permuted.uncapped_tier, original.uncapped_tier);
        prop_assert_eq!(contributions_by_key(&permuted), contributions_by_key(&original));
    }

    #[test]
    fn contributions_add_up_to_the_score_exactly(s in scenario()) {
        let assessment = assess(&parse(s.draft)?, &s.answers)?;
        let total_weight: u32 = assessment.explanation.iter().map(|c| c.weight).sum();
        let sum: u32 = assessment.explanation.iter().map(|c| c.contribution_bp).sum();
        prop_assert_eq!(sum, assessment.score_bp);
        for c in &assessment.explanation {
            // Each share is its exact share rounded down, or one more.
            let floor = c.weight * c.points_bp / total_weight;
            prop_assert!(c.contribution_bp == floor || c.contribution_bp == floor + 1);
        }
    }

    #[test]
    fn verdict_is_consistent_with_the_tiers((s, outlook) in scenario_with_outlook()) {
        let def = parse(s.draft)?;
        let today = NaiveDate::from_ymd_opt(2026, 3, 15)
            .ok_or_else(|| TestCaseError::fail("invalid date"))?;
        let result = qualify(&def, &s.answers, outlook.as_ref(), today)
            .map_err(|errors| TestCaseError::fail(errors.to_string()))?;
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
