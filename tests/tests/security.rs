//! Probing and access: one rule for every text input, sign-up that tells nothing
//! about addresses, password checks that count as login failures, removed mentees,
//! e-mail visibility, and `Idempotency-Key` on mutations that return tokens.

mod emails;
mod idempotent_auth;
mod password_oracle;
mod removed_mentee;
mod sign_up;
mod text_rule;
