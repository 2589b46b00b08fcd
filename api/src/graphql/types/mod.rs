//! GraphQL object types, built from store records and domain values.

pub mod audit;
pub mod client;
pub mod datetime;
pub mod decision;
pub mod enums;
pub mod feedback;
pub mod money;
pub mod path_to_a;
pub mod program;
pub mod prospect;
pub mod qualification;
pub mod requalification;
pub mod scalars;
pub mod session;
pub mod template;
pub mod units;
pub mod user;
