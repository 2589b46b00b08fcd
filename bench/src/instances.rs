//! `bench instances`: what a second API instance on the same PostgreSQL does to the write
//! scenario S2 and the read scenario S3 (issue 18; docs/SCALING.md reads it). On one
//! generated world, each repeat measures (a) one API instance and (b) several on the same
//! database back to back, alternating which goes first, at one concurrency; for (b) the
//! load generator deals its connections round-robin over the instances' addresses
//! (`load::Spec::addr_of`). Every response is checked as `bench load` checks it. Each
//! window gives requests/s, p50 and p99, the API processes' CPU per request (summed over
//! the instances) and the PostgreSQL server's (`database_cpu`: every `postgres` process);
//! (b)/(a) of throughput is the median of the repeats' ratios, as `bench run`'s ratios are.
//!
//! Every measurement starts its instances and stops them after it, so that each setup has
//! exactly its own instances on the database (an idle one still runs its event worker and
//! hub against it) and none is warmer than the other.
//!
//! On this machine of two cores, with the load pinned to one, two instances share the
//! other (`--server-cores 1,1`, the default): (b) cannot scale out there, and its ratio
//! shows what running two instances costs (two pools, two event hubs, the kernel switching
//! between them, PostgreSQL on the same cores), not what a second machine would add.

use std::path::PathBuf;

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};

use crate::load::{Instance, Outcome, Spec};
use crate::machine::{self, Machine};
use crate::report::{self, Summary};
use crate::run::{self, Server};
use crate::scenarios::{Scenario, Targets};
use crate::serve::Kind;

/// The write and the read scenario, as `bench run` sends them (`Targets::calls`).
const SCENARIOS: [Scenario; 2] = [Scenario::S2, Scenario::S3];

/// How to run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Settings {
    pub qualifications: u64,
    /// A PostgreSQL URL; `{n}` is replaced by the number of qualifications.
    pub database_url: String,
    /// The server logs go under it.
    pub data_dir: PathBuf,
    /// API instances of setup (b); (a) has one.
    pub instances: usize,
    pub concurrency: usize,
    pub warmup_secs: f64,
    pub duration_secs: f64,
    pub repeats: usize,
    pub load_core: usize,
    /// Instance `i` is pinned to `server_cores[i mod len]`; the single instance of (a) to
    /// the first.
    pub server_cores: Vec<usize>,
    pub seed: u64,
}

impl Settings {
    /// Refuses what cannot measure what this is for.
    fn check(&self) -> anyhow::Result<()> {
        if crate::database_cpu::Probe::for_url(&self.database_url).is_none() {
            bail!("`bench instances` runs on PostgreSQL: pass a postgres:// URL with a database");
        }
        if self.instances < 2 {
            bail!("--instances is the second setup's count: at least 2");
        }
        if self.server_cores.is_empty() || self.repeats == 0 || self.concurrency == 0 {
            bail!("--server-cores, --repeats and --concurrency need at least one");
        }
        Ok(())
    }

    fn url(&self) -> String {
        self.database_url
            .replace("{n}", &self.qualifications.to_string())
    }

    /// The core of instance `i`.
    fn core_of(&self, i: usize) -> usize {
        self.server_cores[i % self.server_cores.len()]
    }

    /// The cores of a setup of `count` instances, in instance order.
    fn cores(&self, count: usize) -> Vec<usize> {
        (0..count).map(|i| self.core_of(i)).collect()
    }

    /// `bench run`'s settings, which `Server::start` and `run::load` read, for instance
    /// `i`'s core.
    fn for_run(&self, i: usize) -> run::Settings {
        run::Settings {
            qualifications: vec![self.qualifications],
            data_dir: self.data_dir.clone(),
            database_url: Some(self.database_url.clone()),
            concurrency: vec![self.concurrency],
            warmup_secs: self.warmup_secs,
            duration_secs: self.duration_secs,
            repeats: self.repeats,
            target_repeats: self.repeats,
            server_core: self.core_of(i),
            load_core: self.load_core,
            seed: self.seed,
            only: Vec::new(),
            fresh: false,
        }
    }
}

