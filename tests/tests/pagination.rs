//! Relay connections: first/after, the default of 20 and the limit of 100, totalCount, filters,
//! ordering, and every item exactly once.

use serde_json::{Value, json};

use crate::definitions::{Answers, standard_definition};
use crate::fixtures::Actor;
use crate::helpers::{TestApp, expect_field, int_at, str_at};

const PROSPECTS: &str = "query($first: Int, $after: String, $filter: ProspectFilter, $orderBy: ProspectOrder) { \
    prospects(first: $first, after: $after, filter: $filter, orderBy: $orderBy) { totalCount \
    edges { cursor node { id name } } nodes { id } pageInfo { hasNextPage endCursor } } }";

/// Walks a connection with pages of `first`, returning every id and the page sizes.
async fn walk(app: &TestApp, actor: &Actor, first: i64, extra: Value) -> (Vec<String>, Vec<usize>) {
    let (mut ids, mut sizes, mut after) = (Vec::new(), Vec::new(), Value::Null);
    for _ in 0..50 {
        let mut vars = extra.clone();
        vars["first"] = json!(first);
        vars["after"] = after.clone();
        let page = app.data(actor.tok(), PROSPECTS, vars).await["prospects"].clone();
        let edges = page["edges"].as_array().expect("edges");
        let page_ids: Vec<String> = edges.iter().map(|e| str_at(e, "/node/id")).collect();
        let node_ids: Vec<String> = page["nodes"]
            .as_array()
            .expect("nodes")
            .iter()
            .map(|n| str_at(n, "/id"))
            .collect();
        assert_eq!(page_ids, node_ids, "edges and nodes agree");
        if let Some(last) = edges.last() {
            assert_eq!(last["cursor"], page["pageInfo"]["endCursor"]);
        }
        sizes.push(page_ids.len());
        ids.extend(page_ids);
        if page["pageInfo"]["hasNextPage"] != json!(true) {
            return (ids, sizes);
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
    panic!("pagination did not end after 50 pages");
}

#[tokio::test]
async fn prospects_page_through_every_item_exactly_once() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("STRICT").await;
    let mut created = Vec::new();
    for n in 0..45 {
        created.push(
            app.create_prospect(&w.mentee, &w.program_id, &format!("Prospect {n:02}"))
                .await,
        );
    }

    let default = app.data(w.mentee.tok(), PROSPECTS, json!({})).await["prospects"].clone();
    assert_eq!(default["totalCount"], 45);
    assert_eq!(
        default["edges"].as_array().map(Vec::len),
        Some(20),
        "the default page size is 20"
    );
    assert_eq!(default["pageInfo"]["hasNextPage"], true);
    assert_eq!(
        str_at(&default, "/edges/0/node/id"),
        created[44],
        "newest first by default"
    );

    let newest_first: Vec<String> = created.iter().rev().cloned().collect();
    let (ids, sizes) = walk(&app, &w.mentee, 20, json!({})).await;
    assert_eq!(sizes, [20, 20, 5]);
    assert_eq!(ids, newest_first);

    let ascending = json!({ "orderBy": { "field": "CREATED_AT", "direction": "ASC" } });
    let (ids, sizes) = walk(&app, &w.mentee, 17, ascending).await;
    assert_eq!(sizes, [17, 17, 11]);
    assert_eq!(ids, created);

    let all = app
        .data(w.mentee.tok(), PROSPECTS, json!({ "first": 100 }))
        .await;
    assert_eq!(all["prospects"]["edges"].as_array().map(Vec::len), Some(45));
    assert_eq!(all["prospects"]["pageInfo"]["hasNextPage"], false);

    // The mentor sees the same 45 through the program.
    let (ids, _) = walk(
        &app,
        &w.mentor,
        100,
        json!({ "filter": { "programId": w.program_id } }),
    )
    .await;
    assert_eq!(ids, newest_first);
}

#[tokio::test]
async fn page_sizes_beyond_the_limits_and_bad_cursors_are_bad_user_input() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("STRICT").await;
    app.create_prospect(&w.mentee, &w.program_id, "Only one")
        .await;
    for first in [101, -1] {
        expect_field(
            &app.gql(w.mentee.tok(), PROSPECTS, json!({ "first": first }))
                .await,
            "first",
        );
    }
    expect_field(
        &app.gql(
            w.mentee.tok(),
            PROSPECTS,
            json!({ "after": "not-a-cursor" }),
        )
        .await,
        "after",
    );
    let programs = "query($first: Int) { programs(first: $first) { totalCount } }";
    expect_field(
        &app.gql(w.mentor.tok(), programs, json!({ "first": 101 }))
            .await,
        "first",
    );
    let ok = app
        .data(w.mentor.tok(), programs, json!({ "first": 100 }))
        .await;
    assert_eq!(ok["programs"]["totalCount"], 1);
}

