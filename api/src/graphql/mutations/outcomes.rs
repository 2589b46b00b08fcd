//! Mentee mutations on clients: record and correct monthly outcome entries, end a client.

use std::sync::Arc;

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::Utc;
use domain::FieldError;
use domain::policy::Kind as PolicyKind;

use crate::error::{ApiError, ApiResult};
use crate::graphql::access;
use crate::graphql::audit::Tx;
use crate::graphql::context::db;
use crate::graphql::ids::{self, Kind};
use crate::graphql::types::client::OutcomeEntry;
use crate::graphql::types::enums::ClientEndReason;
use crate::graphql::types::money::MoneyInput;
use crate::graphql::types::prospect::Prospect;
use crate::graphql::types::scalars::Date;
use crate::graphql::types::units::{Decimal, Month};

/// A client's outcome for one month.
#[derive(InputObject)]
pub struct RecordOutcomeInput {
    /// The client's prospect (yours, taken on).
    pub prospect_id: ID,
    /// The month: not before the take-on's month, not after the end's, not in the future.
    pub month: Month,
    /// Revenue from the client that month, at least 0, in the program's currency.
    pub revenue: MoneyInput,
    /// Hours spent on the client, 0 to 744 with at most two decimals; optional.
    pub hours: Option<Decimal>,
    /// Of those hours, the hours of custom work; at most `hours`, which it requires.
    pub custom_hours: Option<Decimal>,
    /// How working with the client felt, 1 (draining) to 5 (energising).
    pub energy: i64,
    /// A note; optional, at most 10000 characters.
    pub note: Option<String>,
}

/// A correction of an outcome entry: every value is replaced (the month stays).
#[derive(InputObject)]
pub struct CorrectOutcomeInput {
    /// The entry (of your client).
    pub id: ID,
    /// The entry's `revision` as you read it. If it changed since, nothing is corrected:
    /// `CONFLICT`, reason `STALE_REVISION`.
    pub expected_revision: i32,
    /// As in `recordOutcome`.
    pub revenue: MoneyInput,
    /// As in `recordOutcome`; omitted or `null`: none.
    pub hours: Option<Decimal>,
    /// As in `recordOutcome`; omitted or `null`: none.
    pub custom_hours: Option<Decimal>,
    /// As in `recordOutcome`.
    pub energy: i64,
    /// As in `recordOutcome`; omitted or `null`: none.
    pub note: Option<String>,
}

/// The end of a client.
#[derive(InputObject)]
pub struct EndClientInput {
    /// The client's prospect (yours, taken on, not ended).
    pub prospect_id: ID,
    /// Why it ended.
    pub reason: ClientEndReason,
    /// The day it ended: not before the take-on, not in the future, not before the month
    /// of its last outcome entry.
    pub ended_on: Date,
    /// A note; optional.
    pub note: Option<String>,
    /// The client's `revision` as you read it; if it changed since, `CONFLICT` (reason
    /// `STALE_REVISION`). Omitted or `null`: no check.
    pub expected_revision: Option<i32>,
}

/// The result of a recorded outcome.
#[derive(SimpleObject)]
pub struct RecordOutcomePayload {
    /// The new entry, at revision 1.
    pub outcome: OutcomeEntry,
    /// The client's prospect.
    pub prospect: Prospect,
}

/// The result of a correction.
#[derive(SimpleObject)]
pub struct CorrectOutcomePayload {
    /// The entry as it is now (its revision unchanged when nothing changed).
    pub outcome: OutcomeEntry,
}

/// The result of ending a client.
#[derive(SimpleObject)]
pub struct EndClientPayload {
    /// The prospect, whose `client` has ended.
    pub prospect: Prospect,
}

#[derive(Default)]
pub struct OutcomeMutation;

