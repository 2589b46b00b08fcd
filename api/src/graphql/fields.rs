//! Every field of the served schema and what decides who reads it: a line of the policy
//! table (`domain::policy::RULES`), or, explicitly, its parent. A test walks the schema: a
//! field, query or mutation without an entry here fails it, so none ships unguarded.

use domain::policy::{Action, Kind};

/// What decides whether a field answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Guard {
    /// Anyone, signed in or not (what it needs is in its arguments: a password, a refresh
    /// token, an invite code).
    Public,
    /// Objects by id: each object's own `Read` line, through `graphql::access`.
    EachRead,
    /// This line of the policy table, asked by the resolver through `graphql::access`.
    Rule(Kind, Action),
    /// A value of the parent object: whoever may see the parent sees it.
    Parent,
    /// An object of this kind shown because its parent is: the parent's decision covers
    /// it, and its own `Read` line is not asked (a prospect's owner, a program's mentor,
    /// a qualification's version). Its fields are guarded as listed under its type.
    Reached(Kind),
}

use Guard::{EachRead, Parent, Public, Reached, Rule};

const PAGE: &[(&str, Guard)] = &[
    ("pageInfo", Parent),
    ("edges", Parent),
    ("nodes", Parent),
    ("totalCount", Parent),
];
const EDGE: &[(&str, Guard)] = &[("node", Parent), ("cursor", Parent)];

