//! The root `Mutation` type, merged from one object per area.

use async_graphql::MergedObject;

pub mod auth;
pub mod programs;
pub mod prospects;
pub mod templates;

#[derive(MergedObject, Default)]
pub struct Mutation(
    auth::AuthMutation,
    templates::TemplateMutation,
    programs::ProgramMutation,
    prospects::ProspectMutation,
);
