//! Relay connections over the store's keyset pages.

use async_graphql::connection::{Connection, Edge};
use async_graphql::{OutputType, SimpleObject};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use store::{Page, PageRequest};
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};

pub const DEFAULT_PAGE_SIZE: i32 = 20;
pub const MAX_PAGE_SIZE: i32 = 100;

/// Extra fields of every connection.
#[derive(SimpleObject)]
pub struct ConnectionFields {
    /// How many items match, across all pages.
    pub total_count: u64,
}

/// A Relay connection. async-graphql's `Connection` registers its type without a
/// description; this wrapper adds one and otherwise answers exactly as it does.
pub struct Conn<T: OutputType>(Connection<String, T, ConnectionFields>);

impl<T: OutputType> OutputType for Conn<T> {
    fn type_name() -> std::borrow::Cow<'static, str> {
        <Connection<String, T, ConnectionFields> as OutputType>::type_name()
    }

    fn create_type_info(registry: &mut async_graphql::registry::Registry) -> String {
        let name =
            <Connection<String, T, ConnectionFields> as OutputType>::create_type_info(registry);
        if let Some(async_graphql::registry::MetaType::Object { description, .. }) =
            registry.types.get_mut(&*Self::type_name())
            && description.is_none()
        {
            *description = Some(format!(
                "One page of {}s, with the cursors to the next page and the total count.",
                T::type_name()
            ));
        }
        name
    }

    async fn resolve(
        &self,
        ctx: &async_graphql::ContextSelectionSet<'_>,
        field: &async_graphql::Positioned<async_graphql::parser::types::Field>,
    ) -> async_graphql::ServerResult<async_graphql::Value> {
        self.0.resolve(ctx, field).await
    }
}

/// Checks `first` and `after` and turns them into a store page request.
///
/// # Errors
/// `BAD_USER_INPUT` for `first` outside 1..=100 or a cursor that is not one of ours.
pub fn request(first: Option<i32>, after: Option<String>) -> ApiResult<PageRequest> {
    let first = page_size(first)?;
    let after = after
        .map(|cursor| {
            decode_cursor(&cursor).ok_or_else(|| ApiError::bad_field("after", "not a valid cursor"))
        })
        .transpose()?;
    Ok(PageRequest { first, after })
}

/// Checks `first` (1..=100, default 20).
///
/// # Errors
/// `BAD_USER_INPUT` for `first` outside 1..=100.
pub fn page_size(first: Option<i32>) -> ApiResult<u64> {
    let first = first.unwrap_or(DEFAULT_PAGE_SIZE);
    if !(1..=MAX_PAGE_SIZE).contains(&first) {
        return Err(ApiError::bad_field(
            "first",
            format!("must be between 1 and {MAX_PAGE_SIZE}"),
        ));
    }
    Ok(first.unsigned_abs().into())
}

/// The cursor of a keyset of more than the id (a list ordered by a date or a time, then
/// id): the key's parts as text, opaque to the client.
pub fn encode_key(parts: &[&str]) -> String {
    URL_SAFE_NO_PAD.encode(format!("k:{}", parts.join("|")))
}

/// The parts of a cursor from [`encode_key`].
///
/// # Errors
/// `BAD_USER_INPUT` on `after` for a cursor that is not one of ours.
pub fn decode_key(cursor: &str) -> ApiResult<Vec<String>> {
    let bad = || ApiError::bad_field("after", "not a valid cursor");
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| bad())?;
    let text = std::str::from_utf8(&bytes).map_err(|_| bad())?;
    let key = text.strip_prefix("k:").ok_or_else(bad)?;
    Ok(key.split('|').map(str::to_owned).collect())
}

/// A connection from a store page whose cursors `cursor_of` writes ([`encode_key`]).
pub fn connection_keyed<R, T: OutputType>(
    page: Page<R>,
    had_cursor: bool,
    cursor_of: impl Fn(&R) -> String,
    map: impl Fn(R) -> T,
) -> Conn<T> {
    let mut conn = Connection::with_additional_fields(
        had_cursor,
        page.has_next,
        ConnectionFields {
            total_count: page.total,
        },
    );
    conn.edges.extend(
        page.items
            .into_iter()
            .map(|item| Edge::new(cursor_of(&item), map(item))),
    );
    Conn(conn)
}

/// The complexity of a connection field: its selection counted once per item it may
/// return. `first` is clamped to the page bounds: a `first` out of range is refused by
/// `request` with `BAD_USER_INPUT`, which says more than "too complex".
pub fn complexity(first: Option<i32>, child_complexity: usize) -> usize {
    let items = first
        .unwrap_or(DEFAULT_PAGE_SIZE)
        .clamp(1, MAX_PAGE_SIZE)
        .unsigned_abs() as usize;
    items.saturating_mul(child_complexity).saturating_add(1)
}

pub fn encode_cursor(id: Uuid) -> String {
    URL_SAFE_NO_PAD.encode(format!("c:{}", id.simple()))
}

fn decode_cursor(cursor: &str) -> Option<Uuid> {
    let bytes = URL_SAFE_NO_PAD.decode(cursor).ok()?;
    let text = std::str::from_utf8(&bytes).ok()?;
    Uuid::try_parse(text.strip_prefix("c:")?).ok()
}

/// A connection from a store page, each record mapped to its GraphQL type.
pub fn connection<R, T: OutputType>(
    page: Page<R>,
    had_cursor: bool,
    id_of: impl Fn(&R) -> Uuid,
    map: impl Fn(R) -> T,
) -> Conn<T> {
    let mut conn = Connection::with_additional_fields(
        had_cursor,
        page.has_next,
        ConnectionFields {
            total_count: page.total,
        },
    );
    conn.edges.extend(
        page.items
            .into_iter()
            .map(|item| Edge::new(encode_cursor(id_of(&item)), map(item))),
    );
    Conn(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip() {
        let id = Uuid::now_v7();
        assert_eq!(decode_cursor(&encode_cursor(id)), Some(id));
        assert_eq!(decode_cursor("bm9wZQ"), None);
    }

    #[test]
    fn connections_cost_their_selection_once_per_requested_item() {
        assert_eq!(complexity(Some(100), 3), 301);
        assert_eq!(complexity(None, 3), 61);
        assert_eq!(complexity(Some(-5), 3), 4);
        assert_eq!(complexity(Some(i32::MAX), usize::MAX), usize::MAX);
    }

    #[test]
    fn page_size_defaults_to_twenty_and_is_bounded() {
        assert_eq!(request(None, None).ok().map(|r| r.first), Some(20));
        assert_eq!(request(Some(100), None).ok().map(|r| r.first), Some(100));
        for bad in [0, -1, 101] {
            assert!(
                matches!(request(Some(bad), None), Err(ApiError::BadInput(_))),
                "{bad}"
            );
        }
    }
}
