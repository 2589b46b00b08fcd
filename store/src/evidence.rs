//! `qualifications.evidence`: how each answer is known, as a JSON list of
//! `{key, kind, note}` in criteria order, holding only the answers that carry evidence
//! (`NULL` when none does); and the share of the score resting on assumptions, which
//! `qualifications.assumption_share_bp` copies for reports.

use domain::{Contribution, CriterionKey, Evidence, EvidenceKind, EvidenceNote, assumption_share};
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use crate::StoreError;
use crate::error::json_error;

/// One element of the stored list. Its shape is a stored format: see the golden fixture
/// `tests/fixtures/stored/evidence.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Stored {
    key: CriterionKey,
    kind: EvidenceKind,
    note: Option<EvidenceNote>,
}

/// The evidence among `evidence` of the criteria in `explanation`, in its order (criteria
/// order); evidence of a key the explanation does not have is not kept.
pub(crate) fn in_criteria_order<'a>(
    explanation: &[Contribution],
    evidence: &'a [(CriterionKey, Evidence)],
) -> Vec<&'a (CriterionKey, Evidence)> {
    explanation
        .iter()
        .filter_map(|c| evidence.iter().find(|(key, _)| *key == c.key))
        .collect()
}

/// The column's value: `None` without evidence.
pub(crate) fn to_column(
    explanation: &[Contribution],
    evidence: &[(CriterionKey, Evidence)],
) -> Result<Option<Json>, StoreError> {
    let stored: Vec<Stored> = in_criteria_order(explanation, evidence)
        .into_iter()
        .map(|(key, evidence)| Stored {
            key: key.clone(),
            kind: evidence.kind,
            note: evidence.note.clone(),
        })
        .collect();
    if stored.is_empty() {
        return Ok(None);
    }
    serde_json::to_value(stored).map(Some).map_err(json_error)
}

/// The evidence a column holds (none for `NULL`).
pub(crate) fn from_column(
    column: Option<Json>,
) -> Result<Vec<(CriterionKey, Evidence)>, StoreError> {
    let Some(column) = column else {
        return Ok(Vec::new());
    };
    let stored: Vec<Stored> = serde_json::from_value(column).map_err(json_error)?;
    Ok(stored
        .into_iter()
        .map(|s| {
            let evidence = Evidence {
                kind: s.kind,
                note: s.note,
            };
            (s.key, evidence)
        })
        .collect())
}

/// `domain::assumption_share` of an explanation with this evidence.
pub(crate) fn share(
    explanation: &[Contribution],
    evidence: &[(CriterionKey, Evidence)],
) -> domain::BasisPoints {
    assumption_share(explanation, |key| {
        evidence.iter().find(|(k, _)| k == key).map(|(_, e)| e.kind)
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    /// The golden fixture of the stored shape: rows in production are stored in it, so
    /// a failure here means adding a migration or a serde alias, never regenerating it.
    #[test]
    fn stored_evidence_reads_back_from_its_golden_fixture_and_is_written_the_same() {
        let fixture: Json =
            serde_json::from_str(include_str!("../tests/fixtures/stored/evidence.json")).unwrap();
        let key = |k: &str| CriterionKey::parse(k).unwrap();
        let expected = vec![
            (
                key("decision_maker"),
                Evidence::new(EvidenceKind::Fact, Some("met the CEO")).unwrap(),
            ),
            (
                key("revenue_fit"),
                Evidence::new(EvidenceKind::Assumption, None).unwrap(),
            ),
            (
                key("energy"),
                Evidence::new(EvidenceKind::Judgement, Some("fun call")).unwrap(),
            ),
        ];
        let read = from_column(Some(fixture.clone())).unwrap();
        assert_eq!(read, expected);
        let stored: Vec<Stored> = serde_json::from_value(fixture.clone()).unwrap();
        assert_eq!(serde_json::to_value(stored).unwrap(), fixture);
        assert_eq!(from_column(None).unwrap(), Vec::new());
    }
}
