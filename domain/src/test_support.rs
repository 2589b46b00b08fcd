//! Builders shared by the unit tests.

use std::fmt::Debug;

use chrono::NaiveDate;
use uuid::Uuid;

use crate::{
    AnswerDraft, AnswerValue, ChoiceOption, ChoiceRule, ClientFigures, CriterionDraft, Definition,
    DefinitionDraft, NumberBand, NumberBandsRule, Path, Rule, ScaleRule, Tier, ValidationErrors,
    YesNoRule,
};

/// Yes earns 100 points, no earns 0.
pub(crate) fn yes_no(knockout_on: Option<bool>) -> Rule {
    Rule::YesNo(YesNoRule {
        yes_points: 100,
        no_points: 0,
        knockout_on,
    })
}

pub(crate) fn scale(min: i32, max: i32, knockout_below: Option<i32>) -> Rule {
    Rule::Scale(ScaleRule {
        min,
        max,
        knockout_below,
    })
}

/// Options as (key, points, knockout).
pub(crate) fn choice(options: &[(&str, u32, bool)]) -> Rule {
    let options = options.iter().map(|&(key, points, knockout)| ChoiceOption {
        key: key.to_owned(),
        label: key.to_uppercase(),
        points,
        knockout,
    });
    Rule::Choice(ChoiceRule {
        options: options.collect(),
    })
}

/// Bands as (min, points).
pub(crate) fn bands(bands: &[(Option<i64>, u32)], knockout_below: Option<i64>) -> Rule {
    let bands = bands
        .iter()
        .map(|&(min, points)| NumberBand { min, points });
    Rule::NumberBands(NumberBandsRule {
        bands: bands.collect(),
        knockout_below,
    })
}

pub(crate) fn criterion(key: &str, weight: u32, rule: Rule) -> CriterionDraft {
    CriterionDraft {
        key: key.to_owned(),
        label: format!("Label of {key}"),
        question: format!("Question about {key}?"),
        weight,
        rule,
    }
}

/// A draft with these criteria and every setting at its default.
pub(crate) fn draft(criteria: Vec<CriterionDraft>) -> DefinitionDraft {
    DefinitionDraft {
        criteria,
        ..DefinitionDraft::default()
    }
}

pub(crate) fn definition(draft: DefinitionDraft) -> Definition {
    match Definition::parse(draft) {
        Ok(definition) => definition,
        Err(errors) => panic!("test definition is invalid: {errors}"),
    }
}

/// An answer as a caller gives it.
pub(crate) fn answer(key: &str, value: AnswerValue) -> AnswerDraft {
    AnswerDraft {
        key: key.to_owned(),
        value,
    }
}

/// The offending field paths of a result expected to fail.
pub(crate) fn fields<T: Debug>(result: Result<T, ValidationErrors>) -> Vec<String> {
    match result {
        Ok(value) => panic!("expected validation errors, got {value:?}"),
        Err(errors) => errors.0.into_iter().map(|e| e.field).collect(),
    }
}

pub(crate) fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(year, month, day) {
        Some(date) => date,
        None => panic!("invalid test date {year}-{month}-{day}"),
    }
}

pub(crate) fn id(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

/// The figures of client `n` with revenue and nothing else.
pub(crate) fn client(n: u128, tier: Tier, path: Path, revenue_minor: u64) -> ClientFigures {
    ClientFigures {
        id: id(n),
        tier,
        path,
        revenue_minor,
        months: 0,
        hours: 0,
        custom_hours: 0,
        energy_sum: 0,
        energy_count: 0,
        ended_early: false,
    }
}
