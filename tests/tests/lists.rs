//! The lists users page through (issue 16): every ordering of `prospects` forward and
//! backward over a hand-made set (ties, nulls, mixed case, a non-ASCII name), cursors bound
//! to their ordering, the filters, `totalCount` counted only when selected, the nested
//! connections and a program's memberships.

use chrono::Months;
use serde_json::{Value, json};

use crate::definitions::{Answers, number, scale};
use crate::fixtures::{Actor, World};
use crate::helpers::{TestApp, expect_field, int_at, ok, str_at, today};

const PAGE: &str = "query($first: Int, $after: String, $last: Int, $before: String, \
    $order: ProspectOrder, $filter: ProspectFilter) { \
    prospects(first: $first, after: $after, last: $last, before: $before, orderBy: $order, \
    filter: $filter) { pageInfo { hasPreviousPage hasNextPage startCursor endCursor } \
    nodes { name } } }";

/// In creation order. Qualified: `banana` and `apple` with every best answer (the same
/// score, tier A, ACCEPT), `Apple` and `Zebra` middling with a plan (6136, B,
/// ACCEPT_WITH_PLAN; due in 3 and 2 months); `cherry` and `Éclair` never.
const NAMES: [&str; 6] = ["banana", "Apple", "cherry", "apple", "Éclair", "Zebra"];

fn outlook(months: u32) -> Value {
    let answers = Answers::default()
        .with("values_expertise", scale(5))
        .with("revenue_fit", number(60_000))
        .with("growth", scale(5))
        .with("bhag_fit", scale(5));
    let date = today()
        .checked_add_months(Months::new(months))
        .expect("date");
    json!({ "answers": answers.json(), "plan": "Standard package by Q3",
            "requalifyBy": date.to_string() })
}

/// The world above; returns the prospects' ids in creation order.
async fn hand_made(app: &TestApp, w: &World) -> Vec<String> {
    let mut ids = Vec::new();
    for name in NAMES {
        ids.push(app.create_prospect(&w.mentee, &w.program_id, name).await);
    }
    let best = Answers::all_best();
    let a = app.qualify(&w.mentee, &ids[0], &best, None).await;
    let b = app
        .qualify(&w.mentee, &ids[1], &Answers::middling(), Some(outlook(3)))
        .await;
    let c = app.qualify(&w.mentee, &ids[3], &best, None).await;
    let d = app
        .qualify(&w.mentee, &ids[5], &Answers::middling(), Some(outlook(2)))
        .await;
    let facts = |q: &Value| {
        (
            int_at(q, "/qualification/scoreBasisPoints"),
            str_at(q, "/qualification/tier"),
            str_at(q, "/qualification/verdict"),
        )
    };
    let (best_score, best_tier, best_verdict) = facts(&a);
    assert!(best_score > 6136, "{a:#}");
    assert_eq!((best_tier.as_str(), best_verdict.as_str()), ("A", "ACCEPT"));
    assert_eq!(facts(&c), facts(&a));
    let planned = (6136, "B".to_owned(), "ACCEPT_WITH_PLAN".to_owned());
    assert_eq!((facts(&b), facts(&d)), (planned.clone(), planned));
    ids
}

fn names(indexes: &[usize]) -> Vec<String> {
    indexes.iter().map(|&i| NAMES[i].to_owned()).collect()
}

