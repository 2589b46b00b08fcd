//! Sign-up, login and sessions.

use std::sync::Arc;

use async_graphql::{Context, InputObject, Object, SimpleObject};
use chrono::{Duration, Utc};
use uuid::Uuid;

use crate::auth::tokens::{TokenSubject, new_refresh_token, refresh_token_digest};
use crate::error::{ApiError, ApiResult};
use crate::graphql::context::{AppState, actor, state};
use crate::graphql::types::program::Program;
use crate::graphql::types::user::User;

#[derive(InputObject)]
pub struct SignUpInput {
    pub email: String,
    /// 8 characters or more, at most 256 bytes.
    pub password: String,
    pub name: String,
    /// A program's invite code: mentees join with one.
    pub invite_code: String,
}

#[derive(InputObject)]
pub struct LoginInput {
    pub email: String,
    pub password: String,
}

#[derive(InputObject)]
pub struct ChangePasswordInput {
    pub current_password: String,
    pub new_password: String,
}

/// A session: a short-lived access token and the refresh token to renew it.
#[derive(SimpleObject)]
pub struct AuthPayload {
    /// Send as `Authorization: Bearer <accessToken>`.
    pub access_token: String,
    /// Single use: `refreshSession` returns a new one each time.
    pub refresh_token: String,
    /// Seconds until the access token expires.
    pub expires_in: u64,
    pub user: User,
}

#[derive(SimpleObject)]
pub struct JoinProgramPayload {
    pub program: Program,
}

#[derive(SimpleObject)]
pub struct LogoutPayload {
    /// Always true: logging out an unknown or already ended session is not an error.
    pub ok: bool,
}

#[derive(Default)]
pub struct AuthMutation;

#[Object]
impl AuthMutation {
    /// Create a mentee account and join the invite's program.
    async fn sign_up(&self, ctx: &Context<'_>, input: SignUpInput) -> ApiResult<AuthPayload> {
        let st = state(ctx)?;
        let email = domain::Email::parse(&input.email).map_err(|e| bad("input.email", e))?;
        let password =
            domain::Password::parse(input.password).map_err(|e| bad("input.password", e))?;
        let name = domain::DisplayName::parse(&input.name).map_err(|e| bad("input.name", e))?;
        let hash = st.hasher.hash(password.as_str().to_owned()).await?;
        let (user, _program) = store::users::sign_up_with_invite(
            &st.db,
            email.as_str(),
            name.as_str(),
            &hash,
            input.invite_code.trim(),
            Utc::now(),
        )
        .await
        .map_err(|e| match e {
            store::StoreError::NotFound => ApiError::bad_field(
                "input.inviteCode",
                "this invite code is unknown, expired, revoked or used up",
            ),
            store::StoreError::Conflict(_) => {
                ApiError::Conflict("an account with this email already exists".into())
            }
            other => other.into(),
        })?;
        issue_session(st, user, None).await
    }

    /// Join another program with its invite code (mentees).
    async fn join_program(
        &self,
        ctx: &Context<'_>,
        invite_code: String,
    ) -> ApiResult<JoinProgramPayload> {
        let me = actor(ctx)?;
        me.require_mentee()?;
        let st = state(ctx)?;
        let program =
            store::programs::join_with_invite(&st.db, me.user_id, invite_code.trim(), Utc::now())
                .await
                .map_err(|e| match e {
                    store::StoreError::NotFound => ApiError::bad_field(
                        "inviteCode",
                        "this invite code is unknown, expired, revoked or used up",
                    ),
                    store::StoreError::Conflict(_) => {
                        ApiError::Conflict("you are already enrolled in this program".into())
                    }
                    other => other.into(),
                })?;
        Ok(JoinProgramPayload {
            program: Program(Arc::new(program)),
        })
    }

    /// Start a session. Unknown email and wrong password get the same answer.
    async fn login(&self, ctx: &Context<'_>, input: LoginInput) -> ApiResult<AuthPayload> {
        let st = state(ctx)?;
        if input.password.len() > 256 {
            return Err(ApiError::BadCredentials);
        }
        let user = match domain::Email::parse(&input.email) {
            Ok(email) => store::users::user_by_email(&st.db, email.as_str()).await?,
            Err(_) => None,
        };
        let ok = st
            .hasher
            .verify(
                input.password,
                user.as_ref().map(|u| u.password_hash.clone()),
            )
            .await?;
        match user {
            Some(user) if ok => issue_session(st, user, None).await,
            _ => Err(ApiError::BadCredentials),
        }
    }

