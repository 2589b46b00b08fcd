//! Data integrity as a client sees it: internal failures reveal nothing but a request id,
//! stale writes are conflicts, retried creations happen once, and every change is audited.

mod audit;
mod idempotency;
mod internal_errors;
mod revisions;

use uuid::Uuid;

/// The uuid inside a global id, for looking the object up in the audit log.
fn uuid_of(global_id: &str) -> Uuid {
    api::graphql::ids::decode_any(global_id)
        .unwrap_or_else(|| panic!("not a global id: {global_id}"))
        .1
}
