//! `qualify`: parse the command line and run it.

use clap::Parser;
use tracing_subscriber::EnvFilter;

/// A request allocates a few thousand small objects (SQL values, GraphQL values, futures)
/// and frees them all at its end; mimalloc serves that pattern with far fewer instructions
/// than glibc's allocator (`bench/RESULTS.md`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn")),
        )
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    api::cli::run(api::cli::Cli::parse()).await
}
