//! The shared Redis connection with the key prefix every Portico key starts with.

use redis::aio::ConnectionManager;

/// A multiplexed, reconnecting Redis connection plus a key namespace.
#[derive(Clone)]
pub struct RedisHandle {
    conn: ConnectionManager,
    prefix: String,
}

impl RedisHandle {
    /// Connects (failing if Redis does not answer) and namespaces keys under `prefix`.
    pub async fn connect(url: &str, prefix: &str) -> Result<Self, redis::RedisError> {
        let client = redis::Client::open(url)?;
        let conn = ConnectionManager::new(client).await?;
        Ok(Self {
            conn,
            prefix: prefix.to_owned(),
        })
    }

    /// A key under this handle's namespace, e.g. `portico:session:…`.
    pub fn key(&self, kind: &str, rest: &str) -> String {
        format!("{}:{}:{}", self.prefix, kind, rest)
    }

    /// A connection to issue commands on (cheap clone of the manager).
    pub fn conn(&self) -> ConnectionManager {
        self.conn.clone()
    }

    /// Checks that Redis answers.
    pub async fn ping(&self) -> Result<(), redis::RedisError> {
        redis::cmd("PING")
            .query_async::<String>(&mut self.conn())
            .await
            .map(drop)
    }
}
