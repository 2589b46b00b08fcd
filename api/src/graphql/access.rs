//! Who may see what, the I/O half: load an object and the facts its rule reads
//! (`domain::policy::needs`), then ask `domain::policy::decide`. The rules themselves are
//! one table, `domain::policy::RULES`; which field of the schema asks which rule is
//! `graphql::fields`.
//!
//! Lookups answer `None` (reads) or `NOT_FOUND` (changes) for what the actor may not see,
//! exactly as if it did not exist, so that ids cannot be probed; `FORBIDDEN` where the
//! policy refuses by role, or refuses a change of what the actor may read.

use std::sync::Arc;

use async_graphql::Context;
use domain::policy::{self, Action, Facts, Kind, Needs, Outcome, Tie, Visibility};
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};
use crate::graphql::context::{Actor, actor, db};
use crate::graphql::load;
use crate::graphql::loaders::{
    DecisionId, ExceptionId, InviteId, ProgramId, ProspectId, QualificationId, TemplateId, UserId,
    VersionId,
};

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

/// The filter of the actor's list of `kind`, from the table's `List` line.
///
/// # Errors
/// `UNAUTHENTICATED` without a signed-in user; `FORBIDDEN` for a role that may not list it.
pub fn visibility<'a>(ctx: &Context<'a>, kind: Kind) -> ApiResult<(&'a Actor, Visibility)> {
    let me = actor(ctx)?;
    let visible = policy::visibility(&me.policy(), kind)
        .map_err(|refusal| answer(refusal).err().unwrap_or(ApiError::NotFound))?;
    Ok((me, visible))
}

