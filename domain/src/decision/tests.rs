//! Tests of decisions, exceptions and the resulting prospect status.

use super::*;

use DecisionError::*;
use DecisionOutcome::*;
use ExceptionPolicy::{Review, Strict};

const BIAS: BiasCheck = BiasCheck {
    flattered: true,
    wants_to_please: false,
    fears_losing_work: true,
    only_because_we_can: false,
    needs_custom_work: false,
};

fn check(
    policy: ExceptionPolicy,
    verdict: Option<Verdict>,
    decision: Decision,
    reason: Option<&str>,
    bias: Option<&BiasCheck>,
    expected: Result<DecisionOutcome, DecisionError>,
) {
    let actual = decide(policy, verdict, decision, reason, bias);
    assert_eq!(
        actual, expected,
        "{policy:?} {verdict:?} {decision:?} {reason:?} {bias:?}"
    );
}

#[test]
fn turning_down_is_always_allowed() {
    for policy in [Strict, Review] {
        for verdict in [
            None,
            Some(Verdict::Accept),
            Some(Verdict::AcceptWithPlan),
            Some(Verdict::Decline),
        ] {
            check(
                policy,
                verdict,
                Decision::TurnDown,
                None,
                None,
                Ok(TurnedDown),
            );
        }
    }
}

#[test]
fn taking_on_needs_a_qualification() {
    check(
        Strict,
        None,
        Decision::TakeOn,
        None,
        None,
        Err(NotQualified),
    );
    check(
        Review,
        None,
        Decision::TakeOn,
        Some("why"),
        Some(&BIAS),
        Err(NotQualified),
    );
}

#[test]
fn taking_on_an_accepted_prospect_needs_nothing_else() {
    for policy in [Strict, Review] {
        check(
            policy,
            Some(Verdict::Accept),
            Decision::TakeOn,
            None,
            None,
            Ok(TakenOn),
        );
        check(
            policy,
            Some(Verdict::AcceptWithPlan),
            Decision::TakeOn,
            None,
            None,
            Ok(TakenOn),
        );
    }
}

#[test]
fn strict_policy_refuses_taking_on_a_declined_prospect() {
    let declined = Some(Verdict::Decline);
    check(
        Strict,
        declined,
        Decision::TakeOn,
        Some("they insist"),
        Some(&BIAS),
        Err(ExceptionNotAllowed),
    );
    check(
        Strict,
        declined,
        Decision::TakeOn,
        None,
        None,
        Err(ExceptionNotAllowed),
    );
}

#[test]
fn review_policy_makes_a_declined_prospect_a_pending_exception() {
    let declined = Some(Verdict::Decline);
    let take_on = Decision::TakeOn;
    check(
        Review,
        declined,
        take_on,
        Some("Strategic pilot"),
        Some(&BIAS),
        Ok(PendingException),
    );
    check(
        Review,
        declined,
        take_on,
        None,
        Some(&BIAS),
        Err(ReasonRequired),
    );
    check(
        Review,
        declined,
        take_on,
        Some("  \n "),
        Some(&BIAS),
        Err(ReasonRequired),
    );
    check(
        Review,
        declined,
        take_on,
        Some("Strategic pilot"),
        None,
        Err(BiasCheckRequired),
    );
    check(Review, declined, take_on, None, None, Err(ReasonRequired));
}

#[test]
fn reason_is_limited_to_2000_characters_after_trimming() {
    let declined = Some(Verdict::Decline);
    let longest = format!("  {}  ", "é".repeat(2000));
    let too_long = "é".repeat(2001);
    check(
        Review,
        declined,
        Decision::TakeOn,
        Some(&longest),
        Some(&BIAS),
        Ok(PendingException),
    );
    check(
        Review,
        declined,
        Decision::TakeOn,
        Some(&too_long),
        Some(&BIAS),
        Err(ReasonTooLong),
    );
    check(
        Strict,
        None,
        Decision::TurnDown,
        Some(&too_long),
        None,
        Err(ReasonTooLong),
    );
}

#[test]
fn status_follows_the_decision_and_the_review() {
    assert_eq!(status_after_decision(TakenOn), ProspectStatus::TakenOn);
    assert_eq!(
        status_after_decision(TurnedDown),
        ProspectStatus::TurnedDown
    );
    assert_eq!(
        status_after_decision(PendingException),
        ProspectStatus::ExceptionPending
    );
    assert_eq!(status_after_review(true), ProspectStatus::TakenOn);
    assert_eq!(
        status_after_review(false),
        ProspectStatus::ExceptionRejected
    );
}
