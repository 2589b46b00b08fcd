//! The "A-client standard" template written out as GraphQL input, and answers to it.

use serde_json::{Value, json};

pub fn yes(value: bool) -> Value {
    json!({ "yes": value })
}
pub fn scale(value: i64) -> Value {
    json!({ "scale": value })
}
pub fn number(value: i64) -> Value {
    json!({ "number": value })
}
pub fn unknown() -> Value {
    json!({ "unknown": true })
}

fn yes_no(knockout_on: Option<bool>) -> Value {
    json!({ "yesNo": { "yesPoints": 100, "noPoints": 0, "knockoutOn": knockout_on } })
}
fn scale_1_5() -> Value {
    json!({ "scale": { "min": 1, "max": 5 } })
}

/// The "A-client standard" from DOMAIN.md, spelled out as `TemplateDefinitionInput`.
pub fn standard_definition(policy: &str) -> Value {
    let revenue = json!({ "numberBands": { "bands": [
        { "min": null, "points": 0 }, { "min": 10000, "points": 50 }, { "min": 50000, "points": 100 }
    ] } });
    let rows = [
        (
            "decision_maker",
            "Decision maker",
            "Do we work directly with the CEO or director?",
            3,
            yes_no(Some(false)),
        ),
        (
            "values_expertise",
            "Values our expertise",
            "How strongly does the client value our expertise?",
            3,
            scale_1_5(),
        ),
        (
            "speaks_our_language",
            "Speaks our language",
            "Is this the kind of client and sector we are set up for?",
            2,
            scale_1_5(),
        ),
        (
            "revenue_fit",
            "Revenue fit",
            "Expected annual revenue from this client",
            3,
            revenue,
        ),
        (
            "standard_product",
            "Standard product",
            "Does it fit our standard products without custom work?",
            3,
            yes_no(Some(false)),
        ),
        (
            "team_fit",
            "Team fit",
            "Is our team set up for this client?",
            2,
            scale_1_5(),
        ),
        (
            "growth",
            "Growth",
            "Will this client keep growing with us?",
            2,
            scale_1_5(),
        ),
        (
            "bhag_fit",
            "BHAG fit",
            "Does this client bring us closer to our BHAG?",
            2,
            scale_1_5(),
        ),
        (
            "energy",
            "Energy",
            "Will we enjoy working with them?",
            1,
            scale_1_5(),
        ),
        (
            "referral",
            "Referral",
            "Referred by the CEO or director of an A-client?",
            1,
            yes_no(None),
        ),
    ];
    let criteria: Vec<Value> = rows
        .into_iter()
        .map(|(key, label, question, weight, rule)| {
            json!({ "key": key, "label": label, "question": question, "weight": weight, "rule": rule })
        })
        .collect();
    json!({
        "criteria": criteria, "thresholdA": 75, "thresholdB": 50, "horizonMonths": 6,
        "exceptionPolicy": policy, "knockoutCap": "C"
    })
}

/// Answers to the standard template, keyed in definition order.
#[derive(Clone, Debug, Default)]
pub struct Answers(Vec<(&'static str, Value)>);

impl Answers {
    /// Every criterion at its best: score 10000 basis points.
    pub fn all_best() -> Answers {
        Answers(vec![
            ("decision_maker", yes(true)),
            ("values_expertise", scale(5)),
            ("speaks_our_language", scale(5)),
            ("revenue_fit", number(100_000)),
            ("standard_product", yes(true)),
            ("team_fit", scale(5)),
            ("growth", scale(5)),
            ("bhag_fit", scale(5)),
            ("energy", scale(5)),
            ("referral", yes(true)),
        ])
    }

    /// Tier A without knockouts: 7613 basis points (worked out in core_loop.rs).
    pub fn good() -> Answers {
        Answers::all_best()
            .with("values_expertise", scale(4))
            .with("speaks_our_language", scale(4))
            .with("revenue_fit", number(30_000))
            .with("growth", scale(3))
            .with("bhag_fit", scale(4))
            .with("referral", yes(false))
    }

    /// Tier B: 6136 basis points.
    pub fn middling() -> Answers {
        Answers::all_best()
            .with("values_expertise", scale(3))
            .with("speaks_our_language", scale(3))
            .with("revenue_fit", number(30_000))
            .with("team_fit", scale(3))
            .with("growth", scale(3))
            .with("bhag_fit", scale(3))
            .with("energy", scale(3))
            .with("referral", yes(false))
    }

    /// All best but no access to the decision maker: 8636 basis points, knocked out to C.
    pub fn knocked_out() -> Answers {
        Answers::all_best().with("decision_maker", yes(false))
    }

    pub fn with(mut self, key: &'static str, value: Value) -> Answers {
        match self.0.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => self.0.push((key, value)),
        }
        self
    }

    pub fn without(mut self, key: &str) -> Answers {
        self.0.retain(|(k, _)| *k != key);
        self
    }

    pub fn json(&self) -> Value {
        Value::Array(
            self.0
                .iter()
                .map(|(k, v)| json!({ "key": k, "value": v }))
                .collect(),
        )
    }
}

pub fn bias_check(flattered: bool) -> Value {
    json!({ "flattered": flattered, "wantsToPlease": false, "fearsLosingWork": true,
            "onlyBecauseWeCan": false, "needsCustomWork": false })
}
