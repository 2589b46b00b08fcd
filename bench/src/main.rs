//! `bench`: Qualify's benchmark harness (README, "Benchmarks").
//!
//! `bench run` does everything; the other commands are its parts, usable alone:
//! `generate` fills a database, `serve` runs the API, the baseline or the floor, `load`
//! drives one. `events` and `instances` measure what `run` does not: webhooks and
//! subscriptions, and several API instances on one PostgreSQL.

mod baseline;
mod database_cpu;
mod events;
mod executor;
mod floor;
mod generate;
mod instances;
mod load;
mod machine;
mod markdown;
mod outcomes;
mod report;
mod run;
mod scenarios;
mod serve;
mod targets;
mod world;
mod world_stats;

use std::path::PathBuf;

use clap::{Parser, Subcommand};
use tracing_subscriber::EnvFilter;

/// The allocator `qualify` runs with (api/src/main.rs), so that `bench serve` runs the API
/// as the product binary does; the baseline gets it too.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "bench", about = "Qualify's benchmark harness")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run every scenario against the API, the baseline and (S2, S3 and S5 on SQLite) the
    /// floor, and write the report.
    Run {
        /// Data sizes, in qualifications.
        #[arg(long, value_delimiter = ',', default_value = "10000,1000000")]
        qualifications: Vec<u64>,
        /// PostgreSQL instead of SQLite files: a URL in which `n` in braces is replaced by
        /// the size (README, "Benchmarks"; create those databases first). Not written
        /// here as it is typed: clap shows `n` in braces as a line break.
        #[arg(long, env = "DATABASE_URL")]
        database_url: Option<String>,
        /// Where the SQLite databases and the server logs go.
        #[arg(long, default_value = "target/bench")]
        data_dir: PathBuf,
        #[arg(long, value_delimiter = ',', default_value = "2,16,64")]
        concurrency: Vec<usize>,
        #[arg(long, default_value_t = 1.0)]
        warmup_secs: f64,
        #[arg(long, default_value_t = 3.0)]
        duration_secs: f64,
        #[arg(long, default_value_t = 3)]
        repeats: usize,
        /// Repeats of the cells a throughput target reads (S2 and S3 at c=16).
        #[arg(long, default_value_t = 7)]
        target_repeats: usize,
        #[arg(long, default_value_t = 1)]
        server_core: usize,
        #[arg(long, default_value_t = 0)]
        load_core: usize,
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Only these scenarios (by name prefix, e.g. `S0,S5`); the storm goes with `S1`.
        #[arg(long, value_delimiter = ',')]
        only: Vec<String>,
        /// Delete the SQLite databases first and generate the worlds anew (S2 adds
        /// qualifications to the world it measures, so a reused one grows run by run).
        #[arg(long)]
        fresh: bool,
        #[arg(long, default_value = "bench/results.json")]
        json: PathBuf,
        #[arg(long, default_value = "bench/RESULTS.md")]
        markdown: PathBuf,
    },
    /// Webhooks and subscriptions (S10, S11, S12; README, "Benchmarks"): S2 with one
    /// endpoint against S2 without, a backlog delivered, an event to many subscribers.
    Events {
        #[arg(long, default_value_t = 10_000)]
        qualifications: u64,
        #[arg(long, env = "DATABASE_URL")]
        database_url: Option<String>,
        #[arg(long, default_value = "target/bench")]
        data_dir: PathBuf,
        #[arg(long, default_value_t = 5_000)]
        backlog: u64,
        #[arg(long, default_value_t = 1_000)]
        subscribers: usize,
        #[arg(long, default_value_t = 3)]
        repeats: usize,
        #[arg(long, default_value_t = 1.0)]
        warmup_secs: f64,
        #[arg(long, default_value_t = 3.0)]
        duration_secs: f64,
        #[arg(long, default_value_t = 1)]
        server_core: usize,
        #[arg(long, default_value_t = 0)]
        load_core: usize,
        #[arg(long, default_value = "bench/events.json")]
        json: PathBuf,
    },
    /// One API instance against several on one PostgreSQL (issue 18): S2 and S3, each
    /// repeat measuring both setups back to back, with the API's and PostgreSQL's CPU per
    /// request. Writes JSON and prints a Markdown table.
    Instances {
        #[arg(long, default_value_t = 10_000)]
        qualifications: u64,
        /// `n` in braces (as in the default) is replaced by the size; the database must
        /// exist (the world is generated in it when missing).
        #[arg(
            long,
            env = "DATABASE_URL",
            default_value = "postgres://postgres@127.0.0.1:5432/bench_{n}"
        )]
        database_url: String,
        /// Where the server logs go.
        #[arg(long, default_value = "target/bench")]
        data_dir: PathBuf,
        /// API instances in the second setup; the first has one.
        #[arg(long, default_value_t = 2)]
        instances: usize,
        #[arg(long, default_value_t = 16)]
        concurrency: usize,
        #[arg(long, default_value_t = 7)]
        repeats: usize,
        #[arg(long, default_value_t = 1.0)]
        warmup_secs: f64,
        #[arg(long, default_value_t = 3.0)]
        duration_secs: f64,
        /// The instances' cores, taken in turn (the single instance gets the first). On two
        /// cores with the load on the other, the instances share one: the ratio then shows
        /// what running two costs, not scale-out.
        #[arg(long, value_delimiter = ',', default_value = "1,1")]
        server_cores: Vec<usize>,
        #[arg(long, default_value_t = 0)]
        load_core: usize,
        #[arg(long, default_value_t = 42)]
        seed: u64,
        #[arg(long, default_value = "bench/instances.json")]
        json: PathBuf,
    },
    /// Fill an empty database with a generated world.
    Generate {
        #[arg(
            long,
            env = "DATABASE_URL",
            default_value = "sqlite://target/bench/generated.db?mode=rwc"
        )]
        database_url: String,
        #[arg(long, default_value_t = 10_000)]
        qualifications: u64,
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
    /// The feedback-loop figures of a generated world over the last 12 months (JSON): the
    /// whole world, the program S7 reads and the mentee S6 reads.
    WorldStats {
        #[arg(
            long,
            env = "DATABASE_URL",
            default_value = "sqlite://target/bench/generated.db?mode=rwc"
        )]
        database_url: String,
    },
    /// Serve the API, the baseline or the floor (prints its addresses as JSON on stdout).
    Serve {
        #[arg(long, value_enum)]
        kind: serve::Kind,
        #[arg(long, env = "DATABASE_URL")]
        database_url: String,
    },
    /// What async-graphql alone costs on S3's document, from memory (prints JSON).
    Executor {
        #[arg(long, default_value_t = 2000)]
        iterations: usize,
        #[arg(long, default_value_t = 7)]
        rounds: usize,
    },
    /// Drive a server as a JSON spec file says; prints the measurement as JSON.
    Load {
        #[arg(long)]
        spec: PathBuf,
    },
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Run {
            qualifications,
            database_url,
            data_dir,
            concurrency,
            warmup_secs,
            duration_secs,
            repeats,
            target_repeats,
            server_core,
            load_core,
            seed,
            only,
            fresh,
            json,
            markdown,
        } => {
            let settings = run::Settings {
                qualifications,
                data_dir,
                database_url,
                concurrency,
                warmup_secs,
                duration_secs,
                repeats,
                target_repeats,
                server_core,
                load_core,
                seed,
                only,
                fresh,
            };
            let results = runtime()?.block_on(run::run(&settings))?;
            results.write(&json, &markdown)?;
            eprintln!("wrote {} and {}", json.display(), markdown.display());
            for t in &results.targets {
                let met = if t.met { "met   " } else { "MISSED" };
                eprintln!("{met} {}: {} (target {})", t.what, t.measured, t.target);
            }
            Ok(())
        }
        Command::Events {
            qualifications,
            database_url,
            data_dir,
            backlog,
            subscribers,
            repeats,
            warmup_secs,
            duration_secs,
            server_core,
            load_core,
            json,
        } => {
            let settings = run::Settings {
                qualifications: vec![qualifications],
                data_dir,
                database_url,
                concurrency: vec![16],
                warmup_secs,
                duration_secs,
                repeats,
                target_repeats: repeats,
                server_core,
                load_core,
                seed: 42,
                only: Vec::new(),
                fresh: false,
            };
            let report = runtime()?.block_on(events::run(
                &settings,
                qualifications,
                backlog,
                subscribers,
            ))?;
            std::fs::write(&json, serde_json::to_vec_pretty(&report)?)?;
            eprintln!(
                "S10 throughput with/without one endpoint: {:.3} (target >= 0.9); server CPU ratio {:?}; delivered {} of {} qualified",
                report.s10_throughput_ratio,
                report.s10_cpu_ratio,
                report.s10_delivered,
                report.s10_expected
            );
            eprintln!(
                "S11 deliveries: {:.0}/s (target >= 500), server CPU {:?} us/event",
                report.s11_events_per_second, report.s11_server_cpu_us_per_event
            );
            eprintln!(
                "S12 {} subscribers: p50 {:.1} ms, p99 {:.1} ms (target < 100), max {:.1} ms, received {} of {}",
                report.s12_subscribers,
                report.s12_p50_ms,
                report.s12_p99_ms,
                report.s12_max_ms,
                report.s12_received,
                report.s12_subscribers * report.s12_events
            );
            Ok(())
        }
        Command::Instances {
            qualifications,
            database_url,
            data_dir,
            instances,
            concurrency,
            repeats,
            warmup_secs,
            duration_secs,
            server_cores,
            load_core,
            seed,
            json,
        } => {
            let settings = instances::Settings {
                qualifications,
                database_url,
                data_dir,
                instances,
                concurrency,
                warmup_secs,
                duration_secs,
                repeats,
                load_core,
                server_cores,
                seed,
            };
            let report = runtime()?.block_on(instances::run(&settings))?;
            std::fs::write(&json, serde_json::to_string_pretty(&report)? + "\n")?;
            eprintln!("wrote {}", json.display());
            print!("{}", instances::table(&report));
            Ok(())
        }
        Command::Generate {
            database_url,
            qualifications,
            seed,
        } => {
            if let Some(dir) = sqlite_dir(&database_url) {
                std::fs::create_dir_all(dir)?;
            }
            let report =
                runtime()?.block_on(generate::generate(&database_url, qualifications, seed))?;
            println!("{}", serde_json::to_string_pretty(&report)?);
            Ok(())
        }
        Command::WorldStats { database_url } => {
            let stats = runtime()?.block_on(world_stats::stats(&database_url))?;
            println!("{}", serde_json::to_string_pretty(&stats)?);
            Ok(())
        }
        Command::Serve { kind, database_url } => {
            tracing_subscriber::fmt()
                .with_env_filter(
                    EnvFilter::try_from_default_env()
                        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn")),
                )
                .with_writer(std::io::stderr)
                .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
                .init();
            // As many workers as cores it may use: one, when pinned.
            runtime()?.block_on(serve::serve(kind, &database_url))
        }
        Command::Executor { iterations, rounds } => {
            let figures = executor::run(iterations, rounds)?;
            println!("{}", serde_json::to_string_pretty(&figures)?);
            Ok(())
        }
        Command::Load { spec } => {
            let spec: load::Spec = serde_json::from_slice(&std::fs::read(spec)?)?;
            // One core for the load: one thread, no work stealing.
            let outcome = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?
                .block_on(load::run(spec))?;
            println!("{}", serde_json::to_string(&outcome)?);
            Ok(())
        }
    }
}

fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
}

/// The directory of a `sqlite://path?...` URL's file.
fn sqlite_dir(url: &str) -> Option<std::path::PathBuf> {
    let path = url.strip_prefix("sqlite://")?.split('?').next()?;
    std::path::Path::new(path).parent().map(PathBuf::from)
}