    /// Exchange a refresh token for a new session. Each refresh token works once; reusing one
    /// ends every session of its login.
    async fn refresh_session(
        &self,
        ctx: &Context<'_>,
        refresh_token: String,
    ) -> ApiResult<AuthPayload> {
        let st = state(ctx)?;
        let now = Utc::now();
        let (token, digest) = new_refresh_token();
        let expires = now + refresh_ttl(st);
        let rotation = store::sessions::rotate_refresh_token(
            &st.db,
            &refresh_token_digest(&refresh_token),
            &digest,
            expires,
            now,
        )
        .await?;
        match rotation {
            store::Rotation::Rotated { user_id, .. } => {
                let user = store::users::user_by_id(&st.db, user_id)
                    .await?
                    .ok_or(ApiError::Unauthenticated)?;
                session_payload(st, user, token)
            }
            store::Rotation::Replayed { user_id } => {
                tracing::warn!(%user_id, "refresh token replayed: its session family is revoked");
                Err(ApiError::Unauthenticated)
            }
            store::Rotation::Invalid => Err(ApiError::Unauthenticated),
        }
    }

    /// End the session the refresh token belongs to.
    async fn logout(&self, ctx: &Context<'_>, refresh_token: String) -> ApiResult<LogoutPayload> {
        let st = state(ctx)?;
        store::sessions::revoke_family_by_token(
            &st.db,
            &refresh_token_digest(&refresh_token),
            Utc::now(),
        )
        .await?;
        Ok(LogoutPayload { ok: true })
    }

    /// Change the password: every session ends, and a new one is returned.
    async fn change_password(
        &self,
        ctx: &Context<'_>,
        input: ChangePasswordInput,
    ) -> ApiResult<AuthPayload> {
        let me = actor(ctx)?;
        let st = state(ctx)?;
        let new =
            domain::Password::parse(input.new_password).map_err(|e| bad("input.newPassword", e))?;
        let user = store::users::user_by_id(&st.db, me.user_id)
            .await?
            .ok_or(ApiError::Unauthenticated)?;
        let ok = st
            .hasher
            .verify(input.current_password, Some(user.password_hash.clone()))
            .await?;
        if !ok {
            return Err(ApiError::bad_field("input.currentPassword", "is wrong"));
        }
        let hash = st.hasher.hash(new.as_str().to_owned()).await?;
        let now = Utc::now();
        store::users::set_password_hash(&st.db, user.id, &hash).await?;
        store::sessions::revoke_user_tokens(&st.db, user.id, now).await?;
        issue_session(st, user, None).await
    }
}

fn bad(field: &str, e: domain::InvalidValue) -> ApiError {
    ApiError::BadInput(vec![e.at(field)])
}

fn refresh_ttl(st: &AppState) -> Duration {
    Duration::seconds(i64::try_from(st.config.refresh_token_ttl_secs).unwrap_or(i64::MAX / 2))
}

/// A new session (a new refresh-token family unless `family` continues one).
pub async fn issue_session(
    st: &AppState,
    user: store::User,
    family: Option<Uuid>,
) -> ApiResult<AuthPayload> {
    let now = Utc::now();
    let (token, digest) = new_refresh_token();
    store::sessions::insert_refresh_token(
        &st.db,
        user.id,
        family.unwrap_or_else(Uuid::now_v7),
        &digest,
        now + refresh_ttl(st),
    )
    .await?;
    session_payload(st, user, token)
}

fn session_payload(
    st: &AppState,
    user: store::User,
    refresh_token: String,
) -> ApiResult<AuthPayload> {
    let now = Utc::now().timestamp().unsigned_abs();
    let access_token = st.keys.issue_access(
        TokenSubject {
            user_id: user.id,
            role: user.role,
        },
        now,
    )?;
    Ok(AuthPayload {
        access_token,
        refresh_token,
        expires_in: st.keys.access_ttl_secs(),
        user: User(Arc::new(user)),
    })
}
