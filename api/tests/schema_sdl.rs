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
