//! What the viewer may do with an object they read: the `viewerCan*` fields. Each answer
//! is the one the mutation would give: the policy's line for it, decided by the same
//! `decide` on the same facts (read through the request's loaders and the actor's programs,
//! so a page asks no more statements than one object), and then the state the mutation
//! checks, by the very functions it calls (`require_open`, `require_decidable`, ...).
//! Nothing here is a rule of its own.

use async_graphql::Context;
use domain::policy::{Action, Kind, Outcome};

use super::facts::{Decided, Object, decide};
use crate::error::ApiResult;
use crate::graphql::context::actor;
use crate::graphql::load;
use crate::graphql::loaders::{ProgramId, ProspectId, VersionsOf};
use crate::graphql::mutations::programs::require_open;
use crate::graphql::mutations::prospects::{require_active, require_decidable};

/// Whether the policy allows the viewer `action` on `object` as `kind`.
async fn allows(
    ctx: &Context<'_>,
    kind: Kind,
    action: Action,
    object: Object<'_>,
) -> ApiResult<bool> {
    let me = actor(ctx)?;
    Ok(decide(ctx, me, kind, action, object).await? == Outcome::Allowed)
}

/// Whether the viewer runs the program (its mentor).
///
/// # Errors
/// `UNAUTHENTICATED` without a signed-in user.
pub fn is_mentor(ctx: &Context<'_>, program: &store::Program) -> ApiResult<bool> {
    Ok(actor(ctx)?.user_id == program.mentor_id)
}

/// `updateProgram`: the program's `Change` line (archived or not).
///
/// # Errors
/// `INTERNAL` when the database fails.
pub async fn may_update_program(ctx: &Context<'_>, program: &store::Program) -> ApiResult<bool> {
    allows(ctx, Kind::Program, Action::Change, program.object()).await
}

/// `archiveProgram` would archive it: its `Change` line, and not archived yet (archiving
/// again changes nothing).
///
/// # Errors
/// `INTERNAL` when the database fails.
pub async fn may_archive_program(ctx: &Context<'_>, program: &store::Program) -> ApiResult<bool> {
    Ok(program.archived_at.is_none() && may_update_program(ctx, program).await?)
}

/// `createInvite`: its `Change` line, and the program open.
///
/// # Errors
/// `INTERNAL` when the database fails.
pub async fn may_invite(ctx: &Context<'_>, program: &store::Program) -> ApiResult<bool> {
    Ok(require_open(program).is_ok() && may_update_program(ctx, program).await?)
}

/// `createProspect` in this program: the prospect's `Create` line on the program, and the
/// program open.
///
/// # Errors
/// `INTERNAL` when the database fails.
pub async fn may_create_prospect(ctx: &Context<'_>, program: &store::Program) -> ApiResult<bool> {
    Ok(require_open(program).is_ok()
        && allows(
            ctx,
            Kind::Prospect,
            Action::Create,
            Object::ProgramId(program.id),
        )
        .await?)
}

/// `updateTemplateDraft` (and `archiveTemplate`, `copyTemplate`): the template's `Change`
/// line.
///
/// # Errors
/// `INTERNAL` when the database fails.
pub async fn may_update_template(ctx: &Context<'_>, template: &store::Template) -> ApiResult<bool> {
    allows(ctx, Kind::Template, Action::Change, template.object()).await
}

/// `publishTemplate`: its `Change` line, and its newest version a draft (publishing a
/// published one is `CONFLICT`, `ALREADY_PUBLISHED`).
///
/// # Errors
/// `INTERNAL` when the database fails.
pub async fn may_publish_template(
    ctx: &Context<'_>,
    template: &store::Template,
) -> ApiResult<bool> {
    if !may_update_template(ctx, template).await? {
        return Ok(false);
    }
    let versions = load::one(ctx, VersionsOf(template.id)).await?;
    Ok(versions
        .and_then(|v| v.last().map(|latest| latest.status))
        .is_some_and(|status| status == store::VersionStatus::Draft))
}

