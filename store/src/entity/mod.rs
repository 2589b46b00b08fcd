//! SeaORM entities, one per table. Only the store sees them; callers get plain records.

pub mod api_keys;
pub mod audit_log;
pub mod bhags;
pub mod client_intake_points;
pub mod clients;
pub mod criteria;
pub mod decisions;
pub mod enrollments;
pub mod exception_requests;
pub mod idempotency_keys;
pub mod invites;
pub mod outcome_entries;
pub mod programs;
pub mod prospects;
pub mod qualifications;
pub mod quarterly_goals;
pub mod refresh_tokens;
pub mod settings;
pub mod template_versions;
pub mod templates;
pub mod users;
pub mod webhook_attempts;
pub mod webhook_deliveries;
pub mod webhook_endpoints;
