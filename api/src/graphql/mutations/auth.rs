//! Sign-up, login and sessions.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{Duration, SubsecRound, Utc};
use domain::policy::{Action, Kind};
use uuid::Uuid;

use crate::auth::tokens::{TokenSubject, new_refresh_token, refresh_token_digest};
use crate::error::{ApiError, ApiResult, Conflict};
use crate::graphql::access;
use crate::graphql::audit::Tx;
use crate::graphql::context::{AppState, Credentials, credentials, state};
use crate::graphql::ids::{self, Kind as IdKind};
use crate::graphql::types::program::Program;
use crate::graphql::types::user::User;

/// A new mentee account.
#[derive(InputObject)]
pub struct SignUpInput {
    /// The address to sign in with.
    pub email: String,
    /// 8 characters or more, at most 256 bytes.
    pub password: String,
    /// The display name.
    pub name: String,
    /// A program's invite code: mentees join with one.
    pub invite_code: String,
}

/// Credentials.
#[derive(InputObject)]
pub struct LoginInput {
    /// The account's e-mail address.
    pub email: String,
    /// The password.
    pub password: String,
}

/// A password change.
#[derive(InputObject)]
pub struct ChangePasswordInput {
    /// The password now, to confirm.
    pub current_password: String,
    /// The new password: 8 characters or more, at most 256 bytes, not a common one.
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
    /// The signed-in user.
    pub user: User,
}

/// The result of joining a program.
#[derive(SimpleObject)]
pub struct JoinProgramPayload {
    /// The program joined.
    pub program: Program,
}

/// The result of logging out.
#[derive(SimpleObject)]
pub struct LogoutPayload {
    /// Always true: logging out an unknown or already ended session is not an error.
    pub ok: bool,
}

/// The result of ending sessions.
#[derive(SimpleObject)]
pub struct EndSessionsPayload {
    /// How many logins ended.
    pub ended: u64,
}

#[derive(Default)]
pub struct AuthMutation;

