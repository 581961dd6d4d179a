//! Connecting to the configured backend, migrating it, and opening transactions.

use std::{
    collections::HashMap,
    str::FromStr,
    sync::{Arc, Mutex},
    time::Duration,
};

use sqlx::{
    Executor, PgPool, SqlitePool,
    postgres::{PgConnectOptions, PgPoolOptions},
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::{
    DataError, OperatorTx, PlatformTx, Tenant, TenantId, TenantTx,
    exec::Conn,
    pg_tx::{CLIENT_CHECK_INTERVAL_MS, PgTx},
};

/// The role the application uses on PostgreSQL; created by the first migration,
/// it owns no table, so row-level security applies to it.
pub const APP_ROLE: &str = "portico_app";

/// The role of operator work on PostgreSQL (console and CLI): the application's
/// rights plus the tenant registry and the platform operators' table.
pub const OPERATOR_ROLE: &str = "portico_operator";

static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/postgres");
static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/sqlite");

/// Which database engine a [`Database`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Postgres,
    Sqlite,
}

/// How to reach the database.
#[derive(Debug, Clone)]
pub struct DatabaseOptions {
    /// `postgres://…` (the owner, used for migrations) or `sqlite://path`.
    pub url: String,
    /// PostgreSQL only: the application's connection, as a role that owns no table.
    /// Defaults to `url` with the user replaced by `portico_app`.
    pub app_url: Option<String>,
    /// PostgreSQL only: the connection of operator work (console, CLI).
    /// Defaults to `url` with the user replaced by `portico_operator`.
    pub operator_url: Option<String>,
    /// Upper bound on pooled connections.
    pub max_connections: u32,
    /// How long a transaction waits for a pooled connection before failing with
    /// [`DataError::Unavailable`]; `None`: 5 s on PostgreSQL, 30 s on SQLite.
    pub acquire_timeout: Option<Duration>,
    /// PostgreSQL only: the longest a statement of the application may run
    /// before the server cancels it ([`DataError::TimedOut`]); `None`: no bound.
    pub statement_timeout: Option<Duration>,
    /// How many transactions one tenant may hold open at once (its share of
    /// the pool); `None`: half the pool, and no more than this machine's CPU
    /// cores (see [`default_tenant_share`]). A tenant over its share waits up
    /// to `tenant_wait`, then gets [`DataError::TenantBusy`], while the other
    /// tenants keep the rest of the pool.
    pub tenant_share: Option<u32>,
    pub tenant_wait: Duration,
}

impl DatabaseOptions {
    /// Options for a URL with the default pool size.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            app_url: None,
            operator_url: None,
            max_connections: 16,
            acquire_timeout: None,
            statement_timeout: None,
            tenant_share: None,
            tenant_wait: Duration::from_secs(2),
        }
    }
}

/// A handle on the database: cheap to clone, shared by every request.
#[derive(Clone)]
pub struct Database {
    pool: Pool,
    /// Each tenant's turns at the pool.
    shares: TenantShares,
    /// Announces, after each commit, a tenant's new policy version.
    policy_changes: PolicyChanges,
}

/// Where committed policy versions are announced (in this process): a channel
/// for listeners, and the latest version per tenant, set before `commit`
/// returns so that the very next request of this process sees it.
#[derive(Clone)]
pub(crate) struct PolicyChanges {
    pub sender: tokio::sync::broadcast::Sender<(TenantId, i64)>,
    pub latest: std::sync::Arc<std::sync::RwLock<std::collections::HashMap<TenantId, i64>>>,
}

impl PolicyChanges {
    fn new() -> Self {
        Self {
            sender: tokio::sync::broadcast::channel(1024).0,
            latest: Default::default(),
        }
    }

    /// Records a committed version and tells the listeners.
    pub(crate) fn committed(&self, tenant: TenantId, version: i64) {
        if let Ok(mut latest) = self.latest.write() {
            let entry = latest.entry(tenant).or_insert(version);
            *entry = (*entry).max(version);
        }
        // No listener (no portal running) is fine.
        let _ = self.sender.send((tenant, version));
    }
}

/// The per-tenant bound on open transactions: a semaphore per tenant, made
/// on first use.
#[derive(Clone)]
struct TenantShares {
    share: usize,
    wait: Duration,
    turns: Arc<Mutex<HashMap<TenantId, Arc<Semaphore>>>>,
}

