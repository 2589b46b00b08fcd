//! Timestamps as the database keeps them.

use chrono::{DateTime, SubsecRound, Utc};

/// PostgreSQL keeps microseconds; rounding every timestamp before it is written means a
/// record returned by a write equals the record read back later, on every backend.
pub(crate) fn micros(at: DateTime<Utc>) -> DateTime<Utc> {
    at.trunc_subsecs(6)
}

pub fn now() -> DateTime<Utc> {
    micros(Utc::now())
}
