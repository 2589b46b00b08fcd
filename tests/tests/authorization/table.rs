//! The matrix over HTTP with its expectations taken from the policy's table
//! (`domain::policy`): the world is modelled here (who runs, is enrolled in, was removed
//! from and owns what), the table decides, and the server must answer the same for every
//! actor, anonymous included: every kind of object read through `node`, every guarded
//! mutation refused as the table says.

use domain::policy::{self, Action, Facts, Kind, Outcome, Role, Tie};
use serde_json::{Value, json};
use uuid::Uuid;

use super::Matrix;

mod mutations;
use crate::definitions::Answers;
use crate::fixtures::Actor;
use crate::helpers::{TestApp, codes, str_at};

/// The people of the world; `R` owns a prospect in X's program and was removed from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    MentorX,
    MentorY,
    /// Enrolled in X, owns X's prospect.
    A,
    /// Enrolled in X.
    B,
    /// Enrolled in Y, owns Y's prospect.
    C,
    R,
}

const PEOPLE: [Who; 6] = [Who::MentorX, Who::MentorY, Who::A, Who::B, Who::C, Who::R];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Program {
    X,
    Y,
}

impl Who {
    /// A stand-in id: the model only compares ids with each other.
    fn id(self) -> Uuid {
        Uuid::from_u128(self as u128 + 1)
    }
    fn role(self) -> Role {
        match self {
            Who::MentorX | Who::MentorY => Role::Mentor,
            _ => Role::Mentee,
        }
    }
    fn runs(self, p: Program) -> bool {
        matches!(
            (self, p),
            (Who::MentorX, Program::X) | (Who::MentorY, Program::Y)
        )
    }
    /// Actively enrolled (R was removed).
    fn enrolled(self, p: Program) -> bool {
        matches!(
            (self, p),
            (Who::A | Who::B, Program::X) | (Who::C, Program::Y)
        )
    }
    fn tie(self, p: Program) -> Tie {
        if self.runs(p) {
            Tie::Runs
        } else if self.enrolled(p) {
            Tie::Enrolled
        } else {
            Tie::Outside
        }
    }
    fn linked(self, other: Who) -> bool {
        [Program::X, Program::Y]
            .into_iter()
            .any(|p| (self.runs(p) && other.enrolled(p)) || (other.runs(p) && self.enrolled(p)))
    }
}

impl Program {
    fn id(self) -> Uuid {
        Uuid::from_u128(100 + self as u128)
    }
}

/// One object of the world, as the model sees it.
struct Object {
    label: &'static str,
    id: String,
    kind: Kind,
    program: Program,
    /// The owner (a user: themself).
    owner: Option<Who>,
    /// A version: who uses it (enrolled under it as the standard, or scored against it).
    used_by: &'static [Who],
}

impl Object {
    fn facts(&self, reader: Who) -> Facts {
        Facts {
            owner: self.owner.map(Who::id),
            program: Some(self.program.id()),
            tie: reader.tie(self.program),
            version_in_use: self.used_by.contains(&reader),
            linked: matches!(self.kind, Kind::User | Kind::Email)
                && self.owner.is_some_and(|o| reader.linked(o)),
            removed: false,
        }
    }

    fn expected(&self, reader: Who, action: Action) -> Outcome {
        let actor = policy::Actor::user(reader.id(), reader.role());
        policy::decide(&actor, self.kind, action, &self.facts(reader))
    }
}

struct World {
    m: Matrix,
    removed: Actor,
    removed_prospect: String,
    removed_qualification: String,
    /// A's prospect taken on, and its outcome entry for this month.
    client: String,
    outcome: String,
}

