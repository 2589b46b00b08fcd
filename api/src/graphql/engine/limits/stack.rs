//! The parser, at the deepest nesting [`check_text`] lets through, on half the stack of a
//! Tokio worker (2 MiB), in a debug build (whose frames are several times larger): every
//! construct that recurses.

use super::*;

/// Documents whose brackets nest `n` deep, one per construct that nests.
pub fn deep_documents(n: usize) -> Vec<(&'static str, String)> {
    let open = |s: &str| s.repeat(n);
    vec![
        (
            "list literal",
            format!("{{ a(x: {}1{}) }}", open("["), open("]")),
        ),
        (
            "object literal",
            format!("{{ a(x: {}1{}) }}", open("{a: "), open("}")),
        ),
        (
            "directive argument",
            format!("{{ a @d(x: {}1{}) }}", open("["), open("]")),
        ),
        (
            "variable default",
            format!("query($v: T = {}1{}) {{ a }}", open("["), open("]")),
        ),
        (
            "list type",
            format!("query($v: {}Int{}) {{ a }}", open("["), open("]")),
        ),
        ("selection set", format!("{}a{}", open("{ a "), open("}"))),
        (
            "inline fragment",
            format!("{}a{}", open("{ ... on Q "), open("}")),
        ),
    ]
}

#[test]
fn the_parser_survives_the_deepest_text_let_through_on_a_small_stack() {
    let limits = config::Limits {
        max_depth: usize::MAX / 4,
        ..config::Limits::default()
    };
    let bound = max_text_nesting(&limits);
    assert_eq!(bound, MAX_TEXT_NESTING);
    // Brackets count from the outermost one, so a document at the bound nests the
    // construct a little less; `check_text` must let each through, and parsing it must
    // not overflow 1 MiB.
    for (construct, text) in deep_documents(bound - 2) {
        assert!(check_text(&text, &limits).is_ok(), "{construct}");
        let parsed = std::thread::Builder::new()
            .stack_size(1024 * 1024)
            .spawn(move || async_graphql::parser::parse_query(&text).is_ok())
            .map(|t| t.join());
        assert!(matches!(parsed, Ok(Ok(_))), "{construct}");
    }
    for (construct, text) in deep_documents(bound + 1) {
        let code = check_text(&text, &limits)
            .err()
            .and_then(|e| e.extensions)
            .and_then(|x| x.get("code").cloned());
        assert_eq!(
            code.map(|c| c.to_string()).as_deref(),
            Some("\"QUERY_TOO_DEEP\""),
            "{construct}"
        );
    }
}
