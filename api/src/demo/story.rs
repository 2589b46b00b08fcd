//! The demo's year: two mentees' prospects, decisions and twelve months of client outcomes.
//!
//! Ada keeps to the rule: she takes on A-clients (and one B with a plan) and says no to the
//! rest, and her A-clients bring over 90 % of her revenue. Ben takes on two C-clients by
//! exception ("we liked them"): they bring little, eat custom-work hours and drain energy,
//! one had to be let go, and his A-share stays below the method's 80 %. The feedback
//! query (`feedback(from:, to:)`) over the last twelve months shows both pictures.
//!
//! Everything is written as history, dated from thirteen months ago, through
//! `store::bulk` (which writes records exactly as given), so that take-on dates, outcome
//! months and re-qualification dates agree with each other as they would after a year of
//! use. The figures come from a formula, not a random generator: the demo is the same
//! every time.

use chrono::{DateTime, Days, NaiveDate, TimeZone, Utc};
use domain::{
    AnswerDraft, AnswerValue, BasisPoints, BiasCheck, Decision, Definition, EndReason, Energy,
    Hours, Intake, Month, OutlookDraft, ProspectStatus, Verdict,
};
use store::bulk::id_at;
use store::bulk::{ClientRow, OutcomeRow};
use store::{ClientEnd, DecisionRecord, ExceptionRequest, ExceptionStatus, Prospect};
use uuid::Uuid;

/// How a prospect of the story answered the A-client standard.
#[derive(Clone, Copy)]
enum Profile {
    /// Every criterion at its best.
    AStrong,
    /// Good on everything, excellent on nothing: still A.
    AGood,
    /// B now, A within the horizon if the plan works (a take-on with a plan).
    BPlan,
    /// B and no plan: the method says no.
    BNoPlan,
    /// A pleasant client who will not work with us through their CEO (knockout: C).
    CLikeable,
    /// Wrong on most criteria.
    CWeak,
}

/// What became of a prospect.
enum Fate {
    Open,
    TurnedDown,
    Client(ClientStory),
}

/// A client's year: taken on `months` ago, its usual month, and how it ended, if it did.
struct ClientStory {
    months: u32,
    by_exception: bool,
    /// Revenue in a usual month, in euros.
    euros: i64,
    hours: u32,
    custom_hours: u32,
    energy: i32,
    /// Ended after this many months, for this reason.
    ended: Option<(u32, EndReason)>,
}

struct StoryProspect {
    name: &'static str,
    company: &'static str,
    profile: Profile,
    fate: Fate,
}

fn client(months: u32, euros: i64, hours: u32, custom_hours: u32, energy: i32) -> Fate {
    Fate::Client(ClientStory {
        months,
        by_exception: false,
        euros,
        hours,
        custom_hours,
        energy,
        ended: None,
    })
}

fn exception(story: ClientStory) -> Fate {
    Fate::Client(ClientStory {
        by_exception: true,
        ..story
    })
}

/// Ada's and Ben's prospects, in that order.
fn prospects() -> [Vec<StoryProspect>; 2] {
    use Fate::{Open, TurnedDown};
    use Profile::{AGood, AStrong, BNoPlan, BPlan, CLikeable, CWeak};
    let p = |name, company, profile, fate| StoryProspect {
        name,
        company,
        profile,
        fate,
    };
    let ada = vec![
        p(
            "Clara Jansen",
            "Jansen Logistics",
            AStrong,
            client(12, 12_000, 18, 1, 5),
        ),
        p(
            "Lena Vogt",
            "Vogt Maschinenbau",
            AGood,
            client(12, 9_500, 16, 2, 4),
        ),
        p(
            "Jonas Richter",
            "Richter Software",
            AStrong,
            client(10, 14_000, 20, 0, 5),
        ),
        p(
            "Sofia Lange",
            "Lange Consulting",
            BPlan,
            client(12, 2_500, 12, 3, 3),
        ),
        p("Tom Berger", "Berger Bau", CLikeable, TurnedDown),
        p("Mia Keller", "Keller Design Studio", BNoPlan, TurnedDown),
        p("Paul Schmidt", "Schmidt Handel", CWeak, TurnedDown),
        p("Nina Wolf", "Wolf Events", AGood, Open),
    ];
    let ben = vec![
        p(
            "Felix Braun",
            "Braun Medizintechnik",
            AGood,
            client(12, 5_500, 18, 2, 4),
        ),
        p(
            "Hannah Koch",
            "Koch Finanz",
            AStrong,
            client(11, 6_500, 15, 1, 5),
        ),
        p(
            "David Weber",
            "Weber Gastro",
            CLikeable,
            exception(ClientStory {
                months: 12,
                by_exception: true,
                euros: 2_200,
                hours: 40,
                custom_hours: 30,
                energy: 2,
                ended: None,
            }),
        ),
        p(
            "Laura Fischer",
            "Fischer Mode",
            CLikeable,
            exception(ClientStory {
                months: 12,
                by_exception: true,
                euros: 1_500,
                hours: 34,
                custom_hours: 25,
                energy: 1,
                ended: Some((7, EndReason::WeExited)),
            }),
        ),
        p(
            "Max Hoffmann",
            "Hoffmann Immobilien",
            BPlan,
            client(3, 2_800, 14, 4, 3),
        ),
        p("Emma Schulz", "Schulz Reisen", CWeak, TurnedDown),
        p("Lukas Neumann", "Neumann Druck", BNoPlan, Open),
    ];
    [ada, ben]
}

