//! Demo data, so that a newcomer sees real data in the first minute (`qualify demo`).

use chrono::Utc;
use domain::{AnswerDraft, AnswerValue};

use crate::auth::Hasher;

const MENTOR_EMAIL: &str = "mentor@demo.qualify";
const MENTEES: [(&str, &str); 2] = [
    ("ada@demo.qualify", "Ada Mentee"),
    ("ben@demo.qualify", "Ben Mentee"),
];
const PASSWORD: &str = "demo-password-1";

/// One prospect of the demo: name, company and the answers to the A-client standard.
struct DemoProspect {
    name: &'static str,
    company: &'static str,
    answers: [(&'static str, AnswerValue); 10],
    take_on: bool,
}

fn prospects() -> Vec<DemoProspect> {
    use AnswerValue::{Number, Scale, Unknown, YesNo};
    vec![
        DemoProspect {
            name: "Clara Jansen",
            company: "Jansen Logistics",
            answers: [
                ("decision_maker", YesNo(true)),
                ("values_expertise", Scale(5)),
                ("speaks_our_language", Scale(4)),
                ("revenue_fit", Number(80_000)),
                ("standard_product", YesNo(true)),
                ("team_fit", Scale(4)),
                ("growth", Scale(5)),
                ("bhag_fit", Scale(4)),
                ("energy", Scale(5)),
                ("referral", YesNo(true)),
            ],
            take_on: true,
        },
        DemoProspect {
            name: "Tom Berger",
            company: "Berger Bau",
            answers: [
                ("decision_maker", YesNo(false)),
                ("values_expertise", Scale(4)),
                ("speaks_our_language", Scale(3)),
                ("revenue_fit", Number(120_000)),
                ("standard_product", YesNo(true)),
                ("team_fit", Scale(3)),
                ("growth", Scale(4)),
                ("bhag_fit", Scale(3)),
                ("energy", Scale(3)),
                ("referral", YesNo(true)),
            ],
            take_on: false,
        },
        DemoProspect {
            name: "Mia Keller",
            company: "Keller Design Studio",
            answers: [
                ("decision_maker", YesNo(true)),
                ("values_expertise", Scale(3)),
                ("speaks_our_language", Scale(3)),
                ("revenue_fit", Number(20_000)),
                ("standard_product", YesNo(true)),
                ("team_fit", Scale(4)),
                ("growth", Scale(3)),
                ("bhag_fit", Unknown),
                ("energy", Scale(4)),
                ("referral", YesNo(false)),
            ],
            take_on: false,
        },
    ]
}

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
        "Demo logins (password for all: {PASSWORD})\n  mentor: {MENTOR_EMAIL}\n  mentees: {}",
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
    let definition = domain::a_client_standard();
    let (template, _) = store::templates::create_template(
        db,
        mentor.id,
        &domain::DisplayName::parse("A-client standard")?,
        &domain::LongText::parse("The default definition of an A-client.")?,
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
    let today = Utc::now().date_naive();
    for (i, (email, name)) in MENTEES.iter().enumerate() {
        let email = domain::Email::parse(email)?;
        let name = domain::DisplayName::parse(name)?;
        let mentee =
            store::users::create_user(db, &email, &name, store::Role::Mentee, &hash).await?;
        store::programs::enroll(db, program.id, mentee.id).await?;
        for demo in prospects().into_iter().skip(i) {
            let prospect = store::prospects::create_prospect(
                db,
                mentee.id,
                program.id,
                &domain::DisplayName::parse(demo.name)?,
                Some(&domain::LongText::parse(demo.company)?),
                None,
            )
            .await?;
            let answers: Vec<AnswerDraft> = demo
                .answers
                .iter()
                .map(|(key, value)| AnswerDraft {
                    key: (*key).to_owned(),
                    value: value.clone(),
                })
                .collect();
            let qualified = domain::qualify(&version.definition, &answers, None, today)
                .map_err(|e| anyhow::anyhow!("demo answers do not fit: {e:?}"))?;
            let verdict = qualified.result.verdict;
            let q = store::qualifications::insert_qualification(
                db,
                store::qualifications::NewQualification {
                    prospect_id: prospect.id,
                    template_version_id: version.id,
                    qualified_by: mentee.id,
                    answers: &qualified.answers,
                    outlook: None,
                    result: &qualified.result,
                    evidence: &[],
                },
            )
            .await?;
            let decision = if demo.take_on {
                domain::Decision::TakeOn
            } else {
                domain::Decision::TurnDown
            };
            if let Ok(outcome) = domain::decide(
                definition.exception_policy(),
                Some(verdict),
                decision,
                None,
                None,
            ) {
                store::decisions::record_decision(
                    db,
                    store::NewDecision {
                        prospect_id: prospect.id,
                        qualification_id: Some(q.id),
                        decided_by: mentee.id,
                        decision,
                        reason: None,
                        bias_check: None,
                        outcome,
                        new_status: domain::status_after_decision(outcome),
                        program_id: program.id,
                    },
                )
                .await?;
            }
        }
    }
    Ok(())
}
