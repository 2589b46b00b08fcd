//! Keyset pagination: on UUID v7 ids (which sort by creation time), or on a sort key with
//! the id as tie-break; forward (`first`/`after`) and backward (`last`/`before`).
//!
//! Nulls of a sort key come last in both directions. `total` is counted only when the
//! request asks for it (`count`): the count is a statement of its own.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Condition, NullOrdering, SimpleExpr};
use sea_orm::{
    ColumnTrait, EntityTrait, Order as SqlOrder, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Select, Value,
};
use uuid::Uuid;

use crate::{Conn, StoreError};

/// A value of a list's sort key, as a cursor carries it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SortValue {
    Text(String),
    Int(i64),
    Date(NaiveDate),
    Time(DateTime<Utc>),
}

impl From<SortValue> for Value {
    fn from(value: SortValue) -> Self {
        match value {
            SortValue::Text(text) => text.into(),
            SortValue::Int(int) => int.into(),
            SortValue::Date(date) => date.into(),
            SortValue::Time(time) => time.into(),
        }
    }
}

/// A position in a list: an item's id and, in a list sorted by a key, its value of the key
/// (`None`: null). A list by id alone ignores `value`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub id: Uuid,
    pub value: Option<SortValue>,
}

impl Cursor {
    /// The position of the item with this id in a list by id.
    pub fn id(id: Uuid) -> Self {
        Cursor { id, value: None }
    }
}

/// Which page to load: at most `size` items of those strictly between `after` and
/// `before`, from the start of that range (`backward: false`, Relay's `first`) or from its
/// end (`backward: true`, Relay's `last`); `count`: whether to count the whole list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    pub size: u64,
    pub backward: bool,
    pub after: Option<Cursor>,
    pub before: Option<Cursor>,
    pub count: bool,
}

impl PageRequest {
    /// The first `size` items after the item with id `after`, counted.
    pub fn first(size: u64, after: Option<Uuid>) -> Self {
        PageRequest {
            size,
            backward: false,
            after: after.map(Cursor::id),
            before: None,
            count: true,
        }
    }
}

/// One page of items, whether more follow (`has_next`) or precede (`has_previous`), and,
/// when asked for, how many match in all.
///
/// Paging forward, `has_previous` says whether an `after` cursor was given and
/// `has_next` whether items follow the page; backward, `has_next` says whether a
/// `before` cursor was given and `has_previous` whether items precede the page (Relay's
/// rule: the side one did not page from is not queried).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub has_next: bool,
    pub has_previous: bool,
    pub total: Option<u64>,
}

impl<T> Page<T> {
    /// No items at all (counted: zero).
    pub fn empty() -> Self {
        Page {
            items: Vec::new(),
            has_next: false,
            has_previous: false,
            total: Some(0),
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
            has_previous: self.has_previous,
            total: self.total,
        })
    }

    /// The page `request` asks for out of a whole list already in memory (a nested list
    /// loaded in one batch for many parents), in id `order`. Sort values of the cursors
    /// are ignored.
    pub fn slice(
        mut all: Vec<T>,
        id_of: impl Fn(&T) -> Uuid,
        order: Order,
        request: &PageRequest,
    ) -> Self {
        all.sort_by(|a, b| match order {
            Order::Asc => id_of(a).cmp(&id_of(b)),
            Order::Desc => id_of(b).cmp(&id_of(a)),
        });
        let total = all.len() as u64;
        let follows = |id: Uuid, cursor: &Cursor| match order {
            Order::Asc => id > cursor.id,
            Order::Desc => id < cursor.id,
        };
        let mut within: Vec<T> = all
            .into_iter()
            .filter(|item| {
                let id = id_of(item);
                request.after.as_ref().is_none_or(|c| follows(id, c))
                    && request
                        .before
                        .as_ref()
                        .is_none_or(|c| follows(c.id, &Cursor::id(id)))
            })
            .collect();
        let size = usize::try_from(request.size).unwrap_or(usize::MAX);
        let more = within.len() > size;
        if request.backward {
            let skip = within.len().saturating_sub(size);
            within.drain(..skip);
        } else {
            within.truncate(size);
        }
        Page {
            items: within,
            has_next: if request.backward {
                request.before.is_some()
            } else {
                more
            },
            has_previous: if request.backward {
                more
            } else {
                request.after.is_some()
            },
            total: request.count.then_some(total),
        }
    }
}

