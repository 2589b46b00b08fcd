//! `requalifyProspect`: re-qualify a client from the queue in one step, starting from its
//! latest qualification's answers (and their evidence) with only what changed, scored
//! against the program's standard as it is now, through `qualifyProspect`'s own path
//! (`prospects::record_qualification`).

use std::collections::HashSet;

use async_graphql::{Context, ID, InputObject, Object};
use domain::FieldError;

use crate::error::{ApiError, ApiResult, Conflict};
use crate::graphql::context::db;
use crate::graphql::ids::{self, Kind};
use crate::graphql::inputs::{self, AnswerInput, OutlookInput};
use crate::graphql::mutations::prospects::{
    Drafted, QualifyProspectPayload, qualifying, record_qualification, stale_qualification,
};

/// A re-qualification: the latest qualification's answers with these changes.
#[derive(InputObject)]
pub struct RequalifyProspectInput {
    /// The prospect (yours, not archived), e.g. an item of `requalificationQueue`.
    pub prospect_id: ID,
    /// New answers, by criterion key, replacing the latest qualification's (with their
    /// evidence, if given; a changed answer without evidence has none). A criterion the
    /// standard gained since needs one here; answers to criteria it no longer has are
    /// dropped.
    pub changes: Vec<AnswerInput>,
    /// The answers a concrete plan is expected to bring within the horizon, and the plan;
    /// omit for none (the latest qualification's outlook is not carried over: a new date
    /// needs a new plan).
    pub outlook: Option<OutlookInput>,
    /// The qualification you started from: the prospect's `latestQualification.id` as you
    /// read it. If it was qualified again since, nothing is recorded and the call fails
    /// with `CONFLICT`, reason `STALE_QUALIFICATION`. Omit for no check.
    pub qualification_id: Option<ID>,
}

#[derive(Default)]
pub struct RequalifyMutation;

#[Object]
impl RequalifyMutation {
    /// Re-qualify a prospect (a client due for it) in one step: its latest answers with
    /// `changes`, scored against the program's standard as it is now. Appends a new
    /// qualification. A client stays taken on: a new plan moves its re-qualification date,
    /// an `ACCEPT` clears it (it leaves the queue), a `DECLINE` keeps the date it missed
    /// (still flagged for exit). `CONFLICT` (`NOT_QUALIFIED`) for a prospect never
    /// qualified; answers that do not fit are `BAD_USER_INPUT` at `input.changes...`.
    async fn requalify_prospect(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to change; see the input type.")] input: RequalifyProspectInput,
    ) -> ApiResult<Option<QualifyProspectPayload>> {
        let (prospect, version) = qualifying(ctx, &input.prospect_id).await?;
        let seen = match &input.qualification_id {
            Some(id) => Some(ids::decode(Kind::Qualification, id).map_err(|_| {
                ApiError::bad_field("input.qualificationId", "not a qualification id")
            })?),
            None => None,
        };
        let Some(latest_id) = prospect.latest_qualification_id else {
            return Err(ApiError::Conflict(
                Conflict::NotQualified,
                "the prospect was never qualified: use qualifyProspect".into(),
            ));
        };
        if seen.is_some_and(|seen| seen != latest_id) {
            return Err(stale_qualification());
        }
        let latest = store::qualifications::qualification_by_id(db(ctx)?, latest_id)
            .await?
            .ok_or_else(|| ApiError::internal("a prospect's latest qualification is missing"))?;

        let changed: HashSet<String> = input.changes.iter().map(|a| a.key.clone()).collect();
        let (mut evidence, mut problems) = inputs::evidence(&input.changes, "input.changes");
        let (mut answers, more) = inputs::domain_answers(input.changes, "input.changes");
        problems.extend(more);
        let given = answers.len();
        // The latest answers not changed, to criteria the standard still has; after the
        // changes, so that a change's index is its index in the input.
        let kept: Vec<&domain::Answer> = latest
            .answers
            .iter()
            .filter(|a| !changed.contains(a.key.as_str()))
            .filter(|a| version.definition.criterion(a.key.as_str()).is_some())
            .collect();
        let kept_keys: Vec<String> = kept.iter().map(|a| a.key.as_str().to_owned()).collect();
        answers.extend(kept.iter().map(|a| domain::AnswerDraft {
            key: a.key.as_str().to_owned(),
            value: a.value.clone(),
        }));
        evidence.extend(
            latest
                .evidence
                .iter()
                .filter(|(key, _)| kept_keys.iter().any(|k| k == key.as_str()))
                .cloned(),
        );
        let outlook = input.outlook.map(|o| {
            let (draft, outlook_problems) = inputs::outlook_draft(o, "input.outlook");
            problems.extend(outlook_problems);
            draft
        });
        let drafted = Drafted {
            answers,
            evidence,
            outlook,
            problems,
        };
        let at = |e: FieldError| relocate(e, given, &kept_keys);
        record_qualification(ctx, &prospect, &version, drafted, at)
            .await
            .map(Some)
    }
}

/// A domain error at its place in the input: `answers.N...` is `input.changes.N...` for a
/// change, and for a kept answer that no longer fits the standard, `input.changes` with
/// the criterion named; missing answers (a new criterion) are `input.changes` too.
fn relocate(e: FieldError, given: usize, kept: &[String]) -> FieldError {
    let Some(rest) = e.field.strip_prefix("answers") else {
        return FieldError {
            field: format!("input.{}", e.field),
            message: e.message,
        };
    };
    let index = rest
        .strip_prefix('.')
        .and_then(|r| r.split('.').next())
        .and_then(|n| n.parse::<usize>().ok());
    match index {
        Some(n) if n < given => FieldError {
            field: format!("input.changes{rest}"),
            message: e.message,
        },
        Some(n) => FieldError {
            field: "input.changes".into(),
            message: format!(
                "the latest answer to `{}` no longer fits the standard ({}): give a new one",
                kept.get(n - given).map_or("?", String::as_str),
                e.message
            ),
        },
        None => FieldError {
            field: "input.changes".into(),
            message: e.message,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(field: &str) -> FieldError {
        FieldError {
            field: field.into(),
            message: "m".into(),
        }
    }

    #[test]
    fn domain_errors_land_where_the_input_has_them() {
        let kept = ["budget".to_owned()];
        let at = |field: &str| relocate(error(field), 2, &kept);
        assert_eq!(at("answers.1.value").field, "input.changes.1.value");
        assert_eq!(at("answers").field, "input.changes");
        assert_eq!(at("outlook.plan").field, "input.outlook.plan");
        let old = at("answers.2.value");
        assert_eq!(old.field, "input.changes");
        assert_eq!(
            old.message,
            "the latest answer to `budget` no longer fits the standard (m): give a new one"
        );
    }
}