#[tokio::test]
async fn filters_narrow_prospects_and_total_count_follows_them() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("STRICT").await;
    let mut ids = Vec::new();
    for name in [
        "Baker One",
        "Baker Two",
        "Candle Shop",
        "Dental Lab",
        "Engineering Ltd",
    ] {
        ids.push(app.create_prospect(&w.mentee, &w.program_id, name).await);
    }
    app.qualify(&w.mentee, &ids[0], &Answers::all_best(), None)
        .await;
    app.qualify(&w.mentee, &ids[2], &Answers::middling(), None)
        .await;
    let archive = "mutation($id: ID!) { archiveProspect(id: $id) { prospect { archived } } }";
    let archived = app
        .data(w.mentee.tok(), archive, json!({ "id": ids[4] }))
        .await;
    assert_eq!(archived["archiveProspect"]["prospect"]["archived"], true);

    let count = |filter: Value| {
        let app = &app;
        let token = w.mentee.tok();
        async move {
            int_at(
                &app.data(token, PROSPECTS, json!({ "filter": filter }))
                    .await,
                "/prospects/totalCount",
            )
        }
    };
    assert_eq!(
        count(json!({})).await,
        4,
        "archived prospects are hidden by default"
    );
    assert_eq!(count(json!({ "includeArchived": true })).await, 5);
    assert_eq!(count(json!({ "status": ["QUALIFIED"] })).await, 2);
    assert_eq!(count(json!({ "status": ["NEW"] })).await, 2);
    assert_eq!(
        count(json!({ "status": ["QUALIFIED", "NEW"], "includeArchived": true })).await,
        5
    );
    assert_eq!(count(json!({ "search": "Baker" })).await, 2);
    assert_eq!(
        count(json!({ "programId": w.program_id, "status": ["TAKEN_ON"] })).await,
        0
    );
}

#[tokio::test]
async fn templates_and_qualifications_page_too() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("STRICT").await;
    for n in 0..4 {
        app.create_template(
            &w.mentor,
            &format!("Template {n}"),
            standard_definition("REVIEW"),
        )
        .await;
    }
    let query = "query($after: String, $all: Boolean! = false) { templates(first: 2, after: $after, includeArchived: $all) { \
        totalCount nodes { id } pageInfo { hasNextPage endCursor } } }";
    let (mut seen, mut after) = (Vec::new(), Value::Null);
    loop {
        let page = app
            .data(w.mentor.tok(), query, json!({ "after": after }))
            .await["templates"]
            .clone();
        assert_eq!(page["totalCount"], 5);
        seen.extend(
            page["nodes"]
                .as_array()
                .expect("nodes")
                .iter()
                .map(|n| str_at(n, "/id")),
        );
        if page["pageInfo"]["hasNextPage"] != json!(true) {
            break;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!((seen.len(), unique.len()), (5, 5));
    assert!(seen.contains(&w.template_id));
    let archive = "mutation($id: ID!) { archiveTemplate(id: $id) { template { archived } } }";
    app.data(w.mentor.tok(), archive, json!({ "id": seen[0] }))
        .await;
    let visible = app.data(w.mentor.tok(), query, json!({})).await;
    assert_eq!(visible["templates"]["totalCount"], 4);
    let everything = app
        .data(w.mentor.tok(), query, json!({ "all": true }))
        .await;
    assert_eq!(everything["templates"]["totalCount"], 5);

    let prospect = app
        .create_prospect(&w.mentee, &w.program_id, "Requalified")
        .await;
    for _ in 0..3 {
        app.qualify(&w.mentee, &prospect, &Answers::good(), None)
            .await;
    }
    let history = "query($id: ID!) { node(id: $id) { ... on Prospect { qualifications(first: 2) { totalCount \
        nodes { id } pageInfo { hasNextPage } } } } }";
    let page = app
        .data(w.mentee.tok(), history, json!({ "id": prospect }))
        .await;
    assert_eq!(page["node"]["qualifications"]["totalCount"], 3);
    assert_eq!(
        page["node"]["qualifications"]["nodes"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );
    assert_eq!(
        page["node"]["qualifications"]["pageInfo"]["hasNextPage"],
        true
    );
}
