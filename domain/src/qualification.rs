//! Qualification: scoring a prospect now and at the horizon, and the verdict.

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::answer::{
    Answer, AnswerDraft, Evaluation, Slot, checked_answers, evaluate_answers, require_all,
};
use crate::error::{Problems, ValidationErrors};
use crate::scoring::{Assessment, ScoringRule, assess};
use crate::template::Definition;
use crate::text::{MAX_TEXT_CHARS, trimmed_within};
use crate::tier::Tier;

/// What the method says to do with a prospect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Verdict {
    /// An A-client now.
    Accept,
    /// Not an A-client now, but projected to become one within the horizon if
    /// the plan works; to be re-qualified by a date.
    AcceptWithPlan,
    Decline,
}

/// The answers expected at the horizon if a concrete plan works, as given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutlookDraft {
    /// Only the answers that change: each replaces the current answer to its key.
    pub answers: Vec<AnswerDraft>,
    pub plan: String,
    /// When to re-qualify; the horizon date if not given.
    pub requalify_by: Option<NaiveDate>,
}

/// An outlook as a qualification keeps it: its answers checked (in the definition's
/// criteria order), its plan and date as they were given (the result holds the trimmed
/// plan and the date in effect).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Outlook {
    pub answers: Vec<Answer>,
    pub plan: String,
    pub requalify_by: Option<NaiveDate>,
}

/// What [`qualify`] found: the checked answers and outlook, and the result computed
/// from them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Qualified {
    /// One answer per criterion, in the definition's criteria order.
    pub answers: Vec<Answer>,
    pub outlook: Option<Outlook>,
    pub result: QualificationResult,
}

/// The computed result of one qualification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QualificationResult {
    pub now: Assessment,
    /// With the outlook's answers; the same as `now` without an outlook.
    pub projected: Assessment,
    pub verdict: Verdict,
    /// Only for [`Verdict::AcceptWithPlan`].
    pub requalify_by: Option<NaiveDate>,
    /// The outlook's plan, trimmed, whenever an outlook was given: it explains
    /// the projected assessment even when the verdict does not rest on it.
    pub plan: Option<String>,
    /// The rule that computed `now` and `projected`: [`ScoringRule::CURRENT`] for a new
    /// result, whatever rule was current when a stored one was computed.
    pub scoring_rule: ScoringRule,
}

/// Qualifies a prospect: `answers` are complete answers now, `outlook` the
/// optional changes expected at the horizon. `today` is the caller's date. The answers
/// come back checked, in the definition's criteria order, whatever order they were
/// given in.
///
/// # Errors
/// Every problem found, by path: the errors of [`crate::score`] (under
/// `answers`), and for the outlook `outlook.answers.N.key` (not a criterion, or
/// repeated), `outlook.answers.N.value`, `outlook.plan` (not 1..=2000 characters
/// after trimming) and `outlook.requalifyBy` (before today or after the horizon).
pub fn qualify(
    def: &Definition,
    answers: &[AnswerDraft],
    outlook: Option<&OutlookDraft>,
    today: NaiveDate,
) -> Result<Qualified, ValidationErrors> {
    let mut problems = Problems::default();
    let slots = evaluate_answers(def, answers, "answers", &mut problems);
    let now = require_all(def, &slots, "answers", &mut problems);
    let outlook = outlook.map(|outlook| check_outlook(def, outlook, today, &mut problems));
    problems.finish(())?;

    let now_assessment = assess(def, &now);
    let projected = match &outlook {
        Some(outlook) => assess(def, &outlook.apply_to(&now)),
        None => now_assessment.clone(),
    };
    let verdict = verdict(
        now_assessment.tier,
        outlook.as_ref().map(|_| projected.tier),
    );
    let requalify_by = match (&outlook, verdict) {
        (Some(outlook), Verdict::AcceptWithPlan) => Some(outlook.requalify_by),
        _ => None,
    };
    let (plan, outlook) = outlook.map(|o| (o.plan, o.kept)).unzip();
    Ok(Qualified {
        answers: checked_answers(def, answers, &slots),
        outlook,
        result: QualificationResult {
            now: now_assessment,
            projected,
            verdict,
            requalify_by,
            plan,
            scoring_rule: ScoringRule::CURRENT,
        },
    })
}

/// The date `months` after `today`; the end of the month when that day does not
/// exist (31 Aug + 6 months = 28/29 Feb). Saturates at the last representable date.
pub fn horizon_date(today: NaiveDate, months: u32) -> NaiveDate {
    today
        .checked_add_months(Months::new(months))
        .unwrap_or(NaiveDate::MAX)
}

/// Accept an A-client now; accept with a plan one that the plan makes A; decline the rest.
fn verdict(now: Tier, projected_with_plan: Option<Tier>) -> Verdict {
    if now == Tier::A {
        Verdict::Accept
    } else if projected_with_plan == Some(Tier::A) {
        Verdict::AcceptWithPlan
    } else {
        Verdict::Decline
    }
}

/// An outlook whose parts have been checked.
struct CheckedOutlook {
    overrides: Vec<Slot>,
    /// Trimmed.
    plan: String,
    /// The one given, or the horizon.
    requalify_by: NaiveDate,
    /// What the qualification keeps of it.
    kept: Outlook,
}

impl CheckedOutlook {
    /// The evaluations now, with the outlook's answers in place of the current ones.
    fn apply_to(&self, now: &[Evaluation]) -> Vec<Evaluation> {
        now.iter()
            .zip(&self.overrides)
            .map(|(current, slot)| match slot {
                Slot::Answered {
                    evaluation: expected,
                    ..
                } => *expected,
                Slot::Unanswered | Slot::Invalid => *current,
            })
            .collect()
    }
}

fn check_outlook(
    def: &Definition,
    outlook: &OutlookDraft,
    today: NaiveDate,
    problems: &mut Problems,
) -> CheckedOutlook {
    let overrides = evaluate_answers(def, &outlook.answers, "outlook.answers", problems);
    let plan = match trimmed_within(&outlook.plan, 1, MAX_TEXT_CHARS) {
        Ok(plan) => plan.to_owned(),
        Err(invalid) => {
            problems.push(invalid.at("outlook.plan"));
            String::new()
        }
    };
    let horizon = horizon_date(today, def.horizon_months());
    let requalify_by = outlook.requalify_by.unwrap_or(horizon);
    if requalify_by < today {
        problems.add("outlook.requalifyBy", "must not be in the past");
    } else if requalify_by > horizon {
        problems.add(
            "outlook.requalifyBy",
            format!("must be no later than the horizon, {horizon}"),
        );
    }
    CheckedOutlook {
        kept: Outlook {
            answers: checked_answers(def, &outlook.answers, &overrides),
            plan: outlook.plan.clone(),
            requalify_by: outlook.requalify_by,
        },
        overrides,
        plan,
        requalify_by,
    }
}

#[cfg(test)]
mod tests;
