//! Fresh, migrated databases per test.

use portico_auth::RedisHandle;
use portico_data::{Database, DatabaseOptions};
use sqlx::{Connection, PgConnection};

/// Which engine a test database runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestBackend {
    Sqlite,
    Postgres,
}

fn required() -> bool {
    std::env::var("PORTICO_TEST_REQUIRE_SERVICES").is_ok_and(|v| v == "1" || v == "true")
}

/// Skips (returns) when a service is missing, or fails when services are required.
pub fn skip_or_fail(what: &str) {
    assert!(
        !required(),
        "{what} is required (PORTICO_TEST_REQUIRE_SERVICES=1) but not configured or not reachable"
    );
    eprintln!("skipping: {what} not configured");
}

/// A migrated database that is removed when the test ends.
pub struct TestDb {
    pub db: Database,
    pub backend: TestBackend,
    /// The owner's URL of this very database (for raw-SQL tests).
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    drop_pg: Option<(String, String)>,
}

impl TestDb {
    /// A new SQLite file in a temporary directory.
    pub async fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("portico.db").display());
        let db = Database::connect(&DatabaseOptions::new(url.clone()))
            .await
            .expect("sqlite connects");
        db.migrate().await.expect("sqlite migrates");
        Self {
            db,
            backend: TestBackend::Sqlite,
            url,
            _dir: Some(dir),
            drop_pg: None,
        }
    }

    /// Another handle (its own pool) on this very database, which it leaves in
    /// place when dropped.
    pub async fn attach(&self) -> Self {
        self.attach_pool(4, None).await
    }

    /// Like [`TestDb::attach`], with a pool of `max_connections` that waits
    /// `acquire_timeout` for a free one (a tiny pool to exhaust).
    pub async fn attach_pool(
        &self,
        max_connections: u32,
        acquire_timeout: Option<std::time::Duration>,
    ) -> Self {
        self.attach_with(|options| {
            options.max_connections = max_connections;
            options.acquire_timeout = acquire_timeout;
        })
        .await
    }

    /// Like [`TestDb::attach`], with the options `set` chooses.
    pub async fn attach_with(&self, set: impl FnOnce(&mut DatabaseOptions)) -> Self {
        let mut options = DatabaseOptions::new(self.url.clone());
        options.max_connections = 4;
        set(&mut options);
        let db = Database::connect(&options).await.expect("a second pool");
        Self {
            db,
            backend: self.backend,
            url: self.url.clone(),
            _dir: None,
            drop_pg: None,
        }
    }

    /// A new PostgreSQL database, or `None` (skip) when PostgreSQL is not configured.
    pub async fn postgres() -> Option<Self> {
        let Ok(admin_url) = std::env::var("PORTICO_TEST_DATABASE_URL") else {
            skip_or_fail("PostgreSQL (PORTICO_TEST_DATABASE_URL)");
            return None;
        };
        let name = format!("portico_t_{}", uuid::Uuid::now_v7().simple());
        let mut admin = match PgConnection::connect(&admin_url).await {
            Ok(conn) => conn,
            Err(error) => {
                skip_or_fail(&format!(
                    "PostgreSQL at PORTICO_TEST_DATABASE_URL ({error})"
                ));
                return None;
            }
        };
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut admin)
            .await
            .expect("create test database");
        let _ = admin.close().await;
        let mut url = url::Url::parse(&admin_url).expect("PORTICO_TEST_DATABASE_URL is a URL");
        url.set_path(&format!("/{name}"));
        let url = url.to_string();
        let mut options = DatabaseOptions::new(url.clone());
        options.max_connections = 4;
        let db = Database::connect(&options)
            .await
            .expect("postgres connects");
        db.migrate().await.expect("postgres migrates");
        Some(Self {
            db,
            backend: TestBackend::Postgres,
            url,
            _dir: None,
            drop_pg: Some((admin_url, name)),
        })
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some((admin_url, name)) = self.drop_pg.take() else {
            return;
        };
        // Drop runs inside the test's runtime: do the async cleanup on a thread of
        // its own. FORCE ends the pool's connections, which belong to the test's runtime.
        let _ = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async move {
                if let Ok(mut admin) = PgConnection::connect(&admin_url).await {
                    let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                    let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                        .execute(&mut admin)
                        .await;
                    let _ = admin.close().await;
                }
            });
        })
        .join();
    }
}

/// Redis under a fresh key prefix, or `None` (skip) when not configured.
pub async fn test_redis() -> Option<RedisHandle> {
    let Ok(url) = std::env::var("PORTICO_TEST_REDIS_URL") else {
        skip_or_fail("Redis (PORTICO_TEST_REDIS_URL)");
        return None;
    };
    let prefix = format!("portico-test-{}", uuid::Uuid::now_v7().simple());
    match RedisHandle::connect(&url, &prefix).await {
        Ok(handle) => Some(handle),
        Err(error) => {
            skip_or_fail(&format!("Redis at PORTICO_TEST_REDIS_URL ({error})"));
            None
        }
    }
}
