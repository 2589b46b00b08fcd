//! Authentication: password hashing and tokens.

pub mod password;
pub mod throttle;
pub mod tokens;

pub use password::Hasher;
pub use throttle::LoginThrottle;
pub use tokens::{TokenKeys, TokenSubject};
