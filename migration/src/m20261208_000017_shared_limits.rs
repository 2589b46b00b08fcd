//! Limits that several instances share (issue 18). On PostgreSQL, where several `qualify`
//! processes serve one database, the login and sign-up throttles and the per-key rate
//! limits keep their counts here instead of in each process's memory, and a periodic job
//! records when it last ran so that it runs once across instances, not once per instance.
//! SQLite serves one process (a second is refused), which counts in memory; the tables
//! exist there too, so both schemas stay one.
//!
//! - `throttle_buckets`: a rate (GCRA) per bucket (`ip:…`, `key:…`), its theoretical
//!   arrival time in milliseconds of the database's clock.
//! - `login_failures`: an account's run of failed attempts and the lock it earned, keyed
//!   by a digest of the e-mail as typed (no address is stored, existing or not).
//! - `job_runs`: when a periodic job last ran.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ThrottleBuckets {
    Table,
    Bucket,
    TatUs,
}

#[derive(DeriveIden)]
enum LoginFailures {
    Table,
    Account,
    Failures,
    LastMs,
    LockedUntilMs,
}

#[derive(DeriveIden)]
enum JobRuns {
    Table,
    Job,
    RanAtMs,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ThrottleBuckets::Table)
                    .col(text(ThrottleBuckets::Bucket).primary_key())
                    .col(big_integer(ThrottleBuckets::TatUs))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(LoginFailures::Table)
                    .col(text(LoginFailures::Account).primary_key())
                    .col(integer(LoginFailures::Failures))
                    .col(big_integer(LoginFailures::LastMs))
                    .col(big_integer_null(LoginFailures::LockedUntilMs))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(JobRuns::Table)
                    .col(text(JobRuns::Job).primary_key())
                    .col(big_integer(JobRuns::RanAtMs))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            JobRuns::Table.into_iden(),
            LoginFailures::Table.into_iden(),
            ThrottleBuckets::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
