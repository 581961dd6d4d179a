//! The data layer's error type, and how database failures map onto it: a unique-key
//! violation on either backend becomes [`DataError::Conflict`] naming its field, a
//! pool that hands out no connection in time becomes [`DataError::Unavailable`].

/// What went wrong talking to the database.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    /// A unique constraint rejected the write; the constraint name says which
    /// (PostgreSQL names the index, SQLite the index or its columns), and
    /// [`DataError::conflict_field`] the field it guards.
    #[error("a record with the same {constraint} already exists")]
    Conflict { constraint: String },
    /// The submitted values break a rule that needs the database to check (a taken
    /// code or email, a choice that is not the tenant's); each error names its field.
    #[error("the submitted values are invalid")]
    Invalid(portico_domain::FieldErrors),
    /// A value to be written or searched for holds a NUL character, which no
    /// field accepts (input that slipped past the field checks).
    #[error("a value holds a NUL character")]
    ControlCharacter,
    /// A stored value could not be understood (a corrupt or foreign row).
    #[error("a stored value is invalid: {0}")]
    Corrupt(String),
    /// The connection settings are unusable.
    #[error("invalid database configuration: {0}")]
    Config(String),
    /// No pooled connection came free in time: the database is overloaded or
    /// unreachable, and the request may be retried later.
    #[error("the database is busy")]
    Unavailable(#[source] sqlx::Error),
    /// The tenant holds all its turns at the pool (its share of the
    /// connections): this request may be retried later; other tenants are not
    /// held up.
    #[error("the company's share of the database is busy")]
    TenantBusy,
    /// The server cancelled a statement that ran past the statement timeout.
    #[error("a statement ran too long")]
    TimedOut(#[source] sqlx::Error),
    /// Migrations could not be applied.
    #[error("migration failed")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// Any other database error.
    #[error("database error")]
    Database(#[source] sqlx::Error),
}

impl DataError {
    /// For a [`DataError::Conflict`], the field whose value is taken: the last
    /// column the unique key names (`code` for `accounts_code_key` or SQLite's
    /// `accounts.tenant_id, accounts.kind, accounts.code`).
    pub fn conflict_field(&self) -> Option<&str> {
        let DataError::Conflict { constraint } = self else {
            return None;
        };
        let last = constraint.rsplit(", ").next().unwrap_or(constraint);
        let field = match last.rsplit_once('.') {
            // SQLite's column list: `table.column`.
            Some((_, column)) => column,
            // An index name: `<table>_<field>_key` (SQLite quotes it: `index 'name'`).
            None => {
                let name = last.trim_start_matches("index ").trim_matches('\'');
                let name = name.strip_suffix("_key").unwrap_or(name);
                name.rsplit('_').next().unwrap_or(name)
            }
        };
        Some(field)
    }
}

impl From<sqlx::Error> for DataError {
    fn from(error: sqlx::Error) -> Self {
        if matches!(error, sqlx::Error::PoolTimedOut) {
            return DataError::Unavailable(error);
        }
        // 57014 query_canceled: the statement timeout (the only cancel a caller
        // can see; the one sent for a dropped transaction is read by nobody).
        if error
            .as_database_error()
            .and_then(|db| db.code())
            .is_some_and(|code| code == "57014")
        {
            return DataError::TimedOut(error);
        }
        if let Some(db) = error.as_database_error()
            && db.is_unique_violation()
        {
            let constraint = db
                .constraint()
                .map(str::to_owned)
                .or_else(|| {
                    // SQLite names the columns, not the index, in its message.
                    db.message()
                        .split_once(": ")
                        .map(|(_, cols)| cols.to_owned())
                })
                .unwrap_or_default();
            return DataError::Conflict { constraint };
        }
        DataError::Database(error)
    }
}

/// Turns a unique-index violation on `index` into an error on `field`. PostgreSQL
/// names the index; SQLite names an expression index too, but for a plain one it
/// lists the columns: `markers` holds whichever texts identify the index.
pub(crate) fn taken(
    error: DataError,
    markers: &[&str],
    field: &'static str,
    message: &'static str,
) -> DataError {
    match error {
        DataError::Conflict { constraint } if markers.iter().any(|m| constraint.contains(m)) => {
            let mut errors = portico_domain::FieldErrors::default();
            errors.add(field, message);
            DataError::Invalid(errors)
        }
        other => other,
    }
}
