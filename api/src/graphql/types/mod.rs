//! GraphQL object types, built from store records and domain values.

pub mod datetime;
pub mod decision;
pub mod enums;
pub mod program;
pub mod prospect;
pub mod qualification;
pub mod scalars;
pub mod template;
pub mod user;