fn page_names(data: &Value) -> Vec<String> {
    data["prospects"]["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .map(|n| str_at(n, "/name"))
        .collect()
}

/// Every page forward with `first: size`, then backward with `last: size`, checking the
/// page flags; returns the names forward and backward (turned to list order).
async fn walk(
    app: &TestApp,
    who: &Actor,
    order: &Value,
    filter: &Value,
    size: i64,
) -> (Vec<String>, Vec<String>) {
    let mut forward = Vec::new();
    let mut after = Value::Null;
    for page in 0.. {
        let vars = json!({ "first": size, "after": after, "order": order, "filter": filter });
        let data = app.data(who.tok(), PAGE, vars).await;
        let info = &data["prospects"]["pageInfo"];
        assert_eq!(info["hasPreviousPage"], json!(page > 0), "{data:#}");
        forward.extend(page_names(&data));
        if info["hasNextPage"] != json!(true) {
            break;
        }
        after = info["endCursor"].clone();
        assert!(page < 20, "no end");
    }
    let mut backward: Vec<Vec<String>> = Vec::new();
    let mut before = Value::Null;
    for page in 0.. {
        let vars = json!({ "last": size, "before": before, "order": order, "filter": filter });
        let data = app.data(who.tok(), PAGE, vars).await;
        let info = &data["prospects"]["pageInfo"];
        assert_eq!(info["hasNextPage"], json!(page > 0), "{data:#}");
        backward.push(page_names(&data));
        if info["hasPreviousPage"] != json!(true) {
            break;
        }
        before = info["startCursor"].clone();
        assert!(page < 20, "no start");
    }
    let backward = backward.into_iter().rev().flatten().collect();
    (forward, backward)
}

#[tokio::test]
async fn every_ordering_pages_forward_and_backward_through_ties_nulls_and_mixed_case() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("STRICT").await;
    hand_made(&app, &w).await;
    // (field, ascending, descending): ties by creation in the same direction, nulls last.
    let cases: [(&str, [usize; 6], [usize; 6]); 5] = [
        ("CREATED_AT", [0, 1, 2, 3, 4, 5], [5, 4, 3, 2, 1, 0]),
        ("UPDATED_AT", [2, 4, 0, 1, 3, 5], [5, 3, 1, 0, 4, 2]),
        // "apple" twice (by creation), then banana, cherry, zebra, and é after z.
        ("NAME", [1, 3, 0, 2, 5, 4], [4, 5, 2, 0, 3, 1]),
        ("LATEST_SCORE", [1, 5, 0, 3, 2, 4], [3, 0, 5, 1, 4, 2]),
        ("REQUALIFY_BY", [5, 1, 0, 2, 3, 4], [1, 5, 4, 3, 2, 0]),
    ];
    for (field, asc, desc) in cases {
        for (direction, expected) in [("ASC", asc), ("DESC", desc)] {
            let order = json!({ "field": field, "direction": direction });
            for (who, actor) in [("mentee", &w.mentee), ("mentor", &w.mentor)] {
                for size in [2, 4] {
                    let (forward, backward) = walk(&app, actor, &order, &Value::Null, size).await;
                    let label = format!("{field} {direction} by the {who}, pages of {size}");
                    assert_eq!(forward, names(&expected), "{label}, forward");
                    assert_eq!(backward, names(&expected), "{label}, backward");
                }
            }
        }
    }
}

#[tokio::test]
async fn cursors_belong_to_their_ordering_and_first_goes_without_last() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("STRICT").await;
    hand_made(&app, &w).await;
    let by_name = json!({ "field": "NAME", "direction": "ASC" });
    let data = app
        .data(
            w.mentee.tok(),
            PAGE,
            json!({ "first": 2, "order": by_name }),
        )
        .await;
    let cursor = data["prospects"]["pageInfo"]["endCursor"].clone();
    // The same cursor in the other direction: the items before it by name, descending.
    let desc = json!({ "field": "NAME", "direction": "DESC" });
    let rest = app
        .data(
            w.mentee.tok(),
            PAGE,
            json!({ "first": 5, "after": cursor, "order": desc }),
        )
        .await;
    assert_eq!(page_names(&rest), names(&[1]));
    for (field, vars) in [
        (
            "after",
            json!({ "first": 2, "after": cursor, "order": { "field": "LATEST_SCORE" } }),
        ),
        ("before", json!({ "last": 2, "before": cursor })),
        ("after", json!({ "first": 2, "after": "bm9wZQ" })),
        ("last", json!({ "first": 2, "last": 2 })),
        ("last", json!({ "last": 0 })),
    ] {
        let body = app.gql(w.mentee.tok(), PAGE, vars.clone()).await;
        expect_field(&body, field);
        assert_eq!(body["data"]["prospects"], Value::Null, "{vars}");
    }
    // `after` and `before` together: the items between them.
    let all = app
        .data(
            w.mentee.tok(),
            PAGE,
            json!({ "first": 6, "order": by_name }),
        )
        .await;
    let edges = "query($a: String, $b: String) { prospects(first: 10, after: $a, before: $b, \
        orderBy: { field: NAME, direction: ASC }) { edges { cursor node { name } } \
        pageInfo { hasPreviousPage hasNextPage } } }";
    let every = app
        .data(w.mentee.tok(), edges, json!({ "a": null, "b": null }))
        .await;
    assert_eq!(page_names(&all), names(&[1, 3, 0, 2, 5, 4]));
    let cursor_at = |i: usize| every["prospects"]["edges"][i]["cursor"].clone();
    let between = app
        .data(
            w.mentee.tok(),
            edges,
            json!({ "a": cursor_at(0), "b": cursor_at(4) }),
        )
        .await;
    let found: Vec<String> = between["prospects"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| str_at(e, "/node/name"))
        .collect();
    assert_eq!(found, names(&[3, 0, 2]));
}

