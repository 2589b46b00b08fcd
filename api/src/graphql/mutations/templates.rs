//! Mentor mutations on criteria templates.

use std::sync::Arc;

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use chrono::Utc;
use domain::policy;

use crate::error::{ApiError, ApiResult, Conflict};
use crate::graphql::access;
use crate::graphql::audit::Tx;
use crate::graphql::context::actor;
use crate::graphql::ids::{self, Kind};
use crate::graphql::inputs::{self, TemplateDefinitionInput};
use crate::graphql::mutations::unchanged_or;
use crate::graphql::types::template::{Template, TemplateVersion};

/// A new template.
#[derive(InputObject)]
pub struct CreateTemplateInput {
    /// The template's name.
    pub name: String,
    /// Free text; empty by default.
    #[graphql(default)]
    pub description: String,
    /// The definition of its draft version 1. Omit it (and `fromBuiltIn`) to start from the
    /// built-in "A-client standard" (`Query.builtInTemplates`, key `a_client_standard`).
    pub definition: Option<TemplateDefinitionInput>,
    /// The key of a built-in template (`Query.builtInTemplates`) whose definition the draft
    /// starts from; not together with `definition`. An unknown key is `BAD_USER_INPUT`
    /// listing the known ones.
    pub from_built_in: Option<String>,
}

/// Changes to a template: omitted fields stay as they are.
#[derive(InputObject)]
pub struct UpdateTemplateDraftInput {
    /// The template to change (yours).
    pub id: ID,
    /// The new name; omitted: unchanged; `null` is refused (`BAD_USER_INPUT`).
    pub name: MaybeUndefined<String>,
    /// The new description (blank for none); omitted: unchanged; `null` is refused.
    pub description: MaybeUndefined<String>,
    /// Replaces the draft's definition; when the newest version is published, starts a new
    /// draft. The same definition as the newest version's changes nothing. Omitted:
    /// unchanged; `null` is refused.
    pub definition: MaybeUndefined<TemplateDefinitionInput>,
    /// The `revision` you last read. If the object changed since, the update fails with
    /// `CONFLICT` (reason `STALE_REVISION`) and changes nothing. Omitted or `null`: no check.
    pub expected_revision: Option<i32>,
}

/// Which template to copy, and the copy's name.
#[derive(InputObject)]
pub struct CopyTemplateInput {
    /// The template to copy (yours).
    pub id: ID,
    /// Defaults to "<name> (copy)".
    pub name: Option<String>,
}

/// The result of a change to a template.
#[derive(SimpleObject)]
pub struct TemplatePayload {
    /// The template as it is now.
    pub template: Template,
    /// The version this mutation created or changed.
    pub version: TemplateVersion,
}

/// The result of archiving a template.
#[derive(SimpleObject)]
pub struct ArchiveTemplatePayload {
    /// The template, archived.
    pub template: Template,
}

#[derive(Default)]
pub struct TemplateMutation;

#[Object]
impl TemplateMutation {
    /// Create a template with a draft version 1: your own definition, or that of a built-in
    /// template (`fromBuiltIn`, see `Query.builtInTemplates`), by default the "A-client
    /// standard".
    async fn create_template(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to change; see the input type.")] input: CreateTemplateInput,
    ) -> ApiResult<Option<TemplatePayload>> {
        let me = access::attempt(ctx, policy::Kind::Template, policy::Action::Create)?;
        let name = parse_name("input.name", &input.name)?;
        let definition = match (input.definition, input.from_built_in) {
            (Some(_), Some(_)) => {
                return Err(ApiError::bad_field(
                    "input.fromBuiltIn",
                    "give either `definition` or `fromBuiltIn`, not both",
                ));
            }
            (Some(def), None) => parse_definition("input.definition", def)?,
            (None, Some(key)) => built_in_definition("input.fromBuiltIn", &key)?,
            (None, None) => domain::a_client_standard(),
        };
        let tx = Tx::begin(ctx).await?;
        let (template, version) = store::templates::create_template(
            tx.conn(),
            me.user_id,
            &name,
            &description_text("input.description", &input.description)?,
            &definition,
        )
        .await?;
        tx.commit("template.create", "Template", Some(template.id))
            .await?;
        Ok(Some(payload(template, version)))
    }

    /// Edit a template. Editing the definition of a published template starts a new draft
    /// version; published versions never change.
    async fn update_template_draft(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to change; see the input type.")] input: UpdateTemplateDraftInput,
    ) -> ApiResult<Option<TemplatePayload>> {
        let template = own_template(ctx, &input.id).await?;
        let name = unchanged_or("input.name", input.name)?
            .map(|n| parse_name("input.name", &n))
            .transpose()?;
        let description = unchanged_or("input.description", input.description)?;
        let definition = unchanged_or("input.definition", input.definition)?
            .map(|d| parse_definition("input.definition", d))
            .transpose()?;
        let tx = Tx::begin(ctx).await?;
        let before = template.revision;
        let (template, version) = store::templates::update_draft(
            tx.conn(),
            template.id,
            name.as_ref(),
            description
                .as_deref()
                .map(|d| description_text("input.description", d))
                .transpose()?
                .as_ref(),
            definition.as_ref(),
            input.expected_revision,
        )
        .await?;
        // Nothing changed: nothing to record (the transaction rolls back, empty).
        if template.revision != before {
            tx.commit("template.update", "Template", Some(template.id))
                .await?;
        }
        Ok(Some(payload(template, version)))
    }

