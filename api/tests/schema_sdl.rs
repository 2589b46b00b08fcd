//! `schema.graphql` at the workspace root is the SDL of the served schema.
//! Run with `UPDATE_SCHEMA=1` to rewrite it after changing the schema.

#[test]
fn schema_graphql_matches_the_served_schema() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../schema.graphql");
    let sdl = api::graphql::schema::sdl();
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        if let Err(e) = std::fs::write(&path, &sdl) {
            panic!("cannot write {}: {e}", path.display());
        }
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == sdl,
        "schema.graphql is stale: run `UPDATE_SCHEMA=1 cargo test -p api --test schema_sdl` and commit it"
    );
}

/// Every element of the served schema a client can see, with what is wrong with its
/// description: missing, or Rust documentation rather than a description for clients.
fn undocumented(sdl: &str) -> Vec<String> {
    use async_graphql::parser::types::{TypeKind, TypeSystemDefinition};

    const BUILT_IN: [&str; 5] = ["String", "Int", "Float", "Boolean", "ID"];
    let document = match async_graphql::parser::parse_schema(sdl) {
        Ok(d) => d,
        Err(e) => return vec![format!("the SDL does not parse: {e}")],
    };
    let mut out = Vec::new();
    let mut scalars = Vec::new();
    let mut check = |what: String, description: Option<&str>| match description {
        None => out.push(format!("{what}: no description")),
        Some(d) if d.trim().is_empty() => out.push(format!("{what}: empty description")),
        // Rust doc links, paths and the derive's boilerplate are not for clients.
        Some(d) if d.contains("[`") || d.contains("::") || d.contains("Implement the") => {
            out.push(format!("{what}: Rust documentation: {d:?}"))
        }
        Some(_) => {}
    };
    for definition in &document.definitions {
        let TypeSystemDefinition::Type(ty) = definition else {
            continue;
        };
        let ty = &ty.node;
        let name = ty.name.node.as_str();
        if BUILT_IN.contains(&name) {
            continue;
        }
        check(
            name.to_owned(),
            ty.description.as_ref().map(|d| d.node.as_str()),
        );
        let described =
            |d: &Option<async_graphql::Positioned<String>>| d.as_ref().map(|d| d.node.clone());
        match &ty.kind {
            TypeKind::Scalar => {
                if !ty
                    .directives
                    .iter()
                    .any(|d| d.node.name.node == "specifiedBy")
                {
                    scalars.push(format!("{name}: custom scalar without @specifiedBy"));
                }
            }
            TypeKind::Object(o) => {
                for f in &o.fields {
                    let field = format!("{name}.{}", f.node.name.node);
                    check(field.clone(), described(&f.node.description).as_deref());
                    for a in &f.node.arguments {
                        let arg = format!("{field}({})", a.node.name.node);
                        check(arg, described(&a.node.description).as_deref());
                    }
                }
            }
            TypeKind::Interface(i) => {
                for f in &i.fields {
                    let field = format!("{name}.{}", f.node.name.node);
                    check(field, described(&f.node.description).as_deref());
                }
            }
            TypeKind::Enum(e) => {
                for v in &e.values {
                    let value = format!("{name}.{}", v.node.value.node);
                    check(value, described(&v.node.description).as_deref());
                }
            }
            TypeKind::InputObject(i) => {
                for f in &i.fields {
                    let field = format!("{name}.{}", f.node.name.node);
                    check(field, described(&f.node.description).as_deref());
                }
            }
            TypeKind::Union(_) => {}
        }
    }
    out.extend(scalars);
    out
}

#[test]
fn every_type_field_argument_enum_value_and_scalar_is_described_for_clients() {
    let problems = undocumented(&api::graphql::schema::sdl());
    assert!(
        problems.is_empty(),
        "{} undocumented schema elements:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn the_description_check_finds_each_kind_of_gap() {
    let sdl = r#"
        "A thing." type Query { "Fine." a(x: Int): Int b: Int }
        enum E { ONE "Two." TWO }
        input In { "Fine." p: Int q: Int }
        scalar Date
        "[`Foo`] is Rust." type Leak { "Fine." f: Int }
        "Fine." interface Node { id: ID! }
    "#;
    assert_eq!(
        undocumented(sdl),
        [
            "Query.a(x): no description",
            "Query.b: no description",
            "E: no description",
            "E.ONE: no description",
            "In: no description",
            "In.q: no description",
            "Date: no description",
            "Leak: Rust documentation: \"[`Foo`] is Rust.\"",
            "Node.id: no description",
            "Date: custom scalar without @specifiedBy",
        ]
    );
}

/// The schema clients were built against: the file `SCHEMA_BASE` names (a branch may point
/// it at `main`'s `schema.graphql`), or else the committed contract `schema.base.graphql`.
/// That file changes only when a release accepts the listed breaking changes (and the list
/// is emptied then), so the check means the same in any clone, CI's fresh one included.
fn base_schema() -> (String, String) {
    let path = std::env::var_os("SCHEMA_BASE").map_or_else(
        || std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../schema.base.graphql"),
        std::path::PathBuf::from,
    );
    let sdl = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("base schema {}: {e}", path.display()));
    (path.display().to_string(), sdl)
}

/// `schema.breaking-changes.txt`: the breaking changes made on purpose, one per line as the
/// check prints it, then ` | ` and the reason. Lines starting with `#` are comments.
fn allowed_breaking_changes() -> Vec<(String, String)> {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../schema.breaking-changes.txt");
    std::fs::read_to_string(&path)
        .unwrap_or_default()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| match l.split_once(" | ") {
            Some((change, reason)) => (change.trim().to_owned(), reason.trim().to_owned()),
            None => (l.to_owned(), String::new()),
        })
        .collect()
}

#[test]
fn the_served_schema_breaks_nothing_against_the_base_that_is_not_listed_with_a_reason() {
    use api::graphql::shape::{Shape, breaking_changes};

    let allowed = allowed_breaking_changes();
    for (change, reason) in &allowed {
        assert!(
            !reason.is_empty(),
            "schema.breaking-changes.txt: `{change}` has no reason"
        );
    }
    let (name, base) = base_schema();
    let base = Shape::parse(&base).unwrap_or_else(|e| panic!("{name} does not parse: {e}"));
    let served = Shape::parse(&api::graphql::schema::sdl())
        .unwrap_or_else(|e| panic!("the served SDL does not parse: {e}"));
    let unlisted: Vec<String> = breaking_changes(&base, &served)
        .into_iter()
        .filter(|change| !allowed.iter().any(|(a, _)| a == change))
        .collect();
    assert!(
        unlisted.is_empty(),
        "breaking changes against {name}; deprecate instead (README, \"Deprecation policy\"), \
         or list each in schema.breaking-changes.txt with its reason:\n{}",
        unlisted.join("\n")
    );
}
