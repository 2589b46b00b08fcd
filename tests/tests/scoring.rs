//! Scores, tiers, knockouts and the explanation over HTTP, against values worked out by hand
//! from the rules documented on `domain::score` and `domain::qualify` (basis points, floor, largest-remainder rounding, knockout cap).

use serde_json::{Value, json};

use crate::definitions::{Answers, number, scale, standard_definition, unknown, yes};
use crate::fixtures::Actor;
use crate::helpers::{TestApp, int_at, str_at};

pub struct Case {
    pub name: &'static str,
    pub answers: Answers,
    pub score_bp: i64,
    pub tier: &'static str,
    /// The tier the score alone gives, before any knockout cap.
    pub uncapped: &'static str,
    pub knockouts: &'static [&'static str],
    pub unknowns: &'static [&'static str],
    pub verdict: &'static str,
}

/// (key, pointsBasisPoints, weight, contributionBasisPoints, knockout, unknown)
type Row = (&'static str, i64, i64, i64, bool, bool);

fn rows(explanation: &Value) -> Vec<(String, i64, i64, i64, bool, bool)> {
    explanation
        .as_array()
        .unwrap_or_else(|| panic!("explanation is not a list: {explanation:#}"))
        .iter()
        .map(|c| {
            (
                str_at(c, "/key"),
                int_at(c, "/pointsBasisPoints"),
                int_at(c, "/weight"),
                int_at(c, "/contributionBasisPoints"),
                c["knockout"]
                    .as_bool()
                    .unwrap_or_else(|| panic!("knockout flag: {c:#}")),
                c["unknown"]
                    .as_bool()
                    .unwrap_or_else(|| panic!("unknown flag: {c:#}")),
            )
        })
        .collect()
}

pub fn expect_rows(explanation: &Value, expected: &[Row]) {
    let expected: Vec<_> = expected
        .iter()
        .map(|&(k, p, w, c, ko, u)| (k.to_owned(), p, w, c, ko, u))
        .collect();
    assert_eq!(rows(explanation), expected);
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {value:#}"))
        .iter()
        .map(|v| v.as_str().unwrap_or_default().to_owned())
        .collect()
}

/// Mentor, a template published from `definition`, a program on it, one enrolled mentee, one prospect.
pub async fn setup(app: &TestApp, definition: Value) -> (Actor, String) {
    let mentor = app.mentor().await;
    let (template_id, _) = app.create_template(&mentor, "Scoring", definition).await;
    let version_id = app.publish(&mentor, &template_id).await;
    let program_id = app.create_program(&mentor, &version_id).await;
    let (_, code) = app.create_invite(&mentor, &program_id, None).await;
    let mentee = app.sign_up(&code).await;
    let prospect = app.create_prospect(&mentee, &program_id, "Prospect").await;
    (mentee, prospect)
}

/// Qualifies with the case's answers and checks every computed value; returns the qualification.
pub async fn check(app: &TestApp, mentee: &Actor, prospect: &str, case: &Case) -> Value {
    let q = app.qualify(mentee, prospect, &case.answers, None).await["qualification"].clone();
    let name = case.name;
    assert_eq!(
        int_at(&q, "/scoreBasisPoints"),
        case.score_bp,
        "{name}: scoreBasisPoints"
    );
    let score = q["score"]
        .as_f64()
        .unwrap_or_else(|| panic!("{name}: score {q:#}"));
    assert!(
        (score - case.score_bp as f64 / 100.0).abs() < 1e-9,
        "{name}: score {score}"
    );
    assert_eq!(q["tier"], case.tier, "{name}: tier");
    assert_eq!(
        strings(&q["knockouts"]),
        case.knockouts,
        "{name}: knockouts"
    );
    assert_eq!(strings(&q["unknowns"]), case.unknowns, "{name}: unknowns");
    assert_eq!(q["uncappedTier"], case.uncapped, "{name}: uncappedTier");
    assert_eq!(q["verdict"], case.verdict, "{name}: verdict");
    // Without an outlook the projection is the present.
    assert_eq!(
        int_at(&q, "/projectedScoreBasisPoints"),
        case.score_bp,
        "{name}: projected"
    );
    assert_eq!(q["projectedTier"], case.tier, "{name}: projectedTier");
    assert_eq!(
        q["projectedKnockouts"], q["knockouts"],
        "{name}: projectedKnockouts"
    );
    assert_eq!(q["requalifyBy"], Value::Null, "{name}: requalifyBy");
    let explained: i64 = rows(&q["explanation"]).iter().map(|r| r.3).sum();
    assert_eq!(
        explained, case.score_bp,
        "{name}: contributions must sum to the score"
    );
    for c in q["explanation"].as_array().into_iter().flatten() {
        let points = c["points"]
            .as_f64()
            .unwrap_or_else(|| panic!("{name}: points {c:#}"));
        let bp = int_at(c, "/pointsBasisPoints") as f64;
        assert!(
            (points - bp / 100.0).abs() < 1e-9,
            "{name}: points vs basis points {c:#}"
        );
    }
    q
}

#[tokio::test]
async fn standard_template_scores_match_hand_computed_values() {
    let app = TestApp::spawn().await;
    let (mentee, prospect) = setup(&app, standard_definition("STRICT")).await;
    let worst = Answers::all_best()
        .with("decision_maker", yes(false))
        .with("values_expertise", scale(1))
        .with("speaks_our_language", scale(1))
        .with("revenue_fit", number(5_000))
        .with("standard_product", yes(false))
        .with("team_fit", scale(1))
        .with("growth", scale(1))
        .with("bhag_fit", scale(1))
        .with("energy", scale(1))
        .with("referral", yes(false));
    // Total weight 22; score = floor(sum(weight * points_bp) / 22).
    let cases = [
        Case {
            name: "all best",
            answers: Answers::all_best(),
            score_bp: 10_000,
            tier: "A",
            uncapped: "A",
            knockouts: &[],
            unknowns: &[],
            verdict: "ACCEPT",
        },
        // 167500 / 22 = 7613.6
        Case {
            name: "good",
            answers: Answers::good(),
            score_bp: 7613,
            tier: "A",
            uncapped: "A",
            knockouts: &[],
            unknowns: &[],
            verdict: "ACCEPT",
        },
        // 220000 - 30000 - 10000 - 15000 = 165000 / 22 = 7500 exactly: A is inclusive.
        Case {
            name: "exactly threshold A",
            answers: Answers::all_best()
                .with("values_expertise", scale(1))
                .with("speaks_our_language", scale(3))
                .with("revenue_fit", number(30_000)),
            score_bp: 7500,
            tier: "A",
            uncapped: "A",
            knockouts: &[],
            unknowns: &[],
            verdict: "ACCEPT",
        },
        // 135000 / 22 = 6136.4
        Case {
            name: "middling",
            answers: Answers::middling(),
            score_bp: 6136,
            tier: "B",
            uncapped: "B",
            knockouts: &[],
            unknowns: &[],
            verdict: "DECLINE",
        },
        // 220000 - 110000 = 110000 / 22 = 5000 exactly: B is inclusive.
        Case {
            name: "exactly threshold B",
            answers: Answers::all_best()
                .with("values_expertise", scale(1))
                .with("speaks_our_language", scale(1))
                .with("team_fit", scale(1))
                .with("growth", scale(1))
                .with("energy", scale(1))
                .with("referral", yes(false)),
            score_bp: 5000,
            tier: "B",
            uncapped: "B",
            knockouts: &[],
            unknowns: &[],
            verdict: "DECLINE",
        },
        // 190000 / 22 = 8636.4, tier A before the knockout caps it at C.
        Case {
            name: "knockout",
            answers: Answers::knocked_out(),
            score_bp: 8636,
            tier: "C",
            uncapped: "A",
            knockouts: &["decision_maker"],
            unknowns: &[],
            verdict: "DECLINE",
        },
        // 210000 / 22 = 9545.5: unknown scores 0 and is flagged; energy has no knockout.
        Case {
            name: "unknown energy",
            answers: Answers::all_best().with("energy", unknown()),
            score_bp: 9545,
            tier: "A",
            uncapped: "A",
            knockouts: &[],
            unknowns: &["energy"],
            verdict: "ACCEPT",
        },
        // Not knowing about a knockout criterion counts as hitting it.
        Case {
            name: "unknown on a knockout criterion",
            answers: Answers::all_best().with("standard_product", unknown()),
            score_bp: 8636,
            tier: "C",
            uncapped: "A",
            knockouts: &["standard_product"],
            unknowns: &["standard_product"],
            verdict: "DECLINE",
        },
        Case {
            name: "all worst",
            answers: worst,
            score_bp: 0,
            tier: "C",
            uncapped: "C",
            knockouts: &["decision_maker", "standard_product"],
            unknowns: &[],
            verdict: "DECLINE",
        },
        // Band edges: 9999 falls in the open lowest band (0), 10000 in the middle band (50).
        Case {
            name: "revenue just below a band",
            answers: Answers::all_best().with("revenue_fit", number(9_999)),
            score_bp: 8636,
            tier: "A",
            uncapped: "A",
            knockouts: &[],
            unknowns: &[],
            verdict: "ACCEPT",
        },
        Case {
            name: "revenue on a band edge",
            answers: Answers::all_best().with("revenue_fit", number(10_000)),
            score_bp: 9318,
            tier: "A",
            uncapped: "A",
            knockouts: &[],
            unknowns: &[],
            verdict: "ACCEPT",
        },
    ];
    for case in &cases {
        let q = check(&app, &mentee, &prospect, case).await;
        match case.name {
            // Floors 7608, remainder 5 to the largest remainders (18/22 x3, 16/22, then 14/22 by key).
            "good" => expect_rows(
                &q["explanation"],
                &[
                    ("decision_maker", 10_000, 3, 1364, false, false),
                    ("values_expertise", 7500, 3, 1023, false, false),
                    ("speaks_our_language", 7500, 2, 682, false, false),
                    ("revenue_fit", 5000, 3, 682, false, false),
                    ("standard_product", 10_000, 3, 1363, false, false),
                    ("team_fit", 10_000, 2, 909, false, false),
                    ("growth", 5000, 2, 454, false, false),
                    ("bhag_fit", 7500, 2, 682, false, false),
                    ("energy", 10_000, 1, 454, false, false),
                    ("referral", 0, 1, 0, false, false),
                ],
            ),
            // Floors 8633, remainder 3 to the three weight-3 criteria (14/22 each).
            "knockout" => expect_rows(
                &q["explanation"],
                &[
                    ("decision_maker", 0, 3, 0, true, false),
                    ("values_expertise", 10_000, 3, 1364, false, false),
                    ("speaks_our_language", 10_000, 2, 909, false, false),
                    ("revenue_fit", 10_000, 3, 1364, false, false),
                    ("standard_product", 10_000, 3, 1364, false, false),
                    ("team_fit", 10_000, 2, 909, false, false),
                    ("growth", 10_000, 2, 909, false, false),
                    ("bhag_fit", 10_000, 2, 909, false, false),
                    ("energy", 10_000, 1, 454, false, false),
                    ("referral", 10_000, 1, 454, false, false),
                ],
            ),
            _ => {}
        }
    }
    let history = app
        .data(mentee.tok(), "query($id: ID!) { node(id: $id) { ... on Prospect { qualifications(first: 100) { totalCount } } } }", json!({ "id": prospect }))
        .await;
    assert_eq!(
        int_at(&history, "/node/qualifications/totalCount"),
        cases.len() as i64,
        "every scoring is kept"
    );
}
