//! `bench world-stats`: the feedback-loop figures of a generated world over the last 12
//! months, computed with the same store aggregates and domain rules the API uses: for the
//! whole world, for the program S7 reads and for the mentee S6 reads. They show whether the
//! generated outcomes have a realistic shape (RESULTS.md, "How it measures").

use anyhow::Context;
use domain::{
    BasisPoints, Calibration, CriterionCalibration, MonthWindow, PathCost, PathShare, TierFigures,
    TierShare,
};
use serde::Serialize;
use store::{ClientScope, Db};

use crate::world;

/// The figures of one scope.
#[derive(Debug, Serialize)]
pub struct Figures {
    pub clients: u32,
    /// Outcome entries in the window.
    pub entries: u64,
    pub ended_early: u64,
    pub total_revenue_minor: u64,
    /// Total revenue over entries.
    pub revenue_per_client_month_minor: u64,
    pub a_share_bp: BasisPoints,
    pub head_clients: u32,
    pub head_share_of_clients_bp: BasisPoints,
    pub by_tier: Vec<TierShare>,
    pub by_path: Vec<PathShare>,
    pub tier_figures: Vec<TierFigures>,
    pub cost_of_exceptions: Vec<PathCost>,
    pub precision_bp: Option<BasisPoints>,
    pub recall_bp: Option<BasisPoints>,
    pub table: Vec<domain::TierPosition>,
    /// Only for the program.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub criteria: Vec<CriterionCalibration>,
}

#[derive(Debug, Serialize)]
pub struct Stats {
    pub from: String,
    pub to: String,
    /// Every program of every mentor.
    pub world: Figures,
    /// Mentor 0's first program (S7).
    pub program: Figures,
    /// The reader mentee (S6).
    pub reader: Figures,
}

/// # Errors
/// When the database holds no generated world or a query fails.
pub async fn stats(database_url: &str) -> anyhow::Result<Stats> {
    let db = store::connect(database_url).await?;
    let to = domain::Month::of(chrono::Utc::now().date_naive());
    let from = crate::generate::month_at(to, -11);
    let window = MonthWindow::new(from, to).map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let mut programs = Vec::new();
    let mut first_program = None;
    for i in 0.. {
        let Some(mentor) = store::users::user_by_email(&db, &world::mentor_email(i)).await? else {
            break;
        };
        let mut ids = store::programs::program_ids_for_mentor(&db, mentor.id).await?;
        ids.sort_unstable();
        if i == 0 {
            first_program = ids.first().copied();
        }
        programs.extend(ids);
    }
    let program = first_program.context("no generated world: mentor 0 has no program")?;
    let reader = store::users::user_by_email(&db, &world::mentee_email(world::READER))
        .await?
        .context("no reader mentee")?;
    let world = figures(&db, &ClientScope::Programs(programs), window, false).await?;
    let program = figures(&db, &ClientScope::Programs(vec![program]), window, true).await?;
    let reader = figures(&db, &ClientScope::Owner(reader.id), window, false).await?;
    db.close().await.ok();
    Ok(Stats {
        from: from.to_string(),
        to: to.to_string(),
        world,
        program,
        reader,
    })
}

async fn figures(
    db: &Db,
    scope: &ClientScope,
    window: MonthWindow,
    with_criteria: bool,
) -> anyhow::Result<Figures> {
    let clients = store::feedback::client_figures(db, scope, window).await?;
    let pareto = domain::pareto(&clients);
    let Calibration {
        table,
        precision_bp,
        recall_bp,
        ..
    } = domain::calibration(&clients, &pareto.head, &[]);
    let criteria = if with_criteria {
        let sums = store::feedback::criterion_sums(db, scope, window).await?;
        domain::criteria_from_sums(&sums)
    } else {
        Vec::new()
    };
    let entries: u64 = clients.iter().map(|c| u64::from(c.months)).sum();
    Ok(Figures {
        clients: pareto.client_count,
        entries,
        ended_early: clients.iter().filter(|c| c.ended_early).count() as u64,
        total_revenue_minor: pareto.total_revenue_minor,
        revenue_per_client_month_minor: pareto.total_revenue_minor / entries.max(1),
        a_share_bp: pareto.a_share_bp,
        head_clients: pareto.head_count,
        head_share_of_clients_bp: pareto.head_share_bp,
        by_tier: pareto.by_tier,
        by_path: pareto.by_path,
        tier_figures: pareto.tier_figures,
        cost_of_exceptions: domain::cost_of_exceptions(&clients),
        precision_bp,
        recall_bp,
        table,
        criteria,
    })
}