/// An object the policy decides on, as loaded.
#[derive(Clone, Copy)]
enum Object<'o> {
    Template(&'o store::Template),
    Version(&'o store::TemplateVersion),
    Program(&'o store::Program),
    /// A program known by id only (a prospect to be created in it).
    ProgramId(Uuid),
    Invite(&'o store::Invite),
    Prospect(&'o store::Prospect),
    User(&'o store::User),
}

/// The policy's answer for `me` on `object`, loading only the facts its rule reads.
async fn decide(
    ctx: &Context<'_>,
    me: &Actor,
    kind: Kind,
    action: Action,
    object: Object<'_>,
) -> ApiResult<Outcome> {
    let needs = policy::needs(kind, action, me.policy().role);
    let facts = facts(ctx, me, object, needs).await?;
    Ok(policy::decide(&me.policy(), kind, action, &facts))
}

async fn facts(
    ctx: &Context<'_>,
    me: &Actor,
    object: Object<'_>,
    needs: Needs,
) -> ApiResult<Facts> {
    let mut facts = Facts::default();
    match object {
        Object::Template(t) => facts.owner = Some(t.owner_id),
        Object::Version(v) => {
            if needs.owner {
                let template = load::existing(ctx, TemplateId(v.template_id)).await?;
                facts.owner = Some(template.owner_id);
            }
            if needs.version_in_use {
                facts.version_in_use = version_in_use(ctx, me, v.id).await?;
            }
        }
        Object::Program(p) => {
            facts.program = Some(p.id);
            if needs.tie {
                facts.tie = tie(ctx, me, p.id, Some(p.mentor_id)).await?;
            }
        }
        Object::ProgramId(id) => {
            facts.program = Some(id);
            if needs.tie {
                facts.tie = tie(ctx, me, id, None).await?;
            }
        }
        Object::Invite(i) => {
            facts.program = Some(i.program_id);
            if needs.tie {
                let program = load::existing(ctx, ProgramId(i.program_id)).await?;
                facts.tie = tie(ctx, me, program.id, Some(program.mentor_id)).await?;
            }
        }
        Object::Prospect(p) => {
            facts.owner = Some(p.owner_id);
            facts.program = Some(p.program_id);
            if needs.tie {
                facts.tie = tie(ctx, me, p.program_id, None).await?;
            }
        }
        Object::User(u) => {
            facts.owner = Some(u.id);
            facts.removed = u.removed;
            if needs.linked {
                facts.linked = linked(ctx, me, u).await?;
            }
        }
    }
    Ok(facts)
}

/// The actor's tie to a program. A mentor's is known from the program's mentor when the
/// program is loaded; otherwise it is read from the actor's programs (loaded once per
/// request).
async fn tie(ctx: &Context<'_>, me: &Actor, program: Uuid, mentor: Option<Uuid>) -> ApiResult<Tie> {
    match mentor {
        Some(mentor) if mentor == me.user_id => return Ok(Tie::Runs),
        Some(_) if me.is_mentor() => return Ok(Tie::Outside),
        _ => {}
    }
    Ok(
        match (me.in_program(db(ctx)?, program).await?, me.is_mentor()) {
            (false, _) => Tie::Outside,
            (true, true) => Tie::Runs,
            (true, false) => Tie::Enrolled,
        },
    )
}

/// Whether the version is the standard of a program the actor is enrolled in, or scored
/// one of the actor's own qualifications.
async fn version_in_use(ctx: &Context<'_>, me: &Actor, version: Uuid) -> ApiResult<bool> {
    let db = db(ctx)?;
    let ids = me.program_ids(db).await?;
    let programs = store::programs::programs_by_ids(db, ids).await?;
    if programs
        .iter()
        .any(|p| p.standard_version_id == Some(version))
    {
        return Ok(true);
    }
    Ok(store::qualifications::owner_used_version(db, me.user_id, version).await?)
}

/// Whether `user` and the actor are a program's mentor and one of its active mentees.
async fn linked(ctx: &Context<'_>, me: &Actor, user: &store::User) -> ApiResult<bool> {
    let theirs_is_mentor = user.role == store::Role::Mentor;
    if user.id == me.user_id || theirs_is_mentor == me.is_mentor() {
        return Ok(false);
    }
    let db = db(ctx)?;
    let mine = me.program_ids(db).await?;
    if me.is_mentor() {
        let theirs = store::programs::mentee_program_ids(db, user.id).await?;
        Ok(theirs.iter().any(|p| mine.contains(p)))
    } else {
        let programs = store::programs::programs_by_ids(db, mine).await?;
        Ok(programs.iter().any(|p| p.mentor_id == user.id))
    }
}

/// `value` if the policy allows reading it.
async fn readable<T>(
    ctx: &Context<'_>,
    kind: Kind,
    object: Object<'_>,
    value: T,
) -> ApiResult<Option<T>> {
    let me = actor(ctx)?;
    let outcome = decide(ctx, me, kind, Action::Read, object).await?;
    Ok((outcome == Outcome::Allowed).then_some(value))
}

pub async fn program(ctx: &Context<'_>, id: Uuid) -> ApiResult<Option<Arc<store::Program>>> {
    let Some(program) = load::one(ctx, ProgramId(id)).await? else {
        return Ok(None);
    };
    readable(
        ctx,
        Kind::Program,
        Object::Program(&program),
        program.clone(),
    )
    .await
}

/// A program to change (update it, invite to it, remove a mentee).
///
/// # Errors
/// `FORBIDDEN` for mentees (before the id is read), `NOT_FOUND` for programs of others.
pub async fn program_to_change(
    ctx: &Context<'_>,
    id: impl FnOnce() -> ApiResult<Uuid>,
) -> ApiResult<Arc<store::Program>> {
    let me = attempt(ctx, Kind::Program, Action::Change)?;
    let program = load::one(ctx, ProgramId(id()?))
        .await?
        .ok_or(ApiError::NotFound)?;
    answer(
        decide(
            ctx,
            me,
            Kind::Program,
            Action::Change,
            Object::Program(&program),
        )
        .await?,
    )?;
    Ok(program)
}

/// Whether the actor reads the program's mentees and invite codes.
///
/// # Errors
/// `INTERNAL` when the database fails.
pub async fn may_read_roster(ctx: &Context<'_>, program: &store::Program) -> ApiResult<bool> {
    let me = actor(ctx)?;
    let outcome = decide(
        ctx,
        me,
        Kind::Program,
        Action::ReadRoster,
        Object::Program(program),
    );
    Ok(outcome.await? == Outcome::Allowed)
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
    let Some(template) = load::one(ctx, TemplateId(id)).await? else {
        return Ok(None);
    };
    readable(
        ctx,
        Kind::Template,
        Object::Template(&template),
        template.clone(),
    )
    .await
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
    let me = attempt(ctx, Kind::Template, Action::Change)?;
    let template = load::one(ctx, TemplateId(id()?))
        .await?
        .ok_or(ApiError::NotFound)?;
    answer(
        decide(
            ctx,
            me,
            Kind::Template,
            Action::Change,
            Object::Template(&template),
        )
        .await?,
    )?;
    Ok(template)
}

/// The template of a version the reader reached, if they may read it (its owner).
///
/// # Errors
/// `INTERNAL` when the database fails.
pub async fn template_of_version(
    ctx: &Context<'_>,
    template: Arc<store::Template>,
) -> ApiResult<Option<Arc<store::Template>>> {
    readable(
        ctx,
        Kind::Template,
        Object::Template(&template),
        template.clone(),
    )
    .await
}

pub async fn version(
    ctx: &Context<'_>,
    id: Uuid,
) -> ApiResult<Option<Arc<store::TemplateVersion>>> {
    let Some(version) = load::one(ctx, VersionId(id)).await? else {
        return Ok(None);
    };
    readable(
        ctx,
        Kind::TemplateVersion,
        Object::Version(&version),
        version.clone(),
    )
    .await
}

pub async fn invite(ctx: &Context<'_>, id: Uuid) -> ApiResult<Option<Arc<store::Invite>>> {
    let Some(invite) = load::one(ctx, InviteId(id)).await? else {
        return Ok(None);
    };
    readable(ctx, Kind::Invite, Object::Invite(&invite), invite.clone()).await
}

/// An invite to revoke.
///
/// # Errors
/// `FORBIDDEN` for mentees (before the id is read), `NOT_FOUND` for invites of others.
pub async fn invite_to_change(
    ctx: &Context<'_>,
    id: impl FnOnce() -> ApiResult<Uuid>,
) -> ApiResult<Arc<store::Invite>> {
    let me = attempt(ctx, Kind::Invite, Action::Change)?;
    let invite = load::one(ctx, InviteId(id()?))
        .await?
        .ok_or(ApiError::NotFound)?;
    answer(
        decide(
            ctx,
            me,
            Kind::Invite,
            Action::Change,
            Object::Invite(&invite),
        )
        .await?,
    )?;
    Ok(invite)
}

pub async fn prospect(ctx: &Context<'_>, id: Uuid) -> ApiResult<Option<Arc<store::Prospect>>> {
    prospect_as(ctx, Kind::Prospect, id).await
}

/// The prospect behind one of its objects (`kind`), if the actor may read that object.
async fn prospect_as(
    ctx: &Context<'_>,
    kind: Kind,
    id: Uuid,
) -> ApiResult<Option<Arc<store::Prospect>>> {
    let Some(prospect) = load::one(ctx, ProspectId(id)).await? else {
        return Ok(None);
    };
    readable(ctx, kind, Object::Prospect(&prospect), prospect.clone()).await
}

/// A prospect to change (edit, archive, qualify, decide on). A mentor of the program may
/// see the prospect but never change it, and a mentee removed from the prospect's program
/// may still read it (and its history) but never change it again.
///
/// # Errors
/// `NOT_FOUND` when invisible, `FORBIDDEN` when visible but not the actor's own, or when
/// the actor is no longer enrolled in its program.
pub async fn prospect_to_change(ctx: &Context<'_>, id: Uuid) -> ApiResult<Arc<store::Prospect>> {
    let me = attempt(ctx, Kind::Prospect, Action::Change)?;
    // Only mutations change a prospect, and a mutation's resolver runs alone: there is
    // nothing to batch with, so the row is read directly rather than through the loader
    // (which would spawn a task and query `id IN (...)` for one id).
    let prospect = store::prospects::prospect_by_id(db(ctx)?, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    answer(
        decide(
            ctx,
            me,
            Kind::Prospect,
            Action::Change,
            Object::Prospect(&prospect),
        )
        .await?,
    )?;
    Ok(Arc::new(prospect))
}

pub async fn qualification(
    ctx: &Context<'_>,
    id: Uuid,
) -> ApiResult<Option<Arc<store::Qualification>>> {
    let Some(q) = load::one(ctx, QualificationId(id)).await? else {
        return Ok(None);
    };
    let visible = prospect_as(ctx, Kind::Qualification, q.prospect_id).await?;
    Ok(visible.map(|_| q))
}

pub async fn decision(
    ctx: &Context<'_>,
    id: Uuid,
) -> ApiResult<Option<Arc<store::DecisionRecord>>> {
    let Some(d) = load::one(ctx, DecisionId(id)).await? else {
        return Ok(None);
    };
    let visible = prospect_as(ctx, Kind::Decision, d.prospect_id).await?;
    Ok(visible.map(|_| d))
}

pub async fn exception(
    ctx: &Context<'_>,
    id: Uuid,
) -> ApiResult<Option<Arc<store::ExceptionRequest>>> {
    let Some(e) = load::one(ctx, ExceptionId(id)).await? else {
        return Ok(None);
    };
    let visible = prospect_as(ctx, Kind::ExceptionRequest, e.prospect_id).await?;
    Ok(visible.map(|_| e))
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
    let object = Object::Prospect(&prospect);
    answer(decide(ctx, me, Kind::ExceptionRequest, Action::Change, object).await?)?;
    Ok((me, request))
}

/// Users: yourself; a mentor sees the mentees enrolled in their programs; a mentee sees the
/// mentors of their programs.
pub async fn user(ctx: &Context<'_>, id: Uuid) -> ApiResult<Option<Arc<store::User>>> {
    let Some(user) = load::one(ctx, UserId(id)).await? else {
        return Ok(None);
    };
    readable(ctx, Kind::User, Object::User(&user), user.clone()).await
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
    let facts = Facts {
        owner: Some(user.id),
        removed: user.removed,
        ..Facts::default()
    };
    if as_self {
        let reader = policy::Actor::user(user.id, crate::graphql::context::role(user.role));
        return Ok(policy::decide(&reader, Kind::Email, Action::Read, &facts) == Outcome::Allowed);
    }
    // Anywhere else a user is reached, the request is signed in.
    let Some(me) = ctx.data_opt::<Actor>() else {
        return Ok(false);
    };
    let outcome = decide(ctx, me, Kind::Email, Action::Read, Object::User(user)).await?;
    Ok(outcome == Outcome::Allowed)
}

/// Whether the reader may list `user`'s programs (only their own).
///
/// # Errors
/// `FORBIDDEN` on any other user.
pub async fn user_programs<'a>(ctx: &Context<'a>, user: &store::User) -> ApiResult<&'a Actor> {
    let me = actor(ctx)?;
    answer(
        decide(
            ctx,
            me,
            Kind::User,
            Action::ListPrograms,
            Object::User(user),
        )
        .await?,
    )?;
    Ok(me)
}
