//! Keeps what one program's feedback aggregates read (`store::feedback`) together on disk.
//!
//! Ids follow time and every program writes at once, so a program's clients, outcome
//! entries and intake points lay scattered across a large database: on the bench's 1M
//! world one program's calibration touched about three times as many pages as on the 10k
//! world, and took 1.4-1.6 times as long (`bench/RESULTS.md`, item 25). So:
//! - the clients' indexes by program and by owner also hold what the aggregates read
//!   (dates, end, intake), so a scope's clients come from a few adjacent index pages;
//! - outcome entries and intake points carry their client's program, and are indexed by
//!   program first. The program is the client's own, which never changes; a foreign key
//!   on (program, prospect) to the client makes the database hold them equal.
//!
//! SQLite cannot add a `NOT NULL` column with a foreign key to a table, so the two tables
//! are rebuilt (create, copy, drop, rename), on PostgreSQL as well for one code path.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::m20250101_000001_initial::RESTRICT;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Clients {
    Table,
    ProspectId,
    ProgramId,
    OwnerId,
    TakenOn,
    EndedOn,
    EndedReason,
    IntakeTier,
    IntakePath,
}

#[derive(DeriveIden, Clone, Copy)]
enum OutcomeEntries {
    Table,
    Id,
    ProspectId,
    ProgramId,
    Month,
    RevenueMinor,
    HoursHundredths,
    CustomHoursHundredths,
    Energy,
    Note,
    Revision,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum ClientIntakePoints {
    Table,
    ProspectId,
    ProgramId,
    CriterionKey,
    PointsBp,
}

const REBUILT: &str = "_rebuilt";

/// What the aggregates read of a client after its scope's key and the prospect id.
const CLIENT_READ: [Clients; 5] = [
    Clients::TakenOn,
    Clients::EndedOn,
    Clients::EndedReason,
    Clients::IntakeTier,
    Clients::IntakePath,
];

fn index(name: &str, table: impl IntoIden, columns: &[DynIden]) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(name).table(table);
    for column in columns {
        index.col(column.clone());
    }
    index.to_owned()
}

fn drop_index(name: &str, table: impl IntoIden) -> IndexDropStatement {
    Index::drop().name(name).table(table).to_owned()
}

/// `scope`, then the prospect id (grouping by client streams in its order), then what is
/// read, then `also`.
fn covering(name: &str, scope: Clients, also: Option<Clients>) -> IndexCreateStatement {
    let columns: Vec<DynIden> = [scope, Clients::ProspectId]
        .into_iter()
        .chain(CLIENT_READ)
        .chain(also)
        .map(IntoIden::into_iden)
        .collect();
    index(name, Clients::Table, &columns)
}

/// The clients' indexes after this migration (`up`) or before it (`down`).
fn client_indexes(up: bool) -> Vec<IndexCreateStatement> {
    let plain = |name: &str, scope: Clients| {
        index(
            name,
            Clients::Table,
            &[scope.into_iden(), Clients::ProspectId.into_iden()],
        )
    };
    if up {
        vec![
            covering("idx_clients_program_feedback", Clients::ProgramId, None),
            // The owner scope also joins the program (its currency, its mentor).
            covering(
                "idx_clients_owner_feedback",
                Clients::OwnerId,
                Some(Clients::ProgramId),
            ),
            // The parent key of the entries' and intake points' (program, prospect).
            plain("uq_clients_program_id_prospect_id", Clients::ProgramId)
                .unique()
                .to_owned(),
        ]
    } else {
        vec![
            plain("idx_clients_program_id_prospect_id", Clients::ProgramId),
            plain("idx_clients_owner_id_prospect_id", Clients::OwnerId),
        ]
    }
}

/// The client a row belongs to: by (program, prospect) with the program, else by prospect.
fn client_key(table: &str, with_program: bool) -> ForeignKeyCreateStatement {
    let mut key = ForeignKey::create();
    key.from_tbl(Alias::new(table)).to_tbl(Clients::Table);
    // Both child tables name these columns alike.
    if with_program {
        key.from_col(Alias::new("program_id"))
            .to_col(Clients::ProgramId);
    }
    key.from_col(Alias::new("prospect_id"))
        .to_col(Clients::ProspectId)
        .on_delete(RESTRICT)
        .on_update(RESTRICT)
        .to_owned()
}

fn entries_table(name: &str, with_program: bool) -> TableCreateStatement {
    use OutcomeEntries as O;
    let mut table = Table::create();
    table
        .table(Alias::new(name))
        .col(pk_uuid(O::Id))
        .col(uuid(O::ProspectId));
    if with_program {
        table.col(uuid(O::ProgramId));
    }
    table
        .col(integer(O::Month))
        .col(big_integer(O::RevenueMinor))
        .col(integer_null(O::HoursHundredths))
        .col(integer_null(O::CustomHoursHundredths))
        .col(integer(O::Energy))
        .col(text_null(O::Note))
        .col(integer(O::Revision).default(1))
        .col(timestamp_with_time_zone(O::CreatedAt))
        .col(timestamp_with_time_zone(O::UpdatedAt))
        .foreign_key(&mut client_key(name, with_program))
        .to_owned()
}