#[Object]
impl OutcomeMutation {
    /// Record what a client brought in one month (mentees, on their own clients while
    /// enrolled). One entry per client and month: a second is `CONFLICT` (reason
    /// `DUPLICATE`); correct the first instead.
    async fn record_outcome(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to record; see the input type.")] input: RecordOutcomeInput,
    ) -> ApiResult<Option<RecordOutcomePayload>> {
        let id = ids::decode(Kind::Prospect, &input.prospect_id)?;
        let prospect = access::client_to_change(ctx, PolicyKind::OutcomeEntry, id).await?;
        let (client, currency) = client_and_currency(ctx, &prospect).await?;
        let values = Values {
            revenue: &input.revenue,
            hours: input.hours.as_ref(),
            custom_hours: input.custom_hours.as_ref(),
            energy: input.energy,
            note: input.note,
        };
        let entry = values.entry(input.month.0, &client, currency)?;
        let mut tx = Tx::begin(ctx).await?;
        let record = store::outcomes::insert_outcome(tx.conn(), &client, &entry).await?;
        tx.emit(crate::events::outcome_recorded(&prospect, &record));
        tx.commit("outcome.record", "OutcomeEntry", Some(record.id))
            .await?;
        Ok(Some(RecordOutcomePayload {
            outcome: OutcomeEntry(Arc::new(record)),
            prospect: Prospect(prospect),
        }))
    }

    /// Correct an outcome entry (mentees, on their own clients while enrolled). Every
    /// value is replaced; the audit log records the correction.
    async fn correct_outcome(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to change; see the input type.")] input: CorrectOutcomeInput,
    ) -> ApiResult<Option<CorrectOutcomePayload>> {
        let id = ids::decode(Kind::OutcomeEntry, &input.id)?;
        let (entry, prospect) = access::outcome_to_change(ctx, id).await?;
        let (client, currency) = client_and_currency(ctx, &prospect).await?;
        let values = Values {
            revenue: &input.revenue,
            hours: input.hours.as_ref(),
            custom_hours: input.custom_hours.as_ref(),
            energy: input.energy,
            note: input.note,
        };
        let corrected = values.entry(entry.month, &client, currency)?;
        let tx = Tx::begin(ctx).await?;
        let (before, after) = store::outcomes::correct_outcome(
            tx.conn(),
            entry.id,
            input.expected_revision,
            &corrected,
        )
        .await?;
        // Nothing changed: nothing to record (the transaction rolls back, empty). A
        // correction keeps what the entry was in its audit record.
        if after.revision != before.revision {
            let detail =
                serde_json::json!({ "before": audited(&before), "after": audited(&after) });
            tx.commit_detailed(
                "outcome.corrected",
                "OutcomeEntry",
                Some(after.id),
                Some(detail),
            )
            .await?;
        }
        Ok(Some(CorrectOutcomePayload {
            outcome: OutcomeEntry(Arc::new(after)),
        }))
    }

    /// End a client (mentees, on their own clients while enrolled). An ending by
    /// `WE_EXITED` or `CLIENT_LEFT` counts as ended early in the cost of exceptions.
    async fn end_client(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to change; see the input type.")] input: EndClientInput,
    ) -> ApiResult<Option<EndClientPayload>> {
        let id = ids::decode(Kind::Prospect, &input.prospect_id)?;
        let prospect = access::client_to_change(ctx, PolicyKind::Client, id).await?;
        let note = input
            .note
            .as_deref()
            .map(domain::LongText::parse)
            .transpose()
            .map_err(|e| ApiError::BadInput(vec![e.at("input.note")]))?
            .and_then(domain::LongText::non_empty);
        let tx = Tx::begin(ctx).await?;
        store::clients::end_client(
            tx.conn(),
            prospect.id,
            input.reason.into(),
            input.ended_on.0,
            note.as_ref(),
            input.expected_revision,
            Utc::now().date_naive(),
        )
        .await
        .map_err(|e| match e {
            store::StoreError::NotFound => not_a_client(),
            store::StoreError::Invalid(invalid) => {
                ApiError::BadInput(vec![invalid.at("input.endedOn")])
            }
            store::StoreError::Conflict("outcomes after the end") => ApiError::bad_field(
                "input.endedOn",
                "the client has outcome entries after this month: it cannot have ended before them",
            ),
            other => other.into(),
        })?;
        tx.commit("client.end", "Prospect", Some(prospect.id))
            .await?;
        Ok(Some(EndClientPayload {
            prospect: Prospect(prospect),
        }))
    }
}

