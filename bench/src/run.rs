//! `bench run`: the whole benchmark in one command. For each data size: generate the
//! database if needed, start the API, the baseline and (on SQLite) the floor pinned to one
//! core, drive every scenario from a load process pinned to the other core (warm-up, timed
//! window), repeat, take medians, and write the report.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};

use crate::database_cpu;
use crate::generate;
use crate::load::{Outcome, Spec};
use crate::report::{self, Cell, Results, Size, Storm, Summary};
use crate::scenarios::{Scenario, Targets};
use crate::serve::{Kind, Listening};
use crate::targets;

/// How to run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Settings {
    pub qualifications: Vec<u64>,
    /// SQLite files go here unless `database_url` is given.
    pub data_dir: PathBuf,
    /// A PostgreSQL URL; `{n}` is replaced by the number of qualifications.
    pub database_url: Option<String>,
    pub concurrency: Vec<usize>,
    pub warmup_secs: f64,
    pub duration_secs: f64,
    pub repeats: usize,
    /// Repeats of the cells a throughput target reads (S2 and S3 at c=16), when more than
    /// `repeats`: their pass or fail should not hang on one noisy window.
    #[serde(default)]
    pub target_repeats: usize,
    pub server_core: usize,
    pub load_core: usize,
    pub seed: u64,
    /// Only the scenarios whose name starts with one of these (all when empty); the login
    /// storm runs when `S1` is among them.
    #[serde(default)]
    pub only: Vec<String>,
    /// Delete the SQLite databases first, so that each world is generated anew: S2 adds
    /// qualifications to the world it measures, so a reused database grows from run to run.
    #[serde(default)]
    pub fresh: bool,
}

impl Settings {
    /// Repeats of a cell that a throughput target reads: never fewer than the others get.
    pub fn target_cell_repeats(&self) -> usize {
        self.repeats.max(self.target_repeats)
    }
}

/// Runs everything and returns the results.
///
/// # Errors
/// When a database, a server or a load process fails.
pub async fn run(settings: &Settings) -> anyhow::Result<Results> {
    if which("taskset").is_none() {
        bail!("`taskset` (util-linux) is needed to pin the server and the load to cores");
    }
    std::fs::create_dir_all(&settings.data_dir)?;
    let logs = settings.data_dir.join("logs");
    std::fs::create_dir_all(&logs)?;
    let mut results = Results::new(settings.clone());
    // Every size's servers run at once (idle ones cost nothing), and each scenario is
    // measured on every size in turn: a ratio between sizes then compares runs minutes
    // apart, not a quarter of an hour, on a machine whose load drifts.
    let mut worlds = Vec::new();
    if settings.fresh {
        delete_sqlite_worlds(settings)?;
    }
    for &n in &settings.qualifications {
        let url = database_url(settings, n);
        eprintln!("== {n} qualifications: {}", redact(&url));
        let generation = ensure_generated(&url, n, settings.seed).await?;
        let db = store::connect(&url).await?;
        let targets = Targets::find(&db).await?;
        db.close().await.ok();
        let log = |kind: &str| logs.join(format!("{kind}-{n}.log"));
        let mut servers = vec![
            Server::start(Kind::Baseline, &url, settings, &log("baseline"))?,
            Server::start(Kind::Api, &url, settings, &log("api"))?,
        ];
        // The floor speaks SQLite only.
        if url.starts_with("sqlite:") {
            servers.push(Server::start(Kind::Floor, &url, settings, &log("floor"))?);
        }
        results.sizes.push(Size {
            qualifications: n,
            database: redact(&url),
            generation,
            cells: Vec::new(),
            storm: Vec::new(),
            locked_log_lines: Vec::new(),
        });
        worlds.push((targets, servers));
    }
    let wanted = |name: &str| {
        settings.only.is_empty() || settings.only.iter().any(|o| name.starts_with(o.as_str()))
    };
    for scenario in scenarios().into_iter().filter(|s| wanted(&s.to_string())) {
        for &c in &settings.concurrency {
            for ((targets, servers), size) in worlds.iter().zip(&mut results.sizes) {
                let cell = measure(settings, targets, servers, scenario, c)?;
                eprintln!(
                    "{:>8} q. {}",
                    size.qualifications,
                    report::progress_line(&cell)
                );
                size.cells.push(cell);
            }
        }
    }
    for ((targets, servers), size) in worlds.iter().zip(&mut results.sizes) {
        if wanted("S1") {
            // The floor does not log in.
            for server in servers.iter().filter(|s| s.kind != Kind::Floor) {
                size.storm.push(storm(settings, targets, server)?);
            }
        }
        let logs: Vec<(Kind, PathBuf)> = servers.iter().map(|s| (s.kind, s.log.clone())).collect();
        size.check_logs(&logs);
    }
    results.evaluate();
    Ok(results)
}

fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario::S0,
        Scenario::S1,
        Scenario::S2,
        Scenario::S3,
        Scenario::S4,
        Scenario::S5(10),
        Scenario::S5(50),
        Scenario::S5(100),
        Scenario::S6,
        Scenario::S7,
        Scenario::S8,
        Scenario::S9,
    ]
}

pub(crate) fn database_url(settings: &Settings, n: u64) -> String {
    match &settings.database_url {
        Some(url) => url.replace("{n}", &n.to_string()),
        None => format!("sqlite://{}?mode=rwc", sqlite_path(settings, n).display()),
    }
}

fn sqlite_path(settings: &Settings, n: u64) -> PathBuf {
    settings.data_dir.join(format!("q{n}.db"))
}

/// `--fresh`: the SQLite files of every size (database, WAL, shared memory), and only those.
fn delete_sqlite_worlds(settings: &Settings) -> anyhow::Result<()> {
    if settings.database_url.is_some() {
        bail!("--fresh deletes SQLite files; for PostgreSQL, recreate the databases");
    }
    for &n in &settings.qualifications {
        let path = sqlite_path(settings, n);
        for suffix in ["", "-wal", "-shm"] {
            let file = PathBuf::from(format!("{}{suffix}", path.display()));
            match std::fs::remove_file(&file) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(e).with_context(|| format!("deleting {}", file.display()));
                }
                _ => {}
            }
        }
    }
    Ok(())
}

/// Passwords out of URLs that end up in reports.
pub(crate) fn redact(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(scheme), Some(at)) if scheme < at => {
            let userinfo = &url[scheme + 3..at];
            let user = userinfo.split(':').next().unwrap_or_default();
            format!("{}{user}{}", &url[..scheme + 3], &url[at..])
        }
        _ => url.to_owned(),
    }
}

/// Generates the world unless the database already holds one of this size; on
/// PostgreSQL, then refreshes the planner's statistics (`analyze`).
pub(crate) async fn ensure_generated(
    url: &str,
    n: u64,
    seed: u64,
) -> anyhow::Result<Option<generate::Report>> {
    let db = store::connect(url).await?;
    store::migrate(&db).await?;
    let existing = store::bulk::generated(&db).await?;
    db.close().await.ok();
    let generation = generated_or_new(url, n, seed, existing).await?;
    analyze(url).await?;
    Ok(generation)
}

