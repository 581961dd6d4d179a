//! `portico`: the one binary that serves and administers Portico.

use std::process::ExitCode;

use clap::Parser;

#[tokio::main]
async fn main() -> ExitCode {
    // Several rustls providers may be compiled in; choose ring before any TLS use.
    let _ = rustls::crypto::ring::default_provider().install_default();
    match portico::cli::run(portico::cli::Cli::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // One line a user can act on: the error and its causes, never a
            // Rust backtrace (the log has the detail of server errors).
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
