//! Running sea-query statements on whichever backend a transaction holds.

use sea_query::{PostgresQueryBuilder, SqliteQueryBuilder, Value};
use sea_query_sqlx::{SqlxBinder, SqlxValues};
use sqlx::{AssertSqlSafe, FromRow, Sqlite, Transaction, postgres::PgRow, sqlite::SqliteRow};
use tokio::sync::OwnedSemaphorePermit;

use crate::{DataError, TenantId, pg_tx::PgTx};

/// A row type that decodes from both backends.
pub(crate) trait Row:
    for<'r> FromRow<'r, PgRow> + for<'r> FromRow<'r, SqliteRow> + Send + Unpin
{
}
impl<T> Row for T where T: for<'r> FromRow<'r, PgRow> + for<'r> FromRow<'r, SqliteRow> + Send + Unpin
{}

/// Whether a JSON value holds a NUL character in a string or key.
fn json_has_nul(value: &serde_json::Value) -> bool {
    match value {
        serde_json::Value::String(s) => s.contains('\0'),
        serde_json::Value::Array(items) => items.iter().any(json_has_nul),
        serde_json::Value::Object(map) => {
            map.iter().any(|(k, v)| k.contains('\0') || json_has_nul(v))
        }
        _ => false,
    }
}

/// Refuses a statement that would send a NUL character: PostgreSQL cannot
/// store one and SQLite would keep it, so input that slipped past the field
/// checks is refused alike on both backends instead of failing as a database
/// error.
fn refuse_nul(values: &SqlxValues) -> Result<(), DataError> {
    let nul = values.0.iter().any(|v| match v {
        Value::String(Some(s)) => s.contains('\0'),
        Value::Char(Some(c)) => *c == '\0',
        Value::Json(Some(json)) => json_has_nul(json),
        _ => false,
    });
    if nul {
        Err(DataError::ControlCharacter)
    } else {
        Ok(())
    }
}

/// An open transaction on one backend.
pub(crate) enum Conn {
    Postgres(PgTx),
    Sqlite(Transaction<'static, Sqlite>),
}

impl Conn {
    /// Sets the tenant for row-level security, for this transaction only.
    pub(crate) async fn set_tenant(&mut self, tenant: TenantId) -> Result<(), DataError> {
        if let Conn::Postgres(tx) = self {
            let set = sqlx::query("SELECT set_config('portico.tenant_id', $1, true)")
                .bind(tenant.to_string())
                .execute(tx.statement())
                .await;
            tx.settled();
            set?;
        }
        Ok(())
    }

    /// Gives a tenant's turn at the pool to the transaction's connection where
    /// the backend can stop a dropped statement: on PostgreSQL the turn comes
    /// back with the connection, after the cancel and the rollback, so a
    /// company whose clients leave mid-statement never holds more than its
    /// share. SQLite runs a statement to its end; the turn is handed back for
    /// the transaction to keep.
    pub(crate) fn hold_turn(
        &mut self,
        turn: Option<OwnedSemaphorePermit>,
    ) -> Option<OwnedSemaphorePermit> {
        match (self, turn) {
            (Conn::Postgres(tx), Some(turn)) => {
                tx.hold_turn(turn);
                None
            }
            (_, turn) => turn,
        }
    }

    pub(crate) async fn fetch_all<T: Row>(
        &mut self,
        stmt: &impl SqlxBinder,
    ) -> Result<Vec<T>, DataError> {
        Ok(match self {
            Conn::Postgres(tx) => {
                let (sql, values) = stmt.build_sqlx(PostgresQueryBuilder);
                refuse_nul(&values)?;
                let rows = sqlx::query_as_with::<_, T, _>(AssertSqlSafe(sql), values)
                    .fetch_all(tx.statement())
                    .await;
                tx.settled();
                rows?
            }
            Conn::Sqlite(tx) => {
                let (sql, values) = stmt.build_sqlx(SqliteQueryBuilder);
                refuse_nul(&values)?;
                sqlx::query_as_with::<_, T, _>(AssertSqlSafe(sql), values)
                    .fetch_all(&mut **tx)
                    .await?
            }
        })
    }

