//! The feedback loop's aggregates on a small world whose sums are worked out by hand:
//! window 2027-01..=2027-03, clients of two mentees in two programs, entries inside and
//! outside the window, clients ended before, during and after it.

use chrono::{NaiveDate, Utc};
use domain::{
    BasisPoints, ClientFigures, CriterionKey, CriterionSums, Decision, DecisionOutcome, EndReason,
    Hours, Intake, MonthWindow, Path, ProspectStatus, Tier, Verdict, calibration,
    criteria_from_sums,
};
use store::bulk::{ClientRow, OutcomeRow, insert_clients, insert_intake_points, insert_outcomes};
use store::decisions::record_decision;
use store::feedback::{FeedbackScope, client_figures, criterion_sums};
use store::{ClientEnd, Db, NewDecision};
use uuid::Uuid;

use crate::support::fresh_db;
use crate::taken_on::{World, month, qualified, world};

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn window() -> MonthWindow {
    MonthWindow::new(month(2027, 1), month(2027, 3)).unwrap()
}

/// An outcome entry: year, month, revenue, hours, custom hours (hundredths), energy.
type Entry = (i32, u32, i64, Option<u32>, Option<u32>, u32);

/// One client of the world: intake tier, take-on, end, entries and intake points on
/// `decision_maker` and `growth`.
struct Spec {
    tier: Tier,
    taken_on: NaiveDate,
    end: Option<(EndReason, NaiveDate)>,
    entries: Vec<Entry>,
    points: [u32; 2],
}

/// A prospect with a qualification and a decision (for the foreign keys), made a client
/// by the bulk inserts with the spec's dates.
async fn client(db: &Db, w: &World, spec: &Spec) -> Uuid {
    let (prospect, qualification) = qualified(db, w, true).await;
    let (decision, _) = record_decision(
        db,
        NewDecision {
            prospect_id: prospect.id,
            qualification_id: Some(qualification.id),
            decided_by: w.mentee.id,
            decision: Decision::TurnDown,
            reason: None,
            bias_check: None,
            outcome: DecisionOutcome::TurnedDown,
            new_status: ProspectStatus::TurnedDown,
            program_id: w.program.id,
        },
    )
    .await
    .unwrap();
    let verdict = if spec.tier == Tier::C {
        Verdict::Decline
    } else {
        Verdict::Accept
    };
    let at = Utc::now();
    let row = ClientRow {
        prospect_id: prospect.id,
        program_id: w.program.id,
        owner_id: w.mentee.id,
        decision_id: decision.id,
        intake_qualification_id: qualification.id,
        intake_version_id: w.version.id,
        intake: Intake::new(spec.tier, verdict),
        taken_on: spec.taken_on,
        end: spec.end.map(|(reason, on)| ClientEnd {
            reason,
            on,
            note: None,
        }),
        revision: 1,
        created_at: at,
        updated_at: at,
    };
    insert_clients(db, &[row]).await.unwrap();
    let key = |k: &str| CriterionKey::parse(k).unwrap();
    let points = [
        (
            prospect.id,
            prospect.program_id,
            key("decision_maker"),
            BasisPoints::new(spec.points[0]).unwrap(),
        ),
        (
            prospect.id,
            prospect.program_id,
            key("growth"),
            BasisPoints::new(spec.points[1]).unwrap(),
        ),
    ];
    insert_intake_points(db, &points).await.unwrap();
    let hours = |h: Option<u32>| h.map(|h| Hours::from_hundredths(h).unwrap());
    let entries: Vec<OutcomeRow> = spec
        .entries
        .iter()
        .map(|&(y, m, revenue, h, custom, energy)| OutcomeRow {
            id: Uuid::now_v7(),
            prospect_id: prospect.id,
            program_id: prospect.program_id,
            month: month(y, m),
            revenue_minor: revenue,
            hours: hours(h),
            custom_hours: hours(custom),
            energy: energy.try_into().unwrap(),
            note: None,
            revision: 1,
            created_at: at,
            updated_at: at,
        })
        .collect();
    insert_outcomes(db, &entries).await.unwrap();
    prospect.id
}

struct Built {
    mentee: World,
    other: World,
    /// Clients 1..=8 of the module's table, by number - 1.
    ids: Vec<Uuid>,
}

