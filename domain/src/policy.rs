//! Who may do what (DOMAIN.md, "Who sees what"): one table, [`RULES`], read by every lookup,
//! list, nested field and mutation of the API.
//!
//! The policy does no I/O. The caller loads the object and the few [`Facts`] a rule reads
//! (which ones: [`needs`]) and asks [`decide`]; lists ask [`visibility`] for the filter the
//! store applies. An object the actor may not read is [`Outcome::Hidden`]: answered exactly
//! like a missing one, so that nobody learns whether it exists. A change to an object the
//! actor may read but not change is [`Outcome::Forbidden`].
//!
//! How to read [`RULES`]: per object kind and action, what a mentor and what a mentee must
//! satisfy. `Only(&[..])` lists conditions that must all hold (none: every signed-in actor of
//! that role); the first that fails gives its refusal. `Never(refusal)`: no actor of that
//! role, refused with that answer once the object is found. `WrongRole(reason)`: refused
//! (`FORBIDDEN`) before anything is looked up, so the refusal says nothing about the object.

use uuid::Uuid;

use Action::{Change, Create, Join, List, ListPrograms, Read, ReadRoster};
use Allow::{Never, Only, WrongRole};
use Condition::{InProgram, NotRemoved, Owner, RunsProgram, SelfOrLinked, VersionInUse};

mod lists;
#[cfg(test)]
mod tests;

pub use lists::{Programs, Visibility, visibility};

/// The two kinds of people on the platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    Mentor,
    Mentee,
}

/// How much of what its user may do an actor may do: all of it when the user signed in;
/// an API key may narrow it to reading, and to one program, and never manages the account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Full,
    Key {
        /// Whether the key may change anything.
        write: bool,
        /// Only objects of this program.
        program: Option<Uuid>,
    },
}

/// Who is asking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    pub user_id: Uuid,
    pub role: Role,
    pub scope: Scope,
}

impl Actor {
    /// A signed-in user, with everything their role allows.
    #[must_use]
    pub fn user(user_id: Uuid, role: Role) -> Self {
        Self {
            user_id,
            role,
            scope: Scope::Full,
        }
    }
}

/// The kinds of objects the policy answers for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Template,
    TemplateVersion,
    Program,
    Invite,
    Prospect,
    Qualification,
    Decision,
    ExceptionRequest,
    User,
    /// A user's e-mail address.
    Email,
    /// The signed-in user's own account, sessions and API keys: never through a key.
    Account,
    /// A client (a prospect taken on): its end. Its facts are its prospect's.
    Client,
    /// A client's outcome entry for one month. Its facts are its prospect's.
    OutcomeEntry,
    /// The feedback loop's analyses (Pareto picture, calibration, cost of exceptions) over
    /// a set of clients: the `List` line is the set an actor may analyse.
    Feedback,
    /// A mentee's quarterly goal in one program. Its facts: its mentee (owner) and program.
    Goal,
    /// A mentee's BHAG. Its facts are its mentee's, as a `User`.
    Bhag,
    /// The dashboards (a program's, a mentor's programs', a mentee's own): the `List` line
    /// is the set of mentees and programs an actor may see figures of, as for `Feedback`.
    Dashboard,
    /// The audit trail: who did what, when, to which object. Its `List` line: a mentor
    /// the entries of the programs they run (and their own of no program), a mentee the
    /// entries about them (and their own actions).
    Audit,
}

/// What the actor wants to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// See one object.
    Read,
    /// List objects of the kind (the rule's conditions become the list's filter).
    List,
    /// Create one (the facts are those of the program or account it is created in).
    Create,
    /// Change, archive, publish, review, or add to it (a prospect's qualifications and
    /// decisions are changes of the prospect).
    Change,
    /// A program's mentees and invite codes.
    ReadRoster,
    /// Join a program with an invite code.
    Join,
    /// A user's programs.
    ListPrograms,
}

/// The actor's tie to the program an object belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tie {
    /// The actor is the program's mentor.
    Runs,
    /// The actor is a mentee actively enrolled in it (not removed).
    Enrolled,
    /// Anything else, a removed mentee included.
    #[default]
    Outside,
}

/// What the caller knows about the object, gathered before asking (see [`needs`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Facts {
    /// The user who owns it: a template's mentor, a prospect's mentee (also for its
    /// qualifications, decisions and exception requests), a user themself.
    pub owner: Option<Uuid>,
    /// The program it belongs to (for a program, itself).
    pub program: Option<Uuid>,
    /// The actor's tie to that program.
    pub tie: Tie,
    /// A template version: the standard of a program the actor is enrolled in, or the
    /// version one of the actor's own qualifications was scored against.
    pub version_in_use: bool,
    /// A user: linked to the actor by an active enrollment, one as the program's mentor and
    /// the other as its mentee.
    pub linked: bool,
    /// A user: the account was removed.
    pub removed: bool,
}

