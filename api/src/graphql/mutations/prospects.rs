//! Mentee mutations: prospects, qualifications and decisions.

use std::sync::Arc;

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use chrono::Utc;
use domain::FieldError;

use crate::error::{ApiError, ApiResult, Conflict};
use crate::graphql::access;
use crate::graphql::audit::Tx;
use crate::graphql::context::{actor, db};
use crate::graphql::ids::{self, Kind};
use crate::graphql::inputs::{self, AnswerInput, BiasCheckInput, OutlookInput};
use crate::graphql::load;
use crate::graphql::loaders::{ProgramId, QualificationId, VersionId};
use crate::graphql::mutations::programs::{require_open, standard_of};
use crate::graphql::mutations::templates::parse_name;
use crate::graphql::mutations::unchanged_or;
use crate::graphql::types::decision::{Decision, ExceptionRequest};
use crate::graphql::types::enums::DecisionKind;
use crate::graphql::types::prospect::Prospect;
use crate::graphql::types::qualification::Qualification;

/// A new prospect.
#[derive(InputObject)]
pub struct CreateProspectInput {
    /// A program you are enrolled in: the prospect is qualified against its standard.
    pub program_id: ID,
    /// The prospect's name.
    pub name: String,
    /// The company; optional.
    pub company: Option<String>,
    /// Notes; optional.
    pub notes: Option<String>,
}

/// Changes to a prospect: omitted fields stay as they are.
#[derive(InputObject)]
pub struct UpdateProspectInput {
    /// The prospect to change (yours).
    pub id: ID,
    /// The new name; omitted: unchanged; `null` is refused (`BAD_USER_INPUT`): a prospect
    /// always has a name.
    pub name: MaybeUndefined<String>,
    /// The new company; omitted: unchanged; `null` or blank: cleared.
    pub company: MaybeUndefined<String>,
    /// The new notes; omitted: unchanged; `null` or blank: cleared.
    pub notes: MaybeUndefined<String>,
    /// The `revision` you last read. If the object changed since, the update fails with
    /// `CONFLICT` (reason `STALE_REVISION`) and changes nothing. Omitted or `null`: no check.
    pub expected_revision: Option<i32>,
}

/// A qualification: the answers now, and optionally the outlook.
#[derive(InputObject)]
pub struct QualifyProspectInput {
    /// The prospect (yours, not archived).
    pub prospect_id: ID,
    /// One answer per criterion of the program's standard version.
    pub answers: Vec<AnswerInput>,
    /// The answers a concrete plan is expected to bring within the horizon; omit for none.
    pub outlook: Option<OutlookInput>,
}

/// A decision on a qualified prospect.
#[derive(InputObject)]
pub struct DecideProspectInput {
    /// The prospect to decide on (yours).
    pub prospect_id: ID,
    /// The qualification you decide on: the prospect's `latestQualification.id` as you read
    /// it. If the prospect was qualified again since (or this is not its latest), nothing is
    /// recorded and the call fails with `CONFLICT`, reason `STALE_QUALIFICATION`: read the
    /// new result first. Omit it (or `null`) only for a prospect never qualified, which can
    /// only be turned down.
    pub qualification_id: Option<ID>,
    /// Take on or turn down.
    pub decision: DecisionKind,
    /// Required to take on a prospect the verdict declines (policy `REVIEW`).
    pub reason: Option<String>,
    /// Required with a reason for an exception.
    pub bias_check: Option<BiasCheckInput>,
}

/// The result of a change to a prospect.
#[derive(SimpleObject)]
pub struct ProspectPayload {
    /// The prospect as it is now.
    pub prospect: Prospect,
}

/// The result of a qualification.
#[derive(SimpleObject)]
pub struct QualifyProspectPayload {
    /// The new qualification.
    pub qualification: Qualification,
    /// The prospect, with its new status.
    pub prospect: Prospect,
}

/// The result of a decision.
#[derive(SimpleObject)]
pub struct DecideProspectPayload {
    /// The decision recorded.
    pub decision: Decision,
    /// The prospect, with its new status.
    pub prospect: Prospect,
    /// Set when taking on needs the mentor's approval.
    pub exception_request: Option<ExceptionRequest>,
}

