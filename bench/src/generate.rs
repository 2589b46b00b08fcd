//! The data generator: a realistic world of mentors, programs, mentees, prospects,
//! qualifications, decisions, and the clients they took on with their monthly outcomes
//! (`outcomes`), written through `store::bulk` one program at a time.
//!
//! Every qualification is scored by `domain::qualify` from generated answers, so what is
//! stored is exactly what the API would have stored. Ids are UUID v7 of the generated
//! creation times, so keyset pages come out in the same order as for real data.

use std::time::Instant;

use anyhow::{Context, bail};
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, SubsecRound, Utc};
use domain::{
    BasisPoints, BiasCheck, CriterionKey, Decision, Energy, Hours, Intake, Month, ProspectStatus,
    Verdict,
};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};
use store::{
    Client, ClientEnd, Db, DecisionRecord, Enrollment, OutcomeRecord, Prospect, Qualification, Role,
};
use uuid::Uuid;

use crate::outcomes::{self, Group};
use crate::world::{self, PASSWORD};

const COMPANIES: [&str; 8] = [
    "Logistics",
    "Bau",
    "Design Studio",
    "Software",
    "Consulting",
    "Maschinenbau",
    "Foods",
    "Media",
];

/// What the generator wrote, and how fast.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report {
    pub qualifications: u64,
    pub prospects: u64,
    pub decisions: u64,
    pub users: u64,
    /// Prospects taken on (clients), of them taken on by exception, and of them ended.
    #[serde(default)]
    pub clients: u64,
    #[serde(default)]
    pub exceptions: u64,
    #[serde(default)]
    pub ended: u64,
    /// Monthly outcome entries of the clients.
    #[serde(default)]
    pub outcome_entries: u64,
    pub rows: u64,
    pub seconds: f64,
    pub rows_per_second: f64,
    pub qualifications_per_second: f64,
}

/// Fills an empty database with a world holding exactly `qualifications` qualifications.
///
/// # Errors
/// When the database already holds users, or a write fails.
pub async fn generate(
    database_url: &str,
    qualifications: u64,
    seed: u64,
) -> anyhow::Result<Report> {
    let started = Instant::now();
    let db = store::connect(database_url).await?;
    store::migrate(&db).await?;
    if store::users::user_by_email(&db, &world::mentor_email(0))
        .await?
        .is_some()
    {
        bail!("the database already holds a generated world; start from an empty one");
    }
    let hash = api::auth::Hasher::new(1)
        .hash(PASSWORD.to_owned())
        .await
        .map_err(|_| anyhow::anyhow!("hashing the bench password failed"))?;
    let end = Utc::now().trunc_subsecs(6) - Duration::hours(1);
    let mut g = Generator {
        db: &db,
        rng: StdRng::seed_from_u64(seed),
        outcome_rng: StdRng::seed_from_u64(seed ^ OUTCOME_SEED),
        hash,
        start: Utc::now().trunc_subsecs(6) - Duration::days(730),
        end,
        current: Month::of(end.date_naive()),
        remaining: qualifications,
        counts: Report {
            qualifications: 0,
            prospects: 0,
            decisions: 0,
            users: 0,
            clients: 0,
            exceptions: 0,
            ended: 0,
            outcome_entries: 0,
            rows: 0,
            seconds: 0.0,
            rows_per_second: 0.0,
            qualifications_per_second: 0.0,
        },
        mentor: None,
        take_ons: 0,
    };
    let mut program = 0;
    while g.remaining > 0 {
        g.program(program).await?;
        program += 1;
        let secs = started.elapsed().as_secs_f64();
        eprintln!(
            "generated {} of {qualifications} qualifications ({:.0} rows/s)",
            g.counts.qualifications,
            g.counts.rows as f64 / secs
        );
    }
    store::bulk::mark_generated(&db, qualifications).await?;
    let mut report = g.counts;
    report.seconds = started.elapsed().as_secs_f64();
    report.rows_per_second = report.rows as f64 / report.seconds;
    report.qualifications_per_second = report.qualifications as f64 / report.seconds;
    Ok(report)
}

/// Mixed into the seed of the outcomes' RNG: the feedback loop draws from its own RNG, so
/// the prospects, qualifications and decisions are the ones worlds had before it (but for
/// the DECLINEs taken on as exceptions, which `exception_due` picks without a draw).
const OUTCOME_SEED: u64 = 0x6f75_7463_6f6d_6573;

/// Months of outcome entries a client has, ending in the current month.
const OUTCOME_MONTHS: i32 = 12;

/// Of the take-ons, the share that goes against a DECLINE verdict (an approved exception):
/// one in this many.
const TAKE_ONS_PER_EXCEPTION: u64 = 20;

