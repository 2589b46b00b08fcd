//! Input objects for template definitions and answers, and their conversion to domain drafts.

use async_graphql::{InputObject, OneofObject};
use domain::{FieldError, ValidationErrors};

use crate::graphql::types::enums::{EvidenceKind, ExceptionPolicy, Tier};
use crate::graphql::types::scalars::{BigInt, Date};

// Integer fields are read as `i64` and narrowed here, not by async-graphql: its `Int`
// check during validation accepts any 64-bit value, and a narrower Rust type would then
// fail to parse during execution with an error that has neither a code nor a path.
// Out of range is reported as `BAD_USER_INPUT` with the field's path: see `Narrow`.

/// A yes/no criterion.
#[derive(InputObject)]
pub struct YesNoRuleInput {
    /// Points for yes, 0..=100.
    #[graphql(default = 100)]
    pub yes_points: i64,
    /// Points for no, 0..=100.
    #[graphql(default = 0)]
    pub no_points: i64,
    /// The answer that is a knockout, if any.
    pub knockout_on: Option<bool>,
}

/// An integer scale, mapped linearly to 0..=100 points: whole numbers from `min` to `max`
/// (at most 100 apart), within 32 bits.
#[derive(InputObject)]
pub struct ScaleRuleInput {
    /// The lowest answer (0 points).
    pub min: i64,
    /// The highest answer (100 points); greater than `min`, at most 100 above it.
    pub max: i64,
    /// Answers below this are a knockout (greater than `min`, at most `max`); omit for none.
    pub knockout_below: Option<i64>,
}

/// One option of a choice criterion.
#[derive(InputObject)]
pub struct ChoiceOptionInput {
    /// Stable key (`[a-z][a-z0-9_]*`): answers name it.
    pub key: String,
    /// What the mentee reads.
    pub label: String,
    /// Points for this option, 0..=100.
    pub points: i64,
    /// Whether choosing it is a knockout.
    #[graphql(default)]
    pub knockout: bool,
}

/// A criterion answered by choosing one option.
#[derive(InputObject)]
pub struct ChoiceRuleInput {
    /// 2 to 20 options with unique keys.
    pub options: Vec<ChoiceOptionInput>,
}

/// One band of a number criterion.
#[derive(InputObject)]
pub struct NumberBandInput {
    /// Lower bound (inclusive); omit for the first band, which is open below.
    pub min: Option<BigInt>,
    /// Points for a number in this band, 0..=100.
    pub points: i64,
}

/// A number scored by the band it falls in.
#[derive(InputObject)]
pub struct NumberBandsRuleInput {
    /// 1 to 20 bands, by ascending `min`; the first has no `min`.
    pub bands: Vec<NumberBandInput>,
    /// Numbers below this are a knockout; omit for none.
    pub knockout_below: Option<BigInt>,
}

/// Exactly one rule kind.
#[derive(OneofObject)]
pub enum CriterionRuleInput {
    /// A yes/no question.
    YesNo(YesNoRuleInput),
    /// An integer on a scale.
    Scale(ScaleRuleInput),
    /// One of several options.
    Choice(ChoiceRuleInput),
    /// A number, scored by bands.
    NumberBands(NumberBandsRuleInput),
}

/// One criterion of a definition.
#[derive(InputObject)]
pub struct CriterionInput {
    /// Stable slug (`[a-z][a-z0-9_]*`) that answers refer to.
    pub key: String,
    /// Short name shown to mentees.
    pub label: String,
    /// The guidance question to ask about the prospect.
    #[graphql(default)]
    pub question: String,
    /// 1..=100.
    pub weight: i64,
    /// How the answer is scored.
    pub rule: CriterionRuleInput,
}

