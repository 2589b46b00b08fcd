//! Who may see what, the I/O half: load an object and the facts its rule reads
//! (`facts`), then ask `domain::policy::decide`. The rules themselves are one table,
//! `domain::policy::RULES`; which field of the schema asks which rule is `graphql::fields`.
//!
//! Lookups answer `None` (reads) or `NOT_FOUND` (changes) for what the actor may not see,
//! exactly as if it did not exist, so that ids cannot be probed; `FORBIDDEN` where the
//! policy refuses by role (before the id is even read), or refuses a change of what the
//! actor may read.

mod facts;
pub mod viewer;

use std::hash::Hash;
use std::sync::Arc;

use async_graphql::Context;
use async_graphql::dataloader::Loader;
use domain::policy::{self, Action, Facts, Kind, Outcome, Visibility};
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};
use crate::graphql::context::{Actor, actor};
use crate::graphql::load;
use crate::graphql::loaders::{
    Batch, DecisionId, ExceptionId, InviteId, LoadError, OutcomeId, ProgramId, ProspectId,
    QualificationId, Shortcut, TemplateId, UserId, VersionId,
};
use facts::{Decided, Object, decide};

/// The policy's answer as the client reads it.
fn answer(outcome: Outcome) -> ApiResult<()> {
    match outcome {
        Outcome::Allowed => Ok(()),
        Outcome::Hidden => Err(ApiError::NotFound),
        Outcome::Forbidden(reason) => Err(ApiError::Forbidden(reason)),
    }
}

/// The signed-in actor, if the policy lets their role attempt `action` on `kind` at all:
/// asked before anything is looked up.
///
/// # Errors
/// `UNAUTHENTICATED` without a signed-in user; `FORBIDDEN` for a role the table refuses.
pub fn attempt<'a>(ctx: &Context<'a>, kind: Kind, action: Action) -> ApiResult<&'a Actor> {
    let me = actor(ctx)?;
    answer(policy::attempt(&me.policy(), kind, action))?;
    Ok(me)
}

/// The filter of the actor's list of `kind`, from the table's `List` line, for
/// `store::visible`.
///
/// # Errors
/// `UNAUTHENTICATED` without a signed-in user; `FORBIDDEN` for a role that may not list it.
pub fn visibility<'a>(ctx: &Context<'a>, kind: Kind) -> ApiResult<(&'a Actor, Visibility)> {
    let me = actor(ctx)?;
    let visible = policy::visibility(&me.policy(), kind)
        .map_err(|refusal| answer(refusal).err().unwrap_or(ApiError::NotFound))?;
    Ok((me, visible))
}

/// Whether the actor may do `action` on `value` (as `kind`).
async fn allowed<V: Decided>(
    ctx: &Context<'_>,
    kind: Kind,
    action: Action,
    value: &V,
) -> ApiResult<bool> {
    let me = actor(ctx)?;
    Ok(decide(ctx, me, kind, action, value.object()).await? == Outcome::Allowed)
}

/// The object behind `key`, if it exists and the actor may read it as `kind`.
async fn read<K, V>(ctx: &Context<'_>, kind: Kind, key: K) -> ApiResult<Option<Arc<V>>>
where
    K: Send + Sync + Hash + Eq + Clone + 'static,
    Batch: Loader<K, Value = Arc<V>, Error = LoadError> + Shortcut<K, Arc<V>>,
    V: Decided,
{
    let Some(value) = load::one(ctx, key).await? else {
        return Ok(None);
    };
    Ok(allowed(ctx, kind, Action::Read, &*value)
        .await?
        .then_some(value))
}

/// The object behind `key` for the actor to change (as `kind`): refused by role before
/// `key` is read, `NOT_FOUND` when missing or hidden.
async fn to_change<K, V>(
    ctx: &Context<'_>,
    kind: Kind,
    key: impl FnOnce() -> ApiResult<K>,
) -> ApiResult<Arc<V>>
where
    K: Send + Sync + Hash + Eq + Clone + 'static,
    Batch: Loader<K, Value = Arc<V>, Error = LoadError> + Shortcut<K, Arc<V>>,
    V: Decided,
{
    let me = attempt(ctx, kind, Action::Change)?;
    let value = load::one(ctx, key()?).await?.ok_or(ApiError::NotFound)?;
    answer(decide(ctx, me, kind, Action::Change, value.object()).await?)?;
    Ok(value)
}

pub async fn program(ctx: &Context<'_>, id: Uuid) -> ApiResult<Option<Arc<store::Program>>> {
    read(ctx, Kind::Program, ProgramId(id)).await
}

/// A program to change (update it, invite to it, remove a mentee).
///
/// # Errors
/// `FORBIDDEN` for mentees (before the id is read), `NOT_FOUND` for programs of others.
pub async fn program_to_change(
    ctx: &Context<'_>,
    id: impl FnOnce() -> ApiResult<Uuid>,
) -> ApiResult<Arc<store::Program>> {
    to_change(ctx, Kind::Program, || id().map(ProgramId)).await
}

/// Whether the actor reads the program's mentees and invite codes.
///
/// # Errors
/// `INTERNAL` when the database fails.
pub async fn may_read_roster(ctx: &Context<'_>, program: &store::Program) -> ApiResult<bool> {
    allowed(ctx, Kind::Program, Action::ReadRoster, program).await
}

/// The program a new prospect goes into, if the actor may create one there.
///
/// # Errors
/// `FORBIDDEN` for mentors, `NOT_FOUND` for a program the mentee is not enrolled in.
pub async fn program_for_new_prospect<'a>(
    ctx: &Context<'a>,
    id: impl FnOnce() -> ApiResult<Uuid>,
) -> ApiResult<(&'a Actor, Uuid)> {
    let me = attempt(ctx, Kind::Prospect, Action::Create)?;
    let id = id()?;
    answer(
        decide(
            ctx,
            me,
            Kind::Prospect,
            Action::Create,
            Object::ProgramId(id),
        )
        .await?,
    )?;
    Ok((me, id))
}

