//! GraphQL object types, built from store records and domain values.

pub mod actor;
pub mod api_key;
pub mod audit;
pub mod built_in;
pub mod client;
pub mod dashboard;
pub mod datetime;
pub mod decision;
pub mod enums;
pub mod feedback;
pub mod goal;
pub mod money;
pub mod path_to_a;
pub mod program;
pub mod prospect;
pub mod prospect_list;
pub mod qualification;
pub mod requalification;
pub mod scalars;
pub mod session;
pub mod template;
pub mod units;
pub mod user;
pub mod webhook;
