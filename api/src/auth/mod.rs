//! Authentication: password hashing and tokens.

pub mod password;
pub mod tokens;

pub use password::Hasher;
pub use tokens::{TokenKeys, TokenSubject};