impl World {
    async fn build() -> World {
        let m = Matrix::build().await;
        let app: &TestApp = &m.app;
        let removed = app.sign_up(&m.x.invite_code).await;
        let removed_prospect = app
            .create_prospect(&removed, &m.x.program, "Left behind")
            .await;
        let q = app
            .qualify(&removed, &removed_prospect, &Answers::good(), None)
            .await;
        let removed_qualification = str_at(&q, "/qualification/id");
        app.data(
            m.x.mentor.tok(),
            "mutation($p: ID!, $m: ID!) { removeMentee(input: { programId: $p, menteeId: $m }) { removedMenteeId } }",
            json!({ "p": m.x.program, "m": removed.id }),
        )
        .await;
        let a = &m.x.mentees[0];
        let client = app
            .client(a, &m.x.program, "A's client", &Answers::good(), None)
            .await;
        let month = crate::helpers::today().format("%Y-%m").to_string();
        let outcome = app.outcome(a, &client, &month, "100", None, None, 3).await;
        let outcome = str_at(&outcome, "/id");
        World {
            m,
            removed,
            removed_prospect,
            removed_qualification,
            client,
            outcome,
        }
    }

    fn token(&self, who: Who) -> Option<&str> {
        match who {
            Who::MentorX => self.m.x.mentor.tok(),
            Who::MentorY => self.m.y.mentor.tok(),
            Who::A => self.m.x.mentees[0].tok(),
            Who::B => self.m.x.mentees[1].tok(),
            Who::C => self.m.y.mentees[0].tok(),
            Who::R => self.removed.tok(),
        }
    }

    fn email(&self, who: Who) -> &str {
        match who {
            Who::MentorX => &self.m.x.mentor.email,
            Who::MentorY => &self.m.y.mentor.email,
            Who::A => &self.m.x.mentees[0].email,
            Who::B => &self.m.x.mentees[1].email,
            Who::C => &self.m.y.mentees[0].email,
            Who::R => &self.removed.email,
        }
    }

    fn objects(&self) -> Vec<Object> {
        let (x, y) = (&self.m.x, &self.m.y);
        let o = |label, id: &String, kind, program, owner, used_by| Object {
            label,
            id: id.clone(),
            kind,
            program,
            owner,
            used_by,
        };
        use Kind as K;
        use Program::{X, Y};
        vec![
            o(
                "X's template",
                &x.template,
                K::Template,
                X,
                Some(Who::MentorX),
                &[],
            ),
            // X's standard: its enrolled mentees', and R scored against it.
            o(
                "X's standard",
                &x.v1,
                K::TemplateVersion,
                X,
                Some(Who::MentorX),
                &[Who::A, Who::B, Who::R],
            ),
            o(
                "X's draft version",
                &x.v2_draft,
                K::TemplateVersion,
                X,
                Some(Who::MentorX),
                &[],
            ),
            o("X's program", &x.program, K::Program, X, None, &[]),
            o("X's invite", &x.invite, K::Invite, X, None, &[]),
            o(
                "A's prospect",
                &x.prospect,
                K::Prospect,
                X,
                Some(Who::A),
                &[],
            ),
            o(
                "A's qualification",
                &x.qualification,
                K::Qualification,
                X,
                Some(Who::A),
                &[],
            ),
            o(
                "A's decision",
                &x.decision,
                K::Decision,
                X,
                Some(Who::A),
                &[],
            ),
            o(
                "A's exception request",
                &x.exception,
                K::ExceptionRequest,
                X,
                Some(Who::A),
                &[],
            ),
            o(
                "R's prospect",
                &self.removed_prospect,
                K::Prospect,
                X,
                Some(Who::R),
                &[],
            ),
            o(
                "R's qualification",
                &self.removed_qualification,
                K::Qualification,
                X,
                Some(Who::R),
                &[],
            ),
            o("A's client", &self.client, K::Client, X, Some(Who::A), &[]),
            o(
                "A's outcome entry",
                &self.outcome,
                K::OutcomeEntry,
                X,
                Some(Who::A),
                &[],
            ),
            o("mentee A", &x.mentees[0].id, K::User, X, Some(Who::A), &[]),
            o("mentee R", &self.removed.id, K::User, X, Some(Who::R), &[]),
            o(
                "mentor X",
                &x.mentor.id,
                K::User,
                X,
                Some(Who::MentorX),
                &[],
            ),
            o(
                "Y's template",
                &y.template,
                K::Template,
                Y,
                Some(Who::MentorY),
                &[],
            ),
            o(
                "Y's standard",
                &y.v1,
                K::TemplateVersion,
                Y,
                Some(Who::MentorY),
                &[Who::C],
            ),
            o("Y's program", &y.program, K::Program, Y, None, &[]),
            o(
                "C's prospect",
                &y.prospect,
                K::Prospect,
                Y,
                Some(Who::C),
                &[],
            ),
            o(
                "C's exception request",
                &y.exception,
                K::ExceptionRequest,
                Y,
                Some(Who::C),
                &[],
            ),
            o("mentee C", &y.mentees[0].id, K::User, Y, Some(Who::C), &[]),
        ]
    }
}