/// What `bench instances` measured.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report {
    pub commit: String,
    pub machine: Machine,
    pub started_at: String,
    /// With the URL's password left out.
    pub settings: Settings,
    pub comparisons: Vec<Comparison>,
}

/// One scenario on one instance and on several.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Comparison {
    pub scenario: Scenario,
    pub concurrency: usize,
    pub one: Setup,
    pub several: Setup,
    /// The median over repeats of (b)'s requests/s over (a)'s in the window measured next
    /// to it (a drift of the machine between repeats moves both sides of a pair alike).
    pub throughput_ratio: f64,
    /// Every pair's ratio, in the order measured.
    pub paired_ratios: Vec<f64>,
    /// (b)'s median requests/s over (a)'s, for comparison.
    pub ratio_of_medians: f64,
}

/// One setup's windows of one scenario.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Setup {
    pub instances: usize,
    pub cores: Vec<usize>,
    /// Medians; `database_cpu_elsewhere_us` above 0 says a window's PostgreSQL figure
    /// includes other databases' work.
    pub summary: Summary,
    pub runs: Vec<Outcome>,
}

impl Setup {
    fn new(instances: usize, cores: Vec<usize>, runs: Vec<Outcome>) -> Setup {
        Setup {
            instances,
            cores,
            summary: Summary::of(&runs),
            runs,
        }
    }
}

impl Comparison {
    /// `one[i]` and `several[i]` are the two windows of repeat `i`.
    fn new(scenario: Scenario, concurrency: usize, one: Setup, several: Setup) -> Comparison {
        let (ratio, paired_ratios) =
            report::paired(&several.runs, &one.runs, |o| Some(o.requests_per_second));
        let ratio_of_medians =
            several.summary.requests_per_second / one.summary.requests_per_second.max(1e-9);
        Comparison {
            scenario,
            concurrency,
            one,
            several,
            throughput_ratio: ratio.unwrap_or(0.0),
            paired_ratios,
            ratio_of_medians,
        }
    }
}

/// Runs both scenarios on both setups and returns what they measured.
///
/// # Errors
/// When the database, a server or a load process fails.
pub async fn run(settings: &Settings) -> anyhow::Result<Report> {
    settings.check()?;
    if run::which("taskset").is_none() {
        bail!("`taskset` (util-linux) is needed to pin the servers and the load to cores");
    }
    let url = settings.url();
    std::fs::create_dir_all(settings.data_dir.join("logs"))?;
    eprintln!(
        "== {} qualifications: {}",
        settings.qualifications,
        run::redact(&url)
    );
    run::ensure_generated(&url, settings.qualifications, settings.seed)
        .await
        .with_context(|| {
            format!(
                "{}: does the database exist? (psql -h 127.0.0.1 -U postgres -c 'create database ...')",
                run::redact(&url)
            )
        })?;
    let db = store::connect(&url).await?;
    let targets = Targets::find(&db).await?;
    db.close().await.ok();
    let mut comparisons = Vec::new();
    for scenario in SCENARIOS {
        comparisons.push(compare(settings, &targets, &url, scenario)?);
    }
    Ok(Report {
        commit: machine::commit(),
        machine: Machine::read(),
        started_at: chrono::Utc::now().to_rfc3339(),
        settings: Settings {
            database_url: run::redact(&settings.database_url),
            ..settings.clone()
        },
        comparisons,
    })
}

