//! The table against DOMAIN.md's "Who sees what", spelled out a second time per actor, and
//! the properties the API relies on: the facts `needs` names are the only ones a decision
//! reads, and a list's filter admits exactly what `decide` allows.

use proptest::prelude::*;
use uuid::Uuid;

use super::*;

const MENTOR: Uuid = Uuid::from_u128(1);
const OTHER_MENTOR: Uuid = Uuid::from_u128(2);
const OWNER: Uuid = Uuid::from_u128(3);
const PEER: Uuid = Uuid::from_u128(4);
const OUTSIDER: Uuid = Uuid::from_u128(5);
const PROGRAM: Uuid = Uuid::from_u128(10);

/// The actors of the matrix, in the order of the expected strings below.
const ACTORS: [&str; 6] = [
    "the program's mentor (owns its templates)",
    "another mentor",
    "the enrolled mentee who owns it",
    "another mentee of the same program",
    "a mentee of another program",
    "the owner, removed from the program",
];

fn actor(column: usize) -> Actor {
    let (id, role) = match column {
        0 => (MENTOR, Role::Mentor),
        1 => (OTHER_MENTOR, Role::Mentor),
        2 | 5 => (OWNER, Role::Mentee),
        3 => (PEER, Role::Mentee),
        _ => (OUTSIDER, Role::Mentee),
    };
    Actor::user(id, role)
}

/// The facts of the one object of `kind` in the world (program PROGRAM of MENTOR; the
/// prospect, its history and the user asked about belong to OWNER), as the actor in
/// `column` would gather them.
fn facts(kind: Kind, column: usize) -> Facts {
    let tie = match column {
        0 => Tie::Runs,
        2 | 3 => Tie::Enrolled,
        _ => Tie::Outside,
    };
    let owner = match kind {
        Kind::Template | Kind::TemplateVersion => Some(MENTOR),
        Kind::Program | Kind::Invite => None,
        _ => Some(OWNER),
    };
    Facts {
        owner,
        program: Some(PROGRAM),
        tie,
        // The program's standard (enrolled mentees), or scored the owner's prospect.
        version_in_use: matches!(column, 2 | 3 | 5),
        // OWNER is the program's mentor's mentee while enrolled.
        linked: column == 0,
        removed: false,
    }
}

fn letter(outcome: Outcome) -> char {
    match outcome {
        Outcome::Allowed => 'A',
        Outcome::Hidden => 'H',
        Outcome::Forbidden(_) => 'F',
    }
}

/// (kind, action, one letter per actor: Allowed, Hidden, Forbidden).
const EXPECTED: &[(Kind, Action, &str)] = &[
    (Kind::Template, Action::Read, "AHHHHH"),
    (Kind::Template, Action::List, "AHFFFF"),
    (Kind::Template, Action::Create, "AAFFFF"),
    (Kind::Template, Action::Change, "AHFFFF"),
    (Kind::TemplateVersion, Action::Read, "AHAAHA"),
    (Kind::Program, Action::Read, "AHAAHH"),
    (Kind::Program, Action::List, "AHAAHH"),
    (Kind::Program, Action::Create, "AAFFFF"),
    (Kind::Program, Action::Change, "AHFFFF"),
    (Kind::Program, Action::ReadRoster, "AHHHHH"),
    (Kind::Program, Action::Join, "FFAAAA"),
    (Kind::Invite, Action::Read, "AHHHHH"),
    (Kind::Invite, Action::Change, "AHFFFF"),
    (Kind::Prospect, Action::Read, "AHAHHA"),
    (Kind::Prospect, Action::List, "AHAHHA"),
    (Kind::Prospect, Action::Create, "FFAAHH"),
    (Kind::Prospect, Action::Change, "FHAHHF"),
    (Kind::Qualification, Action::Read, "AHAHHA"),
    (Kind::Decision, Action::Read, "AHAHHA"),
    (Kind::ExceptionRequest, Action::Read, "AHAHHA"),
    (Kind::ExceptionRequest, Action::List, "AHAHHH"),
    (Kind::ExceptionRequest, Action::Change, "AHFFFF"),
    (Kind::User, Action::Read, "AHAHHA"),
    (Kind::User, Action::ListPrograms, "FFAFFA"),
    (Kind::Email, Action::Read, "AHAHHA"),
    (Kind::Account, Action::Change, "AAAAAA"),
    (Kind::Client, Action::Read, "AHAHHA"),
    (Kind::Client, Action::Change, "FHAHHF"),
    (Kind::OutcomeEntry, Action::Read, "AHAHHA"),
    (Kind::OutcomeEntry, Action::Change, "FHAHHF"),
    (Kind::Feedback, Action::List, "AHAHHA"),
    (Kind::Goal, Action::Read, "AHAHHA"),
    (Kind::Goal, Action::List, "AHAHHA"),
    (Kind::Goal, Action::Create, "FFAAHH"),
    (Kind::Goal, Action::Change, "FFAHHF"),
    (Kind::Bhag, Action::Read, "AHAHHA"),
    (Kind::Bhag, Action::Change, "FFAHHA"),
    (Kind::Dashboard, Action::List, "AHAHHA"),
    (Kind::Audit, Action::List, "AHAHHA"),
];

