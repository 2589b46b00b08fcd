//! The audit trail an actor may read, newest first: a mentor's the entries of the programs
//! they run (whoever acted) and their own entries that belong to no program (templates,
//! their account); a mentee's the entries about them and their own actions.

use chrono::{DateTime, Utc};
use domain::policy::{Programs, Visibility};
use sea_orm::sea_query::Condition;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::in_programs;
use crate::audit::AuditEntry;
use crate::entity::audit_log;
use crate::page::{Keyset, Order, Page, PageRequest, fetch_page};
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
    request: &PageRequest,
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
    let keyset = Keyset {
        id: audit_log::Column::Id,
        key: Some(audit_log::Column::CreatedAt),
        order: Order::Desc,
    };
    let page = fetch_page(db, select, keyset, request).await?;
    page.try_map(|row| Ok::<_, StoreError>(AuditEntry::from(row)))
}
