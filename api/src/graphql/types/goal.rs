//! Goals: a mentee's BHAG (`User.bhag`) and quarterly goals (`User.quarterlyGoals`), each
//! numeric goal with its actual for the quarter, computed from outcome entries and
//! decisions (`store::goals::quarter_figures`, `domain::actual`), never typed in.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::{Context, Enum, ID, Object};
use domain::{GoalKind as Kind, GoalTarget, QuarterFigures};
use tokio::sync::OnceCell;

use crate::error::{ApiError, ApiResult};
use crate::graphql::access;
use crate::graphql::context::db;
use crate::graphql::ids;
use crate::graphql::load;
use crate::graphql::loaders::ProgramId;
use crate::graphql::types::datetime::DateTime;
use crate::graphql::types::money::Money;
use crate::graphql::types::program::Program;
use crate::graphql::types::units::{Decimal, Quarter};
use crate::graphql::types::user::User;

/// What a quarterly goal measures.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "domain::GoalKind")]
pub enum GoalKind {
    /// Revenue of your clients in the program in the quarter's three months (the sum of
    /// their outcome entries), in the program's currency. Target: `targetMoney`.
    Revenue,
    /// The share of that revenue from clients that were A at intake, in basis points,
    /// rounded down (no actual without revenue). Target: `targetValue`, 0 to 10000.
    AShare,
    /// Clients taken on in the quarter (by the rule, or an exception once approved) whose
    /// intake tier was A. Target: `targetValue`, a count.
    AClientsTakenOn,
    /// Prospects turned down in the quarter (`TURN_DOWN` decisions). Target:
    /// `targetValue`, a count.
    SayNoCount,
    /// Free text (`text`): no target number, no actual.
    Text,
}

/// A mentee's big hairy audacious goal.
pub struct Bhag(pub Arc<store::Bhag>);

/// A mentee's BHAG: where the firm is meant to be in `targetYear`, optionally as a number
/// with its unit.
#[Object]
impl Bhag {
    /// The goal, in the mentee's words.
    async fn statement(&self) -> &str {
        self.0.bhag.statement.as_str()
    }
    /// The year it is meant for.
    async fn target_year(&self) -> i32 {
        self.0.bhag.target_year
    }
    /// The numeric target, exact, as typed; `null` when the BHAG has none.
    async fn target_number(&self) -> Option<Decimal> {
        self.0.bhag.target.as_ref().map(|(n, _)| Decimal(n.clone()))
    }
    /// The unit of `targetNumber` (`EUR revenue`, `employees`); `null` without one.
    async fn target_unit(&self) -> Option<&str> {
        self.0.bhag.target.as_ref().map(|(_, u)| u.as_str())
    }
    /// When it was first set.
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }
    /// When it was last set.
    async fn updated_at(&self) -> DateTime {
        DateTime(self.0.updated_at)
    }
}

/// A quarterly goal, with the figures of its quarter once computed (preset for a whole
/// list by [`with_actuals`], computed alone otherwise).
pub struct QuarterlyGoal {
    pub row: Arc<store::QuarterlyGoal>,
    figures: Arc<OnceCell<QuarterFigures>>,
}

impl QuarterlyGoal {
    pub fn new(row: Arc<store::QuarterlyGoal>) -> Self {
        Self {
            row,
            figures: Arc::new(OnceCell::new()),
        }
    }

    fn goal_kind(&self) -> Kind {
        self.row.target.kind()
    }

    /// The goal's actual in its target's units (`domain::actual`).
    async fn actual(&self, ctx: &Context<'_>) -> ApiResult<Option<u64>> {
        let kind = self.goal_kind();
        if !kind.is_numeric() {
            return Ok(None);
        }
        let figures = self
            .figures
            .get_or_try_init(|| async {
                let key = self.row.key();
                let found = store::goals::quarter_figures(db(ctx)?, &[key], &[kind]).await?;
                Ok::<_, ApiError>(found.get(&key).copied().unwrap_or_default())
            })
            .await?;
        Ok(domain::actual(kind, figures))
    }

    async fn currency(&self, ctx: &Context<'_>) -> ApiResult<domain::Currency> {
        let program = load::existing(ctx, ProgramId(self.row.program_id)).await?;
        Ok(program.currency)
    }
}

/// The goals, each with its actual when `actuals` (the selection asks for one): every
/// figure in at most three `GROUP BY` statements, whatever the number of goals.
///
/// # Errors
/// `INTERNAL` when the database fails.
pub async fn with_actuals(
    ctx: &Context<'_>,
    rows: Vec<store::QuarterlyGoal>,
    actuals: bool,
) -> ApiResult<Vec<QuarterlyGoal>> {
    let goals: Vec<QuarterlyGoal> = rows
        .into_iter()
        .map(|r| QuarterlyGoal::new(Arc::new(r)))
        .collect();
    let numeric: Vec<&QuarterlyGoal> = goals
        .iter()
        .filter(|g| g.goal_kind().is_numeric())
        .collect();
    if !actuals || numeric.is_empty() {
        return Ok(goals);
    }
    let keys: Vec<_> = numeric.iter().map(|g| g.row.key()).collect();
    let mut kinds: Vec<Kind> = numeric.iter().map(|g| g.goal_kind()).collect();
    kinds.sort_unstable();
    kinds.dedup();
    let figures: HashMap<_, _> = store::goals::quarter_figures(db(ctx)?, &keys, &kinds).await?;
    for goal in numeric {
        let found = figures.get(&goal.row.key()).copied().unwrap_or_default();
        // Freshly made: nothing can have set it.
        let _ = goal.figures.set(found);
    }
    Ok(goals)
}