/// The answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Allowed,
    /// As if the object did not exist (`NOT_FOUND`, `null`, an empty list).
    Hidden,
    /// Refused, with the reason the client reads (`FORBIDDEN`).
    Forbidden(&'static str),
}

/// One condition on the actor and the object's facts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Condition {
    /// The actor owns it (a user: is it).
    Owner,
    /// The actor runs its program.
    RunsProgram,
    /// The actor is actively enrolled in its program.
    InProgram,
    /// [`Facts::version_in_use`].
    VersionInUse,
    /// The actor is the user, or linked to them ([`Facts::linked`]).
    SelfOrLinked,
    /// The user's account was not removed.
    NotRemoved,
}

/// What one role must satisfy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Allow {
    /// Every condition, in order; the first that fails answers with its refusal.
    Only(&'static [(Condition, Outcome)]),
    /// Nobody of this role: answered once the object is found (and readable).
    Never(Outcome),
    /// Nobody of this role, refused (`FORBIDDEN`) before any lookup.
    WrongRole(&'static str),
}

/// One line of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    pub kind: Kind,
    pub action: Action,
    pub mentor: Allow,
    pub mentee: Allow,
}

const HIDDEN: Outcome = Outcome::Hidden;
const MENTORS_ONLY: Allow = WrongRole("only mentors can do this");
const MENTEES_ONLY: Allow = WrongRole("only mentees can do this");
const OWNER_CHANGES: Outcome =
    Outcome::Forbidden("only the mentee who owns a prospect can change it");
const NO_LONGER_ENROLLED: Outcome =
    Outcome::Forbidden("you are no longer enrolled in this prospect's program");
const OWN_PROGRAMS: Outcome = Outcome::Forbidden("only your own programs can be listed");
const GOAL_OWNER_CHANGES: Outcome =
    Outcome::Forbidden("only the mentee who owns a goal can change it");
const GOAL_NO_LONGER_ENROLLED: Outcome =
    Outcome::Forbidden("you are no longer enrolled in this goal's program");
const READ_ONLY_KEY: Outcome = Outcome::Forbidden("this key may only read");
const NOT_WITH_A_KEY: Outcome = Outcome::Forbidden(
    "an API key cannot manage the account: its password, sessions and keys need a signed-in user",
);

/// Every signed-in actor of the role.
const ANYONE: Allow = Only(&[]);
/// Nobody of the role: hidden.
const NOBODY: Allow = Never(HIDDEN);
/// The object's owner; hidden from everyone else.
const OWNER: Allow = Only(&[(Owner, HIDDEN)]);
/// The mentor of the object's program; hidden from everyone else.
const RUNS_PROGRAM: Allow = Only(&[(RunsProgram, HIDDEN)]);
/// The mentees actively enrolled in the object's program; hidden from everyone else.
const IN_PROGRAM: Allow = Only(&[(InProgram, HIDDEN)]);
/// A user themself, or their mentor or mentee in a program (an active enrollment).
const SELF_OR_LINKED: Allow = Only(&[(SelfOrLinked, HIDDEN)]);
/// A template version: its template's owner; for mentees, the standard of a program they
/// are enrolled in, or a version one of their qualifications was scored against.
const USES_VERSION: Allow = Only(&[(VersionInUse, HIDDEN)]);
/// The owner, while actively enrolled in the object's program (the review queue).
const OWNER_IN_PROGRAM: Allow = Only(&[(Owner, HIDDEN), (InProgram, HIDDEN)]);
/// A prospect's owner, while actively enrolled in its program; a removed owner is told why.
const OWNER_WHILE_ENROLLED: Allow =
    Only(&[(Owner, OWNER_CHANGES), (InProgram, NO_LONGER_ENROLLED)]);
/// The user themself; refused (`FORBIDDEN`) on anyone else.
const ONLY_THEMSELF: Allow = Only(&[(Owner, OWN_PROGRAMS)]);
/// An address: not of a removed account, and only to the user or their mentor or mentee.
const LIVE_SELF_OR_LINKED: Allow = Only(&[(NotRemoved, HIDDEN), (SelfOrLinked, HIDDEN)]);
/// A goal's mentee, while actively enrolled in its program; a removed mentee is told why.
const GOAL_OWNER_WHILE_ENROLLED: Allow = Only(&[
    (Owner, GOAL_OWNER_CHANGES),
    (InProgram, GOAL_NO_LONGER_ENROLLED),
]);
/// A prospect and everything under it: its mentee, and the mentor of its program (also
/// after the mentee was removed from it).
const PROSPECT_READ: (Allow, Allow) = (RUNS_PROGRAM, OWNER);

const fn rule(kind: Kind, action: Action, (mentor, mentee): (Allow, Allow)) -> Rule {
    Rule {
        kind,
        action,
        mentor,
        mentee,
    }
}