fn entries_indexes(with_program: bool) -> Vec<IndexCreateStatement> {
    use OutcomeEntries as O;
    let scope: &[O] = if with_program {
        &[O::ProgramId, O::ProspectId]
    } else {
        &[O::ProspectId]
    };
    let sums: Vec<DynIden> = scope
        .iter()
        .chain(&[
            O::Month,
            O::RevenueMinor,
            O::HoursHundredths,
            O::CustomHoursHundredths,
            O::Energy,
        ])
        .map(|c| c.into_iden())
        .collect();
    let name = if with_program {
        "idx_outcome_entries_program_sums"
    } else {
        "idx_outcome_entries_sums"
    };
    vec![
        index(name, O::Table, &sums),
        index(
            "uq_outcome_entries_prospect_id_month",
            O::Table,
            &[O::ProspectId.into_iden(), O::Month.into_iden()],
        )
        .unique()
        .to_owned(),
    ]
}

fn points_table(name: &str, with_program: bool) -> TableCreateStatement {
    use ClientIntakePoints as P;
    let mut table = Table::create();
    table.table(Alias::new(name)).col(uuid(P::ProspectId));
    if with_program {
        table.col(uuid(P::ProgramId));
    }
    table
        .col(text(P::CriterionKey))
        .col(integer(P::PointsBp))
        .primary_key(Index::create().col(P::ProspectId).col(P::CriterionKey))
        .foreign_key(&mut client_key(name, with_program))
        .to_owned()
}

fn points_indexes(with_program: bool) -> Vec<IndexCreateStatement> {
    use ClientIntakePoints as P;
    let (name, scope): (&str, &[P]) = if with_program {
        (
            "idx_client_intake_points_program_points",
            &[P::ProgramId, P::ProspectId],
        )
    } else {
        ("idx_client_intake_points_points", &[P::ProspectId])
    };
    let columns: Vec<DynIden> = scope
        .iter()
        .chain(&[P::CriterionKey, P::PointsBp])
        .map(|c| c.into_iden())
        .collect();
    vec![index(name, P::Table, &columns)]
}

/// Replaces `table` by one made by `create` (under a temporary name), copying every row
/// with `columns` and, when `with_program`, its client's program; then `indexes`.
async fn rebuild(
    manager: &SchemaManager<'_>,
    table: &str,
    create: fn(&str, bool) -> TableCreateStatement,
    columns: &[&str],
    with_program: bool,
    indexes: Vec<IndexCreateStatement>,
) -> Result<(), DbErr> {
    let rebuilt = format!("{table}{REBUILT}");
    manager.create_table(create(&rebuilt, with_program)).await?;
    let listed = columns.join(", ");
    let from_old = columns
        .iter()
        .map(|c| format!("t.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    let copy = if with_program {
        format!(
            "INSERT INTO {rebuilt} ({listed}, program_id) SELECT {from_old}, c.program_id \
             FROM {table} t JOIN clients c ON c.prospect_id = t.prospect_id"
        )
    } else {
        format!("INSERT INTO {rebuilt} ({listed}) SELECT {from_old} FROM {table} t")
    };
    manager.get_connection().execute_unprepared(&copy).await?;
    manager
        .drop_table(Table::drop().table(Alias::new(table)).to_owned())
        .await?;
    manager
        .rename_table(
            Table::rename()
                .table(Alias::new(rebuilt), Alias::new(table))
                .to_owned(),
        )
        .await?;
    for index in indexes {
        manager.create_index(index).await?;
    }
    Ok(())
}

const ENTRY_COLUMNS: [&str; 11] = [
    "id",
    "prospect_id",
    "month",
    "revenue_minor",
    "hours_hundredths",
    "custom_hours_hundredths",
    "energy",
    "note",
    "revision",
    "created_at",
    "updated_at",
];

const POINT_COLUMNS: [&str; 3] = ["prospect_id", "criterion_key", "points_bp"];

async fn migrate(manager: &SchemaManager<'_>, up: bool) -> Result<(), DbErr> {
    for index in client_indexes(up) {
        manager.create_index(index).await?;
    }
    // Rebuilt after the clients' unique (program, prospect) exists (their parent key), and
    // before it goes (down).
    rebuild(
        manager,
        "outcome_entries",
        entries_table,
        &ENTRY_COLUMNS,
        up,
        entries_indexes(up),
    )
    .await?;
    rebuild(
        manager,
        "client_intake_points",
        points_table,
        &POINT_COLUMNS,
        up,
        points_indexes(up),
    )
    .await?;
    for index in client_indexes(!up) {
        let name = index
            .get_index_spec()
            .get_name()
            .unwrap_or_default()
            .to_owned();
        manager
            .drop_index(drop_index(&name, Clients::Table))
            .await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        migrate(manager, true).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        migrate(manager, false).await
    }

    fn use_transaction(&self) -> Option<bool> {
        // Also on SQLite: a table dropped and not yet replaced must never be left behind.
        Some(true)
    }
}