/// A tenant's share of a pool of `pool_size` when none is configured: half
/// the pool, and no more statements at once than half this machine's CPU
/// cores (at least one). Connections are not the only thing a company can
/// take: heavy statements on every core take the CPU from every other
/// company's statements (`portico-bench fairness`, on two cores: a burst
/// holding 8 connections multiplied another company's p99 by 7–9, one holding
/// 2 by 2.2–5, one holding 1 by 1.5–2.3; see docs/benchmarks/fairness.md).
/// With PostgreSQL on the same machine these are its cores; with a database
/// elsewhere, set the share to about half of its cores.
pub fn default_tenant_share(pool_size: u32) -> u32 {
    let cores = std::thread::available_parallelism()
        .map_or(1, |n| u32::try_from(n.get()).unwrap_or(u32::MAX));
    (pool_size / 2).min(cores / 2).max(1)
}

impl TenantShares {
    fn new(options: &DatabaseOptions, pool_size: u32) -> Self {
        let share = options
            .tenant_share
            .unwrap_or_else(|| default_tenant_share(pool_size))
            .max(1);
        Self {
            share: usize::try_from(share).unwrap_or(1),
            wait: options.tenant_wait,
            turns: Default::default(),
        }
    }

    /// A turn for `tenant`, waiting up to the configured time.
    async fn take(&self, tenant: TenantId) -> Result<OwnedSemaphorePermit, DataError> {
        let semaphore = {
            let mut turns = self.turns.lock().unwrap_or_else(|p| p.into_inner());
            Arc::clone(
                turns
                    .entry(tenant)
                    .or_insert_with(|| Arc::new(Semaphore::new(self.share))),
            )
        };
        match tokio::time::timeout(self.wait, semaphore.acquire_owned()).await {
            Ok(Ok(turn)) => Ok(turn),
            _ => Err(DataError::TenantBusy),
        }
    }
}

#[derive(Clone)]
enum Pool {
    Postgres {
        app: PgPool,
        operator: PgPool,
        owner: Box<PgConnectOptions>,
    },
    Sqlite(SqlitePool),
}