pub async fn template(ctx: &Context<'_>, id: Uuid) -> ApiResult<Option<Arc<store::Template>>> {
    read(ctx, Kind::Template, TemplateId(id)).await
}

/// A template to change (edit, publish, archive, copy).
///
/// # Errors
/// `FORBIDDEN` for mentees (before the id is read), `NOT_FOUND` for anything else they
/// may not see.
pub async fn template_to_change(
    ctx: &Context<'_>,
    id: impl FnOnce() -> ApiResult<Uuid>,
) -> ApiResult<Arc<store::Template>> {
    to_change(ctx, Kind::Template, || id().map(TemplateId)).await
}

/// The template of a version the reader reached, if they may read it (its owner).
///
/// # Errors
/// `INTERNAL` when the database fails.
pub async fn template_of_version(
    ctx: &Context<'_>,
    template: Arc<store::Template>,
) -> ApiResult<Option<Arc<store::Template>>> {
    let visible = allowed(ctx, Kind::Template, Action::Read, &*template).await?;
    Ok(visible.then_some(template))
}

pub async fn version(
    ctx: &Context<'_>,
    id: Uuid,
) -> ApiResult<Option<Arc<store::TemplateVersion>>> {
    read(ctx, Kind::TemplateVersion, VersionId(id)).await
}

pub async fn invite(ctx: &Context<'_>, id: Uuid) -> ApiResult<Option<Arc<store::Invite>>> {
    read(ctx, Kind::Invite, InviteId(id)).await
}

/// An invite to revoke.
///
/// # Errors
/// `FORBIDDEN` for mentees (before the id is read), `NOT_FOUND` for invites of others.
pub async fn invite_to_change(
    ctx: &Context<'_>,
    id: impl FnOnce() -> ApiResult<Uuid>,
) -> ApiResult<Arc<store::Invite>> {
    to_change(ctx, Kind::Invite, || id().map(InviteId)).await
}

pub async fn prospect(ctx: &Context<'_>, id: Uuid) -> ApiResult<Option<Arc<store::Prospect>>> {
    read(ctx, Kind::Prospect, ProspectId(id)).await
}

/// A prospect to change (edit, archive, qualify, decide on). A mentor of the program may
/// see the prospect but never change it, and a mentee removed from the prospect's program
/// may still read it (and its history) but never change it again.
///
/// # Errors
/// `NOT_FOUND` when invisible, `FORBIDDEN` when visible but not the actor's own, or when
/// the actor is no longer enrolled in its program.
pub async fn prospect_to_change(ctx: &Context<'_>, id: Uuid) -> ApiResult<Arc<store::Prospect>> {
    prospect_to_change_as(ctx, Kind::Prospect, id).await
}

/// The prospect whose client (`Kind::Client`: end it) or outcome entries
/// (`Kind::OutcomeEntry`: record one) the actor changes, decided by that kind's line on the
/// prospect's facts.
///
/// # Errors
/// As [`prospect_to_change`].
pub async fn client_to_change(
    ctx: &Context<'_>,
    kind: Kind,
    id: Uuid,
) -> ApiResult<Arc<store::Prospect>> {
    prospect_to_change_as(ctx, kind, id).await
}