#[tokio::test]
async fn filters_narrow_by_owner_latest_tier_and_verdict_and_update_time() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("STRICT").await;
    let ids = hand_made(&app, &w).await;
    let other = app.sign_up(&w.invite_code).await;
    app.create_prospect(&other, &w.program_id, "Other's").await;
    let list = |who: Actor, filter: Value| {
        let app = &app;
        async move {
            let vars = json!({ "first": 20, "filter": filter });
            page_names(&app.data(who.tok(), PAGE, vars).await)
        }
    };
    let mentor = w.mentor.clone();
    let mentee = w.mentee.clone();
    assert_eq!(
        list(mentor.clone(), json!({ "latestTier": ["A"] })).await,
        names(&[3, 0])
    );
    assert_eq!(
        list(
            mentee.clone(),
            json!({ "latestVerdict": ["ACCEPT_WITH_PLAN"] })
        )
        .await,
        names(&[5, 1])
    );
    assert_eq!(
        list(
            mentee.clone(),
            json!({ "latestTier": ["B", "C"], "latestVerdict": ["ACCEPT"] })
        )
        .await,
        Vec::<String>::new()
    );
    assert_eq!(
        list(mentor.clone(), json!({ "ownerId": other.id })).await,
        vec!["Other's".to_owned()]
    );
    assert_eq!(
        list(mentee.clone(), json!({ "ownerId": other.id })).await,
        Vec::<String>::new(),
        "a mentee's list holds only their own"
    );
    assert_eq!(
        list(mentor.clone(), json!({ "ownerId": mentee.id }))
            .await
            .len(),
        6
    );
    // Since `Apple` was qualified: it, `apple` and `Zebra` (and `Other's`, created later).
    let read = "query($id: ID!) { node(id: $id) { ... on Prospect { updatedAt } } }";
    let apple = app.data(mentee.tok(), read, json!({ "id": ids[1] })).await;
    let since = apple["node"]["updatedAt"].clone();
    assert_eq!(
        list(mentor.clone(), json!({ "updatedSince": since })).await,
        vec![
            "Other's".to_owned(),
            NAMES[5].to_owned(),
            NAMES[3].to_owned(),
            NAMES[1].to_owned()
        ]
    );
    let body = app
        .gql(
            mentee.tok(),
            PAGE,
            json!({ "filter": { "ownerId": "bm9wZQ" } }),
        )
        .await;
    expect_field(&body, "filter.ownerId");
}

#[tokio::test]
async fn total_count_is_counted_only_when_selected() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("STRICT").await;
    hand_made(&app, &w).await;
    let server = app.server();
    let count = |query: &'static str| {
        let (app, server, w) = (&app, &server, &w);
        async move {
            let before = server.statements_executed();
            let body = app
                .gql_to(
                    server.addr,
                    Some(format!("Bearer {}", w.mentee.access)),
                    query,
                    json!({}),
                )
                .await;
            (server.statements_executed() - before, ok(body))
        }
    };
    let with = "{ prospects(first: 2) { totalCount nodes { name } } }";
    let without = "{ prospects(first: 2) { nodes { name } } }";
    count(without).await;
    let (counted, data) = count(with).await;
    assert_eq!(data["prospects"]["totalCount"], 6);
    let (uncounted, data) = count(without).await;
    assert_eq!(page_names(&data), names(&[5, 4]));
    assert_eq!(counted, uncounted + 1, "{counted} vs {uncounted}");
    // Nested: a prospect's decisions count theirs only when asked too.
    let (nested, data) =
        count("{ prospects(first: 2) { nodes { decisions(last: 1) { totalCount } } } }").await;
    assert_eq!(data["prospects"]["nodes"][0]["decisions"]["totalCount"], 0);
    assert!(nested <= uncounted + 1, "{nested}");
}

