//! The CREATE TABLE statements of the initial schema.

use sea_orm_migration::{prelude::*, schema::*};

use super::{CASCADE, RESTRICT, fk};
use crate::idens::*;

pub(crate) fn tables() -> Vec<TableCreateStatement> {
    vec![
        Table::create()
            .table(Users::Table)
            .col(pk_uuid(Users::Id))
            .col(string_uniq(Users::Email))
            .col(string(Users::Name))
            .col(string(Users::Role))
            .col(string(Users::PasswordHash))
            .col(timestamp_with_time_zone(Users::CreatedAt))
            .col(timestamp_with_time_zone(Users::UpdatedAt))
            .to_owned(),
        Table::create()
            .table(Settings::Table)
            .col(string(Settings::Key).primary_key())
            .col(text(Settings::Value))
            .to_owned(),
        Table::create()
            .table(RefreshTokens::Table)
            .col(pk_uuid(RefreshTokens::Id))
            .col(uuid(RefreshTokens::UserId))
            .col(uuid(RefreshTokens::FamilyId))
            .col(string_uniq(RefreshTokens::TokenHash))
            .col(timestamp_with_time_zone(RefreshTokens::ExpiresAt))
            .col(timestamp_with_time_zone_null(RefreshTokens::UsedAt))
            .col(timestamp_with_time_zone_null(RefreshTokens::RevokedAt))
            .col(timestamp_with_time_zone(RefreshTokens::CreatedAt))
            .foreign_key(&mut fk(
                (RefreshTokens::Table, RefreshTokens::UserId),
                (Users::Table, Users::Id),
                CASCADE,
            ))
            .to_owned(),
        Table::create()
            .table(Templates::Table)
            .col(pk_uuid(Templates::Id))
            .col(uuid(Templates::OwnerId))
            .col(string(Templates::Name))
            .col(text(Templates::Description))
            .col(timestamp_with_time_zone_null(Templates::ArchivedAt))
            .col(timestamp_with_time_zone(Templates::CreatedAt))
            .col(timestamp_with_time_zone(Templates::UpdatedAt))
            .col(integer(Templates::Revision))
            .foreign_key(&mut fk(
                (Templates::Table, Templates::OwnerId),
                (Users::Table, Users::Id),
                RESTRICT,
            ))
            .to_owned(),
        Table::create()
            .table(TemplateVersions::Table)
            .col(pk_uuid(TemplateVersions::Id))
            .col(uuid(TemplateVersions::TemplateId))
            .col(integer(TemplateVersions::Number))
            .col(string(TemplateVersions::Status))
            .col(integer(TemplateVersions::ThresholdA))
            .col(integer(TemplateVersions::ThresholdB))
            .col(integer(TemplateVersions::HorizonMonths))
            .col(string(TemplateVersions::ExceptionPolicy))
            .col(string(TemplateVersions::KnockoutCap))
            .col(timestamp_with_time_zone_null(TemplateVersions::PublishedAt))
            .col(timestamp_with_time_zone(TemplateVersions::CreatedAt))
            .foreign_key(&mut fk(
                (TemplateVersions::Table, TemplateVersions::TemplateId),
                (Templates::Table, Templates::Id),
                CASCADE,
            ))
            .to_owned(),
        Table::create()
            .table(Criteria::Table)
            .col(pk_uuid(Criteria::Id))
            .col(uuid(Criteria::VersionId))
            .col(integer(Criteria::Position))
            .col(string(Criteria::Key))
            .col(string(Criteria::Label))
            .col(text(Criteria::Question))
            .col(integer(Criteria::Weight))
            .col(json(Criteria::Rule))
            .foreign_key(&mut fk(
                (Criteria::Table, Criteria::VersionId),
                (TemplateVersions::Table, TemplateVersions::Id),
                CASCADE,
            ))
            .to_owned(),
        Table::create()
            .table(Programs::Table)
            .col(pk_uuid(Programs::Id))
            .col(uuid(Programs::MentorId))
            .col(string(Programs::Name))
            .col(text(Programs::Description))
            .col(uuid_null(Programs::StandardVersionId))
            .col(timestamp_with_time_zone_null(Programs::ArchivedAt))
            .col(timestamp_with_time_zone(Programs::CreatedAt))
            .col(timestamp_with_time_zone(Programs::UpdatedAt))
            .col(integer(Programs::Revision))
            .foreign_key(&mut fk(
                (Programs::Table, Programs::MentorId),
                (Users::Table, Users::Id),
                RESTRICT,
            ))
            .foreign_key(&mut fk(
                (Programs::Table, Programs::StandardVersionId),
                (TemplateVersions::Table, TemplateVersions::Id),
                RESTRICT,
            ))
            .to_owned(),
        Table::create()
            .table(Enrollments::Table)
            .col(pk_uuid(Enrollments::Id))
            .col(uuid(Enrollments::ProgramId))
            .col(uuid(Enrollments::MenteeId))
            .col(timestamp_with_time_zone(Enrollments::CreatedAt))
            .col(timestamp_with_time_zone_null(Enrollments::RemovedAt))
            .foreign_key(&mut fk(
                (Enrollments::Table, Enrollments::ProgramId),
                (Programs::Table, Programs::Id),
                RESTRICT,
            ))
            .foreign_key(&mut fk(
                (Enrollments::Table, Enrollments::MenteeId),
                (Users::Table, Users::Id),
                RESTRICT,
            ))
            .to_owned(),
        Table::create()
            .table(Invites::Table)
            .col(pk_uuid(Invites::Id))
            .col(uuid(Invites::ProgramId))
            .col(string_uniq(Invites::Code))
            .col(integer_null(Invites::MaxUses))
            .col(integer(Invites::Uses))
            .col(timestamp_with_time_zone_null(Invites::ExpiresAt))
            .col(timestamp_with_time_zone_null(Invites::RevokedAt))
            .col(uuid(Invites::CreatedBy))
            .col(timestamp_with_time_zone(Invites::CreatedAt))
            .foreign_key(&mut fk(
                (Invites::Table, Invites::ProgramId),
                (Programs::Table, Programs::Id),
                RESTRICT,
            ))
            .foreign_key(&mut fk(
                (Invites::Table, Invites::CreatedBy),
                (Users::Table, Users::Id),
                RESTRICT,
            ))
            .to_owned(),
        Table::create()
            .table(Prospects::Table)
            .col(pk_uuid(Prospects::Id))
            .col(uuid(Prospects::OwnerId))
            .col(uuid(Prospects::ProgramId))
            .col(string(Prospects::Name))
            .col(string_null(Prospects::Company))
            .col(text_null(Prospects::Notes))
            .col(string(Prospects::Status))
            .col(timestamp_with_time_zone_null(Prospects::ArchivedAt))
            // No foreign key: qualifications reference prospects, and this is only a cache
            // of the newest one, written in the same transaction as the qualification.
            .col(uuid_null(Prospects::LatestQualificationId))
            .col(date_null(Prospects::RequalifyBy))
            .col(timestamp_with_time_zone(Prospects::CreatedAt))
            .col(timestamp_with_time_zone(Prospects::UpdatedAt))
            .col(integer(Prospects::Revision))
            .foreign_key(&mut fk(
                (Prospects::Table, Prospects::OwnerId),
                (Users::Table, Users::Id),
                RESTRICT,
            ))
            .foreign_key(&mut fk(
                (Prospects::Table, Prospects::ProgramId),
                (Programs::Table, Programs::Id),
                RESTRICT,
            ))
            .to_owned(),
        Table::create()
            .table(Qualifications::Table)
            .col(pk_uuid(Qualifications::Id))
            .col(uuid(Qualifications::ProspectId))
            .col(uuid(Qualifications::TemplateVersionId))
            .col(uuid(Qualifications::QualifiedBy))
            .col(json(Qualifications::Answers))
            .col(json_null(Qualifications::Outlook))
            .col(integer(Qualifications::ScoreBp))
            .col(string(Qualifications::Tier))
            .col(json(Qualifications::Knockouts))
            .col(json(Qualifications::Unknowns))
            .col(json(Qualifications::Explanation))
            .col(integer(Qualifications::ProjectedScoreBp))
            .col(string(Qualifications::ProjectedTier))
            .col(json(Qualifications::ProjectedExplanation))
            .col(string(Qualifications::Verdict))
            .col(text_null(Qualifications::Plan))
            .col(date_null(Qualifications::RequalifyBy))
            .col(timestamp_with_time_zone(Qualifications::CreatedAt))
            .foreign_key(&mut fk(
                (Qualifications::Table, Qualifications::ProspectId),
                (Prospects::Table, Prospects::Id),
                RESTRICT,
            ))
            .foreign_key(&mut fk(
                (Qualifications::Table, Qualifications::TemplateVersionId),
                (TemplateVersions::Table, TemplateVersions::Id),
                RESTRICT,
            ))
            .foreign_key(&mut fk(
                (Qualifications::Table, Qualifications::QualifiedBy),
                (Users::Table, Users::Id),
                RESTRICT,
            ))
            .to_owned(),
        Table::create()
            .table(Decisions::Table)
            .col(pk_uuid(Decisions::Id))
            .col(uuid(Decisions::ProspectId))
            .col(uuid_null(Decisions::QualificationId))
            .col(uuid(Decisions::DecidedBy))
            .col(string(Decisions::Decision))
            .col(text_null(Decisions::Reason))
            .col(json_null(Decisions::BiasCheck))
            .col(boolean(Decisions::IsException))
            .col(timestamp_with_time_zone(Decisions::CreatedAt))
            .foreign_key(&mut fk(
                (Decisions::Table, Decisions::ProspectId),
                (Prospects::Table, Prospects::Id),
                RESTRICT,
            ))
            .foreign_key(&mut fk(
                (Decisions::Table, Decisions::QualificationId),
                (Qualifications::Table, Qualifications::Id),
                RESTRICT,
            ))
            .foreign_key(&mut fk(
                (Decisions::Table, Decisions::DecidedBy),
                (Users::Table, Users::Id),
                RESTRICT,
            ))
            .to_owned(),
        Table::create()
            .table(ExceptionRequests::Table)
            .col(pk_uuid(ExceptionRequests::Id))
            .col(uuid_uniq(ExceptionRequests::DecisionId))
            .col(uuid(ExceptionRequests::ProspectId))
            .col(uuid(ExceptionRequests::ProgramId))
            .col(string(ExceptionRequests::Status))
            .col(uuid_null(ExceptionRequests::ReviewerId))
            .col(text_null(ExceptionRequests::Note))
            .col(timestamp_with_time_zone_null(ExceptionRequests::ReviewedAt))
            .col(timestamp_with_time_zone(ExceptionRequests::CreatedAt))
            .foreign_key(&mut fk(
                (ExceptionRequests::Table, ExceptionRequests::DecisionId),
                (Decisions::Table, Decisions::Id),
                RESTRICT,
            ))
            .foreign_key(&mut fk(
                (ExceptionRequests::Table, ExceptionRequests::ProspectId),
                (Prospects::Table, Prospects::Id),
                RESTRICT,
            ))
            .foreign_key(&mut fk(
                (ExceptionRequests::Table, ExceptionRequests::ProgramId),
                (Programs::Table, Programs::Id),
                RESTRICT,
            ))
            .foreign_key(&mut fk(
                (ExceptionRequests::Table, ExceptionRequests::ReviewerId),
                (Users::Table, Users::Id),
                RESTRICT,
            ))
            .to_owned(),
    ]
}
