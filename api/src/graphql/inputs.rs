//! Input objects for template definitions and answers, and their conversion to domain drafts.

use async_graphql::{InputObject, OneofObject};

use crate::graphql::types::enums::{ExceptionPolicy, Tier};
use crate::graphql::types::scalars::Date;

/// A yes/no criterion.
#[derive(InputObject)]
pub struct YesNoRuleInput {
    /// Points for yes, 0..=100.
    #[graphql(default = 100)]
    pub yes_points: u32,
    /// Points for no, 0..=100.
    #[graphql(default = 0)]
    pub no_points: u32,
    /// The answer that is a knockout, if any.
    pub knockout_on: Option<bool>,
}

/// An integer scale, mapped linearly to 0..=100 points.
#[derive(InputObject)]
pub struct ScaleRuleInput {
    /// The lowest answer (0 points).
    pub min: i32,
    /// The highest answer (100 points); greater than `min`, at most 100 above it.
    pub max: i32,
    /// Answers below this are a knockout (greater than `min`, at most `max`); omit for none.
    pub knockout_below: Option<i32>,
}

/// One option of a choice criterion.
#[derive(InputObject)]
pub struct ChoiceOptionInput {
    /// Stable key (`[a-z][a-z0-9_]*`): answers name it.
    pub key: String,
    /// What the mentee reads.
    pub label: String,
    /// Points for this option, 0..=100.
    pub points: u32,
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
    pub min: Option<i64>,
    /// Points for a number in this band, 0..=100.
    pub points: u32,
}

/// A number scored by the band it falls in.
#[derive(InputObject)]
pub struct NumberBandsRuleInput {
    /// 1 to 20 bands, by ascending `min`; the first has no `min`.
    pub bands: Vec<NumberBandInput>,
    /// Numbers below this are a knockout; omit for none.
    pub knockout_below: Option<i64>,
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
    pub weight: u32,
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
    pub threshold_a: u32,
    /// Score (0..=100) from which a prospect is tier B; below `thresholdA`.
    #[graphql(default = 50)]
    pub threshold_b: u32,
    /// 1..=24.
    #[graphql(default = 6)]
    pub horizon_months: u32,
    /// What happens when a prospect with verdict `DECLINE` is to be taken on.
    #[graphql(default_with = "ExceptionPolicy::Strict")]
    pub exception_policy: ExceptionPolicy,
    /// The best tier a prospect can reach when a knockout hits.
    #[graphql(default_with = "Tier::C")]
    pub knockout_cap: Tier,
}

impl From<TemplateDefinitionInput> for domain::DefinitionDraft {
    fn from(input: TemplateDefinitionInput) -> Self {
        domain::DefinitionDraft {
            criteria: input.criteria.into_iter().map(criterion_draft).collect(),
            threshold_a: input.threshold_a,
            threshold_b: input.threshold_b,
            horizon_months: input.horizon_months,
            exception_policy: input.exception_policy.into(),
            knockout_cap: input.knockout_cap.into(),
        }
    }
}

fn criterion_draft(c: CriterionInput) -> domain::CriterionDraft {
    let rule = match c.rule {
        CriterionRuleInput::YesNo(r) => domain::Rule::YesNo(domain::YesNoRule {
            yes_points: r.yes_points,
            no_points: r.no_points,
            knockout_on: r.knockout_on,
        }),
        CriterionRuleInput::Scale(r) => domain::Rule::Scale(domain::ScaleRule {
            min: r.min,
            max: r.max,
            knockout_below: r.knockout_below,
        }),
        CriterionRuleInput::Choice(r) => domain::Rule::Choice(domain::ChoiceRule {
            options: r
                .options
                .into_iter()
                .map(|o| domain::ChoiceOption {
                    key: o.key,
                    label: o.label,
                    points: o.points,
                    knockout: o.knockout,
                })
                .collect(),
        }),
        CriterionRuleInput::NumberBands(r) => domain::Rule::NumberBands(domain::NumberBandsRule {
            bands: r
                .bands
                .into_iter()
                .map(|b| domain::NumberBand {
                    min: b.min,
                    points: b.points,
                })
                .collect(),
            knockout_below: r.knockout_below,
        }),
    };
    domain::CriterionDraft {
        key: c.key,
        label: c.label,
        question: c.question,
        weight: c.weight,
        rule,
    }
}

