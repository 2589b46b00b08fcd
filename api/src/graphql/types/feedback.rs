//! The feedback loop's analyses over a window of months: the Pareto picture, the
//! calibration of the intake and the cost of exceptions. The figures come from two
//! `GROUP BY` statements (`store::feedback`); the rules and their rounding are
//! `domain`'s (`pareto`, `calibration`, `criteria_from_sums`, `cost_of_exceptions`).

use async_graphql::{Context, ID, Object};
use domain::policy::{self, Programs};
use domain::{ClientFigures, Currency, MonthWindow};
use store::feedback::FeedbackScope;

use crate::error::{ApiError, ApiResult};
use crate::graphql::access;
use crate::graphql::context::db;
use crate::graphql::ids::{self, Kind};
use crate::graphql::load;
use crate::graphql::loaders::ProspectId;
use crate::graphql::types::money::Money;
use crate::graphql::types::prospect::Prospect;
use crate::graphql::types::units::{CurrencyCode, Month, hundredths};

mod rows;

pub use rows::{
    CriterionCalibration, CriterionGroup, PathCost, PathRevenue, TierFigures, TierPosition,
    TierRevenue,
};

/// The A-share the method promises: 80 % of revenue from A-clients (the dashboard's
/// default goal too).
pub const A_SHARE_TARGET_BP: u32 = domain::dashboard::A_SHARE_GOAL_BP;

/// The analyses of one set of clients over one window.
pub struct FeedbackLoop {
    window: MonthWindow,
    currency: Currency,
    scope: FeedbackScope,
    clients: Vec<ClientFigures>,
    pareto: domain::Pareto,
}