/// Whether a list's selection (`look`) reads a goal's actual.
pub fn wants_actuals(look: &async_graphql::Lookahead<'_>) -> bool {
    ["actualMoney", "actualValue", "attained"]
        .iter()
        .any(|f| look.field(f).exists())
}

fn narrow(value: Option<u64>) -> Option<i32> {
    value.map(|v| i32::try_from(v).unwrap_or(i32::MAX))
}

/// A mentee's goal for one quarter in one program: a target of its kind and, for the
/// numeric kinds, the quarter's actual, computed from the program's outcome entries and
/// decisions.
#[Object]
impl QuarterlyGoal {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        ids::encode(ids::Kind::QuarterlyGoal, self.row.id)
    }
    /// The program the goal is in: its currency and its clients count.
    async fn program(&self, ctx: &Context<'_>) -> ApiResult<Program> {
        Ok(Program(
            load::existing(ctx, ProgramId(self.row.program_id)).await?,
        ))
    }
    /// The quarter.
    async fn quarter(&self) -> Quarter {
        Quarter(self.row.quarter)
    }
    /// What it measures.
    async fn kind(&self) -> GoalKind {
        self.goal_kind().into()
    }
    /// The target of a `REVENUE` goal, in the program's currency; `null` for other kinds.
    async fn target_money(&self, ctx: &Context<'_>) -> ApiResult<Option<Money>> {
        match &self.row.target {
            GoalTarget::Revenue(r) => Ok(Some(Money::of(r.minor(), self.currency(ctx).await?))),
            _ => Ok(None),
        }
    }
    /// The target of an `A_SHARE` goal (basis points) or a count goal; `null` for
    /// `REVENUE` and `TEXT`.
    async fn target_value(&self) -> Option<i32> {
        match &self.row.target {
            GoalTarget::AShare(_) | GoalTarget::Count(..) => narrow(self.row.target.value()),
            _ => None,
        }
    }
    /// The goal of a `TEXT` goal; `null` for the numeric kinds.
    async fn text(&self) -> Option<&str> {
        match &self.row.target {
            GoalTarget::Text(text) => Some(text.as_str()),
            _ => None,
        }
    }
    /// A `REVENUE` goal's actual: the revenue of the quarter's outcome entries of your
    /// clients in the program; `null` for other kinds.
    async fn actual_money(&self, ctx: &Context<'_>) -> ApiResult<Option<Money>> {
        if self.goal_kind() != Kind::Revenue {
            return Ok(None);
        }
        let Some(minor) = self.actual(ctx).await? else {
            return Ok(None);
        };
        Ok(Some(Money::of_unsigned(minor, self.currency(ctx).await?)))
    }
    /// The actual of an `A_SHARE` goal (basis points, rounded down; `null` without
    /// revenue in the quarter) or a count goal; `null` for `REVENUE` and `TEXT`.
    async fn actual_value(&self, ctx: &Context<'_>) -> ApiResult<Option<i32>> {
        if matches!(self.goal_kind(), Kind::Revenue | Kind::Text) {
            return Ok(None);
        }
        Ok(narrow(self.actual(ctx).await?))
    }
    /// Whether the actual reached the target (actual >= target); `null` for `TEXT` and
    /// without an actual.
    async fn attained(&self, ctx: &Context<'_>) -> ApiResult<Option<bool>> {
        let actual = self.actual(ctx).await?;
        Ok(domain::attained(&self.row.target, actual))
    }
    /// When it was set.
    async fn created_at(&self) -> DateTime {
        DateTime(self.row.created_at)
    }
    /// When its target last changed.
    async fn updated_at(&self) -> DateTime {
        DateTime(self.row.updated_at)
    }
}

/// `User.bhag`: the BHAG of `user`, for whoever may read it (else `null`).
///
/// # Errors
/// `INTERNAL` when the database fails.
pub async fn bhag_of(ctx: &Context<'_>, user: &User) -> ApiResult<Option<Bhag>> {
    if !access::may_see_bhag(ctx, &user.row).await? {
        return Ok(None);
    }
    let found = store::goals::bhag_of(db(ctx)?, user.row.id).await?;
    Ok(found.map(|b| Bhag(Arc::new(b))))
}

/// `User.quarterlyGoals`: the user's goals the reader may see, narrowed by quarter and
/// program.
///
/// # Errors
/// `NOT_FOUND` for a malformed `programId`; `INTERNAL` when the database fails.
pub async fn goals_of(
    ctx: &Context<'_>,
    user: &User,
    quarter: Option<Quarter>,
    program_id: Option<&ID>,
) -> ApiResult<Vec<QuarterlyGoal>> {
    let (_, visible) = access::visibility(ctx, domain::policy::Kind::Goal)?;
    let program_id = program_id
        .map(|id| ids::decode(ids::Kind::Program, id))
        .transpose()?;
    let scope = store::GoalScope {
        mentee_id: user.row.id,
        quarter: quarter.map(|q| q.0),
        program_id,
    };
    let rows = store::goals::goals_of(db(ctx)?, &visible, scope).await?;
    with_actuals(ctx, rows, wants_actuals(&ctx.look_ahead())).await
}
