//! `Query.prospects`: the list's orderings, with keyset cursors bound to the ordering they
//! were made for, and its filters turned into the store's.
//!
//! A cursor of the `CREATED_AT` ordering is the id's (`c:<id>`, as every list by id); the
//! other orderings' carry the item's sort value too: `p<tag>:<id>:` then `N` (null) or `V`
//! and the value (`u` updated at, in microseconds since the epoch; `n` the lower-case
//! name; `s` the latest score in basis points; `r` the re-qualification date). A cursor of
//! another ordering or list is `BAD_USER_INPUT`. The direction is not part of the cursor:
//! a position is the same in both directions.

use chrono::{DateTime, NaiveDate, Utc};
use store::{Cursor, ProspectOrder, ProspectSort, SortValue};
use uuid::Uuid;

use crate::graphql::paging;

fn tag(by: ProspectSort) -> Option<char> {
    match by {
        ProspectSort::CreatedAt => None,
        ProspectSort::UpdatedAt => Some('u'),
        ProspectSort::Name => Some('n'),
        ProspectSort::LatestScore => Some('s'),
        ProspectSort::RequalifyBy => Some('r'),
    }
}

/// The cursor of `prospect` in a list in `order`.
pub fn cursor(order: ProspectOrder, prospect: &store::Prospect) -> String {
    let Some(tag) = tag(order.by) else {
        return paging::encode_cursor(prospect.id);
    };
    let value = match order.value_of(prospect) {
        None => "N".to_owned(),
        Some(SortValue::Text(text)) => format!("V{text}"),
        Some(SortValue::Int(int)) => format!("V{int}"),
        Some(SortValue::Date(date)) => format!("V{date}"),
        Some(SortValue::Time(time)) => format!("V{}", time.timestamp_micros()),
    };
    paging::encode_text(&format!("p{tag}:{}:{value}", prospect.id.simple()))
}

/// A cursor's text read for a list in `order`; `None` when it was not made for it.
pub fn decode(order: ProspectOrder, text: &str) -> Option<Cursor> {
    let Some(tag) = tag(order.by) else {
        return Uuid::try_parse(text.strip_prefix("c:")?)
            .ok()
            .map(Cursor::id);
    };
    let rest = text
        .strip_prefix('p')?
        .strip_prefix(tag)?
        .strip_prefix(':')?;
    let (id, value) = rest.split_once(':')?;
    let id = Uuid::try_parse(id).ok()?;
    let value = match value.strip_prefix('V') {
        None if value == "N" => None,
        None => return None,
        Some(value) => Some(match order.by {
            ProspectSort::CreatedAt => return None,
            ProspectSort::UpdatedAt => {
                SortValue::Time(DateTime::<Utc>::from_timestamp_micros(value.parse().ok()?)?)
            }
            ProspectSort::Name => SortValue::Text(value.to_owned()),
            ProspectSort::LatestScore => SortValue::Int(value.parse().ok()?),
            ProspectSort::RequalifyBy => SortValue::Date(value.parse::<NaiveDate>().ok()?),
        }),
    };
    Some(Cursor { id, value })
}

#[cfg(test)]
mod tests {
    use super::*;
    use store::Order;

    fn order(by: ProspectSort) -> ProspectOrder {
        ProspectOrder {
            by,
            direction: Order::Asc,
        }
    }

    #[test]
    fn cursors_name_their_ordering() {
        let id = Uuid::now_v7();
        let text = format!("pn:{}:VÉcole: a", id.simple());
        assert_eq!(
            decode(order(ProspectSort::Name), &text),
            Some(Cursor {
                id,
                value: Some(SortValue::Text("École: a".into()))
            })
        );
        assert_eq!(decode(order(ProspectSort::LatestScore), &text), None);
        assert_eq!(decode(order(ProspectSort::CreatedAt), &text), None);
        let null = format!("ps:{}:N", id.simple());
        assert_eq!(
            decode(order(ProspectSort::LatestScore), &null),
            Some(Cursor { id, value: None })
        );
        assert_eq!(
            decode(
                order(ProspectSort::LatestScore),
                &format!("ps:{}:Vx", id.simple())
            ),
            None
        );
        let created = format!("c:{}", id.simple());
        assert_eq!(
            decode(order(ProspectSort::CreatedAt), &created),
            Some(Cursor::id(id))
        );
        assert_eq!(decode(order(ProspectSort::UpdatedAt), &created), None);
    }
}