/// The clients the actor asked about, after the policy's `Feedback` line, and the window.
///
/// # Errors
/// `BAD_USER_INPUT` on `from`/`to` for a window `domain::MonthWindow` refuses, on
/// `programId` when the clients' programs use different currencies; `NOT_FOUND` for a
/// program or mentee the actor may not analyse; `UNAUTHENTICATED` without a token.
pub async fn feedback(
    ctx: &Context<'_>,
    from: Month,
    to: Month,
    program_id: Option<ID>,
    mentee_id: Option<ID>,
) -> ApiResult<FeedbackLoop> {
    let (_, visible) = access::visibility(ctx, policy::Kind::Feedback)?;
    let window = MonthWindow::new(from.0, to.0).map_err(|e| {
        let field = if from.0 > to.0 { "from" } else { "to" };
        ApiError::BadInput(vec![e.at(field)])
    })?;
    let mut scope = FeedbackScope {
        owner: visible.owner,
        program: visible.program,
        mentor: None,
    };
    match visible.programs {
        Programs::RunBy(mentor) => scope.mentor = Some(mentor),
        Programs::Any => {}
        Programs::EnrolledIn(_) => {
            return Err(ApiError::internal("a Feedback list by enrolment"));
        }
    }
    let mut program_currency = None;
    if let Some(id) = &program_id {
        let program = access::program(ctx, ids::decode(Kind::Program, id)?)
            .await?
            .ok_or(ApiError::NotFound)?;
        scope.program = Some(program.id);
        program_currency = Some(program.currency);
    }
    if let Some(id) = &mentee_id {
        let mentee = ids::decode(Kind::User, id)?;
        match scope.owner {
            // A mentee analyses only their own clients.
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
    let rows = store::feedback::client_figures(db(ctx)?, scope, window).await?;
    let mut currencies: Vec<Currency> = rows.iter().map(|r| r.currency).collect();
    currencies.sort_by_key(|c| c.code());
    currencies.dedup();
    let currency = match currencies.as_slice() {
        [] => match program_currency {
            Some(currency) => currency,
            None => default_currency()?,
        },
        [one] => *one,
        _ => {
            return Err(ApiError::bad_field(
                "programId",
                "programs use different currencies: choose a program",
            ));
        }
    };
    let clients: Vec<ClientFigures> = rows.into_iter().map(|r| r.figures).collect();
    let pareto = domain::pareto(&clients);
    Ok(FeedbackLoop {
        window,
        currency,
        scope,
        clients,
        pareto,
    })
}

/// The currency shown when no client is in the window and no program was named.
fn default_currency() -> ApiResult<Currency> {
    Currency::parse("EUR").map_err(|e| ApiError::internal(e.message))
}

impl FeedbackLoop {
    fn money(&self, minor: u64) -> Money {
        Money::of_unsigned(minor, self.currency)
    }
}

/// Did saying no pay off? The Pareto picture, the calibration of the intake and the cost
/// of exceptions of a set of clients over a window of months. A client counts when its
/// span (take-on to end) overlaps the window; its figures are the sums of its outcome
/// entries whose month is in the window (zeros without any). All arithmetic is on integer
/// minor units; shares are basis points (10000 = 100 %), rounded down unless said
/// otherwise.
#[Object]
impl FeedbackLoop {
    /// The window's first month.
    async fn from(&self) -> Month {
        Month(self.window.from())
    }
    /// The window's last month (included).
    async fn to(&self) -> Month {
        Month(self.window.to())
    }
    /// The currency of every amount below: the clients' programs'. With no client in the
    /// window, the program's, or `EUR` without a program.
    async fn currency_code(&self) -> CurrencyCode {
        CurrencyCode(self.currency)
    }
    /// How many clients the analyses cover.
    async fn client_count(&self) -> u32 {
        self.pareto.client_count
    }
    /// Where the revenue came from: by intake tier and path, the A-share, the head.
    async fn pareto(&self) -> ParetoPicture<'_> {
        ParetoPicture(self)
    }
    /// Did the intake predict the outcome?
    async fn calibration(&self) -> Calibration<'_> {
        Calibration {
            feedback: self,
            calibration: domain::calibration(&self.clients, &self.pareto.head, &[]),
        }
    }
    /// Clients taken on by the rule against those taken on by exception: `RULE`, then
    /// `EXCEPTION`.
    async fn cost_of_exceptions(&self) -> Vec<PathCost> {
        domain::cost_of_exceptions(&self.clients)
            .into_iter()
            .map(|c| PathCost {
                path: c.path.into(),
                clients: c.clients,
                revenue_per_month: c.revenue_per_month_minor.map(|m| self.money(m)),
                revenue_per_hour: c.revenue_per_hour_minor.map(|m| self.money(m)),
                custom_work_share_basis_points: c.custom_share_bp.map(|b| b.get()),
                mean_energy: c.mean_energy_hundredths.map(|e| hundredths(e.into())),
                ended_early_basis_points: c.ended_early_bp.map(|b| b.get()),
            })
            .collect()
    }
}

/// Where the revenue came from.
pub struct ParetoPicture<'a>(&'a FeedbackLoop);

