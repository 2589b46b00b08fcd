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
         before this one.",
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
    story::write(db, &cast, Utc::now().date_naive()).await
}
