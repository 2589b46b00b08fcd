//! Persistence: the only crate that knows SQL.
//!
//! Functions take a connection ([`Conn`]: the [`Db`], or a [`WriteTx`] from [`begin_write`]
//! when a caller needs several writes to commit together) and return plain records, never
//! SeaORM models. No SeaORM type is part of what callers name: `api` does not depend on it.
//! Start reading at [`connect`] (the SQLite locking story) and [`templates`].

pub mod accounts;
pub mod audit;
pub mod bulk;
mod clock;
mod codes;
mod connect;
pub mod decisions;
mod enrollments;
mod entity;
mod error;
pub mod exceptions;
pub mod idempotency;
pub mod invites;
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

pub use connect::{
    Db, StatementCounter, begin_write, connect, connect_counted, migrate, sqlite_integrity_check,
};
pub use decisions::{DecisionRecord, NewDecision};
pub use error::StoreError;
pub use exceptions::{ExceptionRequest, ExceptionStatus};
pub use invites::Invite;
pub use page::{Order, Page, PageRequest};
pub use programs::{Enrollment, Program};
pub use prospects::{Prospect, ProspectFilter, ProspectOrder};
pub use qualifications::{NewQualification, Qualification, QualificationHead};
pub use sessions::{RefreshToken, Rotation};
pub use templates::{Template, TemplateVersion, VersionStatus};
pub use tx::{Conn, WriteTx};
pub use users::{Role, User};
