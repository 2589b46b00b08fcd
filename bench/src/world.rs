//! The generated world's shape and names, shared by the generator, the servers and the
//! harness: who logs in as whom, which program and prospects each scenario uses, and
//! realistic answers to a definition.

use chrono::{Duration, NaiveDate};
use domain::{AnswerDraft, AnswerValue, Definition, OutlookDraft, Rule};
use rand::Rng;
use rand::rngs::StdRng;

/// Every generated user's password.
pub const PASSWORD: &str = "bench-password-1";
/// The JWT secret both servers sign with, so the harness can mint access tokens itself.
pub const JWT_SECRET: &str = "bench-secret-bench-secret-bench-secret-0123";
/// Access tokens outlive any run.
pub const ACCESS_TTL_SECS: u64 = 24 * 3600;

/// How the qualifications spread: a mentee has a realistic book of prospects, and a larger
/// database has more mentees, programs and mentors rather than bigger mentees or programs.
/// A program holds 10 mentees (a coaching group), about 10,000 qualifications; a mentor runs
/// five programs. Mentor 0 runs five smaller programs of two mentees each
/// (`FIRST_MENTOR_MENTEES_PER_PROGRAM`): the smallest world (10,000 qualifications) then
/// holds all of mentor 0's programs, and a program-wide scenario (S4, S7) or a
/// mentor-wide one (S8, the dashboard over five programs) reads the same amount of data at
/// every size.
pub const PROSPECTS_PER_MENTEE: usize = 200;
pub const MENTEES_PER_PROGRAM: usize = 10;
pub const PROGRAMS_PER_MENTOR: usize = 5;
/// The mentees of each of mentor 0's programs.
pub const FIRST_MENTOR_MENTEES_PER_PROGRAM: usize = 2;

/// The mentees (by index) of program `index`: mentor 0's programs hold two mentees each,
/// every later program ten.
pub fn program_mentees(index: usize) -> std::ops::Range<usize> {
    let small = FIRST_MENTOR_MENTEES_PER_PROGRAM;
    if index < PROGRAMS_PER_MENTOR {
        index * small..(index + 1) * small
    } else {
        let first =
            PROGRAMS_PER_MENTOR * small + (index - PROGRAMS_PER_MENTOR) * MENTEES_PER_PROGRAM;
        first..first + MENTEES_PER_PROGRAM
    }
}
/// Each prospect is qualified 1..=this many times (uniformly: 5 on average).
pub const MAX_QUALIFICATIONS_PER_PROSPECT: usize = 9;

/// The mentee whose prospects S3 and S5 list (never written to by a scenario).
pub const READER: usize = 0;
/// The mentee whose prospects S2 qualifies.
pub const WRITER: usize = 1;
/// Mentees `LOGIN_FIRST..LOGIN_FIRST + LOGINS` sign in during S1.
pub const LOGIN_FIRST: usize = 2;
pub const LOGINS: usize = 64;

pub fn mentor_email(i: usize) -> String {
    format!("mentor-{i}@bench.qualify")
}

pub fn mentee_email(i: usize) -> String {
    format!("mentee-{i}@bench.qualify")
}

pub use store::bulk::id_at;

/// A plausible answer to every criterion of `def`: mostly favourable, sometimes not, now
/// and then unknown.
pub fn answers(def: &Definition, rng: &mut StdRng) -> Vec<AnswerDraft> {
    def.criteria()
        .iter()
        .map(|c| AnswerDraft {
            key: c.key().as_str().to_owned(),
            value: if rng.random_ratio(1, 30) {
                AnswerValue::Unknown
            } else {
                value(c.rule(), rng, false)
            },
        })
        .collect()
}

/// For about one qualification in four: the two or three answers a plan should improve.
pub fn outlook(def: &Definition, rng: &mut StdRng, today: NaiveDate) -> Option<OutlookDraft> {
    if !rng.random_ratio(1, 4) {
        return None;
    }
    let changed = rng.random_range(2..=3);
    let mut answers = Vec::with_capacity(changed);
    for c in def.criteria() {
        if answers.len() < changed && rng.random_ratio(1, 3) {
            answers.push(AnswerDraft {
                key: c.key().as_str().to_owned(),
                value: value(c.rule(), rng, true),
            });
        }
    }
    Some(OutlookDraft {
        answers,
        plan: "Win the CEO over in a strategy workshop; package the work as our standard offer."
            .to_owned(),
        requalify_by: Some(today + Duration::days(rng.random_range(30..150))),
    })
}

fn value(rule: &Rule, rng: &mut StdRng, best: bool) -> AnswerValue {
    match rule {
        Rule::YesNo(_) => AnswerValue::YesNo(best || rng.random_ratio(3, 4)),
        Rule::Scale(scale) if best => AnswerValue::Scale(scale.max),
        Rule::Scale(scale) => {
            // Skewed upwards: mentees mostly bring prospects they like.
            let a = rng.random_range(scale.min..=scale.max);
            let b = rng.random_range(scale.min..=scale.max);
            AnswerValue::Scale(a.max(b))
        }
        Rule::Choice(choice) => {
            let index = rng.random_range(0..choice.options.len().max(1));
            AnswerValue::Choice(
                choice
                    .options
                    .get(index)
                    .map(|o| o.key.clone())
                    .unwrap_or_default(),
            )
        }
        Rule::NumberBands(_) if best => AnswerValue::Number(120_000),
        Rule::NumberBands(_) => AnswerValue::Number(rng.random_range(1..=150) * 1_000),
    }
}

/// An answer as GraphQL's `AnswerInput` spells it.
pub fn answer_input(answer: &AnswerDraft) -> serde_json::Value {
    let value = match &answer.value {
        AnswerValue::YesNo(yes) => serde_json::json!({ "yes": yes }),
        AnswerValue::Scale(scale) => serde_json::json!({ "scale": scale }),
        AnswerValue::Choice(choice) => serde_json::json!({ "choice": choice }),
        AnswerValue::Number(number) => serde_json::json!({ "number": number }),
        AnswerValue::Unknown => serde_json::json!({ "unknown": true }),
    };
    serde_json::json!({ "key": answer.key, "value": value })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn programs_take_every_mentee_once_in_order() {
        let mut next = 0;
        for index in 0..40 {
            let mentees = program_mentees(index);
            assert_eq!(mentees.start, next, "program {index}");
            let expected = if index < PROGRAMS_PER_MENTOR {
                FIRST_MENTOR_MENTEES_PER_PROGRAM
            } else {
                MENTEES_PER_PROGRAM
            };
            assert_eq!(mentees.len(), expected, "program {index}");
            next = mentees.end;
        }
    }

    #[test]
    fn the_smallest_world_holds_all_of_mentor_zeros_programs() {
        let mentees: usize = (0..PROGRAMS_PER_MENTOR)
            .map(|i| program_mentees(i).len())
            .sum();
        // The mean of 1..=MAX_QUALIFICATIONS_PER_PROSPECT, drawn uniformly.
        let average =
            (1..=MAX_QUALIFICATIONS_PER_PROSPECT).sum::<usize>() / MAX_QUALIFICATIONS_PER_PROSPECT;
        assert_eq!(mentees * PROSPECTS_PER_MENTEE * average, 10_000);
        // The reader and the writer share mentor 0's first program (S4, S7).
        assert!(program_mentees(0).contains(&READER));
        assert!(program_mentees(0).contains(&WRITER));
    }
}