#[derive(Default)]
pub struct ProspectMutation;

#[Object]
impl ProspectMutation {
    /// Add a prospect to one of your programs (mentees).
    async fn create_prospect(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to change; see the input type.")] input: CreateProspectInput,
    ) -> ApiResult<Option<ProspectPayload>> {
        let (me, program) =
            access::program_for_new_prospect(ctx, || ids::decode(Kind::Program, &input.program_id))
                .await?;
        let into = load::existing(ctx, ProgramId(program)).await?;
        require_open(&into)?;
        let name = parse_name("input.name", &input.name)?;
        let company = optional_text("input.company", input.company)?;
        let notes = optional_text("input.notes", input.notes)?;
        let mut tx = Tx::begin(ctx).await?;
        let prospect = store::prospects::create_prospect(
            tx.conn(),
            me.user_id,
            program,
            &name,
            company.as_ref(),
            notes.as_ref(),
        )
        .await?;
        tx.emit(crate::events::prospect_created(&prospect));
        tx.commit("prospect.create", "Prospect", Some(prospect.id))
            .await?;
        Ok(Some(ProspectPayload {
            prospect: Prospect(Arc::new(prospect)),
        }))
    }

    /// Change a prospect's name, company or notes.
    async fn update_prospect(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to change; see the input type.")] input: UpdateProspectInput,
    ) -> ApiResult<Option<ProspectPayload>> {
        let prospect = own_prospect(ctx, &input.id).await?;
        let name = unchanged_or("input.name", input.name)?
            .map(|n| parse_name("input.name", &n))
            .transpose()?;
        let company = clearable("input.company", input.company)?;
        let notes = clearable("input.notes", input.notes)?;
        let tx = Tx::begin(ctx).await?;
        let before = prospect.revision;
        let prospect = store::prospects::update_prospect(
            tx.conn(),
            prospect.id,
            name.as_ref(),
            company,
            notes,
            input.expected_revision,
        )
        .await?;
        // Nothing changed: nothing to record (the transaction rolls back, empty).
        if prospect.revision != before {
            tx.commit("prospect.update", "Prospect", Some(prospect.id))
                .await?;
        }
        Ok(Some(ProspectPayload {
            prospect: Prospect(Arc::new(prospect)),
        }))
    }

    /// Archive a prospect: it leaves the default lists and can no longer be qualified or
    /// decided on.
    async fn archive_prospect(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The prospect (yours).")] id: ID,
    ) -> ApiResult<Option<ProspectPayload>> {
        let prospect = own_prospect(ctx, &id).await?;
        let tx = Tx::begin(ctx).await?;
        let prospect =
            store::prospects::archive_prospect(tx.conn(), prospect.id, Utc::now()).await?;
        tx.commit("prospect.archive", "Prospect", Some(prospect.id))
            .await?;
        Ok(Some(ProspectPayload {
            prospect: Prospect(Arc::new(prospect)),
        }))
    }

    /// Score a prospect against its program's standard version as it is now. Appends a new
    /// qualification; earlier ones stay as they were.
    async fn qualify_prospect(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to change; see the input type.")] input: QualifyProspectInput,
    ) -> ApiResult<Option<QualifyProspectPayload>> {
        let (prospect, version) = qualifying(ctx, &input.prospect_id).await?;
        let (evidence, evidence_problems) = inputs::evidence(&input.answers, "input.answers");
        let (answers, mut problems) = inputs::domain_answers(input.answers, "input.answers");
        problems.extend(evidence_problems);
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
        record_qualification(ctx, &prospect, &version, drafted, |e| FieldError {
            field: format!("input.{}", e.field),
            message: e.message,
        })
        .await
        .map(Some)
    }

