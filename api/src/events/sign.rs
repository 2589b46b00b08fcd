//! Standard Webhooks 1.0 signatures: a secret is `whsec_` and the base64 of 32 random
//! bytes (the key); a signature is `v1,` and the base64 of HMAC-SHA256 of
//! `{webhook-id}.{webhook-timestamp}.{body}` under the key. During a rotation's overlap
//! both secrets sign, space-separated, so a receiver holding either accepts.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

/// The prefix of every secret.
pub const PREFIX: &str = "whsec_";

/// A new secret.
pub fn new_secret() -> String {
    let mut key = [0u8; 32];
    rand::rng().fill_bytes(&mut key);
    format!("{PREFIX}{}", STANDARD.encode(key))
}

/// The `webhook-signature` header's value: one `v1,` signature per secret, in order.
/// A secret that is not ours (not `whsec_` and base64) signs nothing.
pub fn signature(secrets: &[String], id: &str, timestamp: i64, body: &str) -> String {
    let mut out = Vec::with_capacity(secrets.len());
    for secret in secrets {
        let Some(key) = secret
            .strip_prefix(PREFIX)
            .and_then(|b64| STANDARD.decode(b64).ok())
        else {
            continue;
        };
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&key) else {
            continue;
        };
        mac.update(id.as_bytes());
        mac.update(b".");
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(body.as_bytes());
        out.push(format!(
            "v1,{}",
            STANDARD.encode(mac.finalize().into_bytes())
        ));
    }
    out.join(" ")
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn the_specifications_example_signs_as_published() {
        // The example of the Standard Webhooks specification (spec/standard-webhooks.md).
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".to_owned();
        let body = r#"{"test": 2432232314}"#;
        let sig = signature(&[secret], "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body);
        assert_eq!(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    #[test]
    fn both_secrets_sign_during_a_rotation_and_a_foreign_one_signs_nothing() {
        let (a, b) = (new_secret(), new_secret());
        assert!(a.starts_with(PREFIX) && a.len() == PREFIX.len() + 44);
        let both = signature(&[a.clone(), b.clone()], "evt_1", 1, "{}");
        let parts: Vec<&str> = both.split(' ').collect();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0], signature(&[a], "evt_1", 1, "{}"));
        assert_eq!(parts[1], signature(&[b], "evt_1", 1, "{}"));
        assert_eq!(signature(&["nope".to_owned()], "evt_1", 1, "{}"), "");
    }
}
