//! `node`, `nodes`, lists and nested fields never reach what the reader may not see.

use serde_json::{Value, json};

use super::{ACTORS, Matrix, mirrored, objects};
use crate::helpers::codes;

const NODE: &str = "query($id: ID!) { node(id: $id) { __typename id } }";

#[tokio::test]
async fn node_and_nodes_answer_hidden_objects_exactly_like_missing_ones() {
    let m = Matrix::build().await;
    let ghosts = objects(&m.ghost);
    let mut cells = Vec::new(); // (actor, object label, id, ghost id, visible)
    for (column, actor) in ACTORS.iter().enumerate() {
        for ((label, id, visible), (_, ghost_id, _)) in objects(&m.x).into_iter().zip(&ghosts) {
            cells.push((
                *actor,
                format!("X's {label}"),
                id,
                ghost_id.clone(),
                visible[column],
            ));
        }
        for ((label, id, visible), (_, ghost_id, _)) in objects(&m.y).into_iter().zip(&ghosts) {
            cells.push((
                *actor,
                format!("Y's {label}"),
                id,
                ghost_id.clone(),
                mirrored(visible)[column],
            ));
        }
    }
    let mut failures = Vec::new();
    for (actor, label, id, ghost_id, visible) in &cells {
        let Some(visible) = visible else { continue };
        let token = m.actor(actor).tok();
        let body = m.app.gql(token, NODE, json!({ "id": id })).await;
        if *visible {
            if body["data"]["node"]["id"] != json!(id) || !codes(&body).is_empty() {
                failures.push(format!("{actor} should see {label}: {body}"));
            }
        } else {
            let missing = m.app.gql(token, NODE, json!({ "id": ghost_id })).await;
            if body != missing || body["data"]["node"] != Value::Null {
                failures.push(format!(
                    "{actor} on {label}: got {body}, a missing id gives {missing}"
                ));
            }
        }
    }
    // `nodes` in one call per actor: null exactly where hidden, including the ghost ids.
    for actor in ACTORS {
        let mine: Vec<&(&str, String, String, String, Option<bool>)> = cells
            .iter()
            .filter(|c| c.0 == actor && c.4.is_some())
            .collect();
        let mut ids: Vec<String> = mine.iter().map(|c| c.2.clone()).collect();
        ids.push(m.ghost.prospect.clone());
        let body = m
            .app
            .gql(
                m.actor(actor).tok(),
                "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
                json!({ "ids": ids }),
            )
            .await;
        let Some(answers) = body["data"]["nodes"]
            .as_array()
            .filter(|a| a.len() == ids.len())
        else {
            failures.push(format!(
                "{actor}: nodes did not answer one entry per id: {body}"
            ));
            continue;
        };
        for (cell, answer) in mine.iter().zip(answers) {
            let expected = if cell.4 == Some(true) {
                json!({ "id": cell.2 })
            } else {
                Value::Null
            };
            if *answer != expected {
                failures.push(format!(
                    "{actor} via nodes on {}: expected {expected}, got {answer}",
                    cell.1
                ));
            }
        }
        if answers.last() != Some(&Value::Null) {
            failures.push(format!("{actor}: a missing id in nodes must be null"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} authorization failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn ids_in(body: &Value, list: &str) -> Vec<String> {
    body["data"][list]["nodes"]
        .as_array()
        .map(|nodes| {
            nodes
                .iter()
                .filter_map(|n| n["id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn lists_and_nested_fields_never_reach_hidden_objects() {
    let m = Matrix::build().await;
    let (x, y) = (&m.x, &m.y);
    let mut failures = Vec::new();
    // (actor, list, must contain, must not contain)
    let lists = [
        (
            "mentee A",
            "prospects",
            vec![&x.prospect],
            vec![&y.prospect],
        ),
        (
            "mentee B",
            "prospects",
            vec![],
            vec![&x.prospect, &y.prospect],
        ),
        (
            "mentor X",
            "prospects",
            vec![&x.prospect],
            vec![&y.prospect],
        ),
        (
            "mentor Y",
            "prospects",
            vec![&y.prospect],
            vec![&x.prospect],
        ),
        (
            "mentor X",
            "exceptionRequests",
            vec![&x.exception],
            vec![&y.exception],
        ),
        (
            "mentor Y",
            "exceptionRequests",
            vec![&y.exception],
            vec![&x.exception],
        ),
        (
            "mentee B",
            "exceptionRequests",
            vec![],
            vec![&x.exception, &y.exception],
        ),
        ("mentee C", "exceptionRequests", vec![], vec![&x.exception]),
        ("mentee B", "programs", vec![&x.program], vec![&y.program]),
        ("mentee C", "programs", vec![&y.program], vec![&x.program]),
        ("mentor Y", "programs", vec![&y.program], vec![&x.program]),
        (
            "mentor Y",
            "templates",
            vec![&y.template],
            vec![&x.template],
        ),
    ];
    for (actor, list, present, absent) in lists {
        let body = m
            .app
            .gql(
                m.actor(actor).tok(),
                &format!("{{ {list}(first: 100) {{ nodes {{ id }} }} }}"),
                json!({}),
            )
            .await;
        let found = ids_in(&body, list);
        // Refusing the whole list is fine where the actor is not meant to find anything in it.
        let errors = codes(&body);
        let refused = !errors.is_empty() && errors.iter().all(|c| c == "FORBIDDEN");
        let acceptable = errors.is_empty() || (present.is_empty() && refused);
        if !acceptable {
            failures.push(format!("{actor} listing {list}: {body}"));
        }
        for id in present.iter().filter(|id| !found.contains(id)) {
            failures.push(format!("{actor} should find {id} in {list}"));
        }
        for id in absent.iter().filter(|id| found.contains(id)) {
            failures.push(format!("{actor} must not find {id} in {list}"));
        }
    }
    // (reader, control reader who may see the secret, query, id, secrets)
    let versions = "... on Template { latestVersion { id } versions { nodes { id } } }";
    let scans = [
        ("mentee A", format!("{{ programs {{ nodes {{ standard {{ template {{ {versions} }} }} }} }} }}"), Value::Null, vec![x.v2_draft.clone()]),
        ("mentee A", format!("query($id: ID!) {{ node(id: $id) {{ ... on Qualification {{ templateVersion {{ template {{ {versions} }} }} }} }} }}"), json!(x.qualification), vec![x.v2_draft.clone()]),
        ("mentee B", "query($id: ID!) { node(id: $id) { ... on Program { invites { nodes { id code } } mentees(first: 100) { nodes { mentee { id email } } } } } }".to_owned(), json!(x.program), vec![x.invite_code.clone(), x.mentees[0].id.clone(), x.mentees[0].email.clone()]),
        ("mentee A", "query($id: ID!) { node(id: $id) { ... on ExceptionRequest { program { invites { nodes { code } } } } } }".to_owned(), json!(x.exception), vec![x.invite_code.clone()]),
    ];
    for (actor, query, id, secrets) in scans {
        let vars = if id.is_null() {
            json!({})
        } else {
            json!({ "id": id })
        };
        let control = m.app.gql(x.mentor.tok(), &query, vars.clone()).await;
        let control_text = control.to_string();
        if !codes(&control).is_empty() || secrets.iter().any(|s| !control_text.contains(s.as_str()))
        {
            failures.push(format!(
                "control: mentor X should read {secrets:?} with `{query}`: {control}"
            ));
        }
        let body = m.app.gql(m.actor(actor).tok(), &query, vars).await;
        let text = body.to_string();
        for secret in secrets.iter().filter(|s| text.contains(s.as_str())) {
            failures.push(format!(
                "{actor} reached {secret} through `{query}`: {body}"
            ));
        }
        if codes(&body).iter().any(|c| c == "INTERNAL") {
            failures.push(format!("{actor}: INTERNAL on `{query}`"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} leaks:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