/// One scenario's repeats: each measures one instance and several back to back, and
/// which goes first alternates from one repeat to the next.
fn compare(
    settings: &Settings,
    targets: &Targets,
    url: &str,
    scenario: Scenario,
) -> anyhow::Result<Comparison> {
    let counts = [1, settings.instances];
    let mut runs: [Vec<Outcome>; 2] = [Vec::new(), Vec::new()];
    for rep in 0..settings.repeats {
        for turn in 0..2 {
            let setup = (rep + turn) % 2;
            let outcome = measure(settings, targets, url, scenario, counts[setup])?;
            eprintln!("{}", progress_line(scenario, counts[setup], &outcome));
            runs[setup].push(outcome);
        }
    }
    let [one, several] = runs;
    Ok(Comparison::new(
        scenario,
        settings.concurrency,
        Setup::new(1, settings.cores(1), one),
        Setup::new(
            settings.instances,
            settings.cores(settings.instances),
            several,
        ),
    ))
}

/// Starts `count` instances, drives them for one warm-up and timed window, stops them.
fn measure(
    settings: &Settings,
    targets: &Targets,
    url: &str,
    scenario: Scenario,
    count: usize,
) -> anyhow::Result<Outcome> {
    let servers = start(settings, url, count)?;
    let spec = spec(settings, targets, &servers, scenario);
    let outcome = run::load(&settings.for_run(0), &spec)?.wait()?;
    drop(servers);
    Ok(outcome)
}

/// `count` API instances on `url`, each on its core (`bench serve --kind api`, as
/// `bench run` starts the API).
fn start(settings: &Settings, url: &str, count: usize) -> anyhow::Result<Vec<Server>> {
    let logs = settings.data_dir.join("logs");
    (0..count)
        .map(|i| {
            let log = logs.join(format!("instances-{}-{i}.log", settings.qualifications));
            Server::start(Kind::Api, url, &settings.for_run(i), &log)
        })
        .collect()
}

/// `bench run`'s spec for the first instance, with the others' addresses, processes and
/// statement counters added.
fn spec(settings: &Settings, targets: &Targets, servers: &[Server], scenario: Scenario) -> Spec {
    let mut spec = run::spec(
        &settings.for_run(0),
        targets,
        &servers[0],
        scenario,
        settings.concurrency,
    );
    spec.also = servers[1..]
        .iter()
        .map(|s| Instance {
            addr: s.at.addr,
            server_pid: Some(s.child_id()),
            debug: Some(s.at.debug),
        })
        .collect();
    spec
}

fn progress_line(scenario: Scenario, count: usize, o: &Outcome) -> String {
    format!(
        "{scenario} x{count}: {:.0} req/s, p50 {:.1} ms, p99 {:.1} ms, API {} µs/req, PostgreSQL {} µs/req, {} errors",
        o.requests_per_second,
        o.p50_us as f64 / 1000.0,
        o.p99_us as f64 / 1000.0,
        figure(o.server_cpu_us_per_request),
        figure(o.database_cpu_us_per_request),
        o.errors
    )
}

fn figure(value: Option<f64>) -> String {
    value.map_or_else(|| "-".to_owned(), |v| format!("{v:.0}"))
}

/// The short Markdown table printed on stdout: one row per scenario and setup.
pub fn table(report: &Report) -> String {
    let s = &report.settings;
    let mut out = format!(
        "{} qualifications on {}, c={}, {} repeats ({} s warm-up, {} s timed), load on core {}; medians.\n\n",
        s.qualifications,
        s.database_url.replace("{n}", &s.qualifications.to_string()),
        s.concurrency,
        s.repeats,
        s.warmup_secs,
        s.duration_secs,
        s.load_core
    );
    out.push_str(
        "| scenario | instances (cores) | req/s | over one | p50 ms | p99 ms | API CPU µs/req | PostgreSQL CPU µs/req | errors |\n",
    );
    out.push_str("|---|---|---|---|---|---|---|---|---|\n");
    for c in &report.comparisons {
        for (setup, ratio) in [(&c.one, None), (&c.several, Some(c.throughput_ratio))] {
            out.push_str(&row(c, setup, ratio));
        }
    }
    for c in &report.comparisons {
        for setup in [&c.one, &c.several] {
            if let Some(us) = setup
                .summary
                .database_cpu_elsewhere_us
                .filter(|&us| us > 0.0)
            {
                out.push_str(&format!(
                    "\n{} x{}: other databases' backends spent up to {us:.0} µs in a window; its PostgreSQL figure includes them.\n",
                    c.scenario, setup.instances
                ));
            }
        }
    }
    out
}

