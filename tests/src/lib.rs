//! Test harness: fresh databases per test on SQLite and PostgreSQL, the in-process app.
