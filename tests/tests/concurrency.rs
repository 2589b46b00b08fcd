//! Concurrent writes: many mentees at once never fail ("database is locked" or otherwise), and
//! limited or one-shot things (invite uses, refresh rotation, exceptions, reviews) happen once.

use std::future::Future;
use std::sync::Arc;

use serde_json::{Value, json};
use tokio::sync::Barrier;
use tokio::task::JoinSet;

use crate::definitions::{Answers, bias_check};
use crate::fixtures::{
    CREATE_PROSPECT, DECIDE, LOGIN, PASSWORD, QUALIFY, REVIEW_EXCEPTION, SIGN_UP,
};
use crate::helpers::{TestApp, codes, int_at, str_at, unique_email};

/// Runs `count` operations released together by a barrier; the answers in index order.
async fn together<F, Fut>(count: usize, make: F) -> Vec<Value>
where
    F: Fn(usize) -> Fut,
    Fut: Future<Output = Value> + Send + 'static,
{
    let barrier = Arc::new(Barrier::new(count));
    let mut set = JoinSet::new();
    for index in 0..count {
        let (barrier, operation) = (barrier.clone(), make(index));
        set.spawn(async move {
            barrier.wait().await;
            (index, operation.await)
        });
    }
    let mut answers = set.join_all().await;
    answers.sort_by_key(|(index, _)| *index);
    answers.into_iter().map(|(_, answer)| answer).collect()
}

