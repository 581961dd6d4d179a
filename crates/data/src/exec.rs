//! Running sea-query statements on whichever backend a transaction holds.

use sea_query::{PostgresQueryBuilder, SqliteQueryBuilder};
use sea_query_sqlx::SqlxBinder;
use sqlx::{
    AssertSqlSafe, FromRow, Postgres, Sqlite, Transaction, postgres::PgRow, sqlite::SqliteRow,
};

use crate::{DataError, TenantId};

/// A row type that decodes from both backends.
pub(crate) trait Row:
    for<'r> FromRow<'r, PgRow> + for<'r> FromRow<'r, SqliteRow> + Send + Unpin
{
}
impl<T> Row for T where T: for<'r> FromRow<'r, PgRow> + for<'r> FromRow<'r, SqliteRow> + Send + Unpin
{}

/// An open transaction on one backend.
pub(crate) enum Conn {
    Postgres(Transaction<'static, Postgres>),
    Sqlite(Transaction<'static, Sqlite>),
}

impl Conn {
    /// Sets the tenant for row-level security, for this transaction only.
    pub(crate) async fn set_tenant(&mut self, tenant: TenantId) -> Result<(), DataError> {
        if let Conn::Postgres(tx) = self {
            sqlx::query("SELECT set_config('portico.tenant_id', $1, true)")
                .bind(tenant.to_string())
                .execute(&mut **tx)
                .await?;
        }
        Ok(())
    }

    pub(crate) async fn fetch_all<T: Row>(
        &mut self,
        stmt: &impl SqlxBinder,
    ) -> Result<Vec<T>, DataError> {
        Ok(match self {
            Conn::Postgres(tx) => {
                let (sql, values) = stmt.build_sqlx(PostgresQueryBuilder);
                sqlx::query_as_with::<_, T, _>(AssertSqlSafe(sql), values)
                    .fetch_all(&mut **tx)
                    .await?
            }
            Conn::Sqlite(tx) => {
                let (sql, values) = stmt.build_sqlx(SqliteQueryBuilder);
                sqlx::query_as_with::<_, T, _>(AssertSqlSafe(sql), values)
                    .fetch_all(&mut **tx)
                    .await?
            }
        })
    }

    pub(crate) async fn fetch_optional<T: Row>(
        &mut self,
        stmt: &impl SqlxBinder,
    ) -> Result<Option<T>, DataError> {
        Ok(match self {
            Conn::Postgres(tx) => {
                let (sql, values) = stmt.build_sqlx(PostgresQueryBuilder);
                sqlx::query_as_with::<_, T, _>(AssertSqlSafe(sql), values)
                    .fetch_optional(&mut **tx)
                    .await?
            }
            Conn::Sqlite(tx) => {
                let (sql, values) = stmt.build_sqlx(SqliteQueryBuilder);
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
                sqlx::query_with(AssertSqlSafe(sql), values)
                    .execute(&mut **tx)
                    .await?
                    .rows_affected()
            }
            Conn::Sqlite(tx) => {
                let (sql, values) = stmt.build_sqlx(SqliteQueryBuilder);
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