#[test]
fn every_actor_gets_what_domain_md_says_for_every_line_of_the_table() {
    let mut failures = Vec::new();
    for (kind, action, expected) in EXPECTED {
        let got: String = (0..ACTORS.len())
            .map(|c| letter(decide(&actor(c), *kind, *action, &facts(*kind, c))))
            .collect();
        if got != *expected {
            failures.push(format!(
                "{kind:?} {action:?}: expected {expected}, got {got}"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{}\nactors: {ACTORS:?}",
        failures.join("\n")
    );
}

#[test]
fn the_expected_matrix_covers_every_line_of_the_table_once() {
    for rule in RULES {
        let lines = EXPECTED
            .iter()
            .filter(|(k, a, _)| *k == rule.kind && *a == rule.action)
            .count();
        assert_eq!(lines, 1, "{:?} {:?}", rule.kind, rule.action);
        let twice = RULES
            .iter()
            .filter(|r| r.kind == rule.kind && r.action == rule.action)
            .count();
        assert_eq!(twice, 1, "{:?} {:?} has two lines", rule.kind, rule.action);
    }
    assert_eq!(EXPECTED.len(), RULES.len());
}

#[test]
fn refusals_tell_the_owner_why_and_refuse_by_role_before_looking() {
    let change = |column| {
        decide(
            &actor(column),
            Kind::Prospect,
            Action::Change,
            &facts(Kind::Prospect, column),
        )
    };
    assert_eq!(
        change(0),
        Outcome::Forbidden("only the mentee who owns a prospect can change it")
    );
    assert_eq!(
        change(5),
        Outcome::Forbidden("you are no longer enrolled in this prospect's program")
    );
    // By role, whatever the object: a mentee asking for any template learns nothing.
    let mentee = actor(3);
    assert_eq!(
        attempt(&mentee, Kind::Template, Action::Change),
        Outcome::Forbidden("only mentors can do this")
    );
    assert_eq!(
        attempt(&actor(1), Kind::Prospect, Action::Create),
        Outcome::Forbidden("only mentees can do this")
    );
    // Not by role where the answer depends on the object: a mentor's change of a prospect.
    assert_eq!(
        attempt(&actor(1), Kind::Prospect, Action::Change),
        Outcome::Allowed
    );
    assert_eq!(
        decide(
            &actor(2),
            Kind::User,
            Action::ListPrograms,
            &facts(Kind::User, 0)
        ),
        Outcome::Allowed
    );
}

#[test]
fn a_removed_account_shows_no_address_even_to_itself() {
    let removed = Facts {
        removed: true,
        ..facts(Kind::Email, 2)
    };
    assert_eq!(
        decide(&actor(2), Kind::Email, Action::Read, &removed),
        Outcome::Hidden
    );
}

#[test]
fn every_list_line_is_a_filter_the_store_can_apply() {
    for rule in RULES.iter().filter(|r| r.action == Action::List) {
        for role in [Role::Mentor, Role::Mentee] {
            let actor = Actor::user(MENTOR, role);
            match visibility(&actor, rule.kind) {
                Ok(_) => {}
                Err(Outcome::Forbidden(_)) => {
                    assert!(matches!(rule.allow(role), Allow::WrongRole(_)));
                }
                Err(other) => panic!("{:?} {role:?}: {other:?}", rule.kind),
            }
        }
    }
    let mentee = Actor::user(OWNER, Role::Mentee);
    assert_eq!(
        visibility(&mentee, Kind::ExceptionRequest),
        Ok(Visibility {
            owner: Some(OWNER),
            programs: Programs::EnrolledIn(OWNER),
            program: None,
        })
    );
    let mentor = Actor::user(MENTOR, Role::Mentor);
    assert_eq!(
        visibility(&mentor, Kind::Prospect),
        Ok(Visibility {
            owner: None,
            programs: Programs::RunBy(MENTOR),
            program: None,
        })
    );
}

#[test]
fn a_read_only_key_for_one_program_reads_only_there_and_changes_nothing() {
    let key = Actor {
        user_id: MENTOR,
        role: Role::Mentor,
        scope: Scope::Key {
            write: false,
            program: Some(PROGRAM),
        },
    };
    let here = facts(Kind::Prospect, 0);
    let elsewhere = Facts {
        program: Some(Uuid::from_u128(11)),
        ..here
    };
    assert_eq!(
        decide(&key, Kind::Prospect, Action::Read, &here),
        Outcome::Allowed
    );
    assert_eq!(
        decide(&key, Kind::Prospect, Action::Read, &elsewhere),
        Outcome::Hidden
    );
    assert_eq!(
        decide(
            &key,
            Kind::Program,
            Action::Change,
            &facts(Kind::Program, 0)
        ),
        Outcome::Forbidden("this key may only read")
    );
    assert_eq!(
        visibility(&key, Kind::Prospect).map(|v| v.program),
        Ok(Some(PROGRAM))
    );
}

/// How many `List` lines the table has.
const LISTS: usize = 8;

#[test]
fn the_list_count_is_the_tables() {
    assert_eq!(
        RULES.iter().filter(|r| r.action == Action::List).count(),
        LISTS
    );
}

fn any_tie() -> impl Strategy<Value = Tie> {
    prop_oneof![Just(Tie::Runs), Just(Tie::Enrolled), Just(Tie::Outside)]
}

fn any_id() -> impl Strategy<Value = Option<Uuid>> {
    prop_oneof![
        Just(None),
        (1u128..=5).prop_map(|n| Some(Uuid::from_u128(n)))
    ]
}

fn any_facts() -> impl Strategy<Value = Facts> {
    (any_id(), any_tie(), any::<[bool; 4]>()).prop_map(|(owner, tie, b)| Facts {
        owner,
        program: Some(PROGRAM),
        tie,
        version_in_use: b[0],
        linked: b[1],
        removed: b[2],
    })
}

fn any_actor() -> impl Strategy<Value = Actor> {
    ((1u128..=5), any::<bool>()).prop_map(|(n, mentor)| {
        let role = if mentor { Role::Mentor } else { Role::Mentee };
        Actor::user(Uuid::from_u128(n), role)
    })
}

proptest! {
    /// The API loads only the facts `needs` names: any other may be anything.
    #[test]
    fn a_decision_reads_no_fact_that_needs_leaves_out(
        actor in any_actor(),
        facts in any_facts(),
        other in any_facts(),
        line in 0..RULES.len(),
    ) {
        let rule = &RULES[line];
        let needs = needs(rule.kind, rule.action, actor.role);
        let mixed = Facts {
            owner: if needs.owner { facts.owner } else { other.owner },
            program: facts.program,
            tie: if needs.tie { facts.tie } else { other.tie },
            version_in_use: if needs.version_in_use { facts.version_in_use } else { other.version_in_use },
            linked: if needs.linked { facts.linked } else { other.linked },
            removed: if needs.removed { facts.removed } else { other.removed },
        };
        prop_assert_eq!(
            decide(&actor, rule.kind, rule.action, &facts),
            decide(&actor, rule.kind, rule.action, &mixed)
        );
    }

    /// A list shows exactly the objects `decide` allows listing.
    #[test]
    fn a_lists_filter_admits_exactly_what_decide_allows(
        actor in any_actor(),
        facts in any_facts(),
        line in 0..LISTS,
    ) {
        let lists: Vec<&Rule> = RULES.iter().filter(|r| r.action == Action::List).collect();
        let rule = lists[line];
        // The store's program conditions name the actor: a tie is the actor's.
        if let Ok(visible) = visibility(&actor, rule.kind) {
            prop_assert_eq!(
                visible.contains(&facts),
                decide(&actor, rule.kind, Action::List, &facts) == Outcome::Allowed
            );
        }
    }
}

#[test]
fn no_key_manages_the_account_whatever_its_scopes() {
    for (write, program) in [(true, None), (false, None), (true, Some(PROGRAM))] {
        let key = Actor {
            user_id: MENTOR,
            role: Role::Mentor,
            scope: Scope::Key { write, program },
        };
        let own = Facts {
            owner: Some(MENTOR),
            program,
            ..Facts::default()
        };
        assert!(
            matches!(
                decide(&key, Kind::Account, Action::Change, &own),
                Outcome::Forbidden(reason) if reason.contains("API key")
            ),
            "{write} {program:?}"
        );
        assert_eq!(
            decide(
                &Actor::user(MENTOR, Role::Mentor),
                Kind::Account,
                Action::Change,
                &own
            ),
            Outcome::Allowed
        );
    }
}
