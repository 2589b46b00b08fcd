//! Relay connections over the store's keyset pages.

use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, OutputType};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use store::{Cursor, Page, PageRequest};
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};

pub const DEFAULT_PAGE_SIZE: i32 = 20;
pub const MAX_PAGE_SIZE: i32 = 100;

/// Extra fields of every connection: `totalCount`, counted only when selected (the
/// request's `count`, from the look-ahead in [`Args::request`]).
pub struct ConnectionFields {
    total: Option<u64>,
}

/// Extra fields of every connection.
#[async_graphql::Object]
impl ConnectionFields {
    /// How many items match, across all pages (counted only when this field is asked for).
    async fn total_count(&self) -> ApiResult<u64> {
        self.total
            .ok_or_else(|| ApiError::internal("totalCount asked for but not counted"))
    }
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

/// The paging arguments of a connection field, as given.
#[derive(Debug, Default)]
pub struct Args {
    pub first: Option<i32>,
    pub after: Option<String>,
    pub last: Option<i32>,
    pub before: Option<String>,
}

impl Args {
    pub fn new(
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Self {
        Args {
            first,
            after,
            last,
            before,
        }
    }

    /// Checks the arguments and turns them into a store page request for a list by id;
    /// `totalCount` is counted only when the connection's selection has it.
    ///
    /// # Errors
    /// `BAD_USER_INPUT` as [`Args::request_with`] says.
    pub fn request(self, ctx: &Context<'_>) -> ApiResult<PageRequest> {
        self.request_with(ctx, |cursor| {
            Uuid::try_parse(cursor.strip_prefix("c:")?)
                .ok()
                .map(Cursor::id)
        })
    }

    /// Checks the arguments and turns them into a store page request, reading cursors
    /// with `decode` (the text inside the base64; `None`: not a cursor of this list).
    /// `after` and `before` may be given together: the items strictly between them.
    ///
    /// # Errors
    /// `BAD_USER_INPUT` for `first` and `last` together, either outside 1..=100, or a
    /// cursor that is not one of this list's (another list's, another ordering's).
    pub fn request_with(
        self,
        ctx: &Context<'_>,
        decode: impl Fn(&str) -> Option<Cursor>,
    ) -> ApiResult<PageRequest> {
        let (size, backward) = match (self.first, self.last) {
            (Some(_), Some(_)) => {
                return Err(ApiError::bad_field(
                    "last",
                    "give `first` or `last`, not both",
                ));
            }
            (Some(first), None) => (size("first", first)?, false),
            (None, Some(last)) => (size("last", last)?, true),
            (None, None) => (size("first", DEFAULT_PAGE_SIZE)?, false),
        };
        let cursor = |field: &str, text: Option<String>| {
            text.map(|text| {
                URL_SAFE_NO_PAD
                    .decode(&text)
                    .ok()
                    .and_then(|bytes| String::from_utf8(bytes).ok())
                    .and_then(|text| decode(&text))
                    .ok_or_else(|| {
                        ApiError::bad_field(field, "not a valid cursor for this list and order")
                    })
            })
            .transpose()
        };
        Ok(PageRequest {
            size,
            backward,
            after: cursor("after", self.after)?,
            before: cursor("before", self.before)?,
            count: ctx.look_ahead().field("totalCount").exists(),
        })
    }
}

fn size(field: &str, value: i32) -> ApiResult<u64> {
    if (1..=MAX_PAGE_SIZE).contains(&value) {
        Ok(value.unsigned_abs().into())
    } else {
        Err(ApiError::bad_field(
            field,
            format!("must be between 1 and {MAX_PAGE_SIZE}"),
        ))
    }
}

/// The complexity of a connection field: its selection counted once per item it may
/// return. `first` is clamped to the page bounds: a `first` out of range is refused by
/// `request` with `BAD_USER_INPUT`, which says more than "too complex".
pub fn complexity(first: Option<i32>, last: Option<i32>, child_complexity: usize) -> usize {
    let items = first
        .or(last)
        .unwrap_or(DEFAULT_PAGE_SIZE)
        .clamp(1, MAX_PAGE_SIZE)
        .unsigned_abs() as usize;
    items.saturating_mul(child_complexity).saturating_add(1)
}

/// The cursor of the item with this id in a list by id.
pub fn encode_cursor(id: Uuid) -> String {
    URL_SAFE_NO_PAD.encode(format!("c:{}", id.simple()))
}

/// A cursor from its text (inside the base64).
pub fn encode_text(text: &str) -> String {
    URL_SAFE_NO_PAD.encode(text)
}

/// A connection from a store page of a list by id, each record mapped to its GraphQL type.
pub fn connection<R, T: OutputType>(
    page: Page<R>,
    id_of: impl Fn(&R) -> Uuid,
    map: impl Fn(R) -> T,
) -> Conn<T> {
    connection_with(page, |item| encode_cursor(id_of(item)), map)
}

/// A connection from a store page, with each item's cursor from `cursor_of`.
pub fn connection_with<R, T: OutputType>(
    page: Page<R>,
    cursor_of: impl Fn(&R) -> String,
    map: impl Fn(R) -> T,
) -> Conn<T> {
    let mut conn = Connection::with_additional_fields(
        page.has_previous,
        page.has_next,
        ConnectionFields { total: page.total },
    );
    conn.edges.extend(
        page.items
            .into_iter()
            .map(|item| Edge::new(cursor_of(&item), map(item))),
    );
    Conn(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connections_cost_their_selection_once_per_requested_item() {
        assert_eq!(complexity(Some(100), None, 3), 301);
        assert_eq!(complexity(None, None, 3), 61);
        assert_eq!(complexity(None, Some(5), 3), 16);
        assert_eq!(complexity(Some(-5), None, 3), 4);
        assert_eq!(complexity(Some(i32::MAX), None, usize::MAX), usize::MAX);
    }

    #[test]
    fn page_size_is_bounded() {
        assert_eq!(size("first", 1).ok(), Some(1));
        assert_eq!(size("last", 100).ok(), Some(100));
        for bad in [0, -1, 101] {
            assert!(
                matches!(size("first", bad), Err(ApiError::BadInput(_))),
                "{bad}"
            );
        }
    }
}