#[tokio::test]
async fn nested_lists_are_connections_that_page_both_ways() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("STRICT").await;
    let ids = hand_made(&app, &w).await;
    ok(app
        .decide(&w.mentee, &ids[0], "TURN_DOWN", None, None)
        .await);
    app.qualify(&w.mentee, &ids[0], &Answers::all_best(), None)
        .await;
    ok(app.decide(&w.mentee, &ids[0], "TAKE_ON", None, None).await);
    let decisions = "query($id: ID!, $first: Int, $last: Int, $after: String) { node(id: $id) { \
        ... on Prospect { decisions(first: $first, last: $last, after: $after) { totalCount \
        pageInfo { hasPreviousPage hasNextPage endCursor } nodes { decision } } } } }";
    let first = app
        .data(
            w.mentee.tok(),
            decisions,
            json!({ "id": ids[0], "first": 1 }),
        )
        .await;
    let d = &first["node"]["decisions"];
    assert_eq!(
        (
            d["totalCount"].clone(),
            d["nodes"].clone(),
            d["pageInfo"]["hasNextPage"].clone()
        ),
        (json!(2), json!([{ "decision": "TURN_DOWN" }]), json!(true))
    );
    let next = app
        .data(
            w.mentee.tok(),
            decisions,
            json!({ "id": ids[0], "first": 1, "after": d["pageInfo"]["endCursor"] }),
        )
        .await;
    let n = &next["node"]["decisions"];
    assert_eq!(
        (
            n["nodes"].clone(),
            n["pageInfo"]["hasPreviousPage"].clone(),
            n["pageInfo"]["hasNextPage"].clone()
        ),
        (
            json!([{ "decision": "TAKE_ON" }]),
            json!(true),
            json!(false)
        )
    );
    let last = app
        .data(
            w.mentee.tok(),
            decisions,
            json!({ "id": ids[0], "last": 1 }),
        )
        .await;
    let l = &last["node"]["decisions"];
    assert_eq!(
        (l["nodes"].clone(), l["pageInfo"]["hasPreviousPage"].clone()),
        (json!([{ "decision": "TAKE_ON" }]), json!(true))
    );

    // Invites, newest first: the world's, then three more.
    let mut codes = vec![w.invite_code.clone()];
    for _ in 0..3 {
        codes.push(app.create_invite(&w.mentor, &w.program_id, Some(5)).await.1);
    }
    let invites = "query($id: ID!, $first: Int, $last: Int, $before: String) { node(id: $id) { \
        ... on Program { invites(first: $first, last: $last, before: $before) { totalCount \
        pageInfo { hasPreviousPage startCursor } nodes { code } } } } }";
    let newest = app
        .data(
            w.mentor.tok(),
            invites,
            json!({ "id": w.program_id, "first": 2 }),
        )
        .await;
    let code_list = |v: &Value| -> Vec<String> {
        v["node"]["invites"]["nodes"]
            .as_array()
            .expect("invites")
            .iter()
            .map(|i| str_at(i, "/code"))
            .collect()
    };
    assert_eq!(code_list(&newest), vec![codes[3].clone(), codes[2].clone()]);
    assert_eq!(newest["node"]["invites"]["totalCount"], 4);
    let oldest = app
        .data(
            w.mentor.tok(),
            invites,
            json!({ "id": w.program_id, "last": 3 }),
        )
        .await;
    assert_eq!(
        code_list(&oldest),
        vec![codes[2].clone(), codes[1].clone(), codes[0].clone()]
    );
    let before = app
        .data(
            w.mentor.tok(),
            invites,
            json!({ "id": w.program_id, "last": 3,
                    "before": oldest["node"]["invites"]["pageInfo"]["startCursor"] }),
        )
        .await;
    assert_eq!(code_list(&before), vec![codes[3].clone()]);
    assert_eq!(
        before["node"]["invites"]["pageInfo"]["hasPreviousPage"],
        false
    );
    let seen_by_mentee = app
        .data(
            w.mentee.tok(),
            invites,
            json!({ "id": w.program_id, "first": 2 }),
        )
        .await;
    assert_eq!(
        seen_by_mentee["node"],
        json!({ "invites": { "totalCount": 0, "pageInfo": { "hasPreviousPage": false, "startCursor": null }, "nodes": [] } })
    );

    // Template versions, oldest first: v1 published, v2 a draft.
    let draft = json!({ "input": { "id": w.template_id, "name": "Renamed standard",
                                   "definition": crate::definitions::standard_definition("REVIEW") } });
    ok(app
        .gql(
            w.mentor.tok(),
            crate::fixtures::UPDATE_TEMPLATE_DRAFT,
            draft,
        )
        .await);
    let versions = "query($id: ID!, $first: Int, $last: Int) { node(id: $id) { ... on Template { \
        versions(first: $first, last: $last) { totalCount pageInfo { hasNextPage hasPreviousPage } \
        nodes { number status } } } } }";
    let v = app
        .data(
            w.mentor.tok(),
            versions,
            json!({ "id": w.template_id, "first": 1 }),
        )
        .await;
    assert_eq!(
        v["node"]["versions"],
        json!({ "totalCount": 2, "pageInfo": { "hasNextPage": true, "hasPreviousPage": false },
                "nodes": [{ "number": 1, "status": "PUBLISHED" }] })
    );
    let v = app
        .data(
            w.mentor.tok(),
            versions,
            json!({ "id": w.template_id, "last": 1 }),
        )
        .await;
    assert_eq!(
        v["node"]["versions"],
        json!({ "totalCount": 2, "pageInfo": { "hasNextPage": false, "hasPreviousPage": true },
                "nodes": [{ "number": 2, "status": "DRAFT" }] })
    );
}

