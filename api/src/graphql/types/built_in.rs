//! The built-in starting templates (`domain::BUILT_INS`), shown with the types of a
//! template version's definition.

use async_graphql::Object;

use crate::graphql::types::enums::{ExceptionPolicy, Tier};
use crate::graphql::types::template::Criterion;

/// A starting template shipped with the platform.
pub struct BuiltInTemplate(pub &'static domain::BuiltIn);

/// A starting template shipped with the platform (mentors): create a template of your own
/// from it with `createTemplate(input: { name, fromBuiltIn: key })`, then edit and publish
/// that. Its definition reads as a `TemplateVersion`'s does.
#[Object]
impl BuiltInTemplate {
    /// Stable key; pass it as `CreateTemplateInput.fromBuiltIn`.
    async fn key(&self) -> &str {
        self.0.key
    }
    /// Its name.
    async fn name(&self) -> &str {
        self.0.name
    }
    /// What it is for.
    async fn description(&self) -> &str {
        self.0.description
    }
    /// The criteria, in order.
    async fn criteria(&self) -> Vec<Criterion> {
        self.0
            .definition()
            .criteria()
            .iter()
            .enumerate()
            .map(|(position, c)| Criterion::from_domain(position, c))
            .collect()
    }
    /// Score (0..=100) from which a prospect is tier A.
    async fn threshold_a(&self) -> u32 {
        self.0.definition().threshold_a().get()
    }
    /// Score (0..=100) from which a prospect is tier B.
    async fn threshold_b(&self) -> u32 {
        self.0.definition().threshold_b().get()
    }
    /// Months within which a prospect may become A.
    async fn horizon_months(&self) -> u32 {
        self.0.definition().horizon_months()
    }
    /// What happens when a prospect with verdict `DECLINE` is to be taken on.
    async fn exception_policy(&self) -> ExceptionPolicy {
        self.0.definition().exception_policy().into()
    }
    /// The best tier a prospect can reach when a knockout hits.
    async fn knockout_cap(&self) -> Tier {
        self.0.definition().knockout_cap().into()
    }
}