    /// Take on or turn down a prospect. Taking on against a `DECLINE` verdict is an exception:
    /// refused under `STRICT` (`EXCEPTION_NOT_ALLOWED`); under `REVIEW` it needs a reason and a
    /// bias check and waits for the mentor.
    async fn decide_prospect(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to change; see the input type.")] input: DecideProspectInput,
    ) -> ApiResult<Option<DecideProspectPayload>> {
        let me = actor(ctx)?;
        let prospect = own_prospect(ctx, &input.prospect_id).await?;
        require_decidable(&prospect)?;
        let seen = match &input.qualification_id {
            Some(id) => Some(ids::decode(Kind::Qualification, id).map_err(|_| {
                ApiError::bad_field("input.qualificationId", "not a qualification id")
            })?),
            None => None,
        };
        if seen != prospect.latest_qualification_id {
            return Err(stale_qualification());
        }
        let latest = match prospect.latest_qualification_id {
            Some(id) => Some(load::existing(ctx, QualificationId(id)).await?),
            None => None,
        };
        let policy = match &latest {
            Some(q) => load::existing(ctx, VersionId(q.template_version_id))
                .await?
                .definition
                .exception_policy(),
            None => domain::ExceptionPolicy::Strict,
        };
        let bias: Option<domain::BiasCheck> = input.bias_check.map(Into::into);
        let decision: domain::Decision = input.decision.into();
        let outcome = domain::decide(
            policy,
            latest.as_ref().map(|q| q.result.verdict),
            decision,
            input.reason.as_deref(),
            bias.as_ref(),
        )
        .map_err(decision_error)?;
        // `decide` has checked the reason's length: this is the same rule, once more.
        let reason = input
            .reason
            .as_deref()
            .map(domain::LongText::parse)
            .transpose()
            .map_err(|_| decision_error(domain::DecisionError::ReasonTooLong))?
            .and_then(domain::LongText::non_empty);
        let mut tx = Tx::begin(ctx).await?;
        let (record, exception) = store::decisions::record_decision_through(
            tx.conn(),
            store::NewDecision {
                prospect_id: prospect.id,
                qualification_id: latest.as_ref().map(|q| q.id),
                decided_by: me.user_id,
                decision,
                reason,
                bias_check: bias,
                outcome,
                new_status: domain::status_after_decision(outcome),
                program_id: prospect.program_id,
            },
            me.key_id,
        )
        .await
        .map_err(|e| match e {
            // Qualified again between the check above and this transaction.
            store::StoreError::Stale => stale_qualification(),
            other => other.into(),
        })?;
        let prospect = store::prospects::prospect_by_id(tx.conn(), prospect.id)
            .await?
            .ok_or(ApiError::NotFound)?;
        tx.emit(crate::events::prospect_decided(&prospect, &record));
        if let Some(request) = &exception {
            tx.emit(crate::events::exception_requested(&prospect, request));
        }
        tx.commit("prospect.decide", "Decision", Some(record.id))
            .await?;
        Ok(Some(DecideProspectPayload {
            decision: Decision(Arc::new(record)),
            prospect: Prospect(Arc::new(prospect)),
            exception_request: exception.map(|e| ExceptionRequest(Arc::new(e))),
        }))
    }
}

/// A qualification before it is checked: the answers as drafts, their evidence, the
/// outlook, and the problems found reading them from the input.
pub(crate) struct Drafted {
    pub answers: Vec<domain::AnswerDraft>,
    pub evidence: Vec<(domain::CriterionKey, domain::Evidence)>,
    pub outlook: Option<domain::OutlookDraft>,
    pub problems: Vec<FieldError>,
}

