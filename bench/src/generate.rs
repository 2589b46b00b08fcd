//! The data generator: a realistic world of mentors, programs, mentees, prospects,
//! qualifications and decisions, written through `store::bulk` one program at a time.
//!
//! Every qualification is scored by `domain::qualify` from generated answers, so what is
//! stored is exactly what the API would have stored. Ids are UUID v7 of the generated
//! creation times, so keyset pages come out in the same order as for real data.

use std::time::Instant;

use anyhow::{Context, bail};
use chrono::{DateTime, Duration, SubsecRound, Utc};
use domain::{Decision, ProspectStatus, Verdict};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};
use store::{Db, DecisionRecord, Enrollment, Prospect, Qualification, Role};
use uuid::Uuid;

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
    let mut g = Generator {
        db: &db,
        rng: StdRng::seed_from_u64(seed),
        hash,
        start: Utc::now().trunc_subsecs(6) - Duration::days(730),
        end: Utc::now().trunc_subsecs(6) - Duration::hours(1),
        remaining: qualifications,
        counts: Report {
            qualifications: 0,
            prospects: 0,
            decisions: 0,
            users: 0,
            rows: 0,
            seconds: 0.0,
            rows_per_second: 0.0,
            qualifications_per_second: 0.0,
        },
        mentor: None,
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

struct Generator<'a> {
    db: &'a Db,
    rng: StdRng,
    hash: String,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    remaining: u64,
    counts: Report,
    /// The current mentor and the standard version of their template.
    mentor: Option<(Uuid, store::TemplateVersion)>,
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
        let first = index * world::MENTEES_PER_PROGRAM;
        let people = (first..first + world::MENTEES_PER_PROGRAM)
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

        let mut book = Book::default();
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
            };
            book.qualifications.push(q.clone());
            latest = Some(q);
        }
        let latest = latest.context("a prospect without qualifications")?;
        let mut status = ProspectStatus::Qualified;
        let mut revision = 1 + i32::try_from(count).unwrap_or(0);
        if self.rng.random_ratio(3, 5) {
            let decision = match latest.result.verdict {
                Verdict::Accept | Verdict::AcceptWithPlan => Decision::TakeOn,
                Verdict::Decline => Decision::TurnDown,
            };
            at = self.later(at, 1..10);
            book.decisions.push(DecisionRecord {
                id: world::id_at(at),
                prospect_id: id,
                qualification_id: Some(latest.id),
                decided_by: owner_id,
                decision,
                reason: None,
                bias_check: None,
                is_exception: false,
                created_at: at,
            });
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
        });
        Ok(())
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