#[tokio::test]
async fn a_programs_mentees_come_with_their_membership_and_removed_ones_on_request() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("STRICT").await;
    let other = app.sign_up(&w.invite_code).await;
    let remove = "mutation($p: ID!, $m: ID!) { removeMentee(input: { programId: $p, menteeId: $m }) { removedMenteeId } }";
    ok(app
        .gql(
            w.mentor.tok(),
            remove,
            json!({ "p": w.program_id, "m": w.mentee.id }),
        )
        .await);
    let roster = "query($id: ID!, $all: Boolean) { node(id: $id) { ... on Program { \
        mentees(first: 10, includeRemoved: $all) { totalCount nodes { mentee { id } joinedAt \
        removedAt active } } } } }";
    let read = |who: Actor, all: bool| {
        let app = &app;
        let program = w.program_id.clone();
        async move {
            app.data(who.tok(), roster, json!({ "id": program, "all": all }))
                .await["node"]["mentees"]
                .clone()
        }
    };
    let active = read(w.mentor.clone(), false).await;
    assert_eq!(active["totalCount"], 1);
    assert_eq!(active["nodes"][0]["mentee"]["id"], json!(other.id));
    assert_eq!(active["nodes"][0]["active"], true);
    assert_eq!(active["nodes"][0]["removedAt"], Value::Null);
    let everyone = read(w.mentor.clone(), true).await;
    assert_eq!(everyone["totalCount"], 2);
    let first = &everyone["nodes"][0];
    assert_eq!(
        (first["mentee"]["id"].clone(), first["active"].clone()),
        (json!(w.mentee.id), json!(false))
    );
    assert!(first["removedAt"].is_string(), "{everyone:#}");
    assert!(
        first["joinedAt"].as_str() <= first["removedAt"].as_str(),
        "{everyone:#}"
    );
    assert_eq!(everyone["nodes"][1]["mentee"]["id"], json!(other.id));
    // A mentee reads the program but not its roster.
    let seen = read(other.clone(), true).await;
    assert_eq!(seen, json!({ "totalCount": 0, "nodes": [] }));
}
