//! Authentication: password hashing, tokens, and who sent a request.

pub mod api_keys;
pub mod password;
pub mod session;
pub mod throttle;
pub mod tokens;

pub use api_keys::KeyRateLimit;
pub use password::Hasher;
pub use throttle::LoginThrottle;
pub use tokens::{TokenKeys, TokenSubject};
