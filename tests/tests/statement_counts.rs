//! SQL statements per request for the benchmark's read scenarios: a mentee's
//! prospects with their latest qualification, its template version and the criteria (S3,
//! S5), and a mentor's view of a program with latest qualifications and decisions (S4).
//! Their statement count must not grow with the page size nor with the data: at most 5.
//!
//! The counting server is a second instance on the test's database, so that setting up
//! the data through the first one does not touch its counter; requests run one at a time.

use serde_json::{Value, json};

use crate::definitions::{Answers, scale, yes};
use crate::fixtures::{Actor, World};
use crate::helpers::{TestApp, ok, str_at};

/// The benchmark's S3 operation (bench/src/scenarios.rs).
const MENTEE_PROSPECTS: &str = "query($first: Int!) { prospects(first: $first) { \
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { \
    id name company status createdAt latestQualification { id createdAt score tier verdict knockouts \
    templateVersion { id number thresholdA thresholdB criteria { key label question weight } } } } } } }";

/// The benchmark's S4 operation.
const PROGRAM_PROSPECTS: &str = "query($program: ID!, $first: Int!) { \
    prospects(first: $first, filter: { programId: $program }) { \
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { \
    id name company status latestQualification { id createdAt score tier verdict } \
    decisions(first: 5) { nodes { id decision isException createdAt } } } } } }";

/// S3 asking for every field only a qualification's whole row holds (answers, outlook,
/// explanations), which a page otherwise does not read.
const MENTEE_PROSPECTS_EXPLAINED: &str = "query($first: Int!) { prospects(first: $first) { \
    edges { node { id latestQualification { id score uncappedTier projectedKnockouts \
    answers { key } outlook { plan } explanation { key contributionBasisPoints } \
    projectedExplanation { key } } } } } }";

/// Every field of a qualification that a page can answer from its head, and the same with
/// the fields that need the whole row.
const HEAD_FIELDS: &str = "id createdAt scoringRule score scoreBasisPoints tier knockouts unknowns \
    projectedScore projectedScoreBasisPoints projectedTier verdict requalifyBy plan \
    templateVersion { id } qualifiedBy { id } prospect { id }";

const PAGE_SIZES: [i64; 4] = [1, 10, 50, 100];
const MAX_STATEMENTS: u64 = 5;

/// The statements one request ran on `server`, and its data.
async fn counted(
    app: &TestApp,
    server: &api::Server,
    who: &Actor,
    query: &str,
    variables: Value,
) -> (u64, Value) {
    let before = server.statements_executed();
    let body = app
        .gql_to(
            server.addr,
            Some(format!("Bearer {}", who.access)),
            query,
            variables,
        )
        .await;
    let after = server.statements_executed();
    (after - before, ok(body))
}

/// `count` prospects for `mentee`, qualified once or twice, half of them decided.
async fn add_prospects(app: &TestApp, world: &World, mentee: &Actor, count: usize) {
    for i in 0..count {
        let prospect = app
            .create_prospect(mentee, &world.program_id, &format!("Prospect {i}"))
            .await;
        let answers = match i % 3 {
            0 => Answers::good(),
            1 => Answers::middling(),
            _ => Answers::knocked_out(),
        };
        if i % 4 == 0 {
            app.qualify(mentee, &prospect, &Answers::middling(), None)
                .await;
        }
        app.qualify(mentee, &prospect, &answers, None).await;
        if i % 2 == 0 {
            let decision = if i % 3 == 0 { "TAKE_ON" } else { "TURN_DOWN" };
            ok(app.decide(mentee, &prospect, decision, None, None).await);
        }
    }
}

