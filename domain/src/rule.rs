//! Criterion rules: how an answer maps to points and which answers are knockouts.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::error::Problems;
use crate::key::check_slug;
use crate::text::trimmed_within;

pub(crate) const MAX_POINTS: u32 = 100;
const MAX_SCALE_SPAN: i64 = 100;
const MAX_LABEL_CHARS: usize = 200;
const OPTION_COUNT: std::ops::RangeInclusive<usize> = 2..=20;
const BAND_COUNT: std::ops::RangeInclusive<usize> = 1..=20;

/// Yes or no, each with its points; optionally one of them is a knockout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct YesNoRule {
    pub yes_points: u32,
    pub no_points: u32,
    pub knockout_on: Option<bool>,
}

/// An integer from `min` to `max`, mapped linearly to 0..=100 points.
/// An answer below `knockout_below` is a knockout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScaleRule {
    pub min: i32,
    pub max: i32,
    pub knockout_below: Option<i32>,
}

/// One option of a choice; `key` is a slug unique within the choice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChoiceOption {
    pub key: String,
    pub label: String,
    pub points: u32,
    pub knockout: bool,
}

/// Pick one of 2..=20 options, each carrying its points.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChoiceRule {
    pub options: Vec<ChoiceOption>,
}

/// Numbers from `min` up to the next band's `min` earn `points`.
/// The first band has no `min`: it is open below.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NumberBand {
    pub min: Option<i64>,
    pub points: u32,
}

/// A number (e.g. an annual budget) scored by 1..=20 ascending bands.
/// A number below `knockout_below` is a knockout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NumberBandsRule {
    pub bands: Vec<NumberBand>,
    pub knockout_below: Option<i64>,
}

/// How a criterion's answer is scored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Rule {
    YesNo(YesNoRule),
    Scale(ScaleRule),
    Choice(ChoiceRule),
    NumberBands(NumberBandsRule),
}

impl Rule {
    /// Whether some answer can be a knockout; then an unknown answer is one too.
    pub fn has_knockout(&self) -> bool {
        match self {
            Rule::YesNo(rule) => rule.knockout_on.is_some(),
            Rule::Scale(rule) => rule.knockout_below.is_some(),
            Rule::Choice(rule) => rule.options.iter().any(|option| option.knockout),
            Rule::NumberBands(rule) => rule.knockout_below.is_some(),
        }
    }

    /// The variant's name in error paths, as serde spells it: `rule.scale.max`.
    fn path_name(&self) -> &'static str {
        match self {
            Rule::YesNo(_) => "yesNo",
            Rule::Scale(_) => "scale",
            Rule::Choice(_) => "choice",
            Rule::NumberBands(_) => "numberBands",
        }
    }
}

/// Checks `rule` (found at `path`) and returns it with option labels trimmed.
pub(crate) fn parse_rule(rule: Rule, path: &str, problems: &mut Problems) -> Rule {
    let path = format!("{path}.{}", rule.path_name());
    match rule {
        Rule::YesNo(rule) => {
            check_points(rule.yes_points, &format!("{path}.yesPoints"), problems);
            check_points(rule.no_points, &format!("{path}.noPoints"), problems);
            Rule::YesNo(rule)
        }
        Rule::Scale(rule) => {
            check_scale(&rule, &path, problems);
            Rule::Scale(rule)
        }
        Rule::Choice(rule) => Rule::Choice(parse_choice(rule, &path, problems)),
        Rule::NumberBands(rule) => {
            check_bands(&rule, &path, problems);
            Rule::NumberBands(rule)
        }
    }
}

fn check_points(points: u32, field: &str, problems: &mut Problems) {
    if points > MAX_POINTS {
        problems.add(field, format!("must be between 0 and {MAX_POINTS}"));
    }
}

fn check_scale(rule: &ScaleRule, path: &str, problems: &mut Problems) {
    // i64: `max - min` of two extreme i32 values overflows i32.
    let span = i64::from(rule.max) - i64::from(rule.min);
    if span <= 0 {
        problems.add(format!("{path}.max"), "must be greater than min");
        return;
    }
    if span > MAX_SCALE_SPAN {
        problems.add(
            format!("{path}.max"),
            format!("must be at most {MAX_SCALE_SPAN} above min"),
        );
    }
    // A threshold at or below min could never be hit: surely a mistake.
    if let Some(below) = rule.knockout_below
        && !(rule.min < below && below <= rule.max)
    {
        problems.add(
            format!("{path}.knockoutBelow"),
            "must be greater than min and at most max",
        );
    }
}

fn parse_choice(mut rule: ChoiceRule, path: &str, problems: &mut Problems) -> ChoiceRule {
    if !OPTION_COUNT.contains(&rule.options.len()) {
        problems.add(
            format!("{path}.options"),
            format!(
                "must have between {} and {} options",
                OPTION_COUNT.start(),
                OPTION_COUNT.end()
            ),
        );
    }
    let mut seen_keys = HashSet::new();
    for (index, option) in rule.options.iter_mut().enumerate() {
        let at = |field: &str| format!("{path}.options.{index}.{field}");
        match check_slug(&option.key) {
            Err(invalid) => problems.push(invalid.at(at("key"))),
            Ok(()) if !seen_keys.insert(option.key.clone()) => {
                problems.add(at("key"), "is already used by another option");
            }
            Ok(()) => {}
        }
        match trimmed_within(&option.label, 1, MAX_LABEL_CHARS) {
            Ok(label) => option.label = label.to_owned(),
            Err(invalid) => problems.push(invalid.at(at("label"))),
        }
        check_points(option.points, &at("points"), problems);
    }
    rule
}

fn check_bands(rule: &NumberBandsRule, path: &str, problems: &mut Problems) {
    if !BAND_COUNT.contains(&rule.bands.len()) {
        problems.add(
            format!("{path}.bands"),
            format!(
                "must have between {} and {} bands",
                BAND_COUNT.start(),
                BAND_COUNT.end()
            ),
        );
    }
    let mut previous_min = None;
    for (index, band) in rule.bands.iter().enumerate() {
        let at = |field: &str| format!("{path}.bands.{index}.{field}");
        match (index, band.min) {
            (0, Some(_)) => problems.add(at("min"), "must be empty: the first band is open below"),
            (0, None) => {}
            (_, None) => problems.add(at("min"), "is required after the first band"),
            (_, Some(min)) => {
                if previous_min.is_some_and(|previous| min <= previous) {
                    problems.add(at("min"), "must be greater than the previous band's min");
                }
                previous_min = Some(min);
            }
        }
        check_points(band.points, &at("points"), problems);
    }
}

#[cfg(test)]
mod tests;
