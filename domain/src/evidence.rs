//! Evidence: how an answer is known (a fact, an assumption or a judgement), and how much
//! of a score rests on assumptions.

use serde::{Deserialize, Serialize};

use crate::error::InvalidValue;
use crate::key::CriterionKey;
use crate::measure::BasisPoints;
use crate::pareto::{basis_points, ratio};
use crate::qualification::Verdict;
use crate::scoring::Contribution;
use crate::text::Text;

/// How an answer is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum EvidenceKind {
    /// Verified.
    Fact,
    /// Believed, not verified.
    Assumption,
    /// The mentee's opinion.
    Judgement,
}

/// The longest note on a piece of evidence, in characters: a short pointer ("contract
/// signed 3 March", "from the CEO's LinkedIn"), not an essay.
pub const MAX_EVIDENCE_NOTE_CHARS: usize = 500;

/// A note on evidence: at most [`MAX_EVIDENCE_NOTE_CHARS`] characters, trimmed.
pub type EvidenceNote = Text<MAX_EVIDENCE_NOTE_CHARS>;

/// How one answer is known, with an optional short note.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Evidence {
    pub kind: EvidenceKind,
    pub note: Option<EvidenceNote>,
}

impl Evidence {
    /// Evidence with its note trimmed; a blank note is no note.
    ///
    /// # Errors
    /// When the trimmed note is longer than 500 characters.
    pub fn new(kind: EvidenceKind, note: Option<&str>) -> Result<Self, InvalidValue> {
        let note = note.map(EvidenceNote::parse).transpose()?;
        Ok(Self {
            kind,
            note: note.and_then(Text::non_empty),
        })
    }
}

/// Above this share of its score resting on assumptions, an accepting verdict is flagged:
/// 5000 bp, half the score.
pub const ASSUMPTION_LIMIT_BP: u32 = 5_000;

/// The share of a score that rests on assumptions: the sum of the `contribution_bp` of the
/// criteria whose evidence is [`EvidenceKind::Assumption`], times 10000, over the score
/// (the sum of all `contribution_bp`), rounded down. 0 when the score is 0. A criterion
/// without evidence does not count as an assumption.
#[must_use]
pub fn assumption_share(
    explanation: &[Contribution],
    evidence: impl Fn(&CriterionKey) -> Option<EvidenceKind>,
) -> BasisPoints {
    let score: u128 = explanation
        .iter()
        .map(|c| u128::from(c.contribution_bp.get()))
        .sum();
    let assumed: u128 = explanation
        .iter()
        .filter(|c| evidence(&c.key) == Some(EvidenceKind::Assumption))
        .map(|c| u128::from(c.contribution_bp.get()))
        .sum();
    ratio(assumed, score, 10_000).map_or(BasisPoints::ZERO, basis_points)
}

/// Whether a verdict that accepts (`ACCEPT` or `ACCEPT_WITH_PLAN`) rests on assumptions
/// for more than half of its score: "we liked them, so we assumed the rest". A `DECLINE`
/// is never flagged.
#[must_use]
pub fn rests_on_assumptions(verdict: Verdict, share: BasisPoints) -> bool {
    matches!(verdict, Verdict::Accept | Verdict::AcceptWithPlan)
        && share.get() > ASSUMPTION_LIMIT_BP
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measure::Weight;

    /// A contribution of `bp` basis points by `key`; the other fields do not count here.
    fn contribution(key: &'static str, bp: u32) -> Contribution {
        Contribution {
            key: CriterionKey::from_static(key),
            points_bp: BasisPoints::MAX,
            weight: Weight::MIN,
            contribution_bp: BasisPoints::known(bp),
            knockout: false,
            unknown: false,
        }
    }

    fn kind_of(key: &CriterionKey) -> Option<EvidenceKind> {
        match key.as_str() {
            "decision_maker" => Some(EvidenceKind::Fact),
            "revenue_fit" | "growth" => Some(EvidenceKind::Assumption),
            "team_fit" => Some(EvidenceKind::Judgement),
            _ => None,
        }
    }

    #[test]
    fn the_assumption_share_is_the_assumed_contributions_over_the_score() {
        let explanation = [
            contribution("decision_maker", 3_000),
            contribution("revenue_fit", 2_000),
            contribution("growth", 1_500),
            contribution("team_fit", 1_000),
            contribution("energy", 500),
        ];
        // (2000 + 1500) * 10000 / 8000 = 4375.
        assert_eq!(assumption_share(&explanation, kind_of).get(), 4_375);
        // 1 * 10000 / 3 = 3333.3: rounded down.
        let thirds = [contribution("growth", 1), contribution("team_fit", 2)];
        assert_eq!(assumption_share(&thirds, kind_of).get(), 3_333);
    }

    #[test]
    fn a_score_of_zero_rests_on_nothing() {
        let explanation = [contribution("growth", 0), contribution("energy", 0)];
        assert_eq!(assumption_share(&explanation, kind_of), BasisPoints::ZERO);
        assert_eq!(assumption_share(&[], kind_of), BasisPoints::ZERO);
        let all = [contribution("growth", 4_200)];
        assert_eq!(assumption_share(&all, kind_of).get(), 10_000);
    }

    #[test]
    fn an_accepting_verdict_is_flagged_above_half_its_score_on_assumptions() {
        let bp = BasisPoints::known;
        assert!(rests_on_assumptions(Verdict::Accept, bp(5_001)));
        assert!(rests_on_assumptions(Verdict::AcceptWithPlan, bp(10_000)));
        assert!(!rests_on_assumptions(Verdict::Accept, bp(5_000)));
        assert!(!rests_on_assumptions(Verdict::Decline, bp(10_000)));
    }

    #[test]
    fn evidence_keeps_a_trimmed_note_of_at_most_500_characters() {
        let evidence = Evidence::new(EvidenceKind::Fact, Some("  signed contract "));
        let note = evidence.map(|e| (e.kind, e.note.map(String::from)));
        assert_eq!(
            note,
            Ok((EvidenceKind::Fact, Some("signed contract".to_owned())))
        );
        let blank = Evidence::new(EvidenceKind::Judgement, Some("  "));
        assert_eq!(blank.map(|e| e.note), Ok(None));
        assert!(Evidence::new(EvidenceKind::Assumption, Some(&"é".repeat(500))).is_ok());
        assert_eq!(
            Evidence::new(EvidenceKind::Assumption, Some(&"é".repeat(501))).map_err(|e| e.message),
            Err("must be at most 500 characters".to_owned())
        );
        let json = serde_json::to_string(&[
            EvidenceKind::Fact,
            EvidenceKind::Assumption,
            EvidenceKind::Judgement,
        ]);
        assert_eq!(
            json.map_err(|e| e.to_string()).as_deref(),
            Ok(r#"["FACT","ASSUMPTION","JUDGEMENT"]"#)
        );
    }
}