/// An outcome entry to correct, with its prospect.
///
/// # Errors
/// `NOT_FOUND` when missing or invisible, `FORBIDDEN` when visible but not the actor's own
/// or the actor is no longer enrolled in its program.
pub async fn outcome_to_change(
    ctx: &Context<'_>,
    id: Uuid,
) -> ApiResult<(store::OutcomeRecord, Arc<store::Prospect>)> {
    let me = attempt(ctx, Kind::OutcomeEntry, Action::Change)?;
    let db = crate::graphql::context::db(ctx)?;
    // A mutation's resolver runs alone: read directly, as `prospect_to_change_as` does.
    let entry = store::outcomes::outcomes_by_ids(db, &[id])
        .await?
        .into_iter()
        .next()
        .ok_or(ApiError::NotFound)?;
    let prospect = store::prospects::prospect_by_id(db, entry.prospect_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    answer(
        decide(
            ctx,
            me,
            Kind::OutcomeEntry,
            Action::Change,
            prospect.object(),
        )
        .await?,
    )?;
    Ok((entry, Arc::new(prospect)))
}

async fn prospect_to_change_as(
    ctx: &Context<'_>,
    kind: Kind,
    id: Uuid,
) -> ApiResult<Arc<store::Prospect>> {
    let me = attempt(ctx, kind, Action::Change)?;
    // Only mutations change a prospect, and a mutation's resolver runs alone: there is
    // nothing to batch with, so the row is read directly rather than through the loader
    // (which would spawn a task and query `id IN (...)` for one id).
    let prospect = store::prospects::prospect_by_id(crate::graphql::context::db(ctx)?, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    answer(decide(ctx, me, kind, Action::Change, prospect.object()).await?)?;
    Ok(Arc::new(prospect))
}

/// `value`, an object of a prospect (`kind`), if the actor may read it: decided on the
/// prospect's facts.
async fn of_prospect<V>(
    ctx: &Context<'_>,
    kind: Kind,
    value: Option<Arc<V>>,
    prospect: impl Fn(&V) -> Uuid,
) -> ApiResult<Option<Arc<V>>> {
    let Some(value) = value else {
        return Ok(None);
    };
    let visible = read::<_, store::Prospect>(ctx, kind, ProspectId(prospect(&value))).await?;
    Ok(visible.map(|_| value))
}

pub async fn qualification(
    ctx: &Context<'_>,
    id: Uuid,
) -> ApiResult<Option<Arc<store::Qualification>>> {
    let q = load::one(ctx, QualificationId(id)).await?;
    of_prospect(ctx, Kind::Qualification, q, |q| q.prospect_id).await
}

/// An outcome entry, if the actor may read it (as its prospect).
pub async fn outcome(ctx: &Context<'_>, id: Uuid) -> ApiResult<Option<Arc<store::OutcomeRecord>>> {
    let o = load::one(ctx, OutcomeId(id)).await?;
    of_prospect(ctx, Kind::OutcomeEntry, o, |o| o.prospect_id).await
}

pub async fn decision(
    ctx: &Context<'_>,
    id: Uuid,
) -> ApiResult<Option<Arc<store::DecisionRecord>>> {
    let d = load::one(ctx, DecisionId(id)).await?;
    of_prospect(ctx, Kind::Decision, d, |d| d.prospect_id).await
}

pub async fn exception(
    ctx: &Context<'_>,
    id: Uuid,
) -> ApiResult<Option<Arc<store::ExceptionRequest>>> {
    let e = load::one(ctx, ExceptionId(id)).await?;
    of_prospect(ctx, Kind::ExceptionRequest, e, |e| e.prospect_id).await
}

/// An exception request to review.
///
/// # Errors
/// `FORBIDDEN` for mentees (before the id is read), `NOT_FOUND` outside the mentor's
/// programs.
pub async fn exception_to_review<'a>(
    ctx: &Context<'a>,
    id: impl FnOnce() -> ApiResult<Uuid>,
) -> ApiResult<(&'a Actor, Arc<store::ExceptionRequest>)> {
    let me = attempt(ctx, Kind::ExceptionRequest, Action::Change)?;
    let request = load::one(ctx, ExceptionId(id()?))
        .await?
        .ok_or(ApiError::NotFound)?;
    let prospect = load::existing(ctx, ProspectId(request.prospect_id)).await?;
    let object = prospect.object();
    answer(decide(ctx, me, Kind::ExceptionRequest, Action::Change, object).await?)?;
    Ok((me, request))
}

/// Users: yourself; a mentor sees the mentees enrolled in their programs; a mentee sees the
/// mentors of their programs.
pub async fn user(ctx: &Context<'_>, id: Uuid) -> ApiResult<Option<Arc<store::User>>> {
    read(ctx, Kind::User, UserId(id)).await
}

/// Whether the reader may read `user`'s e-mail address (the table's `Email` line). `as_self`:
/// the user was just signed in by this request (`signUp`, `login`, `refreshSession`,
/// `changePassword`), and reads their own, whatever token the request carried.
///
/// # Errors
/// `INTERNAL` when the database fails.
pub async fn may_see_email(
    ctx: &Context<'_>,
    user: &store::User,
    as_self: bool,
) -> ApiResult<bool> {
    if as_self {
        let reader = policy::Actor::user(user.id, crate::graphql::context::role(user.role));
        let facts = Facts {
            owner: Some(user.id),
            removed: user.removed,
            ..Facts::default()
        };
        return Ok(policy::decide(&reader, Kind::Email, Action::Read, &facts) == Outcome::Allowed);
    }
    // Anywhere else a user is reached, the request is signed in.
    let Some(me) = ctx.data_opt::<Actor>() else {
        return Ok(false);
    };
    Ok(decide(ctx, me, Kind::Email, Action::Read, user.object()).await? == Outcome::Allowed)
}

/// Whether the reader may list `user`'s programs (only their own).
///
/// # Errors
/// `FORBIDDEN` on any other user.
pub async fn user_programs<'a>(ctx: &Context<'a>, user: &store::User) -> ApiResult<&'a Actor> {
    let me = actor(ctx)?;
    answer(decide(ctx, me, Kind::User, Action::ListPrograms, user.object()).await?)?;
    Ok(me)
}

