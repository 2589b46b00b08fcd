//! Pure business rules of Qualify: templates, scoring, qualification and decisions, and
//! the feedback loop that checks them against what clients really brought.
//!
//! No I/O and no clock: functions that need today's date take it as a parameter.
//! Start reading at [`score`], [`qualify`] and [`decide`]; for the feedback loop at
//! [`outcome_entry`] and [`pareto()`].

mod answer;
mod calibration;
mod client;
pub mod dashboard;
mod decision;
mod error;
pub mod events;
mod evidence;
mod exact;
mod exceptions;
mod goals;
mod key;
mod measure;
mod money;
mod outcome;
mod pareto;
mod path_to_a;
mod period;
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
pub use calibration::{
    CRITERION_SPLIT_BP, Calibration, CriterionCalibration, CriterionGroup, CriterionPoints,
    CriterionSums, TierPosition, calibration, criteria_from_sums,
};
pub use client::{ClientSpan, EndReason, Intake, Path, check_end, flagged_for_exit};
pub use decision::{
    BiasCheck, Decision, DecisionError, DecisionOutcome, ProspectStatus, decide,
    status_after_decision, status_after_review,
};
pub use error::{FieldError, InvalidValue, ValidationErrors};
pub use evidence::{
    ASSUMPTION_LIMIT_BP, Evidence, EvidenceKind, EvidenceNote, MAX_EVIDENCE_NOTE_CHARS,
    assumption_share, rests_on_assumptions,
};
pub use exceptions::{PathCost, cost_of_exceptions};
pub use goals::{
    Bhag, BhagDraft, BhagUnit, GoalKind, GoalTarget, MAX_BHAG_NUMBER_CHARS, MAX_GOAL_COUNT,
    MAX_GOALS_PER_QUARTER, QuarterFigures, a_share, actual, attained, quarter_days, quarter_index,
};
pub use key::CriterionKey;
pub use measure::{BasisPoints, Percent, Weight};
pub use money::{Currency, MAX_REVENUE_MINOR, Money, Revenue};
pub use outcome::{Energy, Hours, MAX_HOURS_HUNDREDTHS, OutcomeDraft, OutcomeEntry, outcome_entry};
pub use pareto::{ClientFigures, Pareto, PathShare, TierFigures, TierShare, pareto};
pub use path_to_a::{
    AnswerChange, MAX_PATHS_TO_A, PATH_SEARCH_NODES, PathToA, PathsToA, paths_to_a,
};
pub use period::{MAX_WINDOW_MONTHS, Month, MonthWindow, Quarter};
pub use qualification::{
    Outlook, OutlookDraft, QualificationResult, Qualified, Verdict, horizon_date, qualify,
};
pub use rule::{ChoiceOption, ChoiceRule, NumberBand, NumberBandsRule, Rule, ScaleRule, YesNoRule};
pub use scoring::{Assessment, Contribution, ScoringRule, score};
pub use standard::{BUILT_INS, BuiltIn, a_client_standard, built_in};
pub use template::{
    Criterion, CriterionDraft, DEFAULT_EXCEPTION_POLICY, DEFAULT_HORIZON_MONTHS,
    DEFAULT_KNOCKOUT_CAP, DEFAULT_THRESHOLD_A, DEFAULT_THRESHOLD_B, Definition, DefinitionDraft,
    ExceptionPolicy,
};
pub use text::{DisplayName, Email, LongText, Password, Text};
pub use tier::Tier;