/// | # | tier | taken on | end | in the window |
/// |---|---|---|---|---|
/// | 1 | A | 2026-10-15 | - | 80000 over 2 months, 15.00 h (1.00 custom), energy 5 + 4 |
/// | 2 | A | 2027-02-01 | CLIENT_LEFT 2027-03-10 | 30000 over 2, 3.00 h (3.00), energy 2 + 1; early |
/// | 3 | C | 2026-06-01 | COMPLETED 2027-01-05 | 4000 over 1, 2.00 h, energy 3 |
/// | 4 | C | 2027-03-20 | - | nothing: zeros |
/// | 5 | A | 2026-01-01 | WE_EXITED 2026-12-31 | ended before: left out |
/// | 6 | A | 2027-04-01 | - | taken on after: left out |
/// | 7 | B | 2027-01-01 | - | 123 over 1; another mentee's program |
/// | 8 | B | 2026-05-01 | WE_EXITED 2027-04-15 | 6000 over 1, 1.00 h, energy 5; ended after |
async fn build(db: &Db) -> Built {
    let mentee = world(db).await;
    let other = world(db).await;
    let specs = [
        Spec {
            tier: Tier::A,
            taken_on: date(2026, 10, 15),
            end: None,
            entries: vec![
                (2026, 12, 1_000, None, None, 3),
                (2027, 1, 50_000, Some(1_000), Some(100), 5),
                (2027, 2, 30_000, Some(500), None, 4),
                (2027, 4, 7_777, Some(100), None, 1),
            ],
            points: [10_000, 5_000],
        },
        Spec {
            tier: Tier::A,
            taken_on: date(2027, 2, 1),
            end: Some((EndReason::ClientLeft, date(2027, 3, 10))),
            entries: vec![
                (2027, 2, 20_000, None, None, 2),
                (2027, 3, 10_000, Some(300), Some(300), 1),
            ],
            points: [0, 7_500],
        },
        Spec {
            tier: Tier::C,
            taken_on: date(2026, 6, 1),
            end: Some((EndReason::Completed, date(2027, 1, 5))),
            entries: vec![
                (2026, 12, 9_999, None, None, 3),
                (2027, 1, 4_000, Some(200), None, 3),
            ],
            points: [0, 2_500],
        },
        Spec {
            tier: Tier::C,
            taken_on: date(2027, 3, 20),
            end: None,
            entries: vec![],
            points: [10_000, 0],
        },
        Spec {
            tier: Tier::A,
            taken_on: date(2026, 1, 1),
            end: Some((EndReason::WeExited, date(2026, 12, 31))),
            entries: vec![(2026, 11, 5, None, None, 3)],
            points: [10_000, 10_000],
        },
        Spec {
            tier: Tier::A,
            taken_on: date(2027, 4, 1),
            end: None,
            entries: vec![(2027, 4, 50, None, None, 3)],
            points: [0, 0],
        },
        Spec {
            tier: Tier::B,
            taken_on: date(2027, 1, 1),
            end: None,
            entries: vec![(2027, 1, 123, None, None, 4)],
            points: [10_000, 10_000],
        },
        Spec {
            tier: Tier::B,
            taken_on: date(2026, 5, 1),
            end: Some((EndReason::WeExited, date(2027, 4, 15))),
            entries: vec![(2027, 3, 6_000, Some(100), None, 5)],
            points: [5_000, 4_999],
        },
    ];
    let mut ids = Vec::new();
    for (n, spec) in specs.iter().enumerate() {
        let owner = if n == 6 { &other } else { &mentee };
        ids.push(client(db, owner, spec).await);
    }
    Built { mentee, other, ids }
}

#[allow(clippy::too_many_arguments)]
fn figures(
    id: Uuid,
    tier: Tier,
    revenue: u64,
    months: u32,
    hours: u64,
    custom: u64,
    energy: (u64, u64),
    ended_early: bool,
) -> ClientFigures {
    let path = if tier == Tier::C {
        Path::Exception
    } else {
        Path::Rule
    };
    ClientFigures {
        id,
        tier,
        path,
        revenue_minor: revenue,
        months,
        hours,
        custom_hours: custom,
        energy_sum: energy.0,
        energy_count: energy.1,
        ended_early,
    }
}

fn sums(key: &str, scored_well: bool, clients: u32, revenue: u64, months: u32) -> CriterionSums {
    CriterionSums {
        key: CriterionKey::parse(key).unwrap(),
        scored_well,
        clients,
        revenue_minor: revenue,
        months,
    }
}