struct Generator<'a> {
    db: &'a Db,
    rng: StdRng,
    /// The clients' outcomes and ends draw from this one.
    outcome_rng: StdRng,
    hash: String,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    /// The month of `end`: the last month with outcome entries.
    current: Month,
    remaining: u64,
    counts: Report,
    /// The current mentor and the standard version of their template.
    mentor: Option<(Uuid, store::TemplateVersion)>,
    /// Take-ons decided so far, exceptions included.
    take_ons: u64,
}

impl Generator<'_> {
    /// One program with its mentees (and their prospects while qualifications remain);
    /// a new mentor every `PROGRAMS_PER_MENTOR` programs.
    async fn program(&mut self, index: usize) -> anyhow::Result<()> {
        if index.is_multiple_of(world::PROGRAMS_PER_MENTOR) {
            self.mentor = Some(self.new_mentor(index / world::PROGRAMS_PER_MENTOR).await?);
        }
        let (mentor_id, version) = self.mentor.clone().context("no mentor")?;
        let program = store::programs::create_program(
            self.db,
            mentor_id,
            &domain::DisplayName::parse(&format!("Strategy Program {}", 2027 + index))?,
            &domain::LongText::parse("Grow by serving A-clients.")?,
            Some(version.id),
        )
        .await?;
        let people = world::program_mentees(index)
            .map(|i| {
                person(
                    &world::mentee_email(i),
                    &format!("Mentee {i}"),
                    Role::Mentee,
                )
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        let mentees = store::bulk::create_users(self.db, &people, &self.hash).await?;
        let enrollments: Vec<Enrollment> = mentees
            .iter()
            .map(|m| Enrollment {
                id: world::id_at(self.start),
                program_id: program.id,
                mentee_id: m.id,
                created_at: self.start,
                removed_at: None,
            })
            .collect();
        store::bulk::insert_enrollments(self.db, &enrollments).await?;
        self.counts.users += mentees.len() as u64;
        self.counts.rows += (mentees.len() + enrollments.len()) as u64;

        let mut book = Book {
            mentor: program.mentor_id,
            ..Book::default()
        };
        for mentee in &mentees {
            for n in 0..world::PROSPECTS_PER_MENTEE {
                if self.remaining == 0 {
                    break;
                }
                self.prospect(&mut book, mentee.id, program.id, &version, n)?;
            }
        }
        store::bulk::insert_prospects(self.db, &book.prospects).await?;
        store::bulk::insert_qualifications(self.db, &book.qualifications).await?;
        store::bulk::insert_decisions(self.db, &book.decisions).await?;
        store::bulk::insert_exception_requests(self.db, &book.exceptions).await?;
        store::bulk::insert_clients(self.db, &book.clients).await?;
        store::bulk::insert_intake_points(self.db, &book.intake_points).await?;
        store::bulk::insert_outcomes(self.db, &book.outcomes).await?;
        self.counts.clients += book.clients.len() as u64;
        self.counts.ended += book.clients.iter().filter(|c| c.end.is_some()).count() as u64;
        self.counts.outcome_entries += book.outcomes.len() as u64;
        self.counts.rows += (book.clients.len()
            + book.intake_points.len()
            + book.outcomes.len()
            + book.exceptions.len()) as u64;
        self.counts.prospects += book.prospects.len() as u64;
        self.counts.qualifications += book.qualifications.len() as u64;
        self.counts.decisions += book.decisions.len() as u64;
        self.counts.rows +=
            (book.prospects.len() + book.qualifications.len() + book.decisions.len()) as u64;
        Ok(())
    }

    async fn new_mentor(&mut self, i: usize) -> anyhow::Result<(Uuid, store::TemplateVersion)> {
        let person = person(
            &world::mentor_email(i),
            &format!("Mentor {i}"),
            Role::Mentor,
        )?;
        let mentor = store::bulk::create_users(self.db, &[person], &self.hash)
            .await?
            .pop()
            .context("no mentor created")?;
        self.counts.users += 1;
        self.counts.rows += 1;
        let (template, _) = store::templates::create_template(
            self.db,
            mentor.id,
            &domain::DisplayName::parse("A-client standard")?,
            &domain::LongText::parse("The default definition of an A-client.")?,
            &domain::a_client_standard(),
        )
        .await?;
        let version = store::templates::publish_latest(self.db, template.id, self.start).await?;
        Ok((mentor.id, version))
    }

    /// A prospect with 1..=9 qualifications, perhaps a decision on the latest, perhaps
    /// archived.
    fn prospect(
        &mut self,
        book: &mut Book,
        owner_id: Uuid,
        program_id: Uuid,
        version: &store::TemplateVersion,
        n: usize,
    ) -> anyhow::Result<()> {
        let span = (self.end - self.start).num_seconds().max(1);
        let created_at = self.start + Duration::seconds(self.rng.random_range(0..span));
        let id = world::id_at(created_at);
        let count = self
            .rng
            .random_range(1..=world::MAX_QUALIFICATIONS_PER_PROSPECT as u64)
            .min(self.remaining);
        self.remaining -= count;
        let mut at = created_at;
        let mut latest: Option<Qualification> = None;
        for _ in 0..count {
            at = self.later(at, 1..60);
            let today = at.date_naive();
            let answers = world::answers(&version.definition, &mut self.rng);
            let outlook = world::outlook(&version.definition, &mut self.rng, today);
            let qualified = domain::qualify(&version.definition, &answers, outlook.as_ref(), today)
                .map_err(|e| anyhow::anyhow!("generated answers do not fit: {e:?}"))?;
            let q = Qualification {
                id: world::id_at(at),
                prospect_id: id,
                template_version_id: version.id,
                qualified_by: owner_id,
                answers: qualified.answers,
                outlook: qualified.outlook,
                result: qualified.result,
                evidence: Vec::new(),
                assumption_share_bp: domain::BasisPoints::MIN,
                created_at: at,
                api_key_id: None,
            };
            book.qualifications.push(q.clone());
            latest = Some(q);
        }
        let latest = latest.context("a prospect without qualifications")?;
        let mut status = ProspectStatus::Qualified;
        let mut revision = 1 + i32::try_from(count).unwrap_or(0);
        if self.rng.random_ratio(3, 5) {
            // The rule: take on what the method accepts, turn down what it declines; but
            // now and then a DECLINE is taken on all the same, and the mentor approves.
            let (decision, is_exception) = match latest.result.verdict {
                Verdict::Accept | Verdict::AcceptWithPlan => (Decision::TakeOn, false),
                Verdict::Decline if self.exception_due() => (Decision::TakeOn, true),
                Verdict::Decline => (Decision::TurnDown, false),
            };
            at = self.later(at, 1..10);
            let record = DecisionRecord {
                id: world::id_at(at),
                prospect_id: id,
                qualification_id: Some(latest.id),
                decided_by: owner_id,
                decision,
                reason: is_exception.then(|| EXCEPTION_REASON.to_owned()),
                bias_check: is_exception.then_some(BiasCheck {
                    flattered: false,
                    wants_to_please: true,
                    fears_losing_work: true,
                    only_because_we_can: false,
                    needs_custom_work: true,
                }),
                is_exception,
                created_at: at,
                api_key_id: None,
            };
            if decision == Decision::TakeOn {
                self.take_ons += 1;
                self.counts.exceptions += u64::from(is_exception);
                self.client(book, &record, &latest, program_id);
                if is_exception {
                    book.exceptions.push(store::ExceptionRequest {
                        id: world::id_at(at),
                        decision_id: record.id,
                        prospect_id: id,
                        program_id,
                        status: store::ExceptionStatus::Approved,
                        reviewer_id: Some(book.mentor),
                        note: Some("Approved once; show me the figures.".to_owned()),
                        reviewed_at: Some(at + Duration::hours(2)),
                        created_at: at,
                    });
                }
            }
            book.decisions.push(record);
            status = match decision {
                Decision::TakeOn => ProspectStatus::TakenOn,
                Decision::TurnDown => ProspectStatus::TurnedDown,
            };
            revision += 1;
        }
        let archived_at = self.rng.random_ratio(1, 30).then(|| self.later(at, 1..30));
        book.prospects.push(Prospect {
            id,
            owner_id,
            program_id,
            name: format!("Prospect {n}"),
            company: Some(format!("{} {}", COMPANIES[n % COMPANIES.len()], n / 8)),
            notes: None,
            status,
            archived_at,
            latest_qualification_id: Some(latest.id),
            requalify_by: latest.result.requalify_by,
            created_at,
            updated_at: archived_at.unwrap_or(at),
            revision: revision + i32::from(archived_at.is_some()),
            latest: Some(store::Latest::from(&latest.result)),
        });
        Ok(())
    }

    /// Whether the next DECLINE decided is taken on as an exception: whenever exceptions are
    /// fewer than one take-on in `TAKE_ONS_PER_EXCEPTION`, so they spread evenly over the
    /// world and every program has its share.
    fn exception_due(&self) -> bool {
        self.counts.exceptions * TAKE_ONS_PER_EXCEPTION < self.take_ons
    }

    /// The client that `decision` (an effective take-on) makes of the prospect: its intake
    /// from the decision's qualification, as `store::intake` writes it, whether and how it
    /// ended, and its monthly outcome entries up to the current month (at most
    /// `OUTCOME_MONTHS`).
    fn client(
        &mut self,
        book: &mut Book,
        decision: &DecisionRecord,
        qualification: &Qualification,
        program_id: Uuid,
    ) {
        let assessment = &qualification.result.now;
        let intake = Intake::new(assessment.tier, qualification.result.verdict);
        let group = Group::of(intake.tier, intake.path);
        let rng = &mut self.outcome_rng;
        let taken_at = decision.created_at;
        let taken_on = taken_at.date_naive();
        let today = self.end.date_naive();
        let first = Month::of(taken_on).max(month_at(self.current, 1 - OUTCOME_MONTHS));
        // An end falls in the last eleven months, never before the take-on: the window of
        // the last twelve months sees every client.
        let end = outcomes::end(group, rng).map(|reason| {
            let earliest = taken_on.max(first.first_day());
            let days = (today - earliest).num_days().max(0);
            ClientEnd {
                reason,
                on: earliest + Duration::days(rng.random_range(0..=days)),
                note: None,
            }
        });
        let last = end.as_ref().map_or(self.current, |e| Month::of(e.on));
        let ended_at = end.as_ref().map(|e| {
            let at =
                e.on.and_time(NaiveTime::from_hms_opt(17, 0, 0).unwrap_or_default());
            at.and_utc().min(self.end).max(taken_at)
        });
        book.clients.push(Client {
            prospect_id: decision.prospect_id,
            program_id,
            owner_id: decision.decided_by,
            decision_id: decision.id,
            intake_qualification_id: qualification.id,
            intake_version_id: qualification.template_version_id,
            intake,
            taken_on,
            end,
            revision: if ended_at.is_some() { 2 } else { 1 },
            created_at: taken_at,
            updated_at: ended_at.unwrap_or(taken_at),
        });
        book.intake_points.extend(
            assessment
                .explanation
                .iter()
                .map(|c| (decision.prospect_id, program_id, c.key.clone(), c.points_bp)),
        );
        let typical = outcomes::typical_revenue(group, rng);
        let mut month = first;
        while month <= last {
            let figures = outcomes::month(group, typical, rng);
            // Entered in the first days of the next month; the current month's so far.
            let entered = month.next().map_or(NaiveDate::MAX, |m| m.first_day());
            let entered = entered.and_time(NaiveTime::MIN).and_utc()
                + Duration::seconds(rng.random_range(0..5 * 86_400));
            let entered = entered
                .min(self.end - Duration::seconds(rng.random_range(1..3_600)))
                .max(taken_at + Duration::milliseconds(1));
            let hours = |h: Option<u32>| h.and_then(|h| Hours::from_hundredths(h).ok());
            book.outcomes.push(OutcomeRecord {
                id: world::id_at(entered),
                prospect_id: decision.prospect_id,
                program_id,
                month,
                revenue_minor: figures.revenue_minor,
                hours: hours(figures.hours),
                custom_hours: hours(figures.custom_hours),
                energy: Energy::new(figures.energy).unwrap_or(Energy::MIN),
                note: None,
                revision: 1,
                created_at: entered,
                updated_at: entered,
            });
            let Some(next) = month.next() else { break };
            month = next;
        }
    }

    /// A moment `days` days after `at` (and a random time of day), never after the end.
    fn later(&mut self, at: DateTime<Utc>, days: std::ops::Range<i64>) -> DateTime<Utc> {
        let later = at
            + Duration::days(self.rng.random_range(days))
            + Duration::seconds(self.rng.random_range(0..86_400));
        later
            .min(self.end - Duration::seconds(self.rng.random_range(1..3_600)))
            .max(at + Duration::milliseconds(2))
    }
}

/// The rows of one program, written together.
#[derive(Default)]
struct Book {
    prospects: Vec<Prospect>,
    qualifications: Vec<Qualification>,
    decisions: Vec<DecisionRecord>,
    clients: Vec<Client>,
    intake_points: Vec<(Uuid, Uuid, CriterionKey, BasisPoints)>,
    outcomes: Vec<OutcomeRecord>,
    /// The approved requests of the exceptions, reviewed by `mentor`.
    exceptions: Vec<store::ExceptionRequest>,
    mentor: Uuid,
}

/// The reason an exception gives (the API requires one, and a bias check).
const EXCEPTION_REASON: &str =
    "A well-known logo for our references; they insist on a custom setup.";

/// The month `delta` months after `month` (before, when negative).
pub fn month_at(month: Month, delta: i32) -> Month {
    month.plus(delta).unwrap_or(month)
}

/// A generated person as `store::bulk::create_users` takes one.
fn person(
    email: &str,
    name: &str,
    role: Role,
) -> anyhow::Result<(domain::Email, domain::DisplayName, Role)> {
    Ok((
        domain::Email::parse(email)?,
        domain::DisplayName::parse(name)?,
        role,
    ))
}
