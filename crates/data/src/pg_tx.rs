//! A PostgreSQL transaction on a pooled connection that, dropped while one of
//! its statements runs (its request went away), has the server cancel that
//! statement before the connection can serve anyone else.

use sqlx::{AssertSqlSafe, PgConnection, PgPool, Postgres, Row, pool::PoolConnection};
use tokio::sync::OwnedSemaphorePermit;

use crate::{DataError, TenantId};

/// How often a server process running one of our statements checks that the
/// application's end of its connection is still open (PostgreSQL 14 and later):
/// a connection the application closed stops its statement within this time
/// instead of running to its end or to the statement timeout.
pub(crate) const CLIENT_CHECK_INTERVAL_MS: u32 = 1_000;

/// Reads the answers a dropped statement left on the connection (at most one
/// error per answer still due) on the way to a clean `ROLLBACK`.
const ROLLBACK_TRIES: usize = 4;

/// An open transaction on one pooled connection. Dropped without
/// [`PgTx::commit`], it is rolled back by a spawned task; if a statement was in
/// flight (the request's future was dropped mid-await), that task first asks
/// the server, from another connection of the pool, to cancel it. The
/// connection goes back to the pool only after that, so a cancel never reaches
/// a connection someone else has since been given.
pub(crate) struct PgTx {
    /// `Some` until [`PgTx::commit`] or the drop takes it.
    conn: Option<PoolConnection<Postgres>>,
    /// The server process behind the connection (`pg_backend_pid()`), read by
    /// the `BEGIN` round trip; `None` if that round trip did not finish.
    pid: Option<i32>,
    /// Where the cancel is sent from.
    pool: PgPool,
    /// A statement was sent and its answer not yet read in full.
    in_flight: bool,
    /// The tenant's turn at the pool, given back with the connection.
    turn: Option<OwnedSemaphorePermit>,
}

impl PgTx {
    /// Takes a connection and begins a transaction on it, set for `tenant`'s
    /// row-level security when given (for this transaction only). `BEGIN`, the
    /// tenant setting and the server process id travel in one round trip
    /// (simple-query protocol); the id is a UUID rendered by us, never user text.
    pub(crate) async fn begin(pool: &PgPool, tenant: Option<TenantId>) -> Result<Self, DataError> {
        let mut tx = Self {
            conn: Some(pool.acquire().await?),
            pid: None,
            pool: pool.clone(),
            in_flight: false,
            turn: None,
        };
        let sql = match tenant {
            Some(tenant) => format!(
                "BEGIN; SELECT pg_backend_pid(), set_config('portico.tenant_id', '{}', true)",
                tenant.as_uuid().hyphenated()
            ),
            None => "BEGIN; SELECT pg_backend_pid()".to_owned(),
        };
        let rows = sqlx::raw_sql(AssertSqlSafe(sql))
            .fetch_all(tx.statement())
            .await?;
        tx.settled();
        let pid = rows
            .first()
            .map(|row| row.try_get::<i32, _>(0))
            .transpose()?;
        tx.pid = pid;
        Ok(tx)
    }

    /// The connection, for one statement: marked in flight until
    /// [`PgTx::settled`] says its answer was read.
    pub(crate) fn statement(&mut self) -> &mut PgConnection {
        self.in_flight = true;
        self.conn
            .as_deref_mut()
            .expect("the connection is only taken by commit or drop, which end the transaction")
    }

    /// The last statement's answer was read (or it failed): nothing to cancel.
    pub(crate) fn settled(&mut self) {
        self.in_flight = false;
    }

    /// Keeps the tenant's turn at the pool until the connection is back in it.
    pub(crate) fn hold_turn(&mut self, turn: OwnedSemaphorePermit) {
        self.turn = Some(turn);
    }

    /// Commits. A commit is never cancelled: dropped before its answer, the
    /// transaction's end is read, not interrupted.
    pub(crate) async fn commit(mut self) -> Result<(), DataError> {
        let conn = self
            .conn
            .as_deref_mut()
            .expect("the connection is only taken by commit or drop, which end the transaction");
        sqlx::raw_sql(AssertSqlSafe("COMMIT")).execute(conn).await?;
        // Back to the pool as is (sqlx checks it on the way); the turn follows.
        self.conn.take();
        Ok(())
    }
}

impl Drop for PgTx {
    fn drop(&mut self) {
        let Some(conn) = self.conn.take() else {
            return;
        };
        let cancel = self.pid.filter(|_| self.in_flight);
        let turn = self.turn.take();
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                runtime.spawn(roll_back(conn, self.pool.clone(), cancel, turn));
            }
            // No runtime left to roll back on: the connection leaves the pool
            // and closes (a statement still running stops at the server's next
            // check of the connection).
            Err(_) => drop(conn.detach()),
        }
    }
}

/// Ends a dropped transaction: cancels its running statement (`cancel`: the
/// server process), reads what the connection still owes, rolls back, and only
/// then lets the connection, and the tenant's turn, go back to the pool. A
/// connection that cannot be brought back to a clean state is closed instead.
async fn roll_back(
    mut conn: PoolConnection<Postgres>,
    pool: PgPool,
    cancel: Option<i32>,
    turn: Option<OwnedSemaphorePermit>,
) {
    if let Some(pid) = cancel {
        // The same role may cancel its own server processes. A statement that
        // finished meanwhile is not hurt: an idle server process ignores it.
        let sent = sqlx::query("SELECT pg_cancel_backend($1)")
            .bind(pid)
            .execute(&pool)
            .await;
        if let Err(error) = sent {
            tracing::warn!(%error, pid, "could not cancel the statement of a dropped transaction");
            // Closing the connection stops the statement at the server's next
            // check of it (`client_connection_check_interval`).
            conn.close_on_drop();
            return;
        }
    }
    let mut clean = false;
    for _ in 0..ROLLBACK_TRIES {
        match sqlx::raw_sql(AssertSqlSafe("ROLLBACK"))
            .execute(&mut *conn)
            .await
        {
            Ok(_) => {
                clean = true;
                break;
            }
            // The answer of the dropped statement (its cancellation, say):
            // read, go on.
            Err(sqlx::Error::Database(_)) => continue,
            Err(error) => {
                tracing::warn!(%error, "could not roll back a dropped transaction");
                break;
            }
        }
    }
    if !clean {
        conn.close_on_drop();
    }
    drop(conn);
    drop(turn);
}
