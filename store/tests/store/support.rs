//! Test databases and fixtures shared by the store tests.
//!
//! Every test gets a fresh database from `test_support`: in-memory SQLite by default, or a
//! new PostgreSQL database (dropped afterwards) when `TEST_DATABASE_URL` is set.

use chrono::NaiveDate;
use domain::{Answer, AnswerDraft, AnswerValue, Definition, QualificationResult, Rule};
use sea_orm::{ConnectionTrait, Statement};
use store::users::{Role, User, create_user};
use store::{Db, Program, TemplateVersion};
use test_support::database::TestDatabase;
use uuid::Uuid;

/// Removes the test database when dropped (keep it alive as long as the connection).
pub type Guard = TestDatabase;

/// A migrated, empty database: in-memory SQLite, or a fresh PostgreSQL database.
pub async fn fresh_db() -> (Db, Guard) {
    open(TestDatabase::fresh_in_memory().await).await
}

/// Like [`fresh_db`], but SQLite lives in a temporary file (WAL, several connections).
pub async fn fresh_file_db() -> (Db, Guard) {
    open(TestDatabase::fresh().await).await
}

/// A SQLite file whatever `TEST_DATABASE_URL` says: for what only SQLite has (pragmas,
/// the one writer connection), checked on both CI phases instead of passing unchecked.
pub async fn sqlite_file_db() -> (Db, Guard) {
    open(TestDatabase::sqlite_file()).await
}

async fn open(database: TestDatabase) -> (Db, Guard) {
    let db = store::connect(&database.url).await.expect("connect");
    store::migrate(&db).await.expect("migrate");
    (db, database)
}

pub fn is_sqlite(db: &Db) -> bool {
    db.get_database_backend() == sea_orm::DbBackend::Sqlite
}

pub async fn user(db: &Db, role: Role) -> User {
    let email = format!("{}@example.com", Uuid::now_v7().simple());
    create_user(
        db,
        &address(&email),
        &display_name("Test User"),
        role,
        "hash",
    )
    .await
    .expect("create user")
}

pub fn definition() -> Definition {
    domain::a_client_standard()
}

/// A mentor's template with version 1 published, and a program using it as its standard.
pub async fn program_with_standard(db: &Db, mentor: &User) -> (Program, TemplateVersion) {
    let (template, _) = store::templates::create_template(
        db,
        mentor.id,
        &display_name("A-client"),
        &text(""),
        &definition(),
    )
    .await
    .expect("create template");
    let version = store::templates::publish_latest(db, template.id, chrono::Utc::now())
        .await
        .expect("publish");
    let program = store::programs::create_program(
        db,
        mentor.id,
        &display_name("Strategy 2027"),
        &text(""),
        Some(version.id),
    )
    .await
    .expect("create program");
    (program, version)
}

/// The best answer to every criterion (an A now), or `Unknown` everywhere (a DECLINE).
pub fn answers(definition: &Definition, best: bool) -> Vec<AnswerDraft> {
    definition
        .criteria()
        .iter()
        .map(|criterion| AnswerDraft {
            key: criterion.key().as_str().to_owned(),
            value: if best {
                best_value(criterion.rule())
            } else {
                AnswerValue::Unknown
            },
        })
        .collect()
}

fn best_value(rule: &Rule) -> AnswerValue {
    match rule {
        Rule::YesNo(rule) => AnswerValue::YesNo(rule.yes_points >= rule.no_points),
        Rule::Scale(rule) => AnswerValue::Scale(rule.max),
        Rule::Choice(rule) => {
            let best = rule.options.iter().max_by_key(|option| option.points);
            AnswerValue::Choice(best.map(|option| option.key.clone()).unwrap_or_default())
        }
        Rule::NumberBands(rule) => {
            let best = rule.bands.iter().max_by_key(|band| band.points);
            AnswerValue::Number(best.and_then(|band| band.min).unwrap_or(0))
        }
    }
}

pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2027, 3, 1).expect("date")
}

pub fn qualify(definition: &Definition, best: bool) -> (Vec<Answer>, QualificationResult) {
    let answers = answers(definition, best);
    let qualified = domain::qualify(definition, &answers, None, today()).expect("qualify");
    (qualified.answers, qualified.result)
}

