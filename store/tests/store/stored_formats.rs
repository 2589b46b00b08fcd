//! Golden fixtures of the JSON columns the store keeps: what today's code writes, frozen
//! in `store/tests/fixtures/stored/` (one array element per stored row), read back
//! through the same serde path the store reads the column with. They are `json_format` 1
//! (`store::codes::JSON_FORMAT`; `json_format.rs` holds the tag itself): a new format gets
//! fixtures of its own next to these, which stay.
//!
//! A failing test here means rows already in production would no longer read back, or
//! new rows would be written differently: add a migration or a serde alias; never
//! regenerate a fixture to make the test pass.

use std::fmt::Debug;

use chrono::NaiveDate;
use domain::{
    Answer, AnswerValue, Assessment, BasisPoints, BiasCheck, ChoiceOption, ChoiceRule,
    Contribution, CriterionKey, NumberBand, NumberBandsRule, Outlook, Rule, ScaleRule, Tier,
    Weight, YesNoRule,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Reads each row of `fixture` the way the store reads the column
/// (`serde_json::from_value`), checks it is the value expected, and checks that today's
/// code writes that value (`serde_json::to_value`) as exactly the stored JSON.
fn check_rows<T>(column: &str, fixture: &str, expected: &[T])
where
    T: Serialize + DeserializeOwned + PartialEq + Debug,
{
    let Value::Array(rows) = serde_json::from_str(fixture).expect("fixture is JSON") else {
        panic!("the {column} fixture is an array of stored rows");
    };
    assert_eq!(rows.len(), expected.len(), "{column}: rows in the fixture");
    for (index, (stored, value)) in rows.into_iter().zip(expected).enumerate() {
        let read: T = serde_json::from_value(stored.clone()).unwrap_or_else(|err| {
            panic!(
                "{column} row {index} no longer reads back ({err}): rows in production are \
                 stored in this format; add a migration or a serde alias instead of changing it"
            )
        });
        assert_eq!(
            &read, value,
            "{column} row {index} reads back as another value"
        );
        assert_eq!(
            serde_json::to_value(value).unwrap(),
            stored,
            "{column} row {index} is now written differently: rows in production are stored \
             in this format; add a migration or a serde alias instead of changing it"
        );
    }
}

fn key(key: &str) -> CriterionKey {
    CriterionKey::parse(key).unwrap()
}

fn answer(key: &str, value: AnswerValue) -> Answer {
    Answer {
        key: self::key(key),
        value,
    }
}

#[test]
fn qualification_answers_of_every_kind_read_back_from_their_stored_json() {
    check_rows(
        "qualifications.answers",
        include_str!("../fixtures/stored/answers.json"),
        &[vec![
            answer("decision_maker", AnswerValue::YesNo(true)),
            answer("urgency", AnswerValue::Scale(4)),
            answer("engagement", AnswerValue::Choice("retainer".to_owned())),
            answer("budget", AnswerValue::Number(120_000)),
            answer("references", AnswerValue::Unknown),
        ]],
    );
}

#[test]
fn outlooks_with_and_without_a_requalify_date_read_back_from_their_stored_json() {
    check_rows(
        "qualifications.outlook",
        include_str!("../fixtures/stored/outlook.json"),
        &[
            Outlook {
                answers: vec![
                    answer("urgency", AnswerValue::Scale(5)),
                    answer("budget", AnswerValue::Number(250_000)),
                ],
                plan: "Propose a paid discovery phase first.".to_owned(),
                requalify_by: NaiveDate::from_ymd_opt(2027, 3, 31),
            },
            Outlook {
                answers: Vec::new(),
                plan: "Wait for the new budget year.".to_owned(),
                requalify_by: None,
            },
        ],
    );
}

#[test]
fn computed_assessments_read_back_from_their_stored_explanation_json() {
    let bp = |value| BasisPoints::new(value).unwrap();
    let contribution = |name, points_bp, weight, contribution_bp, knockout, unknown| Contribution {
        key: key(name),
        points_bp: bp(points_bp),
        weight: Weight::new(weight).unwrap(),
        contribution_bp: bp(contribution_bp),
        knockout,
        unknown,
    };
    check_rows(
        "qualifications.explanation and projected_explanation",
        include_str!("../fixtures/stored/explanation.json"),
        &[
            Assessment {
                score_bp: bp(6120),
                tier: Tier::C,
                uncapped_tier: Tier::B,
                knockouts: vec![key("decision_maker")],
                unknowns: vec![key("references")],
                explanation: vec![
                    contribution("decision_maker", 0, 3, 0, true, false),
                    contribution("urgency", 6666, 2, 2222, false, false),
                    contribution("references", 0, 1, 0, true, true),
                ],
            },
            Assessment {
                score_bp: bp(10_000),
                tier: Tier::A,
                uncapped_tier: Tier::A,
                knockouts: Vec::new(),
                unknowns: Vec::new(),
                explanation: vec![contribution("budget", 10_000, 1, 10_000, false, false)],
            },
        ],
    );
}

#[test]
fn criterion_rules_of_every_kind_read_back_from_their_stored_json() {
    let option = |key: &str, label: &str, points, knockout| ChoiceOption {
        key: key.to_owned(),
        label: label.to_owned(),
        points,
        knockout,
    };
    check_rows(
        "criteria.rule",
        include_str!("../fixtures/stored/criterion_rule.json"),
        &[
            Rule::YesNo(YesNoRule {
                yes_points: 100,
                no_points: 0,
                knockout_on: Some(false),
            }),
            Rule::YesNo(YesNoRule {
                yes_points: 60,
                no_points: 40,
                knockout_on: None,
            }),
            Rule::Scale(ScaleRule {
                min: 1,
                max: 5,
                knockout_below: Some(2),
            }),
            Rule::Scale(ScaleRule {
                min: 0,
                max: 10,
                knockout_below: None,
            }),
            Rule::Choice(ChoiceRule {
                options: vec![
                    option("retainer", "Monthly retainer", 100, false),
                    option("one_off", "One-off project", 0, true),
                ],
            }),
            Rule::NumberBands(NumberBandsRule {
                bands: vec![
                    NumberBand {
                        min: None,
                        points: 0,
                    },
                    NumberBand {
                        min: Some(50_000),
                        points: 50,
                    },
                    NumberBand {
                        min: Some(200_000),
                        points: 100,
                    },
                ],
                knockout_below: Some(10_000),
            }),
            Rule::NumberBands(NumberBandsRule {
                bands: vec![NumberBand {
                    min: None,
                    points: 100,
                }],
                knockout_below: None,
            }),
        ],
    );
}

#[test]
fn bias_checks_read_back_from_their_stored_json() {
    check_rows(
        "decisions.bias_check",
        include_str!("../fixtures/stored/bias_check.json"),
        &[
            BiasCheck {
                flattered: true,
                wants_to_please: false,
                fears_losing_work: true,
                only_because_we_can: false,
                needs_custom_work: true,
            },
            BiasCheck {
                flattered: false,
                wants_to_please: true,
                fears_losing_work: false,
                only_because_we_can: true,
                needs_custom_work: false,
            },
        ],
    );
}
