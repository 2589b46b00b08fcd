//! Who may see what (DOMAIN.md, "Who sees what").
//!
//! Each function loads an object and returns it only if the signed-in user may see it;
//! otherwise `None`, exactly as if it did not exist, so that ids cannot be probed.
//! - mentees: their own prospects (and everything under them, also in a program they were
//!   removed from, where they may no longer change them), the programs they are enrolled
//!   in, those programs' mentors and standard versions, and the versions their own
//!   qualifications were scored against;
//! - mentors: their own templates, programs and invites, and everything of the prospects
//!   in their programs, with those prospects' owners;
//! - e-mail addresses: see [`may_see_email`].

use std::sync::Arc;

use async_graphql::Context;
use uuid::Uuid;

use crate::error::ApiResult;
use crate::graphql::context::{Actor, actor, db};
use crate::graphql::load;
use crate::graphql::loaders::{
    DecisionId, ExceptionId, InviteId, ProgramId, ProspectId, QualificationId, TemplateId, UserId,
    VersionId,
};

pub async fn program(ctx: &Context<'_>, id: Uuid) -> ApiResult<Option<Arc<store::Program>>> {
    let me = actor(ctx)?;
    let Some(program) = load::one(ctx, ProgramId(id)).await? else {
        return Ok(None);
    };
    let visible = if me.is_mentor() {
        program.mentor_id == me.user_id
    } else {
        me.in_program(db(ctx)?, id).await?
    };
    Ok(visible.then_some(program))
}

/// Programs the actor runs (mentors only): for mutations on them.
pub async fn own_program(ctx: &Context<'_>, id: Uuid) -> ApiResult<Option<Arc<store::Program>>> {
    let me = actor(ctx)?;
    let program = load::one(ctx, ProgramId(id)).await?;
    Ok(program.filter(|p| p.mentor_id == me.user_id))
}

pub async fn template(ctx: &Context<'_>, id: Uuid) -> ApiResult<Option<Arc<store::Template>>> {
    let me = actor(ctx)?;
    let template = load::one(ctx, TemplateId(id)).await?;
    Ok(template.filter(|t| t.owner_id == me.user_id))
}

pub async fn version(
    ctx: &Context<'_>,
    id: Uuid,
) -> ApiResult<Option<Arc<store::TemplateVersion>>> {
    let me = actor(ctx)?;
    let Some(version) = load::one(ctx, VersionId(id)).await? else {
        return Ok(None);
    };
    let visible = if me.is_mentor() {
        let template = load::existing(ctx, TemplateId(version.template_id)).await?;
        template.owner_id == me.user_id
    } else {
        is_standard_of_my_program(ctx, me, id).await?
            || store::qualifications::owner_used_version(db(ctx)?, me.user_id, id).await?
    };
    Ok(visible.then_some(version))
}

async fn is_standard_of_my_program(
    ctx: &Context<'_>,
    me: &Actor,
    version_id: Uuid,
) -> ApiResult<bool> {
    let ids = me.program_ids(db(ctx)?).await?;
    let programs = store::programs::programs_by_ids(db(ctx)?, ids).await?;
    Ok(programs
        .iter()
        .any(|p| p.standard_version_id == Some(version_id)))
}

pub async fn invite(ctx: &Context<'_>, id: Uuid) -> ApiResult<Option<Arc<store::Invite>>> {
    let Some(invite) = load::one(ctx, InviteId(id)).await? else {
        return Ok(None);
    };
    Ok(own_program(ctx, invite.program_id).await?.map(|_| invite))
}

pub async fn prospect(ctx: &Context<'_>, id: Uuid) -> ApiResult<Option<Arc<store::Prospect>>> {
    let Some(prospect) = load::one(ctx, ProspectId(id)).await? else {
        return Ok(None);
    };
    Ok(may_see_prospect(ctx, &prospect).await?.then_some(prospect))
}

async fn may_see_prospect(ctx: &Context<'_>, prospect: &store::Prospect) -> ApiResult<bool> {
    let me = actor(ctx)?;
    if me.is_mentor() {
        me.in_program(db(ctx)?, prospect.program_id).await
    } else {
        Ok(prospect.owner_id == me.user_id)
    }
}

