//! Whose the audit log's entries are, so that a mentor can page through the trail of their
//! programs and a mentee through their own (`Query.auditTrail`): `program_id` (the program
//! the object belongs to) and `subject_id` (the mentee whose data it is), both nullable,
//! written by `store::audit` from now on and backfilled here by object type. The
//! re-qualification queue's indexes on `prospects` lead with the program or the owner and
//! the due date, in the queue's order.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    Id,
    ProgramId,
    SubjectId,
    ActorId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Prospects {
    Table,
    Id,
    ProgramId,
    OwnerId,
    RequalifyBy,
}

fn columns() -> [ColumnDef; 2] {
    [
        uuid_null(AuditLog::ProgramId),
        uuid_null(AuditLog::SubjectId),
    ]
}

/// The indexes' names, and whether each is on `audit_log` (else on `prospects`).
const INDEX_NAMES: [(&str, bool); 5] = [
    ("idx_audit_log_program_time", true),
    ("idx_audit_log_subject_time", true),
    ("idx_audit_log_actor_time", true),
    ("idx_prospects_program_due", false),
    ("idx_prospects_owner_due", false),
];

fn indexes() -> Vec<IndexCreateStatement> {
    let audit = |name: &str, lead: AuditLog| {
        Index::create()
            .name(name)
            .table(AuditLog::Table)
            .col(lead)
            .col(AuditLog::CreatedAt)
            .col(AuditLog::Id)
            .to_owned()
    };
    let queue = |name: &str, lead: Prospects| {
        Index::create()
            .name(name)
            .table(Prospects::Table)
            .col(lead)
            .col(Prospects::RequalifyBy)
            .col(Prospects::Id)
            .to_owned()
    };
    vec![
        audit(INDEX_NAMES[0].0, AuditLog::ProgramId),
        audit(INDEX_NAMES[1].0, AuditLog::SubjectId),
        audit(INDEX_NAMES[2].0, AuditLog::ActorId),
        queue(INDEX_NAMES[3].0, Prospects::ProgramId),
        queue(INDEX_NAMES[4].0, Prospects::OwnerId),
    ]
}

/// The object's program and mentee, by object type, for the rows written before the
/// columns: `(object types, program, subject)`, each an expression over `audit_log`'s
/// row. Frozen here as the rule was when the columns came (`store::audit` writes the same
/// for new rows). Templates, versions and sessions belong to no program and no mentee.
const BACKFILL: &[(&str, &str, &str)] = &[
    (
        "'Prospect'",
        "(SELECT p.program_id FROM prospects p WHERE p.id = audit_log.object_id)",
        "(SELECT p.owner_id FROM prospects p WHERE p.id = audit_log.object_id)",
    ),
    (
        "'Qualification'",
        "(SELECT p.program_id FROM qualifications x JOIN prospects p ON p.id = x.prospect_id \
          WHERE x.id = audit_log.object_id)",
        "(SELECT p.owner_id FROM qualifications x JOIN prospects p ON p.id = x.prospect_id \
          WHERE x.id = audit_log.object_id)",
    ),
    (
        "'Decision'",
        "(SELECT p.program_id FROM decisions x JOIN prospects p ON p.id = x.prospect_id \
          WHERE x.id = audit_log.object_id)",
        "(SELECT p.owner_id FROM decisions x JOIN prospects p ON p.id = x.prospect_id \
          WHERE x.id = audit_log.object_id)",
    ),
    (
        "'ExceptionRequest'",
        "(SELECT p.program_id FROM exception_requests x JOIN prospects p ON p.id = x.prospect_id \
          WHERE x.id = audit_log.object_id)",
        "(SELECT p.owner_id FROM exception_requests x JOIN prospects p ON p.id = x.prospect_id \
          WHERE x.id = audit_log.object_id)",
    ),
    (
        "'OutcomeEntry'",
        "(SELECT p.program_id FROM outcome_entries x JOIN prospects p ON p.id = x.prospect_id \
          WHERE x.id = audit_log.object_id)",
        "(SELECT p.owner_id FROM outcome_entries x JOIN prospects p ON p.id = x.prospect_id \
          WHERE x.id = audit_log.object_id)",
    ),
    (
        "'Invite'",
        "(SELECT x.program_id FROM invites x WHERE x.id = audit_log.object_id)",
        "NULL",
    ),
    // A program's own entries; joining one is the mentee's enrollment (the actor).
    (
        "'Program'",
        "(SELECT x.id FROM programs x WHERE x.id = audit_log.object_id)",
        "CASE WHEN audit_log.action = 'program.join' THEN audit_log.actor_id END",
    ),
    // A user's own account; a mentee removed from a program: the program of the actor's
    // from which the mentee was removed last; a mentee's sign-up: the program it joined,
    // their first enrollment.
    (
        "'User'",
        "CASE audit_log.action \
           WHEN 'program.remove_mentee' THEN \
             (SELECT e.program_id FROM enrollments e JOIN programs x ON x.id = e.program_id \
              WHERE e.mentee_id = audit_log.object_id AND x.mentor_id = audit_log.actor_id \
                AND e.removed_at IS NOT NULL ORDER BY e.removed_at DESC LIMIT 1) \
           WHEN 'user.sign_up' THEN \
             (SELECT e.program_id FROM enrollments e WHERE e.mentee_id = audit_log.object_id \
              ORDER BY e.created_at, e.id LIMIT 1) \
         END",
        "audit_log.object_id",
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per ALTER TABLE: SQLite adds no more at a time.
        for mut column in columns() {
            let alter = Table::alter()
                .table(AuditLog::Table)
                .add_column(&mut column)
                .to_owned();
            manager.alter_table(alter).await?;
        }
        let db = manager.get_connection();
        for (object_type, program, subject) in BACKFILL {
            let sql = format!(
                "UPDATE audit_log SET program_id = {program}, subject_id = {subject} \
                 WHERE object_type = {object_type}"
            );
            db.execute_unprepared(&sql).await?;
        }
        for index in indexes() {
            manager.create_index(index).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, on_audit) in INDEX_NAMES.iter().rev() {
            let mut drop = Index::drop().name(*name).to_owned();
            if *on_audit {
                drop.table(AuditLog::Table);
            } else {
                drop.table(Prospects::Table);
            }
            manager.drop_index(drop).await?;
        }
        for column in columns().into_iter().rev() {
            let alter = Table::alter()
                .table(AuditLog::Table)
                .drop_column(Alias::new(column.get_column_name()))
                .to_owned();
            manager.alter_table(alter).await?;
        }
        Ok(())
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
