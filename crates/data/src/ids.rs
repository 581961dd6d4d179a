//! Typed identifiers, re-exported from `portico-domain` (where the portal
//! scope's ids live too) so that every `portico_data::AccountId` path stays.

pub use portico_domain::ids::*;