/// Per GraphQL type, each field's guard.
pub const FIELDS: &[(&str, &[(&str, Guard)])] = &[
    (
        "Query",
        &[
            // `null` without a token; the signed-in user themself.
            ("viewer", Public),
            ("node", EachRead),
            ("nodes", EachRead),
            ("programs", Rule(Kind::Program, Action::List)),
            ("templates", Rule(Kind::Template, Action::List)),
            // Shipped with the platform: listed to whoever may list templates.
            ("builtInTemplates", Rule(Kind::Template, Action::List)),
            ("prospects", Rule(Kind::Prospect, Action::List)),
            (
                "exceptionRequests",
                Rule(Kind::ExceptionRequest, Action::List),
            ),
            // Its `programId` and `menteeId`: their own `Read` lines.
            ("feedback", Rule(Kind::Feedback, Action::List)),
            // Its `programId` and `menteeId`: their own `Read` lines.
            ("dashboard", Rule(Kind::Dashboard, Action::List)),
            // Its `programId`: the program's own `Read` line.
            ("whatIf", EachRead),
            // Your own logins: part of managing your account.
            ("sessions", Rule(Kind::Account, Action::Change)),
            // Your own keys: part of managing your account.
            ("apiKeys", Rule(Kind::Account, Action::Change)),
            // Your own endpoints: part of managing your account.
            ("webhookEndpoints", Rule(Kind::Account, Action::Change)),
            // The prospects one may list; its `programId` and `menteeId`: their own `Read` lines.
            ("requalificationQueue", Rule(Kind::Prospect, Action::List)),
            // Its `programId`: the program's own `Read` line.
            ("auditTrail", Rule(Kind::Audit, Action::List)),
        ],
    ),
    (
        "Mutation",
        &[
            ("signUp", Public),
            ("joinProgram", Rule(Kind::Program, Action::Join)),
            ("login", Public),
            ("refreshSession", Public),
            // With a refresh token, or the request's own session.
            ("logout", Public),
            ("deleteAccount", Rule(Kind::Account, Action::Change)),
            ("changePassword", Rule(Kind::Account, Action::Change)),
            ("createTemplate", Rule(Kind::Template, Action::Create)),
            ("updateTemplateDraft", Rule(Kind::Template, Action::Change)),
            ("publishTemplate", Rule(Kind::Template, Action::Change)),
            ("archiveTemplate", Rule(Kind::Template, Action::Change)),
            ("copyTemplate", Rule(Kind::Template, Action::Change)),
            // And its `standardVersionId`: the version's `Read` line.
            ("createProgram", Rule(Kind::Program, Action::Create)),
            ("updateProgram", Rule(Kind::Program, Action::Change)),
            ("createInvite", Rule(Kind::Program, Action::Change)),
            ("revokeInvite", Rule(Kind::Invite, Action::Change)),
            ("removeMentee", Rule(Kind::Program, Action::Change)),
            (
                "reviewException",
                Rule(Kind::ExceptionRequest, Action::Change),
            ),
            ("createProspect", Rule(Kind::Prospect, Action::Create)),
            ("updateProspect", Rule(Kind::Prospect, Action::Change)),
            ("archiveProspect", Rule(Kind::Prospect, Action::Change)),
            ("qualifyProspect", Rule(Kind::Prospect, Action::Change)),
            ("decideProspect", Rule(Kind::Prospect, Action::Change)),
            ("setProgramCurrency", Rule(Kind::Program, Action::Change)),
            ("recordOutcome", Rule(Kind::OutcomeEntry, Action::Change)),
            ("correctOutcome", Rule(Kind::OutcomeEntry, Action::Change)),
            ("endClient", Rule(Kind::Client, Action::Change)),
            ("requalifyProspect", Rule(Kind::Prospect, Action::Change)),
            ("archiveProgram", Rule(Kind::Program, Action::Change)),
            ("endSession", Rule(Kind::Account, Action::Change)),
            ("endOtherSessions", Rule(Kind::Account, Action::Change)),
            ("createApiKey", Rule(Kind::Account, Action::Change)),
            ("revokeApiKey", Rule(Kind::Account, Action::Change)),
            ("createWebhookEndpoint", Rule(Kind::Account, Action::Change)),
            ("updateWebhookEndpoint", Rule(Kind::Account, Action::Change)),
            ("rotateWebhookSecret", Rule(Kind::Account, Action::Change)),
            ("deleteWebhookEndpoint", Rule(Kind::Account, Action::Change)),
            ("redeliverWebhook", Rule(Kind::Account, Action::Change)),
            ("setBhag", Rule(Kind::Bhag, Action::Change)),
            ("clearBhag", Rule(Kind::Bhag, Action::Change)),
            ("createQuarterlyGoal", Rule(Kind::Goal, Action::Create)),
            ("updateQuarterlyGoal", Rule(Kind::Goal, Action::Change)),
            ("deleteQuarterlyGoal", Rule(Kind::Goal, Action::Change)),
        ],
    ),
    // What happened, live: the audit trail's line (a mentor's programs, a mentee's own),
    // each event to whom it concerns (`domain::events::Audience`).
    (
        "Subscription",
        &[("events", Rule(Kind::Audit, Action::List))],
    ),
    (
        "Event",
        &[
            ("id", Parent),
            ("type", Parent),
            ("occurredAt", Parent),
            ("data", Parent),
        ],
    ),
    ("Node", &[("id", Parent)]),
    // Who acted: each implementation's own line below.
    ("Actor", &[("id", Parent), ("name", Parent)]),
    // A key as the actor of an audit entry the reader may see; its owner by the `User`
    // line.
    (
        "ApiKeyActor",
        &[
            ("id", Parent),
            ("name", Parent),
            ("prefix", Parent),
            ("owner", EachRead),
        ],
    ),
    (
        "User",
        &[
            ("id", Parent),
            ("email", Rule(Kind::Email, Action::Read)),
            ("name", Parent),
            ("role", Parent),
            ("createdAt", Parent),
            ("programs", Rule(Kind::User, Action::ListPrograms)),
            ("bhag", Rule(Kind::Bhag, Action::Read)),
            // Filtered by the `Goal` line's list filter.
            ("quarterlyGoals", Rule(Kind::Goal, Action::List)),
        ],
    ),
    (
        "Bhag",
        &[
            ("statement", Parent),
            ("targetYear", Parent),
            ("targetNumber", Parent),
            ("targetUnit", Parent),
            ("createdAt", Parent),
            ("updatedAt", Parent),
        ],
    ),
    (
        "QuarterlyGoal",
        &[
            ("id", Parent),
            // Its mentee reads it also after being removed from it (as a prospect's).
            ("program", Reached(Kind::Program)),
            ("quarter", Parent),
            ("kind", Parent),
            ("targetMoney", Parent),
            ("targetValue", Parent),
            ("text", Parent),
            ("actualMoney", Parent),
            ("actualValue", Parent),
            ("attained", Parent),
            ("createdAt", Parent),
            ("updatedAt", Parent),
        ],
    ),
    (
        "Template",
        &[
            ("id", Parent),
            ("name", Parent),
            ("description", Parent),
            ("archived", Parent),
            ("revision", Parent),
            ("createdAt", Parent),
            ("updatedAt", Parent),
            ("owner", Reached(Kind::User)),
            ("latestVersion", Reached(Kind::TemplateVersion)),
            ("publishedVersion", Reached(Kind::TemplateVersion)),
            ("versions", Reached(Kind::TemplateVersion)),
            // What the mutation would answer you: its own policy line and state checks
            // (`access::viewer`).
            ("viewerCanUpdate", Rule(Kind::Template, Action::Change)),
            ("viewerCanPublish", Rule(Kind::Template, Action::Change)),
        ],
    ),
    (
        "TemplateVersion",
        &[
            ("id", Parent),
            ("number", Parent),
            ("status", Parent),
            ("publishedAt", Parent),
            ("createdAt", Parent),
            // Everyone who may see the version reads its template's name.
            ("templateName", Parent),
            // The template itself only for its owner (`null` for everyone else).
            ("template", Rule(Kind::Template, Action::Read)),
            ("criteria", Parent),
            ("thresholdA", Parent),
            ("thresholdB", Parent),
            ("horizonMonths", Parent),
            ("exceptionPolicy", Parent),
            ("knockoutCap", Parent),
        ],
    ),
    (
        "Criterion",
        &[
            ("key", Parent),
            ("label", Parent),
            ("question", Parent),
            ("weight", Parent),
            ("position", Parent),
            ("rule", Parent),
        ],
    ),
    (
        "YesNoRule",
        &[
            ("yesPoints", Parent),
            ("noPoints", Parent),
            ("knockoutOn", Parent),
        ],
    ),
    (
        "ScaleRule",
        &[("min", Parent), ("max", Parent), ("knockoutBelow", Parent)],
    ),
    ("ChoiceRule", &[("options", Parent)]),
    (
        "ChoiceOption",
        &[
            ("key", Parent),
            ("label", Parent),
            ("points", Parent),
            ("knockout", Parent),
        ],
    ),
    (
        "NumberBandsRule",
        &[("bands", Parent), ("knockoutBelow", Parent)],
    ),
    ("NumberBand", &[("min", Parent), ("points", Parent)]),
    (
        "BuiltInTemplate",
        &[
            ("key", Parent),
            ("name", Parent),
            ("description", Parent),
            ("criteria", Parent),
            ("thresholdA", Parent),
            ("thresholdB", Parent),
            ("horizonMonths", Parent),
            ("exceptionPolicy", Parent),
            ("knockoutCap", Parent),
        ],
    ),
    (
        "Program",
        &[
            ("id", Parent),
            ("name", Parent),
            ("description", Parent),
            ("currency", Parent),
            ("archived", Parent),
            ("revision", Parent),
            ("createdAt", Parent),
            ("updatedAt", Parent),
            ("mentor", Reached(Kind::User)),
            ("standard", Reached(Kind::TemplateVersion)),
            // Empty for everyone but the program's mentor.
            ("mentees", Rule(Kind::Program, Action::ReadRoster)),
            ("invites", Rule(Kind::Program, Action::ReadRoster)),
            // What the mutation would answer you: its own policy line and state checks
            // (`access::viewer`).
            ("viewerIsMentor", Parent),
            ("viewerCanUpdate", Rule(Kind::Program, Action::Change)),
            ("viewerCanArchive", Rule(Kind::Program, Action::Change)),
            ("viewerCanInvite", Rule(Kind::Program, Action::Change)),
            (
                "viewerCanCreateProspect",
                Rule(Kind::Prospect, Action::Create),
            ),
        ],
    ),
    (
        "Invite",
        &[
            ("id", Parent),
            ("code", Parent),
            ("maxUses", Parent),
            ("uses", Parent),
            ("expiresAt", Parent),
            ("revoked", Parent),
            ("createdAt", Parent),
            ("usable", Parent),
            ("program", Reached(Kind::Program)),
        ],
    ),
    // A program's roster entry: shown to whoever `Program.mentees` shows it to.
    (
        "Membership",
        &[
            ("mentee", Reached(Kind::User)),
            ("joinedAt", Parent),
            ("removedAt", Parent),
            ("active", Parent),
        ],
    ),
    (
        "Prospect",
        &[
            ("id", Parent),
            ("name", Parent),
            ("company", Parent),
            ("notes", Parent),
            ("status", Parent),
            ("archived", Parent),
            ("revision", Parent),
            ("createdAt", Parent),
            ("updatedAt", Parent),
            ("owner", Reached(Kind::User)),
            // Also for its owner after they were removed from it.
            ("program", Reached(Kind::Program)),
            ("latestQualification", Reached(Kind::Qualification)),
            ("qualifications", Reached(Kind::Qualification)),
            ("decisions", Reached(Kind::Decision)),
            ("requalifyBy", Parent),
            ("requalificationOverdue", Parent),
            // The client's, read as its prospect (`PROSPECT_READ`).
            ("intake", Reached(Kind::Client)),
            ("client", Reached(Kind::Client)),
            // What the mutation would answer you: its own policy line and state checks
            // (`access::viewer`).
            ("viewerCanUpdate", Rule(Kind::Prospect, Action::Change)),
            ("viewerCanArchive", Rule(Kind::Prospect, Action::Change)),
            ("viewerCanQualify", Rule(Kind::Prospect, Action::Change)),
            ("viewerCanDecide", Rule(Kind::Prospect, Action::Change)),
        ],
    ),
    (
        "Intake",
        &[
            ("tier", Parent),
            ("verdict", Parent),
            ("path", Parent),
            ("qualification", Reached(Kind::Qualification)),
            ("templateVersion", Reached(Kind::TemplateVersion)),
        ],
    ),
    (
        "Client",
        &[
            ("takenOn", Parent),
            ("endedOn", Parent),
            ("endReason", Parent),
            ("endNote", Parent),
            ("flaggedForExit", Parent),
            ("revision", Parent),
            ("outcomes", Reached(Kind::OutcomeEntry)),
            // What the mutation would answer you: its own policy line and state checks
            // (`access::viewer`).
            (
                "viewerCanRecordOutcome",
                Rule(Kind::OutcomeEntry, Action::Change),
            ),
            ("viewerCanEnd", Rule(Kind::Client, Action::Change)),
        ],
    ),
    (
        "OutcomeEntry",
        &[
            ("id", Parent),
            ("month", Parent),
            ("quarter", Parent),
            ("revenue", Parent),
            ("hours", Parent),
            ("customHours", Parent),
            ("energy", Parent),
            ("note", Parent),
            ("revision", Parent),
            ("createdAt", Parent),
            ("updatedAt", Parent),
            ("prospect", Reached(Kind::Prospect)),
            // What the mutation would answer you: its own policy line and state checks
            // (`access::viewer`).
            ("viewerCanCorrect", Rule(Kind::OutcomeEntry, Action::Change)),
        ],
    ),
    ("Money", &[("amount", Parent), ("currencyCode", Parent)]),
    // The dashboards: what `Query.dashboard` decided covers every figure; a row's mentee
    // and program are among those it covers.
    (
        "Dashboard",
        &[
            ("from", Parent),
            ("to", Parent),
            ("today", Parent),
            ("figures", Parent),
            ("mentees", Parent),
        ],
    ),
    (
        "DashboardMenteeRow",
        &[
            ("mentee", Reached(Kind::User)),
            ("program", Reached(Kind::Program)),
            ("figures", Parent),
        ],
    ),
    (
        "DashboardFigures",
        &[
            ("prospectsQualified", Parent),
            ("tierMix", Parent),
            ("verdictMix", Parent),
            ("takenOn", Parent),
            ("turnedDown", Parent),
            ("sayNoRateBasisPoints", Parent),
            ("exceptionsRequested", Parent),
            ("exceptionRateBasisPoints", Parent),
            ("exceptionsPending", Parent),
            ("exceptionsApproved", Parent),
            ("exceptionsRejected", Parent),
            ("requalificationsDue", Parent),
            ("requalificationsOverdue", Parent),
            ("clientsFlaggedForExit", Parent),
            ("aShareBasisPoints", Parent),
            ("aShareGoalBasisPoints", Parent),
        ],
    ),
    ("TierCount", &[("tier", Parent), ("count", Parent)]),
    ("VerdictCount", &[("verdict", Parent), ("count", Parent)]),
    // An item of the queue: listed as its prospect is.
    (
        "RequalificationItem",
        &[
            ("prospect", Parent),
            ("client", Parent),
            ("dueOn", Parent),
            ("overdue", Parent),
            ("daysLeft", Parent),
            ("plan", Parent),
            ("flaggedForExit", Parent),
        ],
    ),
    ("RequalificationItemConnection", PAGE),
    ("RequalificationItemEdge", EDGE),
    // An entry of the trail: `auditTrail` decided; its actor is read by the `User` line.
    (
        "AuditEntry",
        &[
            ("id", Parent),
            ("action", Parent),
            ("objectType", Parent),
            ("objectId", Parent),
            ("actor", EachRead),
            ("apiKeyId", Parent),
            ("requestId", Parent),
            ("at", Parent),
        ],
    ),
    ("AuditEntryConnection", PAGE),
    ("AuditEntryEdge", EDGE),
    ("WebhookDeliveryConnection", PAGE),
    ("WebhookDeliveryEdge", EDGE),
    // The analyses: what `Query.feedback` decided covers every figure; the head's
    // prospects are among the clients it covers.
    (
        "FeedbackLoop",
        &[
            ("from", Parent),
            ("to", Parent),
            ("currencyCode", Parent),
            ("clientCount", Parent),
            ("pareto", Parent),
            ("calibration", Parent),
            ("costOfExceptions", Parent),
        ],
    ),
    (
        "ParetoPicture",
        &[
            ("totalRevenue", Parent),
            ("byTier", Parent),
            ("byPath", Parent),
            ("aShareBasisPoints", Parent),
            ("aShareTargetBasisPoints", Parent),
            ("headClientCount", Parent),
            ("headShareOfClientsBasisPoints", Parent),
            ("head", Reached(Kind::Prospect)),
            ("tierFigures", Parent),
        ],
    ),
    (
        "TierRevenue",
        &[
            ("tier", Parent),
            ("revenue", Parent),
            ("shareBasisPoints", Parent),
        ],
    ),
    (
        "PathRevenue",
        &[
            ("path", Parent),
            ("revenue", Parent),
            ("shareBasisPoints", Parent),
        ],
    ),
    (
        "TierFigures",
        &[
            ("tier", Parent),
            ("clients", Parent),
            ("revenuePerHour", Parent),
            ("customWorkShareBasisPoints", Parent),
            ("meanEnergy", Parent),
        ],
    ),
    (
        "Calibration",
        &[
            ("table", Parent),
            ("precisionBasisPoints", Parent),
            ("recallBasisPoints", Parent),
            ("criteria", Parent),
        ],
    ),
    (
        "TierPosition",
        &[("tier", Parent), ("head", Parent), ("tail", Parent)],
    ),
    (
        "CriterionCalibration",
        &[
            ("key", Parent),
            ("scoredWell", Parent),
            ("scoredBelow", Parent),
        ],
    ),
    (
        "CriterionGroup",
        &[("clients", Parent), ("meanMonthlyRevenue", Parent)],
    ),
    (
        "PathCost",
        &[
            ("path", Parent),
            ("clients", Parent),
            ("revenuePerMonth", Parent),
            ("revenuePerHour", Parent),
            ("customWorkShareBasisPoints", Parent),
            ("meanEnergy", Parent),
            ("endedEarlyBasisPoints", Parent),
        ],
    ),
    (
        "Qualification",
        &[
            ("id", Parent),
            ("pathsToA", Parent),
            ("createdAt", Parent),
            ("prospect", Reached(Kind::Prospect)),
            ("templateVersion", Reached(Kind::TemplateVersion)),
            ("qualifiedBy", Reached(Kind::User)),
            ("answers", Parent),
            ("outlook", Parent),
            ("scoringRule", Parent),
            ("score", Parent),
            ("scoreBasisPoints", Parent),
            ("tier", Parent),
            ("uncappedTier", Parent),
            ("knockouts", Parent),
            ("unknowns", Parent),
            ("projectedScore", Parent),
            ("projectedScoreBasisPoints", Parent),
            ("projectedTier", Parent),
            ("projectedKnockouts", Parent),
            ("verdict", Parent),
            ("explanation", Parent),
            ("projectedExplanation", Parent),
            ("requalifyBy", Parent),
            ("plan", Parent),
            ("assumptionShareBasisPoints", Parent),
            ("restsOnAssumptions", Parent),
        ],
    ),
    (
        "Contribution",
        &[
            ("key", Parent),
            ("label", Parent),
            ("points", Parent),
            ("pointsBasisPoints", Parent),
            ("weight", Parent),
            ("contributionBasisPoints", Parent),
            ("knockout", Parent),
            ("unknown", Parent),
        ],
    ),
    (
        "Outlook",
        &[
            ("answers", Parent),
            ("plan", Parent),
            ("requalifyBy", Parent),
        ],
    ),
    (
        "CriterionAnswer",
        &[("key", Parent), ("value", Parent), ("evidence", Parent)],
    ),
    ("Evidence", &[("kind", Parent), ("note", Parent)]),
    (
        "PathsToA",
        &[("status", Parent), ("complete", Parent), ("paths", Parent)],
    ),
    (
        "PathToA",
        &[
            ("changes", Parent),
            ("score", Parent),
            ("scoreBasisPoints", Parent),
        ],
    ),
    (
        "AnswerChange",
        &[
            ("key", Parent),
            ("label", Parent),
            ("from", Parent),
            ("to", Parent),
            ("fromPointsBasisPoints", Parent),
            ("toPointsBasisPoints", Parent),
        ],
    ),
    (
        "WhatIf",
        &[
            ("templateVersion", Reached(Kind::TemplateVersion)),
            ("score", Parent),
            ("scoreBasisPoints", Parent),
            ("tier", Parent),
            ("uncappedTier", Parent),
            ("knockouts", Parent),
            ("unknowns", Parent),
            ("explanation", Parent),
            ("pathsToA", Parent),
        ],
    ),
    (
        "Session",
        &[
            ("id", Parent),
            ("createdAt", Parent),
            ("lastUsedAt", Parent),
            ("expiresAt", Parent),
            ("clientIp", Parent),
            ("userAgent", Parent),
            ("current", Parent),
        ],
    ),
    ("EndSessionsPayload", &[("ended", Parent)]),
    // Listed and made only by their owner (`apiKeys`, `createApiKey`: the `Account` line);
    // the program by its own `Read` line.
    (
        "ApiKey",
        &[
            ("id", Parent),
            ("name", Parent),
            ("prefix", Parent),
            ("access", Parent),
            ("program", EachRead),
            ("expiresAt", Parent),
            ("createdAt", Parent),
            ("lastUsedAt", Parent),
            ("revokedAt", Parent),
        ],
    ),
    (
        "CreateApiKeyPayload",
        &[("apiKey", Parent), ("secret", Parent)],
    ),
    // Listed and changed only by their owner (`webhookEndpoints` and the webhook
    // mutations: the `Account` line); deliveries and attempts are the endpoint's.
    (
        "WebhookEndpoint",
        &[
            ("id", Parent),
            ("url", Parent),
            ("description", Parent),
            ("eventTypes", Parent),
            ("enabled", Parent),
            ("disabledReason", Parent),
            ("failingSince", Parent),
            ("previousSecretSignsUntil", Parent),
            ("createdAt", Parent),
            ("updatedAt", Parent),
            ("deliveries", Parent),
        ],
    ),
    (
        "WebhookDelivery",
        &[
            ("id", Parent),
            ("eventId", Parent),
            ("eventType", Parent),
            ("state", Parent),
            ("attemptCount", Parent),
            ("nextAttemptAt", Parent),
            ("lastAttemptAt", Parent),
            ("lastStatusCode", Parent),
            ("lastDurationMs", Parent),
            ("lastError", Parent),
            ("deliveredAt", Parent),
            ("createdAt", Parent),
            ("attempts", Parent),
        ],
    ),
    (
        "WebhookAttempt",
        &[
            ("number", Parent),
            ("startedAt", Parent),
            ("statusCode", Parent),
            ("durationMs", Parent),
            ("error", Parent),
        ],
    ),
    (
        "WebhookSecretPayload",
        &[("endpoint", Parent), ("secret", Parent)],
    ),
    ("YesNoAnswer", &[("yes", Parent)]),
    ("ScaleAnswer", &[("scale", Parent)]),
    ("ChoiceAnswer", &[("choice", Parent)]),
    ("NumberAnswer", &[("number", Parent)]),
    ("UnknownAnswer", &[("unknown", Parent)]),
    (
        "Decision",
        &[
            ("id", Parent),
            ("decision", Parent),
            ("reason", Parent),
            ("biasCheck", Parent),
            ("isException", Parent),
            ("createdAt", Parent),
            ("prospect", Reached(Kind::Prospect)),
            ("qualification", Reached(Kind::Qualification)),
            ("decidedBy", Reached(Kind::User)),
            ("exceptionRequest", Reached(Kind::ExceptionRequest)),
        ],
    ),
    (
        "BiasCheck",
        &[
            ("flattered", Parent),
            ("wantsToPlease", Parent),
            ("fearsLosingWork", Parent),
            ("onlyBecauseWeCan", Parent),
            ("needsCustomWork", Parent),
        ],
    ),
    (
        "ExceptionRequest",
        &[
            ("id", Parent),
            ("status", Parent),
            ("note", Parent),
            ("reviewedAt", Parent),
            ("createdAt", Parent),
            ("prospect", Reached(Kind::Prospect)),
            ("program", Reached(Kind::Program)),
            ("decision", Reached(Kind::Decision)),
            ("reviewer", Reached(Kind::User)),
            // What the mutation would answer you: its own policy line and state checks
            // (`access::viewer`).
            (
                "viewerCanReview",
                Rule(Kind::ExceptionRequest, Action::Change),
            ),
        ],
    ),
    // Lists and their pages: what the list or field above them decided.
    (
        "PageInfo",
        &[
            ("hasPreviousPage", Parent),
            ("hasNextPage", Parent),
            ("startCursor", Parent),
            ("endCursor", Parent),
        ],
    ),
    ("ProgramConnection", PAGE),
    ("ProgramEdge", EDGE),
    ("TemplateConnection", PAGE),
    ("TemplateEdge", EDGE),
    ("ProspectConnection", PAGE),
    ("ProspectEdge", EDGE),
    ("ExceptionRequestConnection", PAGE),
    ("ExceptionRequestEdge", EDGE),
    ("QualificationConnection", PAGE),
    ("QualificationEdge", EDGE),
    ("MembershipConnection", PAGE),
    ("MembershipEdge", EDGE),
    ("DecisionConnection", PAGE),
    ("DecisionEdge", EDGE),
    ("InviteConnection", PAGE),
    ("InviteEdge", EDGE),
    ("TemplateVersionConnection", PAGE),
    ("TemplateVersionEdge", EDGE),
    ("OutcomeEntryConnection", PAGE),
    ("OutcomeEntryEdge", EDGE),
    // Mutation results: the mutation decided; they show what it changed.
    (
        "AuthPayload",
        &[
            ("accessToken", Parent),
            ("refreshToken", Parent),
            ("expiresIn", Parent),
            // The user just signed in, who reads their own e-mail (the `Email` line with
            // that user as the reader).
            ("user", Reached(Kind::User)),
        ],
    ),
    ("JoinProgramPayload", &[("program", Reached(Kind::Program))]),
    ("LogoutPayload", &[("ok", Parent)]),
    ("DeleteAccountPayload", &[("deletedUserId", Parent)]),
    (
        "TemplatePayload",
        &[
            ("template", Reached(Kind::Template)),
            ("version", Reached(Kind::TemplateVersion)),
        ],
    ),
    (
        "ArchiveTemplatePayload",
        &[("template", Reached(Kind::Template))],
    ),
    ("ProgramPayload", &[("program", Reached(Kind::Program))]),
    (
        "SetProgramCurrencyPayload",
        &[("program", Reached(Kind::Program))],
    ),
    (
        "RecordOutcomePayload",
        &[
            ("outcome", Reached(Kind::OutcomeEntry)),
            ("prospect", Reached(Kind::Prospect)),
        ],
    ),
    (
        "CorrectOutcomePayload",
        &[("outcome", Reached(Kind::OutcomeEntry))],
    ),
    ("EndClientPayload", &[("prospect", Reached(Kind::Prospect))]),
    ("InvitePayload", &[("invite", Reached(Kind::Invite))]),
    ("SetBhagPayload", &[("bhag", Reached(Kind::Bhag))]),
    ("ClearBhagPayload", &[("cleared", Parent)]),
    ("QuarterlyGoalPayload", &[("goal", Reached(Kind::Goal))]),
    ("DeleteQuarterlyGoalPayload", &[("deletedGoalId", Parent)]),
    (
        "RemoveMenteePayload",
        &[
            ("program", Reached(Kind::Program)),
            ("removedMenteeId", Parent),
        ],
    ),
    (
        "ReviewExceptionPayload",
        &[
            ("exceptionRequest", Reached(Kind::ExceptionRequest)),
            ("prospect", Reached(Kind::Prospect)),
        ],
    ),
    ("ProspectPayload", &[("prospect", Reached(Kind::Prospect))]),
    (
        "QualifyProspectPayload",
        &[
            ("qualification", Reached(Kind::Qualification)),
            ("prospect", Reached(Kind::Prospect)),
        ],
    ),
    (
        "DecideProspectPayload",
        &[
            ("decision", Reached(Kind::Decision)),
            ("prospect", Reached(Kind::Prospect)),
            ("exceptionRequest", Reached(Kind::ExceptionRequest)),
        ],
    ),
];

/// The guard of `field` on `type_name`, if the table has one.
#[must_use]
pub fn guard(type_name: &str, field: &str) -> Option<Guard> {
    FIELDS
        .iter()
        .find(|(name, _)| *name == type_name)
        .and_then(|(_, fields)| fields.iter().find(|(f, _)| *f == field))
        .map(|(_, guard)| *guard)
}

#[cfg(test)]
mod tests;
