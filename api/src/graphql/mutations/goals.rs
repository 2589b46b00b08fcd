//! Mentee mutations on their goals: set and clear the BHAG; create, update and delete
//! quarterly goals (while enrolled in the goal's program). Each is audited.

use std::sync::Arc;

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{Datelike, Utc};
use domain::{BhagDraft, FieldError, GoalKind as Kind, GoalTarget, MAX_GOALS_PER_QUARTER};

use crate::error::{ApiError, ApiResult, Conflict};
use crate::graphql::access;
use crate::graphql::audit::Tx;
use crate::graphql::context::db;
use crate::graphql::ids;
use crate::graphql::types::goal::{Bhag, GoalKind, QuarterlyGoal};
use crate::graphql::types::money::MoneyInput;
use crate::graphql::types::units::{Decimal, Quarter};

/// Your BHAG, replacing the one you had.
#[derive(InputObject)]
pub struct SetBhagInput {
    /// The goal, in your words: not empty, at most 2000 characters.
    pub statement: String,
    /// The year it is meant for: this year up to a century later.
    pub target_year: i64,
    /// A numeric target, exact (at most 40 characters); with `targetUnit`, or neither.
    pub target_number: Option<Decimal>,
    /// The unit of `targetNumber` (`EUR revenue`, `employees`), at most 100 characters.
    pub target_unit: Option<String>,
}

/// A new quarterly goal. Give the target the kind takes, and only it: `targetMoney` for
/// `REVENUE`, `targetValue` for `A_SHARE` (basis points, 0 to 10000) and the counts
/// (0 to 1000000), `text` for `TEXT`.
#[derive(InputObject)]
pub struct CreateQuarterlyGoalInput {
    /// A program you are enrolled in: revenue is in its currency, actuals count its
    /// clients and decisions.
    pub program_id: ID,
    /// The quarter, `YYYY-Qn`.
    pub quarter: Quarter,
    /// At most one goal of each kind but `TEXT` per program and quarter (`CONFLICT`,
    /// reason `DUPLICATE`); at most 50 goals in all.
    pub kind: GoalKind,
    /// `REVENUE`: in the program's currency, at least 0.
    pub target_money: Option<MoneyInput>,
    /// `A_SHARE`, `A_CLIENTS_TAKEN_ON`, `SAY_NO_COUNT`.
    pub target_value: Option<i64>,
    /// `TEXT`: not empty, at most 2000 characters.
    pub text: Option<String>,
}

/// A new target for a goal of yours (its kind, program and quarter stay): the field its
/// kind takes, as in `createQuarterlyGoal`.
#[derive(InputObject)]
pub struct UpdateQuarterlyGoalInput {
    /// The goal (yours).
    pub id: ID,
    /// `REVENUE`: in the program's currency, at least 0.
    pub target_money: Option<MoneyInput>,
    /// `A_SHARE` (basis points), `A_CLIENTS_TAKEN_ON`, `SAY_NO_COUNT`.
    pub target_value: Option<i64>,
    /// `TEXT`: not empty, at most 2000 characters.
    pub text: Option<String>,
}

/// The result of `setBhag`.
#[derive(SimpleObject)]
pub struct SetBhagPayload {
    /// Your BHAG as it is now.
    pub bhag: Bhag,
}

/// The result of `clearBhag`.
#[derive(SimpleObject)]
pub struct ClearBhagPayload {
    /// Whether there was a BHAG to clear.
    pub cleared: bool,
}

/// The result of creating or updating a quarterly goal.
#[derive(SimpleObject)]
pub struct QuarterlyGoalPayload {
    /// The goal as it is now, with its actual.
    pub goal: QuarterlyGoal,
}

/// The result of deleting a quarterly goal.
#[derive(SimpleObject)]
pub struct DeleteQuarterlyGoalPayload {
    /// The id of the goal deleted.
    pub deleted_goal_id: ID,
}

#[derive(Default)]
pub struct GoalMutation;

