//! Introspection of the migrated schema, so tests can prove both backends agree.

use crate::{DataError, Database, database::Backend};

/// One table with its columns as `(name, nullable)`, sorted by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaColumns {
    pub table: String,
    pub columns: Vec<(String, bool)>,
}

/// The application tables of the database (migration bookkeeping excluded),
/// sorted by table name.
pub async fn describe_schema(db: &Database) -> Result<Vec<SchemaColumns>, DataError> {
    let rows: Vec<(String, String, bool)> = match db.backend() {
        Backend::Postgres => {
            // The catalogue, not information_schema: that lists only the
            // tables the application's role has rights on.
            let sql = "SELECT c.relname::text, a.attname::text, NOT a.attnotnull \
                       FROM pg_class c \
                       JOIN pg_namespace n ON n.oid = c.relnamespace \
                       JOIN pg_attribute a ON a.attrelid = c.oid \
                       WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') \
                         AND a.attnum > 0 AND NOT a.attisdropped \
                         AND c.relname <> '_sqlx_migrations' \
                       ORDER BY c.relname::text, a.attname::text";
            db.raw_rows(sql).await?
        }
        Backend::Sqlite => {
            let sql = "SELECT m.name, p.name, p.\"notnull\" = 0 AND p.pk = 0 \
                       FROM sqlite_master m JOIN pragma_table_info(m.name) p \
                       WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' \
                         AND m.name <> '_sqlx_migrations' \
                       ORDER BY m.name, p.name";
            db.raw_rows(sql).await?
        }
    };
    let mut tables: Vec<SchemaColumns> = Vec::new();
    for (table, column, nullable) in rows {
        match tables.last_mut() {
            Some(last) if last.table == table => last.columns.push((column, nullable)),
            _ => tables.push(SchemaColumns {
                table,
                columns: vec![(column, nullable)],
            }),
        }
    }
    Ok(tables)
}
