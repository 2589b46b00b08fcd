//! The Relay `Node` interface and `node(id:)` / `nodes(ids:)`.

use async_graphql::{Context, ID, Interface};

use crate::error::ApiResult;
use crate::graphql::access;
use crate::graphql::ids::{self, Kind};
use crate::graphql::types::client::OutcomeEntry;
use crate::graphql::types::decision::{Decision, ExceptionRequest};
use crate::graphql::types::goal::QuarterlyGoal;
use crate::graphql::types::program::{Invite, Program};
use crate::graphql::types::prospect::Prospect;
use crate::graphql::types::qualification::Qualification;
use crate::graphql::types::template::{Template, TemplateVersion};
use crate::graphql::types::user::User;

/// An object with a global id.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID", desc = "Opaque global id."))]
pub enum Node {
    User(User),
    Template(Template),
    TemplateVersion(TemplateVersion),
    Program(Program),
    Invite(Invite),
    Prospect(Prospect),
    Qualification(Qualification),
    Decision(Decision),
    ExceptionRequest(ExceptionRequest),
    OutcomeEntry(OutcomeEntry),
    QuarterlyGoal(QuarterlyGoal),
}

/// The object behind a global id, if the caller may see it.
pub async fn fetch(ctx: &Context<'_>, id: &ID) -> ApiResult<Option<Node>> {
    let Some((kind, uuid)) = ids::decode_any(id) else {
        return Ok(None);
    };
    Ok(match kind {
        Kind::User => access::user(ctx, uuid)
            .await?
            .map(|x| Node::User(User::new(x))),
        Kind::Template => access::template(ctx, uuid)
            .await?
            .map(|x| Node::Template(Template(x))),
        Kind::TemplateVersion => access::version(ctx, uuid)
            .await?
            .map(|x| Node::TemplateVersion(TemplateVersion(x))),
        Kind::Program => access::program(ctx, uuid)
            .await?
            .map(|x| Node::Program(Program(x))),
        Kind::Invite => access::invite(ctx, uuid)
            .await?
            .map(|x| Node::Invite(Invite(x))),
        Kind::Prospect => access::prospect(ctx, uuid)
            .await?
            .map(|x| Node::Prospect(Prospect(x))),
        Kind::Qualification => access::qualification(ctx, uuid)
            .await?
            .map(|x| Node::Qualification(Qualification::from(x))),
        Kind::Decision => access::decision(ctx, uuid)
            .await?
            .map(|x| Node::Decision(Decision(x))),
        Kind::ExceptionRequest => access::exception(ctx, uuid)
            .await?
            .map(|x| Node::ExceptionRequest(ExceptionRequest(x))),
        Kind::OutcomeEntry => access::outcome(ctx, uuid)
            .await?
            .map(|x| Node::OutcomeEntry(OutcomeEntry(x))),
        Kind::QuarterlyGoal => access::goal(ctx, uuid)
            .await?
            .map(|x| Node::QuarterlyGoal(QuarterlyGoal::new(x))),
        // Sessions and API keys are listed by `sessions` and `apiKeys`, not fetched as
        // nodes.
        Kind::Session | Kind::ApiKey | Kind::WebhookEndpoint | Kind::WebhookDelivery => None,
    })
}
