//! Sign-in throttling: a fixed window of failed attempts per key, after which the
//! key is locked until the window ends. In-process by default, Redis when configured.
//! When Redis is down the throttle fails (it never answers "not locked" without
//! knowing), so callers refuse the sign-in rather than allow unthrottled guessing.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use crate::{RedisFailure, RedisHandle, hash_token};

/// The key is locked; try again after this long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Locked {
    pub retry_after: Duration,
}

/// The throttle's store failed (Redis unreachable): the attempt cannot be
/// counted, so it must be refused.
#[derive(Debug, thiserror::Error)]
#[error("sign-in throttle store failed")]
pub struct ThrottleError(#[from] pub RedisFailure);

#[derive(Clone)]
enum Store {
    Memory(Arc<Mutex<HashMap<String, (u32, Instant)>>>),
    Redis(RedisHandle),
}

/// Counts failed sign-ins per key (an account, an address) in a fixed window.
#[derive(Clone)]
pub struct SignInThrottle {
    store: Store,
    max_failures: u32,
    window: Duration,
}

impl SignInThrottle {
    /// An in-process throttle.
    pub fn in_memory(max_failures: u32, window: Duration) -> Self {
        Self {
            store: Store::Memory(Arc::default()),
            max_failures,
            window,
        }
    }

    /// A throttle shared by every instance through Redis.
    pub fn redis(handle: RedisHandle, max_failures: u32, window: Duration) -> Self {
        Self {
            store: Store::Redis(handle),
            max_failures,
            window,
        }
    }

    /// `Err(Locked)` when the key has used up its failures in the current window.
    pub async fn check(&self, key: &str) -> Result<Result<(), Locked>, ThrottleError> {
        let (failures, remaining) = self.current(key).await?;
        Ok(if failures >= self.max_failures {
            Err(Locked {
                retry_after: remaining,
            })
        } else {
            Ok(())
        })
    }

    /// Counts one failure; returns the failures so far in this window.
    pub async fn record_failure(&self, key: &str) -> Result<u32, ThrottleError> {
        match &self.store {
            Store::Memory(map) => {
                let mut map = map.lock().unwrap_or_else(|e| e.into_inner());
                let now = Instant::now();
                map.retain(|_, (_, started)| now.duration_since(*started) < self.window);
                let entry = map.entry(key.to_owned()).or_insert((0, now));
                entry.0 += 1;
                Ok(entry.0)
            }
            Store::Redis(handle) => {
                let key = self.redis_key(handle, key);
                let (count,): (u32,) = handle
                    .query_pipe(
                        redis::pipe()
                            .atomic()
                            .incr(&key, 1)
                            .cmd("EXPIRE")
                            .arg(&key)
                            .arg(self.window.as_secs().max(1))
                            .arg("NX")
                            .ignore(),
                    )
                    .await?;
                Ok(count)
            }
        }
    }

    /// Forgets the key's failures (after a successful sign-in).
    pub async fn clear(&self, key: &str) -> Result<(), ThrottleError> {
        match &self.store {
            Store::Memory(map) => {
                map.lock().unwrap_or_else(|e| e.into_inner()).remove(key);
            }
            Store::Redis(handle) => {
                let key = self.redis_key(handle, key);
                handle.query::<()>(redis::cmd("DEL").arg(&key)).await?;
            }
        }
        Ok(())
    }

    async fn current(&self, key: &str) -> Result<(u32, Duration), ThrottleError> {
        match &self.store {
            Store::Memory(map) => {
                let map = map.lock().unwrap_or_else(|e| e.into_inner());
                Ok(match map.get(key) {
                    Some((count, started)) if started.elapsed() < self.window => {
                        (*count, self.window - started.elapsed())
                    }
                    _ => (0, Duration::ZERO),
                })
            }
            Store::Redis(handle) => {
                let key = self.redis_key(handle, key);
                let (count, ttl): (Option<u32>, i64) =
                    handle.query_pipe(redis::pipe().get(&key).ttl(&key)).await?;
                Ok((
                    count.unwrap_or(0),
                    Duration::from_secs(ttl.max(0).unsigned_abs()),
                ))
            }
        }
    }

    /// Keys hold emails: store them hashed so Redis never holds addresses.
    fn redis_key(&self, handle: &RedisHandle, key: &str) -> String {
        handle.key("signin", &hash_token(key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_key_is_locked_after_too_many_failures_and_cleared_by_success() {
        let throttle = SignInThrottle::in_memory(3, Duration::from_secs(60));
        for _ in 0..3 {
            assert!(
                throttle
                    .check("acme:ana@example.com")
                    .await
                    .unwrap()
                    .is_ok()
            );
            throttle
                .record_failure("acme:ana@example.com")
                .await
                .unwrap();
        }
        let locked = throttle
            .check("acme:ana@example.com")
            .await
            .unwrap()
            .unwrap_err();
        assert!(locked.retry_after > Duration::from_secs(50));
        assert!(
            throttle
                .check("acme:other@example.com")
                .await
                .unwrap()
                .is_ok()
        );
        throttle.clear("acme:ana@example.com").await.unwrap();
        assert!(
            throttle
                .check("acme:ana@example.com")
                .await
                .unwrap()
                .is_ok()
        );
    }
}
