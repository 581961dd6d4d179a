//! Tenant-scoped data access: one code path over PostgreSQL and SQLite.
//!
//! Pools stay private to this crate. Tenant-owned rows are only reachable through a
//! [`TenantTx`], which is opened for a [`Tenant`] that the platform registry
//! resolved; cross-tenant work (the operator console, the CLI) goes through the
//! explicitly named [`PlatformTx`].

mod accounts;
mod api_keys;
mod audit;
pub mod bench_seed;
mod contacts;
mod database;
mod error;
mod exec;
mod ids;
mod imports;
mod links;
mod lists;
mod mail;
mod names;
mod operators;
mod portal;
mod portal_auth;
mod portal_defaults;
mod portal_scope;
mod provision;
mod schema;
mod search;
mod staff;
mod staff_auth;
mod tenants;
mod tokens;
mod tx;

pub use accounts::{Account, AccountFilter, Branch, NameCursor};
pub use api_keys::ApiKey;
pub use audit::{Actor, AuditEvent, By, NewAuditEvent, diff};
pub use contacts::{
    AddedContact, Contact, ContactFilter, ContactSort, PortalAccess, PortalFilter, PortalStatus,
};
pub use database::{Backend, Database, DatabaseOptions};
pub use error::DataError;
pub use ids::{
    AccountId, ApiKeyId, AuditEventId, BranchId, ContactId, LinkId, MailId, OperatorId,
    StaffUserId, TenantId,
};
pub use imports::{
    ContactImport, ImportCounts, ImportRow, ImportState, ImportedContact, ImportedLink, RowAction,
    WRITE_BATCH,
};
pub use links::ContactLink;
pub use lists::{ContactList, ListEntry, SEEDED_TITLES};
pub use mail::{NewMail, OutboxMail};
pub use operators::{NewOperator, Operator};
pub use portal::{
    ContactPolicyRows, InvitationInfo, LinkAccess, LinkAccessInput, PortalRole, PortalRoleInput,
};
pub use portal_auth::{PortalCredentials, PortalTokenHolder, PortalTokenPurpose};
pub use portal_defaults::PortalDefaults;
pub use portal_scope::{PortalAccount, PortalBranch};
pub use provision::{change_tenant_status, provision_tenant};
pub use schema::{SchemaColumns, describe_schema};
pub use staff::{NewStaffUser, StaffCursor, StaffStatus, StaffUser};
pub use tenants::{NewTenant, Tenant, TenantStatus};
pub use tx::{PlatformTx, TenantTx};