/// Statements of S3, S4 and S3 with whole rows at every page size: `(label, first, S3
/// count, S4 count, explained S3 count)`.
async fn measure(
    app: &TestApp,
    server: &api::Server,
    world: &World,
    data: &str,
) -> Vec<(String, i64, u64, u64, u64)> {
    let mut rows_out = Vec::new();
    for first in PAGE_SIZES {
        let (s3, mine) = counted(
            app,
            server,
            &world.mentee,
            MENTEE_PROSPECTS,
            json!({ "first": first }),
        )
        .await;
        let (s4, program) = counted(
            app,
            server,
            &world.mentor,
            PROGRAM_PROSPECTS,
            json!({ "program": world.program_id, "first": first }),
        )
        .await;
        let (explained, rows) = counted(
            app,
            server,
            &world.mentee,
            MENTEE_PROSPECTS_EXPLAINED,
            json!({ "first": first }),
        )
        .await;
        assert!(
            !str_at(
                &rows,
                "/prospects/edges/0/node/latestQualification/explanation/0/key"
            )
            .is_empty(),
            "{rows:#}"
        );
        // The pages really are as large as asked, up to what there is.
        let total = mine["prospects"]["totalCount"].as_i64().unwrap_or(0);
        let edges = mine["prospects"]["edges"].as_array().map_or(0, Vec::len);
        assert_eq!(edges as i64, first.min(total), "{mine:#}");
        assert!(
            !str_at(
                &mine,
                "/prospects/edges/0/node/latestQualification/templateVersion/criteria/0/key"
            )
            .is_empty()
        );
        let listed = program["prospects"]["edges"].as_array().map_or(0, Vec::len);
        assert!(listed > 0, "{program:#}");
        rows_out.push((
            format!("{data}, {total} own prospects"),
            first,
            s3,
            s4,
            explained,
        ));
    }
    rows_out
}

#[tokio::test]
async fn prospect_lists_run_the_same_few_statements_at_any_page_and_data_size() {
    let app = TestApp::spawn().await;
    let world = app.mentee_in_program("STRICT").await;
    let server = app.server();

    add_prospects(&app, &world, &world.mentee, 3).await;
    // The first read loads the published version into the process-wide cache.
    counted(
        &app,
        server,
        &world.mentee,
        MENTEE_PROSPECTS,
        json!({ "first": 1 }),
    )
    .await;
    let mut rows = measure(&app, server, &world, "small").await;

    add_prospects(&app, &world, &world.mentee, 60).await;
    let other = app.sign_up(&world.invite_code).await;
    add_prospects(&app, &world, &other, 20).await;
    rows.extend(measure(&app, server, &world, "large").await);

    let table: String = rows
        .iter()
        .map(|(data, first, s3, s4, explained)| {
            format!("\n  {data}, first {first}: S3 {s3}, S4 {s4}, S3 explained {explained}")
        })
        .collect();
    let (_, _, s3, s4, explained) = rows[0].clone();
    for (_, _, s3_here, s4_here, explained_here) in &rows {
        assert_eq!(
            (*s3_here, *s4_here, *explained_here),
            (s3, s4, explained),
            "statement counts vary:{table}"
        );
    }
    assert!(
        s3 <= MAX_STATEMENTS && s4 <= MAX_STATEMENTS,
        "more than {MAX_STATEMENTS} statements:{table}"
    );
    // Whole rows are read instead of heads, not after them; the explained page does not
    // select `totalCount`, so it runs no count (issue 16): one statement fewer than S3.
    assert_eq!(
        explained + 1,
        s3,
        "the rows cost more statements than the heads:{table}"
    );
}

