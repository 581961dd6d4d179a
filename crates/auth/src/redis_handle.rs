//! The shared Redis connection with the key prefix every Portico key starts with,
//! and the one door every Redis call goes through: bounded by short timeouts and
//! behind a circuit breaker, so a Redis outage answers in milliseconds instead
//! of stalling each request on its own timeout.

use std::{future::Future, sync::Arc, time::Duration};

use redis::{
    FromRedisValue,
    aio::{ConnectionManager, ConnectionManagerConfig},
};

use crate::circuit::{Circuit, Open};

/// How Portico talks to Redis when it is slow or gone. The defaults are the
/// production values; they live here and nowhere else.
///
/// Redis answers a session read in well under a millisecond on a healthy
/// network, so a few hundred milliseconds already means "down" and the
/// request is better answered 503 than kept waiting.
#[derive(Debug, Clone, Copy)]
pub struct RedisOptions {
    /// One attempt to open a connection.
    pub connect_timeout: Duration,
    /// One command's answer on an open connection.
    pub response_timeout: Duration,
    /// Consecutive failed calls that open the circuit.
    pub failure_threshold: u32,
    /// How long an open circuit refuses calls before one probe goes through.
    pub cool_down: Duration,
}

impl Default for RedisOptions {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_millis(250),
            response_timeout: Duration::from_millis(500),
            failure_threshold: 3,
            cool_down: Duration::from_secs(2),
        }
    }
}

impl RedisOptions {
    /// The longest one call may take: a reconnection attempt, then the answer.
    pub fn call_deadline(&self) -> Duration {
        self.connect_timeout + self.response_timeout
    }
}

/// Why a Redis call did not give an answer.
#[derive(Debug, thiserror::Error)]
pub enum RedisFailure {
    /// Redis failed repeatedly just now; the call was not even tried.
    #[error("Redis is unavailable (circuit open)")]
    CircuitOpen { retry_after: Duration },
    /// No answer within the call's deadline.
    #[error("Redis did not answer within {0:?}")]
    TimedOut(Duration),
    /// Redis refused, dropped the connection, or answered with an error.
    #[error("Redis command failed")]
    Command(#[from] redis::RedisError),
}

impl RedisFailure {
    /// Whether this is Redis being unreachable (an outage), rather than a
    /// command Redis understood and rejected.
    pub fn is_outage(&self) -> bool {
        match self {
            RedisFailure::CircuitOpen { .. } | RedisFailure::TimedOut(_) => true,
            RedisFailure::Command(error) => is_outage(error),
        }
    }

    /// When a client should try again: the rest of the cool-down when the
    /// circuit is open, and never less than a second.
    pub fn retry_after(&self) -> Duration {
        let floor = Duration::from_secs(1);
        match self {
            RedisFailure::CircuitOpen { retry_after } => (*retry_after).max(floor),
            _ => floor,
        }
    }
}

/// Errors that say the server is unreachable, not that a command was wrong.
fn is_outage(error: &redis::RedisError) -> bool {
    error.is_io_error() || error.is_unrecoverable_error() || error.is_timeout()
}

/// A multiplexed, reconnecting Redis connection plus a key namespace, behind a
/// circuit breaker shared by every clone (clones are cheap).
#[derive(Clone)]
pub struct RedisHandle(Arc<Shared>);

struct Shared {
    client: redis::Client,
    conn: ConnectionManager,
    prefix: String,
    options: RedisOptions,
    circuit: Circuit,
}

impl RedisHandle {
    /// Connects with the default [`RedisOptions`] and namespaces keys under
    /// `prefix`. Fails (within the connect timeout) if Redis does not answer now.
    pub async fn connect(url: &str, prefix: &str) -> Result<Self, redis::RedisError> {
        Self::connect_with(url, prefix, RedisOptions::default()).await
    }

