//! `Query.dashboard`: a mentor's programs (one or all) or a mentee's own prospects over a
//! window of dates, with one row per mentee and program for a mentor. The counts come from
//! `store::dashboard` (five statements, grouped by mentee and program); the rates, totals
//! and order are `domain::dashboard`'s.

use std::collections::HashMap;

use async_graphql::{Context, Enum, ID, InputObject, Object};
use domain::Currency;
use domain::dashboard::{DateWindow, Figures, MenteeRow, OrderField, WindowError};
use domain::policy::{self, Programs};
use store::feedback::FeedbackScope;
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};
use crate::graphql::access;
use crate::graphql::context::db;
use crate::graphql::ids::{self, Kind};
use crate::graphql::load;
use crate::graphql::loaders::{ProgramId, UserId};
use crate::graphql::types::enums::{OrderDirection, Tier, Verdict};
use crate::graphql::types::program::Program;
use crate::graphql::types::scalars::Date;
use crate::graphql::types::user::User;

/// The A-share goal shown against `mentee`'s A-share over `window` (`None`: a dashboard
/// of several mentees): the method's target for now.
///
/// The `A_SHARE` goal a row is measured against: the mentee's own quarterly goal in that
/// program for the quarter of the window's last day, else the method's target.
fn a_share_goal_bp(goals: &HashMap<(Uuid, Uuid), u32>, program: Uuid, mentee: Uuid) -> u32 {
    goals
        .get(&(program, mentee))
        .copied()
        .unwrap_or(domain::dashboard::A_SHARE_GOAL_BP)
}

/// A dashboard: its window, whose it is, and the rows it sums.
pub struct Dashboard {
    window: DateWindow,
    today: chrono::NaiveDate,
    /// A mentor's dashboard has rows; a mentee's own has none.
    for_mentor: bool,
    rows: Vec<MenteeRow>,
    currencies: Vec<Currency>,
    /// The `A_SHARE` goals of the rows' mentees in their programs, by (program, mentee),
    /// for the quarter of the window's last day.
    goals: HashMap<(Uuid, Uuid), u32>,
}

/// The dashboard the actor asked for, after the policy's `Dashboard` line.
///
/// # Errors
/// `BAD_USER_INPUT` on `from` (after `to`) or `to` (more than five years after `from`);
/// `NOT_FOUND` for a program or mentee the actor may not see figures of;
/// `UNAUTHENTICATED` without a token.
pub async fn dashboard(
    ctx: &Context<'_>,
    from: Date,
    to: Date,
    program_id: Option<ID>,
    mentee_id: Option<ID>,
) -> ApiResult<Dashboard> {
    let (_, visible) = access::visibility(ctx, policy::Kind::Dashboard)?;
    let window = DateWindow::new(from.0, to.0).map_err(|e| match e {
        WindowError::StartsAfterEnd(e) => ApiError::BadInput(vec![e.at("from")]),
        WindowError::TooLong(e) => ApiError::BadInput(vec![e.at("to")]),
    })?;
    let mut scope = FeedbackScope {
        owner: visible.owner,
        program: visible.program,
        mentor: None,
    };
    let for_mentor = match visible.programs {
        Programs::RunBy(mentor) => {
            scope.mentor = Some(mentor);
            true
        }
        Programs::Any => false,
        Programs::EnrolledIn(_) => {
            return Err(ApiError::internal("a Dashboard list by enrolment"));
        }
    };
    if let Some(id) = &program_id {
        let program = access::program(ctx, ids::decode(Kind::Program, id)?)
            .await?
            .ok_or(ApiError::NotFound)?;
        scope.program = Some(program.id);
    }
    if let Some(id) = &mentee_id {
        let mentee = ids::decode(Kind::User, id)?;
        match scope.owner {
            // A mentee sees only their own figures.
            Some(owner) if owner != mentee => return Err(ApiError::NotFound),
            Some(_) => {}
            None => {
                let user = access::user(ctx, mentee).await?.ok_or(ApiError::NotFound)?;
                if user.role != store::Role::Mentee {
                    return Err(ApiError::NotFound);
                }
                scope.owner = Some(user.id);
            }
        }
    }
    let today = chrono::Utc::now().date_naive();
    let found = store::dashboard::rows(db(ctx)?, scope, window, today).await?;
    let mut currencies: Vec<Currency> = found
        .iter()
        .filter(|r| r.figures.revenue_minor > 0)
        .map(|r| r.currency)
        .collect();
    currencies.sort_by_key(|c| c.code());
    currencies.dedup();
    let rows: Vec<MenteeRow> = found
        .into_iter()
        .filter(|r| r.enrolled || r.figures.has_data())
        .map(|r| MenteeRow {
            mentee: r.mentee,
            program: r.program,
            figures: r.figures,
        })
        .collect();
    let goals = goals_of(ctx, &rows, window).await?;
    Ok(Dashboard {
        window,
        today,
        for_mentor,
        rows,
        currencies,
        goals,
    })
}