const NODE: &str = "query($id: ID!) { node(id: $id) { id } }";
const ADDRESSES: &str = "query($id: ID!) { node(id: $id) { ... on Prospect { \
    owner { email } program { mentor { email } } } } }";

/// Whether `reader` reads `user`'s address (the `Email` line), wherever the user was reached.
fn reads_address(reader: Who, user: Who) -> bool {
    let address = Object {
        label: "an address",
        id: String::new(),
        kind: Kind::Email,
        program: Program::X,
        owner: Some(user),
        used_by: &[],
    };
    address.expected(reader, Action::Read) == Outcome::Allowed
}

#[tokio::test]
async fn addresses_reached_through_a_prospect_are_shown_as_the_email_line_says() {
    let w = World::build().await;
    let mut failures = Vec::new();
    let mut hidden = 0;
    for object in w.objects().iter().filter(|o| o.kind == Kind::Prospect) {
        let owner = object.owner.expect("a prospect has an owner");
        let mentor = match object.program {
            Program::X => Who::MentorX,
            Program::Y => Who::MentorY,
        };
        for who in PEOPLE {
            if object.expected(who, Action::Read) != Outcome::Allowed {
                continue;
            }
            let body =
                w.m.app
                    .data(w.token(who), ADDRESSES, json!({ "id": object.id }))
                    .await;
            let shown = |user: Who| reads_address(who, user).then(|| w.email(user));
            hidden += usize::from(shown(owner).is_none()) + usize::from(shown(mentor).is_none());
            let expected = json!({ "node": {
                "owner": { "email": shown(owner) },
                "program": { "mentor": { "email": shown(mentor) } },
            } });
            if body != expected {
                failures.push(format!(
                    "{who:?} on {}: expected {expected}, got {body}",
                    object.label
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // The removed owner's address is hidden from their former mentor, and the mentor's
    // from them.
    assert!(hidden >= 2, "{hidden} hidden addresses");
}

#[tokio::test]
async fn every_actor_reads_every_kind_of_object_exactly_as_the_policy_table_says() {
    let w = World::build().await;
    let mut failures = Vec::new();
    let mut seen = [0_usize; 2]; // (visible, hidden) cells checked
    for object in w.objects() {
        for who in PEOPLE {
            let body =
                w.m.app
                    .gql(w.token(who), NODE, json!({ "id": object.id }))
                    .await;
            let visible = object.expected(who, Action::Read) == Outcome::Allowed;
            let expected = if visible {
                json!({ "data": { "node": { "id": object.id } } })
            } else {
                // Exactly what a missing id answers.
                json!({ "data": { "node": null } })
            };
            seen[usize::from(!visible)] += 1;
            if body != expected {
                failures.push(format!(
                    "{who:?} on {}: expected {expected}, got {body}",
                    object.label
                ));
            }
        }
        let anonymous = w.m.app.gql(None, NODE, json!({ "id": object.id })).await;
        if codes(&anonymous) != ["UNAUTHENTICATED"] || anonymous["data"]["node"] != Value::Null {
            failures.push(format!("anonymous on {}: {anonymous}", object.label));
        }
    }
    assert!(
        failures.is_empty(),
        "{} cells differ from the table:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // The world exercises both answers for many cells (not a table of all-hidden).
    assert!(
        seen[0] >= 30 && seen[1] >= 50,
        "visible/hidden cells: {seen:?}"
    );
}