/// A change of the prospect as `kind` (`Prospect`, `Client`, `OutcomeEntry`): that line.
async fn may_change(ctx: &Context<'_>, kind: Kind, prospect: &store::Prospect) -> ApiResult<bool> {
    allows(ctx, kind, Action::Change, prospect.object()).await
}

/// `updateProspect`: the prospect's `Change` line.
///
/// # Errors
/// `INTERNAL` when the database fails.
pub async fn may_update_prospect(ctx: &Context<'_>, prospect: &store::Prospect) -> ApiResult<bool> {
    may_change(ctx, Kind::Prospect, prospect).await
}

/// `archiveProspect` would archive it: its `Change` line, and not archived yet.
///
/// # Errors
/// `INTERNAL` when the database fails.
pub async fn may_archive_prospect(
    ctx: &Context<'_>,
    prospect: &store::Prospect,
) -> ApiResult<bool> {
    Ok(require_active(prospect).is_ok() && may_update_prospect(ctx, prospect).await?)
}

/// `qualifyProspect`: its `Change` line, the prospect not archived, and its program open
/// with a standard (else `CONFLICT`, `NO_STANDARD`).
///
/// # Errors
/// `INTERNAL` when the database fails.
pub async fn may_qualify(ctx: &Context<'_>, prospect: &store::Prospect) -> ApiResult<bool> {
    // The program first, before anything waits: its key joins the batch of the page's
    // other programs (`Prospect.program`) instead of a second one after the policy's facts.
    let program = load::existing(ctx, ProgramId(prospect.program_id)).await?;
    Ok(require_active(prospect).is_ok()
        && require_open(&program).is_ok()
        && program.standard_version_id.is_some()
        && may_update_prospect(ctx, prospect).await?)
}

/// `decideProspect` (turning down, always allowed by the method): its `Change` line, the
/// prospect not archived and no exception request waiting for the mentor.
///
/// # Errors
/// `INTERNAL` when the database fails.
pub async fn may_decide(ctx: &Context<'_>, prospect: &store::Prospect) -> ApiResult<bool> {
    Ok(require_decidable(prospect).is_ok() && may_update_prospect(ctx, prospect).await?)
}

/// `recordOutcome` for the client `prospect` became: the `OutcomeEntry` `Change` line.
///
/// # Errors
/// `INTERNAL` when the database fails.
pub async fn may_record_outcome(ctx: &Context<'_>, prospect: &store::Prospect) -> ApiResult<bool> {
    may_change(ctx, Kind::OutcomeEntry, prospect).await
}

/// `endClient`: the `Client` `Change` line, and the client not ended (ending twice is
/// `CONFLICT`).
///
/// # Errors
/// `INTERNAL` when the database fails.
pub async fn may_end_client(
    ctx: &Context<'_>,
    client: &store::Client,
    prospect: &store::Prospect,
) -> ApiResult<bool> {
    Ok(client.end.is_none() && may_change(ctx, Kind::Client, prospect).await?)
}

/// `correctOutcome`: the `OutcomeEntry` `Change` line on the entry's prospect.
///
/// # Errors
/// `INTERNAL` when the database fails.
pub async fn may_correct_outcome(
    ctx: &Context<'_>,
    entry: &store::OutcomeRecord,
) -> ApiResult<bool> {
    let prospect = load::existing(ctx, ProspectId(entry.prospect_id)).await?;
    may_change(ctx, Kind::OutcomeEntry, &prospect).await
}

/// `reviewException`: the request's `Change` line on its prospect, and the request still
/// pending (a second review is `CONFLICT`, `ALREADY_REVIEWED`).
///
/// # Errors
/// `INTERNAL` when the database fails.
pub async fn may_review(ctx: &Context<'_>, request: &store::ExceptionRequest) -> ApiResult<bool> {
    if request.status != store::ExceptionStatus::Pending {
        return Ok(false);
    }
    let prospect = load::existing(ctx, ProspectId(request.prospect_id)).await?;
    allows(
        ctx,
        Kind::ExceptionRequest,
        Action::Change,
        prospect.object(),
    )
    .await
}
