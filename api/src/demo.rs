//! Demo data, so that a newcomer sees real data in the first minute (`qualify demo`).

use chrono::Utc;

use crate::auth::Hasher;

mod story;

const MENTOR_EMAIL: &str = "mentor@demo.qualify";
const MENTEES: [(&str, &str); 2] = [
    ("ada@demo.qualify", "Ada Mentee"),
    ("ben@demo.qualify", "Ben Mentee"),
];
const PASSWORD: &str = "demo-password-1";

/// Load the demo data unless it is there already; returns the logins to print.
///
/// # Errors
/// When the database fails.
pub async fn load(database_url: &str) -> anyhow::Result<String> {
    let db = store::connect(database_url).await?;
    store::migrate(&db).await?;
    if store::users::user_by_email(&db, MENTOR_EMAIL)
        .await?
        .is_none()
    {
        seed(&db).await?;
    }
    let mentees: Vec<&str> = MENTEES.iter().map(|(email, _)| *email).collect();
    Ok(format!(
        "Demo logins (password for all: {PASSWORD})\n  mentor: {MENTOR_EMAIL}\n  mentees: {}\n\
         A year of clients and outcomes: ask `feedback(from:, to:)` for the twelve months \
         before this one, `dashboard(from:, to:)` for the last 365 days, \
         `requalificationQueue` for what is due, and a mentee's `quarterlyGoals`.",
        mentees.join(", ")
    ))
}

async fn seed(db: &store::Db) -> anyhow::Result<()> {
    let hasher = Hasher::new(1);
    let hash = hasher
        .hash(PASSWORD.to_owned())
        .await
        .map_err(|_| anyhow::anyhow!("hashing failed"))?;
    let mentor = store::users::create_user(
        db,
        &domain::Email::parse(MENTOR_EMAIL)?,
        &domain::DisplayName::parse("Maria Mentor")?,
        store::Role::Mentor,
        &hash,
    )
    .await?;
    // The standard, with exceptions reviewed by the mentor instead of refused: Ben's
    // story needs two of them.
    let definition = domain::Definition::parse(domain::DefinitionDraft {
        exception_policy: domain::ExceptionPolicy::Review,
        ..domain::a_client_standard().to_draft()
    })
    .map_err(|e| anyhow::anyhow!("the demo's standard does not parse: {e:?}"))?;
    let (template, _) = store::templates::create_template(
        db,
        mentor.id,
        &domain::DisplayName::parse("A-client standard")?,
        &domain::LongText::parse(
            "The default definition of an A-client; exceptions go to the mentor for review.",
        )?,
        &definition,
    )
    .await?;
    let version = store::templates::publish_latest(db, template.id, Utc::now()).await?;
    let program = store::programs::create_program(
        db,
        mentor.id,
        &domain::DisplayName::parse("Strategy Program 2027")?,
        &domain::LongText::parse("Grow by serving A-clients.")?,
        Some(version.id),
    )
    .await?;
    store::invites::create_invite(db, program.id, mentor.id, "DEMO-INVITE", None, None).await?;
    let mut mentees = Vec::new();
    for (email, name) in MENTEES {
        let email = domain::Email::parse(email)?;
        let name = domain::DisplayName::parse(name)?;
        let mentee =
            store::users::create_user(db, &email, &name, store::Role::Mentee, &hash).await?;
        store::programs::enroll(db, program.id, mentee.id).await?;
        mentees.push(mentee.id);
    }
    let cast = story::Cast {
        mentor: mentor.id,
        mentees: [mentees[0], mentees[1]],
        program: program.id,
        version: version.id,
        definition,
    };
    let today = Utc::now().date_naive();
    story::write(db, &cast, today).await?;
    goals(db, &cast, today).await
}

/// Ada's and Ben's BHAGs and their goals for this quarter and the last, so that the
/// dashboards and `quarterlyGoals` show targets against actuals from the first minute.
async fn goals(db: &store::Db, cast: &story::Cast, today: chrono::NaiveDate) -> anyhow::Result<()> {
    use chrono::Datelike;
    use domain::{BasisPoints, GoalKind, GoalTarget, LongText, Month, Quarter, Revenue};
    let bad = |e: domain::ValidationErrors| anyhow::anyhow!("a demo BHAG does not parse: {e:?}");
    let bhags = [
        domain::BhagDraft {
            statement: "The strategy partner of 40 A-clients in the Benelux",
            target_year: i64::from(today.year() + 5),
            target_number: Some("40"),
            target_unit: Some("A-clients"),
        },
        domain::BhagDraft {
            statement: "Every client a reference we are proud of",
            target_year: i64::from(today.year() + 3),
            target_number: None,
            target_unit: None,
        },
    ];
    for (mentee, draft) in cast.mentees.iter().zip(&bhags) {
        let bhag = domain::Bhag::parse(draft, today.year()).map_err(bad)?;
        store::goals::set_bhag(db, *mentee, &bhag).await?;
    }
    let this = Quarter::of(Month::of(today));
    let first_month = this.months()[0].first_day();
    let last = Quarter::of(Month::of(first_month - chrono::Days::new(1)));
    let text =
        |t: &str| -> anyhow::Result<GoalTarget> { Ok(GoalTarget::Text(LongText::parse(t)?)) };
    let [ada, ben] = cast.mentees;
    let goals = [
        (ada, last, GoalTarget::Revenue(Revenue::new(2_500_000)?)),
        (ada, last, GoalTarget::AShare(BasisPoints::new(7500)?)),
        (ada, this, GoalTarget::Revenue(Revenue::new(3_000_000)?)),
        (ada, this, GoalTarget::AShare(BasisPoints::new(8000)?)),
        (ada, this, GoalTarget::Count(GoalKind::AClientsTakenOn, 2)),
        (ada, this, GoalTarget::Count(GoalKind::SayNoCount, 3)),
        (
            ada,
            this,
            text("Package the strategy sprint as a standard product")?,
        ),
        (ben, this, GoalTarget::AShare(BasisPoints::new(6000)?)),
        (ben, this, GoalTarget::Count(GoalKind::SayNoCount, 2)),
        (ben, this, text("No custom work without a price for it")?),
    ];
    for (mentee, quarter, target) in goals {
        let goal = store::goals::NewGoal {
            program_id: cast.program,
            mentee_id: mentee,
            quarter,
            target,
        };
        store::goals::insert_goal(db, &goal).await?;
    }
    Ok(())
}
