//! Keyset pagination on UUID v7 ids, which sort by creation time.

use sea_orm::{
    ColumnTrait, EntityTrait, Order as SqlOrder, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Select,
};
use uuid::Uuid;

use crate::{Conn, StoreError};

/// Which page to load: at most `first` items, starting after the item with id `after`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub first: u64,
    pub after: Option<Uuid>,
}

/// One page of items, whether more follow, and how many match in all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub has_next: bool,
    pub total: u64,
}

impl<T> Page<T> {
    /// No items at all.
    pub fn empty() -> Self {
        Page {
            items: Vec::new(),
            has_next: false,
            total: 0,
        }
    }

    /// Converts every item, keeping the page shape.
    ///
    /// # Errors
    /// The first error `f` returns.
    pub fn try_map<U, E>(self, f: impl FnMut(T) -> Result<U, E>) -> Result<Page<U>, E> {
        Ok(Page {
            items: self.items.into_iter().map(f).collect::<Result<_, _>>()?,
            has_next: self.has_next,
            total: self.total,
        })
    }
}

/// Direction of the keyset: oldest first or newest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Order {
    #[default]
    Asc,
    Desc,
}

/// Runs `select` (already filtered) as one page keyed on `id`; `total` counts the whole
/// filtered set, ignoring the cursor.
pub(crate) async fn fetch_page<E, C>(
    db: &C,
    select: Select<E>,
    id: E::Column,
    order: Order,
    request: PageRequest,
) -> Result<Page<E::Model>, StoreError>
where
    E: EntityTrait,
    E::Model: Send + Sync,
    C: Conn,
{
    let total = select.clone().count(db).await?;
    let mut select = select;
    if let Some(after) = request.after {
        select = match order {
            Order::Asc => select.filter(id.gt(after)),
            Order::Desc => select.filter(id.lt(after)),
        };
    }
    let direction = match order {
        Order::Asc => SqlOrder::Asc,
        Order::Desc => SqlOrder::Desc,
    };
    let mut items = select
        .order_by(id, direction)
        .limit(request.first.saturating_add(1))
        .all(db)
        .await?;
    let has_next = items.len() as u64 > request.first;
    items.truncate(usize::try_from(request.first).unwrap_or(usize::MAX));
    Ok(Page {
        items,
        has_next,
        total,
    })
}
