//! The shared Redis connection with the key prefix every Portico key starts with.

use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};

/// A multiplexed, reconnecting Redis connection plus a key namespace.
#[derive(Clone)]
pub struct RedisHandle {
    client: redis::Client,
    conn: ConnectionManager,
    prefix: String,
}

impl RedisHandle {
    /// Connects (failing within seconds if Redis does not answer) and namespaces
    /// keys under `prefix`. Commands time out rather than hang on a stalled server.
    pub async fn connect(url: &str, prefix: &str) -> Result<Self, redis::RedisError> {
        let client = redis::Client::open(url)?;
        let config = ConnectionManagerConfig::new()
            .set_number_of_retries(3)
            .set_exponent_base(2)
            .set_factor(100)
            .set_max_delay(1_000)
            .set_connection_timeout(Duration::from_secs(2))
            .set_response_timeout(Duration::from_secs(2));
        let conn = ConnectionManager::new_with_config(client.clone(), config).await?;
        Ok(Self {
            client,
            conn,
            prefix: prefix.to_owned(),
        })
    }

    /// A key under this handle's namespace, e.g. `portico:session:…`.
    pub fn key(&self, kind: &str, rest: &str) -> String {
        format!("{}:{}:{}", self.prefix, kind, rest)
    }

    /// The namespace of this handle's keys.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// A connection to issue commands on (cheap clone of the manager).
    pub fn conn(&self) -> ConnectionManager {
        self.conn.clone()
    }

    /// A dedicated connection for subscribing to channels.
    pub async fn pubsub(&self) -> Result<redis::aio::PubSub, redis::RedisError> {
        self.client.get_async_pubsub().await
    }

    /// Publishes `message` on `channel` (a name made with [`RedisHandle::key`]).
    pub async fn publish(&self, channel: &str, message: &str) -> Result<(), redis::RedisError> {
        redis::cmd("PUBLISH")
            .arg(channel)
            .arg(message)
            .query_async::<i64>(&mut self.conn())
            .await
            .map(drop)
    }

    /// Checks that Redis answers.
    pub async fn ping(&self) -> Result<(), redis::RedisError> {
        redis::cmd("PING")
            .query_async::<String>(&mut self.conn())
            .await
            .map(drop)
    }
}