/// What an A-client is: the criteria, the tier thresholds, the horizon and the exception
/// policy.
#[derive(InputObject)]
pub struct TemplateDefinitionInput {
    /// 1..=50 criteria with unique keys.
    pub criteria: Vec<CriterionInput>,
    /// Score (0..=100) from which a prospect is tier A.
    #[graphql(default = 75)]
    pub threshold_a: i64,
    /// Score (0..=100) from which a prospect is tier B; below `thresholdA`.
    #[graphql(default = 50)]
    pub threshold_b: i64,
    /// 1..=24.
    #[graphql(default = 6)]
    pub horizon_months: i64,
    /// What happens when a prospect with verdict `DECLINE` is to be taken on.
    #[graphql(default_with = "ExceptionPolicy::Strict")]
    pub exception_policy: ExceptionPolicy,
    /// The best tier a prospect can reach when a knockout hits.
    #[graphql(default_with = "Tier::C")]
    pub knockout_cap: Tier,
}

/// Narrows input integers, collecting a problem (by path) for each that does not fit.
#[derive(Default)]
struct Narrow(Vec<FieldError>);

impl Narrow {
    /// A value the domain checks against a small range of its own (points, weights,
    /// thresholds, months: all within 0..=100). Outside GraphQL's `Int` it is reported
    /// here; a negative one becomes `u32::MAX`, which every such range refuses with its
    /// own message.
    fn small(&mut self, value: i64, path: impl FnOnce() -> String) -> u32 {
        if i32::try_from(value).is_err() {
            self.0.push(out_of_int(path()));
        }
        u32::try_from(value).unwrap_or(u32::MAX)
    }

    /// A value the domain keeps as `i32` (scale bounds); outside it is reported here.
    fn int(&mut self, value: i64, path: impl FnOnce() -> String) -> i32 {
        i32::try_from(value).unwrap_or_else(|_| {
            self.0.push(out_of_int(path()));
            0
        })
    }
}

fn out_of_int(field: String) -> FieldError {
    FieldError {
        field,
        message: format!("must be a GraphQL Int, from {} to {}", i32::MIN, i32::MAX),
    }
}

/// The domain draft of a definition input.
///
/// # Errors
/// Paths relative to the definition (`criteria.2.rule.scale.min`) of integers outside
/// GraphQL's 32-bit `Int`; the domain's own checks run on the draft afterwards.
pub fn definition_draft(
    input: TemplateDefinitionInput,
) -> Result<domain::DefinitionDraft, ValidationErrors> {
    let mut narrow = Narrow::default();
    let criteria = input
        .criteria
        .into_iter()
        .enumerate()
        .map(|(index, c)| criterion_draft(c, &format!("criteria.{index}"), &mut narrow))
        .collect();
    let draft = domain::DefinitionDraft {
        criteria,
        threshold_a: narrow.small(input.threshold_a, || "thresholdA".into()),
        threshold_b: narrow.small(input.threshold_b, || "thresholdB".into()),
        horizon_months: narrow.small(input.horizon_months, || "horizonMonths".into()),
        exception_policy: input.exception_policy.into(),
        knockout_cap: input.knockout_cap.into(),
    };
    if narrow.0.is_empty() {
        Ok(draft)
    } else {
        Err(ValidationErrors(narrow.0))
    }
}

