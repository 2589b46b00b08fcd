//! Lists: the filter a list applies, derived from the table's `List` line, so that the
//! store's `WHERE` clause and a single object's decision say the same.

use uuid::Uuid;

use super::Action::List;
use super::Allow::Only;
use super::Condition::{InProgram, NotRemoved, Owner, RunsProgram, SelfOrLinked, VersionInUse};
use super::{Actor, Facts, HIDDEN, Kind, Outcome, Scope, Tie, attempt, rule_for};

/// Which programs a list may reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Programs {
    Any,
    /// Programs this mentor runs.
    RunBy(Uuid),
    /// Programs this mentee is actively enrolled in.
    EnrolledIn(Uuid),
}

/// The objects of a list the actor may see: the store's filter, derived from the `List`
/// line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Visibility {
    /// Only objects this user owns.
    pub owner: Option<Uuid>,
    pub programs: Programs,
    /// Only objects of this program (an integration key's scope).
    pub program: Option<Uuid>,
}

/// The filter of the actor's list of `kind`.
///
/// # Errors
/// The refusal when the actor may not list `kind` at all.
pub fn visibility(actor: &Actor, kind: Kind) -> Result<Visibility, Outcome> {
    let first = attempt(actor, kind, List);
    if first != Outcome::Allowed {
        return Err(first);
    }
    let Some(Only(conditions)) = rule_for(kind, List).map(|r| r.allow(actor.role)) else {
        return Err(HIDDEN);
    };
    let mut visible = Visibility {
        owner: None,
        programs: Programs::Any,
        program: match actor.scope {
            Scope::Key { program, .. } => program,
            Scope::Full => None,
        },
    };
    for (condition, _) in conditions {
        match condition {
            Owner => visible.owner = Some(actor.user_id),
            RunsProgram => visible.programs = Programs::RunBy(actor.user_id),
            InProgram => visible.programs = Programs::EnrolledIn(actor.user_id),
            // Not a filter a list can apply: a `List` line never uses them (a test holds
            // the table to it).
            VersionInUse | SelfOrLinked | NotRemoved => return Err(HIDDEN),
        }
    }
    Ok(visible)
}

impl Visibility {
    /// Whether an object with these facts is in the list: the same answer as [`decide`]
    /// with `List` (a test holds the two together).
    #[must_use]
    pub fn contains(&self, facts: &Facts) -> bool {
        self.owner.is_none_or(|owner| facts.owner == Some(owner))
            && self
                .program
                .is_none_or(|program| facts.program == Some(program))
            && match self.programs {
                Programs::Any => true,
                Programs::RunBy(_) => facts.tie == Tie::Runs,
                Programs::EnrolledIn(_) => facts.tie == Tie::Enrolled,
            }
    }
}
