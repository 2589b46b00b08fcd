//! Counting the lexical tokens of a query before it is parsed.

/// Lexical tokens in GraphQL source, counted up to `stop_after + 1`. Whitespace, commas and
/// comments are not tokens; a string or a number is one. It does not validate: the parser
/// reports malformed text.
pub fn count_tokens(source: &str, stop_after: usize) -> usize {
    let bytes = source.as_bytes();
    let mut i = 0;
    let mut count = 0;
    while i < bytes.len() && count <= stop_after {
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
            _ => {
                // A punctuator, a byte-order mark, or a character the parser will refuse.
                i += source[i..].chars().next().map_or(1, char::len_utf8);
                count += 1;
            }
        }
    }
    count
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
    fn counting_stops_just_past_the_limit() {
        let many = "a ".repeat(1_000);
        assert_eq!(count_tokens(&many, 10), 11);
    }
}
