//! The areas of a tenant's data, one module each; every area is a handle borrowed
//! from a [`crate::TenantTx`] (see the index in the crate documentation).

pub(crate) mod accounts;
pub(crate) mod api_keys;
pub(crate) mod audit;
#[cfg(feature = "bench-seed")]
pub mod bench_seed;
pub(crate) mod branches;
pub(crate) mod catalogue;
pub(crate) mod contacts;
pub(crate) mod customer_records;
pub(crate) mod documents;
pub(crate) mod goods_receipts;
pub(crate) mod imports;
pub(crate) mod invitations;
pub(crate) mod link_grants;
pub(crate) mod links;
pub(crate) mod lists;
pub(crate) mod names;
pub(crate) mod orders;
pub(crate) mod outbox;
pub(crate) mod policy;
pub(crate) mod portal_access;
pub(crate) mod portal_credentials;
pub(crate) mod portal_defaults;
pub(crate) mod portal_roles;
pub(crate) mod portal_scope;
pub(crate) mod portal_tokens;
pub(crate) mod purchase_orders;
pub(crate) mod sales;
pub(crate) mod service_requests;
pub(crate) mod settings;
pub(crate) mod staff;
pub(crate) mod staff_reset_tokens;
pub(crate) mod supplier_invoices;
pub(crate) mod tokens;