impl Database {
    /// Prepares pools for the configured backend. PostgreSQL connections are
    /// opened lazily (the application role may not exist before the first
    /// migration); call [`Database::ping`] to fail fast.
    pub async fn connect(options: &DatabaseOptions) -> Result<Self, DataError> {
        let url = options.url.as_str();
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let owner =
                PgConnectOptions::from_str(url).map_err(|e| DataError::Config(e.to_string()))?;
            let role_pool = |role_url: &Option<String>, role: &str, size: u32| {
                let role_url = match role_url {
                    Some(role_url) => role_url.clone(),
                    None => derive_role_url(url, role)?,
                };
                let mut role_options = PgConnectOptions::from_str(&role_url)
                    .map_err(|e| DataError::Config(e.to_string()))?;
                if let Some(limit) = options.statement_timeout {
                    let millis = limit.as_millis().max(1).to_string();
                    role_options = role_options.options([("statement_timeout", millis.as_str())]);
                }
                Ok::<_, DataError>(
                    PgPoolOptions::new()
                        .max_connections(size)
                        .acquire_timeout(options.acquire_timeout.unwrap_or(Duration::from_secs(5)))
                        .after_connect(|conn, _| {
                            Box::pin(async move {
                                // PostgreSQL 14 and later: a server process checks
                                // that our end of a connection is open while it runs
                                // a statement, so a connection we close (a dropped
                                // transaction whose cancel could not be sent) stops
                                // its statement.
                                if conn.server_version_num().is_some_and(|v| v >= 140_000) {
                                    let set = format!(
                                        "SET client_connection_check_interval = {CLIENT_CHECK_INTERVAL_MS}"
                                    );
                                    conn.execute(sqlx::AssertSqlSafe(set)).await?;
                                }
                                Ok(())
                            })
                        })
                        .connect_lazy_with(role_options),
                )
            };
            let app = role_pool(&options.app_url, APP_ROLE, options.max_connections)?;
            // Operator work is a few people at a console: a small pool.
            let operator = role_pool(&options.operator_url, OPERATOR_ROLE, 2)?;
            Ok(Self {
                pool: Pool::Postgres {
                    app,
                    operator,
                    owner: Box::new(owner),
                },
                shares: TenantShares::new(options, options.max_connections),
                policy_changes: PolicyChanges::new(),
            })
        } else if url.starts_with("sqlite:") {
            let sqlite = SqliteConnectOptions::from_str(url)
                .map_err(|e| DataError::Config(e.to_string()))?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true);
            let pool_size = options.max_connections.clamp(1, 8);
            let pool = SqlitePoolOptions::new()
                .max_connections(pool_size)
                .acquire_timeout(options.acquire_timeout.unwrap_or(Duration::from_secs(30)))
                .connect_with(sqlite)
                .await?;
            Ok(Self {
                pool: Pool::Sqlite(pool),
                shares: TenantShares::new(options, pool_size),
                policy_changes: PolicyChanges::new(),
            })
        } else {
            Err(DataError::Config(
                "the database URL must start with postgres://, postgresql:// or sqlite:".into(),
            ))
        }
    }

    /// Every tenant policy version committed through this handle from now on
    /// (each transaction that bumped it announces it after its commit).
    pub fn policy_changes(&self) -> tokio::sync::broadcast::Receiver<(TenantId, i64)> {
        self.policy_changes.sender.subscribe()
    }

    /// The newest policy version of a tenant committed through this handle.
    pub fn committed_policy_version(&self, tenant: TenantId) -> Option<i64> {
        self.policy_changes
            .latest
            .read()
            .ok()?
            .get(&tenant)
            .copied()
    }

    /// The engine behind this handle.
    pub fn backend(&self) -> Backend {
        match self.pool {
            Pool::Postgres { .. } => Backend::Postgres,
            Pool::Sqlite(_) => Backend::Sqlite,
        }
    }

    /// Applies pending migrations (as the owner on PostgreSQL).
    pub async fn migrate(&self) -> Result<(), DataError> {
        match &self.pool {
            Pool::Postgres { owner, .. } => {
                let owner_pool = PgPoolOptions::new()
                    .max_connections(1)
                    .acquire_timeout(Duration::from_secs(5))
                    .connect_with(PgConnectOptions::clone(owner))
                    .await?;
                let result = POSTGRES_MIGRATIONS.run(&owner_pool).await;
                owner_pool.close().await;
                result?;
            }
            Pool::Sqlite(pool) => SQLITE_MIGRATIONS.run(pool).await?,
        }
        Ok(())
    }

    /// Checks that the database answers, as the application role.
    pub async fn ping(&self) -> Result<(), DataError> {
        match &self.pool {
            Pool::Postgres { app, .. } => {
                sqlx::query("SELECT 1").execute(app).await?;
            }
            Pool::Sqlite(pool) => {
                sqlx::query("SELECT 1").execute(pool).await?;
            }
        }
        Ok(())
    }

    /// Refuses (with [`DataError::Config`]) database roles that row-level
    /// security would not hold: a superuser, a role with `BYPASSRLS`, or one
    /// that owns tables (an owner is exempt from its tables' policies) — for the
    /// application's and the operators' connections — and an application role
    /// that can read the platform operators' table. Nothing to check on SQLite.
    pub async fn check_roles(&self) -> Result<(), DataError> {
        let Pool::Postgres { app, operator, .. } = &self.pool else {
            return Ok(());
        };
        check_role(
            app,
            "application",
            Some("platform_operators"),
            "DATABASE_APP_URL",
        )
        .await?;
        check_role(operator, "operators'", None, "DATABASE_OPERATOR_URL").await
    }

    /// Opens a transaction scoped to one tenant. On PostgreSQL the tenant is also
    /// set for row-level security, for this transaction only. It holds one of
    /// the tenant's turns at the pool until it ends.
    pub async fn tenant_tx(&self, tenant: &Tenant) -> Result<TenantTx, DataError> {
        let turn = self.shares.take(tenant.id()).await?;
        let conn = match &self.pool {
            Pool::Postgres { app, .. } => {
                Conn::Postgres(PgTx::begin(app, Some(tenant.id())).await?)
            }
            Pool::Sqlite(_) => self.begin(Role::App).await?,
        };
        Ok(TenantTx::new(
            conn,
            tenant.id(),
            self.policy_changes.clone(),
            Some(turn),
        ))
    }

    /// Opens a transaction for platform-level work across tenants (operator
    /// console and CLI). It reaches the tenant registry and operators, never
    /// tenant-owned rows: for those, call [`PlatformTx::into_tenant`].
    pub async fn platform_tx(&self) -> Result<PlatformTx, DataError> {
        Ok(PlatformTx::new(
            self.begin(Role::App).await?,
            self.policy_changes.clone(),
        ))
    }

    /// Opens a transaction for operator work (console and CLI): the registry's
    /// writes and the platform operators, as the operators' role.
    pub async fn operator_tx(&self) -> Result<OperatorTx, DataError> {
        Ok(OperatorTx::new(PlatformTx::new(
            self.begin(Role::Operator).await?,
            self.policy_changes.clone(),
        )))
    }

    async fn begin(&self, role: Role) -> Result<Conn, DataError> {
        Ok(match &self.pool {
            Pool::Postgres { app, operator, .. } => Conn::Postgres(match role {
                Role::App => PgTx::begin(app, None).await?,
                Role::Operator => PgTx::begin(operator, None).await?,
            }),
            // IMMEDIATE takes the write lock up front, so two writers queue on the
            // busy timeout instead of failing when a read upgrades to a write.
            Pool::Sqlite(pool) => Conn::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?),
        })
    }

    /// Runs a fixed introspection query returning `(text, text, bool)` rows.
    pub(crate) async fn raw_rows(
        &self,
        sql: &'static str,
    ) -> Result<Vec<(String, String, bool)>, DataError> {
        Ok(match &self.pool {
            Pool::Postgres { app, .. } => sqlx::query_as(sql).fetch_all(app).await?,
            Pool::Sqlite(pool) => sqlx::query_as(sql).fetch_all(pool).await?,
        })
    }

    /// Closes every pooled connection.
    pub async fn close(&self) {
        match &self.pool {
            Pool::Postgres { app, operator, .. } => {
                app.close().await;
                operator.close().await;
            }
            Pool::Sqlite(pool) => pool.close().await,
        }
    }
}

