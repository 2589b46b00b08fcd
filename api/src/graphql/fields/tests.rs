//! The served schema against the table: every object field, query and mutation has an
//! entry, every entry names a field that exists and a line the policy has, and every line
//! of the policy is asked somewhere.

use async_graphql::parser::types::{TypeKind, TypeSystemDefinition};
use domain::policy::{Action, RULES};

use super::{FIELDS, Guard, guard};

/// (type, field) of every field of an object or interface type of the served schema.
fn served_fields() -> Vec<(String, String)> {
    let sdl = crate::graphql::schema::sdl();
    let document = match async_graphql::parser::parse_schema(&sdl) {
        Ok(document) => document,
        Err(e) => panic!("the served SDL does not parse: {e}"),
    };
    let mut out = Vec::new();
    for definition in &document.definitions {
        let TypeSystemDefinition::Type(ty) = definition else {
            continue;
        };
        let name = ty.node.name.node.to_string();
        let fields = match &ty.node.kind {
            TypeKind::Object(o) => &o.fields,
            TypeKind::Interface(i) => &i.fields,
            _ => continue,
        };
        for field in fields {
            out.push((name.clone(), field.node.name.node.to_string()));
        }
    }
    out
}

#[test]
fn every_field_query_and_mutation_of_the_served_schema_has_a_guard() {
    let served = served_fields();
    // Guard against a walk that finds nothing (and so passes vacuously).
    for known in [
        ("Query", "prospects"),
        ("Mutation", "decideProspect"),
        ("User", "email"),
    ] {
        assert!(
            served
                .iter()
                .any(|(t, f)| (t.as_str(), f.as_str()) == known),
            "the walk missed {known:?}"
        );
    }
    let missing: Vec<String> = served
        .iter()
        .filter(|(t, f)| guard(t, f).is_none())
        .map(|(t, f)| format!("{t}.{f}"))
        .collect();
    assert!(
        missing.is_empty(),
        "fields without an entry in graphql::fields::FIELDS (say who may read them: a policy \
         line, or the parent): {missing:?}"
    );
}

#[test]
fn every_entry_names_a_served_field_and_a_line_of_the_policy() {
    let served = served_fields();
    let mut stale = Vec::new();
    for (type_name, fields) in FIELDS {
        for (field, guard) in *fields {
            if !served.iter().any(|(t, f)| t == type_name && f == field) {
                stale.push(format!("{type_name}.{field}: not in the schema"));
            }
            if let Guard::Rule(kind, action) = guard
                && domain::policy::rule_for(*kind, *action).is_none()
            {
                stale.push(format!(
                    "{type_name}.{field}: no policy line {kind:?} {action:?}"
                ));
            }
        }
        let names: Vec<&str> = fields.iter().map(|(f, _)| *f).collect();
        let mut unique = names.clone();
        unique.sort_unstable();
        unique.dedup();
        if unique.len() != names.len() {
            stale.push(format!("{type_name}: a field listed twice"));
        }
    }
    assert!(stale.is_empty(), "{stale:#?}");
}

#[test]
fn every_line_of_the_policy_is_asked_by_a_field_or_by_node() {
    let asked = |rule: &domain::policy::Rule| {
        FIELDS
            .iter()
            .flat_map(|(_, fields)| fields.iter())
            .any(|(_, guard)| {
                *guard == Guard::Rule(rule.kind, rule.action)
                    || (*guard == Guard::EachRead && rule.action == Action::Read)
            })
    };
    let unasked: Vec<String> = RULES
        .iter()
        .filter(|rule| !asked(rule))
        .map(|rule| format!("{:?} {:?}", rule.kind, rule.action))
        .collect();
    assert!(
        unasked.is_empty(),
        "policy lines no field asks: {unasked:?}"
    );
}

#[test]
fn the_table_answers_who_guards_a_prospect_and_its_owners_address() {
    assert_eq!(
        guard("Query", "prospects"),
        Some(Guard::Rule(domain::policy::Kind::Prospect, Action::List))
    );
    assert_eq!(
        guard("User", "email"),
        Some(Guard::Rule(domain::policy::Kind::Email, Action::Read))
    );
    assert_eq!(
        guard("Prospect", "owner"),
        Some(Guard::Reached(domain::policy::Kind::User))
    );
    assert_eq!(guard("Prospect", "noSuchField"), None);
}
