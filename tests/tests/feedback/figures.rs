//! The world's figures, worked out by hand from the table in `feedback.rs`.
//!
//! Revenue: A1 12000.00 (3 months), A2 6000.00 (2), B1 3000.00 (2), B2 1000.00 (1),
//! C1 2000.00 (2); total 24000.00.
//!
//! - By tier: A 18000 = 7500 bp exactly; B 4000 = 1666.67; C 2000 = 833.33. Rounded down
//!   7500 + 1666 + 833 = 9999: the missing basis point goes to the largest remainder, B
//!   (.67 against C's .33): 7500, 1667, 833.
//! - By path: RULE 22000 = 9166.67, EXCEPTION 2000 = 833.33: 9167 and 833.
//! - The head reaches 80 % of 24000 = 19200: A1 (12000), A2 (18000), B1 (21000): 3 of 5
//!   clients, 6000 bp.
//! - Per tier: A has 18000.00 over 70 hours = 257.142 -> "257.14" an hour, custom 10 of 70
//!   hours = 1428.57 -> 1428 bp, energy (5+5+4+4+4) / 5 = 4.40. B: 4000.00 over 30 hours
//!   (B2 gave none) = 133.33, custom 12 / 30 = 4000 bp, energy (3+3+3) / 3 = 3.00. C:
//!   2000.00 over 80 hours = 25.00, custom 60 / 80 = 7500 bp, energy (2+1) / 2 = 1.50.
//! - Calibration: A 2 head / 0 tail, B 1 / 1 (B1 in, B2 out), C 0 / 1. Precision: 2 of
//!   the 2 A-clients in the head = 10000; recall: 2 of the 3 head clients were A = 6666.
//! - Criteria (intake points; B's intake is `middling` now, not the plan):
//!   `decision_maker`: yes (100) for A1, A2, B1, B2; no (0) for C1. Scored well: 22000.00
//!   over 3+2+2+1 = 8 months = 2750.00 a month; below: C1's 2000.00 over 2 = 1000.00.
//!   `referral`: no (0) for A and B, yes (100) for C1: the same groups the other way round.
//!   `values_expertise`: 4 (75) for A, 3 (50, scored well: 50 points is the split) for B,
//!   5 for C: all five scored well, 24000.00 / 10 months = 2400.00; below: none, `null`.
//! - Cost of exceptions. RULE: 4 clients, 22000.00 / 8 months = 2750.00 a month; 22000.00
//!   over 100 hours = 220.00 an hour; custom 22 / 100 = 2200 bp; energy 31 / 8 = 3.875 ->
//!   "3.87"; none ended early: 0. EXCEPTION: C1, 1000.00 a month, 25.00 an hour, 7500 bp
//!   custom, energy 1.50, ended early (we exited): 10000.

use serde_json::{Value, json};

use super::{Loop, month};

/// What the mentee and the mentor read for the world's three months.
pub fn expected(l: &Loop) -> Value {
    let eur = |amount: &str| json!({ "amount": amount, "currencyCode": "EUR" });
    let amount = |amount: &str| json!({ "amount": amount });
    let group = |clients: i64, mean: Option<&str>| json!({ "clients": clients, "meanMonthlyRevenue": mean.map(eur) });
    let criterion = |key: &str, well: Value, below: Value| json!({ "key": key, "scoredWell": well, "scoredBelow": below });
    json!({
        "from": month(2),
        "to": month(0),
        "currencyCode": "EUR",
        "clientCount": 5,
        "pareto": {
            "totalRevenue": eur("24000.00"),
            "byTier": [
                { "tier": "A", "revenue": amount("18000.00"), "shareBasisPoints": 7500 },
                { "tier": "B", "revenue": amount("4000.00"), "shareBasisPoints": 1667 },
                { "tier": "C", "revenue": amount("2000.00"), "shareBasisPoints": 833 },
            ],
            "byPath": [
                { "path": "RULE", "revenue": amount("22000.00"), "shareBasisPoints": 9167 },
                { "path": "EXCEPTION", "revenue": amount("2000.00"), "shareBasisPoints": 833 },
            ],
            "aShareBasisPoints": 7500,
            "aShareTargetBasisPoints": 8000,
            "headClientCount": 3,
            "headShareOfClientsBasisPoints": 6000,
            "head": [
                { "id": l.a1, "name": "A1" },
                { "id": l.a2, "name": "A2" },
                { "id": l.b1, "name": "B1" },
            ],
            "tierFigures": [
                { "tier": "A", "clients": 2, "revenuePerHour": amount("257.14"),
                  "customWorkShareBasisPoints": 1428, "meanEnergy": "4.40" },
                { "tier": "B", "clients": 2, "revenuePerHour": amount("133.33"),
                  "customWorkShareBasisPoints": 4000, "meanEnergy": "3.00" },
                { "tier": "C", "clients": 1, "revenuePerHour": amount("25.00"),
                  "customWorkShareBasisPoints": 7500, "meanEnergy": "1.50" },
            ],
        },
        "calibration": {
            "table": [
                { "tier": "A", "head": 2, "tail": 0 },
                { "tier": "B", "head": 1, "tail": 1 },
                { "tier": "C", "head": 0, "tail": 1 },
            ],
            "precisionBasisPoints": 10000,
            "recallBasisPoints": 6666,
            "criteria": [
                criterion("bhag_fit", group(5, Some("2400.00")), group(0, None)),
                criterion("decision_maker", group(4, Some("2750.00")), group(1, Some("1000.00"))),
                criterion("energy", group(5, Some("2400.00")), group(0, None)),
                criterion("growth", group(5, Some("2400.00")), group(0, None)),
                criterion("referral", group(1, Some("1000.00")), group(4, Some("2750.00"))),
                criterion("revenue_fit", group(5, Some("2400.00")), group(0, None)),
                criterion("speaks_our_language", group(5, Some("2400.00")), group(0, None)),
                criterion("standard_product", group(5, Some("2400.00")), group(0, None)),
                criterion("team_fit", group(5, Some("2400.00")), group(0, None)),
                criterion("values_expertise", group(5, Some("2400.00")), group(0, None)),
            ],
        },
        "costOfExceptions": [
            { "path": "RULE", "clients": 4, "revenuePerMonth": amount("2750.00"),
              "revenuePerHour": amount("220.00"), "customWorkShareBasisPoints": 2200,
              "meanEnergy": "3.87", "endedEarlyBasisPoints": 0 },
            { "path": "EXCEPTION", "clients": 1, "revenuePerMonth": amount("1000.00"),
              "revenuePerHour": amount("25.00"), "customWorkShareBasisPoints": 7500,
              "meanEnergy": "1.50", "endedEarlyBasisPoints": 10000 },
        ],
    })
}

