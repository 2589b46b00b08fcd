//! Mentor mutations on programs, invites, enrollments and exception reviews.

use std::sync::Arc;

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use chrono::Utc;
use domain::policy;
use uuid::Uuid;

use crate::error::{ApiError, ApiResult, Conflict};
use crate::graphql::access;
use crate::graphql::audit::Tx;
use crate::graphql::context::{actor, db};
use crate::graphql::ids::{self, Kind};
use crate::graphql::load;
use crate::graphql::loaders::VersionId;
use crate::graphql::mutations::templates::parse_name;
use crate::graphql::mutations::unchanged_or;
use crate::graphql::types::decision::ExceptionRequest;
use crate::graphql::types::program::{Invite, Program};
use crate::graphql::types::prospect::Prospect;
use crate::graphql::types::units::CurrencyCode;

/// A new program.
#[derive(InputObject)]
pub struct CreateProgramInput {
    /// The program's name.
    pub name: String,
    /// Free text; empty by default.
    #[graphql(default)]
    pub description: String,
    /// A published version of one of your templates.
    pub standard_version_id: Option<ID>,
    /// The currency its outcome entries' revenue is recorded in; `EUR` when omitted.
    pub currency: Option<CurrencyCode>,
}

/// A program's currency.
#[derive(InputObject)]
pub struct SetProgramCurrencyInput {
    /// The program (yours).
    pub program_id: ID,
    /// The new currency.
    pub currency: CurrencyCode,
}

/// The result of a currency change.
#[derive(SimpleObject)]
pub struct SetProgramCurrencyPayload {
    /// The program as it is now.
    pub program: Program,
}

/// Changes to a program: omitted fields stay as they are.
#[derive(InputObject)]
pub struct UpdateProgramInput {
    /// The program to change (yours).
    pub id: ID,
    /// The new name; omitted: unchanged; `null` is refused (`BAD_USER_INPUT`).
    pub name: MaybeUndefined<String>,
    /// The new description (blank for none); omitted: unchanged; `null` is refused.
    pub description: MaybeUndefined<String>,
    /// A published version of one of your templates: new qualifications are scored against
    /// it. Omitted: unchanged; `null` is refused (a standard can be replaced, not removed).
    pub standard_version_id: MaybeUndefined<ID>,
    /// The `revision` you last read. If the object changed since, the update fails with
    /// `CONFLICT` (reason `STALE_REVISION`) and changes nothing. Omitted or `null`: no check.
    pub expected_revision: Option<i32>,
}

/// A new invite code.
#[derive(InputObject)]
pub struct CreateInviteInput {
    /// The program to join with it (yours).
    pub program_id: ID,
    /// `null`: unlimited.
    pub max_uses: Option<i32>,
    /// When the code stops working; `null`: never expires.
    pub expires_at: Option<crate::graphql::types::datetime::DateTime>,
}

/// Who leaves which program.
#[derive(InputObject)]
pub struct RemoveMenteeInput {
    /// The program (yours).
    pub program_id: ID,
    /// The mentee to remove.
    pub mentee_id: ID,
}

/// A mentor's review of an exception request.
#[derive(InputObject)]
pub struct ReviewExceptionInput {
    /// The exception request (pending, in one of your programs).
    pub id: ID,
    /// `true` approves (the prospect is taken on), `false` rejects.
    pub approve: bool,
    /// A note to the mentee; optional.
    pub note: Option<String>,
}

/// The result of a change to a program.
#[derive(SimpleObject)]
pub struct ProgramPayload {
    /// The program as it is now.
    pub program: Program,
}

/// The result of a change to an invite.
#[derive(SimpleObject)]
pub struct InvitePayload {
    /// The invite as it is now.
    pub invite: Invite,
}

/// The result of removing a mentee.
#[derive(SimpleObject)]
pub struct RemoveMenteePayload {
    /// The program as it is now.
    pub program: Program,
    /// The removed mentee's id.
    pub removed_mentee_id: ID,
}

/// The result of a review.
#[derive(SimpleObject)]
pub struct ReviewExceptionPayload {
    /// The request, approved or rejected.
    pub exception_request: ExceptionRequest,
    /// The prospect, with its new status.
    pub prospect: Prospect,
}

#[derive(Default)]
pub struct ProgramMutation;

#[Object]
impl ProgramMutation {
    /// Create a program (mentors), optionally with its qualification standard.
    async fn create_program(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to change; see the input type.")] input: CreateProgramInput,
    ) -> ApiResult<Option<ProgramPayload>> {
        let me = access::attempt(ctx, policy::Kind::Program, policy::Action::Create)?;
        let name = parse_name("input.name", &input.name)?;
        let standard = match &input.standard_version_id {
            Some(id) => Some(published_version(ctx, id, "input.standardVersionId").await?),
            None => None,
        };
        let tx = Tx::begin(ctx).await?;
        let program = store::programs::create_program(
            tx.conn(),
            me.user_id,
            &name,
            &description_text("input.description", &input.description)?,
            standard,
        )
        .await?;
        // A new program has no outcomes: its currency can be set in the same transaction.
        let program = match input.currency {
            Some(currency) => {
                store::programs::set_currency(tx.conn(), program.id, currency.0).await?
            }
            None => program,
        };
        tx.commit("program.create", "Program", Some(program.id))
            .await?;
        Ok(Some(ProgramPayload {
            program: Program(Arc::new(program)),
        }))
    }