    /// One page of a portal list for `scope` (a statement of
    /// [`crate::RecordTable::portal_page`]). Read as one arm per branch
    /// ([`crate::listing::branch_arms`]), each arm an equality range of an
    /// index under a `LIMIT`, its best plan does not depend on the values:
    /// there PostgreSQL is told to use the prepared statement's generic plan,
    /// planned once per connection, where it would otherwise plan every
    /// execution afresh (it prices the generic plan, `LIMIT $n` unknown,
    /// several times dearer) and spend about 1.4 ms planning a 0.3 ms page
    /// (docs/benchmarks/portal.md). The setting is this statement's only: set
    /// local before it and reset after it. A scope read by one filtered
    /// statement keeps per-execution plans (its best plan depends on the
    /// account's size).
    pub(crate) async fn fetch_page<T: Row>(
        &mut self,
        stmt: &impl SqlxBinder,
        scope: &portico_authz::PortalScope,
    ) -> Result<Vec<T>, DataError> {
        let generic =
            matches!(self, Conn::Postgres(_)) && crate::listing::branch_arms(scope).is_some();
        if generic {
            self.setting("SELECT set_config('plan_cache_mode', 'force_generic_plan', true)")
                .await?;
        }
        let rows = self.fetch_all(stmt).await?;
        if generic {
            self.setting("RESET plan_cache_mode").await?;
        }
        Ok(rows)
    }

    /// Runs a fixed setting statement on PostgreSQL (`portico-bench portal`
    /// replays a `SELECT set_config(…)` before a page's statement to explain
    /// it as the app ran it).
    async fn setting(&mut self, sql: &'static str) -> Result<(), DataError> {
        if let Conn::Postgres(tx) = self {
            let done = sqlx::query(sql).execute(tx.statement()).await;
            tx.settled();
            done?;
        }
        Ok(())
    }

    pub(crate) async fn fetch_optional<T: Row>(
        &mut self,
        stmt: &impl SqlxBinder,
    ) -> Result<Option<T>, DataError> {
        Ok(match self {
            Conn::Postgres(tx) => {
                let (sql, values) = stmt.build_sqlx(PostgresQueryBuilder);
                refuse_nul(&values)?;
                let row = sqlx::query_as_with::<_, T, _>(AssertSqlSafe(sql), values)
                    .fetch_optional(tx.statement())
                    .await;
                tx.settled();
                row?
            }
            Conn::Sqlite(tx) => {
                let (sql, values) = stmt.build_sqlx(SqliteQueryBuilder);
                refuse_nul(&values)?;
                sqlx::query_as_with::<_, T, _>(AssertSqlSafe(sql), values)
                    .fetch_optional(&mut **tx)
                    .await?
            }
        })
    }

    /// Runs a write and returns the number of rows it touched.
    pub(crate) async fn execute(&mut self, stmt: &impl SqlxBinder) -> Result<u64, DataError> {
        Ok(match self {
            Conn::Postgres(tx) => {
                let (sql, values) = stmt.build_sqlx(PostgresQueryBuilder);
                refuse_nul(&values)?;
                let done = sqlx::query_with(AssertSqlSafe(sql), values)
                    .execute(tx.statement())
                    .await;
                tx.settled();
                done?.rows_affected()
            }
            Conn::Sqlite(tx) => {
                let (sql, values) = stmt.build_sqlx(SqliteQueryBuilder);
                refuse_nul(&values)?;
                sqlx::query_with(AssertSqlSafe(sql), values)
                    .execute(&mut **tx)
                    .await?
                    .rows_affected()
            }
        })
    }

    pub(crate) async fn commit(self) -> Result<(), DataError> {
        match self {
            Conn::Postgres(tx) => tx.commit().await?,
            Conn::Sqlite(tx) => tx.commit().await?,
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use sea_query::{Alias, Query};

    use super::*;

    fn values(value: impl Into<sea_query::Value>) -> SqlxValues {
        let insert = Query::insert()
            .into_table(Alias::new("t"))
            .columns([Alias::new("c")])
            .values_panic([sea_query::Expr::val(value.into())])
            .to_owned();
        insert.build_sqlx(PostgresQueryBuilder).1
    }

    #[test]
    fn a_nul_in_text_or_json_is_refused_before_it_reaches_the_database() {
        assert!(refuse_nul(&values("Ana")).is_ok());
        assert!(refuse_nul(&values("uno\r\n\tdos")).is_ok());
        assert!(matches!(
            refuse_nul(&values("An\0a")),
            Err(DataError::ControlCharacter)
        ));
        let json = serde_json::json!({ "errors": [{ "field": "x\u{0}" }] });
        assert!(matches!(
            refuse_nul(&values(json)),
            Err(DataError::ControlCharacter)
        ));
        assert!(refuse_nul(&values(serde_json::json!({ "a": ["b"] }))).is_ok());
    }
}
