//! A fresh, empty database per test; the caller migrates it.

use std::path::PathBuf;

use sea_orm::{ConnectionTrait, Database};
use uuid::Uuid;

/// Why PostgreSQL-only tests are ignored, the text of their
/// `#[ignore = "needs TEST_DATABASE_URL (PostgreSQL)"]` (the attribute takes only a literal):
/// run them with `-- --include-ignored` and `TEST_DATABASE_URL` set (`.ci/run` does).
pub const NEEDS_POSTGRES: &str = "needs TEST_DATABASE_URL (PostgreSQL)";

/// A test's own database: its URL, and removal when dropped (keep it alive as long as
/// anything uses the database).
pub struct TestDatabase {
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    Nothing,
    SqliteFile(PathBuf),
    Postgres { admin_url: String, name: String },
}

impl TestDatabase {
    /// A fresh database: a SQLite file by default, a new PostgreSQL database when
    /// `TEST_DATABASE_URL` is set.
    pub async fn fresh() -> TestDatabase {
        match postgres_admin_url() {
            Some(admin_url) => Self::postgres_at(admin_url).await,
            None => Self::sqlite_file(),
        }
    }

    /// Like [`TestDatabase::fresh`], but SQLite in memory (one connection, no file).
    pub async fn fresh_in_memory() -> TestDatabase {
        match postgres_admin_url() {
            Some(admin_url) => Self::postgres_at(admin_url).await,
            None => TestDatabase {
                url: "sqlite::memory:".to_owned(),
                cleanup: Cleanup::Nothing,
            },
        }
    }

    /// A new SQLite file in the temporary directory, whatever `TEST_DATABASE_URL` says
    /// (with its `-wal`, `-shm` and `-journal` companions, removed on drop).
    pub fn sqlite_file() -> TestDatabase {
        let path = std::env::temp_dir().join(format!("qualify-test-{}.db", Uuid::now_v7()));
        TestDatabase {
            url: format!("sqlite://{}?mode=rwc", path.display()),
            cleanup: Cleanup::SqliteFile(path),
        }
    }

    /// A new PostgreSQL database on the server of `TEST_DATABASE_URL`, which must be set:
    /// for tests ignored with [`NEEDS_POSTGRES`].
    pub async fn postgres() -> TestDatabase {
        let admin_url = postgres_admin_url()
            .unwrap_or_else(|| panic!("this test {NEEDS_POSTGRES}: set it, or leave it ignored"));
        Self::postgres_at(admin_url).await
    }

    async fn postgres_at(admin_url: String) -> TestDatabase {
        let name = format!("qualify_test_{}", Uuid::now_v7().simple());
        let admin = Database::connect(&admin_url)
            .await
            .expect("connect to TEST_DATABASE_URL");
        admin
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await
            .expect("create the test database");
        let _ = admin.close().await;
        TestDatabase {
            url: with_database(&admin_url, &name),
            cleanup: Cleanup::Postgres { admin_url, name },
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::Nothing => {}
            Cleanup::SqliteFile(path) => {
                for suffix in ["", "-wal", "-shm", "-journal"] {
                    let mut file = path.clone().into_os_string();
                    file.push(suffix);
                    let _ = std::fs::remove_file(file);
                }
            }
            Cleanup::Postgres { admin_url, name } => {
                let (admin_url, name) = (admin_url.clone(), name.clone());
                // Drop runs inside the test's runtime, which cannot block on itself: a thread
                // with a runtime of its own may.
                let _ = std::thread::spawn(move || {
                    let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                    else {
                        return;
                    };
                    runtime.block_on(async {
                        if let Ok(admin) = Database::connect(&admin_url).await {
                            let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                            let _ = admin.execute_unprepared(&sql).await;
                            let _ = admin.close().await;
                        }
                    });
                })
                .join();
            }
        }
    }
}

/// `TEST_DATABASE_URL`, when set and not empty.
pub fn postgres_admin_url() -> Option<String> {
    std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|url| !url.is_empty())
}

/// `postgres://u@h:5432/postgres?x=y` with the database name replaced.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let host_start = base.find("://").map_or(0, |i| i + 3);
    let base = match base[host_start..].find('/') {
        Some(i) => &base[..host_start + i],
        None => base,
    };
    match query {
        Some(query) => format!("{base}/{name}?{query}"),
        None => format!("{base}/{name}"),
    }
}

#[cfg(test)]
mod tests {
    use sea_orm::{ConnectionTrait, Database, DbBackend, Statement};

    use super::{TestDatabase, postgres_admin_url, with_database};

    #[test]
    fn a_sqlite_file_and_its_companions_are_removed_on_drop() {
        let database = TestDatabase::sqlite_file();
        let path = database
            .url
            .strip_prefix("sqlite://")
            .and_then(|rest| rest.strip_suffix("?mode=rwc"))
            .expect("a SQLite file URL")
            .to_owned();
        let files: Vec<String> = ["", "-wal", "-shm", "-journal"]
            .iter()
            .map(|suffix| format!("{path}{suffix}"))
            .collect();
        for file in &files {
            std::fs::write(file, b"x").expect("write a companion");
        }
        drop(database);
        for file in &files {
            assert!(!std::path::Path::new(file).exists(), "{file} remains");
        }
    }

    async fn exists(admin_url: &str, name: &str) -> bool {
        let admin = Database::connect(admin_url).await.expect("connect");
        let sql = format!("SELECT 1 FROM pg_database WHERE datname = '{name}'");
        let rows = admin
            .query_all_raw(Statement::from_string(DbBackend::Postgres, sql))
            .await
            .expect("query pg_database");
        let _ = admin.close().await;
        !rows.is_empty()
    }

    #[tokio::test]
    #[ignore = "needs TEST_DATABASE_URL (PostgreSQL)"]
    async fn a_postgres_test_database_is_created_and_dropped_with_its_guard() {
        let admin_url = postgres_admin_url().expect("TEST_DATABASE_URL");
        let database = TestDatabase::postgres().await;
        let name = database
            .url
            .rsplit('/')
            .next()
            .and_then(|last| last.split('?').next())
            .expect("a database name")
            .to_owned();
        assert!(name.starts_with("qualify_test_"), "{name}");
        assert!(exists(&admin_url, &name).await, "{name} was created");
        drop(database);
        assert!(!exists(&admin_url, &name).await, "{name} was dropped");
    }

    #[test]
    fn with_database_replaces_only_the_database_name() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/postgres", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            with_database("postgres://u:p@h/db?sslmode=disable", "y"),
            "postgres://u:p@h/y?sslmode=disable"
        );
        assert_eq!(
            with_database("postgres://h:5432", "z"),
            "postgres://h:5432/z"
        );
    }
}
