//! Events and webhooks (issue 17).
//!
//! `events` is the transactional outbox: a change and its event are written in one
//! transaction, so no event is lost and none is invented. An event is the JSON body sent to
//! webhooks (kept as text, so every attempt signs the same bytes) with whom it concerns
//! (`program_id`, `mentor_id`, `subject_id`); `dispatched_at` is set once its deliveries
//! are made (a partial index finds the rest). `dedupe_key` makes an event that the server
//! emits on its own (a re-qualification gone overdue) happen once.
//!
//! `webhook_endpoints` belong to a user; `webhook_deliveries` is one event for one
//! endpoint (pending, delivered or failed; leased by one instance at a time), and
//! `webhook_attempts` its log.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::idens::Users;
use crate::m20250101_000001_initial::{CASCADE, RESTRICT, fk};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Events {
    Table,
    Id,
    EventType,
    OccurredAt,
    ProgramId,
    MentorId,
    SubjectId,
    Body,
    DispatchedAt,
    DedupeKey,
}

#[derive(DeriveIden)]
enum WebhookEndpoints {
    Table,
    Id,
    OwnerId,
    Url,
    Description,
    EventTypes,
    Secret,
    PreviousSecret,
    PreviousSecretUntil,
    Enabled,
    DisabledReason,
    FailingSince,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum WebhookDeliveries {
    Table,
    Id,
    EndpointId,
    EventId,
    EventType,
    State,
    Attempts,
    NextAttemptAt,
    LeaseUntil,
    LeasedBy,
    LastAttemptAt,
    LastStatus,
    LastDurationMs,
    LastError,
    DeliveredAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum WebhookAttempts {
    Table,
    Id,
    DeliveryId,
    Number,
    StartedAt,
    StatusCode,
    DurationMs,
    Error,
}

fn events() -> TableCreateStatement {
    use Events as E;
    Table::create()
        .table(E::Table)
        .col(pk_uuid(E::Id))
        .col(text(E::EventType))
        .col(timestamp_with_time_zone(E::OccurredAt))
        .col(uuid_null(E::ProgramId))
        .col(uuid_null(E::MentorId))
        .col(uuid_null(E::SubjectId))
        .col(text(E::Body))
        .col(timestamp_with_time_zone_null(E::DispatchedAt))
        .col(text_null(E::DedupeKey))
        .to_owned()
}

fn endpoints() -> TableCreateStatement {
    use WebhookEndpoints as W;
    Table::create()
        .table(W::Table)
        .col(pk_uuid(W::Id))
        .col(uuid(W::OwnerId))
        .col(text(W::Url))
        .col(text(W::Description))
        .col(text(W::EventTypes))
        .col(text(W::Secret))
        .col(text_null(W::PreviousSecret))
        .col(timestamp_with_time_zone_null(W::PreviousSecretUntil))
        .col(boolean(W::Enabled))
        .col(text_null(W::DisabledReason))
        .col(timestamp_with_time_zone_null(W::FailingSince))
        .col(timestamp_with_time_zone(W::CreatedAt))
        .col(timestamp_with_time_zone(W::UpdatedAt))
        .foreign_key(&mut fk(
            (W::Table, W::OwnerId),
            (Users::Table, Users::Id),
            RESTRICT,
        ))
        .to_owned()
}

fn deliveries() -> TableCreateStatement {
    use WebhookDeliveries as D;
    Table::create()
        .table(D::Table)
        .col(pk_uuid(D::Id))
        .col(uuid(D::EndpointId))
        .col(uuid(D::EventId))
        .col(text(D::EventType))
        .col(text(D::State))
        .col(integer(D::Attempts))
        .col(timestamp_with_time_zone(D::NextAttemptAt))
        .col(timestamp_with_time_zone_null(D::LeaseUntil))
        .col(text_null(D::LeasedBy))
        .col(timestamp_with_time_zone_null(D::LastAttemptAt))
        .col(integer_null(D::LastStatus))
        .col(integer_null(D::LastDurationMs))
        .col(text_null(D::LastError))
        .col(timestamp_with_time_zone_null(D::DeliveredAt))
        .col(timestamp_with_time_zone(D::CreatedAt))
        .foreign_key(&mut fk(
            (D::Table, D::EndpointId),
            (WebhookEndpoints::Table, WebhookEndpoints::Id),
            CASCADE,
        ))
        .foreign_key(&mut fk(
            (D::Table, D::EventId),
            (Events::Table, Events::Id),
            RESTRICT,
        ))
        .to_owned()
}

fn attempts() -> TableCreateStatement {
    use WebhookAttempts as A;
    Table::create()
        .table(A::Table)
        .col(pk_uuid(A::Id))
        .col(uuid(A::DeliveryId))
        .col(integer(A::Number))
        .col(timestamp_with_time_zone(A::StartedAt))
        .col(integer_null(A::StatusCode))
        .col(integer(A::DurationMs))
        .col(text_null(A::Error))
        .foreign_key(&mut fk(
            (A::Table, A::DeliveryId),
            (WebhookDeliveries::Table, WebhookDeliveries::Id),
            CASCADE,
        ))
        .to_owned()
}

/// Indexes; the partial ones in SQL (both databases write them alike).
const INDEXES: [&str; 6] = [
    "CREATE UNIQUE INDEX uq_events_dedupe_key ON events (dedupe_key) WHERE dedupe_key IS NOT NULL",
    "CREATE INDEX idx_events_undispatched ON events (id) WHERE dispatched_at IS NULL",
    "CREATE INDEX idx_webhook_endpoints_owner_id ON webhook_endpoints (owner_id, id)",
    "CREATE INDEX idx_webhook_deliveries_endpoint_id ON webhook_deliveries (endpoint_id, id)",
    "CREATE INDEX idx_webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE state = 'pending'",
    "CREATE INDEX idx_webhook_attempts_delivery_id ON webhook_attempts (delivery_id, number)",
];

/// On PostgreSQL, every instance's subscription hub is woken when events commit: a
/// notification per statement that writes events, delivered at commit (and not at all on
/// rollback). The hub reads the events themselves from the table.
const POSTGRES_NOTIFY: [&str; 2] = [
    "CREATE FUNCTION qualify_events_notify() RETURNS trigger LANGUAGE plpgsql AS $$ \
     BEGIN PERFORM pg_notify('qualify_events', ''); RETURN NULL; END $$",
    "CREATE TRIGGER events_notify AFTER INSERT ON events \
     FOR EACH STATEMENT EXECUTE FUNCTION qualify_events_notify()",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.create_table(events()).await?;
        manager.create_table(endpoints()).await?;
        manager.create_table(deliveries()).await?;
        manager.create_table(attempts()).await?;
        for sql in INDEXES {
            manager.get_connection().execute_unprepared(sql).await?;
        }
        if manager.get_database_backend() == sea_orm_migration::sea_orm::DbBackend::Postgres {
            for sql in POSTGRES_NOTIFY {
                manager.get_connection().execute_unprepared(sql).await?;
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == sea_orm_migration::sea_orm::DbBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared(
                    "DROP TRIGGER IF EXISTS events_notify ON events; \
                     DROP FUNCTION IF EXISTS qualify_events_notify()",
                )
                .await?;
        }
        for table in [
            WebhookAttempts::Table.into_iden(),
            WebhookDeliveries::Table.into_iden(),
            WebhookEndpoints::Table.into_iden(),
            Events::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