#[Object]
impl GoalMutation {
    /// Set or replace your BHAG (mentees).
    async fn set_bhag(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The BHAG; see the input type.")] input: SetBhagInput,
    ) -> ApiResult<Option<SetBhagPayload>> {
        let me = access::own_bhag(ctx)?;
        let draft = BhagDraft {
            statement: &input.statement,
            target_year: input.target_year,
            target_number: input.target_number.as_ref().map(|d| d.0.as_str()),
            target_unit: input.target_unit.as_deref(),
        };
        let bhag = domain::Bhag::parse(&draft, Utc::now().year())
            .map_err(|e| ApiError::invalid("input", e))?;
        let tx = Tx::begin(ctx).await?;
        let saved = store::goals::set_bhag(tx.conn(), me.user_id, &bhag).await?;
        tx.commit("bhag.set", "Bhag", Some(me.user_id)).await?;
        Ok(Some(SetBhagPayload {
            bhag: Bhag(Arc::new(saved)),
        }))
    }

    /// Clear your BHAG (mentees).
    async fn clear_bhag(&self, ctx: &Context<'_>) -> ApiResult<Option<ClearBhagPayload>> {
        let me = access::own_bhag(ctx)?;
        let tx = Tx::begin(ctx).await?;
        let cleared = store::goals::clear_bhag(tx.conn(), me.user_id).await?;
        // Nothing cleared: nothing to record (the transaction rolls back, empty).
        if cleared {
            tx.commit("bhag.clear", "Bhag", Some(me.user_id)).await?;
        }
        Ok(Some(ClearBhagPayload { cleared }))
    }

    /// Set a goal for a quarter in a program you are enrolled in (mentees).
    async fn create_quarterly_goal(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The goal; see the input type.")] input: CreateQuarterlyGoalInput,
    ) -> ApiResult<Option<QuarterlyGoalPayload>> {
        let (me, program_id) = access::program_for_new_goal(ctx, || {
            ids::decode(ids::Kind::Program, &input.program_id)
        })
        .await?;
        let kind: Kind = input.kind.into();
        let values = Values {
            money: input.target_money.as_ref(),
            value: input.target_value,
            text: input.text.as_deref(),
        };
        let target = values.target(ctx, kind, program_id).await?;
        let goal = store::NewGoal {
            program_id,
            mentee_id: me.user_id,
            quarter: input.quarter.0,
            target,
        };
        let tx = Tx::begin(ctx).await?;
        let saved = store::goals::insert_goal(tx.conn(), &goal)
            .await
            .map_err(|e| match e {
                store::StoreError::Conflict("goal kind") => ApiError::Conflict(
                    Conflict::Duplicate,
                    format!(
                        "you have a goal of this kind for {} in this program: update it instead",
                        goal.quarter
                    ),
                ),
                store::StoreError::Conflict("too many goals") => ApiError::bad_field(
                    "input.quarter",
                    format!("at most {MAX_GOALS_PER_QUARTER} goals per program and quarter"),
                ),
                other => other.into(),
            })?;
        tx.commit("goal.create", "QuarterlyGoal", Some(saved.id))
            .await?;
        Ok(Some(QuarterlyGoalPayload {
            goal: QuarterlyGoal::new(Arc::new(saved)),
        }))
    }

    /// Change the target of a goal of yours (mentees, while enrolled in its program).
    async fn update_quarterly_goal(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new target; see the input type.")] input: UpdateQuarterlyGoalInput,
    ) -> ApiResult<Option<QuarterlyGoalPayload>> {
        let goal = access::goal_to_change(ctx, || ids::decode(ids::Kind::QuarterlyGoal, &input.id))
            .await?;
        let values = Values {
            money: input.target_money.as_ref(),
            value: input.target_value,
            text: input.text.as_deref(),
        };
        let target = values
            .target(ctx, goal.target.kind(), goal.program_id)
            .await?;
        let tx = Tx::begin(ctx).await?;
        let saved = store::goals::update_goal(tx.conn(), goal.id, &target).await?;
        let detail = serde_json::json!({
            "before": audited(&goal.target),
            "after": audited(&saved.target),
        });
        tx.commit_detailed("goal.update", "QuarterlyGoal", Some(saved.id), Some(detail))
            .await?;
        Ok(Some(QuarterlyGoalPayload {
            goal: QuarterlyGoal::new(Arc::new(saved)),
        }))
    }