    /// Connects with the given timeouts and circuit settings.
    pub async fn connect_with(
        url: &str,
        prefix: &str,
        options: RedisOptions,
    ) -> Result<Self, redis::RedisError> {
        let client = redis::Client::open(url)?;
        // No retries inside the manager: a retried reconnection is exactly the
        // wait this handle exists to avoid. A failed call triggers a new
        // reconnection in the background; the circuit spaces them out.
        let config = ConnectionManagerConfig::new()
            .set_number_of_retries(0)
            .set_connection_timeout(options.connect_timeout)
            .set_response_timeout(options.response_timeout);
        let conn = ConnectionManager::new_with_config(client.clone(), config).await?;
        Ok(Self(Arc::new(Shared {
            client,
            conn,
            prefix: prefix.to_owned(),
            options,
            circuit: Circuit::new(options.failure_threshold, options.cool_down),
        })))
    }

    /// A key under this handle's namespace, e.g. `portico:session:…`.
    pub fn key(&self, kind: &str, rest: &str) -> String {
        format!("{}:{}:{}", self.0.prefix, kind, rest)
    }

    /// The namespace of this handle's keys.
    pub fn prefix(&self) -> &str {
        &self.0.prefix
    }

    /// The timeouts and circuit settings in force.
    pub fn options(&self) -> &RedisOptions {
        &self.0.options
    }

    /// Whether calls are refused at once right now (Redis failed just before).
    pub fn is_circuit_open(&self) -> bool {
        self.0.circuit.is_open()
    }

    /// Runs one command.
    pub async fn query<T: FromRedisValue>(&self, cmd: &redis::Cmd) -> Result<T, RedisFailure> {
        let mut conn = self.0.conn.clone();
        self.guarded(async move { cmd.query_async(&mut conn).await })
            .await
    }

    /// Runs a pipeline (or a `MULTI`/`EXEC` transaction when it is atomic).
    pub async fn query_pipe<T: FromRedisValue>(
        &self,
        pipe: &redis::Pipeline,
    ) -> Result<T, RedisFailure> {
        let mut conn = self.0.conn.clone();
        self.guarded(async move { pipe.query_async(&mut conn).await })
            .await
    }

    /// A dedicated connection for subscribing to channels.
    pub async fn pubsub(&self) -> Result<redis::aio::PubSub, RedisFailure> {
        let client = self.0.client.clone();
        self.guarded(async move { client.get_async_pubsub().await })
            .await
    }

    /// Publishes `message` on `channel` (a name made with [`RedisHandle::key`]).
    pub async fn publish(&self, channel: &str, message: &str) -> Result<(), RedisFailure> {
        self.query::<i64>(redis::cmd("PUBLISH").arg(channel).arg(message))
            .await
            .map(drop)
    }

    /// Checks that Redis answers.
    pub async fn ping(&self) -> Result<(), RedisFailure> {
        self.query::<String>(&redis::cmd("PING")).await.map(drop)
    }

    /// The door: refused at once while the circuit is open, otherwise run
    /// within [`RedisOptions::call_deadline`], the outcome told to the circuit.
    async fn guarded<T>(
        &self,
        call: impl Future<Output = redis::RedisResult<T>>,
    ) -> Result<T, RedisFailure> {
        let pass = self
            .0
            .circuit
            .admit()
            .map_err(|Open { retry_after }| RedisFailure::CircuitOpen { retry_after })?;
        let deadline = self.0.options.call_deadline();
        match tokio::time::timeout(deadline, call).await {
            Ok(Ok(value)) => {
                pass.succeeded();
                Ok(value)
            }
            Ok(Err(error)) => {
                if is_outage(&error) {
                    pass.failed();
                } else {
                    // Redis answered, with an error about the command itself.
                    pass.succeeded();
                }
                Err(RedisFailure::Command(error))
            }
            Err(_) => {
                pass.failed();
                Err(RedisFailure::TimedOut(deadline))
            }
        }
    }
}
