//! Access tokens (JWT, HS256 pinned) and opaque refresh tokens.
//!
//! Access tokens are short-lived and checked for algorithm, signature, `exp`, `iat`, `iss`,
//! `aud` and the token type. Refresh tokens are 256 random bits, handed out once and stored
//! only as a SHA-256 digest; `store::rotate_refresh_token` rotates them on every use.

use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::error::ApiError;

const ISSUER: &str = "qualify";
const AUDIENCE: &str = "qualify-api";
const ACCESS: &str = "access";
/// Clock skew tolerated between instances, in seconds.
const LEEWAY_SECS: u64 = 5;
/// Length of a secret we generate, and the minimum we accept from configuration.
pub const SECRET_BYTES: usize = 32;

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: Uuid,
    /// The login (refresh-token family) this token belongs to: logging it out ends the token.
    sid: Uuid,
    role: String,
    typ: String,
    iss: String,
    aud: String,
    iat: u64,
    exp: u64,
}

/// The identity an access token carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenSubject {
    pub user_id: Uuid,
    pub role: store::Role,
    /// The login (refresh-token family) the token was issued for.
    pub session_id: Uuid,
    /// `iat`, in seconds since the epoch (ignored when issuing: the token gets `now`).
    pub issued_at: u64,
}

/// Signs and checks access tokens with one HS256 key.
#[derive(Clone)]
pub struct TokenKeys {
    /// Shared: the server state holding these is cloned for every request, and a deep copy
    /// of the keys and the validation's hash sets was a large part of a request's CPU
    /// (`bench/RESULTS.md`, scenario S0).
    keys: Arc<Keys>,
    access_ttl_secs: u64,
}

struct Keys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

impl TokenKeys {
    /// # Errors
    /// `INTERNAL` when the secret is shorter than 256 bits.
    pub fn new(secret: &[u8], access_ttl_secs: u64) -> Result<Self, ApiError> {
        if secret.len() < SECRET_BYTES {
            return Err(ApiError::internal("JWT secret shorter than 256 bits"));
        }
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
        validation.leeway = LEEWAY_SECS;
        Ok(Self {
            keys: Arc::new(Keys {
                encoding: EncodingKey::from_secret(secret),
                decoding: DecodingKey::from_secret(secret),
                validation,
            }),
            access_ttl_secs,
        })
    }

    pub fn access_ttl_secs(&self) -> u64 {
        self.access_ttl_secs
    }

    /// # Errors
    /// `INTERNAL` if signing fails.
    pub fn issue_access(&self, subject: TokenSubject, now: u64) -> Result<String, ApiError> {
        let claims = Claims {
            sub: subject.user_id,
            sid: subject.session_id,
            role: role_name(subject.role).to_owned(),
            typ: ACCESS.to_owned(),
            iss: ISSUER.to_owned(),
            aud: AUDIENCE.to_owned(),
            iat: now,
            exp: now + self.access_ttl_secs,
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.keys.encoding)
            .map_err(ApiError::internal)
    }

    /// The subject of a valid access token.
    ///
    /// # Errors
    /// `UNAUTHENTICATED` for anything else: bad signature, other algorithm, expired, wrong
    /// issuer, audience or type, an `iat` in the future, or an `iat` older than the
    /// configured access-token lifetime, whatever `exp` says (a token signed with a far
    /// `exp` lives no longer than one this server issues).
    pub fn verify_access(&self, token: &str, now: u64) -> Result<TokenSubject, ApiError> {
        let data =
            jsonwebtoken::decode::<Claims>(token, &self.keys.decoding, &self.keys.validation)
                .map_err(|_| ApiError::Unauthenticated)?;
        let claims = data.claims;
        let outlived = now
            > claims
                .iat
                .saturating_add(self.access_ttl_secs + LEEWAY_SECS);
        if claims.typ != ACCESS || claims.iat > now + LEEWAY_SECS || outlived {
            return Err(ApiError::Unauthenticated);
        }
        let role = parse_role(&claims.role).ok_or(ApiError::Unauthenticated)?;
        Ok(TokenSubject {
            user_id: claims.sub,
            role,
            session_id: claims.sid,
            issued_at: claims.iat,
        })
    }
}