fn row(c: &Comparison, setup: &Setup, ratio: Option<f64>) -> String {
    let cores: Vec<String> = setup.cores.iter().map(ToString::to_string).collect();
    let m = &setup.summary;
    format!(
        "| {} c={} | {} ({}) | {:.0} | {} | {:.1} | {:.1} | {} | {} | {} |\n",
        c.scenario,
        c.concurrency,
        setup.instances,
        cores.join(","),
        m.requests_per_second,
        ratio.map_or_else(|| "-".to_owned(), |r| format!("{r:.2}")),
        m.p50_ms,
        m.p99_ms,
        figure(m.server_cpu_us_per_request),
        figure(m.database_cpu_us_per_request),
        m.errors
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(url: &str, instances: usize, cores: Vec<usize>) -> Settings {
        Settings {
            qualifications: 10_000,
            database_url: url.to_owned(),
            data_dir: PathBuf::from("target/bench"),
            instances,
            concurrency: 16,
            warmup_secs: 1.0,
            duration_secs: 3.0,
            repeats: 3,
            load_core: 0,
            server_cores: cores,
            seed: 42,
        }
    }

    const URL: &str = "postgres://postgres@127.0.0.1:5432/bench_{n}";

    #[test]
    fn instances_take_the_cores_in_turn_and_only_postgres_is_measured() {
        let shared = settings(URL, 2, vec![1]);
        assert!(shared.check().is_ok());
        assert_eq!(shared.cores(2), [1, 1]);
        assert_eq!(
            shared.url(),
            "postgres://postgres@127.0.0.1:5432/bench_10000"
        );
        let spread = settings(URL, 3, vec![1, 0]);
        assert_eq!((spread.cores(1), spread.cores(3)), (vec![1], vec![1, 0, 1]));
        assert_eq!(spread.for_run(1).server_core, 0);
        assert!(
            settings("sqlite://target/bench/q{n}.db", 2, vec![1])
                .check()
                .is_err()
        );
        assert!(settings(URL, 1, vec![1]).check().is_err());
        assert!(settings(URL, 2, Vec::new()).check().is_err());
    }

    #[test]
    fn the_ratio_pairs_windows_and_a_polluted_window_shows() {
        let window = |requests_per_second, elsewhere| Outcome {
            requests_per_second,
            database_cpu_elsewhere_us: Some(elsewhere),
            ..Outcome::default()
        };
        // The machine slows down in the second repeat; each pair still says 0.9.
        let one = Setup::new(1, vec![1], vec![window(100.0, 0.0), window(50.0, 0.0)]);
        let several = Setup::new(
            2,
            vec![1, 1],
            vec![window(90.0, 0.0), window(45.0, 20_000.0)],
        );
        let c = Comparison::new(Scenario::S2, 16, one, several);
        assert!((c.throughput_ratio - 0.9).abs() < 1e-9);
        assert_eq!(c.paired_ratios.len(), 2);
        let report = Report {
            commit: "c".into(),
            machine: Machine::read(),
            started_at: "now".into(),
            settings: settings(URL, 2, vec![1, 1]),
            comparisons: vec![c],
        };
        let table = table(&report);
        assert!(
            table.contains("| S2 c=16 | 2 (1,1) | 68 | 0.90 |"),
            "{table}"
        );
        assert!(table.contains("S2 x2: other databases' backends spent up to 20000 µs"));
        assert!(!table.contains("S2 x1: other"));
    }
}
