//! A user's sessions: listed with where they were made, ended one at a time, or all but
//! the one in use.

use serde_json::{Value, json};

use crate::auth::{REFRESH, VIEWER};
use crate::fixtures::{LOGIN, PASSWORD};
use crate::helpers::{TestApp, expect_code, ok};

const SESSIONS: &str =
    "{ sessions { id createdAt lastUsedAt expiresAt clientIp userAgent current } }";
const END: &str = "mutation($id: ID!) { endSession(id: $id) { ended } }";
const END_OTHERS: &str = "mutation { endOtherSessions { ended } }";

async fn sessions(app: &TestApp, token: &str) -> Vec<Value> {
    let data = ok(app.gql(Some(token), SESSIONS, json!({})).await);
    data["sessions"].as_array().expect("a list").clone()
}

fn text(value: &Value) -> String {
    value.as_str().expect("a string").to_owned()
}

#[tokio::test]
async fn sessions_show_where_they_were_made_and_end_one_at_a_time_or_all_but_this_one() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("STRICT").await;
    // A login from a phone, then one from a laptop (the sign-up made the first session).
    let login = json!({ "input": { "email": w.mentee.email, "password": PASSWORD } });
    let phone = app
        .post_with(
            None,
            &[("user-agent", "QualifyPhone/2.1 (iOS 19)")],
            LOGIN,
            login,
        )
        .await;
    let phone = ok(phone.body)["login"].clone();
    let laptop = app.login(&w.mentee.email, PASSWORD).await;

    let listed = sessions(&app, &laptop.access).await;
    assert_eq!(listed.len(), 3, "{listed:#?}");
    let current: Vec<bool> = listed.iter().map(|s| s["current"] == true).collect();
    assert_eq!(current, [true, false, false], "the laptop's, newest first");
    assert_eq!(listed[1]["userAgent"], "QualifyPhone/2.1 (iOS 19)");
    assert_eq!(listed[0]["clientIp"], "127.0.0.1");
    for s in &listed {
        assert!(text(&s["createdAt"]) <= text(&s["lastUsedAt"]), "{s:#}");
        assert!(text(&s["lastUsedAt"]) < text(&s["expiresAt"]), "{s:#}");
    }
    let phone_id = listed[1]["id"].clone();
    let phone_created = listed[1]["createdAt"].clone();

    // The phone refreshes with a newer app: its session moves to the front, same login.
    let refreshed = app
        .post_with(
            None,
            &[("user-agent", "QualifyPhone/2.2 (iOS 19)")],
            REFRESH,
            json!({ "t": phone["refreshToken"] }),
        )
        .await;
    let phone_access = text(&ok(refreshed.body)["refreshSession"]["accessToken"]);
    let listed = sessions(&app, &laptop.access).await;
    assert_eq!(
        (listed[0]["id"].clone(), listed[0]["createdAt"].clone()),
        (phone_id.clone(), phone_created)
    );
    assert_eq!(listed[0]["userAgent"], "QualifyPhone/2.2 (iOS 19)");

    // End the phone from the laptop: its tokens stop at once; twice is NOT_FOUND.
    let ended = ok(app
        .gql(Some(&laptop.access), END, json!({ "id": phone_id }))
        .await);
    assert_eq!(ended["endSession"]["ended"], 1);
    expect_code(
        &app.gql(Some(&phone_access), VIEWER, json!({})).await,
        "UNAUTHENTICATED",
    );
    let again = app
        .gql(Some(&laptop.access), END, json!({ "id": phone_id }))
        .await;
    expect_code(&again, "NOT_FOUND");
    assert_eq!(sessions(&app, &laptop.access).await.len(), 2);

    // Someone else's session, and a junk id, are not yours to end.
    let theirs = sessions(&app, &w.mentor.access).await[0]["id"].clone();
    let body = app
        .gql(Some(&laptop.access), END, json!({ "id": theirs }))
        .await;
    expect_code(&body, "NOT_FOUND");
    ok(app.gql(w.mentor.tok(), VIEWER, json!({})).await);
    let body = app
        .gql(Some(&laptop.access), END, json!({ "id": "junk" }))
        .await;
    expect_code(&body, "NOT_FOUND");

    // Everywhere else: the sign-up's session ends, the laptop's stays.
    let ended = ok(app.gql(Some(&laptop.access), END_OTHERS, json!({})).await);
    assert_eq!(ended["endOtherSessions"]["ended"], 1);
    expect_code(
        &app.gql(w.mentee.tok(), VIEWER, json!({})).await,
        "UNAUTHENTICATED",
    );
    let refreshed = app
        .gql(None, REFRESH, json!({ "t": w.mentee.refresh }))
        .await;
    expect_code(&refreshed, "UNAUTHENTICATED");
    let left = sessions(&app, &laptop.access).await;
    assert_eq!(left.len(), 1);
    assert_eq!(left[0]["current"], true);
    ok(app.gql(Some(&laptop.access), VIEWER, json!({})).await);

    // Without a token there is nothing to list.
    expect_code(&app.gql(None, SESSIONS, json!({})).await, "UNAUTHENTICATED");
}