/// `ANALYZE` on PostgreSQL (SQLite's planner reads its indexes as they are). A world is
/// written in one burst and S2 grows it run by run; a server's autovacuum would analyze
/// the tables within a minute of either, but where it is off (this machine's PostgreSQL:
/// `autovacuum = off` in conf.d/90-ci.conf) they were never analyzed, and every
/// statement was planned without statistics: not the database a deployment runs on.
async fn analyze(url: &str) -> anyhow::Result<()> {
    use sea_orm::ConnectionTrait;
    if database_cpu::Probe::for_url(url).is_none() {
        return Ok(());
    }
    let db = store::connect(url).await?;
    let started = std::time::Instant::now();
    db.execute_unprepared("ANALYZE").await?;
    db.close().await.ok();
    eprintln!("analyzed in {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}

/// The generation report when the world had to be made, `None` when it was there.
async fn generated_or_new(
    url: &str,
    n: u64,
    seed: u64,
    existing: Option<u64>,
) -> anyhow::Result<Option<generate::Report>> {
    match existing {
        Some(m) if m == n => {
            eprintln!("reusing the generated world in {}", redact(url));
            Ok(None)
        }
        Some(m) => bail!(
            "{} holds {m} generated qualifications, not {n}",
            redact(url)
        ),
        None => {
            let report = generate::generate(url, n, seed).await?;
            eprintln!(
                "generated {} rows in {:.1} s: {:.0} rows/s",
                report.rows, report.seconds, report.rows_per_second
            );
            Ok(Some(report))
        }
    }
}

/// A server process pinned to the server core; killed on drop.
pub struct Server {
    pub kind: Kind,
    pub child: Child,
    pub at: Listening,
    /// Its stderr.
    pub log: PathBuf,
    /// On PostgreSQL, the database server, whose CPU time the load reads with the server's.
    pub database: Option<database_cpu::Probe>,
}

impl Server {
    pub(crate) fn start(
        kind: Kind,
        url: &str,
        settings: &Settings,
        log: &Path,
    ) -> anyhow::Result<Server> {
        let exe = std::env::current_exe()?;
        let kind_arg = match kind {
            Kind::Api => "api",
            Kind::Baseline => "baseline",
            Kind::Floor => "floor",
        };
        // `BENCH_SERVER_WRAPPER="valgrind --tool=callgrind"` runs the servers under a
        // profiler (README, "Benchmarks"); `{kind}` in it becomes `api`, `baseline` or
        // `floor`.
        let wrapper = std::env::var("BENCH_SERVER_WRAPPER").unwrap_or_default();
        let wrapper = wrapper.replace("{kind}", kind_arg);
        let mut child = Command::new("taskset")
            .arg("-c")
            .arg(settings.server_core.to_string())
            .args(wrapper.split_whitespace())
            .arg(exe)
            .args(["serve", "--kind", kind_arg, "--database-url", url])
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(log)?)
            .spawn()
            .context("starting a server")?;
        let stdout = child.stdout.take().context("server stdout")?;
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line)?;
        let at: Listening = serde_json::from_str(line.trim()).with_context(|| {
            format!("the {kind_arg} server did not start; see {}", log.display())
        })?;
        Ok(Server {
            kind,
            child,
            at,
            log: log.to_owned(),
            database: database_cpu::Probe::for_url(url),
        })
    }
}

impl Server {
    /// The server process's id (for its CPU time).
    pub(crate) fn child_id(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // Ctrl-C first, so that a profiler wrapping the server writes its output; a
        // wrapper that runs the server as its child (`perf stat`, `strace -f`) waits for
        // that child, so it gets Ctrl-C too.
        let pid = self.child.id().to_string();
        let _ = Command::new("pkill").args(["-INT", "-P", &pid]).status();
        let _ = Command::new("kill").args(["-INT", &pid]).status();
        for _ in 0..100 {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) fn spec(
    settings: &Settings,
    targets: &Targets,
    server: &Server,
    s: Scenario,
    c: usize,
) -> Spec {
    let (calls, authorization) = targets.calls(s, server.kind);
    Spec {
        addr: server.at.addr,
        also: Vec::new(),
        calls,
        authorization,
        concurrency: c,
        warmup_secs: settings.warmup_secs,
        duration_secs: settings.duration_secs,
        server_pid: Some(server.child.id()),
        debug: Some(server.at.debug),
        database: server.database.clone(),
    }
}

/// Repeats one scenario at one concurrency on the baseline and the floor where they answer
/// it, and the API: each repeat measures them back to back, and which goes first rotates
/// from one repeat to the next. Without the baseline (S6, S7) the cell's baseline has no
/// runs.
fn measure(
    settings: &Settings,
    targets: &Targets,
    servers: &[Server],
    scenario: Scenario,
    c: usize,
) -> anyhow::Result<Cell> {
    let servers: Vec<&Server> = servers
        .iter()
        .filter(|s| match s.kind {
            Kind::Api => true,
            Kind::Baseline => scenario.on_baseline(),
            Kind::Floor => scenario.on_floor(),
        })
        .collect();
    let mut runs: Vec<Vec<Outcome>> = vec![Vec::new(); servers.len()];
    let repeats = if targets::is_checked(scenario, c) {
        settings.target_cell_repeats()
    } else {
        settings.repeats
    };
    for rep in 0..repeats {
        for turn in 0..servers.len() {
            let i = (rep + turn) % servers.len();
            let spec = spec(settings, targets, servers[i], scenario, c);
            runs[i].push(load(settings, &spec)?.wait()?);
        }
    }
    let of = |kind: Kind| {
        servers
            .iter()
            .position(|s| s.kind == kind)
            .map(|i| runs[i].as_slice())
    };
    let Some(api) = of(Kind::Api) else {
        bail!("the API is always measured");
    };
    let baseline = of(Kind::Baseline).unwrap_or_default();
    let cell = Cell::new(scenario, c, baseline, api);
    Ok(match of(Kind::Floor) {
        Some(floor) => cell.with_floor(api, floor),
        None => cell,
    })
}

/// S3 at c=16 alone, then again while 64 connections log in without pause.
fn storm(settings: &Settings, targets: &Targets, server: &Server) -> anyhow::Result<Storm> {
    let mut alone = Vec::new();
    let mut during = Vec::new();
    let mut logins = Vec::new();
    for _ in 0..settings.repeats {
        let s3 = spec(settings, targets, server, Scenario::S3, 16);
        alone.push(load(settings, &s3)?.wait()?);
        let mut s1 = spec(settings, targets, server, Scenario::S1, 64);
        // The storm starts first and lasts past the end of S3's timed window.
        s1.warmup_secs = 0.5;
        s1.duration_secs = settings.warmup_secs + settings.duration_secs + 1.0;
        let storm = load(settings, &s1)?;
        std::thread::sleep(std::time::Duration::from_millis(500));
        during.push(load(settings, &s3)?.wait()?);
        logins.push(storm.wait()?);
    }
    Ok(Storm::new(
        server.kind,
        Summary::of(&alone),
        Summary::of(&during),
        Summary::of(&logins),
    ))
}

/// A running load process (its spec file goes when it is waited for).
pub(crate) struct Load {
    child: Child,
    _spec: tempfile::Path,
}

pub(crate) fn load(settings: &Settings, spec: &Spec) -> anyhow::Result<Load> {
    let file = tempfile::Path::new("bench-spec")?;
    std::fs::write(&file.0, serde_json::to_vec(spec)?)?;
    let child = Command::new("taskset")
        .arg("-c")
        .arg(settings.load_core.to_string())
        .arg(std::env::current_exe()?)
        .arg("load")
        .arg("--spec")
        .arg(&file.0)
        .stdout(Stdio::piped())
        .spawn()
        .context("starting the load generator")?;
    Ok(Load { child, _spec: file })
}

impl Load {
    pub(crate) fn wait(self) -> anyhow::Result<Outcome> {
        let output = self.child.wait_with_output()?;
        if !output.status.success() {
            bail!("the load generator failed ({})", output.status);
        }
        Ok(serde_json::from_slice(&output.stdout)?)
    }
}

pub(crate) fn which(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|dir| Path::new(dir).join(program))
        .find(|p| p.is_file())
}

/// A temporary file removed on drop (no extra dependency for one file per run).
mod tempfile {
    use std::path::PathBuf;

