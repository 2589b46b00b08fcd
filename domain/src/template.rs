//! Template definitions: the criteria, thresholds and policies a mentor publishes.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::error::{Problems, ValidationErrors};
use crate::key::CriterionKey;
use crate::measure::{Percent, Weight};
use crate::rule::{Rule, parse_rule};
use crate::text::trimmed_within;
use crate::tier::Tier;

pub const DEFAULT_THRESHOLD_A: u32 = 75;
pub const DEFAULT_THRESHOLD_B: u32 = 50;
pub const DEFAULT_HORIZON_MONTHS: u32 = 6;
pub const DEFAULT_EXCEPTION_POLICY: ExceptionPolicy = ExceptionPolicy::Strict;
pub const DEFAULT_KNOCKOUT_CAP: Tier = Tier::C;

const CRITERIA_COUNT: std::ops::RangeInclusive<usize> = 1..=50;
const HORIZON_MONTHS: std::ops::RangeInclusive<u32> = 1..=24;
const MAX_LABEL_CHARS: usize = 200;
const MAX_QUESTION_CHARS: usize = 1000;

/// What happens when a mentee wants to take on a prospect the verdict declines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ExceptionPolicy {
    /// Refused outright: "no exceptions".
    #[default]
    Strict,
    /// Allowed with a written reason and a bias check, once the mentor approves.
    Review,
}

/// A criterion as entered, not yet checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CriterionDraft {
    pub key: String,
    pub label: String,
    pub question: String,
    pub weight: u32,
    pub rule: Rule,
}

/// A template version as entered, not yet checked. Parse it into a [`Definition`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DefinitionDraft {
    pub criteria: Vec<CriterionDraft>,
    pub threshold_a: u32,
    pub threshold_b: u32,
    pub horizon_months: u32,
    pub exception_policy: ExceptionPolicy,
    pub knockout_cap: Tier,
}

impl Default for DefinitionDraft {
    /// No criteria yet, every setting at the method's default.
    fn default() -> Self {
        Self {
            criteria: Vec::new(),
            threshold_a: DEFAULT_THRESHOLD_A,
            threshold_b: DEFAULT_THRESHOLD_B,
            horizon_months: DEFAULT_HORIZON_MONTHS,
            exception_policy: DEFAULT_EXCEPTION_POLICY,
            knockout_cap: DEFAULT_KNOCKOUT_CAP,
        }
    }
}

/// A checked criterion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Criterion {
    pub(crate) key: CriterionKey,
    pub(crate) label: String,
    pub(crate) question: String,
    pub(crate) weight: Weight,
    pub(crate) rule: Rule,
}

impl Criterion {
    pub fn key(&self) -> &CriterionKey {
        &self.key
    }

    pub fn label(&self) -> &str {
        &self.label
    }

    pub fn question(&self) -> &str {
        &self.question
    }

    pub fn weight(&self) -> Weight {
        self.weight
    }

    pub fn rule(&self) -> &Rule {
        &self.rule
    }

    fn to_draft(&self) -> CriterionDraft {
        CriterionDraft {
            key: self.key.to_string(),
            label: self.label.clone(),
            question: self.question.clone(),
            weight: self.weight.get(),
            rule: self.rule.clone(),
        }
    }
}

/// A checked template version: every prospect is scored against one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Definition {
    pub(crate) criteria: Vec<Criterion>,
    pub(crate) threshold_a: Percent,
    pub(crate) threshold_b: Percent,
    pub(crate) horizon_months: u32,
    pub(crate) exception_policy: ExceptionPolicy,
    pub(crate) knockout_cap: Tier,
}

impl Definition {
    /// Checks a draft; labels and questions are trimmed.
    ///
    /// # Errors
    /// Every problem found, by path: `criteria` (not 1..=50), `criteria.N.key`
    /// (not a slug, or a duplicate), `criteria.N.label`, `criteria.N.question`,
    /// `criteria.N.weight`, `criteria.N.rule.<kind>...`, `thresholdA`,
    /// `thresholdB`, `horizonMonths`, `knockoutCap`.
    pub fn parse(draft: DefinitionDraft) -> Result<Definition, ValidationErrors> {
        let mut problems = Problems::default();
        if !CRITERIA_COUNT.contains(&draft.criteria.len()) {
            problems.add("criteria", "must have between 1 and 50 criteria");
        }
        let criteria = parse_criteria(draft.criteria, &mut problems);
        let (threshold_a, threshold_b) =
            check_thresholds(draft.threshold_a, draft.threshold_b, &mut problems);
        if !HORIZON_MONTHS.contains(&draft.horizon_months) {
            problems.add("horizonMonths", "must be between 1 and 24");
        }
        if draft.knockout_cap == Tier::A {
            problems.add(
                "knockoutCap",
                "must be B or C: a cap of A would change nothing",
            );
        }
        problems.finish(Definition {
            criteria,
            threshold_a,
            threshold_b,
            horizon_months: draft.horizon_months,
            exception_policy: draft.exception_policy,
            knockout_cap: draft.knockout_cap,
        })
    }

