//! Table and column names shared by the migrations.

use sea_orm_migration::prelude::*;

#[derive(DeriveIden)]
pub(crate) enum Users {
    Table,
    Id,
    Email,
    Name,
    Role,
    PasswordHash,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
pub(crate) enum Settings {
    Table,
    Key,
    Value,
}

#[derive(DeriveIden)]
pub(crate) enum RefreshTokens {
    Table,
    Id,
    UserId,
    FamilyId,
    TokenHash,
    ExpiresAt,
    UsedAt,
    RevokedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
pub(crate) enum Templates {
    Table,
    Id,
    OwnerId,
    Name,
    Description,
    ArchivedAt,
    CreatedAt,
    UpdatedAt,
    Revision,
}

#[derive(DeriveIden)]
pub(crate) enum TemplateVersions {
    Table,
    Id,
    TemplateId,
    Number,
    Status,
    ThresholdA,
    ThresholdB,
    HorizonMonths,
    ExceptionPolicy,
    KnockoutCap,
    PublishedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
pub(crate) enum Criteria {
    Table,
    Id,
    VersionId,
    Position,
    Key,
    Label,
    Question,
    Weight,
    Rule,
}

#[derive(DeriveIden)]
pub(crate) enum Programs {
    Table,
    Id,
    MentorId,
    Name,
    Description,
    StandardVersionId,
    ArchivedAt,
    CreatedAt,
    UpdatedAt,
    Revision,
}

#[derive(DeriveIden)]
pub(crate) enum Enrollments {
    Table,
    Id,
    ProgramId,
    MenteeId,
    CreatedAt,
    RemovedAt,
}

#[derive(DeriveIden)]
pub(crate) enum Invites {
    Table,
    Id,
    ProgramId,
    Code,
    MaxUses,
    Uses,
    ExpiresAt,
    RevokedAt,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
pub(crate) enum Prospects {
    Table,
    Id,
    OwnerId,
    ProgramId,
    Name,
    Company,
    Notes,
    Status,
    ArchivedAt,
    LatestQualificationId,
    RequalifyBy,
    CreatedAt,
    UpdatedAt,
    Revision,
}

#[derive(DeriveIden)]
pub(crate) enum Qualifications {
    Table,
    Id,
    ProspectId,
    TemplateVersionId,
    QualifiedBy,
    Answers,
    Outlook,
    ScoreBp,
    Tier,
    Knockouts,
    Unknowns,
    Explanation,
    ProjectedScoreBp,
    ProjectedTier,
    ProjectedExplanation,
    Verdict,
    Plan,
    RequalifyBy,
    CreatedAt,
}

#[derive(DeriveIden)]
pub(crate) enum Decisions {
    Table,
    Id,
    ProspectId,
    QualificationId,
    DecidedBy,
    Decision,
    Reason,
    BiasCheck,
    IsException,
    CreatedAt,
}

#[derive(DeriveIden)]
pub(crate) enum ExceptionRequests {
    Table,
    Id,
    DecisionId,
    ProspectId,
    ProgramId,
    Status,
    ReviewerId,
    Note,
    ReviewedAt,
    CreatedAt,
}