#[tokio::test]
async fn client_figures_and_criterion_sums_are_the_sums_worked_out_by_hand() {
    let (db, _guard) = fresh_db().await;
    let Built { mentee, other, ids } = build(&db).await;
    let id = |n: usize| ids[n - 1];
    let mut expected = vec![
        figures(id(1), Tier::A, 80_000, 2, 1_500, 100, (9, 2), false),
        figures(id(2), Tier::A, 30_000, 2, 300, 300, (3, 2), true),
        figures(id(3), Tier::C, 4_000, 1, 200, 0, (3, 1), false),
        figures(id(4), Tier::C, 0, 0, 0, 0, (0, 0), false),
        figures(id(8), Tier::B, 6_000, 1, 100, 0, (5, 1), false),
    ];
    expected.sort_by_key(|f| f.id);

    let own = owner(mentee.mentee.id);
    let found = figures_of(&db, own).await;
    assert_eq!(found, expected);
    let program = FeedbackScope {
        program: Some(mentee.program.id),
        mentor: Some(mentee.mentor.id),
        ..FeedbackScope::default()
    };
    let all_programs = FeedbackScope {
        mentor: Some(mentee.mentor.id),
        ..FeedbackScope::default()
    };
    let own_in_program = FeedbackScope {
        program: Some(mentee.program.id),
        ..own
    };
    for scope in [program, all_programs, own_in_program] {
        assert_eq!(figures_of(&db, scope).await, expected, "{scope:?}");
    }
    // Every figure comes with the program's currency.
    let currencies = client_figures(&db, own, window()).await.unwrap();
    assert!(currencies.iter().all(|f| f.currency.code() == "EUR"));

    let expected_sums = vec![
        // Below: clients 2 and 3; well: 1, 4 and 8 (5000 is well).
        sums("decision_maker", false, 2, 34_000, 3),
        sums("decision_maker", true, 3, 86_000, 3),
        // Below: 3, 4 and 8 (4999 is below); well: 1 and 2.
        sums("growth", false, 3, 10_000, 2),
        sums("growth", true, 2, 110_000, 4),
    ];
    let found_sums = criterion_sums(&db, own, window()).await.unwrap();
    assert_eq!(found_sums, expected_sums);
    assert_eq!(
        criterion_sums(&db, program, window()).await.unwrap(),
        expected_sums
    );

    // The domain computes the same per-criterion figures from the sums as from the rows.
    let points: Vec<domain::CriterionPoints> = [
        (1, 10_000, 5_000),
        (2, 0, 7_500),
        (3, 0, 2_500),
        (4, 10_000, 0),
        (8, 5_000, 4_999),
    ]
    .iter()
    .flat_map(|&(n, dm, growth)| {
        [("decision_maker", dm), ("growth", growth)].map(|(key, bp)| domain::CriterionPoints {
            client: id(n),
            key: CriterionKey::parse(key).unwrap(),
            points_bp: BasisPoints::new(bp).unwrap(),
        })
    })
    .collect();
    let mut by_rows = calibration(&found, &[], &points).criteria;
    by_rows.sort_by(|a, b| a.key.cmp(&b.key));
    assert_eq!(criteria_from_sums(&found_sums), by_rows);

    // The other mentor's program: client 7 alone (B, 123 over one month, well on both).
    let theirs = FeedbackScope {
        mentor: Some(other.mentor.id),
        ..FeedbackScope::default()
    };
    assert_eq!(
        figures_of(&db, theirs).await,
        vec![figures(id(7), Tier::B, 123, 1, 0, 0, (4, 1), false)]
    );
    assert_eq!(
        criterion_sums(&db, theirs, window()).await.unwrap(),
        vec![
            sums("decision_maker", true, 1, 123, 1),
            sums("growth", true, 1, 123, 1)
        ]
    );

    // Nothing: a mentor owns no clients; a mentee outside the mentor's programs; a scope
    // with neither an owner nor a mentor (never the whole platform).
    let not_theirs = FeedbackScope {
        mentor: Some(other.mentor.id),
        ..own
    };
    for scope in [
        owner(mentee.mentor.id),
        not_theirs,
        FeedbackScope::default(),
    ] {
        assert!(figures_of(&db, scope).await.is_empty(), "{scope:?}");
        let sums = criterion_sums(&db, scope, window()).await.unwrap();
        assert!(sums.is_empty(), "{scope:?}");
    }
}

fn owner(id: Uuid) -> FeedbackScope {
    FeedbackScope {
        owner: Some(id),
        ..FeedbackScope::default()
    }
}

async fn figures_of(db: &Db, scope: FeedbackScope) -> Vec<domain::ClientFigures> {
    let rows = client_figures(db, scope, window()).await.unwrap();
    rows.into_iter().map(|row| row.figures).collect()
}

/// Each aggregate is one statement, whatever the number of clients and entries.
#[tokio::test]
async fn each_aggregate_is_one_statement() {
    let database = test_support::database::TestDatabase::fresh().await;
    let (db, statements) = store::connect_counted(&database.url).await.unwrap();
    store::migrate(&db).await.unwrap();
    let Built { mentee, .. } = build(&db).await;
    let scopes = [
        owner(mentee.mentee.id),
        FeedbackScope {
            mentor: Some(mentee.mentor.id),
            ..FeedbackScope::default()
        },
    ];
    for scope in scopes {
        let before = statements.get();
        let figures = client_figures(&db, scope, window()).await.unwrap();
        assert_eq!(statements.get() - before, 1, "client_figures");
        assert!(figures.len() >= 5);
        let before = statements.get();
        criterion_sums(&db, scope, window()).await.unwrap();
        assert_eq!(statements.get() - before, 1, "criterion_sums");
    }
}
