//! Server-wide settings, such as the JWT signing secret.

use sea_orm::EntityTrait;

use crate::Conn;
use crate::StoreError;
use crate::entity::settings;

/// Returns the stored value of `key`, storing `candidate` first if there is none.
///
/// Race-safe: when two processes start at once, both get the value that won.
///
/// # Errors
/// [`StoreError::Db`] when the database fails.
pub async fn get_or_insert_setting(
    db: &impl Conn,
    key: &str,
    candidate: &str,
) -> Result<String, StoreError> {
    let row = settings::ActiveModel::from(settings::Model {
        key: key.to_owned(),
        value: candidate.to_owned(),
    });
    settings::Entity::insert(row)
        .on_conflict_do_nothing_on([settings::Column::Key])
        .exec_without_returning(db)
        .await?;
    let stored = settings::Entity::find_by_id(key.to_owned())
        .one(db)
        .await?
        .ok_or(StoreError::NotFound)?;
    Ok(stored.value)
}
