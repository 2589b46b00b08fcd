//! Strategies generating valid definitions and answers (and variations of them).

use proptest::prelude::*;

use domain::{
    AnswerDraft, AnswerValue, ChoiceOption, ChoiceRule, CriterionDraft, DefinitionDraft,
    NumberBand, NumberBandsRule, OutlookDraft, Rule, ScaleRule, Tier, YesNoRule,
};

/// A valid definition draft and a complete set of valid answers to it.
#[derive(Debug, Clone)]
pub(crate) struct Scenario {
    pub(crate) draft: DefinitionDraft,
    pub(crate) answers: Vec<AnswerDraft>,
}

/// Points, often at the extremes so that criteria tie (and tie-breaking is exercised).
fn points() -> impl Strategy<Value = u32> {
    prop_oneof![Just(0), Just(100), 0..=100u32]
}

/// A weight, often small so that criteria tie.
fn weight() -> impl Strategy<Value = u32> {
    prop_oneof![Just(1), Just(2), 1..=100u32]
}

fn yes_no_rule() -> impl Strategy<Value = Rule> {
    (points(), points(), proptest::option::of(any::<bool>())).prop_map(
        |(yes_points, no_points, knockout_on)| {
            Rule::YesNo(YesNoRule {
                yes_points,
                no_points,
                knockout_on,
            })
        },
    )
}

/// Any span a scale may have: 1..=100.
fn any_span() -> BoxedStrategy<i32> {
    (1..=100i32).boxed()
}

/// Spans that divide 720720 (= lcm(1..=16)): 50 of the 100 allowed, primes up to 13
/// included, so that 50 criteria keep the test's own `i128` reference from overflowing.
fn divisor_span() -> BoxedStrategy<i32> {
    proptest::sample::select(
        (1..=100i32)
            .filter(|span| 720_720 % span == 0)
            .collect::<Vec<_>>(),
    )
    .boxed()
}

fn scale_rule(span: BoxedStrategy<i32>) -> impl Strategy<Value = Rule> {
    (-50..=50i32, span)
        .prop_flat_map(|(min, span)| (Just(min), Just(span), proptest::option::of(1..=span)))
        .prop_map(|(min, span, knockout_offset)| {
            Rule::Scale(ScaleRule {
                min,
                max: min + span,
                knockout_below: knockout_offset.map(|offset| min + offset),
            })
        })
}

fn choice_rule() -> impl Strategy<Value = Rule> {
    let option = (points(), proptest::bool::weighted(0.2));
    proptest::collection::vec(option, 2..=6).prop_map(|options| {
        let options = options
            .into_iter()
            .enumerate()
            .map(|(i, (points, knockout))| ChoiceOption {
                key: format!("o{i}"),
                label: format!("Option {i}"),
                points,
                knockout,
            });
        Rule::Choice(ChoiceRule {
            options: options.collect(),
        })
    })
}

fn number_bands_rule() -> impl Strategy<Value = Rule> {
    let points = proptest::collection::vec(points(), 1..=5);
    let knockout_below = proptest::option::of(-10_000..=20_000i64);
    (points, -10_000..=10_000i64, 1..=5_000i64, knockout_below).prop_map(
        |(points, start, step, knockout_below)| {
            // The first band is open below; the others start `step` apart.
            let mins = std::iter::once(None).chain((0..).map(|i| Some(start + i * step)));
            let bands = mins
                .zip(points)
                .map(|(min, points)| NumberBand { min, points });
            Rule::NumberBands(NumberBandsRule {
                bands: bands.collect(),
                knockout_below,
            })
        },
    )
}

fn rule(span: fn() -> BoxedStrategy<i32>) -> impl Strategy<Value = Rule> {
    prop_oneof![
        yes_no_rule(),
        scale_rule(span()),
        choice_rule(),
        number_bands_rule()
    ]
}

/// Any valid answer to `rule`, sometimes unknown.
pub(crate) fn value_for(rule: &Rule) -> BoxedStrategy<AnswerValue> {
    let known = match rule {
        Rule::YesNo(_) => any::<bool>().prop_map(AnswerValue::YesNo).boxed(),
        Rule::Scale(scale) => (scale.min..=scale.max).prop_map(AnswerValue::Scale).boxed(),
        Rule::Choice(choice) => {
            let keys: Vec<String> = choice.options.iter().map(|o| o.key.clone()).collect();
            proptest::sample::select(keys)
                .prop_map(AnswerValue::Choice)
                .boxed()
        }
        Rule::NumberBands(_) => (-20_000..=40_000i64).prop_map(AnswerValue::Number).boxed(),
    };
    prop_oneof![9 => known, 1 => Just(AnswerValue::Unknown)].boxed()
}

