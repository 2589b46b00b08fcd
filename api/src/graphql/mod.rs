//! The GraphQL layer: schema, types, resolvers. Only this module knows GraphQL.

pub mod access;
pub mod audit;
pub mod conformance;
pub mod context;
pub mod engine;
pub mod fields;
pub mod ids;
pub mod inputs;
pub mod load;
pub mod loaders;
pub mod mutations;
pub mod node;
pub mod paging;
pub mod plain;
pub mod query;
pub mod schema;
pub mod shape;
pub mod shared;
pub mod subscription;
pub mod types;