    /// Delete a goal of yours (mentees, while enrolled in its program).
    async fn delete_quarterly_goal(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The goal.")] id: ID,
    ) -> ApiResult<Option<DeleteQuarterlyGoalPayload>> {
        let goal =
            access::goal_to_change(ctx, || ids::decode(ids::Kind::QuarterlyGoal, &id)).await?;
        let tx = Tx::begin(ctx).await?;
        store::goals::delete_goal(tx.conn(), goal.id).await?;
        let detail = serde_json::json!({ "before": audited(&goal.target) });
        tx.commit_detailed("goal.delete", "QuarterlyGoal", Some(goal.id), Some(detail))
            .await?;
        Ok(Some(DeleteQuarterlyGoalPayload {
            deleted_goal_id: ids::encode(ids::Kind::QuarterlyGoal, goal.id),
        }))
    }
}

/// A target as given: exactly the field its kind takes.
struct Values<'a> {
    money: Option<&'a MoneyInput>,
    value: Option<i64>,
    text: Option<&'a str>,
}

impl Values<'_> {
    /// The checked target of a goal of `kind` in `program`.
    async fn target(
        &self,
        ctx: &Context<'_>,
        kind: Kind,
        program: uuid::Uuid,
    ) -> ApiResult<GoalTarget> {
        let takes = match kind {
            Kind::Revenue => "targetMoney",
            Kind::Text => "text",
            _ => "targetValue",
        };
        let mut problems: Vec<FieldError> = [
            ("targetMoney", self.money.is_some()),
            ("targetValue", self.value.is_some()),
            ("text", self.text.is_some()),
        ]
        .into_iter()
        .filter(|(field, given)| *given && *field != takes)
        .map(|(field, _)| {
            FieldError::new(
                format!("input.{field}"),
                format!("a goal of this kind takes {takes}, not {field}"),
            )
        })
        .collect();
        let path = format!("input.{takes}");
        let missing =
            || FieldError::new(path.clone(), format!("a goal of this kind needs {takes}"));
        // `Err(None)`: the problems are already in `problems`.
        let target: Result<GoalTarget, Option<FieldError>> = match kind {
            Kind::Revenue => match self.money {
                None => Err(Some(missing())),
                Some(money) => {
                    let program = store::programs::program_by_id(db(ctx)?, program)
                        .await?
                        .ok_or(ApiError::NotFound)?;
                    match money.minor_units(program.currency, &path) {
                        Ok(minor) => domain::Revenue::new(minor)
                            .map(GoalTarget::Revenue)
                            .map_err(|e| Some(e.at(format!("{path}.amount")))),
                        Err(ApiError::BadInput(found)) => {
                            problems.extend(found);
                            Err(None)
                        }
                        Err(other) => return Err(other),
                    }
                }
            },
            Kind::Text => match self.text {
                None => Err(Some(missing())),
                Some(text) => GoalTarget::text(text).map_err(|e| Some(e.at(path.clone()))),
            },
            _ => match self.value {
                None => Err(Some(missing())),
                Some(value) => {
                    GoalTarget::number(kind, value).map_err(|e| Some(e.at(path.clone())))
                }
            },
        };
        match target {
            Ok(target) if problems.is_empty() => Ok(target),
            Ok(_) => Err(ApiError::BadInput(problems)),
            Err(problem) => {
                problems.extend(problem);
                Err(ApiError::BadInput(problems))
            }
        }
    }
}

/// A target as its audit record keeps it (money in minor units of the program's currency).
fn audited(target: &GoalTarget) -> serde_json::Value {
    match target {
        GoalTarget::Text(text) => serde_json::json!({ "text": text.as_str() }),
        other => serde_json::json!({ "target": other.value() }),
    }
}