/// Who may do what: `rule(kind, action, (mentor, mentee))`, each side an [`Allow`] named
/// above. Besides what a line says, a `Change` first needs the kind's `Read` line: what the
/// actor may not read is [`Outcome::Hidden`], whatever else they may not do. A kind and
/// action without a line is never allowed. Anonymous callers reach none of it (the API
/// answers `UNAUTHENTICATED` before asking).
pub const RULES: &[Rule] = &[
    // Criteria templates and their versions: the mentor's own.
    rule(Kind::Template, Read, (OWNER, NOBODY)),
    rule(Kind::Template, List, (OWNER, MENTORS_ONLY)),
    rule(Kind::Template, Create, (ANYONE, MENTORS_ONLY)),
    rule(Kind::Template, Change, (OWNER, MENTORS_ONLY)),
    // Mentees: the standards of their programs and the versions they scored against.
    rule(Kind::TemplateVersion, Read, (OWNER, USES_VERSION)),
    // Programs: their mentor, and their actively enrolled mentees.
    rule(Kind::Program, Read, (RUNS_PROGRAM, IN_PROGRAM)),
    rule(Kind::Program, List, (RUNS_PROGRAM, IN_PROGRAM)),
    rule(Kind::Program, Create, (ANYONE, MENTORS_ONLY)),
    rule(Kind::Program, Change, (RUNS_PROGRAM, MENTORS_ONLY)),
    rule(Kind::Program, ReadRoster, (RUNS_PROGRAM, NOBODY)),
    // The invite code is the key: whoever holds a usable one may join.
    rule(Kind::Program, Join, (MENTEES_ONLY, ANYONE)),
    rule(Kind::Invite, Read, (RUNS_PROGRAM, NOBODY)),
    rule(Kind::Invite, Change, (RUNS_PROGRAM, MENTORS_ONLY)),
    // Prospects: their mentee changes them while enrolled; their program's mentor reads.
    rule(Kind::Prospect, Read, PROSPECT_READ),
    rule(Kind::Prospect, List, (RUNS_PROGRAM, OWNER)),
    rule(Kind::Prospect, Create, (MENTEES_ONLY, IN_PROGRAM)),
    rule(
        Kind::Prospect,
        Change,
        (Never(OWNER_CHANGES), OWNER_WHILE_ENROLLED),
    ),
    rule(Kind::Qualification, Read, PROSPECT_READ),
    rule(Kind::Decision, Read, PROSPECT_READ),
    rule(Kind::ExceptionRequest, Read, PROSPECT_READ),
    // The review queue: a mentee lists theirs only while enrolled.
    rule(
        Kind::ExceptionRequest,
        List,
        (RUNS_PROGRAM, OWNER_IN_PROGRAM),
    ),
    rule(Kind::ExceptionRequest, Change, (RUNS_PROGRAM, MENTORS_ONLY)),
    // Clients and their outcomes: read as their prospect; recorded, corrected and ended by
    // its mentee while enrolled, never by the mentor.
    rule(Kind::Client, Read, PROSPECT_READ),
    rule(
        Kind::Client,
        Change,
        (Never(OWNER_CHANGES), OWNER_WHILE_ENROLLED),
    ),
    rule(Kind::OutcomeEntry, Read, PROSPECT_READ),
    rule(
        Kind::OutcomeEntry,
        Change,
        (Never(OWNER_CHANGES), OWNER_WHILE_ENROLLED),
    ),
    // The analyses cover the clients one may list as prospects: a mentee's own, the
    // clients of a mentor's programs.
    rule(Kind::Feedback, List, (RUNS_PROGRAM, OWNER)),
    // Goals: a mentee's own, set while enrolled in the goal's program; read by the
    // program's mentor. The BHAG is the mentee's own, read like the mentee (`User`) by
    // the mentors of their programs; mentors have none and change none.
    rule(Kind::Goal, Read, (RUNS_PROGRAM, OWNER)),
    rule(Kind::Goal, List, (RUNS_PROGRAM, OWNER)),
    rule(Kind::Goal, Create, (MENTEES_ONLY, IN_PROGRAM)),
    rule(
        Kind::Goal,
        Change,
        (MENTEES_ONLY, GOAL_OWNER_WHILE_ENROLLED),
    ),
    rule(Kind::Bhag, Read, (SELF_OR_LINKED, OWNER)),
    rule(Kind::Bhag, Change, (MENTEES_ONLY, OWNER)),
    // The dashboards count what one may list as prospects, as the analyses do.
    rule(Kind::Dashboard, List, (RUNS_PROGRAM, OWNER)),
    // The audit trail: a mentor's programs, a mentee's own (`store::visible::audit_page`).
    rule(Kind::Audit, List, (RUNS_PROGRAM, OWNER)),
    // People: yourself, your mentees (mentor), your mentors (mentee); never another mentee.
    rule(Kind::User, Read, (SELF_OR_LINKED, SELF_OR_LINKED)),
    rule(Kind::User, ListPrograms, (ONLY_THEMSELF, ONLY_THEMSELF)),
    rule(
        Kind::Email,
        Read,
        (LIVE_SELF_OR_LINKED, LIVE_SELF_OR_LINKED),
    ),
    rule(Kind::Account, Change, (ANYONE, ANYONE)),
];