    pub struct Path(pub PathBuf);

    impl Path {
        pub fn new(prefix: &str) -> std::io::Result<Path> {
            let name = format!(
                "{prefix}-{}-{}.json",
                std::process::id(),
                uuid::Uuid::now_v7()
            );
            Ok(Path(std::env::temp_dir().join(name)))
        }
    }

    impl Drop for Path {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::{Settings, delete_sqlite_worlds};

    fn settings(data_dir: PathBuf, database_url: Option<String>) -> Settings {
        Settings {
            qualifications: vec![10, 20],
            data_dir,
            database_url,
            concurrency: vec![2],
            warmup_secs: 0.0,
            duration_secs: 0.0,
            repeats: 1,
            target_repeats: 1,
            server_core: 1,
            load_core: 0,
            seed: 1,
            only: Vec::new(),
            fresh: true,
        }
    }

    #[test]
    fn fresh_deletes_the_worlds_files_and_nothing_else() -> anyhow::Result<()> {
        let dir = std::env::temp_dir().join(format!("bench-fresh-{}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let world = ["q10.db", "q10.db-wal", "q10.db-shm", "q20.db"];
        for name in world.iter().chain(&["q30.db", "notes.txt"]) {
            std::fs::write(dir.join(name), b"x")?;
        }
        delete_sqlite_worlds(&settings(dir.clone(), None))?;
        let mut left: Vec<String> = std::fs::read_dir(&dir)?
            .map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned()))
            .collect::<Result<_, _>>()?;
        left.sort();
        std::fs::remove_dir_all(&dir)?;
        assert_eq!(left, ["notes.txt", "q30.db"]);

        let postgres = settings(dir, Some("postgres://postgres@127.0.0.1/b_{n}".into()));
        let refused = delete_sqlite_worlds(&postgres).map_err(|e| e.to_string());
        assert!(refused.is_err_and(|e| e.contains("PostgreSQL")));
        Ok(())
    }
}