/// Which pool a transaction comes from.
#[derive(Clone, Copy)]
enum Role {
    App,
    Operator,
}

/// Refuses a role that row-level security would not hold, or (`unreadable`)
/// that can read a table it must not.
async fn check_role(
    pool: &PgPool,
    whose: &str,
    unreadable: Option<&str>,
    setting: &str,
) -> Result<(), DataError> {
    let (role, superuser, bypass, owned, reads): (String, bool, bool, i64, bool) = sqlx::query_as(
        "SELECT r.rolname::text, r.rolsuper, r.rolbypassrls, \
                    (SELECT count(*) FROM pg_tables t WHERE t.tableowner = r.rolname), \
                    coalesce(has_table_privilege(current_user, $1, 'SELECT'), false) \
               FROM pg_roles r WHERE r.rolname = current_user",
    )
    .bind(unreadable.unwrap_or("pg_catalog.pg_class"))
    .fetch_one(pool)
    .await?;
    let mut problems = Vec::new();
    if superuser {
        problems.push("is a superuser".to_owned());
    }
    if bypass {
        problems.push("has BYPASSRLS".to_owned());
    }
    if owned > 0 {
        problems.push(format!("owns {owned} tables"));
    }
    if let (Some(table), true) = (unreadable, reads) {
        problems.push(format!("can read {table}"));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(DataError::Config(format!(
            "the {whose} database role {role} {}: it must not bypass row-level security, \
             own tables or read what it does not need; connect as the migrated role (see {setting})",
            problems.join(", ")
        )))
    }
}

/// The owner URL with the user replaced by `role` and no password.
fn derive_role_url(owner_url: &str, role: &str) -> Result<String, DataError> {
    let mut url = url::Url::parse(owner_url).map_err(|e| DataError::Config(e.to_string()))?;
    url.set_username(role)
        .and_then(|()| url.set_password(None))
        .map_err(|()| DataError::Config("the PostgreSQL URL has no host".into()))?;
    Ok(url.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_application_url_swaps_the_user_for_the_application_role() {
        let derived = derive_role_url(
            "postgres://postgres:secret@127.0.0.1:5432/portico",
            APP_ROLE,
        )
        .unwrap();
        assert_eq!(derived, "postgres://portico_app@127.0.0.1:5432/portico");
    }
}