fn successes(answers: &[Value]) -> usize {
    answers.iter().filter(|a| codes(a).is_empty()).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_concurrent_prospects_from_four_mentees_are_created_and_qualified() {
    let app = Arc::new(TestApp::spawn().await);
    let w = app.mentee_in_program("STRICT").await;
    let mut mentees = vec![w.mentee.clone()];
    for _ in 0..3 {
        mentees.push(app.sign_up(&w.invite_code).await);
    }
    let answers = together(20, |n| {
        let (app, mentee, program) = (app.clone(), mentees[n % 4].clone(), w.program_id.clone());
        async move {
            let vars =
                json!({ "input": { "programId": program, "name": format!("Concurrent {n}") } });
            let created = app.gql(mentee.tok(), CREATE_PROSPECT, vars).await;
            if !codes(&created).is_empty() {
                return created;
            }
            let prospect = str_at(&created, "/data/createProspect/prospect/id");
            let vars =
                json!({ "input": { "prospectId": prospect, "answers": Answers::good().json() } });
            app.gql(mentee.tok(), QUALIFY, vars).await
        }
    })
    .await;
    let failures: Vec<&Value> = answers.iter().filter(|a| !codes(a).is_empty()).collect();
    assert!(
        failures.is_empty(),
        "{} of 20 failed: {failures:#?}",
        failures.len()
    );
    for answer in &answers {
        assert_eq!(
            answer["data"]["qualifyProspect"]["qualification"]["scoreBasisPoints"],
            7613
        );
    }
    // Then 20 concurrent decisions on them.
    let prospects: Vec<(String, String)> = answers
        .iter()
        .map(|a| {
            (
                str_at(a, "/data/qualifyProspect/prospect/id"),
                str_at(a, "/data/qualifyProspect/qualification/id"),
            )
        })
        .collect();
    let decisions = together(20, |n| {
        let (app, mentee) = (app.clone(), mentees[n % 4].clone());
        let (prospect, seen) = prospects[n].clone();
        async move {
            let vars = json!({ "input": { "prospectId": prospect, "qualificationId": seen,
                                          "decision": "TAKE_ON" } });
            app.gql(mentee.tok(), DECIDE, vars).await
        }
    })
    .await;
    assert_eq!(successes(&decisions), 20, "{decisions:#?}");
    for mentee in &mentees {
        let mine = app
            .data(
                mentee.tok(),
                "{ prospects(filter: { status: [TAKEN_ON] }) { totalCount } }",
                json!({}),
            )
            .await;
        assert_eq!(int_at(&mine, "/prospects/totalCount"), 5);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn ten_concurrent_qualifications_of_one_prospect_are_all_kept() {
    let app = Arc::new(TestApp::spawn().await);
    let w = app.mentee_in_program("STRICT").await;
    let prospect = app
        .create_prospect(&w.mentee, &w.program_id, "Popular")
        .await;
    let answers = together(10, |_| {
        let (app, mentee, prospect) = (app.clone(), w.mentee.clone(), prospect.clone());
        async move {
            let vars = json!({ "input": { "prospectId": prospect, "answers": Answers::all_best().json() } });
            app.gql(mentee.tok(), QUALIFY, vars).await
        }
    })
    .await;
    assert_eq!(successes(&answers), 10, "{answers:#?}");
    let history = app
        .data(w.mentee.tok(), "query($id: ID!) { node(id: $id) { ... on Prospect { status \
              latestQualification { id } qualifications(first: 100) { totalCount nodes { id } } } } }", json!({ "id": prospect }))
        .await;
    assert_eq!(history["node"]["qualifications"]["totalCount"], 10);
    assert_eq!(history["node"]["status"], "QUALIFIED");
    let latest = &history["node"]["latestQualification"]["id"];
    assert!(
        history["node"]["qualifications"]["nodes"]
            .as_array()
            .expect("nodes")
            .iter()
            .any(|n| &n["id"] == latest)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_invite_with_three_uses_admits_exactly_three_of_ten_concurrent_sign_ups() {
    let app = Arc::new(TestApp::spawn().await);
    let w = app.mentee_in_program("STRICT").await;
    let (invite, code) = app.create_invite(&w.mentor, &w.program_id, Some(3)).await;
    let emails: Vec<String> = (0..10).map(|_| unique_email("rush")).collect();
    let answers = together(10, |n| {
        let (app, code, email) = (app.clone(), code.clone(), emails[n].clone());
        async move {
            let vars = json!({ "input": { "email": email, "password": PASSWORD, "name": "Rush", "inviteCode": code } });
            app.gql(None, SIGN_UP, vars).await
        }
    })
    .await;
    assert_eq!(successes(&answers), 3, "{answers:#?}");
    for answer in answers.iter().filter(|a| !codes(a).is_empty()) {
        assert_eq!(
            codes(answer),
            ["BAD_USER_INPUT"],
            "a used-up invite is refused as bad input: {answer}"
        );
    }
    let state = app
        .data(
            w.mentor.tok(),
            "query($i: ID!, $p: ID!) { i: node(id: $i) { ... on Invite { uses } } \
              p: node(id: $p) { ... on Program { mentees(first: 100) { totalCount } } } }",
            json!({ "i": invite, "p": w.program_id }),
        )
        .await;
    assert_eq!(state["i"]["uses"], 3);
    assert_eq!(
        state["p"]["mentees"]["totalCount"], 4,
        "the first mentee plus three"
    );
    // A refused sign-up leaves no account behind.
    for (email, answer) in emails.iter().zip(&answers) {
        let login = app
            .gql(
                None,
                LOGIN,
                json!({ "input": { "email": email, "password": PASSWORD } }),
            )
            .await;
        assert_eq!(
            codes(&login).is_empty(),
            codes(answer).is_empty(),
            "{email}: {login}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_refreshes_of_one_token_rotate_it_once() {
    let app = Arc::new(TestApp::spawn().await);
    let mentor = app.mentor().await;
    let query = "mutation($t: String!) { refreshSession(refreshToken: $t) { refreshToken } }";
    let answers = together(5, |_| {
        let (app, token) = (app.clone(), mentor.refresh.clone());
        async move { app.gql(None, query, json!({ "t": token })).await }
    })
    .await;
    assert_eq!(successes(&answers), 1, "{answers:#?}");
    for answer in answers.iter().filter(|a| !codes(a).is_empty()) {
        assert_eq!(codes(answer), ["UNAUTHENTICATED"], "{answer}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_exception_requests_and_reviews_happen_once() {
    let app = Arc::new(TestApp::spawn().await);
    let w = app.mentee_in_program("REVIEW").await;
    let prospect = app.create_prospect(&w.mentee, &w.program_id, "Pushy").await;
    let seen = app
        .qualify(&w.mentee, &prospect, &Answers::knocked_out(), None)
        .await["qualification"]["id"]
        .clone();
    let decisions = together(5, |_| {
        let (app, mentee, prospect) = (app.clone(), w.mentee.clone(), prospect.clone());
        let seen = seen.clone();
        async move {
            let vars = json!({ "input": { "prospectId": prospect, "qualificationId": seen,
                                          "decision": "TAKE_ON",
                                          "reason": "They insist", "biasCheck": bias_check(true) } });
            app.gql(mentee.tok(), DECIDE, vars).await
        }
    })
    .await;
    assert_eq!(successes(&decisions), 1, "{decisions:#?}");
    for answer in decisions.iter().filter(|a| !codes(a).is_empty()) {
        assert_eq!(codes(answer), ["CONFLICT"], "{answer}");
    }
    let pending = app
        .data(
            w.mentor.tok(),
            "{ exceptionRequests { totalCount nodes { id } } }",
            json!({}),
        )
        .await;
    assert_eq!(pending["exceptionRequests"]["totalCount"], 1);
    let exception = str_at(&pending, "/exceptionRequests/nodes/0/id");

    let reviews = together(6, |n| {
        let (app, mentor, exception) = (app.clone(), w.mentor.clone(), exception.clone());
        async move {
            let vars = json!({ "input": { "id": exception, "approve": n % 2 == 0 } });
            app.gql(mentor.tok(), REVIEW_EXCEPTION, vars).await
        }
    })
    .await;
    assert_eq!(successes(&reviews), 1, "{reviews:#?}");
    let winner = reviews
        .iter()
        .find(|r| codes(r).is_empty())
        .expect("one review");
    let status = str_at(winner, "/data/reviewException/exceptionRequest/status");
    let expected_prospect = if status == "APPROVED" {
        "TAKEN_ON"
    } else {
        "EXCEPTION_REJECTED"
    };
    let now = app
        .data(
            w.mentee.tok(),
            "query($id: ID!) { node(id: $id) { ... on Prospect { status } } }",
            json!({ "id": prospect }),
        )
        .await;
    assert_eq!(now["node"]["status"], expected_prospect);
}
