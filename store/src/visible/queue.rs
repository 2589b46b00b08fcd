//! The re-qualification queue: the clients (taken on, not ended) of prospects not archived
//! whose re-qualification date falls on or before a day, soonest first, and the plan each
//! was promised.

use chrono::NaiveDate;
use domain::policy::Visibility;

use sea_orm::{
    ColumnTrait, EntityTrait, Order as SqlOrder, QueryFilter, QueryOrder, QuerySelect, QueryTrait,
};
use uuid::Uuid;

use super::condition;
use crate::entity::{clients, prospects, qualifications};
use crate::page::{Keyset, Order, Page, PageRequest, fetch_page};
use crate::prospects::Prospect;
use crate::{Conn, StoreError};

/// Which part of the queue to list: due on or before `due_by`, optionally of one program
/// and one mentee (on top of what the actor may see).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueFilter {
    pub due_by: NaiveDate,
    pub program: Option<Uuid>,
    pub owner: Option<Uuid>,
}

/// One page of the queue the actor may see, by due date then id (the keyset), with the
/// number of items across all pages when asked. One statement (two with the count), read
/// through the indexes that lead with the program or the owner and the due date.
///
/// # Errors
/// [`StoreError::Db`] when a query fails.
pub async fn requalification_page(
    db: &impl Conn,
    visible: &Visibility,
    filter: QueueFilter,
    request: &PageRequest,
) -> Result<Page<Prospect>, StoreError> {
    let within = condition(
        visible,
        |owner| prospects::Column::OwnerId.eq(owner),
        Some(prospects::Column::ProgramId),
    );
    let live_clients = clients::Entity::find()
        .select_only()
        .column(clients::Column::ProspectId)
        .filter(clients::Column::EndedOn.is_null())
        .into_query();
    let mut select = prospects::Entity::find()
        .filter(within)
        .filter(prospects::Column::ArchivedAt.is_null())
        .filter(prospects::Column::RequalifyBy.is_not_null())
        .filter(prospects::Column::RequalifyBy.lte(filter.due_by))
        .filter(prospects::Column::Id.in_subquery(live_clients));
    if let Some(program) = filter.program {
        select = select.filter(prospects::Column::ProgramId.eq(program));
    }
    if let Some(owner) = filter.owner {
        select = select.filter(prospects::Column::OwnerId.eq(owner));
    }
    let keyset = Keyset {
        id: prospects::Column::Id,
        key: Some(prospects::Column::RequalifyBy),
        order: Order::Asc,
    };
    fetch_page(db, select, keyset, request)
        .await?
        .try_map(Prospect::try_from)
}

/// The plan each prospect among `prospect_ids` was promised: the plan of its latest
/// qualification that set a re-qualification date (verdict `ACCEPT_WITH_PLAN`), the one
/// whose date the prospect carries (a later `DECLINE` keeps it, a later `ACCEPT` clears
/// it). One statement; prospects without one are left out.
///
/// # Errors
/// [`StoreError::Db`] when the query fails.
pub async fn promised_plans(
    db: &impl Conn,
    prospect_ids: &[Uuid],
) -> Result<Vec<(Uuid, Option<String>)>, StoreError> {
    if prospect_ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<(Uuid, Option<String>)> = qualifications::Entity::find()
        .select_only()
        .column(qualifications::Column::ProspectId)
        .column(qualifications::Column::Plan)
        .filter(qualifications::Column::ProspectId.is_in(prospect_ids.iter().copied()))
        .filter(qualifications::Column::RequalifyBy.is_not_null())
        .order_by(qualifications::Column::ProspectId, SqlOrder::Asc)
        .order_by(qualifications::Column::Id, SqlOrder::Desc)
        .into_tuple()
        .all(db)
        .await?;
    let mut latest: Vec<(Uuid, Option<String>)> = Vec::with_capacity(prospect_ids.len());
    for (prospect, plan) in rows {
        // Newest first within a prospect: keep the first of each.
        if latest.last().is_none_or(|(seen, _)| *seen != prospect) {
            latest.push((prospect, plan));
        }
    }
    Ok(latest)
}