/// Each field that needs a qualification's whole row, asked alone by a page, costs no more
/// statements than the heads: the page's look-ahead knows every one of them
/// (`types::qualification::NEEDS_ROW`), so the rows are read instead of the heads.
#[tokio::test]
async fn each_field_of_the_whole_row_is_read_with_the_page_not_after_it() {
    let app = TestApp::spawn().await;
    let world = app.mentee_in_program("STRICT").await;
    let server = app.server();
    add_prospects(&app, &world, &world.mentee, 5).await;
    let page = |fields: &str| {
        format!(
            "{{ prospects(first: 10) {{ nodes {{ id latestQualification {{ id {fields} }} }} }} }}"
        )
    };
    // Twice: the first read also loads the published version into the process's cache.
    counted(
        &app,
        server,
        &world.mentee,
        &page("explanation { key }"),
        json!({}),
    )
    .await;
    let (heads, _) = counted(&app, server, &world.mentee, &page("score tier"), json!({})).await;
    for field in [
        "answers { key }",
        "outlook { plan }",
        "uncappedTier",
        "projectedKnockouts",
        "explanation { key }",
        "projectedExplanation { key }",
    ] {
        let (rows, data) = counted(&app, server, &world.mentee, &page(field), json!({})).await;
        let nodes = data["prospects"]["nodes"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert_eq!(nodes.len(), 5, "{field}: {data:#}");
        assert_eq!(rows, heads, "{field} is read after the page's heads");
    }
}

/// A page that reads only the heads of its latest qualifications answers exactly what the
/// whole rows answer, field by field (the head's columns are copies of the stored result).
#[tokio::test]
async fn a_page_of_heads_answers_as_the_whole_rows_do() {
    let app = TestApp::spawn().await;
    let world = app.mentee_in_program("STRICT").await;
    add_prospects(&app, &world, &world.mentee, 6).await;
    let prospect = app
        .create_prospect(&world.mentee, &world.program_id, "With an outlook")
        .await;
    app.qualify(
        &world.mentee,
        &prospect,
        &Answers::middling(),
        Some(json!({ "plan": "Grow", "answers": [
            { "key": "growth", "value": scale(5) }, { "key": "referral", "value": yes(true) }
        ] })),
    )
    .await;

    let page = |fields: String| {
        format!(
            "{{ prospects(first: 20) {{ edges {{ node {{ id latestQualification {{ {fields} }} }} }} }} }}"
        )
    };
    let heads = ok(app
        .gql(world.mentee.tok(), &page(HEAD_FIELDS.to_owned()), json!({}))
        .await);
    let rows = ok(app
        .gql(
            world.mentee.tok(),
            &page(format!("{HEAD_FIELDS} explanation {{ key }}")),
            json!({}),
        )
        .await);
    let edges = |body: &Value| {
        body["prospects"]["edges"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    };
    let (heads, rows) = (edges(&heads), edges(&rows));
    assert_eq!(heads.len(), 7);
    assert!(
        heads
            .iter()
            .any(|e| !e["node"]["latestQualification"]["plan"].is_null())
    );
    for (head, row) in heads.iter().zip(&rows) {
        let mut row = row.clone();
        let explanation = row["node"]["latestQualification"]
            .as_object_mut()
            .and_then(|q| q.remove("explanation"));
        assert!(explanation.is_some_and(|e| e.as_array().is_some_and(|a| !a.is_empty())));
        assert_eq!(head, &row);
    }
}

/// The feedback loop's every figure, and a page of prospects with their clients and
/// intakes: the same statements with 3 clients and with 33, at any page size.
#[tokio::test]
async fn the_feedback_loop_and_clients_run_the_same_statements_at_any_data_size() {
    let app = TestApp::spawn().await;
    let world = app.mentee_in_program("REVIEW").await;
    let server = app.server();
    let this_month = crate::helpers::today().format("%Y-%m").to_string();
    let add_clients = |count: usize| {
        let (app, world, month) = (&app, &world, this_month.clone());
        async move {
            for i in 0..count {
                let (answers, outlook) = match i % 3 {
                    0 => (Answers::good(), None),
                    _ => (Answers::middling(), Some(crate::feedback::plan())),
                };
                let client = app
                    .client(
                        &world.mentee,
                        &world.program_id,
                        "Client",
                        &answers,
                        outlook,
                    )
                    .await;
                let amount = format!("{}.00", 1000 * (i + 1));
                app.outcome(&world.mentee, &client, &month, &amount, Some("10"), None, 4)
                    .await;
            }
        }
    };
    let clients_page = "query($first: Int!) { prospects(first: $first) { nodes { id \
        intake { tier path qualification { id verdict } templateVersion { id } } \
        client { takenOn flaggedForExit revision } } } }";
    let vars = json!({ "from": this_month, "to": this_month });
    let measure = |label: &'static str| {
        let (app, server, world, vars) = (&app, &server, &world, vars.clone());
        async move {
            let mut out = Vec::new();
            let mine = counted(
                app,
                server,
                &world.mentee,
                crate::feedback::FEEDBACK,
                vars.clone(),
            );
            out.push((label, "mentee's feedback", mine.await.0));
            let mut program = vars.clone();
            program["program"] = json!(world.program_id);
            let theirs = counted(
                app,
                server,
                &world.mentor,
                crate::feedback::FEEDBACK,
                program,
            );
            out.push((label, "mentor's program feedback", theirs.await.0));
            for first in [1, 50] {
                let page = counted(
                    app,
                    server,
                    &world.mentee,
                    clients_page,
                    json!({ "first": first }),
                );
                out.push((label, "a page of clients", page.await.0));
            }
            out
        }
    };
    add_clients(3).await;
    // The first reads load the published version into the process-wide cache.
    measure("warm-up").await;
    let small = measure("3 clients").await;
    add_clients(30).await;
    let large = measure("33 clients").await;
    let table: String = small
        .iter()
        .chain(&large)
        .map(|(data, what, n)| format!("\n  {data}, {what}: {n}"))
        .collect();
    let counts = |rows: &[(&str, &str, u64)]| rows.iter().map(|r| r.2).collect::<Vec<_>>();
    assert_eq!(
        counts(&small),
        counts(&large),
        "statement counts vary:{table}"
    );
    assert!(
        small.iter().all(|r| r.2 <= MAX_STATEMENTS + 2),
        "too many statements:{table}"
    );
}

/// A mentor's dashboard over their programs with its mentee rows (each with its user and
/// program), and a mentee's own: the same statements with one mentee and 3 clients as
/// with three mentees in two programs and 15 clients.
#[tokio::test]
async fn the_dashboards_run_the_same_statements_at_any_data_size() {
    let app = TestApp::spawn().await;
    let world = app.mentee_in_program("REVIEW").await;
    let server = app.server();
    let this_month = crate::helpers::today().format("%Y-%m").to_string();
    let add_clients = |mentee: Actor, program: String, count: usize| {
        let (app, month) = (&app, this_month.clone());
        async move {
            for i in 0..count {
                let (answers, outlook) = match i % 3 {
                    0 => (Answers::good(), None),
                    _ => (Answers::middling(), Some(crate::feedback::plan())),
                };
                let client = app
                    .client(&mentee, &program, "Client", &answers, outlook)
                    .await;
                app.outcome(&mentee, &client, &month, "100.00", None, None, 4)
                    .await;
                let declined = app.create_prospect(&mentee, &program, "No").await;
                app.qualify(&mentee, &declined, &Answers::knocked_out(), None)
                    .await;
                ok(app
                    .decide(&mentee, &declined, "TURN_DOWN", None, None)
                    .await);
            }
        }
    };
    let today = crate::helpers::today().to_string();
    let vars = json!({ "from": today, "to": today });
    let measure = |label: &'static str| {
        let (app, server, world, vars) = (&app, &server, &world, vars.clone());
        async move {
            let mentors = counted(
                app,
                server,
                &world.mentor,
                crate::dashboard::DASHBOARD,
                vars.clone(),
            );
            let (n, data) = mentors.await;
            let mut out = vec![(label, "mentor's dashboard", n)];
            let rows = data["dashboard"]["mentees"].as_array().map(Vec::len);
            let mine = counted(
                app,
                server,
                &world.mentee,
                crate::dashboard::DASHBOARD,
                vars.clone(),
            );
            out.push((label, "mentee's dashboard", mine.await.0));
            (out, rows)
        }
    };
    add_clients(world.mentee.clone(), world.program_id.clone(), 3).await;
    measure("warm-up").await;
    let (small, small_rows) = measure("1 mentee, 3 clients").await;
    let p2 = app.create_program(&world.mentor, &world.version_id).await;
    let (_, code) = app.create_invite(&world.mentor, &p2, None).await;
    let second = app.sign_up(&world.invite_code).await;
    let third = app.sign_up(&code).await;
    add_clients(world.mentee.clone(), world.program_id.clone(), 4).await;
    add_clients(second, world.program_id.clone(), 4).await;
    add_clients(third, p2, 4).await;
    let (large, large_rows) = measure("3 mentees, 15 clients").await;
    assert_eq!((small_rows, large_rows), (Some(1), Some(3)));
    let table: String = small
        .iter()
        .chain(&large)
        .map(|(data, what, n)| format!("\n  {data}, {what}: {n}"))
        .collect();
    let counts = |rows: &[(&str, &str, u64)]| rows.iter().map(|r| r.2).collect::<Vec<_>>();
    assert_eq!(
        counts(&small),
        counts(&large),
        "statement counts vary:{table}"
    );
    // The request's session check, five counting statements, the rows' A_SHARE goals, and
    // (with rows) the rows' users and programs in one batch each.
    let limits = [9, 7];
    assert!(
        small.iter().zip(limits).all(|(r, limit)| r.2 <= limit),
        "too many statements:{table}"
    );
}