#[Object]
impl AuthMutation {
    /// Create a mentee account and join the invite's program. The invite code is checked
    /// first: with an unusable one the answer is the same whatever the e-mail. Attempts are
    /// throttled per client IP and per e-mail address, like `login`.
    async fn sign_up(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "See the input type.")] input: SignUpInput,
    ) -> ApiResult<Option<AuthPayload>> {
        let st = state(ctx)?;
        refuse_idempotency_key()?;
        let account = throttle_key(&input.email);
        st.throttle.check(client_ip(), &account).await?;
        let code = domain::text::invite_code(&input.invite_code)
            .map_err(|e| bad("input.inviteCode", e))?;
        // Before the e-mail is looked at or the password hashed: a wrong code learns nothing
        // about the address and costs no hashing.
        if !store::invites::invite_usable(&st.db, code, Utc::now()).await? {
            st.throttle.record_failure(&account).await?;
            return Err(unusable_invite("input.inviteCode"));
        }
        let email = domain::Email::parse(&input.email).map_err(|e| bad("input.email", e))?;
        let password = new_password("input.password", input.password)?;
        let name = domain::DisplayName::parse(&input.name).map_err(|e| bad("input.name", e))?;
        let hash = st.hasher.hash(password.as_str().to_owned()).await?;
        let mut tx = Tx::begin(ctx).await?;
        let joined =
            store::users::sign_up_with_invite(tx.conn(), &email, &name, &hash, code, Utc::now())
                .await;
        let (user, program) = match joined {
            Ok(joined) => joined,
            Err(store::StoreError::NotFound) => return Err(unusable_invite("input.inviteCode")),
            // Only a holder of a usable invite gets this far: the invite is the capability
            // to learn that the address is taken (README, "Sessions and passwords").
            Err(store::StoreError::Conflict(_)) => {
                st.throttle.record_failure(&account).await?;
                return Err(ApiError::Conflict(
                    Conflict::Duplicate,
                    "an account with this email already exists".into(),
                ));
            }
            Err(other) => return Err(other.into()),
        };
        let user_id = user.id;
        let session = issue_session(st, tx.conn(), user, None).await?;
        tx.acting_as(user_id);
        tx.emit(crate::events::mentee_joined(program.id, user_id));
        tx.commit("user.sign_up", "User", Some(user_id)).await?;
        Ok(Some(session))
    }

    /// Join another program with its invite code (mentees).
    async fn join_program(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The code from the mentor\'s invite.")] invite_code: String,
    ) -> ApiResult<Option<JoinProgramPayload>> {
        let me = access::attempt(ctx, Kind::Program, Action::Join)?;
        let code = domain::text::invite_code(&invite_code).map_err(|e| bad("inviteCode", e))?;
        let mut tx = Tx::begin(ctx).await?;
        let program = store::programs::join_with_invite(
            tx.conn(),
            me.user_id,
            code,
            Utc::now(),
        )
        .await
        .map_err(|e| match e {
            store::StoreError::NotFound => unusable_invite("inviteCode"),
            store::StoreError::Conflict("removed enrollment") => ApiError::Forbidden(
                "you were removed from this program; only a new invite from its mentor lets you back in",
            ),
            store::StoreError::Conflict(_) => ApiError::Conflict(
                Conflict::Duplicate,
                "you are already enrolled in this program".into(),
            ),
            other => other.into(),
        })?;
        tx.emit(crate::events::mentee_joined(program.id, me.user_id));
        tx.commit("program.join", "Program", Some(program.id))
            .await?;
        Ok(Some(JoinProgramPayload {
            program: Program(Arc::new(program)),
        }))
    }

    /// Start a session. Unknown email and wrong password get the same answer.
    async fn login(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "See the input type.")] input: LoginInput,
    ) -> ApiResult<Option<AuthPayload>> {
        let st = state(ctx)?;
        refuse_idempotency_key()?;
        let account = throttle_key(&input.email);
        st.throttle.check(client_ip(), &account).await?;
        // Refused before hashing: argon2 over megabytes would be a denial of service.
        if input.password.len() > domain::Password::MAX_BYTES {
            st.throttle.record_failure(&account).await?;
            return Err(ApiError::BadCredentials);
        }
        let user = match domain::Email::parse(&input.email) {
            Ok(email) => store::users::user_by_email(&st.db, email.as_str()).await?,
            Err(_) => None,
        };
        // An unknown email is verified against a dummy hash: same answer, same time.
        let ok = st
            .hasher
            .verify(
                input.password,
                user.as_ref().map(|u| u.password_hash.clone()),
            )
            .await?;
        match user {
            Some(user) if ok => {
                st.throttle.record_success(&account).await?;
                let mut tx = Tx::begin(ctx).await?;
                let user_id = user.id;
                let session = issue_session(st, tx.conn(), user, None).await?;
                tx.acting_as(user_id);
                tx.commit("session.login", "User", Some(user_id)).await?;
                Ok(Some(session))
            }
            _ => {
                st.throttle.record_failure(&account).await?;
                Err(ApiError::BadCredentials)
            }
        }
    }

    /// Exchange a refresh token for a new session. Each refresh token works once; reusing one
    /// ends every session of its login.
    async fn refresh_session(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A refresh token from `login`, `signUp` or `refreshSession`.")]
        refresh_token: String,
    ) -> ApiResult<Option<AuthPayload>> {
        let st = state(ctx)?;
        refuse_idempotency_key()?;
        let now = Utc::now();
        let (token, digest) = new_refresh_token();
        let expires = now + refresh_ttl(st);
        let mut tx = Tx::begin(ctx).await?;
        let rotation = store::sessions::rotate_refresh_token(
            tx.conn(),
            &refresh_token_digest(&refresh_token),
            &digest,
            expires,
            now,
            &session_client(),
        )
        .await?;
        match rotation {
            store::Rotation::Rotated { user_id, family_id } => {
                let user = store::users::user_by_id(tx.conn(), user_id)
                    .await?
                    .ok_or(ApiError::Unauthenticated)?;
                tx.acting_as(user_id);
                tx.commit("session.refresh", "User", Some(user_id)).await?;
                session_payload(st, user, family_id, token).map(Some)
            }
            store::Rotation::Replayed { user_id } => {
                // The revocation of the whole family must stick even though the call fails.
                let request_id = crate::request_meta::request_id();
                tracing::warn!(%request_id, %user_id, "refresh token replayed: its session family is revoked");
                tx.acting_as(user_id);
                tx.commit("session.replay_revoked", "User", Some(user_id))
                    .await?;
                Err(ApiError::Unauthenticated)
            }
            store::Rotation::Invalid => Err(ApiError::Unauthenticated),
        }
    }

    /// End one login: the one the refresh token belongs to, or, without a token, the one of
    /// the access token sending the request. Its access and refresh tokens stop working at once.
    async fn logout(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A refresh token from `login`, `signUp` or `refreshSession`.")]
        refresh_token: Option<String>,
    ) -> ApiResult<Option<LogoutPayload>> {
        let session = match credentials(ctx) {
            Credentials::Valid(subject) => Some(subject.session_id),
            _ => None,
        };
        let tx = Tx::begin(ctx).await?;
        let now = Utc::now();
        match (refresh_token, session) {
            (Some(token), _) => {
                store::sessions::revoke_family_by_token(
                    tx.conn(),
                    &refresh_token_digest(&token),
                    now,
                )
                .await?;
            }
            (None, Some(family)) => store::sessions::revoke_family(tx.conn(), family, now).await?,
            (None, None) => return Err(ApiError::Unauthenticated),
        }
        tx.commit("session.logout", "Session", session).await?;
        Ok(Some(LogoutPayload { ok: true }))
    }

    /// End one of your logins (an id from `sessions`): its access and refresh tokens stop
    /// working at once. `NOT_FOUND` for an id that is not a login of yours, or one already
    /// ended.
    async fn end_session(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A session's id, from `sessions`.")] id: ID,
    ) -> ApiResult<Option<EndSessionsPayload>> {
        let me = access::attempt(ctx, Kind::Account, Action::Change)?;
        let family = ids::decode(IdKind::Session, &id)?;
        let tx = Tx::begin(ctx).await?;
        store::sessions::end_session(tx.conn(), me.user_id, family, Utc::now()).await?;
        tx.commit("session.end", "Session", Some(family)).await?;
        Ok(Some(EndSessionsPayload { ended: 1 }))
    }

    /// End every login of yours but the one making this request ("sign out everywhere
    /// else").
    async fn end_other_sessions(&self, ctx: &Context<'_>) -> ApiResult<Option<EndSessionsPayload>> {
        let me = access::attempt(ctx, Kind::Account, Action::Change)?;
        let Credentials::Valid(subject) = credentials(ctx) else {
            return Err(ApiError::Unauthenticated);
        };
        let user_id = me.user_id;
        let tx = Tx::begin(ctx).await?;
        let ended =
            store::sessions::end_other_sessions(tx.conn(), user_id, subject.session_id, Utc::now())
                .await?;
        tx.commit("session.end_others", "User", Some(user_id))
            .await?;
        Ok(Some(EndSessionsPayload { ended }))
    }

    /// Remove your account: it can no longer sign in and every session ends at once. Your
    /// e-mail address and name are erased; prospects and decisions stay in the program's
    /// records under "Removed user".
    async fn delete_account(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to change; see the input type.")] input: DeleteAccountInput,
    ) -> ApiResult<Option<DeleteAccountPayload>> {
        let me = access::attempt(ctx, Kind::Account, Action::Change)?;
        let st = state(ctx)?;
        let user = store::users::user_by_id(&st.db, me.user_id)
            .await?
            .ok_or(ApiError::Unauthenticated)?;
        verify_current_password(st, &user, input.password, "input.password").await?;
        let tx = Tx::begin(ctx).await?;
        store::accounts::delete_user(tx.conn(), user.id).await?;
        tx.commit("user.delete", "User", Some(user.id)).await?;
        Ok(Some(DeleteAccountPayload {
            deleted_user_id: crate::graphql::ids::encode(crate::graphql::ids::Kind::User, user.id),
        }))
    }

    /// Change the password: every session ends, and a new one is returned.
    async fn change_password(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to change; see the input type.")] input: ChangePasswordInput,
    ) -> ApiResult<Option<AuthPayload>> {
        let me = access::attempt(ctx, Kind::Account, Action::Change)?;
        let st = state(ctx)?;
        refuse_idempotency_key()?;
        let new = new_password("input.newPassword", input.new_password)?;
        let user = store::users::user_by_id(&st.db, me.user_id)
            .await?
            .ok_or(ApiError::Unauthenticated)?;
        verify_current_password(st, &user, input.current_password, "input.currentPassword").await?;
        let hash = st.hasher.hash(new.as_str().to_owned()).await?;
        let now = Utc::now();
        let tx = Tx::begin(ctx).await?;
        store::users::set_password_hash(tx.conn(), user.id, &hash).await?;
        store::accounts::end_sessions(tx.conn(), user.id, now.trunc_subsecs(0)).await?;
        let user_id = user.id;
        let session = issue_session(st, tx.conn(), user, None).await?;
        tx.commit("user.change_password", "User", Some(user_id))
            .await?;
        Ok(Some(session))
    }
}

