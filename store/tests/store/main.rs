//! Store tests: one binary, one module per concern. Each test runs on a fresh database
//! (SQLite by default, PostgreSQL when `TEST_DATABASE_URL` is set; see `support`).

// A failed expectation in a test is the test failing, which is what `expect` says.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod audit_scope;
mod clean_up;
mod clients;
mod connect;
mod decisions;
mod evidence;
mod feedback;
mod goals;
mod invites;
mod json_format;
mod limits;
mod outcomes;
mod paging;
mod program_locality;
mod programs;
mod prospects;
mod qualifications;
mod sessions;
mod stored_formats;
mod support;
mod taken_on;
mod templates;
mod users;
mod visible;
mod webhook_leases;
