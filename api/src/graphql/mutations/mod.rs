//! The root `Mutation` type, merged from one object per area.

use async_graphql::{MaybeUndefined, MergedObject};

use crate::error::{ApiError, ApiResult};

pub mod api_keys;
pub mod auth;
pub mod goals;
pub mod outcomes;
pub mod programs;
pub mod prospects;
pub mod requalify;
pub mod templates;
pub mod webhooks;

/// Everything a client can change. Each field is `null` when it fails (the error says why);
/// the fields of one request run one after the other, and each one that succeeded keeps its
/// result.
#[derive(MergedObject, Default)]
pub struct Mutation(
    auth::AuthMutation,
    api_keys::ApiKeyMutation,
    templates::TemplateMutation,
    programs::ProgramMutation,
    prospects::ProspectMutation,
    outcomes::OutcomeMutation,
    goals::GoalMutation,
    requalify::RequalifyMutation,
    webhooks::WebhookMutation,
);

/// The rule of every update input for a value that cannot be empty (a name, a
/// definition): omitted leaves it unchanged (`None`); `null` is refused, as it would erase
/// what cannot be erased. Values that may be empty use `MaybeUndefined` directly, `null`
/// clearing them.
///
/// # Errors
/// `BAD_USER_INPUT` on `field` for an explicit `null`.
pub fn unchanged_or<T>(field: &str, value: MaybeUndefined<T>) -> ApiResult<Option<T>> {
    match value {
        MaybeUndefined::Undefined => Ok(None),
        MaybeUndefined::Null => Err(ApiError::bad_field(
            field,
            "cannot be null; omit it to leave it unchanged",
        )),
        MaybeUndefined::Value(v) => Ok(Some(v)),
    }
}