/// A quarterly goal, if the actor may read it (its mentee; its program's mentor).
///
/// # Errors
/// `INTERNAL` when the database fails.
pub async fn goal(ctx: &Context<'_>, id: Uuid) -> ApiResult<Option<Arc<store::QuarterlyGoal>>> {
    let db = crate::graphql::context::db(ctx)?;
    let Some(goal) = store::goals::goal_by_id(db, id).await? else {
        return Ok(None);
    };
    Ok(allowed(ctx, Kind::Goal, Action::Read, &goal)
        .await?
        .then(|| Arc::new(goal)))
}

/// A quarterly goal to update or delete: its mentee's, while enrolled in its program.
///
/// # Errors
/// `FORBIDDEN` for mentors (before the id is read) and for a mentee removed from the
/// goal's program; `NOT_FOUND` for goals of others.
pub async fn goal_to_change(
    ctx: &Context<'_>,
    id: impl FnOnce() -> ApiResult<Uuid>,
) -> ApiResult<store::QuarterlyGoal> {
    let me = attempt(ctx, Kind::Goal, Action::Change)?;
    let db = crate::graphql::context::db(ctx)?;
    // A mutation's resolver runs alone: read directly, as `prospect_to_change_as` does.
    let goal = store::goals::goal_by_id(db, id()?)
        .await?
        .ok_or(ApiError::NotFound)?;
    answer(decide(ctx, me, Kind::Goal, Action::Change, goal.object()).await?)?;
    Ok(goal)
}

/// The program a new goal goes into, if the actor may set goals there.
///
/// # Errors
/// `FORBIDDEN` for mentors, `NOT_FOUND` for a program the mentee is not enrolled in.
pub async fn program_for_new_goal<'a>(
    ctx: &Context<'a>,
    id: impl FnOnce() -> ApiResult<Uuid>,
) -> ApiResult<(&'a Actor, Uuid)> {
    let me = attempt(ctx, Kind::Goal, Action::Create)?;
    let id = id()?;
    answer(decide(ctx, me, Kind::Goal, Action::Create, Object::ProgramId(id)).await?)?;
    Ok((me, id))
}

/// Whether the reader may read `user`'s BHAG (the user; the mentors of their programs).
///
/// # Errors
/// `INTERNAL` when the database fails.
pub async fn may_see_bhag(ctx: &Context<'_>, user: &store::User) -> ApiResult<bool> {
    let Some(me) = ctx.data_opt::<Actor>() else {
        return Ok(false);
    };
    Ok(decide(ctx, me, Kind::Bhag, Action::Read, user.object()).await? == Outcome::Allowed)
}

/// The actor, setting or clearing their own BHAG.
///
/// # Errors
/// `UNAUTHENTICATED` without a signed-in user; `FORBIDDEN` for mentors.
pub fn own_bhag<'a>(ctx: &Context<'a>) -> ApiResult<&'a Actor> {
    let me = attempt(ctx, Kind::Bhag, Action::Change)?;
    let facts = Facts {
        owner: Some(me.user_id),
        ..Facts::default()
    };
    answer(policy::decide(
        &me.policy(),
        Kind::Bhag,
        Action::Change,
        &facts,
    ))?;
    Ok(me)
}
