//! Pure business rules of Qualify: templates, scoring, qualification and decisions.
//!
//! No I/O and no clock: functions that need today's date take it as a parameter.
//! Start reading at [`score`], [`qualify`] and [`decide`].

mod answer;
mod decision;
mod error;
mod exact;
mod key;
mod measure;
pub mod policy;
mod qualification;
mod rule;
mod scoring;
mod standard;
mod template;
pub mod text;
mod tier;

#[cfg(test)]
mod test_support;

pub use answer::{Answer, AnswerDraft, AnswerValue, in_criteria_order};
pub use decision::{
    BiasCheck, Decision, DecisionError, DecisionOutcome, ProspectStatus, decide,
    status_after_decision, status_after_review,
};
pub use error::{FieldError, InvalidValue, ValidationErrors};
pub use key::CriterionKey;
pub use measure::{BasisPoints, Percent, Weight};
pub use qualification::{
    Outlook, OutlookDraft, QualificationResult, Qualified, Verdict, horizon_date, qualify,
};
pub use rule::{ChoiceOption, ChoiceRule, NumberBand, NumberBandsRule, Rule, ScaleRule, YesNoRule};
pub use scoring::{Assessment, Contribution, ScoringRule, score};
pub use standard::a_client_standard;
pub use template::{
    Criterion, CriterionDraft, DEFAULT_EXCEPTION_POLICY, DEFAULT_HORIZON_MONTHS,
    DEFAULT_KNOCKOUT_CAP, DEFAULT_THRESHOLD_A, DEFAULT_THRESHOLD_B, Definition, DefinitionDraft,
    ExceptionPolicy,
};
pub use text::{DisplayName, Email, LongText, Password, Text};
pub use tier::Tier;