/// The rows' `A_SHARE` goals for the quarter of the window's last day: one statement,
/// none without rows.
async fn goals_of(
    ctx: &Context<'_>,
    rows: &[MenteeRow],
    window: DateWindow,
) -> ApiResult<HashMap<(Uuid, Uuid), u32>> {
    let mut programs: Vec<Uuid> = rows.iter().map(|r| r.program).collect();
    programs.sort_unstable();
    programs.dedup();
    if programs.is_empty() {
        return Ok(HashMap::new());
    }
    let quarter = domain::Quarter::of(domain::Month::of(window.to()));
    Ok(store::goals::a_share_goals(db(ctx)?, &programs, quarter)
        .await?
        .into_iter()
        .map(|(key, bp)| (key, bp.get()))
        .collect())
}

/// A coaching dashboard over a window of dates (both included): a mentor's programs (all
/// of them or one) or a mentee's own prospects. Window figures count what was recorded on
/// the window's dates (UTC); re-qualifications and exit flags are as of `today`.
#[Object]
impl Dashboard {
    /// The window's first date.
    async fn from(&self) -> Date {
        Date(self.window.from())
    }
    /// The window's last date (included).
    async fn to(&self) -> Date {
        Date(self.window.to())
    }
    /// The date (UTC) the re-qualification figures are as of.
    async fn today(&self) -> Date {
        Date(self.today)
    }
    /// The dashboard's figures: the sum of its mentees' rows (for a mentee, their own).
    async fn figures(&self) -> DashboardFigures {
        DashboardFigures {
            figures: domain::dashboard::total(self.rows.iter().map(|r| &r.figures)),
            mixed_currencies: self.currencies.len() > 1,
            // One mentee in one program: their own goal; several: the method's target.
            goal_bp: match self.rows.as_slice() {
                [only] => a_share_goal_bp(&self.goals, only.program, only.mentee),
                _ => domain::dashboard::A_SHARE_GOAL_BP,
            },
        }
    }
    /// A mentor's dashboard: one row per mentee and program of the dashboard's programs —
    /// every mentee enrolled now, with or without activity, and a mentee removed from a
    /// program only when one of their figures there is not zero (something in the window,
    /// or a client's re-qualification due or overdue today), so that `figures` is exactly
    /// the sum of the rows. Narrowed by `menteeId`, only that mentee's rows. Ordered by
    /// `orderBy` (by default prospects qualified, descending), ties by mentee id then
    /// program id, ascending. A mentee's own dashboard has no rows: its figures are
    /// `figures`.
    async fn mentees(
        &self,
        #[graphql(desc = "The order; by default prospects qualified, most first.")]
        order_by: Option<DashboardMenteeOrder>,
    ) -> Vec<DashboardMenteeRow> {
        if !self.for_mentor {
            return Vec::new();
        }
        let order = order_by.unwrap_or_default();
        let mut rows = self.rows.clone();
        domain::dashboard::sort_rows(
            &mut rows,
            order.field.into(),
            order.direction == OrderDirection::Desc,
        );
        rows.into_iter()
            .map(|row| DashboardMenteeRow {
                figures: DashboardFigures {
                    figures: row.figures,
                    mixed_currencies: false,
                    goal_bp: a_share_goal_bp(&self.goals, row.program, row.mentee),
                },
                row,
            })
            .collect()
    }
}

/// One mentee's figures in one program.
pub struct DashboardMenteeRow {
    row: MenteeRow,
    figures: DashboardFigures,
}

