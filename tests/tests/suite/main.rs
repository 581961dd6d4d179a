//! The integration suite, built as one test binary: one link instead of one per
//! file keeps the build small and quick (each binary links the whole app). Each
//! module is one area's tests; `cargo test -p portico-tests -- isolation::` runs one.

mod api;
mod api_spec;
mod backoffice_sales;
mod bench_data;
mod both_portals;
mod bounds;
mod browser;
mod cli;
mod client_address;
mod company;
mod contact_portal;
mod contacts;
mod data;
mod disconnects;
mod documents;
mod every_page;
mod explainer;
mod forms;
mod hostile_input;
mod imports;
mod invitations;
mod isolation;
mod layout;
mod listing;
mod mail;
mod orders;
mod photos;
mod portal;
mod portal_access;
mod portal_links;
mod portal_profile;
mod problems;
mod purchase_orders;
mod redis_outage;
mod rls;
mod sales;
mod search;
mod service_requests;
mod settings_lists;
mod staff_accounts;
mod supplier_invoices;
mod timing;
mod ui;
mod web;