fn role_name(role: store::Role) -> &'static str {
    match role {
        store::Role::Mentor => "MENTOR",
        store::Role::Mentee => "MENTEE",
    }
}

fn parse_role(name: &str) -> Option<store::Role> {
    match name {
        "MENTOR" => Some(store::Role::Mentor),
        "MENTEE" => Some(store::Role::Mentee),
        _ => None,
    }
}

/// A new refresh token: what the client gets, and what the database keeps.
pub fn new_refresh_token() -> (String, String) {
    let bytes: [u8; 32] = rand::random();
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let digest = refresh_token_digest(&token);
    (token, digest)
}

/// The stored form of a refresh token: hex SHA-256.
pub fn refresh_token_digest(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// A fresh random signing secret, base64url encoded.
pub fn generate_secret() -> String {
    let bytes: [u8; SECRET_BYTES] = rand::random();
    URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> TokenKeys {
        match TokenKeys::new(&[7u8; 32], 900) {
            Ok(k) => k,
            Err(e) => panic!("{e:?}"),
        }
    }

    fn subject() -> TokenSubject {
        TokenSubject {
            user_id: Uuid::now_v7(),
            role: store::Role::Mentee,
            session_id: Uuid::now_v7(),
            issued_at: 0,
        }
    }

    fn now() -> u64 {
        chrono::Utc::now().timestamp().unsigned_abs()
    }

    #[test]
    fn an_issued_token_verifies_to_its_subject() {
        let keys = keys();
        let who = subject();
        let at = now();
        let token = keys.issue_access(who, at).ok().unwrap_or_default();
        assert_eq!(
            keys.verify_access(&token, at).ok(),
            Some(TokenSubject {
                issued_at: at,
                ..who
            })
        );
    }

    #[test]
    fn an_expired_token_is_rejected() {
        let keys = keys();
        let token = keys
            .issue_access(subject(), now() - 2000)
            .ok()
            .unwrap_or_default();
        assert!(matches!(
            keys.verify_access(&token, now()),
            Err(ApiError::Unauthenticated)
        ));
    }

    #[test]
    fn a_token_signed_with_another_key_is_rejected() {
        let other = match TokenKeys::new(&[8u8; 32], 900) {
            Ok(k) => k,
            Err(e) => panic!("{e:?}"),
        };
        let token = other
            .issue_access(subject(), now())
            .ok()
            .unwrap_or_default();
        assert!(matches!(
            keys().verify_access(&token, now()),
            Err(ApiError::Unauthenticated)
        ));
    }

    #[test]
    fn an_unsigned_token_is_rejected() {
        let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
        let t = now();
        let body = URL_SAFE_NO_PAD.encode(format!(
            r#"{{"sub":"{}","sid":"{}","role":"MENTOR","typ":"access","iss":"qualify","aud":"qualify-api","iat":{t},"exp":{}}}"#,
            Uuid::now_v7(),
            Uuid::now_v7(),
            t + 100
        ));
        let token = format!("{header}.{body}.");
        assert!(matches!(
            keys().verify_access(&token, t),
            Err(ApiError::Unauthenticated)
        ));
    }

    #[test]
    fn a_token_older_than_the_ttl_is_rejected_whatever_its_exp() {
        let keys = keys();
        let long = match TokenKeys::new(&[7u8; 32], 1_000_000) {
            Ok(k) => k,
            Err(e) => panic!("{e:?}"),
        };
        // Signed with the same secret, issued 1000 s ago with an `exp` far ahead.
        let token = long
            .issue_access(subject(), now() - 1000)
            .ok()
            .unwrap_or_default();
        assert!(long.verify_access(&token, now()).is_ok());
        assert!(matches!(
            keys.verify_access(&token, now()),
            Err(ApiError::Unauthenticated)
        ));
    }

    #[test]
    fn a_short_secret_is_refused() {
        assert!(TokenKeys::new(&[1u8; 16], 900).is_err());
    }

    #[test]
    fn refresh_token_digests_are_stable_and_distinct() {
        let (token, digest) = new_refresh_token();
        assert_eq!(refresh_token_digest(&token), digest);
        assert_eq!(digest.len(), 64);
        let (other, _) = new_refresh_token();
        assert_ne!(token, other);
    }
}