/// The prospect to qualify (yours, not archived) and its program's standard (the program
/// not archived).
///
/// # Errors
/// `NOT_FOUND` / `FORBIDDEN` as for any change of the prospect; `CONFLICT` for an archived
/// prospect or program, or a program without a standard.
pub(crate) async fn qualifying(
    ctx: &Context<'_>,
    prospect_id: &ID,
) -> ApiResult<(Arc<store::Prospect>, Arc<store::TemplateVersion>)> {
    let prospect = own_prospect(ctx, prospect_id).await?;
    require_active(&prospect)?;
    let program = store::programs::program_by_id(db(ctx)?, prospect.program_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    require_open(&program)?;
    let version = standard_of(ctx, &program).await?;
    Ok((prospect, version))
}

/// Scores `drafted` against `version` as it is today and appends the qualification, with
/// its audit record: `qualifyProspect` and `requalifyProspect` alike. `at` puts a domain
/// error (path `answers.0.value`, `outlook.plan`) where the input has it.
///
/// # Errors
/// `BAD_USER_INPUT` with every problem at once: `drafted`'s, then the domain's.
pub(crate) async fn record_qualification(
    ctx: &Context<'_>,
    prospect: &store::Prospect,
    version: &store::TemplateVersion,
    drafted: Drafted,
    at: impl Fn(FieldError) -> FieldError,
) -> ApiResult<QualifyProspectPayload> {
    let me = actor(ctx)?;
    let Drafted {
        answers,
        evidence,
        outlook,
        mut problems,
    } = drafted;
    let qualified = domain::qualify(
        &version.definition,
        &answers,
        outlook.as_ref(),
        Utc::now().date_naive(),
    );
    // Every problem at once: the answers that are not answers, then the domain's.
    let qualified = match qualified {
        Ok(qualified) if problems.is_empty() => qualified,
        Ok(_) => return Err(ApiError::BadInput(problems)),
        Err(errors) => {
            problems.extend(errors.0.into_iter().map(at));
            return Err(ApiError::BadInput(problems));
        }
    };
    let mut tx = Tx::begin(ctx).await?;
    let qualification = store::qualifications::insert_qualification_through(
        tx.conn(),
        store::qualifications::NewQualification {
            prospect_id: prospect.id,
            template_version_id: version.id,
            qualified_by: me.user_id,
            // Checked, in the version's criteria order: the order they are shown in.
            answers: &qualified.answers,
            outlook: qualified.outlook.as_ref(),
            result: &qualified.result,
            evidence: &evidence,
        },
        me.key_id,
    )
    .await?;
    let prospect = store::prospects::prospect_by_id(tx.conn(), prospect.id)
        .await?
        .ok_or(ApiError::NotFound)?;
    tx.emit(crate::events::prospect_qualified(&prospect, &qualification));
    tx.commit("prospect.qualify", "Qualification", Some(qualification.id))
        .await?;
    Ok(QualifyProspectPayload {
        qualification: Qualification::from(qualification),
        prospect: Prospect(Arc::new(prospect)),
    })
}

pub(crate) fn stale_qualification() -> ApiError {
    ApiError::Conflict(
        Conflict::StaleQualification,
        "`qualificationId` is not the prospect's latest qualification; read the latest and decide on it"
            .into(),
    )
}

fn decision_error(err: domain::DecisionError) -> ApiError {
    match err {
        domain::DecisionError::NotQualified => ApiError::Conflict(
            Conflict::NotQualified,
            "qualify the prospect before taking it on".into(),
        ),
        domain::DecisionError::ExceptionNotAllowed => ApiError::ExceptionNotAllowed,
        domain::DecisionError::ReasonRequired => ApiError::bad_field(
            "input.reason",
            "taking on a declined prospect needs a written reason",
        ),
        domain::DecisionError::BiasCheckRequired => ApiError::bad_field(
            "input.biasCheck",
            "taking on a declined prospect needs the bias check",
        ),
        domain::DecisionError::ReasonTooLong => ApiError::bad_field(
            "input.reason",
            format!(
                "must be at most {} characters",
                domain::text::MAX_TEXT_CHARS
            ),
        ),
    }
}

/// `CONFLICT` unless the prospect can be decided on now: archived (reason `ARCHIVED`), or
/// an exception request waiting for the mentor (`EXCEPTION_PENDING`). Also what
/// `Prospect.viewerCanDecide` asks.
pub fn require_decidable(prospect: &store::Prospect) -> ApiResult<()> {
    require_active(prospect)?;
    if prospect.status == domain::ProspectStatus::ExceptionPending {
        return Err(ApiError::Conflict(
            Conflict::ExceptionPending,
            "an exception request for this prospect is waiting for the mentor's review".into(),
        ));
    }
    Ok(())
}

/// `CONFLICT` (reason `ARCHIVED`) for an archived prospect: it is no longer qualified or
/// decided on.
pub fn require_active(prospect: &store::Prospect) -> ApiResult<()> {
    if prospect.archived_at.is_some() {
        return Err(ApiError::Conflict(
            Conflict::Archived,
            "the prospect is archived".into(),
        ));
    }
    Ok(())
}

async fn own_prospect(ctx: &Context<'_>, id: &ID) -> ApiResult<Arc<store::Prospect>> {
    let uuid = ids::decode(Kind::Prospect, id)?;
    access::prospect_to_change(ctx, uuid).await
}

/// `None` for an absent or blank text.
fn optional_text(field: &str, text: Option<String>) -> ApiResult<Option<domain::LongText>> {
    let text = text
        .as_deref()
        .map(domain::LongText::parse)
        .transpose()
        .map_err(|e| ApiError::BadInput(vec![e.at(field)]))?;
    Ok(text.and_then(domain::LongText::non_empty))
}

/// `undefined`: leave as is; `null` or blank: clear; text: set.
fn clearable(
    field: &str,
    value: MaybeUndefined<String>,
) -> ApiResult<Option<Option<domain::LongText>>> {
    match value {
        MaybeUndefined::Undefined => Ok(None),
        MaybeUndefined::Null => Ok(Some(None)),
        MaybeUndefined::Value(text) => Ok(Some(optional_text(field, Some(text))?)),
    }
}

#[cfg(test)]
mod tests {
    use async_graphql::{InputType, Pos, Value};
    use serde_json::json;

    use super::QualifyProspectInput;
    use crate::graphql::inputs::{AnswerInput, AnswerValueInput};

    fn parse<T: InputType>(value: serde_json::Value) -> Result<T, String> {
        let value = Value::from_json(value).map_err(|e| e.to_string())?;
        T::parse(Some(value)).map_err(|e| e.into_server_error(Pos::default()).message)
    }

    #[test]
    fn a_qualification_input_parses_its_answers_and_outlook() -> Result<(), String> {
        let answer = json!({ "key": "fit", "value": { "scale": 4 } });
        let input: QualifyProspectInput = parse(json!({
            "prospectId": "cHJvc3BlY3Q6MQ",
            "answers": [answer, { "key": "budget", "value": { "unknown": true } }],
            "outlook": { "answers": [answer], "plan": "grow", "requalifyBy": "2027-01-31" },
        }))?;
        assert_eq!(input.prospect_id.as_str(), "cHJvc3BlY3Q6MQ");
        let answers: Vec<(&str, bool)> = input
            .answers
            .iter()
            .map(|a| {
                (
                    a.key.as_str(),
                    matches!(a.value, AnswerValueInput::Unknown(true)),
                )
            })
            .collect();
        assert_eq!(answers, [("fit", false), ("budget", true)]);
        assert!(matches!(input.answers[0].value, AnswerValueInput::Scale(4)));
        let outlook = input.outlook.ok_or("no outlook")?;
        assert_eq!(outlook.plan, "grow");
        assert_eq!(outlook.answers.len(), 1);
        // A single answer where a list is expected is a list of one.
        let single: QualifyProspectInput = parse(json!({ "prospectId": "x", "answers": answer }))?;
        assert_eq!(single.answers.len(), 1);
        assert!(single.outlook.is_none());
        Ok(())
    }

    #[test]
    fn bad_answers_are_refused_with_the_reason() {
        let refused = |value: serde_json::Value| parse::<AnswerInput>(value).err();
        for (value, expected) in [
            (
                json!({ "value": { "yes": true } }),
                "Expected input type \"String\", found null. \
                 (occurred while parsing \"AnswerInput\")",
            ),
            (
                json!({ "key": "fit", "value": { "scale": "four" } }),
                "Expected input type \"Int\", found \"four\". (occurred while parsing \
                 \"AnswerValueInput\") (occurred while parsing \"AnswerInput\")",
            ),
            (
                json!({ "key": "fit", "value": { "scale": 4, "yes": true } }),
                "Expected input type \"AnswerValueInput\", found {scale: 4, yes: true}. \
                 (occurred while parsing \"AnswerInput\")",
            ),
            (
                json!("fit"),
                "Expected input type \"AnswerInput\", found \"fit\".",
            ),
        ] {
            assert_eq!(refused(value.clone()).as_deref(), Some(expected), "{value}");
        }
        let missing = parse::<QualifyProspectInput>(json!({ "answers": [] })).err();
        assert_eq!(
            missing.as_deref(),
            Some(
                "Expected input type \"ID\", found null. \
                 (occurred while parsing \"QualifyProspectInput\")"
            )
        );
    }
}
