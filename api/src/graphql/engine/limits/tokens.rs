//! Measuring a query's text before it is parsed: its lexical tokens, and how deeply its
//! brackets nest. async-graphql's parser is a recursive descent: a list, an object, a
//! selection set or an argument list nested a thousand deep overflows the stack and kills
//! the process, whatever construct holds it. So the nesting is bounded here, in one linear
//! scan of the text, before the parser sees it.

/// What [`measure`] found: both counted up to one past their bound, then it stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Measure {
    /// Lexical tokens. Whitespace, commas and comments are not tokens; a string or a
    /// number is one.
    pub tokens: usize,
    /// The deepest nesting of `{`, `[` and `(` outside strings and comments.
    pub nesting: usize,
}

/// Lexical tokens in GraphQL source, counted up to `stop_after + 1`.
#[cfg(test)]
pub fn count_tokens(source: &str, stop_after: usize) -> usize {
    measure(source, stop_after, usize::MAX).tokens
}

/// Tokens and bracket nesting of GraphQL source, scanned until either passes its bound.
/// It does not validate: the parser reports malformed text (an unbalanced closing bracket
/// only lowers the count, which cannot help an attacker: the parser refuses the text).
pub fn measure(source: &str, max_tokens: usize, max_nesting: usize) -> Measure {
    let bytes = source.as_bytes();
    let mut i = 0;
    let mut count = 0;
    let mut depth = 0usize;
    let mut deepest = 0usize;
    while i < bytes.len() && count <= max_tokens && deepest <= max_nesting {
        match bytes[i] {
            b' ' | b'\t' | b'\n' | b'\r' | b',' => i += 1,
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' && bytes[i] != b'\r' {
                    i += 1;
                }
            }
            b'"' if bytes[i..].starts_with(b"\"\"\"") => {
                i += 3;
                while i < bytes.len() && !bytes[i..].starts_with(b"\"\"\"") {
                    i += if bytes[i..].starts_with(b"\\\"\"\"") {
                        4
                    } else {
                        1
                    };
                }
                i += 3;
                count += 1;
            }
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
                count += 1;
            }
            b'.' if bytes[i..].starts_with(b"...") => {
                i += 3;
                count += 1;
            }
            c if c.is_ascii_alphanumeric() || c == b'_' || c == b'-' => {
                // A name or a number (with its sign, fraction and exponent).
                i += 1;
                while i < bytes.len()
                    && (bytes[i].is_ascii_alphanumeric()
                        || bytes[i] == b'_'
                        || bytes[i] == b'.'
                        || (matches!(bytes[i], b'+' | b'-') && matches!(bytes[i - 1], b'e' | b'E')))
                {
                    i += 1;
                }
                count += 1;
            }
            b'{' | b'[' | b'(' => {
                depth += 1;
                deepest = deepest.max(depth);
                i += 1;
                count += 1;
            }
            b'}' | b']' | b')' => {
                depth = depth.saturating_sub(1);
                i += 1;
                count += 1;
            }
            _ => {
                // A punctuator, a byte-order mark, or a character the parser will refuse.
                i += source[i..].chars().next().map_or(1, char::len_utf8);
                count += 1;
            }
        }
    }
    Measure {
        tokens: count,
        nesting: deepest,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_counted_like_a_graphql_lexer() {
        let count = |s: &str| count_tokens(s, usize::MAX);
        assert_eq!(count("{ a }"), 3);
        assert_eq!(
            count("query Q($x: Int = -1.5e+3) { a(x: $x) @skip(if: true) }"),
            26
        );
        assert_eq!(count("# only a comment\n, , ,"), 0);
        assert_eq!(count(r#"{ a(s: "x \" { } y") }"#), 8);
        assert_eq!(count(r#"{ a(s: """ block \""" { } """) }"#), 8);
        assert_eq!(count("{ ...F ... on T { b } }"), 10);
    }

    #[test]
    fn nesting_counts_every_bracket_outside_strings_and_comments() {
        let nesting = |s: &str| measure(s, usize::MAX, usize::MAX).nesting;
        assert_eq!(nesting(""), 0);
        assert_eq!(nesting("{ a }"), 1);
        assert_eq!(nesting("{ a(x: [[{ y: 1 }]]) }"), 5);
        assert_eq!(nesting("query($v: [[Int]] = [[1]]) { a }"), 3);
        assert_eq!(nesting("{ a } { b { c } }"), 2);
        // Brackets inside strings, block strings (with escaped quotes) and comments.
        assert_eq!(nesting(r#"{ a(s: "{[(\" {{") }"#), 2);
        assert_eq!(nesting(r#"{ a(s: """ \""" {{{ " [[[ """) }"#), 2);
        assert_eq!(nesting("# {{{{ [[[[\n{ a }"), 1);
        // Closing brackets never go below zero, so they cannot hide later opening ones.
        assert_eq!(nesting("}}}}} { [ ( }"), 3);
    }

    #[test]
    fn scanning_stops_just_past_the_nesting_bound() {
        let deep = format!("{{ a(x: {}) }}", "[".repeat(100_000));
        let found = measure(&deep, usize::MAX, 10);
        assert_eq!(found.nesting, 11);
        assert!(found.tokens < 20, "{found:?}");
    }

    #[test]
    fn counting_stops_just_past_the_limit() {
        let many = "a ".repeat(1_000);
        assert_eq!(count_tokens(&many, 10), 11);
    }
}