    /// The draft this definition parses from, e.g. to start a new version.
    pub fn to_draft(&self) -> DefinitionDraft {
        DefinitionDraft {
            criteria: self.criteria.iter().map(Criterion::to_draft).collect(),
            threshold_a: self.threshold_a.get(),
            threshold_b: self.threshold_b.get(),
            horizon_months: self.horizon_months,
            exception_policy: self.exception_policy,
            knockout_cap: self.knockout_cap,
        }
    }

    pub fn criterion(&self, key: &str) -> Option<&Criterion> {
        self.criteria.iter().find(|c| c.key.as_str() == key)
    }

    /// The criteria in the order the mentor gave them.
    pub fn criteria(&self) -> &[Criterion] {
        &self.criteria
    }

    /// Minimum score for tier A.
    pub fn threshold_a(&self) -> Percent {
        self.threshold_a
    }

    /// Minimum score for tier B, below the A threshold.
    pub fn threshold_b(&self) -> Percent {
        self.threshold_b
    }

    /// Months within which a prospect may become an A-client.
    pub fn horizon_months(&self) -> u32 {
        self.horizon_months
    }

    pub fn exception_policy(&self) -> ExceptionPolicy {
        self.exception_policy
    }

    /// The best tier a prospect can get once any knockout is hit: B or C.
    pub fn knockout_cap(&self) -> Tier {
        self.knockout_cap
    }
}

/// Parses every criterion; ones whose key is unusable are left out (and reported).
fn parse_criteria(drafts: Vec<CriterionDraft>, problems: &mut Problems) -> Vec<Criterion> {
    let mut seen_keys = HashSet::new();
    let mut criteria = Vec::with_capacity(drafts.len());
    for (index, draft) in drafts.into_iter().enumerate() {
        let path = format!("criteria.{index}");
        if let Some(criterion) = parse_criterion(draft, &path, &mut seen_keys, problems) {
            criteria.push(criterion);
        }
    }
    criteria
}

/// Checks every field (so all problems are reported); `None` if the key is unusable.
fn parse_criterion(
    draft: CriterionDraft,
    path: &str,
    seen_keys: &mut HashSet<CriterionKey>,
    problems: &mut Problems,
) -> Option<Criterion> {
    let key = parse_unique_key(&draft.key, &format!("{path}.key"), seen_keys, problems);
    let mut text = |value: &str, field: &str, min: usize, max: usize| {
        trimmed_within(value, min, max)
            .map(str::to_owned)
            .unwrap_or_else(|invalid| {
                problems.push(invalid.at(format!("{path}.{field}")));
                String::new()
            })
    };
    let label = text(&draft.label, "label", 1, MAX_LABEL_CHARS);
    let question = text(&draft.question, "question", 0, MAX_QUESTION_CHARS);
    let weight = Weight::new(draft.weight).unwrap_or_else(|invalid| {
        problems.push(invalid.at(format!("{path}.weight")));
        Weight::MIN
    });
    let rule = parse_rule(draft.rule, &format!("{path}.rule"), problems);
    Some(Criterion {
        key: key?,
        label,
        question,
        weight,
        rule,
    })
}

fn parse_unique_key(
    input: &str,
    field: &str,
    seen_keys: &mut HashSet<CriterionKey>,
    problems: &mut Problems,
) -> Option<CriterionKey> {
    match CriterionKey::parse(input) {
        Ok(key) if seen_keys.insert(key.clone()) => Some(key),
        Ok(_) => {
            problems.add(field, "is already used by another criterion");
            None
        }
        Err(invalid) => {
            problems.push(invalid.at(field));
            None
        }
    }
}

/// Requires 0 <= B < A <= 100. (On a problem the values returned stand in for the
/// definition that is not made.)
fn check_thresholds(a: u32, b: u32, problems: &mut Problems) -> (Percent, Percent) {
    let threshold_a = Percent::new(a).unwrap_or_else(|_| {
        problems.add("thresholdA", "must be at most 100");
        Percent::MAX
    });
    if b >= a {
        problems.add("thresholdB", "must be below the A threshold");
    }
    (threshold_a, Percent::new(b).unwrap_or(Percent::MIN))
}

#[cfg(test)]
mod tests;