/// Exactly one kind of answer.
#[derive(OneofObject)]
pub enum AnswerValueInput {
    /// For yes/no criteria.
    Yes(bool),
    /// For scale criteria: an integer from `min` to `max`.
    Scale(i32),
    /// The key of the chosen option.
    Choice(String),
    /// For number criteria.
    Number(i64),
    /// Not known: scores 0 points and is flagged (and counts as a knockout where one exists).
    Unknown(bool),
}

/// One answer (GraphQL `AnswerInput`, registered by [`AnswerInputType`]).
pub struct AnswerInput {
    pub key: String,
    pub value: AnswerValueInput,
}

// The GraphQL shape of [`AnswerInput`]: it registers the type; parsing is
// `AnswerInput`'s own, which moves the values out of the object.
/// One criterion's answer.
#[derive(InputObject)]
#[graphql(name = "AnswerInput")]
pub struct AnswerInputType {
    /// The criterion's key.
    pub key: String,
    /// The answer, of the kind the criterion asks for, or unknown.
    pub value: AnswerValueInput,
}

/// `impl InputType for $ty`, registered by its derived twin `$shape` (so the SDL comes from
/// the derive) and parsed by moving each field's value out of the object.
///
/// async-graphql's derived `parse` copies each field's value out of the object before
/// parsing it, so a list of ten answers is copied once for the list and again for each
/// answer's value (~11,000 instructions of `qualifyProspect`'s input, callgrind under
/// `bench`), and looks each field up by its hashed name. The errors are the derived ones
/// (`mutations::prospects::tests` compares them).
macro_rules! moved_input {
    ($ty:ty as $shape:ty { $($field:ident: $name:literal),+ $(,)? }) => {
        impl async_graphql::InputType for $ty {
            type RawValueType = Self;

            fn type_name() -> std::borrow::Cow<'static, str> {
                <$shape as async_graphql::InputType>::type_name()
            }

            fn create_type_info(registry: &mut async_graphql::registry::Registry) -> String {
                <$shape as async_graphql::InputType>::create_type_info(registry)
            }

            fn parse(
                value: Option<async_graphql::Value>,
            ) -> async_graphql::InputValueResult<Self> {
                let fields = match value {
                    Some(async_graphql::Value::Object(fields)) => fields,
                    other => {
                        return Err(async_graphql::InputValueError::expected_type(
                            other.unwrap_or_default(),
                        ));
                    }
                };
                // One pass, comparing names: no hashing, no `swap_remove` per field.
                $(let mut $field = None;)+
                for (name, value) in fields {
                    match name.as_str() {
                        $($name => $field = Some(value),)+
                        _ => {}
                    }
                }
                Ok(Self {
                    $($field: async_graphql::InputType::parse($field)
                        .map_err(async_graphql::InputValueError::propagate)?,)+
                })
            }

            fn to_value(&self) -> async_graphql::Value {
                async_graphql::Value::Object(async_graphql::indexmap::IndexMap::from_iter([
                    $((
                        async_graphql::Name::new($name),
                        async_graphql::InputType::to_value(&self.$field),
                    ),)+
                ]))
            }

            fn as_raw_value(&self) -> Option<&Self::RawValueType> {
                Some(self)
            }
        }
    };
}
pub(crate) use moved_input;

moved_input!(AnswerInput as AnswerInputType {
    key: "key",
    value: "value",
});

impl From<AnswerInput> for domain::Answer {
    fn from(a: AnswerInput) -> Self {
        let value = match a.value {
            AnswerValueInput::Yes(yes) => domain::AnswerValue::YesNo(yes),
            AnswerValueInput::Scale(v) => domain::AnswerValue::Scale(v),
            AnswerValueInput::Choice(v) => domain::AnswerValue::Choice(v),
            AnswerValueInput::Number(v) => domain::AnswerValue::Number(v),
            AnswerValueInput::Unknown(_) => domain::AnswerValue::Unknown,
        };
        domain::Answer { key: a.key, value }
    }
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

impl From<OutlookInput> for domain::OutlookDraft {
    fn from(o: OutlookInput) -> Self {
        domain::OutlookDraft {
            answers: o.answers.into_iter().map(Into::into).collect(),
            plan: o.plan,
            requalify_by: o.requalify_by.map(|d| d.0),
        }
    }
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