/// Direction of the keyset: ascending or descending.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Order {
    #[default]
    Asc,
    Desc,
}

impl Order {
    fn reversed(self) -> Self {
        match self {
            Order::Asc => Order::Desc,
            Order::Desc => Order::Asc,
        }
    }

    fn sql(self) -> SqlOrder {
        match self {
            Order::Asc => SqlOrder::Asc,
            Order::Desc => SqlOrder::Desc,
        }
    }
}

/// How a list is sorted: by `key` (nulls last), then by `id`, both in `order`; by `id`
/// alone without a key.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Keyset<C> {
    pub id: C,
    pub key: Option<C>,
    pub order: Order,
}

impl<C: ColumnTrait> Keyset<C> {
    /// By id alone.
    pub fn by_id(id: C, order: Order) -> Self {
        Keyset {
            id,
            key: None,
            order,
        }
    }

    /// `column` strictly after `value` in `order`.
    fn beyond(column: C, order: Order, value: impl Into<Value>) -> SimpleExpr {
        match order {
            Order::Asc => column.gt(value),
            Order::Desc => column.lt(value),
        }
    }

    /// The items that come after `cursor` in the list's order (`order`), or before it
    /// (`order.reversed()`): nulls of the key are last in the list's order.
    fn past(&self, cursor: &Cursor, order: Order) -> Condition {
        let id_past = Self::beyond(self.id, order, cursor.id);
        let Some(key) = self.key else {
            return Condition::all().add(id_past);
        };
        let nulls_follow = order == self.order;
        match &cursor.value {
            Some(value) => {
                let mut any = Condition::any()
                    .add(Self::beyond(key, order, value.clone()))
                    .add(Condition::all().add(key.eq(value.clone())).add(id_past));
                if nulls_follow {
                    any = any.add(key.is_null());
                }
                any
            }
            None if nulls_follow => Condition::all().add(key.is_null()).add(id_past),
            None => Condition::any()
                .add(key.is_not_null())
                .add(Condition::all().add(key.is_null()).add(id_past)),
        }
    }
}

/// Runs `select` (already filtered) as one page in `keyset`'s order. `total` counts the
/// whole filtered set, ignoring the cursors, and only when `request.count`.
pub(crate) async fn fetch_page<E, C>(
    db: &C,
    select: Select<E>,
    keyset: Keyset<E::Column>,
    request: &PageRequest,
) -> Result<Page<E::Model>, StoreError>
where
    E: EntityTrait,
    E::Model: Send + Sync,
    C: Conn,
{
    let total = if request.count {
        Some(select.clone().count(db).await?)
    } else {
        None
    };
    let mut select = select;
    if let Some(after) = &request.after {
        select = select.filter(keyset.past(after, keyset.order));
    }
    if let Some(before) = &request.before {
        select = select.filter(keyset.past(before, keyset.order.reversed()));
    }
    // Backward: read from the end of the range, in reverse, and turn the page around.
    let scan = if request.backward {
        keyset.order.reversed()
    } else {
        keyset.order
    };
    if let Some(key) = keyset.key {
        let nulls = if request.backward {
            NullOrdering::First
        } else {
            NullOrdering::Last
        };
        select = select.order_by_with_nulls(key, scan.sql(), nulls);
    }
    let mut items = select
        .order_by(keyset.id, scan.sql())
        .limit(request.size.saturating_add(1))
        .all(db)
        .await?;
    let more = items.len() as u64 > request.size;
    items.truncate(usize::try_from(request.size).unwrap_or(usize::MAX));
    if request.backward {
        items.reverse();
    }
    Ok(Page {
        items,
        has_next: if request.backward {
            request.before.is_some()
        } else {
            more
        },
        has_previous: if request.backward {
            more
        } else {
            request.after.is_some()
        },
        total,
    })
}
