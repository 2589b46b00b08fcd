//! The facts a policy decision reads, loaded for one object and the request's actor: only
//! those the rule names (`domain::policy::needs`), through the request's loaders and the
//! actor's programs (read once per request).

use async_graphql::Context;
use domain::policy::{self, Action, Facts, Kind, Needs, Outcome, Tie};
use uuid::Uuid;

use crate::error::ApiResult;
use crate::graphql::context::{Actor, db};
use crate::graphql::load;
use crate::graphql::loaders::{ProgramId, TemplateId};

/// An object the policy decides on, as loaded.
#[derive(Clone, Copy)]
pub enum Object<'o> {
    Template(&'o store::Template),
    Version(&'o store::TemplateVersion),
    Program(&'o store::Program),
    /// A program known by id only (a prospect to be created in it).
    ProgramId(Uuid),
    Invite(&'o store::Invite),
    /// A prospect, also for its qualifications, decisions and exception requests.
    Prospect(&'o store::Prospect),
    User(&'o store::User),
    /// A quarterly goal: its mentee and program.
    Goal(&'o store::QuarterlyGoal),
}

/// A stored record the policy decides on.
pub trait Decided: Send + Sync + 'static {
    fn object(&self) -> Object<'_>;
}

macro_rules! decided {
    ($($record:ty => $variant:ident),* $(,)?) => {
        $(impl Decided for $record {
            fn object(&self) -> Object<'_> {
                Object::$variant(self)
            }
        })*
    };
}

decided!(
    store::Template => Template,
    store::TemplateVersion => Version,
    store::Program => Program,
    store::Invite => Invite,
    store::Prospect => Prospect,
    store::User => User,
    store::QuarterlyGoal => Goal,
);

/// The policy's answer for `me` on `object`, loading only the facts its rule reads.
///
/// # Errors
/// `INTERNAL` when the database fails.
pub async fn decide(
    ctx: &Context<'_>,
    me: &Actor,
    kind: Kind,
    action: Action,
    object: Object<'_>,
) -> ApiResult<Outcome> {
    let actor = me.policy();
    let facts = gather(ctx, me, object, policy::needs(kind, action, actor.role)).await?;
    Ok(policy::decide(&actor, kind, action, &facts))
}

async fn gather(
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
        Object::Goal(g) => {
            facts.owner = Some(g.mentee_id);
            facts.program = Some(g.program_id);
            if needs.tie {
                facts.tie = tie(ctx, me, g.program_id, None).await?;
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
/// program is loaded; otherwise it is read from the actor's programs.
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
    let user_is_mentor = user.role == store::Role::Mentor;
    if user.id == me.user_id || user_is_mentor == me.is_mentor() {
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
