//! `portico`: the one binary that serves and administers Portico.

use clap::Parser;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // Several rustls providers may be compiled in; choose ring before any TLS use.
    let _ = rustls::crypto::ring::default_provider().install_default();
    portico::cli::run(portico::cli::Cli::parse()).await
}