    /// Change a program's name, description or standard. New qualifications are scored
    /// against the new standard; earlier ones keep the version they were scored against.
    async fn update_program(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to change; see the input type.")] input: UpdateProgramInput,
    ) -> ApiResult<Option<ProgramPayload>> {
        let program = own_program(ctx, &input.id).await?;
        let name = unchanged_or("input.name", input.name)?
            .map(|n| parse_name("input.name", &n))
            .transpose()?;
        let description = unchanged_or("input.description", input.description)?;
        let standard = match unchanged_or("input.standardVersionId", input.standard_version_id)? {
            Some(id) => Some(published_version(ctx, &id, "input.standardVersionId").await?),
            None => None,
        };
        let tx = Tx::begin(ctx).await?;
        let updated = store::programs::update_program(
            tx.conn(),
            program.id,
            name.as_ref(),
            description
                .as_deref()
                .map(|d| description_text("input.description", d))
                .transpose()?
                .as_ref(),
            standard,
            input.expected_revision,
        )
        .await?;
        // Nothing changed: nothing to record (the transaction rolls back, empty).
        if updated.revision != program.revision {
            tx.commit("program.update", "Program", Some(updated.id))
                .await?;
        }
        let program = updated;
        Ok(Some(ProgramPayload {
            program: Program(Arc::new(program)),
        }))
    }

    /// Set the currency of a program's outcome entries (its mentor). Only before any
    /// outcome is recorded in it: then `CONFLICT`, reason `OUTCOMES_RECORDED` (recorded
    /// amounts are minor units of the currency they were entered in).
    async fn set_program_currency(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to change; see the input type.")] input: SetProgramCurrencyInput,
    ) -> ApiResult<Option<SetProgramCurrencyPayload>> {
        let program = own_program(ctx, &input.program_id).await?;
        let tx = Tx::begin(ctx).await?;
        let updated =
            store::programs::set_currency(tx.conn(), program.id, input.currency.0).await?;
        // Already its currency: nothing to record (the transaction rolls back, empty).
        if updated.revision != program.revision {
            tx.commit("program.set_currency", "Program", Some(updated.id))
                .await?;
        }
        Ok(Some(SetProgramCurrencyPayload {
            program: Program(Arc::new(updated)),
        }))
    }

    /// Archive a program (its mentor) when it has run its course: it stays readable with
    /// everything in it, and takes no new invite, prospect or qualification (`CONFLICT`,
    /// reason `ARCHIVED`); its invite codes stop working. Archiving twice changes nothing.
    async fn archive_program(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The program (one you run).")] id: ID,
    ) -> ApiResult<Option<ProgramPayload>> {
        let program = own_program(ctx, &id).await?;
        let tx = Tx::begin(ctx).await?;
        let archived = store::programs::archive_program(tx.conn(), program.id, Utc::now()).await?;
        // Archived before: nothing to record (the transaction rolls back, empty).
        if archived.revision != program.revision {
            tx.commit("program.archive", "Program", Some(archived.id))
                .await?;
        }
        Ok(Some(ProgramPayload {
            program: Program(Arc::new(archived)),
        }))
    }

    /// A new invite code for a program (not archived).
    async fn create_invite(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to change; see the input type.")] input: CreateInviteInput,
    ) -> ApiResult<Option<InvitePayload>> {
        let program = own_program(ctx, &input.program_id).await?;
        require_open(&program)?;
        if input.max_uses.is_some_and(|m| !(1..=10_000).contains(&m)) {
            return Err(ApiError::bad_field(
                "input.maxUses",
                "must be between 1 and 10000",
            ));
        }
        let now = Utc::now();
        if input.expires_at.is_some_and(|at| at.0 <= now) {
            return Err(ApiError::bad_field(
                "input.expiresAt",
                "must be in the future",
            ));
        }
        let tx = Tx::begin(ctx).await?;
        let invite = store::invites::create_invite(
            tx.conn(),
            program.id,
            actor(ctx)?.user_id,
            &new_invite_code(),
            input.max_uses,
            input.expires_at.map(|at| at.0),
        )
        .await?;
        tx.commit("invite.create", "Invite", Some(invite.id))
            .await?;
        Ok(Some(InvitePayload {
            invite: Invite(Arc::new(invite)),
        }))
    }

    /// Revoke an invite code: it stops working at once.
    async fn revoke_invite(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The invite's id.")] id: ID,
    ) -> ApiResult<Option<InvitePayload>> {
        let invite = access::invite_to_change(ctx, || ids::decode(Kind::Invite, &id)).await?;
        let tx = Tx::begin(ctx).await?;
        let invite = store::invites::revoke_invite(tx.conn(), invite.id, Utc::now()).await?;
        tx.commit("invite.revoke", "Invite", Some(invite.id))
            .await?;
        Ok(Some(InvitePayload {
            invite: Invite(Arc::new(invite)),
        }))
    }

