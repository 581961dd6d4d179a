//! The `portico` binary's library: configuration, wiring the apps into one
//! endpoint, the command-line commands and the demo tenant.

pub mod app;
pub mod cli;
pub mod config;
pub mod demo;