/// One mentee in one program of a mentor's dashboard.
#[Object]
impl DashboardMenteeRow {
    /// The mentee.
    async fn mentee(&self, ctx: &Context<'_>) -> ApiResult<User> {
        Ok(User::new(
            load::existing(ctx, UserId(self.row.mentee)).await?,
        ))
    }
    /// The program.
    async fn program(&self, ctx: &Context<'_>) -> ApiResult<Program> {
        Ok(Program(
            load::existing(ctx, ProgramId(self.row.program)).await?,
        ))
    }
    /// The mentee's figures in the program.
    async fn figures(&self) -> &DashboardFigures {
        &self.figures
    }
}

/// The figures of a dashboard or of one of its rows.
pub struct DashboardFigures {
    figures: Figures,
    mixed_currencies: bool,
    goal_bp: u32,
}

/// What a dashboard counts. "In the window": recorded on one of its dates (UTC).
/// Rates are basis points (10000 = 100 %), rounded down.
#[Object]
impl DashboardFigures {
    /// Distinct prospects with at least one qualification in the window.
    async fn prospects_qualified(&self) -> u32 {
        self.figures.prospects_qualified
    }
    /// The prospects of `prospectsQualified` by the tier of their latest qualification in
    /// the window (a later one, after the window, does not count): `A`, `B`, `C`, always
    /// all three; they sum to `prospectsQualified`.
    async fn tier_mix(&self) -> Vec<TierCount> {
        let f = &self.figures;
        vec![
            TierCount {
                tier: Tier::A,
                count: f.tier_a,
            },
            TierCount {
                tier: Tier::B,
                count: f.tier_b,
            },
            TierCount {
                tier: Tier::C,
                count: f.tier_c,
            },
        ]
    }
    /// The same prospects by the verdict of that latest qualification: `ACCEPT`,
    /// `ACCEPT_WITH_PLAN`, `DECLINE`, always all three; they sum to `prospectsQualified`.
    async fn verdict_mix(&self) -> Vec<VerdictCount> {
        let f = &self.figures;
        vec![
            VerdictCount {
                verdict: Verdict::Accept,
                count: f.accept,
            },
            VerdictCount {
                verdict: Verdict::AcceptWithPlan,
                count: f.accept_with_plan,
            },
            VerdictCount {
                verdict: Verdict::Decline,
                count: f.decline,
            },
        ]
    }
    /// `TAKE_ON` decisions in the window, exceptions included whatever their review.
    async fn taken_on(&self) -> u32 {
        self.figures.taken_on
    }
    /// `TURN_DOWN` decisions in the window.
    async fn turned_down(&self) -> u32 {
        self.figures.turned_down
    }
    /// `turnedDown * 10000 / (takenOn + turnedDown)`, rounded down; `null` without
    /// decisions in the window.
    async fn say_no_rate_basis_points(&self) -> Option<u32> {
        self.figures.say_no_rate().map(|b| b.get())
    }
    /// Exceptions requested in the window (take-ons against a `DECLINE` verdict), whatever
    /// their status now: `exceptionsPending + exceptionsApproved + exceptionsRejected`.
    async fn exceptions_requested(&self) -> u32 {
        self.figures.exceptions_requested()
    }
    /// `exceptionsRequested * 10000 / takenOn`, rounded down; `null` without take-ons in
    /// the window.
    async fn exception_rate_basis_points(&self) -> Option<u32> {
        self.figures.exception_rate().map(|b| b.get())
    }
    /// Exceptions requested in the window and still waiting for the mentor's review.
    async fn exceptions_pending(&self) -> u32 {
        self.figures.exceptions_pending
    }
    /// Exceptions requested in the window and approved since.
    async fn exceptions_approved(&self) -> u32 {
        self.figures.exceptions_approved
    }
    /// Exceptions requested in the window and rejected since.
    async fn exceptions_rejected(&self) -> u32 {
        self.figures.exceptions_rejected
    }
    /// As of today, not the window: clients not ended whose re-qualification date is
    /// today or within the next 30 days.
    async fn requalifications_due(&self) -> u32 {
        self.figures.requalifications_due
    }
    /// As of today: clients not ended whose re-qualification date is before today.
    async fn requalifications_overdue(&self) -> u32 {
        self.figures.requalifications_overdue
    }
    /// As of today: clients flagged for exit (`Client.flaggedForExit`: not ended, the
    /// re-qualification date passed), which are the overdue ones.
    async fn clients_flagged_for_exit(&self) -> u32 {
        self.figures.flagged_for_exit
    }
    /// The revenue share of clients that were A at intake, over the outcome entries of the
    /// calendar months the window touches (of clients whose span overlaps those months, as
    /// in `FeedbackLoop`): A revenue * 10000 / all revenue, rounded down; `null` without
    /// revenue. `null` with a `BAD_USER_INPUT` error on `programId` when the revenue is in
    /// more than one currency (programs in different currencies): choose a program.
    async fn a_share_basis_points(&self) -> ApiResult<Option<u32>> {
        if self.mixed_currencies {
            return Err(ApiError::bad_field(
                "programId",
                "programs use different currencies: choose a program",
            ));
        }
        Ok(self.figures.a_share().map(|b| b.get()))
    }
    /// The A-share goal `aShareBasisPoints` is measured against: for one mentee in one
    /// program (a row, or a dashboard that covers only that), their own `A_SHARE`
    /// quarterly goal there for the quarter of the window's last day; otherwise, or
    /// without such a goal, the method's target, 8000 (80 %).
    async fn a_share_goal_basis_points(&self) -> u32 {
        self.goal_bp
    }
}