/// A description, note or reason written in a test.
pub fn text(text: &str) -> domain::LongText {
    domain::LongText::parse(text).expect("a text of at most 2000 characters")
}

/// A name written in a test.
pub fn display_name(name: &str) -> domain::DisplayName {
    domain::DisplayName::parse(name).expect("a name of 1..=100 characters")
}

/// An e-mail address written in a test.
pub fn address(email: &str) -> domain::Email {
    domain::Email::parse(email).expect("a plausible e-mail address")
}

/// The list filter that admits everything (no owner, any program).
pub fn everything() -> domain::policy::Visibility {
    domain::policy::Visibility {
        owner: None,
        programs: domain::policy::Programs::Any,
        program: None,
    }
}

/// The list filter of what `owner` owns.
pub fn owned_by(owner: Uuid) -> domain::policy::Visibility {
    domain::policy::Visibility {
        owner: Some(owner),
        ..everything()
    }
}

/// The list filter of what is in `programs`.
pub fn within(programs: domain::policy::Programs) -> domain::policy::Visibility {
    domain::policy::Visibility {
        programs,
        ..everything()
    }
}

/// The rows of `table`.
pub async fn count(db: &store::Db, table: &str) -> i64 {
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            format!("SELECT COUNT(*) AS n FROM {table}"),
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get::<i64>("", "n").unwrap()
}

/// Runs one statement written with `?` marks (numbered for PostgreSQL).
pub async fn run(db: &store::Db, sql: &str, values: Vec<sea_orm::Value>) {
    let backend = db.get_database_backend();
    let mut numbered = String::new();
    let mut n = 0;
    for c in sql.chars() {
        if c == '?' && backend == sea_orm::DbBackend::Postgres {
            n += 1;
            numbered.push_str(&format!("${n}"));
        } else {
            numbered.push(c);
        }
    }
    db.execute_raw(Statement::from_sql_and_values(backend, numbered, values))
        .await
        .unwrap();
}

/// An enabled webhook endpoint of `owner`'s for `prospect.created`, made at `at`.
pub async fn webhook_endpoint(db: &Db, owner: Uuid, at: chrono::DateTime<chrono::Utc>) -> Uuid {
    let endpoint = Uuid::now_v7();
    run(
        db,
        "INSERT INTO webhook_endpoints (id, owner_id, url, description, event_types, secret, enabled, created_at, updated_at) \
         VALUES (?, ?, 'https://example.com/h', '', '[\"prospect.created\"]', 'whsec_x', ?, ?, ?)",
        vec![endpoint.into(), owner.into(), true.into(), at.into(), at.into()],
    )
    .await;
    endpoint
}

/// A dispatched `prospect.created` event of `owner`'s with `body`, and its delivery to
/// `endpoint` in `state` after `attempts` attempts, both made (and due) at `at`: (event,
/// delivery).
pub async fn webhook_delivery(
    db: &Db,
    owner: Uuid,
    endpoint: Uuid,
    (state, attempts): (&str, i32),
    body: &str,
    at: chrono::DateTime<chrono::Utc>,
) -> (Uuid, Uuid) {
    let (event, delivery) = (Uuid::now_v7(), Uuid::now_v7());
    run(
        db,
        "INSERT INTO events (id, event_type, occurred_at, subject_id, body, dispatched_at) \
         VALUES (?, 'prospect.created', ?, ?, ?, ?)",
        vec![
            event.into(),
            at.into(),
            owner.into(),
            body.into(),
            at.into(),
        ],
    )
    .await;
    run(
        db,
        "INSERT INTO webhook_deliveries (id, endpoint_id, event_id, event_type, state, attempts, next_attempt_at, created_at) \
         VALUES (?, ?, ?, 'prospect.created', ?, ?, ?, ?)",
        vec![
            delivery.into(),
            endpoint.into(),
            event.into(),
            state.into(),
            attempts.into(),
            at.into(),
            at.into(),
        ],
    )
    .await;
    (event, delivery)
}
