//! Authentication: password hashing, tokens, and who sent a request.

pub mod password;
pub mod session;
pub mod throttle;
pub mod tokens;

pub use password::Hasher;
pub use throttle::LoginThrottle;
pub use tokens::{TokenKeys, TokenSubject};