fn answers(profile: Profile) -> [(&'static str, AnswerValue); 10] {
    use AnswerValue::{Number, Scale, YesNo};
    let (dm, values, language, revenue, standard, team, growth, bhag, energy, referral) =
        match profile {
            Profile::AStrong => (true, 5, 5, 150_000, true, 5, 5, 5, 5, true),
            Profile::AGood => (true, 4, 5, 80_000, true, 4, 4, 4, 4, false),
            Profile::BPlan | Profile::BNoPlan => (true, 3, 3, 40_000, true, 3, 3, 3, 3, false),
            Profile::CLikeable => (false, 4, 4, 30_000, true, 4, 3, 3, 5, false),
            Profile::CWeak => (true, 2, 2, 5_000, false, 2, 2, 1, 2, false),
        };
    [
        ("decision_maker", YesNo(dm)),
        ("values_expertise", Scale(values)),
        ("speaks_our_language", Scale(language)),
        ("revenue_fit", Number(revenue)),
        ("standard_product", YesNo(standard)),
        ("team_fit", Scale(team)),
        ("growth", Scale(growth)),
        ("bhag_fit", Scale(bhag)),
        ("energy", Scale(energy)),
        ("referral", YesNo(referral)),
    ]
}

/// The plan of a `BPlan` prospect: what must change within the horizon.
fn plan(profile: Profile, qualified_on: NaiveDate) -> Option<OutlookDraft> {
    let Profile::BPlan = profile else {
        return None;
    };
    let answer = |key: &str, value| AnswerDraft {
        key: key.to_owned(),
        value,
    };
    Some(OutlookDraft {
        answers: vec![
            answer("values_expertise", AnswerValue::Scale(5)),
            answer("growth", AnswerValue::Scale(5)),
            answer("revenue_fit", AnswerValue::Number(60_000)),
            answer("bhag_fit", AnswerValue::Scale(5)),
        ],
        plan: "Move the work to our standard retainer and grow it past 60k a year.".to_owned(),
        requalify_by: qualified_on.checked_add_days(Days::new(120)),
    })
}

/// Who the story's records belong to.
pub(super) struct Cast {
    pub mentor: Uuid,
    pub mentees: [Uuid; 2],
    pub program: Uuid,
    pub version: Uuid,
    pub definition: Definition,
}

/// Everything the story writes, parents before children.
#[derive(Default)]
struct Records {
    prospects: Vec<Prospect>,
    qualifications: Vec<store::Qualification>,
    decisions: Vec<DecisionRecord>,
    exceptions: Vec<ExceptionRequest>,
    clients: Vec<ClientRow>,
    points: Vec<(Uuid, Uuid, domain::CriterionKey, BasisPoints)>,
    outcomes: Vec<OutcomeRow>,
}

/// Writes the story's year for `cast`, as of `today`.
///
/// # Errors
/// When a story's answers do not fit the standard, or the database fails.
pub(super) async fn write(db: &store::Db, cast: &Cast, today: NaiveDate) -> anyhow::Result<()> {
    let mut records = Records::default();
    let this_month = Month::of(today);
    for (mentee, stories) in cast.mentees.iter().zip(prospects()) {
        for (n, story) in stories.into_iter().enumerate() {
            records.add(cast, *mentee, n, story, this_month)?;
        }
    }
    store::bulk::insert_prospects(db, &records.prospects).await?;
    store::bulk::insert_qualifications(db, &records.qualifications).await?;
    store::bulk::insert_decisions(db, &records.decisions).await?;
    store::bulk::insert_exception_requests(db, &records.exceptions).await?;
    store::bulk::insert_clients(db, &records.clients).await?;
    store::bulk::insert_intake_points(db, &records.points).await?;
    store::bulk::insert_outcomes(db, &records.outcomes).await?;
    Ok(())
}

impl Records {
    fn add(
        &mut self,
        cast: &Cast,
        mentee: Uuid,
        n: usize,
        story: StoryProspect,
        this_month: Month,
    ) -> anyhow::Result<()> {
        // A client's year starts on the 5th of its first month; the others were met in
        // the last three months.
        let months_ago = match &story.fate {
            Fate::Client(c) => c.months,
            Fate::Open | Fate::TurnedDown => 1 + u32::try_from(n % 3)?,
        };
        let first_month = this_month.plus(-i32::try_from(months_ago)?)?;
        let taken_on = first_month.first_day() + Days::new(4);
        let qualified_on = taken_on - Days::new(7);
        let qualified_at = at(qualified_on, 10);
        let answers: Vec<AnswerDraft> = answers(story.profile)
            .into_iter()
            .map(|(key, value)| AnswerDraft {
                key: key.to_owned(),
                value,
            })
            .collect();
        let outlook = plan(story.profile, qualified_on);
        let qualified = domain::qualify(&cast.definition, &answers, outlook.as_ref(), qualified_on)
            .map_err(|e| anyhow::anyhow!("a demo prospect does not fit the standard: {e:?}"))?;
        let result = qualified.result.clone();
        let prospect_id = id_at(qualified_at - chrono::Duration::hours(1));
        let q = store::Qualification {
            id: id_at(qualified_at),
            prospect_id,
            template_version_id: cast.version,
            qualified_by: mentee,
            answers: qualified.answers,
            outlook: qualified.outlook,
            result: qualified.result,
            evidence: Vec::new(),
            assumption_share_bp: BasisPoints::MIN,
            created_at: qualified_at,
            api_key_id: None,
        };
        let status = match &story.fate {
            Fate::Open => ProspectStatus::Qualified,
            Fate::TurnedDown => ProspectStatus::TurnedDown,
            Fate::Client(_) => ProspectStatus::TakenOn,
        };
        let decided_at = at(taken_on, 9);
        let revision = if matches!(story.fate, Fate::Open) {
            2
        } else {
            3
        };
        self.prospects.push(Prospect {
            id: prospect_id,
            owner_id: mentee,
            program_id: cast.program,
            name: story.name.to_owned(),
            company: Some(story.company.to_owned()),
            notes: None,
            status,
            archived_at: None,
            latest_qualification_id: Some(q.id),
            requalify_by: result.requalify_by,
            created_at: qualified_at - chrono::Duration::hours(1),
            updated_at: if matches!(story.fate, Fate::Open) {
                qualified_at
            } else {
                decided_at
            },
            revision,
            latest: Some(store::Latest::from(&q.result)),
        });
        self.qualifications.push(q.clone());
        let decision = match &story.fate {
            Fate::Open => return Ok(()),
            Fate::TurnedDown => Decision::TurnDown,
            Fate::Client(_) => Decision::TakeOn,
        };
        let Fate::Client(client) = story.fate else {
            self.decisions
                .push(decision_record(&q, mentee, decision, decided_at, None));
            return Ok(());
        };
        let accepted = result.verdict != Verdict::Decline;
        anyhow::ensure!(
            accepted != client.by_exception,
            "{}: a take-on by the rule needs an accepting verdict, an exception a DECLINE ({:?})",
            story.name,
            result.verdict
        );
        let record = decision_record(&q, mentee, decision, decided_at, Some(&client));
        if client.by_exception {
            self.exceptions.push(ExceptionRequest {
                id: id_at(decided_at),
                decision_id: record.id,
                prospect_id,
                program_id: cast.program,
                status: ExceptionStatus::Approved,
                reviewer_id: Some(cast.mentor),
                note: Some("Approved once: show me the figures after six months.".to_owned()),
                reviewed_at: Some(decided_at + chrono::Duration::hours(2)),
                created_at: decided_at,
            });
        }
        let end = match client.ended {
            Some((after, reason)) => Some(ClientEnd {
                reason,
                on: first_month.plus(i32::try_from(after)?)?.first_day(),
                note: Some("Custom work every month, and no end to it in sight.".to_owned()),
            }),
            None => None,
        };
        self.clients.push(ClientRow {
            prospect_id,
            program_id: cast.program,
            owner_id: mentee,
            decision_id: record.id,
            intake_qualification_id: q.id,
            intake_version_id: cast.version,
            intake: Intake::new(result.now.tier, result.verdict),
            taken_on,
            end: end.clone(),
            revision: if end.is_some() { 2 } else { 1 },
            created_at: decided_at,
            updated_at: decided_at,
        });
        for c in &result.now.explanation {
            self.points
                .push((prospect_id, cast.program, c.key.clone(), c.points_bp));
        }
        self.decisions.push(record);
        let months = client.ended.map_or(client.months, |(after, _)| after);
        for i in 0..months {
            let month = first_month.plus(i32::try_from(i)?)?;
            self.outcomes
                .push(outcome((prospect_id, cast.program), n, month, &client)?);
        }
        Ok(())
    }
}

fn decision_record(
    q: &store::Qualification,
    mentee: Uuid,
    decision: Decision,
    decided_at: DateTime<Utc>,
    client: Option<&ClientStory>,
) -> DecisionRecord {
    let by_exception = client.is_some_and(|c| c.by_exception);
    DecisionRecord {
        id: id_at(decided_at),
        prospect_id: q.prospect_id,
        qualification_id: Some(q.id),
        decided_by: mentee,
        decision,
        reason: by_exception
            .then(|| "We liked them, and they pay on time; the CEO will come round.".to_owned()),
        bias_check: by_exception.then_some(BiasCheck {
            wants_to_please: true,
            needs_custom_work: true,
            ..BiasCheck::default()
        }),
        is_exception: by_exception,
        created_at: decided_at,
        api_key_id: None,
    }
}

/// One month's entry: the client's usual month, moved by up to 5 % either way.
fn outcome(
    (prospect_id, program_id): (Uuid, Uuid),
    n: usize,
    month: Month,
    client: &ClientStory,
) -> anyhow::Result<OutcomeRow> {
    let swing = (i64::from(month.index()) * 7 + i64::try_from(n)? * 13) % 11 - 5;
    let revenue_minor = client.euros * 100 * (100 + swing) / 100;
    let recorded = at(month.plus(1)?.first_day(), 8);
    Ok(OutcomeRow {
        id: id_at(recorded),
        prospect_id,
        program_id,
        month,
        revenue_minor,
        hours: Some(Hours::from_hundredths(client.hours * 100)?),
        custom_hours: Some(Hours::from_hundredths(client.custom_hours * 100)?),
        energy: Energy::new(u32::try_from(client.energy)?)?,
        note: None,
        revision: 1,
        created_at: recorded,
        updated_at: recorded,
    })
}

fn at(day: NaiveDate, hour: u32) -> DateTime<Utc> {
    let time = day.and_hms_opt(hour, 0, 0).unwrap_or_default();
    Utc.from_utc_datetime(&time)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The story's profiles score as the story says against the A-client standard.
    #[test]
    fn the_profiles_earn_the_tiers_and_verdicts_the_story_needs() {
        let def = domain::a_client_standard();
        let day = NaiveDate::from_ymd_opt(2026, 1, 10).unwrap_or_default();
        use domain::Tier::{A, B, C};
        let check = |profile, tier, verdict| {
            let answers: Vec<AnswerDraft> = answers(profile)
                .into_iter()
                .map(|(key, value)| AnswerDraft {
                    key: key.to_owned(),
                    value,
                })
                .collect();
            let q = domain::qualify(&def, &answers, plan(profile, day).as_ref(), day);
            let result = q.map(|q| q.result);
            assert_eq!(
                result.as_ref().map(|r| (r.now.tier, r.verdict)).ok(),
                Some((tier, verdict))
            );
        };
        check(Profile::AStrong, A, Verdict::Accept);
        check(Profile::AGood, A, Verdict::Accept);
        check(Profile::BPlan, B, Verdict::AcceptWithPlan);
        check(Profile::BNoPlan, B, Verdict::Decline);
        check(Profile::CLikeable, C, Verdict::Decline);
        check(Profile::CWeak, C, Verdict::Decline);
    }

    #[test]
    fn a_months_swing_stays_within_five_percent() -> anyhow::Result<()> {
        let story = ClientStory {
            months: 12,
            by_exception: false,
            euros: 1_000,
            hours: 10,
            custom_hours: 1,
            energy: 4,
            ended: None,
        };
        for i in 0..24 {
            let entry = outcome(
                (Uuid::nil(), Uuid::nil()),
                3,
                Month::from_index(24_300 + i)?,
                &story,
            )?;
            assert!(
                (95_000..=105_000).contains(&entry.revenue_minor),
                "{entry:?}"
            );
        }
        Ok(())
    }
}