/// Confirmation of an account removal.
#[derive(InputObject)]
pub struct DeleteAccountInput {
    /// The current password, to confirm.
    pub password: String,
}

/// The result of removing your account.
#[derive(SimpleObject)]
pub struct DeleteAccountPayload {
    /// The removed account's id.
    pub deleted_user_id: ID,
}

/// A password a user chooses: the domain's length rules, and not on the common-password list.
fn new_password(field: &str, password: String) -> ApiResult<domain::Password> {
    crate::auth::password::choose(password).map_err(|e| bad(field, e))
}

/// The signed-in user's current password, confirming a sensitive change. A wrong one counts
/// as a failed login of the account (same backoff), so that a stolen access token is not an
/// unthrottled way to guess the password; and the account's backoff applies here too.
async fn verify_current_password(
    st: &AppState,
    user: &store::User,
    password: String,
    field: &str,
) -> ApiResult<()> {
    let account = throttle_key(&user.email);
    st.throttle.check(client_ip(), &account).await?;
    if password.len() > domain::Password::MAX_BYTES {
        st.throttle.record_failure(&account).await?;
        return Err(ApiError::bad_field(field, "is wrong"));
    }
    let ok = st
        .hasher
        .verify(password, Some(user.password_hash.clone()))
        .await?;
    if !ok {
        st.throttle.record_failure(&account).await?;
        return Err(ApiError::bad_field(field, "is wrong"));
    }
    st.throttle.record_success(&account).await?;
    Ok(())
}

