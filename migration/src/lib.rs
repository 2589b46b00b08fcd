//! Database schema migrations, run by `store::migrate` (and the CLI) on SQLite and PostgreSQL alike.

pub use sea_orm_migration::prelude::*;

mod idens;
mod m20250101_000001_initial;
mod m20250101_000002_published_versions_immutable;
mod m20250102_000003_audit_and_idempotency;
mod m20261130_000004_qualification_scoring_rule;
mod m20261130_000005_json_format;
mod m20261201_000006_feedback_loop;
mod m20261202_000007_feedback_locality;
mod m20261203_000008_session_clients;
mod m20261204_000009_goals;
mod m20261204_000010_audit_scope;
mod m20261204_000011_list_orderings;
mod m20261204_000012_dashboard_indexes;
mod m20261205_000013_dashboard_locality;
mod m20261206_000014_api_keys;
mod m20261206_000015_acting_keys;
mod m20261207_000016_events_and_webhooks;
mod m20261208_000017_shared_limits;

/// Every migration of the schema, in the order they run.
#[derive(Debug)]
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20250101_000001_initial::Migration),
            Box::new(m20250101_000002_published_versions_immutable::Migration),
            Box::new(m20250102_000003_audit_and_idempotency::Migration),
            Box::new(m20261130_000004_qualification_scoring_rule::Migration),
            Box::new(m20261130_000005_json_format::Migration),
            Box::new(m20261201_000006_feedback_loop::Migration),
            Box::new(m20261202_000007_feedback_locality::Migration),
            Box::new(m20261203_000008_session_clients::Migration),
            Box::new(m20261204_000009_goals::Migration),
            Box::new(m20261204_000010_audit_scope::Migration),
            Box::new(m20261204_000011_list_orderings::Migration),
            Box::new(m20261204_000012_dashboard_indexes::Migration),
            Box::new(m20261205_000013_dashboard_locality::Migration),
            Box::new(m20261206_000014_api_keys::Migration),
            Box::new(m20261206_000015_acting_keys::Migration),
            Box::new(m20261207_000016_events_and_webhooks::Migration),
            Box::new(m20261208_000017_shared_limits::Migration),
        ]
    }
}
