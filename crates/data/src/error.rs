//! The data layer's error type.

/// What went wrong talking to the database.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    /// A unique constraint rejected the write; the constraint name says which.
    #[error("a record with the same {constraint} already exists")]
    Conflict { constraint: String },
    /// The submitted values break a rule that needs the database to check (a taken
    /// code or email, a choice that is not the tenant's); each error names its field.
    #[error("the submitted values are invalid")]
    Invalid(portico_domain::FieldErrors),
    /// A stored value could not be understood (a corrupt or foreign row).
    #[error("a stored value is invalid: {0}")]
    Corrupt(String),
    /// The connection settings are unusable.
    #[error("invalid database configuration: {0}")]
    Config(String),
    /// Migrations could not be applied.
    #[error("migration failed")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// Any other database error.
    #[error("database error")]
    Database(#[source] sqlx::Error),
}

impl From<sqlx::Error> for DataError {
    fn from(error: sqlx::Error) -> Self {
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
