//! The built-in starting templates a mentor can create a template from: today the
//! "A-client standard" of DOMAIN.md.

use crate::key::CriterionKey;
use crate::measure::{Percent, Weight};
use crate::rule::{NumberBand, NumberBandsRule, Rule, ScaleRule, YesNoRule};
use crate::template::{
    Criterion, DEFAULT_EXCEPTION_POLICY, DEFAULT_HORIZON_MONTHS, DEFAULT_KNOCKOUT_CAP,
    DEFAULT_THRESHOLD_A, DEFAULT_THRESHOLD_B, Definition,
};

/// A starting template shipped with the platform: a mentor creates their own template from
/// it (`createTemplate` with `fromBuiltIn: key`) and edits that.
#[derive(Debug, Clone, Copy)]
pub struct BuiltIn {
    /// Stable: clients name the built-in by it.
    pub key: &'static str,
    /// The name a template created from it gets unless another is given.
    pub name: &'static str,
    /// What it is for.
    pub description: &'static str,
    definition: fn() -> Definition,
}

impl BuiltIn {
    /// Its definition, valid by construction.
    #[must_use]
    pub fn definition(&self) -> Definition {
        (self.definition)()
    }
}

/// Every built-in, in the order they are listed.
pub const BUILT_INS: &[BuiltIn] = &[BuiltIn {
    key: "a_client_standard",
    name: "A-client standard",
    description: "The method's definition of an A-client: ten criteria, A at 75, B at 50, a \
        six-month horizon, no exceptions; no access to the decision maker or a need for \
        custom work caps the tier at C.",
    definition: a_client_standard,
}];

/// The built-in with this key, if there is one.
#[must_use]
pub fn built_in(key: &str) -> Option<&'static BuiltIn> {
    BUILT_INS.iter().find(|b| b.key == key)
}

/// The default template from the method: ten criteria, A at 75, B at 50, a
/// six-month horizon, no exceptions, and knockouts (capping at C) when we would
/// not work with the decision maker or would need custom work.
///
/// Built directly rather than parsed so that it cannot fail; a test parses
/// `a_client_standard().to_draft()` to prove every value is valid.
pub fn a_client_standard() -> Definition {
    Definition {
        criteria: vec![
            criterion(
                "decision_maker",
                "Decision maker",
                "Do we work directly with the CEO or director?",
                3,
                yes_no(Some(false)),
            ),
            criterion(
                "values_expertise",
                "Values our expertise",
                "How strongly does the client value our expertise?",
                3,
                one_to_five(),
            ),
            criterion(
                "speaks_our_language",
                "Speaks our language",
                "Is this the kind of client and sector we are set up for?",
                2,
                one_to_five(),
            ),
            criterion(
                "revenue_fit",
                "Revenue fit",
                "Expected annual revenue from this client",
                3,
                revenue_bands(),
            ),
            criterion(
                "standard_product",
                "Standard product",
                "Does it fit our standard products without custom work?",
                3,
                yes_no(Some(false)),
            ),
            criterion(
                "team_fit",
                "Team fit",
                "Is our team set up for this client?",
                2,
                one_to_five(),
            ),
            criterion(
                "growth",
                "Growth",
                "Will this client keep growing with us?",
                2,
                one_to_five(),
            ),
            criterion(
                "bhag_fit",
                "BHAG fit",
                "Does this client bring us closer to our BHAG?",
                2,
                one_to_five(),
            ),
            criterion(
                "energy",
                "Energy",
                "Will we enjoy working with them?",
                1,
                one_to_five(),
            ),
            criterion(
                "referral",
                "Referral",
                "Referred by the CEO or director of an A-client?",
                1,
                yes_no(None),
            ),
        ],
        threshold_a: Percent::known(DEFAULT_THRESHOLD_A),
        threshold_b: Percent::known(DEFAULT_THRESHOLD_B),
        horizon_months: DEFAULT_HORIZON_MONTHS,
        exception_policy: DEFAULT_EXCEPTION_POLICY,
        knockout_cap: DEFAULT_KNOCKOUT_CAP,
    }
}

fn criterion(key: &'static str, label: &str, question: &str, weight: u32, rule: Rule) -> Criterion {
    Criterion {
        key: CriterionKey::from_static(key),
        label: label.to_owned(),
        question: question.to_owned(),
        weight: Weight::known(weight),
        rule,
    }
}

/// Yes earns 100 points, no earns 0.
fn yes_no(knockout_on: Option<bool>) -> Rule {
    Rule::YesNo(YesNoRule {
        yes_points: 100,
        no_points: 0,
        knockout_on,
    })
}

fn one_to_five() -> Rule {
    Rule::Scale(ScaleRule {
        min: 1,
        max: 5,
        knockout_below: None,
    })
}

/// Below 10k -> 0 points, 10k up to 50k -> 50, 50k and more -> 100.
fn revenue_bands() -> Rule {
    let band = |min, points| NumberBand { min, points };
    Rule::NumberBands(NumberBandsRule {
        bands: vec![
            band(None, 0),
            band(Some(10_000), 50),
            band(Some(50_000), 100),
        ],
        knockout_below: None,
    })
}

#[cfg(test)]
mod tests;
