//! Test databases and fixtures shared by the store tests.
//!
//! Every test gets a fresh database: `sqlite::memory:` by default, or a new PostgreSQL
//! database (`qualify_test_<uuid>`, dropped afterwards) when `TEST_DATABASE_URL` is set.

use std::path::PathBuf;

use chrono::NaiveDate;
use domain::{Answer, AnswerValue, Definition, QualificationResult, Rule};
use sea_orm::{ConnectionTrait, Database};
use store::users::{Role, User, create_user};
use store::{Db, Program, TemplateVersion};
use uuid::Uuid;

/// Removes the test database when dropped (keep it alive as long as the connection).
pub struct Guard(Cleanup);

enum Cleanup {
    Nothing,
    SqliteFile(PathBuf),
    Postgres { admin_url: String, name: String },
}

impl Drop for Guard {
    fn drop(&mut self) {
        match &self.0 {
            Cleanup::Nothing => {}
            Cleanup::SqliteFile(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let mut file = path.clone().into_os_string();
                    file.push(suffix);
                    let _ = std::fs::remove_file(file);
                }
            }
            Cleanup::Postgres { admin_url, name } => {
                // Drop runs inside the test's runtime, which cannot block on itself.
                let (admin_url, name) = (admin_url.clone(), name.clone());
                let _ = std::thread::spawn(move || {
                    let runtime = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .expect("runtime");
                    runtime.block_on(async {
                        let admin = Database::connect(&admin_url).await.expect("admin");
                        let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                        admin.execute_unprepared(&sql).await.expect("drop database");
                        let _ = admin.close().await;
                    });
                })
                .join();
            }
        }
    }
}

fn postgres_url() -> Option<String> {
    std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|url| !url.is_empty())
}

/// A migrated, empty database: in-memory SQLite, or a fresh PostgreSQL database.
pub async fn fresh_db() -> (Db, Guard) {
    match postgres_url() {
        Some(url) => fresh_postgres(url).await,
        None => open("sqlite::memory:", Cleanup::Nothing).await,
    }
}

/// Like [`fresh_db`], but SQLite lives in a temporary file (WAL, several connections).
pub async fn fresh_file_db() -> (Db, Guard) {
    match postgres_url() {
        Some(url) => fresh_postgres(url).await,
        None => {
            let path = std::env::temp_dir().join(format!("qualify-store-{}.db", Uuid::now_v7()));
            let url = format!("sqlite://{}?mode=rwc", path.display());
            open(&url, Cleanup::SqliteFile(path)).await
        }
    }
}

async fn fresh_postgres(admin_url: String) -> (Db, Guard) {
    let name = format!("qualify_test_{}", Uuid::now_v7().simple());
    let admin = Database::connect(&admin_url)
        .await
        .expect("connect TEST_DATABASE_URL");
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .expect("create test database");
    admin.close().await.expect("close admin connection");
    let url = with_database(&admin_url, &name);
    open(&url, Cleanup::Postgres { admin_url, name }).await
}

/// `postgres://user@host:port/anything?query` with the database part replaced.
fn with_database(url: &str, name: &str) -> String {
    let authority_start = url.find("://").map_or(0, |i| i + 3);
    let (base, query) = match url.find('?') {
        Some(i) => (&url[..i], &url[i..]),
        None => (url, ""),
    };
    let base = match base[authority_start..].find('/') {
        Some(i) => &base[..authority_start + i],
        None => base,
    };
    format!("{base}/{name}{query}")
}

async fn open(url: &str, cleanup: Cleanup) -> (Db, Guard) {
    // Build the guard first, so that a failing migration still cleans up.
    let guard = Guard(cleanup);
    let db = store::connect(url).await.expect("connect");
    store::migrate(&db).await.expect("migrate");
    (db, guard)
}

pub fn is_sqlite(db: &Db) -> bool {
    db.get_database_backend() == sea_orm::DbBackend::Sqlite
}

pub async fn user(db: &Db, role: Role) -> User {
    let email = format!("{}@example.com", Uuid::now_v7().simple());
    create_user(db, &email, "Test User", role, "hash")
        .await
        .expect("create user")
}

pub fn definition() -> Definition {
    domain::a_client_standard()
}

/// A mentor's template with version 1 published, and a program using it as its standard.
pub async fn program_with_standard(db: &Db, mentor: &User) -> (Program, TemplateVersion) {
    let (template, _) =
        store::templates::create_template(db, mentor.id, "A-client", "", &definition())
            .await
            .expect("create template");
    let version = store::templates::publish_latest(db, template.id, chrono::Utc::now())
        .await
        .expect("publish");
    let program =
        store::programs::create_program(db, mentor.id, "Strategy 2027", "", Some(version.id))
            .await
            .expect("create program");
    (program, version)
}

/// The best answer to every criterion (an A now), or `Unknown` everywhere (a DECLINE).
pub fn answers(definition: &Definition, best: bool) -> Vec<Answer> {
    definition
        .criteria()
        .iter()
        .map(|criterion| Answer {
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
    let result = domain::qualify(definition, &answers, None, today()).expect("qualify");
    (answers, result)
}
