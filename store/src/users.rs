//! People who can sign in: mentors and mentees.

use chrono::{DateTime, Utc};
use domain::{DisplayName, Email};
use sea_orm::ActiveValue::Set;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::Conn;
use crate::StoreError;
use crate::clock::now;
use crate::codes::{Code, codes};
use crate::connect::begin_write;
use crate::enrollments::join;
use crate::entity::users;
use crate::error::unique;
use crate::programs::Program;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    Mentor,
    Mentee,
}

codes!(Role {
    Role::Mentor => "MENTOR",
    Role::Mentee => "MENTEE",
});

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub password_hash: String,
    pub created_at: DateTime<Utc>,
    /// The account was removed (`accounts::delete_user`): its address and name are
    /// placeholders, never to be shown as the person's.
    pub removed: bool,
}

impl TryFrom<users::Model> for User {
    type Error = StoreError;

    fn try_from(row: users::Model) -> Result<Self, StoreError> {
        Ok(User {
            id: row.id,
            role: Role::from_code(&row.role)?,
            email: row.email,
            name: row.name,
            password_hash: row.password_hash,
            created_at: row.created_at,
            removed: row.deleted_at.is_some(),
        })
    }
}

/// Creates a user. `email` is expected to be normalized already (`domain::Email`).
///
/// # Errors
/// [`StoreError::Conflict`]`("email")` when the email is taken.
pub async fn create_user(
    db: &impl Conn,
    email: &Email,
    name: &DisplayName,
    role: Role,
    password_hash: &str,
) -> Result<User, StoreError> {
    let at = now();
    let row = users::Model {
        id: Uuid::now_v7(),
        email: email.as_str().to_owned(),
        name: name.as_str().to_owned(),
        role: role.code().to_owned(),
        password_hash: password_hash.to_owned(),
        created_at: at,
        updated_at: at,
        deleted_at: None,
        sessions_valid_after: None,
    };
    users::Entity::insert(users::ActiveModel::from(row.clone()))
        .exec_without_returning(db)
        .await
        .map_err(unique("email"))?;
    User::try_from(row)
}

/// Creates a mentee account and enrolls it through an invite code, atomically: when the
/// email is taken the invite is not used up, and an unusable invite creates no account.
///
/// # Errors
/// [`StoreError::NotFound`] when no usable invite has this code,
/// [`StoreError::Conflict`]`("email")` when the email is taken.
pub async fn sign_up_with_invite(
    db: &impl Conn,
    email: &Email,
    name: &DisplayName,
    password_hash: &str,
    code: &str,
    now: DateTime<Utc>,
) -> Result<(User, Program), StoreError> {
    let txn = begin_write(db).await?;
    let user = create_user(&txn, email, name, Role::Mentee, password_hash).await?;
    let program = join(&txn, user.id, code, now).await?;
    txn.commit().await?;
    Ok((user, program))
}

/// # Errors
/// [`StoreError::Db`] when the query fails.
pub async fn user_by_email(db: &impl Conn, email: &str) -> Result<Option<User>, StoreError> {
    users::Entity::find()
        .filter(users::Column::Email.eq(email))
        .one(db)
        .await?
        .map(User::try_from)
        .transpose()
}

/// # Errors
/// [`StoreError::Db`] when the query fails.
pub async fn user_by_id(db: &impl Conn, id: Uuid) -> Result<Option<User>, StoreError> {
    users::Entity::find_by_id(id)
        .one(db)
        .await?
        .map(User::try_from)
        .transpose()
}

/// The users among `ids` that exist, in one query (order not specified).
///
/// # Errors
/// [`StoreError::Db`] when the query fails.
pub async fn users_by_ids(db: &impl Conn, ids: &[Uuid]) -> Result<Vec<User>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    users::Entity::find()
        .filter(users::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(User::try_from)
        .collect()
}

/// # Errors
/// [`StoreError::NotFound`] when there is no such user.
pub async fn set_password_hash(
    db: &impl Conn,
    id: Uuid,
    password_hash: &str,
) -> Result<(), StoreError> {
    let result = users::Entity::update_many()
        .set(users::ActiveModel {
            password_hash: Set(password_hash.to_owned()),
            updated_at: Set(now()),
            ..Default::default()
        })
        .filter(users::Column::Id.eq(id))
        .exec(db)
        .await?;
    if result.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}
