//! Who sees what: each role against each object it must not reach, through `node`, `nodes`,
//! lists, nested fields and mutations. A hidden object must answer exactly like a missing one;
//! "missing" ids come from a second app with its own database, so no id is decoded or forged.

use serde_json::json;

use crate::definitions::standard_definition;
use crate::fixtures::{Actor, UPDATE_TEMPLATE_DRAFT};
use crate::helpers::{TestApp, str_at};

/// One mentor's corner: template (v1 published, v2 draft), program, invite, mentees, and the first
/// mentee's prospect with a qualification, a decision and a pending exception request.
struct Side {
    mentor: Actor,
    mentees: Vec<Actor>,
    template: String,
    v1: String,
    v2_draft: String,
    program: String,
    invite: String,
    invite_code: String,
    prospect: String,
    qualification: String,
    decision: String,
    exception: String,
}

async fn side(app: &TestApp, mentee_count: usize) -> Side {
    let mentor = app.mentor().await;
    let (template, v1) = app.standard_template_published(&mentor, "REVIEW").await;
    let program = app.create_program(&mentor, &v1).await;
    let (invite, invite_code) = app.create_invite(&mentor, &program, None).await;
    let mut mentees = Vec::new();
    for _ in 0..mentee_count {
        mentees.push(app.sign_up(&invite_code).await);
    }
    let (prospect, qualification, decision, exception) =
        app.pending_exception(&mentees[0], &program).await;
    let mut next = standard_definition("REVIEW");
    next["thresholdA"] = json!(90);
    let vars = json!({ "input": { "id": template, "definition": next } });
    let edited = app.data(mentor.tok(), UPDATE_TEMPLATE_DRAFT, vars).await;
    let v2_draft = str_at(&edited, "/updateTemplateDraft/template/latestVersion/id");
    Side {
        mentor,
        mentees,
        template,
        v1,
        v2_draft,
        program,
        invite,
        invite_code,
        prospect,
        qualification,
        decision,
        exception,
    }
}

/// Mentor X with mentees A (owner of the prospect) and B; mentor Y with mentee C; a ghost side
/// in another database whose ids do not exist here.
struct Matrix {
    app: TestApp,
    _ghost_app: TestApp,
    x: Side,
    y: Side,
    ghost: Side,
}

impl Matrix {
    async fn build() -> Matrix {
        let app = TestApp::spawn().await;
        let ghost_app = TestApp::spawn().await;
        let x = side(&app, 2).await;
        let y = side(&app, 1).await;
        let ghost = side(&ghost_app, 1).await;
        Matrix {
            app,
            _ghost_app: ghost_app,
            x,
            y,
            ghost,
        }
    }

    fn actor(&self, name: &str) -> &Actor {
        match name {
            "mentor X" => &self.x.mentor,
            "mentee A" => &self.x.mentees[0],
            "mentee B" => &self.x.mentees[1],
            "mentor Y" => &self.y.mentor,
            "mentee C" => &self.y.mentees[0],
            other => panic!("no actor {other}"),
        }
    }
}

const ACTORS: [&str; 5] = ["mentor X", "mentee A", "mentee B", "mentor Y", "mentee C"];

/// Objects of one side, with who may see them, in ACTORS order when the side is X
/// (`Some(true)` visible, `Some(false)` hidden, `None` not specified by the rules).
fn objects(s: &Side) -> Vec<(&'static str, String, [Option<bool>; 5])> {
    const T: Option<bool> = Some(true);
    const F: Option<bool> = Some(false);
    vec![
        ("template", s.template.clone(), [T, None, None, F, F]),
        ("published standard version", s.v1.clone(), [T, T, T, F, F]),
        ("draft version", s.v2_draft.clone(), [T, F, F, F, F]),
        ("program", s.program.clone(), [T, T, T, F, F]),
        ("invite", s.invite.clone(), [T, F, F, F, F]),
        ("prospect", s.prospect.clone(), [T, T, F, F, F]),
        ("qualification", s.qualification.clone(), [T, T, F, F, F]),
        ("decision", s.decision.clone(), [T, T, F, F, F]),
        ("exception request", s.exception.clone(), [T, T, F, F, F]),
        ("mentee user", s.mentees[0].id.clone(), [T, T, F, F, F]),
        ("mentor user", s.mentor.id.clone(), [T, T, T, F, F]),
    ]
}

/// Visibility of Y's objects: the same table with X's and Y's people swapped.
fn mirrored(v: [Option<bool>; 5]) -> [Option<bool>; 5] {
    // For Y's objects mentor Y is the program's mentor, mentee C the owner; X's people are outsiders.
    [Some(false), Some(false), Some(false), v[0], v[1]]
}

mod reads;
mod table;
mod writes;
