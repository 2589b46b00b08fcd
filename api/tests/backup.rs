//! `qualify backup` while the server writes, then `qualify restore`: the restored database
//! holds every write acknowledged before the backup began, and nothing the live one does
//! not; a server starts on it and answers. The real binary, on a SQLite file.
#![allow(clippy::unwrap_used, clippy::expect_used)]

// Shared with the crash test; this test uses a part of it.
#[allow(dead_code)]
#[path = "crash_safety/harness.rs"]
mod harness;

use std::collections::BTreeSet;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use test_support::database::TestDatabase;

use harness::{BIN, CREATE_PROSPECT, Client, create_mentor, start, str_at};

fn qualify(args: &[&str], database_url: &str) -> (bool, String) {
    let output = Command::new(BIN)
        .args(args)
        .env("DATABASE_URL", database_url)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run qualify");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

async fn ids(client: &Client, token: &str) -> BTreeSet<String> {
    let mut all = BTreeSet::new();
    let mut after: Value = Value::Null;
    loop {
        let page = client
            .data(
                Some(token),
                "query($after: String) { prospects(first: 100, after: $after) { \
                 pageInfo { hasNextPage endCursor } nodes { id } } }",
                json!({ "after": after }),
            )
            .await;
        for node in page["prospects"]["nodes"].as_array().unwrap() {
            all.insert(node["id"].as_str().unwrap().to_owned());
        }
        if page["prospects"]["pageInfo"]["hasNextPage"] != json!(true) {
            return all;
        }
        after = page["prospects"]["pageInfo"]["endCursor"].clone();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_backup_during_a_write_burst_restores_everything_acknowledged_before_it() {
    let database = TestDatabase::sqlite_file();
    let url = database.url.clone();
    let mentor_email = create_mentor(&url);
    let server = start(&url);
    let client = Client::new(server.addr);
    let world = harness::mentee_world(&client, &mentor_email).await;

    // A writer that never stops until told, recording when each write was answered.
    let answered = Arc::new(Mutex::new(Vec::<(String, Instant)>::new()));
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let (client, token, program, answered, stop) = (
            client.clone(),
            world.mentee.clone(),
            world.program.clone(),
            answered.clone(),
            stop.clone(),
        );
        tokio::spawn(async move {
            let mut i = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                i += 1;
                let vars = json!({ "p": program, "n": format!("Burst {i}") });
                let body = client
                    .try_gql(Some(&token), CREATE_PROSPECT, vars)
                    .await
                    .unwrap();
                let id = str_at(&body, "/data/createProspect/prospect/id");
                answered.lock().unwrap().push((id, Instant::now()));
            }
        })
    };
    tokio::time::sleep(Duration::from_millis(700)).await;
    let dir = tempdir();
    let backup = dir.join("backup.db");
    let began = Instant::now();
    let (ok, said) = qualify(&["backup", "--to", backup.to_str().unwrap()], &url);
    assert!(ok, "{said}");
    assert!(said.contains("backed up to"), "{said}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    writer.await.unwrap();
    let answered = answered.lock().unwrap().clone();
    let before: BTreeSet<String> = answered
        .iter()
        .filter(|(_, at)| *at < began)
        .map(|(id, _)| id.clone())
        .collect();
    assert!(
        before.len() >= 5,
        "only {} writes before the backup",
        before.len()
    );
    assert!(
        answered.len() > before.len(),
        "the burst went on during the backup"
    );
    let live = ids(&client, &world.mentee).await;

    // A second backup to the same file is refused; the first is untouched.
    let (again, said) = qualify(&["backup", "--to", backup.to_str().unwrap()], &url);
    assert!(!again && said.contains("exists already"), "{said}");

    // Restored in place of another database's file, a server starts on it.
    let restored = dir.join("restored.db");
    let restored_url = format!("sqlite://{}?mode=rwc", restored.display());
    let (ok, said) = qualify(
        &["restore", "--from", backup.to_str().unwrap()],
        &restored_url,
    );
    assert!(ok, "{said}");
    drop(server);
    let server = start(&restored_url);
    let client = Client::new(server.addr);
    let back = ids(&client, &world.mentee).await;
    let lost: Vec<&String> = before.difference(&back).collect();
    assert!(
        lost.is_empty(),
        "acknowledged before the backup, lost: {lost:?}"
    );
    let invented: Vec<&String> = back.difference(&live).collect();
    assert!(
        invented.is_empty(),
        "in the backup, not in the database: {invented:?}"
    );

    // While a server serves it, a restore is refused and nothing is replaced.
    let (ok, said) = qualify(
        &["restore", "--from", backup.to_str().unwrap()],
        &restored_url,
    );
    assert!(
        !ok && said.contains("another qualify server is serving"),
        "{said}"
    );
    assert_eq!(ids(&client, &world.mentee).await, back);
    let _ = std::fs::remove_dir_all(&dir);
}

/// What an operator mistypes gets a plain sentence naming the file, and changes nothing:
/// no driver text, no half-written file.
#[tokio::test]
async fn a_backup_or_restore_that_cannot_be_made_says_why_and_changes_nothing() {
    let dir = tempdir();
    let live = dir.join("live.db");
    let live_url = format!("sqlite://{}?mode=rwc", live.display());
    let mentor = create_mentor(&live_url);
    let path = |name: &str| dir.join(name).to_str().unwrap().to_owned();
    std::fs::write(dir.join("junk.db"), b"not a database").unwrap();
    std::fs::write(dir.join("taken.db"), b"someone's file").unwrap();
    // A SQLite database, but not Qualify's: no migrations table.
    let empty = store::connect(&format!(
        "sqlite://{}?mode=rwc",
        dir.join("empty.db").display()
    ))
    .await
    .unwrap();
    empty.close().await.unwrap();

    for (args, url, expected) in [
        (
            vec!["backup", "--to", &path("missing/b.db")],
            live_url.clone(),
            format!("there is no directory {}", path("missing")),
        ),
        (
            vec!["backup", "--to", &path("taken.db")],
            live_url.clone(),
            format!("{} exists already", path("taken.db")),
        ),
        (
            vec!["restore", "--from", &path("nowhere.db")],
            live_url.clone(),
            format!("{} is not a file", path("nowhere.db")),
        ),
        (
            vec!["restore", "--from", &path("junk.db")],
            live_url.clone(),
            format!("{} is not a SQLite database", path("junk.db")),
        ),
        (
            vec!["restore", "--from", &path("empty.db")],
            live_url.clone(),
            format!("{} is not a Qualify database", path("empty.db")),
        ),
    ] {
        let (ok, said) = qualify(&args, &url);
        assert!(!ok, "{args:?}: {said}");
        assert!(said.contains(&expected), "{args:?}: {said}");
        for internal in [
            "Custom Error",
            "Execution Error",
            "database error",
            "code: ",
        ] {
            assert!(!said.contains(internal), "{args:?}: {said}");
        }
    }
    // The live database is still itself: its mentor is there, and it is sound.
    let db = store::connect(&live_url).await.unwrap();
    let found = store::users::user_by_email(&db, &mentor).await.unwrap();
    assert_eq!(found.map(|u| u.email), Some(mentor));
    assert_eq!(store::sqlite_integrity_check(&db).await.unwrap(), ["ok"]);
    db.close().await.unwrap();
    assert_eq!(
        std::fs::read(dir.join("taken.db")).unwrap(),
        b"someone's file"
    );
    let left: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("restoring") || n.starts_with('b'))
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

fn tempdir() -> std::path::PathBuf {
    let dir =
        std::env::temp_dir().join(format!("qualify-backup-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