/// The 80/20 picture: where the revenue came from, by intake tier and by path, and the
/// smallest set of clients that brought 80 % of it.
#[Object]
impl ParetoPicture<'_> {
    /// All revenue of the clients in the window.
    async fn total_revenue(&self) -> Money {
        self.0.money(self.0.pareto.total_revenue_minor)
    }
    /// Revenue and share by intake tier: `A`, `B`, `C`, always all three. The shares sum to
    /// exactly 10000 (largest remainder: each tier gets its share rounded down, the basis
    /// points still missing go to the largest remainders, ties to A before B before C);
    /// all 0 without revenue.
    async fn by_tier(&self) -> Vec<TierRevenue> {
        let p = &self.0.pareto;
        p.by_tier
            .iter()
            .map(|t| TierRevenue {
                tier: t.tier.into(),
                revenue: self.0.money(t.revenue_minor),
                share_basis_points: t.share_bp.get(),
            })
            .collect()
    }
    /// Revenue and share by path: `RULE`, then `EXCEPTION`; shares as in `byTier`.
    async fn by_path(&self) -> Vec<PathRevenue> {
        let p = &self.0.pareto;
        p.by_path
            .iter()
            .map(|t| PathRevenue {
                path: t.path.into(),
                revenue: self.0.money(t.revenue_minor),
                share_basis_points: t.share_bp.get(),
            })
            .collect()
    }
    /// The revenue share of clients that were A at intake (the `A` row of `byTier`).
    async fn a_share_basis_points(&self) -> u32 {
        self.0.pareto.a_share_bp.get()
    }
    /// The method's target for the A-share: 8000 (80 %).
    async fn a_share_target_basis_points(&self) -> u32 {
        A_SHARE_TARGET_BP
    }
    /// How many clients are in the head: the smallest set whose revenue reaches 80 % of
    /// the total, taken from the top by revenue (ties by id). 0 without revenue.
    async fn head_client_count(&self) -> u32 {
        self.0.pareto.head_count
    }
    /// The head's share of the clients: `headClientCount * 10000 / clientCount`, rounded
    /// down; 0 without clients.
    async fn head_share_of_clients_basis_points(&self) -> u32 {
        self.0.pareto.head_share_bp.get()
    }
    /// The head's clients, by revenue descending.
    async fn head(&self, ctx: &Context<'_>) -> ApiResult<Vec<Prospect>> {
        // Concurrently, so that the loader reads them with one statement.
        let loads = self
            .0
            .pareto
            .head
            .iter()
            .map(|id| load::existing(ctx, ProspectId(*id)));
        let prospects = async_graphql::futures_util::future::try_join_all(loads).await?;
        Ok(prospects.into_iter().map(Prospect).collect())
    }
    /// Per intake tier (`A`, `B`, `C`, always all three): how its clients worked out.
    async fn tier_figures(&self) -> Vec<TierFigures> {
        self.0
            .pareto
            .tier_figures
            .iter()
            .map(|t| TierFigures {
                tier: t.tier.into(),
                clients: t.clients,
                revenue_per_hour: t.revenue_per_hour_minor.map(|m| self.0.money(m)),
                custom_work_share_basis_points: t.custom_share_bp.map(|b| b.get()),
                mean_energy: t.mean_energy_hundredths.map(|e| hundredths(e.into())),
            })
            .collect()
    }
}

/// Did the intake predict the outcome?
pub struct Calibration<'a> {
    feedback: &'a FeedbackLoop,
    calibration: domain::Calibration,
}

/// Whether the template predicted what clients brought: intake tier against Pareto
/// position, and per criterion how clients that scored well on it did against the rest.
/// A mentor uses it to reweigh the next template version.
#[Object]
impl Calibration<'_> {
    /// Intake tier against position (in the head or the tail): `A`, `B`, `C`, always all
    /// three.
    async fn table(&self) -> Vec<TierPosition> {
        self.calibration
            .table
            .iter()
            .map(|row| TierPosition {
                tier: row.tier.into(),
                head: row.head,
                tail: row.tail,
            })
            .collect()
    }
    /// Of the A-intake clients, the share in the head, 0..=10000, rounded down; `null`
    /// without A-intake clients.
    async fn precision_basis_points(&self) -> Option<u32> {
        self.calibration.precision_bp.map(|b| b.get())
    }
    /// Of the head's clients, the share that were A at intake, 0..=10000, rounded down;
    /// `null` when the head is empty.
    async fn recall_basis_points(&self) -> Option<u32> {
        self.calibration.recall_bp.map(|b| b.get())
    }
    /// Per criterion of the intake versions, by key: the clients that scored at least 50
    /// points on it at intake against those below. A client taken on with a version
    /// without the criterion is on neither side.
    async fn criteria(&self, ctx: &Context<'_>) -> ApiResult<Vec<CriterionCalibration>> {
        let f = self.feedback;
        let sums = store::feedback::criterion_sums(db(ctx)?, f.scope, f.window).await?;
        let group = |g: domain::CriterionGroup| CriterionGroup {
            clients: g.clients,
            mean_monthly_revenue: g.mean_monthly_revenue_minor.map(|m| f.money(m)),
        };
        Ok(domain::criteria_from_sums(&sums)
            .into_iter()
            .map(|c| CriterionCalibration {
                key: c.key.as_str().to_owned(),
                scored_well: group(c.scored_well),
                scored_below: group(c.scored_below),
            })
            .collect())
    }
}
