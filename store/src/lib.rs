//! Persistence: the only crate that knows SQL.
//!
//! Functions take a connection ([`Conn`]: the [`Db`], or a [`WriteTx`] from [`begin_write`]
//! when a caller needs several writes to commit together) and return plain records, never
//! SeaORM models. No SeaORM type is part of what callers name: `api` does not depend on it.
//! Start reading at [`connect`] (the SQLite locking story) and [`templates`].

pub mod accounts;
pub mod api_keys;
pub mod audit;
pub mod bulk;
pub mod clients;
mod clock;
mod codes;
mod connect;
pub mod dashboard;
pub mod decisions;
mod enrollments;
mod entity;
mod error;
pub mod events;
mod evidence;
pub mod exceptions;
pub mod feedback;
pub mod goals;
pub mod idempotency;
mod intake;
pub mod invites;
pub mod limits;
pub mod operate;
pub mod outcomes;
pub mod page;
pub mod programs;
pub mod prospects;
pub mod qualifications;
pub mod sessions;
pub mod settings;
pub mod templates;
mod tx;
pub mod users;
mod version_writes;
mod versions;
pub mod visible;
pub mod webhooks;

pub use clients::{Client, ClientEnd};
pub use clock::now;
pub use connect::{
    Db, PoolConnections, PoolWaits, SQLITE_CACHE_KIB, StatementCounter, Waits, begin_write,
    connect, connect_counted, connect_counted_with, migrate, pool_connections, pool_waits,
    sqlite_integrity_check, writers_waiting,
};
pub use dashboard::DashboardRow;
pub use decisions::{DecisionRecord, NewDecision};
pub use error::StoreError;
pub use exceptions::{ExceptionRequest, ExceptionStatus};
pub use feedback::{FeedbackScope, ScopedFigures};
pub use goals::{Bhag, GoalScope, NewGoal, QuarterlyGoal};
pub use invites::Invite;
pub use outcomes::OutcomeRecord;
pub use page::{Cursor, Order, Page, PageRequest, SortValue};
pub use programs::{Enrollment, Program};
pub use prospects::{Latest, Prospect, ProspectFilter, ProspectOrder, ProspectSort};
pub use qualifications::{NewQualification, Qualification, QualificationHead};
pub use sessions::{RefreshToken, Rotation};
pub use templates::{Template, TemplateVersion, VersionStatus};
pub use tx::{Conn, WriteTx};
pub use users::{Role, User};