fn criterion_draft(c: CriterionInput, path: &str, narrow: &mut Narrow) -> domain::CriterionDraft {
    let at = |field: &str| format!("{path}.{field}");
    let rule = match c.rule {
        CriterionRuleInput::YesNo(r) => domain::Rule::YesNo(domain::YesNoRule {
            yes_points: narrow.small(r.yes_points, || at("rule.yesNo.yesPoints")),
            no_points: narrow.small(r.no_points, || at("rule.yesNo.noPoints")),
            knockout_on: r.knockout_on,
        }),
        CriterionRuleInput::Scale(r) => domain::Rule::Scale(domain::ScaleRule {
            min: narrow.int(r.min, || at("rule.scale.min")),
            max: narrow.int(r.max, || at("rule.scale.max")),
            knockout_below: r
                .knockout_below
                .map(|below| narrow.int(below, || at("rule.scale.knockoutBelow"))),
        }),
        CriterionRuleInput::Choice(r) => domain::Rule::Choice(domain::ChoiceRule {
            options: r
                .options
                .into_iter()
                .enumerate()
                .map(|(index, o)| domain::ChoiceOption {
                    points: narrow.small(o.points, || {
                        at(&format!("rule.choice.options.{index}.points"))
                    }),
                    key: o.key,
                    label: o.label,
                    knockout: o.knockout,
                })
                .collect(),
        }),
        CriterionRuleInput::NumberBands(r) => domain::Rule::NumberBands(domain::NumberBandsRule {
            bands: r
                .bands
                .into_iter()
                .enumerate()
                .map(|(index, b)| domain::NumberBand {
                    min: b.min.map(|min| min.0),
                    points: narrow.small(b.points, || {
                        at(&format!("rule.numberBands.bands.{index}.points"))
                    }),
                })
                .collect(),
            knockout_below: r.knockout_below.map(|below| below.0),
        }),
    };
    domain::CriterionDraft {
        weight: narrow.small(c.weight, || at("weight")),
        key: c.key,
        label: c.label,
        question: c.question,
        rule,
    }
}

/// Exactly one kind of answer.
#[derive(OneofObject)]
pub enum AnswerValueInput {
    /// For yes/no criteria.
    Yes(bool),
    /// For scale criteria: within the scale's min..=max.
    Scale(i64),
    /// The key of the chosen option.
    Choice(String),
    /// For number criteria.
    Number(BigInt),
    /// Not known: scores 0 points and is flagged (and counts as a knockout where one
    /// exists). Must be `true`: `{unknown: false}` is not an answer (`BAD_USER_INPUT`).
    Unknown(bool),
}

/// One criterion's answer.
#[derive(InputObject)]
pub struct AnswerInput {
    /// The criterion's key.
    pub key: String,
    /// The answer, of the kind the criterion asks for, or unknown.
    pub value: AnswerValueInput,
    /// How you know it; optional. Answers resting on `ASSUMPTION` make up the
    /// qualification's `assumptionShareBasisPoints`. Only on the answers now, not in an
    /// outlook.
    pub evidence: Option<EvidenceInput>,
}

/// How an answer is known.
#[derive(InputObject)]
pub struct EvidenceInput {
    /// Fact (verified), assumption (believed, not verified) or judgement (your opinion).
    pub kind: EvidenceKind,
    /// A short pointer ("contract signed 3 March"): at most 500 characters, trimmed;
    /// blank is none.
    pub note: Option<String>,
}

/// The evidence of `answers` found at `path` (`input.answers`), by criterion key, and the
/// problems of the notes that are too long (`path.N.evidence.note`). An answer whose key
/// is not a key is left out: `domain::qualify` reports the key.
pub fn evidence(
    answers: &[AnswerInput],
    path: &str,
) -> (
    Vec<(domain::CriterionKey, domain::Evidence)>,
    Vec<FieldError>,
) {
    let mut found = Vec::new();
    let mut problems = Vec::new();
    for (index, answer) in answers.iter().enumerate() {
        let Some(given) = &answer.evidence else {
            continue;
        };
        let Ok(key) = domain::CriterionKey::parse(&answer.key) else {
            continue;
        };
        match domain::Evidence::new(given.kind.into(), given.note.as_deref()) {
            Ok(evidence) => found.push((key, evidence)),
            Err(e) => problems.push(e.at(format!("{path}.{index}.evidence.note"))),
        }
    }
    (found, problems)
}

/// Problems for evidence given in an outlook's answers (`path`: `input.outlook.answers`):
/// evidence says how an answer is known now.
pub fn no_evidence(answers: &[AnswerInput], path: &str) -> Vec<FieldError> {
    answers
        .iter()
        .enumerate()
        .filter(|(_, a)| a.evidence.is_some())
        .map(|(index, _)| FieldError {
            field: format!("{path}.{index}.evidence"),
            message: "evidence is given on the answers now, not in an outlook".into(),
        })
        .collect()
}

