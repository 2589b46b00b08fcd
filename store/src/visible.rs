//! The lists of what an actor may see: `domain::policy::visibility`'s filter
//! ([`Visibility`]) turned into each table's `WHERE` clause, so that a list and a single
//! lookup are decided by the same line of the policy. A filter a table cannot apply (a
//! program on a table without one) admits nothing.

use domain::policy::{Programs, Visibility};
use sea_orm::sea_query::{Condition, Expr, SimpleExpr};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect, QueryTrait};

use crate::Conn;
use uuid::Uuid;

use crate::entity::{enrollments, exception_requests, programs, prospects, templates};
use crate::exceptions::{ExceptionRequest, ExceptionStatus};
use crate::page::{Keyset, Order, Page, PageRequest, fetch_page};
use crate::programs::Program;
use crate::prospects::{Prospect, ProspectFilter, ProspectOrder};
use crate::templates::Template;
use crate::{StoreError, codes::Code};

mod queue;
mod trail;

pub use queue::{QueueFilter, promised_plans, requalification_page};
pub use trail::{AuditFilter, audit_page};

/// `column IN` the programs `programs` names (`None`: any program).
fn in_programs(column: impl ColumnTrait, programs: Programs) -> Option<SimpleExpr> {
    match programs {
        Programs::Any => None,
        Programs::RunBy(mentor) => Some(
            column.in_subquery(
                programs::Entity::find()
                    .select_only()
                    .column(programs::Column::Id)
                    .filter(programs::Column::MentorId.eq(mentor))
                    .into_query(),
            ),
        ),
        Programs::EnrolledIn(mentee) => Some(
            column.in_subquery(
                enrollments::Entity::find()
                    .select_only()
                    .column(enrollments::Column::ProgramId)
                    .filter(enrollments::Column::MenteeId.eq(mentee))
                    .filter(enrollments::Column::RemovedAt.is_null())
                    .into_query(),
            ),
        ),
    }
}

/// Every part of `visible` as a condition: `owner` by the given expression, programs and the
/// one program by `program` (a table without a program column admits nothing for them).
pub(crate) fn condition(
    visible: &Visibility,
    owner: impl FnOnce(Uuid) -> SimpleExpr,
    program: Option<impl ColumnTrait + Copy>,
) -> Condition {
    let mut all = Condition::all();
    if let Some(id) = visible.owner {
        all = all.add(owner(id));
    }
    let narrows = visible.programs != Programs::Any || visible.program.is_some();
    match program {
        Some(column) => {
            if let Some(within) = in_programs(column, visible.programs) {
                all = all.add(within);
            }
            if let Some(only) = visible.program {
                all = all.add(column.eq(only));
            }
        }
        None if narrows => all = all.add(Expr::val(false)),
        None => {}
    }
    all
}

/// One page of the prospects the actor may list, narrowed by `filter`.
///
/// # Errors
/// [`StoreError::Db`] when a query fails.
pub async fn prospects_page(
    db: &impl Conn,
    visible: &Visibility,
    filter: &ProspectFilter,
    order: ProspectOrder,
    request: PageRequest,
) -> Result<Page<Prospect>, StoreError> {
    let within = condition(
        visible,
        |owner| prospects::Column::OwnerId.eq(owner),
        Some(prospects::Column::ProgramId),
    );
    let select = crate::prospects::filtered(filter).filter(within);
    let keyset = Keyset {
        id: prospects::Column::Id,
        key: order.column(),
        order: order.direction,
    };
    let page = fetch_page(db, select, keyset, &request).await?;
    page.try_map(Prospect::try_from)
}

/// One page of the exception requests the actor may list, oldest first (the review queue's
/// order), optionally of one program and in one status.
///
/// # Errors
/// [`StoreError::Db`] when a query fails.
pub async fn exceptions_page(
    db: &impl Conn,
    visible: &Visibility,
    program: Option<Uuid>,
    status: Option<ExceptionStatus>,
    request: PageRequest,
) -> Result<Page<ExceptionRequest>, StoreError> {
    // A request's owner is its prospect's.
    let owned_by = |owner| {
        exception_requests::Column::ProspectId.in_subquery(
            prospects::Entity::find()
                .select_only()
                .column(prospects::Column::Id)
                .filter(prospects::Column::OwnerId.eq(owner))
                .into_query(),
        )
    };
    let within = condition(
        visible,
        owned_by,
        Some(exception_requests::Column::ProgramId),
    );
    let mut select = exception_requests::Entity::find().filter(within);
    if let Some(program) = program {
        select = select.filter(exception_requests::Column::ProgramId.eq(program));
    }
    if let Some(status) = status {
        select = select.filter(exception_requests::Column::Status.eq(status.code()));
    }
    let column = exception_requests::Column::Id;
    let page = fetch_page(db, select, Keyset::by_id(column, Order::Asc), &request).await?;
    page.try_map(ExceptionRequest::try_from)
}

/// One page of the programs the actor may list (archived ones included), oldest first.
///
/// # Errors
/// [`StoreError::Db`] when the query fails.
pub async fn programs_page(
    db: &impl Conn,
    visible: &Visibility,
    request: PageRequest,
) -> Result<Page<Program>, StoreError> {
    // A program has a mentor, not an owner: a filter by owner admits none.
    let within = condition(visible, |_| Expr::val(false), Some(programs::Column::Id));
    let select = programs::Entity::find().filter(within);
    let page = fetch_page(
        db,
        select,
        Keyset::by_id(programs::Column::Id, Order::Asc),
        &request,
    )
    .await?;
    page.try_map(Program::try_from)
}

/// One page of the templates the actor may list, oldest first.
///
/// # Errors
/// [`StoreError::Db`] when the query fails.
pub async fn templates_page(
    db: &impl Conn,
    visible: &Visibility,
    include_archived: bool,
    request: PageRequest,
) -> Result<Page<Template>, StoreError> {
    let within = condition(
        visible,
        |owner| templates::Column::OwnerId.eq(owner),
        None::<templates::Column>,
    );
    let mut select = templates::Entity::find().filter(within);
    if !include_archived {
        select = select.filter(templates::Column::ArchivedAt.is_null());
    }
    let page = fetch_page(
        db,
        select,
        Keyset::by_id(templates::Column::Id, Order::Asc),
        &request,
    )
    .await?;
    page.try_map(|row| Ok(row.into()))
}
