//! Choice, scale and number rules with their knockouts under a B cap, and the rounding tie-break.

use serde_json::{Value, json};

use crate::definitions::{Answers, number, scale, unknown};
use crate::helpers::TestApp;
use crate::scoring::{Case, check, expect_rows, setup};

/// Choice, scale and number knockouts under a B cap, with thresholds A 60 / B 40.
fn custom_definition() -> Value {
    json!({
        "criteria": [
            { "key": "plan", "label": "Plan", "weight": 1, "rule": { "choice": { "options": [
                { "key": "strategic", "label": "Strategic", "points": 100 },
                { "key": "standard", "label": "Standard", "points": 50 },
                { "key": "custom", "label": "Custom work", "points": 0, "knockout": true } ] } } },
            { "key": "size", "label": "Size", "weight": 1, "rule": { "scale": { "min": 0, "max": 10, "knockoutBelow": 3 } } },
            { "key": "budget", "label": "Budget", "weight": 1, "rule": { "numberBands": { "bands": [
                { "min": null, "points": 0 }, { "min": 1000, "points": 50 }, { "min": 5000, "points": 100 } ],
                "knockoutBelow": 500 } } }
        ],
        "thresholdA": 60, "thresholdB": 40, "horizonMonths": 3, "exceptionPolicy": "STRICT", "knockoutCap": "B"
    })
}

fn custom(plan: &str, size: Value, budget: i64) -> Answers {
    Answers::default()
        .with("plan", json!({ "choice": plan }))
        .with("size", size)
        .with("budget", number(budget))
}

#[tokio::test]
async fn every_rule_kind_scores_and_knocks_out_as_specified() {
    let app = TestApp::spawn().await;
    let (mentee, prospect) = setup(&app, custom_definition()).await;
    let cases = [
        Case {
            name: "top",
            answers: custom("strategic", scale(10), 5000),
            score_bp: 10_000,
            tier: "A",
            uncapped: "A",
            knockouts: &[],
            unknowns: &[],
            verdict: "ACCEPT",
        },
        // 5000 each: floors 1666 x3, remainder 2 goes to the smallest keys: budget, plan.
        Case {
            name: "tie",
            answers: custom("standard", scale(5), 1000),
            score_bp: 5000,
            tier: "B",
            uncapped: "B",
            knockouts: &[],
            unknowns: &[],
            verdict: "DECLINE",
        },
        // 22000 / 3 = 7333: A before the cap, B after it.
        Case {
            name: "scale knockout",
            answers: custom("strategic", scale(2), 5000),
            score_bp: 7333,
            tier: "B",
            uncapped: "A",
            knockouts: &["size"],
            unknowns: &[],
            verdict: "DECLINE",
        },
        Case {
            name: "scale on the knockout bound",
            answers: custom("strategic", scale(3), 5000),
            score_bp: 7666,
            tier: "A",
            uncapped: "A",
            knockouts: &[],
            unknowns: &[],
            verdict: "ACCEPT",
        },
        Case {
            name: "number knockout",
            answers: custom("strategic", scale(10), 400),
            score_bp: 6666,
            tier: "B",
            uncapped: "A",
            knockouts: &["budget"],
            unknowns: &[],
            verdict: "DECLINE",
        },
        Case {
            name: "choice knockout",
            answers: custom("custom", scale(10), 5000),
            score_bp: 6666,
            tier: "B",
            uncapped: "A",
            knockouts: &["plan"],
            unknowns: &[],
            verdict: "DECLINE",
        },
        // The cap never improves a tier: C stays C.
        Case {
            name: "c under a b cap",
            answers: custom("custom", scale(0), 400),
            score_bp: 0,
            tier: "C",
            uncapped: "C",
            knockouts: &["plan", "size", "budget"],
            unknowns: &[],
            verdict: "DECLINE",
        },
        Case {
            name: "unknown scale with a knockout",
            answers: custom("strategic", unknown(), 5000),
            score_bp: 6666,
            tier: "B",
            uncapped: "A",
            knockouts: &["size"],
            unknowns: &["size"],
            verdict: "DECLINE",
        },
    ];
    for case in &cases {
        let q = check(&app, &mentee, &prospect, case).await;
        if case.name == "tie" {
            expect_rows(
                &q["explanation"],
                &[
                    ("plan", 5000, 1, 1667, false, false),
                    ("size", 5000, 1, 1666, false, false),
                    ("budget", 5000, 1, 1667, false, false),
                ],
            );
        }
    }
}
