//! What the test suites share, so that they create databases and start servers one way:
//!
//! - [`database`]: a fresh database per test (SQLite, or a new PostgreSQL database when
//!   `TEST_DATABASE_URL` is set), removed when the test ends, pass or fail;
//! - [`process`]: a server binary as a child process, on a port of its choosing.
//!
//! It depends on no crate of the workspace: `store`'s tests use it, and `store` must not
//! depend on `api`.

// Test code: a failed setup is the test failing, which is what `expect` says.
#![allow(clippy::expect_used)]

pub mod database;
pub mod process;