    /// Remove a mentee from a program. Their prospects stay theirs, and stay visible to you.
    async fn remove_mentee(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to change; see the input type.")] input: RemoveMenteeInput,
    ) -> ApiResult<Option<RemoveMenteePayload>> {
        let program = own_program(ctx, &input.program_id).await?;
        let mentee = ids::decode(Kind::User, &input.mentee_id)?;
        let db = db(ctx)?;
        store::programs::enrollment(db, program.id, mentee)
            .await?
            .ok_or(ApiError::NotFound)?;
        let mut tx = Tx::begin(ctx).await?;
        store::programs::remove_enrollment(tx.conn(), program.id, mentee, Utc::now()).await?;
        tx.emit(crate::events::mentee_removed(program.id, mentee));
        tx.commit("program.remove_mentee", "User", Some(mentee))
            .await?;
        Ok(Some(RemoveMenteePayload {
            program: Program(program),
            removed_mentee_id: input.mentee_id,
        }))
    }

    /// Approve or reject a pending exception request.
    async fn review_exception(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to change; see the input type.")] input: ReviewExceptionInput,
    ) -> ApiResult<Option<ReviewExceptionPayload>> {
        let (me, request) =
            access::exception_to_review(ctx, || ids::decode(Kind::ExceptionRequest, &input.id))
                .await?;
        let note = input
            .note
            .as_deref()
            .map(domain::LongText::parse)
            .transpose()
            .map_err(|e| ApiError::BadInput(vec![e.at("input.note")]))?
            .and_then(domain::LongText::non_empty);
        let mut tx = Tx::begin(ctx).await?;
        let reviewed = store::exceptions::review_exception(
            tx.conn(),
            request.id,
            me.user_id,
            input.approve,
            note.as_ref(),
            Utc::now(),
        )
        .await
        .map_err(|e| match e {
            store::StoreError::Conflict(_) => ApiError::Conflict(
                Conflict::AlreadyReviewed,
                "this exception request was already reviewed".into(),
            ),
            other => other.into(),
        })?;
        let prospect = store::prospects::prospect_by_id(tx.conn(), reviewed.prospect_id)
            .await?
            .ok_or(ApiError::NotFound)?;
        let action = if input.approve {
            "exception.approve"
        } else {
            "exception.reject"
        };
        tx.emit(crate::events::exception_reviewed(&prospect, &reviewed));
        tx.commit(action, "ExceptionRequest", Some(reviewed.id))
            .await?;
        Ok(Some(ReviewExceptionPayload {
            exception_request: ExceptionRequest(Arc::new(reviewed)),
            prospect: Prospect(Arc::new(prospect)),
        }))
    }
}

/// The program's qualification standard, what its prospects are scored against.
///
/// # Errors
/// `CONFLICT` (reason `NO_STANDARD`) when the program has none yet.
pub async fn standard_of(
    ctx: &Context<'_>,
    program: &store::Program,
) -> ApiResult<Arc<store::TemplateVersion>> {
    let version_id = program.standard_version_id.ok_or_else(|| {
        ApiError::Conflict(
            Conflict::NoStandard,
            "the program has no qualification standard yet; ask its mentor".into(),
        )
    })?;
    load::existing(ctx, VersionId(version_id)).await
}

/// `CONFLICT` (reason `ARCHIVED`) for an archived program: it takes nothing new.
pub fn require_open(program: &store::Program) -> ApiResult<()> {
    match program.archived_at {
        Some(_) => Err(ApiError::Conflict(
            Conflict::Archived,
            "the program is archived".into(),
        )),
        None => Ok(()),
    }
}

/// A program the actor may change (runs).
///
/// # Errors
/// `FORBIDDEN` for mentees, `NOT_FOUND` for programs of other mentors.
async fn own_program(ctx: &Context<'_>, id: &ID) -> ApiResult<Arc<store::Program>> {
    access::program_to_change(ctx, || ids::decode(Kind::Program, id)).await
}

/// A published version of one of the actor's templates.
async fn published_version(ctx: &Context<'_>, id: &ID, field: &str) -> ApiResult<Uuid> {
    let uuid = ids::decode(Kind::TemplateVersion, id)?;
    let version = access::version(ctx, uuid)
        .await?
        .ok_or(ApiError::NotFound)?;
    if version.status != store::VersionStatus::Published {
        return Err(ApiError::bad_field(
            field,
            "must be a published template version",
        ));
    }
    Ok(version.id)
}

/// 16 characters from an unambiguous alphabet: about 80 bits, easy to type.
fn new_invite_code() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let bytes: [u8; 16] = rand::random();
    bytes
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
        .collect()
}

/// A description: trimmed, at most `domain::text::MAX_TEXT_CHARS` characters.
fn description_text(field: &str, text: &str) -> ApiResult<domain::LongText> {
    domain::LongText::parse(text).map_err(|e| ApiError::BadInput(vec![e.at(field)]))
}
