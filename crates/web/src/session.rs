//! Server-side sessions: in-process by default, in Redis (under hashed keys) when
//! configured; the cookie is HttpOnly, SameSite=Lax, Secure over HTTPS. With
//! Redis down, a request that carries a session cookie (or changes its session)
//! is answered 503 with `Retry-After` at once ([`RedisHandle`]'s circuit), never
//! treated as signed out.

use std::{collections::BTreeMap, time::Duration};

use poem::{
    Endpoint, EndpointExt,
    session::{CookieConfig, MemoryStorage, ServerSession, SessionStorage},
    web::cookie::SameSite,
};
use portico_auth::{RedisFailure, RedisHandle, hash_token};
use serde_json::Value;

use crate::{AppError, WebConfig};

/// Where session data lives.
pub enum SessionStore {
    Memory(MemoryStorage),
    Redis(RedisHandle),
}

impl SessionStore {
    /// Redis when a handle is given, otherwise this process's memory.
    pub fn new(redis: Option<RedisHandle>) -> Self {
        match redis {
            Some(handle) => SessionStore::Redis(handle),
            None => SessionStore::Memory(MemoryStorage::new()),
        }
    }

    fn key(handle: &RedisHandle, session_id: &str) -> String {
        handle.key("session", &hash_token(session_id))
    }
}

fn redis_error(failure: RedisFailure) -> poem::Error {
    AppError::from(failure).into()
}

impl SessionStorage for SessionStore {
    async fn load_session<'a>(
        &'a self,
        session_id: &'a str,
    ) -> poem::Result<Option<BTreeMap<String, Value>>> {
        match self {
            SessionStore::Memory(memory) => memory.load_session(session_id).await,
            SessionStore::Redis(handle) => {
                let data: Option<String> = handle
                    .query(redis::cmd("GET").arg(Self::key(handle, session_id)))
                    .await
                    .map_err(redis_error)?;
                Ok(data.and_then(|d| serde_json::from_str(&d).ok()))
            }
        }
    }

    async fn update_session<'a>(
        &'a self,
        session_id: &'a str,
        entries: &'a BTreeMap<String, Value>,
        expires: Option<Duration>,
    ) -> poem::Result<()> {
        match self {
            SessionStore::Memory(memory) => {
                memory.update_session(session_id, entries, expires).await
            }
            SessionStore::Redis(handle) => {
                let value =
                    serde_json::to_string(entries).map_err(poem::error::InternalServerError)?;
                let ttl = expires
                    .unwrap_or(Duration::from_secs(12 * 3600))
                    .as_secs()
                    .max(1);
                handle
                    .query::<()>(
                        redis::cmd("SET")
                            .arg(Self::key(handle, session_id))
                            .arg(value)
                            .arg("EX")
                            .arg(ttl),
                    )
                    .await
                    .map_err(redis_error)
            }
        }
    }

    async fn remove_session<'a>(&'a self, session_id: &'a str) -> poem::Result<()> {
        match self {
            SessionStore::Memory(memory) => memory.remove_session(session_id).await,
            SessionStore::Redis(handle) => handle
                .query::<()>(redis::cmd("DEL").arg(Self::key(handle, session_id)))
                .await
                .map_err(redis_error),
        }
    }
}

/// The session cookie's settings for this deployment.
pub fn cookie_config(config: &WebConfig) -> CookieConfig {
    let secure = config.secure_cookies();
    let name = if secure {
        "__Host-portico_session"
    } else {
        "portico_session"
    };
    CookieConfig::default()
        .name(name)
        .path("/")
        .secure(secure)
        .http_only(true)
        .same_site(SameSite::Lax)
        .max_age(config.session_ttl)
}

/// Wraps an app with server-side sessions.
pub fn with_sessions<E: Endpoint + 'static>(
    ep: E,
    config: &WebConfig,
    redis: Option<RedisHandle>,
) -> impl Endpoint + use<E> {
    ep.with(ServerSession::new(
        cookie_config(config),
        SessionStore::new(redis),
    ))
}