fn knockout_cap() -> impl Strategy<Value = Tier> {
    prop_oneof![Just(Tier::B), Just(Tier::C)]
}

/// 1..=8 criteria of every kind, scales of any span.
pub(crate) fn scenario() -> impl Strategy<Value = Scenario> {
    scenario_of(1..=8, any_span)
}

/// Up to 50 criteria (the most a definition may have), scales with spans from
/// [`divisor_span`].
pub(crate) fn large_scenario() -> impl Strategy<Value = Scenario> {
    scenario_of(1..=50, divisor_span)
}

fn scenario_of(
    count: std::ops::RangeInclusive<usize>,
    span: fn() -> BoxedStrategy<i32>,
) -> impl Strategy<Value = Scenario> {
    let criteria = proptest::collection::vec((weight(), rule(span)), count);
    let thresholds = (1..=100u32).prop_flat_map(|a| (Just(a), 0..a));
    (criteria, thresholds, knockout_cap())
        .prop_flat_map(|(criteria, thresholds, cap)| {
            let values: Vec<_> = criteria.iter().map(|(_, rule)| value_for(rule)).collect();
            (Just(criteria), Just(thresholds), Just(cap), values)
        })
        .prop_map(
            |(criteria, (threshold_a, threshold_b), knockout_cap, values)| {
                let keys: Vec<String> = (0..criteria.len()).map(|i| format!("c{i}")).collect();
                let criteria =
                    keys.iter()
                        .zip(criteria)
                        .map(|(key, (weight, rule))| CriterionDraft {
                            key: key.clone(),
                            label: key.to_uppercase(),
                            question: String::new(),
                            weight,
                            rule,
                        });
                let answers = keys.iter().zip(values).map(|(key, value)| AnswerDraft {
                    key: key.clone(),
                    value,
                });
                Scenario {
                    draft: DefinitionDraft {
                        criteria: criteria.collect(),
                        threshold_a,
                        threshold_b,
                        knockout_cap,
                        ..DefinitionDraft::default()
                    },
                    answers: answers.collect(),
                }
            },
        )
}

/// A scenario, one of its criteria, and another valid answer to that criterion.
pub(crate) fn scenario_with_alternative() -> impl Strategy<Value = (Scenario, usize, AnswerValue)> {
    scenario()
        .prop_flat_map(|s| {
            let count = s.answers.len();
            (Just(s), 0..count)
        })
        .prop_flat_map(|(s, index)| {
            let alternative = value_for(&s.draft.criteria[index].rule);
            (Just(s), Just(index), alternative)
        })
}

/// A scenario with its criteria and its answers each in another order.
pub(crate) fn scenario_with_permutations()
-> impl Strategy<Value = (Scenario, Vec<usize>, Vec<usize>)> {
    scenario().prop_flat_map(|s| {
        let order: Vec<usize> = (0..s.answers.len()).collect();
        (
            Just(s),
            Just(order.clone()).prop_shuffle(),
            Just(order).prop_shuffle(),
        )
    })
}

/// A scenario and an optional outlook overriding some of its answers.
pub(crate) fn scenario_with_outlook() -> impl Strategy<Value = (Scenario, Option<OutlookDraft>)> {
    scenario().prop_flat_map(|s| {
        let keys: Vec<String> = s.answers.iter().map(|a| a.key.clone()).collect();
        let overrides: Vec<_> = s
            .draft
            .criteria
            .iter()
            .map(|c| proptest::option::of(value_for(&c.rule)))
            .collect();
        let outlook = proptest::option::of(overrides)
            .prop_map(move |overrides| overrides.map(|values| outlook_from(&keys, values)));
        (Just(s), outlook)
    })
}

fn outlook_from(keys: &[String], values: Vec<Option<AnswerValue>>) -> OutlookDraft {
    let answers = keys.iter().zip(values).filter_map(|(key, value)| {
        value.map(|value| AnswerDraft {
            key: key.clone(),
            value,
        })
    });
    OutlookDraft {
        answers: answers.collect(),
        plan: "Win the yearly retainer.".into(),
        requalify_by: None,
    }
}
