//! Tests of rule checks: every limit, reported at its exact path.

use super::*;

/// Parses `rule` at path `rule` and compares the offending fields.
fn check(rule: Rule, expected_fields: &[&str]) {
    let mut problems = Problems::default();
    let parsed = parse_rule(rule.clone(), "rule", &mut problems);
    let fields = problems.finish(()).err().map(|e| e.0).unwrap_or_default();
    let fields: Vec<&str> = fields.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, expected_fields, "rule {rule:?}");
    if expected_fields.is_empty() {
        assert_eq!(parsed, rule);
    }
}

fn yes_no(yes_points: u32, no_points: u32) -> Rule {
    Rule::YesNo(YesNoRule {
        yes_points,
        no_points,
        knockout_on: Some(false),
    })
}

fn scale(min: i32, max: i32, knockout_below: Option<i32>) -> Rule {
    Rule::Scale(ScaleRule {
        min,
        max,
        knockout_below,
    })
}

fn option(key: &str, points: u32) -> ChoiceOption {
    ChoiceOption {
        key: key.into(),
        label: key.to_uppercase(),
        points,
        knockout: false,
    }
}

fn choice(options: Vec<ChoiceOption>) -> Rule {
    Rule::Choice(ChoiceRule { options })
}

fn bands(mins: &[Option<i64>]) -> Rule {
    let bands = mins.iter().map(|&min| NumberBand { min, points: 50 });
    Rule::NumberBands(NumberBandsRule {
        bands: bands.collect(),
        knockout_below: None,
    })
}

#[test]
fn yes_no_points_must_be_at_most_100() {
    check(yes_no(100, 0), &[]);
    check(yes_no(101, 0), &["rule.yesNo.yesPoints"]);
    check(yes_no(0, 101), &["rule.yesNo.noPoints"]);
    check(
        yes_no(200, 300),
        &["rule.yesNo.yesPoints", "rule.yesNo.noPoints"],
    );
}

#[test]
fn scale_needs_min_below_max_within_100() {
    check(scale(1, 5, None), &[]);
    check(scale(-50, 50, None), &[]);
    check(scale(5, 5, None), &["rule.scale.max"]);
    check(scale(5, 1, None), &["rule.scale.max"]);
    check(scale(0, 101, None), &["rule.scale.max"]);
    check(scale(i32::MIN, i32::MAX, None), &["rule.scale.max"]);
}

#[test]
fn scale_knockout_must_lie_above_min_and_at_most_max() {
    check(scale(1, 5, Some(2)), &[]);
    check(scale(1, 5, Some(5)), &[]);
    check(scale(1, 5, Some(1)), &["rule.scale.knockoutBelow"]);
    check(scale(1, 5, Some(6)), &["rule.scale.knockoutBelow"]);
}

#[test]
fn choice_needs_two_to_twenty_options() {
    check(choice(vec![option("a", 0), option("b", 100)]), &[]);
    check(choice(vec![option("a", 0)]), &["rule.choice.options"]);
    let many = (0..21).map(|i| option(&format!("o{i}"), 0)).collect();
    check(choice(many), &["rule.choice.options"]);
}

#[test]
fn choice_options_need_unique_slug_keys_labels_and_points_in_range() {
    check(
        choice(vec![
            option("same", 0),
            option("same", 10),
            option("Bad", 10),
        ]),
        &["rule.choice.options.1.key", "rule.choice.options.2.key"],
    );
    let mut unlabeled = option("b", 101);
    unlabeled.label = "  ".into();
    check(
        choice(vec![option("a", 0), unlabeled]),
        &[
            "rule.choice.options.1.label",
            "rule.choice.options.1.points",
        ],
    );
}

#[test]
fn choice_option_labels_are_trimmed() {
    let mut padded = option("a", 0);
    padded.label = "  Small  ".into();
    let mut problems = Problems::default();
    let parsed = parse_rule(choice(vec![padded, option("b", 1)]), "rule", &mut problems);
    assert!(problems.finish(()).is_ok());
    let Rule::Choice(parsed) = parsed else {
        panic!("a choice stays a choice");
    };
    assert_eq!(parsed.options[0].label, "Small");
}

#[test]
fn number_bands_start_open_and_ascend_strictly() {
    check(bands(&[None]), &[]);
    check(bands(&[None, Some(10_000), Some(50_000)]), &[]);
    check(bands(&[]), &["rule.numberBands.bands"]);
    check(bands(&[Some(0)]), &["rule.numberBands.bands.0.min"]);
    check(bands(&[None, None]), &["rule.numberBands.bands.1.min"]);
    check(
        bands(&[None, Some(10), Some(10), Some(5)]),
        &[
            "rule.numberBands.bands.2.min",
            "rule.numberBands.bands.3.min",
        ],
    );
    let mut twenty_one = vec![None];
    twenty_one.extend((1..=20).map(Some));
    check(bands(&twenty_one), &["rule.numberBands.bands"]);
}

#[test]
fn number_band_points_must_be_at_most_100() {
    let rule = Rule::NumberBands(NumberBandsRule {
        bands: vec![NumberBand {
            min: None,
            points: 101,
        }],
        knockout_below: Some(0),
    });
    check(rule, &["rule.numberBands.bands.0.points"]);
}

#[test]
fn has_knockout_reflects_each_rule_kind() {
    let mut knockout_option = option("b", 0);
    knockout_option.knockout = true;
    let cases = [
        (yes_no(100, 0), true),
        (
            Rule::YesNo(YesNoRule {
                yes_points: 100,
                no_points: 0,
                knockout_on: None,
            }),
            false,
        ),
        (scale(1, 5, Some(2)), true),
        (scale(1, 5, None), false),
        (choice(vec![option("a", 100), knockout_option]), true),
        (choice(vec![option("a", 100), option("b", 0)]), false),
        (bands(&[None]), false),
    ];
    for (rule, expected) in cases {
        assert_eq!(rule.has_knockout(), expected, "rule {rule:?}");
    }
}
