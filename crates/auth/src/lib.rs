//! Authentication building blocks: argon2id passwords, sign-in throttling with
//! temporary lockout, random tokens, and the shared Redis handle (with its
//! timeouts and circuit breaker).

mod circuit;
mod password;
mod redis_handle;
mod throttle;
mod token;

pub use password::{
    PasswordError, PasswordRule, check_new_password, hash_password, verify_password,
};
pub use redis_handle::{RedisFailure, RedisHandle, RedisOptions};
pub use throttle::{Locked, SignInThrottle, ThrottleError};
pub use token::{hash_token, random_token, temporary_password};