/// A prospect the actor owns (mentees only): for changing it. A mentor of the program may
/// see the prospect but never change it, and a mentee removed from the prospect's program
/// may still read it (and its history) but never change it again.
///
/// # Errors
/// `NOT_FOUND` when invisible, `FORBIDDEN` when visible but not the actor's own, or when
/// the actor is no longer enrolled in its program.
pub async fn own_prospect(ctx: &Context<'_>, id: Uuid) -> ApiResult<Arc<store::Prospect>> {
    let me = actor(ctx)?;
    // Only mutations change a prospect, and a mutation's resolver runs alone: there is
    // nothing to batch with, so the row is read directly rather than through the loader
    // (which would spawn a task and query `id IN (...)` for one id).
    let prospect = store::prospects::prospect_by_id(db(ctx)?, id)
        .await?
        .ok_or(crate::error::ApiError::NotFound)?;
    if !may_see_prospect(ctx, &prospect).await? {
        return Err(crate::error::ApiError::NotFound);
    }
    if prospect.owner_id != me.user_id {
        return Err(crate::error::ApiError::Forbidden(
            "only the mentee who owns a prospect can change it",
        ));
    }
    if !me.in_program(db(ctx)?, prospect.program_id).await? {
        return Err(crate::error::ApiError::Forbidden(
            "you are no longer enrolled in this prospect's program",
        ));
    }
    Ok(Arc::new(prospect))
}

pub async fn qualification(
    ctx: &Context<'_>,
    id: Uuid,
) -> ApiResult<Option<Arc<store::Qualification>>> {
    let Some(q) = load::one(ctx, QualificationId(id)).await? else {
        return Ok(None);
    };
    Ok(prospect(ctx, q.prospect_id).await?.map(|_| q))
}

pub async fn decision(
    ctx: &Context<'_>,
    id: Uuid,
) -> ApiResult<Option<Arc<store::DecisionRecord>>> {
    let Some(d) = load::one(ctx, DecisionId(id)).await? else {
        return Ok(None);
    };
    Ok(prospect(ctx, d.prospect_id).await?.map(|_| d))
}

pub async fn exception(
    ctx: &Context<'_>,
    id: Uuid,
) -> ApiResult<Option<Arc<store::ExceptionRequest>>> {
    let Some(e) = load::one(ctx, ExceptionId(id)).await? else {
        return Ok(None);
    };
    Ok(prospect(ctx, e.prospect_id).await?.map(|_| e))
}

/// Whether the actor may read `user`'s e-mail address: their own; a mentor, their
/// mentees' (enrolled in one of the mentor's programs); a mentee, their mentors' (of a
/// program they are enrolled in), so that they can reach their coach. Never another
/// mentee's, however the user was reached.
///
/// # Errors
/// `INTERNAL` when the database fails.
pub async fn may_see_email(ctx: &Context<'_>, user: &store::User) -> ApiResult<bool> {
    // Without a signed-in user, the only user anyone reaches is the one `signUp`, `login`
    // or `refreshSession` just signed in: the address is their own.
    let Some(me) = ctx.data_opt::<Actor>() else {
        return Ok(true);
    };
    if user.id == me.user_id {
        return Ok(true);
    }
    if user.role == store::Role::Mentee && !me.is_mentor() {
        return Ok(false);
    }
    let db = db(ctx)?;
    let my_programs = me.program_ids(db).await?;
    if me.is_mentor() {
        let theirs = store::programs::mentee_program_ids(db, user.id).await?;
        Ok(theirs.iter().any(|p| my_programs.contains(p)))
    } else {
        let programs = store::programs::programs_by_ids(db, my_programs).await?;
        Ok(programs.iter().any(|p| p.mentor_id == user.id))
    }
}

/// Users: yourself; a mentor sees the mentees enrolled in their programs; a mentee sees the
/// mentors of their programs.
pub async fn user(ctx: &Context<'_>, id: Uuid) -> ApiResult<Option<Arc<store::User>>> {
    let me = actor(ctx)?;
    let Some(user) = load::one(ctx, UserId(id)).await? else {
        return Ok(None);
    };
    if user.id == me.user_id {
        return Ok(Some(user));
    }
    let db = db(ctx)?;
    let my_programs = me.program_ids(db).await?;
    let visible = if me.is_mentor() {
        let theirs = store::programs::mentee_program_ids(db, user.id).await?;
        theirs.iter().any(|p| my_programs.contains(p))
    } else {
        let programs = store::programs::programs_by_ids(db, my_programs).await?;
        programs.iter().any(|p| p.mentor_id == user.id)
    };
    Ok(visible.then_some(user))
}
