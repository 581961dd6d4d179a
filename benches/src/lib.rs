//! Portico's performance suite: a generator of big, realistic companies
//! ([`generate`]), timing and memory helpers ([`measure`]) and the benchmarks
//! themselves, each writing a report under `docs/benchmarks/`.
//!
//! - [`permissions`]: the cost of a portal permission check and of loading the
//!   policy a contact needs, and the memory a cached policy holds
//!   (`docs/benchmarks/permissions.md`).
//! - [`listing`]: a portal list page by the per-branch merge helper against
//!   the plain `branch_id = ANY(…)` query, first and deep page
//!   (`docs/benchmarks/listing.md`).
//! - [`search`]: contact and account search at 1,000,000 contacts, first and
//!   later page, rare, common and short terms (`docs/benchmarks/search.md`).
//! - [`fairness`]: one company's light requests, alone and while another
//!   company's burst of heavy searches saturates its share of the pool,
//!   through the real HTTP app (`docs/benchmarks/fairness.md`).
//! - [`portal`]: the customer portal's invoices list (first and deep page) and
//!   receivables ageing over HTTP against the release binary, next to pgbench
//!   running the same SQL (`docs/benchmarks/portal.md`).

pub mod fairness;
pub mod fairness_report;
pub mod generate;
pub mod listing;
pub mod listing_report;
pub mod measure;
pub mod permissions;
pub mod portal;
pub mod portal_data;
pub mod portal_load;
pub mod portal_report;
pub mod portal_sql;
pub mod report;
pub mod search;
pub mod search_report;
pub mod served;
