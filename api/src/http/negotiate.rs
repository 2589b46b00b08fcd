//! Content negotiation: which media type the response uses (`Accept`), and whether the
//! request body is JSON (`Content-Type`).

use axum::http::HeaderMap;
use axum::http::header::{ACCEPT, CONTENT_TYPE};

/// The media types a GraphQL response can be sent in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaType {
    /// `application/graphql-response+json`: the HTTP status tells a request error (4xx) from
    /// an executed operation (200).
    GraphQLResponse,
    /// `application/json`: 200 for every well-formed request, as legacy clients expect.
    Json,
}

impl MediaType {
    pub fn content_type(self) -> &'static str {
        match self {
            Self::GraphQLResponse => "application/graphql-response+json; charset=utf-8",
            Self::Json => "application/json; charset=utf-8",
        }
    }

    fn essence(self) -> &'static str {
        match self {
            Self::GraphQLResponse => "application/graphql-response+json",
            Self::Json => "application/json",
        }
    }
}

/// The response media type for the request's `Accept` headers, `None` when it accepts
/// neither JSON type.
///
/// No `Accept` means `application/json`, as the specification says. Each type gets the
/// quality of the most specific range that matches it (RFC 9110, 12.5.1); the higher
/// quality wins. On a tie an explicitly named type beats one matched by a wildcard, and
/// `application/graphql-response+json` beats `application/json` when both are named;
/// `*/*` alone gives `application/json`, which every client understands.
pub fn response_type(headers: &HeaderMap) -> Option<MediaType> {
    let values: Vec<&str> = headers
        .get_all(ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    if values.iter().all(|v| v.trim().is_empty()) {
        return Some(MediaType::Json);
    }
    let ranges: Vec<Range<'_>> = values
        .iter()
        .flat_map(|v| v.split(','))
        .filter_map(Range::parse)
        .collect();
    let rate = |media: MediaType| {
        ranges
            .iter()
            .filter_map(|r| r.specificity(media).map(|s| (s, r.quality)))
            .max_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)))
    };
    let candidates = [
        (MediaType::GraphQLResponse, rate(MediaType::GraphQLResponse)),
        (MediaType::Json, rate(MediaType::Json)),
    ];
    let mut best: Option<(MediaType, u8, f32)> = None;
    for (media, rating) in candidates {
        let Some((specificity, quality)) = rating else {
            continue;
        };
        if quality <= 0.0 {
            continue;
        }
        let better = match best {
            None => true,
            Some((_, best_specificity, best_quality)) => {
                quality > best_quality
                    || (quality == best_quality && specificity > best_specificity)
                    // Both matched by the same wildcard: prefer the type every client reads.
                    || (quality == best_quality
                        && specificity == best_specificity
                        && specificity < EXACT
                        && media == MediaType::Json)
            }
        };
        if better {
            best = Some((media, specificity, quality));
        }
    }
    best.map(|(media, _, _)| media)
}

const EXACT: u8 = 2;

/// One media range of an `Accept` header.
struct Range<'a> {
    kind: &'a str,
    subtype: &'a str,
    quality: f32,
    /// A `charset` other than UTF-8 makes the range match nothing we can send.
    utf8: bool,
}

impl<'a> Range<'a> {
    fn parse(text: &'a str) -> Option<Self> {
        let mut parts = text.split(';');
        let (kind, subtype) = parts.next()?.trim().split_once('/')?;
        let mut range = Range {
            kind: kind.trim(),
            subtype: subtype.trim(),
            quality: 1.0,
            utf8: true,
        };
        for param in parts {
            let Some((name, value)) = param.split_once('=') else {
                continue;
            };
            let value = value.trim().trim_matches('"');
            match name.trim().to_ascii_lowercase().as_str() {
                // An unreadable quality makes the whole range unreadable: ignore it.
                "q" => range.quality = value.parse().ok().filter(|q| (0.0..=1.0).contains(q))?,
                "charset" => range.utf8 = value.eq_ignore_ascii_case("utf-8"),
                _ => {}
            }
        }
        Some(range)
    }

    /// How specifically this range names `media` (2 exactly, 1 `type/*`, 0 `*/*`), if at all.
    fn specificity(&self, media: MediaType) -> Option<u8> {
        if !self.utf8 {
            return None;
        }
        let (kind, subtype) = media.essence().split_once('/')?;
        if self.kind == "*" && self.subtype == "*" {
            Some(0)
        } else if !self.kind.eq_ignore_ascii_case(kind) {
            None
        } else if self.subtype == "*" {
            Some(1)
        } else if self.subtype.eq_ignore_ascii_case(subtype) {
            Some(EXACT)
        } else {
            None
        }
    }
}

/// Whether the request body is declared as JSON in UTF-8 (`application/json`, with no
/// charset or `charset=utf-8`). Anything else, including no `Content-Type`, is refused: a
/// browser can send `text/plain`, form and multipart bodies cross-site without asking.
pub fn is_json_body(headers: &HeaderMap) -> bool {
    let Some(value) = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let mut parts = value.split(';');
    let essence = parts.next().unwrap_or_default().trim();
    essence.eq_ignore_ascii_case("application/json")
        && parts.all(|param| match param.split_once('=') {
            Some((name, value)) if name.trim().eq_ignore_ascii_case("charset") => {
                value.trim().trim_matches('"').eq_ignore_ascii_case("utf-8")
            }
            _ => true,
        })
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn accept(value: &str) -> Option<MediaType> {
        let mut headers = HeaderMap::new();
        if let Ok(value) = HeaderValue::from_str(value) {
            headers.insert(ACCEPT, value);
        }
        response_type(&headers)
    }

    #[test]
    fn accept_is_negotiated_by_quality_then_specificity() {
        use MediaType::{GraphQLResponse as G, Json as J};
        let cases = [
            ("", Some(J)),
            ("*/*", Some(J)),
            ("application/*", Some(J)),
            ("application/json", Some(J)),
            ("application/graphql-response+json", Some(G)),
            (
                "application/graphql-response+json, application/json;q=0.9",
                Some(G),
            ),
            (
                "application/json, application/graphql-response+json",
                Some(G),
            ),
            (
                "application/json, application/graphql-response+json;q=0.5",
                Some(J),
            ),
            ("application/graphql-response+json, */*;q=0.1", Some(G)),
            ("text/html, */*;q=0.8", Some(J)),
            ("*/*, application/json;q=0", Some(G)),
            ("text/html", None),
            ("application/xml, text/*", None),
            ("application/json;q=0", None),
            ("application/json; charset=iso-8859-1", None),
            ("application/json; charset=UTF-8", Some(J)),
            ("APPLICATION/JSON", Some(J)),
            ("application/json;q=banana", None),
        ];
        for (header, expected) in cases {
            assert_eq!(accept(header), expected, "Accept: {header}");
        }
    }

    #[test]
    fn only_json_in_utf8_is_a_json_body() {
        let check = |value: &str| {
            let mut headers = HeaderMap::new();
            if let Ok(value) = HeaderValue::from_str(value) {
                headers.insert(CONTENT_TYPE, value);
            }
            is_json_body(&headers)
        };
        assert!(check("application/json"));
        assert!(check("application/json; charset=utf-8"));
        assert!(check("Application/JSON;charset=\"UTF-8\""));
        for refused in [
            "",
            "text/plain",
            "text/plain;charset=UTF-8",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
            "application/json; charset=latin1",
            "application/jsonx",
            "application/graphql",
        ] {
            assert!(!check(refused), "{refused}");
        }
    }
}