/// How many prospects have a tier.
#[derive(async_graphql::SimpleObject)]
pub struct TierCount {
    /// The tier.
    pub tier: Tier,
    /// How many.
    pub count: u32,
}

/// How many prospects have a verdict.
#[derive(async_graphql::SimpleObject)]
pub struct VerdictCount {
    /// The verdict.
    pub verdict: Verdict,
    /// How many.
    pub count: u32,
}

/// What a dashboard's mentee rows can be sorted by: each figure of `DashboardFigures`.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Default)]
pub enum DashboardMenteeOrderField {
    /// `prospectsQualified`.
    #[default]
    ProspectsQualified,
    /// The `A` count of `tierMix`.
    TierA,
    /// The `B` count of `tierMix`.
    TierB,
    /// The `C` count of `tierMix`.
    TierC,
    /// The `ACCEPT` count of `verdictMix`.
    Accept,
    /// The `ACCEPT_WITH_PLAN` count of `verdictMix`.
    AcceptWithPlan,
    /// The `DECLINE` count of `verdictMix`.
    Decline,
    /// `takenOn`.
    TakenOn,
    /// `turnedDown`.
    TurnedDown,
    /// `sayNoRateBasisPoints` (`null` below every value).
    SayNoRate,
    /// `exceptionRateBasisPoints` (`null` below every value).
    ExceptionRate,
    /// `exceptionsPending`.
    ExceptionsPending,
    /// `exceptionsApproved`.
    ExceptionsApproved,
    /// `exceptionsRejected`.
    ExceptionsRejected,
    /// `requalificationsDue`.
    RequalificationsDue,
    /// `requalificationsOverdue`.
    RequalificationsOverdue,
    /// `clientsFlaggedForExit`.
    ClientsFlaggedForExit,
    /// `aShareBasisPoints` (`null` below every value).
    AShare,
}

impl From<DashboardMenteeOrderField> for OrderField {
    fn from(field: DashboardMenteeOrderField) -> Self {
        use DashboardMenteeOrderField as F;
        match field {
            F::ProspectsQualified => Self::ProspectsQualified,
            F::TierA => Self::TierA,
            F::TierB => Self::TierB,
            F::TierC => Self::TierC,
            F::Accept => Self::Accept,
            F::AcceptWithPlan => Self::AcceptWithPlan,
            F::Decline => Self::Decline,
            F::TakenOn => Self::TakenOn,
            F::TurnedDown => Self::TurnedDown,
            F::SayNoRate => Self::SayNoRate,
            F::ExceptionRate => Self::ExceptionRate,
            F::ExceptionsPending => Self::ExceptionsPending,
            F::ExceptionsApproved => Self::ExceptionsApproved,
            F::ExceptionsRejected => Self::ExceptionsRejected,
            F::RequalificationsDue => Self::RequalificationsDue,
            F::RequalificationsOverdue => Self::RequalificationsOverdue,
            F::ClientsFlaggedForExit => Self::FlaggedForExit,
            F::AShare => Self::AShare,
        }
    }
}

/// How a dashboard's mentee rows are sorted.
#[derive(InputObject, Default)]
pub struct DashboardMenteeOrder {
    /// What to sort by.
    #[graphql(default)]
    pub field: DashboardMenteeOrderField,
    /// Ascending or descending (ties always by mentee id, then program id, ascending).
    #[graphql(default)]
    pub direction: OrderDirection,
}
