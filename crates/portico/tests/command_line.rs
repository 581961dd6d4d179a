//! The built `portico` binary as a user runs it in a fresh folder: commands on
//! the embedded database migrate it first, and a user error is one clear line
//! on stderr with a failure exit code, never a Rust backtrace.

use std::process::{Command, Output};

fn portico(dir: &tempfile::TempDir, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_portico"))
        .args(args)
        .current_dir(dir.path())
        // A backtrace must not appear even when a developer's shell asks for one.
        .env("RUST_BACKTRACE", "1")
        .env_remove("DATABASE_URL")
        .env_remove("PORTICO_DATABASE_URL")
        .env_remove("PORTICO_CONFIG")
        .env_remove("REDIS_URL")
        .env_remove("PORTICO_REDIS_URL")
        .output()
        .expect("the portico binary runs")
}

const CREATE: &[&str] = &[
    "tenant",
    "create",
    "--slug",
    "acme",
    "--name",
    "Acme, S.A.",
    "--admin-email",
    "ana@acme.mx",
    "--admin-name",
    "Ana López",
];

#[test]
fn tenant_create_in_a_fresh_folder_migrates_the_embedded_database_first() {
    let dir = tempfile::tempdir().unwrap();

    let created = portico(&dir, CREATE);

    let stdout = String::from_utf8_lossy(&created.stdout);
    let stderr = String::from_utf8_lossy(&created.stderr);
    assert!(
        created.status.success(),
        "stdout: {stdout}\nstderr: {stderr}"
    );
    assert!(stdout.contains("Company Acme, S.A. created"), "{stdout}");
    assert!(dir.path().join("data/portico.db").exists());
    let listed = portico(&dir, &["tenant", "list"]);
    assert!(String::from_utf8_lossy(&listed.stdout).contains("acme"));
}

#[test]
fn a_user_error_is_one_line_without_a_backtrace() {
    let dir = tempfile::tempdir().unwrap();
    assert!(portico(&dir, CREATE).status.success());

    let again = portico(&dir, CREATE);

    let stderr = String::from_utf8_lossy(&again.stderr);
    assert_eq!(again.status.code(), Some(1), "{stderr}");
    assert_eq!(
        stderr.trim_end(),
        "error: a company with slug acme already exists"
    );
    let unknown = portico(&dir, &["tenant", "suspend", "nobody"]);
    let stderr = String::from_utf8_lossy(&unknown.stderr);
    assert_eq!(unknown.status.code(), Some(1));
    assert_eq!(stderr.trim_end(), "error: no company has the slug nobody");
}
