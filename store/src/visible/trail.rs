//! The audit trail an actor may read, newest first: a mentor's the entries of the programs
//! they run (whoever acted) and their own entries that belong to no program (templates,
//! their account); a mentee's the entries about them and their own actions.

use chrono::{DateTime, Utc};
use domain::policy::{Programs, Visibility};
use sea_orm::sea_query::Condition;
use sea_orm::{
    ColumnTrait, EntityTrait, Order as SqlOrder, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

use super::in_programs;
use crate::audit::AuditEntry;
use crate::entity::audit_log;
use crate::page::Page;
use crate::{Conn, StoreError};

/// Narrows the trail; every condition given must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub program: Option<Uuid>,
    pub object: Option<Uuid>,
    pub actor: Option<Uuid>,
    /// At or after.
    pub from: Option<DateTime<Utc>>,
    /// At or before.
    pub to: Option<DateTime<Utc>>,
    pub action: Option<String>,
}

/// A page of the trail: at most `first` entries older than the entry at (time, id) `after`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuditRequest {
    pub first: u64,
    pub after: Option<(DateTime<Utc>, Uuid)>,
}

/// The entries `visible` admits: by program for a mentor (and their own entries of no
/// program), by subject or actor for an owner.
fn admitted(visible: &Visibility) -> Condition {
    let mut all = Condition::all();
    if let Some(owner) = visible.owner {
        all = all.add(
            Condition::any()
                .add(audit_log::Column::SubjectId.eq(owner))
                .add(audit_log::Column::ActorId.eq(owner)),
        );
    }
    if let Some(within) = in_programs(audit_log::Column::ProgramId, visible.programs) {
        let mut any = Condition::any().add(within);
        if let Programs::RunBy(mentor) = visible.programs {
            any = any.add(
                Condition::all()
                    .add(audit_log::Column::ProgramId.is_null())
                    .add(audit_log::Column::ActorId.eq(mentor)),
            );
        }
        all = all.add(any);
    }
    if let Some(only) = visible.program {
        all = all.add(audit_log::Column::ProgramId.eq(only));
    }
    all
}

/// One page of the trail the actor may read, narrowed by `filter`, newest first (by time,
/// then id), with the number of entries across all pages. Two statements.
///
/// # Errors
/// [`StoreError::Db`] when a query fails.
pub async fn audit_page(
    db: &impl Conn,
    visible: &Visibility,
    filter: &AuditFilter,
    request: AuditRequest,
) -> Result<Page<AuditEntry>, StoreError> {
    let mut select = audit_log::Entity::find().filter(admitted(visible));
    if let Some(program) = filter.program {
        select = select.filter(audit_log::Column::ProgramId.eq(program));
    }
    if let Some(object) = filter.object {
        select = select.filter(audit_log::Column::ObjectId.eq(object));
    }
    if let Some(actor) = filter.actor {
        select = select.filter(audit_log::Column::ActorId.eq(actor));
    }
    if let Some(from) = filter.from {
        select = select.filter(audit_log::Column::CreatedAt.gte(from));
    }
    if let Some(to) = filter.to {
        select = select.filter(audit_log::Column::CreatedAt.lte(to));
    }
    if let Some(action) = &filter.action {
        select = select.filter(audit_log::Column::Action.eq(action.as_str()));
    }
    let total = select.clone().count(db).await?;
    if let Some((at, id)) = request.after {
        select = select.filter(
            Condition::any()
                .add(audit_log::Column::CreatedAt.lt(at))
                .add(
                    Condition::all()
                        .add(audit_log::Column::CreatedAt.eq(at))
                        .add(audit_log::Column::Id.lt(id)),
                ),
        );
    }
    let mut items = select
        .order_by(audit_log::Column::CreatedAt, SqlOrder::Desc)
        .order_by(audit_log::Column::Id, SqlOrder::Desc)
        .limit(request.first.saturating_add(1))
        .all(db)
        .await?;
    let has_next = items.len() as u64 > request.first;
    items.truncate(usize::try_from(request.first).unwrap_or(usize::MAX));
    Ok(Page {
        items: items.into_iter().map(AuditEntry::from).collect(),
        has_next,
        total,
    })
}