    /// Publish the newest draft version: from now on it never changes.
    async fn publish_template(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The template (yours).")] id: ID,
    ) -> ApiResult<Option<TemplatePayload>> {
        let template = own_template(ctx, &id).await?;
        let mut tx = Tx::begin(ctx).await?;
        let version = store::templates::publish_latest(tx.conn(), template.id, Utc::now())
            .await
            .map_err(|e| match e {
                store::StoreError::Conflict(_) => ApiError::Conflict(
                    Conflict::AlreadyPublished,
                    "the newest version is already published".into(),
                ),
                other => other.into(),
            })?;
        let template = store::templates::template_by_id(tx.conn(), template.id)
            .await?
            .ok_or(ApiError::NotFound)?;
        tx.emit(crate::events::template_published(
            template.owner_id,
            template.id,
            &version,
        ));
        tx.commit("template.publish", "TemplateVersion", Some(version.id))
            .await?;
        Ok(Some(payload(template, version)))
    }

    /// Archive a template: it is no longer listed; programs using it keep their standard.
    async fn archive_template(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The template (yours).")] id: ID,
    ) -> ApiResult<Option<ArchiveTemplatePayload>> {
        let template = own_template(ctx, &id).await?;
        let tx = Tx::begin(ctx).await?;
        let template =
            store::templates::archive_template(tx.conn(), template.id, Utc::now()).await?;
        tx.commit("template.archive", "Template", Some(template.id))
            .await?;
        Ok(Some(ArchiveTemplatePayload {
            template: Template(Arc::new(template)),
        }))
    }

    /// Copy a template's newest version into a new template with a draft version 1.
    async fn copy_template(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to change; see the input type.")] input: CopyTemplateInput,
    ) -> ApiResult<Option<TemplatePayload>> {
        let me = actor(ctx)?;
        let template = own_template(ctx, &input.id).await?;
        let name = match input.name.as_deref() {
            Some(n) => parse_name("input.name", n)?,
            None => parse_name("input.name", &copy_name(&template.name))?,
        };
        let tx = Tx::begin(ctx).await?;
        let (template, version) =
            store::templates::copy_template(tx.conn(), template.id, me.user_id, &name).await?;
        tx.commit("template.copy", "Template", Some(template.id))
            .await?;
        Ok(Some(payload(template, version)))
    }
}

/// The definition of the built-in template `key`.
///
/// # Errors
/// `BAD_USER_INPUT` on `field` for an unknown key, listing the known ones.
fn built_in_definition(field: &str, key: &str) -> ApiResult<domain::Definition> {
    match domain::built_in(key) {
        Some(built_in) => Ok(built_in.definition()),
        None => {
            let known: Vec<&str> = domain::BUILT_INS.iter().map(|b| b.key).collect();
            Err(ApiError::bad_field(
                field,
                format!("unknown built-in template; known: {}", known.join(", ")),
            ))
        }
    }
}

fn copy_name(name: &str) -> String {
    let copy: String = name.chars().take(93).collect();
    format!("{copy} (copy)")
}

fn payload(template: store::Template, version: store::TemplateVersion) -> TemplatePayload {
    TemplatePayload {
        template: Template(Arc::new(template)),
        version: TemplateVersion(Arc::new(version)),
    }
}

/// A template the actor owns.
///
/// # Errors
/// `FORBIDDEN` for mentees, `NOT_FOUND` for anything else they may not see.
async fn own_template(ctx: &Context<'_>, id: &ID) -> ApiResult<Arc<store::Template>> {
    access::template_to_change(ctx, || ids::decode(Kind::Template, id)).await
}

pub fn parse_name(field: &str, name: &str) -> ApiResult<domain::DisplayName> {
    domain::DisplayName::parse(name).map_err(|e| ApiError::BadInput(vec![e.at(field)]))
}

fn parse_definition(field: &str, input: TemplateDefinitionInput) -> ApiResult<domain::Definition> {
    let draft = inputs::definition_draft(input).map_err(|e| ApiError::invalid(field, e))?;
    domain::Definition::parse(draft).map_err(|e| ApiError::invalid(field, e))
}

/// A description: trimmed, at most `domain::text::MAX_TEXT_CHARS` characters.
fn description_text(field: &str, text: &str) -> ApiResult<domain::LongText> {
    domain::LongText::parse(text).map_err(|e| ApiError::BadInput(vec![e.at(field)]))
}
