//! Test harness: a fresh database per test on SQLite and (when configured)
//! PostgreSQL, Redis under a per-test key prefix, and the in-process app driven
//! through poem's `TestClient` with a small cookie jar.
//!
//! PostgreSQL and Redis come from `PORTICO_TEST_DATABASE_URL` (an owner URL; each
//! test creates and drops its own database) and `PORTICO_TEST_REDIS_URL`. With
//! `PORTICO_TEST_REQUIRE_SERVICES=1` a missing service fails the test instead of
//! skipping it. Mail tests send to a real SMTP server, [`SmtpSink`] (Python's
//! aiosmtpd from `PORTICO_TEST_SMTP_PYTHON`, default `<repo>/.venv/bin/python`).
//! Tests that take Redis away run their own [`RedisServer`].

pub mod admin_forms;
mod app;
pub mod builders;
pub mod chrome;
mod db;
pub mod outbox;
pub mod password_forms;
pub mod pdf;
pub mod raw_http;
mod redis_server;
mod smtp;

pub use app::{Browser, FilePart, PASSWORD, Page, ServedApp, TestApp, csrf_in};
pub use db::{TestBackend, TestDb, skip_or_fail, test_redis};
pub use redis_server::RedisServer;
pub use smtp::{Received, SmtpSink, free_port, sink_python};

/// Sends the app's logs through libtest's capture, so a test's lines show
/// only when it fails. The suite is one binary and a subscriber is
/// process-wide: the first call installs it, before a command line run in a
/// test (`portico::cli::run`) could install one that prints for every test.
pub fn capture_logs() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let filter = tracing_subscriber::EnvFilter::try_from_default_env()
            .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
        let _ = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_test_writer()
            .try_init();
    });
}

/// Runs each named `async fn(TestDb)` as two tests, `sqlite::<name>` and
/// `postgres::<name>`, so the output shows which backends ran.
#[macro_export]
macro_rules! backend_tests {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    $crate::capture_logs();
                    super::$name($crate::TestDb::sqlite().await).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    $crate::capture_logs();
                    if let Some(db) = $crate::TestDb::postgres().await {
                        super::$name(db).await;
                    }
                }
            )*
        }
    };
}
