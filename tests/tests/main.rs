//! The API suite: the real `qualify` server on port 0 per test, spoken to with GraphQL over HTTP.
//! SQLite by default; a fresh PostgreSQL database per test when `TEST_DATABASE_URL` is set.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod definitions;
mod fixtures;
mod helpers;

mod answer_inputs;
mod archive;
mod audit_trail;
mod auth;
mod auth_hardening;
mod authorization;
mod built_in_templates;
mod coercion;
mod concurrency;
mod core_loop;
mod dashboard;
mod errors;
mod evidence;
mod exact_scores;
mod exceptions;
mod feedback;
mod goals;
mod immutability;
mod input_errors;
mod integrity;
mod introspection;
mod limits;
mod lists;
mod operator;
mod outcomes;
mod outlook;
mod pagination;
mod path_to_a;
mod programs;
mod protocol;
mod requalification;
mod response_shape;
mod rule_kinds;
mod scoring;
mod security;
mod sessions;
mod statement_counts;
mod templates;
mod tokens;
mod viewer_can;