#[tokio::test]
async fn the_mentees_feedback_loop_has_the_figures_worked_out_by_hand() {
    let l = Loop::build().await;
    let body = l.feedback(&l.w.mentee, None, None).await;
    let data = crate::helpers::ok(body);
    assert_eq!(data["feedback"], expected(&l));
    // The shares of each split sum to exactly 10000.
    for split in ["byTier", "byPath"] {
        let sum: i64 = data["feedback"]["pareto"][split]
            .as_array()
            .expect("a list")
            .iter()
            .map(|row| row["shareBasisPoints"].as_i64().expect("bp"))
            .sum();
        assert_eq!(sum, 10_000, "{split}");
    }
    // The clients as their prospects show them; the turned-down prospect is none.
    let view = "query($ids: [ID!]!) { nodes(ids: $ids) { ... on Prospect { name \
        intake { tier path } client { endReason outcomes { totalCount } } } } }";
    let ids = [&l.a1, &l.a2, &l.b1, &l.b2, &l.c1, &l.turned_down];
    let seen = l
        .app
        .data(l.w.mentee.tok(), view, json!({ "ids": ids }))
        .await;
    let client = |name: &str, tier: &str, path: &str, end: Value, entries: i64| {
        json!({ "name": name, "intake": { "tier": tier, "path": path },
                "client": { "endReason": end, "outcomes": { "totalCount": entries } } })
    };
    assert_eq!(
        seen["nodes"],
        json!([
            client("A1", "A", "RULE", Value::Null, 3),
            client("A2", "A", "RULE", Value::Null, 2),
            client("B1", "B", "RULE", Value::Null, 2),
            client("B2", "B", "RULE", Value::Null, 1),
            client("Flattering referral", "C", "EXCEPTION", json!("WE_EXITED"), 2),
            { "name": "Turned down", "intake": null, "client": null },
        ])
    );
}

#[tokio::test]
async fn a_narrower_window_counts_only_its_months_and_the_clients_that_overlap_it() {
    let l = Loop::build().await;
    // This month alone: C1 ended last month, so it is not a client of this window; A1
    // 4000.00, B1 1500.00, B2 1000.00, A2 nothing (a client with no entry: zeros).
    let vars = json!({ "from": month(0), "to": month(0) });
    let query = "query($from: Month!, $to: Month!) { feedback(from: $from, to: $to) { \
        clientCount pareto { totalRevenue { amount } headClientCount \
        byTier { tier shareBasisPoints } } costOfExceptions { path clients } } }";
    let data = l.app.data(l.w.mentee.tok(), query, vars).await;
    // A 4000 / 6500 = 6153.85, B 2500 / 6500 = 3846.15: 6154 and 3846. The head reaches
    // 5200 with A1 (4000) and B1 (5500).
    assert_eq!(
        data["feedback"],
        json!({
            "clientCount": 4,
            "pareto": { "totalRevenue": { "amount": "6500.00" }, "headClientCount": 2,
                "byTier": [ { "tier": "A", "shareBasisPoints": 6154 },
                            { "tier": "B", "shareBasisPoints": 3846 },
                            { "tier": "C", "shareBasisPoints": 0 } ] },
            "costOfExceptions": [ { "path": "RULE", "clients": 4 },
                                  { "path": "EXCEPTION", "clients": 0 } ],
        })
    );
}