/// The table's line for `kind` and `action`, if any.
#[must_use]
pub fn rule_for(kind: Kind, action: Action) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.kind == kind && r.action == action)
}

impl Rule {
    /// What `role` must satisfy.
    #[must_use]
    pub fn allow(&self, role: Role) -> Allow {
        match role {
            Role::Mentor => self.mentor,
            Role::Mentee => self.mentee,
        }
    }
}

impl Condition {
    fn holds(self, actor: &Actor, facts: &Facts) -> bool {
        match self {
            Owner => facts.owner == Some(actor.user_id),
            RunsProgram => facts.tie == Tie::Runs,
            InProgram => facts.tie == Tie::Enrolled,
            VersionInUse => facts.version_in_use,
            SelfOrLinked => facts.owner == Some(actor.user_id) || facts.linked,
            NotRemoved => !facts.removed,
        }
    }
}

/// Which facts a decision on `kind` and `action` by `role` reads, so that the caller loads
/// no others. `program` comes with every object and is always given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Needs {
    pub owner: bool,
    pub tie: bool,
    pub version_in_use: bool,
    pub linked: bool,
    pub removed: bool,
}

/// The facts [`decide`] reads for this role, kind and action (the `Read` line included
/// where it applies).
#[must_use]
pub fn needs(kind: Kind, action: Action, role: Role) -> Needs {
    let mut needs = Needs::default();
    let mut add = |allow: Allow| {
        if let Only(conditions) = allow {
            for (condition, _) in conditions {
                match condition {
                    RunsProgram | InProgram => needs.tie = true,
                    VersionInUse => needs.version_in_use = true,
                    SelfOrLinked => {
                        needs.owner = true;
                        needs.linked = true;
                    }
                    NotRemoved => needs.removed = true,
                    Owner => needs.owner = true,
                }
            }
        }
    };
    if let Some(rule) = rule_for(kind, action) {
        add(rule.allow(role));
    }
    if checks_read_first(action)
        && let Some(read) = rule_for(kind, Read)
    {
        add(read.allow(role));
    }
    needs
}

/// A change of an existing object needs its `Read` line first. The other actions either
/// have no object yet (`Create`, `Join`), are reads themselves, or are fields of an object
/// the reader already reached (`ReadRoster`, `ListPrograms`).
fn checks_read_first(action: Action) -> bool {
    action == Change
}

/// Whether the actor may attempt `action` on `kind` at all, before anything is looked up:
/// a role the table never allows is refused here, so that a refusal by role says nothing
/// about the object asked for.
#[must_use]
pub fn attempt(actor: &Actor, kind: Kind, action: Action) -> Outcome {
    let Some(rule) = rule_for(kind, action) else {
        return HIDDEN;
    };
    if let WrongRole(reason) = rule.allow(actor.role) {
        return Outcome::Forbidden(reason);
    }
    if matches!(actor.scope, Scope::Key { .. }) && kind == Kind::Account {
        return NOT_WITH_A_KEY;
    }
    if let Scope::Key { write: false, .. } = actor.scope
        && !matches!(action, Read | List | ReadRoster | ListPrograms)
    {
        return READ_ONLY_KEY;
    }
    Outcome::Allowed
}

/// May `actor` do `action` on an object of `kind` with these facts? A kind and action the
/// table has no line for is never allowed.
#[must_use]
pub fn decide(actor: &Actor, kind: Kind, action: Action, facts: &Facts) -> Outcome {
    let first = attempt(actor, kind, action);
    if first != Outcome::Allowed {
        return first;
    }
    if let Scope::Key {
        program: Some(program),
        ..
    } = actor.scope
        && facts.program != Some(program)
    {
        return HIDDEN;
    }
    if checks_read_first(action) && rule_for(kind, Read).is_some() {
        let read = decide(actor, kind, Read, facts);
        if read != Outcome::Allowed {
            return HIDDEN;
        }
    }
    let Some(rule) = rule_for(kind, action) else {
        return HIDDEN;
    };
    match rule.allow(actor.role) {
        Never(refusal) => refusal,
        WrongRole(reason) => Outcome::Forbidden(reason),
        Only(conditions) => conditions
            .iter()
            .find(|(condition, _)| !condition.holds(actor, facts))
            .map_or(Outcome::Allowed, |(_, refusal)| *refusal),
    }
}
