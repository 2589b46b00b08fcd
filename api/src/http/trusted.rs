//! Trusted documents: with a manifest (`--trusted-documents FILE`), the server runs only
//! the documents in it, named by id, and refuses any other request before its text is
//! parsed. The manifest is what GraphQL Code Generator's client preset
//! (`persisted-documents.json`) and Relay's persisted queries emit: a JSON object from
//! id to document text. A request names its document by the `documentId` parameter
//! (GraphQL over HTTP's persisted documents) or by Apollo's
//! `extensions.persistedQuery.sha256Hash`; an id written with the `sha256:` prefix and
//! without it are the same id.

use std::collections::HashMap;
use std::path::Path;

use serde_json::{Map, Value};

use super::Refusal;

/// The request names no document from the manifest.
pub const TRUSTED_DOCUMENTS_ONLY: &str = "TRUSTED_DOCUMENTS_ONLY";
/// The id is not in the manifest.
pub const PERSISTED_QUERY_NOT_FOUND: &str = "PERSISTED_QUERY_NOT_FOUND";

const SHA256: &str = "sha256:";

/// The manifest: document text by id (ids without `sha256:`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustedDocuments {
    by_id: HashMap<String, String>,
}

impl TrustedDocuments {
    /// Reads a manifest file.
    ///
    /// # Errors
    /// When the file cannot be read or is not a manifest (see [`TrustedDocuments::parse`]).
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
        Self::parse(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
    }

    /// A manifest from its JSON text: an object of at least one id, each to a non-empty
    /// document text.
    ///
    /// # Errors
    /// What is wrong with it.
    pub fn parse(text: &str) -> Result<Self, String> {
        let value: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
        let Value::Object(entries) = value else {
            return Err("a manifest is a JSON object from id to document text".to_owned());
        };
        let mut by_id = HashMap::with_capacity(entries.len());
        for (id, document) in entries {
            let Value::String(document) = document else {
                return Err(format!("the document of {id:?} is not a string"));
            };
            let key = bare(&id);
            if key.is_empty() || document.trim().is_empty() {
                return Err(format!("an empty id or document ({id:?})"));
            }
            if by_id.insert(key.to_owned(), document).is_some() {
                return Err(format!("the id {id:?} is given twice"));
            }
        }
        if by_id.is_empty() {
            return Err("the manifest holds no document".to_owned());
        }
        Ok(Self { by_id })
    }

    /// How many documents it holds.
    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    /// Whether it holds none (never, once parsed).
    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }

    /// The text of the document with this id (`sha256:` prefix or not).
    pub fn document(&self, id: &str) -> Option<&str> {
        self.by_id.get(bare(id)).map(String::as_str)
    }

    /// Whether `text` is one of the trusted documents' texts.
    pub fn trusts(&self, text: &str) -> bool {
        !text.is_empty() && self.by_id.values().any(|d| d == text)
    }

    /// The document a request's parameters name, put in as its `query`: from `documentId`
    /// or `extensions.persistedQuery.sha256Hash`. A request that also sends a `query`
    /// must send the document's own text.
    ///
    /// # Errors
    /// 400 `TRUSTED_DOCUMENTS_ONLY` when no document is named, `PERSISTED_QUERY_NOT_FOUND`
    /// for an unknown id, `BAD_REQUEST` for an id that is not a string or a `query` that
    /// is not the document's.
    pub fn resolve(&self, params: &mut Map<String, Value>) -> Result<(), Refusal> {
        let id = match params.remove("documentId") {
            Some(Value::String(id)) => Some(id),
            None | Some(Value::Null) => None,
            Some(_) => return Err(Refusal::bad_request("`documentId` must be a string")),
        };
        let id = match id {
            Some(id) => id,
            None => match params
                .get("extensions")
                .and_then(|e| e.get("persistedQuery"))
                .and_then(|p| p.get("sha256Hash"))
            {
                Some(Value::String(hash)) => hash.clone(),
                Some(_) => {
                    return Err(Refusal::bad_request(
                        "`extensions.persistedQuery.sha256Hash` must be a string",
                    ));
                }
                None => {
                    return Err(Refusal::bad_request(
                        "this server runs only trusted documents: name one with `documentId`",
                    )
                    .code(TRUSTED_DOCUMENTS_ONLY));
                }
            },
        };
        let Some(document) = self.by_id.get(bare(&id)) else {
            return Err(Refusal::bad_request("no trusted document has this id")
                .code(PERSISTED_QUERY_NOT_FOUND));
        };
        match params.get("query") {
            None | Some(Value::Null) => {}
            Some(Value::String(sent)) if sent == document => {}
            Some(_) => {
                return Err(Refusal::bad_request(
                    "`query` is not the text of the trusted document named",
                ));
            }
        }
        params.insert("query".to_owned(), Value::String(document.clone()));
        Ok(())
    }
}

fn bare(id: &str) -> &str {
    id.strip_prefix(SHA256).unwrap_or(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest() -> TrustedDocuments {
        TrustedDocuments::parse(
            r#"{"sha256:abc": "{ viewer { id } }", "q2": "query Q { __typename }"}"#,
        )
        .unwrap_or_else(|e| panic!("{e}"))
    }

    fn resolved(params: Value) -> Result<String, (u16, &'static str)> {
        let Value::Object(mut params) = params else {
            panic!("an object")
        };
        manifest()
            .resolve(&mut params)
            .map(|()| params["query"].as_str().unwrap_or_default().to_owned())
            .map_err(|r| (r.status.as_u16(), r.code))
    }

    #[test]
    fn a_request_runs_the_document_its_id_names_and_nothing_else() {
        let viewer = Ok("{ viewer { id } }".to_owned());
        assert_eq!(resolved(serde_json::json!({ "documentId": "abc" })), viewer);
        assert_eq!(
            resolved(serde_json::json!({ "documentId": "sha256:abc" })),
            viewer
        );
        assert_eq!(
            resolved(
                serde_json::json!({ "extensions": { "persistedQuery": { "version": 1, "sha256Hash": "abc" } } })
            ),
            viewer
        );
        assert_eq!(
            resolved(serde_json::json!({ "documentId": "abc", "query": "{ viewer { id } }" })),
            viewer
        );
        assert_eq!(
            resolved(serde_json::json!({ "query": "{ viewer { id } }" })),
            Err((400, TRUSTED_DOCUMENTS_ONLY))
        );
        assert_eq!(
            resolved(serde_json::json!({ "documentId": "nope" })),
            Err((400, PERSISTED_QUERY_NOT_FOUND))
        );
        assert_eq!(
            resolved(
                serde_json::json!({ "documentId": "abc", "query": "{ __schema { types { name } } }" })
            ),
            Err((400, "BAD_REQUEST"))
        );
        assert_eq!(
            resolved(serde_json::json!({ "documentId": 7 })),
            Err((400, "BAD_REQUEST"))
        );
    }

    #[test]
    fn a_manifest_is_an_object_of_documents() {
        for bad in [
            "[]",
            "{}",
            r#"{"a": 1}"#,
            r#"{"a": " "}"#,
            r#"{"": "{ a }"}"#,
            r#"{"sha256:a": "{ a }", "a": "{ b }"}"#,
            "not json",
        ] {
            assert!(TrustedDocuments::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(manifest().len(), 2);
    }
}
