//! The `portico` binary's library: configuration, wiring the apps into one
//! endpoint, serving it over HTTP, the command-line commands and the demo tenant.

pub mod app;
pub mod cli;
pub mod config;
pub mod demo;
pub mod server;
