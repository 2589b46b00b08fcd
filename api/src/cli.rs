//! The `qualify` command line.

use std::net::SocketAddr;

use clap::{Args, Parser, Subcommand};

use crate::config::Config;

#[derive(Parser, Debug)]
#[command(
    name = "qualify",
    version,
    about = "A-client qualification for coaching programs: the GraphQL API server"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub serve: ServeArgs,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the server (the default).
    Serve(ServeArgs),
    /// Run the database migrations and exit.
    Migrate(DbArgs),
    /// Create a mentor account. The password comes from QUALIFY_PASSWORD or a prompt.
    CreateMentor {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
    },
    /// Load demo data (a mentor, the A-client standard, a program, two mentees, prospects),
    /// print the logins, and serve.
    Demo(ServeArgs),
}

#[derive(Args, Debug, Clone)]
pub struct DbArgs {
    /// SeaORM database URL (SQLite or PostgreSQL).
    #[arg(long, env = "DATABASE_URL", default_value = Config::DEFAULT_DATABASE_URL)]
    pub database_url: String,
}

#[derive(Args, Debug, Clone)]
pub struct ServeArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// Address to listen on.
    #[arg(long, env = "QUALIFY_BIND", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,
    /// HS256 secret for access tokens, at least 32 bytes. Default: generated once, kept in the database.
    #[arg(long, env = "QUALIFY_JWT_SECRET", hide_env_values = true)]
    pub jwt_secret: Option<String>,
    /// `production` turns off GraphiQL, introspection and field suggestions.
    #[arg(long, env = "QUALIFY_ENV", default_value = "development")]
    pub env: String,
    /// Load demo data before serving.
    #[arg(long)]
    pub demo: bool,
    #[arg(long, env = "QUALIFY_ACCESS_TOKEN_TTL", default_value_t = Config::DEFAULT_ACCESS_TTL_SECS)]
    pub access_token_ttl_secs: u64,
    #[arg(long, env = "QUALIFY_REFRESH_TOKEN_TTL", default_value_t = Config::DEFAULT_REFRESH_TTL_SECS)]
    pub refresh_token_ttl_secs: u64,
}

impl ServeArgs {
    pub fn config(&self) -> Config {
        Config {
            database_url: self.db.database_url.clone(),
            bind: self.bind,
            jwt_secret: self.jwt_secret.clone(),
            development: self.env != "production",
            access_token_ttl_secs: self.access_token_ttl_secs,
            refresh_token_ttl_secs: self.refresh_token_ttl_secs,
        }
    }
}

/// Run the command line.
///
/// # Errors
/// Whatever the chosen command fails with.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        None => serve(cli.serve).await,
        Some(Command::Serve(args)) => serve(args).await,
        Some(Command::Demo(mut args)) => {
            args.demo = true;
            serve(args).await
        }
        Some(Command::Migrate(db)) => {
            let conn = store::connect(&db.database_url).await?;
            store::migrate(&conn).await?;
            println!("migrations applied");
            Ok(())
        }
        Some(Command::CreateMentor { db, email, name }) => {
            let password = match std::env::var("QUALIFY_PASSWORD") {
                Ok(p) => p,
                Err(_) => rpassword::prompt_password("Password for the new mentor: ")?,
            };
            let id = crate::create_mentor(&db.database_url, &email, &name, &password).await?;
            println!("mentor {email} created ({id})");
            Ok(())
        }
    }
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let config = args.config();
    if args.demo {
        let logins = crate::demo::load(&config.database_url).await?;
        println!("{logins}");
    }
    let server = crate::start(config).await?;
    println!("Qualify listening on http://{}/graphql", server.addr);
    server.run_until_signal().await
}