fn not_a_client() -> ApiError {
    ApiError::bad_field(
        "input.prospectId",
        "not a client: only a prospect taken on (an exception once approved) has outcomes",
    )
}

/// The client `prospect` became and its program's currency.
async fn client_and_currency(
    ctx: &Context<'_>,
    prospect: &store::Prospect,
) -> ApiResult<(store::Client, domain::Currency)> {
    let db = db(ctx)?;
    let client = store::clients::clients_by_prospect_ids(db, &[prospect.id])
        .await?
        .into_iter()
        .next()
        .ok_or_else(not_a_client)?;
    let program = store::programs::program_by_id(db, client.program_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok((client, program.currency))
}

/// The values of an entry as given.
struct Values<'a> {
    revenue: &'a MoneyInput,
    hours: Option<&'a Decimal>,
    custom_hours: Option<&'a Decimal>,
    energy: i64,
    note: Option<String>,
}

impl Values<'_> {
    /// The checked entry for `month`: every problem at once, each on its input field.
    fn entry(
        self,
        month: domain::Month,
        client: &store::Client,
        currency: domain::Currency,
    ) -> ApiResult<domain::OutcomeEntry> {
        let mut problems: Vec<FieldError> = Vec::new();
        let revenue_minor = match self.revenue.minor_units(currency, "input.revenue") {
            Ok(minor) => Some(minor),
            Err(ApiError::BadInput(found)) => {
                problems.extend(found);
                None
            }
            Err(other) => return Err(other),
        };
        let mut hours = |value: Option<&Decimal>, field: &str| match value {
            None => None,
            Some(text) => match domain::Hours::parse_decimal(&text.0) {
                Ok(h) => Some(h),
                Err(e) => {
                    problems.push(e.at(field));
                    None
                }
            },
        };
        let total = hours(self.hours, "input.hours");
        let custom = hours(self.custom_hours, "input.customHours");
        // Out of 32 bits is as far out of range as 6.
        let energy = i32::try_from(self.energy).unwrap_or(i32::MAX);
        let draft = domain::OutcomeDraft {
            month,
            revenue_minor: revenue_minor.unwrap_or(0),
            hours: total,
            custom_hours: custom,
            energy,
            note: self.note,
        };
        let span = domain::ClientSpan {
            taken_on: client.taken_on,
            ended_on: client.end.as_ref().map(|e| e.on),
        };
        let checked = domain::outcome_entry(draft, &span, Utc::now().date_naive());
        // The domain's paths are the draft's; a value refused above is not checked again
        // (its placeholder says nothing).
        let domain_problems = match &checked {
            Ok(_) => Vec::new(),
            Err(errors) => errors
                .0
                .iter()
                .map(|e| FieldError {
                    field: match e.field.as_str() {
                        "revenue" => "input.revenue.amount".to_owned(),
                        other => format!("input.{other}"),
                    },
                    message: e.message.clone(),
                })
                .filter(|e| !problems.iter().any(|p| p.field == e.field))
                .collect(),
        };
        problems.extend(domain_problems);
        match checked {
            Ok(entry) if problems.is_empty() => Ok(entry),
            _ => Err(ApiError::BadInput(problems)),
        }
    }
}

/// An entry's values as its correction's audit record keeps them (money in minor units of
/// the program's currency, hours in hundredths).
fn audited(entry: &store::OutcomeRecord) -> serde_json::Value {
    serde_json::json!({
        "revision": entry.revision,
        "revenueMinor": entry.revenue_minor,
        "hoursHundredths": entry.hours.map(domain::Hours::hundredths),
        "customHoursHundredths": entry.custom_hours.map(domain::Hours::hundredths),
        "energy": entry.energy.get(),
        "note": entry.note,
    })
}
