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

pub mod generate;
pub mod listing;
pub mod listing_report;
pub mod measure;
pub mod permissions;
pub mod report;
