//! Tenant-scoped data access: one code path over PostgreSQL and SQLite.
//!
//! Pools stay private to this crate. Tenant-owned rows are only reachable through a
//! [`TenantTx`], which is opened for a [`Tenant`] that the platform registry
//! resolved; cross-tenant work (the operator console, the CLI) goes through the
//! explicitly named [`PlatformTx`].

mod areas;
mod database;
mod error;
mod exec;
mod ids;
mod operators;
mod provision;
mod schema;
mod search;
mod tables;
mod tenants;
mod tx;

pub use areas::accounts::{Account, AccountFilter, AccountsArea, Branch, BranchesArea};
pub use areas::api_keys::{ApiKey, ApiKeysArea};
pub use areas::audit::{Actor, AuditArea, AuditEvent, By, NewAuditEvent, diff};
#[cfg(feature = "bench-seed")]
pub use areas::bench_seed::{self, BenchSeedArea};
pub use areas::contacts::{
    AddedContact, Contact, ContactFilter, ContactSort, ContactsArea, PortalAccess, PortalFilter,
    PortalStatus,
};
pub use areas::imports::{
    ContactImport, ImportCounts, ImportRow, ImportState, ImportedContact, ImportedLink,
    ImportsArea, RowAction, WRITE_BATCH,
};
pub use areas::invitations::{InvitationInfo, InvitationsArea};
pub use areas::link_grants::{LinkAccess, LinkAccessInput, LinkGrantsArea};
pub use areas::links::{ContactLink, LinksArea};
pub use areas::lists::{ContactList, ListEntry, ListsArea, SEEDED_TITLES};
pub use areas::names::NamesArea;
pub use areas::outbox::{NewMail, OutboxArea, OutboxMail};
pub use areas::policy::{ContactPolicyRows, PolicyArea};
pub use areas::portal_access::PortalAccessArea;
pub use areas::portal_credentials::{PortalCredentials, PortalCredentialsArea};
pub use areas::portal_defaults::PortalDefaultsArea;
pub use areas::portal_roles::{PortalRole, PortalRoleInput, PortalRolesArea};
pub use areas::portal_scope::{PortalAccount, PortalBranch, PortalScopeArea};
pub use areas::portal_tokens::{PortalTokenHolder, PortalTokenPurpose, PortalTokensArea};
pub use areas::settings::SettingsArea;
pub use areas::staff::{NewStaffUser, StaffArea, StaffCursor, StaffStatus, StaffUser};
pub use areas::staff_reset_tokens::StaffResetTokensArea;
pub use database::{Backend, Database, DatabaseOptions};
pub use error::DataError;
pub use ids::{
    AccountId, ApiKeyId, AuditEventId, BranchId, ContactId, LinkId, MailId, OperatorId,
    StaffUserId, TenantId,
};
pub use operators::{NewOperator, Operator};
pub use provision::{change_tenant_status, provision_tenant};
pub use schema::{SchemaColumns, describe_schema};
pub use search::NameCursor;
pub use tenants::{NewTenant, Tenant, TenantStatus};
pub use tx::{PlatformTx, TenantTx};