/// The domain's drafts of `answers` (keys not yet checked: `domain::qualify` matches them
/// to criteria), found at `path` (`input.answers`), and the problems
/// of those that are not answers: `path.N.value.unknown` for `{unknown: false}` (an answer
/// says what is known, or that it is not known), `path.N.value.scale` for a scale value
/// outside GraphQL's 32-bit `Int`. Such an answer stands in the list as unknown, so that
/// the domain's checks of the rest (keys, other values) still run and report theirs.
pub fn domain_answers(
    answers: Vec<AnswerInput>,
    path: &str,
) -> (Vec<domain::AnswerDraft>, Vec<FieldError>) {
    let mut narrow = Narrow::default();
    let converted = answers
        .into_iter()
        .enumerate()
        .map(|(index, answer)| {
            let at = |field: &str| format!("{path}.{index}.value.{field}");
            let value = match answer.value {
                AnswerValueInput::Yes(yes) => domain::AnswerValue::YesNo(yes),
                AnswerValueInput::Scale(v) => match i32::try_from(v) {
                    Ok(v) => domain::AnswerValue::Scale(v),
                    Err(_) => {
                        narrow.0.push(out_of_int(at("scale")));
                        domain::AnswerValue::Unknown
                    }
                },
                AnswerValueInput::Choice(v) => domain::AnswerValue::Choice(v),
                AnswerValueInput::Number(v) => domain::AnswerValue::Number(v.0),
                AnswerValueInput::Unknown(true) => domain::AnswerValue::Unknown,
                AnswerValueInput::Unknown(false) => {
                    narrow.0.push(FieldError {
                        field: at("unknown"),
                        message: "must be true: to answer, give the value instead".into(),
                    });
                    domain::AnswerValue::Unknown
                }
            };
            domain::AnswerDraft {
                key: answer.key,
                value,
            }
        })
        .collect();
    (converted, narrow.0)
}

/// What the answers are expected to be at the horizon if a concrete plan works.
#[derive(InputObject)]
pub struct OutlookInput {
    /// Only the answers that the plan changes; the others stay as they are now.
    pub answers: Vec<AnswerInput>,
    /// The concrete plan that is to make the prospect an A-client.
    pub plan: String,
    /// When to qualify again; at most the horizon from today (the default).
    pub requalify_by: Option<Date>,
}

/// The domain draft of an outlook found at `path` (`input.outlook`), and the problems of
/// its answers as [`domain_answers`] finds them.
pub fn outlook_draft(o: OutlookInput, path: &str) -> (domain::OutlookDraft, Vec<FieldError>) {
    let mut problems = no_evidence(&o.answers, &format!("{path}.answers"));
    let (answers, more) = domain_answers(o.answers, &format!("{path}.answers"));
    problems.extend(more);
    let draft = domain::OutlookDraft {
        answers,
        plan: o.plan,
        requalify_by: o.requalify_by.map(|d| d.0),
    };
    (draft, problems)
}

/// The reasons people say yes to the wrong client: answer each honestly.
#[derive(InputObject)]
pub struct BiasCheckInput {
    /// Flattered by the request (ego)?
    pub flattered: bool,
    /// Wanting to please?
    pub wants_to_please: bool,
    /// Afraid that a no will cost other or ongoing work?
    pub fears_losing_work: bool,
    /// Saying yes only because the team can deliver it?
    pub only_because_we_can: bool,
    /// Does the work need custom work instead of standard products?
    pub needs_custom_work: bool,
}

impl From<BiasCheckInput> for domain::BiasCheck {
    fn from(b: BiasCheckInput) -> Self {
        domain::BiasCheck {
            flattered: b.flattered,
            wants_to_please: b.wants_to_please,
            fears_losing_work: b.fears_losing_work,
            only_because_we_can: b.only_because_we_can,
            needs_custom_work: b.needs_custom_work,
        }
    }
}
