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
use store::{Db, FeedbackScope};

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
    let mut mentors = Vec::new();
    let mut first_program = None;
    for i in 0.. {
        let Some(mentor) = store::users::user_by_email(&db, &world::mentor_email(i)).await? else {
            break;
        };
        if i == 0 {
            let ids = store::programs::program_ids_for_mentor(&db, mentor.id).await?;
            first_program = ids.iter().min().copied();
        }
        mentors.push(FeedbackScope {
            mentor: Some(mentor.id),
            ..FeedbackScope::default()
        });
    }
    let program = FeedbackScope {
        program: Some(first_program.context("no generated world: mentor 0 has no program")?),
        ..mentors.first().copied().unwrap_or_default()
    };
    let reader = store::users::user_by_email(&db, &world::mentee_email(world::READER))
        .await?
        .context("no reader mentee")?;
    let reader = FeedbackScope {
        owner: Some(reader.id),
        ..FeedbackScope::default()
    };
    let world = figures(&db, &mentors, window, false).await?;
    let program = figures(&db, &[program], window, true).await?;
    let reader = figures(&db, &[reader], window, false).await?;
    db.close().await.ok();
    Ok(Stats {
        from: from.to_string(),
        to: to.to_string(),
        world,
        program,
        reader,
    })
}

/// The figures of the clients of `scopes` together (criteria: of the first scope only).
async fn figures(
    db: &Db,
    scopes: &[FeedbackScope],
    window: MonthWindow,
    with_criteria: bool,
) -> anyhow::Result<Figures> {
    let mut clients = Vec::new();
    for scope in scopes {
        let rows = store::feedback::client_figures(db, *scope, window).await?;
        clients.extend(rows.into_iter().map(|row| row.figures));
    }
    let pareto = domain::pareto(&clients);
    let Calibration {
        table,
        precision_bp,
        recall_bp,
        ..
    } = domain::calibration(&clients, &pareto.head, &[]);
    let criteria = match scopes.first().filter(|_| with_criteria) {
        Some(scope) => {
            let sums = store::feedback::criterion_sums(db, *scope, window).await?;
            domain::criteria_from_sums(&sums)
        }
        None => Vec::new(),
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