/// The throttle's key for an account: the e-mail as typed, normalized, whether or not an
/// account has it (so that throttling reveals nothing).
fn throttle_key(email: &str) -> String {
    // Bounded: the key is kept in memory, and no address is longer than this.
    email
        .trim()
        .chars()
        .take(320)
        .collect::<String>()
        .to_lowercase()
}

fn client_ip() -> IpAddr {
    crate::request_meta::current().map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |m| m.client_ip)
}

fn unusable_invite(field: &str) -> ApiError {
    ApiError::bad_field(
        field,
        "this invite code is unknown, expired, revoked or used up, or its program is archived",
    )
}

/// Mutations that hand out secrets (access and refresh tokens) refuse an `Idempotency-Key`:
/// keeping their response would store live tokens, and replaying it would hand them out
/// again (README, "Retries and concurrent edits").
fn refuse_idempotency_key() -> ApiResult<()> {
    if crate::idempotency::keyed() {
        return Err(ApiError::bad_field(
            "Idempotency-Key",
            "is not accepted by mutations that return tokens; send them without it",
        ));
    }
    Ok(())
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
    conn: &impl store::Conn,
    user: store::User,
    family: Option<Uuid>,
) -> ApiResult<AuthPayload> {
    let now = Utc::now();
    let family = family.unwrap_or_else(Uuid::now_v7);
    let (token, digest) = new_refresh_token();
    store::sessions::insert_refresh_token(
        conn,
        user.id,
        family,
        &digest,
        now + refresh_ttl(st),
        &session_client(),
    )
    .await?;
    session_payload(st, user, family, token)
}

/// Where the current request comes from, kept with the tokens it gets.
fn session_client() -> store::sessions::SessionClient {
    let meta = crate::request_meta::current();
    store::sessions::SessionClient {
        ip: meta.as_ref().map(|m| m.client_ip.to_string()),
        user_agent: meta.and_then(|m| m.user_agent),
    }
}

fn session_payload(
    st: &AppState,
    user: store::User,
    family: Uuid,
    refresh_token: String,
) -> ApiResult<AuthPayload> {
    let now = Utc::now().timestamp().unsigned_abs();
    let access_token = st.keys.issue_access(
        TokenSubject {
            user_id: user.id,
            role: user.role,
            session_id: family,
            issued_at: now,
        },
        now,
    )?;
    Ok(AuthPayload {
        access_token,
        refresh_token,
        expires_in: st.keys.access_ttl_secs(),
        user: User::signed_in(Arc::new(user)),
    })
}
