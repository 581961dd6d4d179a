//! Tenant-scoped data access: one code path over PostgreSQL and SQLite.
//!
//! Pools stay private to this crate. Tenant-owned rows are only reachable through a
//! [`TenantTx`], which is opened for a [`Tenant`] that the platform registry
//! resolved; cross-tenant reads go through the explicitly named [`PlatformTx`],
//! and operator work (the console, the CLI) through [`OperatorTx`], on its own
//! database role on PostgreSQL.
//!
//! # Areas
//!
//! A tenant transaction does its work through area handles borrowed from it
//! (`tx.contacts().create(..)`), each listed once in `tx.rs` and kept in its own
//! module under `areas/`:
//!
//! | handle | owns |
//! |---|---|
//! | [`TenantTx::accounts`] | customers and suppliers |
//! | [`TenantTx::branches`] | customer branches |
//! | [`TenantTx::contacts`] | contacts: fields, photo, archive, search |
//! | [`TenantTx::links`] | links between contacts and accounts |
//! | [`TenantTx::lists`] | the company's contact lists (titles, categories) |
//! | [`TenantTx::imports`] | contact imports, their staged rows and bulk writes |
//! | [`TenantTx::staff`] | staff users, their role, password and language |
//! | [`TenantTx::staff_reset_tokens`] | staff password-reset tokens |
//! | [`TenantTx::api_keys`] | API keys of the admin API |
//! | [`TenantTx::settings`] | the company's own settings (required contact names, limit) |
//! | [`TenantTx::portal_roles`] | portal roles and their permissions |
//! | [`TenantTx::portal_defaults`] | the default portal role per portal |
//! | [`TenantTx::portal_access`] | whether a contact may use each portal |
//! | [`TenantTx::link_grants`] | per link: roles, permissions, visible branches |
//! | [`TenantTx::invitations`] | portal invitations sent to contacts |
//! | [`TenantTx::portal_credentials`] | portal sign-in: password, lockout, sessions |
//! | [`TenantTx::portal_tokens`] | single-use portal tokens |
//! | [`TenantTx::portal_scope`] | what a signed-in contact sees, read through its scope |
//! | [`TenantTx::sales`] | customers' invoices, credit notes and payments: bulk upserts, back-office reads |
//! | [`TenantTx::customer_records`] | those records as a customer contact sees them: pages, ageing, statement |
//! | [`TenantTx::policy`] | the policy version and a contact's policy rows |
//! | [`TenantTx::outbox`] | the mail outbox |
//! | [`TenantTx::audit`] | the audit log and record history |
//! | [`TenantTx::names`] | display names of records |
//! | `TenantTx::bench_seed` | unaudited bulk writers, only with the `bench-seed` feature |
//!
//! Table identifiers live in one module (`tables.rs`); the search expressions
//! shared by keyset-paginated lists in `search.rs`. The platform registry is
//! small and keeps its methods on the transactions: reads on [`PlatformTx`],
//! writes and operators on [`OperatorTx`].

mod areas;
mod database;
mod error;
mod exec;
mod ids;
pub mod listing;
mod operators;
mod pg_tx;
mod provision;
mod schema;
mod search;
mod tables;
mod tenants;
mod tx;

pub use areas::accounts::{Account, AccountFilter, AccountsArea};
pub use areas::api_keys::{ApiKey, ApiKeysArea};
pub use areas::audit::{Actor, AuditArea, AuditEvent, By, NewAuditEvent, diff};
#[cfg(feature = "bench-seed")]
pub use areas::bench_seed::{self, BenchSeedArea};
pub use areas::branches::{Branch, BranchesArea};
pub use areas::catalogue::{CatalogueArea, Item};
pub use areas::contacts::{
    AddedContact, Contact, ContactFilter, ContactSort, ContactsArea, PortalAccess, PortalFilter,
    PortalStatus,
};
pub use areas::customer_records::{
    Ageing, BUCKETS, CustomerRecordsArea, Movement, OpenItem, STATEMENT_MOVEMENTS, Statement,
};
pub use areas::documents::{
    DocumentDetail, DocumentRow, DocumentVersion, DocumentsArea, MAX_VERSIONS, NewVersion,
    VersionAdded,
};
pub use areas::goods_receipts::{GoodsReceiptsArea, ReceiptRow};
pub use areas::imports::{
    ContactImport, ImportCounts, ImportRow, ImportState, ImportedContact, ImportedLink,
    ImportsArea, RowAction, WRITE_BATCH,
};
pub use areas::invitations::{InvitationInfo, InvitationsArea};
pub use areas::link_grants::{LinkAccess, LinkAccessInput, LinkGrantsArea};
pub use areas::links::{ContactLink, LinksArea};
pub use areas::lists::{ContactList, ListEntry, ListsArea, SEEDED_TITLES};
pub use areas::names::NamesArea;
pub use areas::orders::{Moved, NewOrder, OrderDetail, OrderEvent, OrderRow, OrdersArea};
pub use areas::outbox::{NewMail, OutboxArea, OutboxMail};
pub use areas::policy::{AccountContact, ContactPolicyRows, PolicyArea};
pub use areas::portal_access::PortalAccessArea;
pub use areas::portal_credentials::{PortalCredentials, PortalCredentialsArea};
pub use areas::portal_defaults::PortalDefaultsArea;
pub use areas::portal_roles::{PortalRole, PortalRoleInput, PortalRolesArea};
pub use areas::portal_scope::{PortalAccount, PortalBranch, PortalScopeArea};
pub use areas::portal_tokens::{PortalTokenHolder, PortalTokenPurpose, PortalTokensArea};
pub use areas::purchase_orders::{PoDetail, PoFilter, PoLineRow, PoRow, PurchaseOrdersArea};
pub use areas::sales::{
    Applied, InvoiceDetail, InvoiceRow, PaymentDetail, PaymentRow, SalesArea, UpsertOutcome,
    Upserted,
};
pub use areas::service_requests::{
    Attachment, Commented, MAX_THREAD, NewRequest, RequestDetail, RequestRow, ServiceRequestsArea,
    ThreadEntry,
};
pub use areas::settings::SettingsArea;
pub use areas::staff::{NewStaffUser, StaffArea, StaffCursor, StaffStatus, StaffUser};
pub use areas::staff_reset_tokens::StaffResetTokensArea;
pub use areas::supplier_invoices::{
    InboxFilter, InvoiceStatus, SupplierInvoiceDetail, SupplierInvoiceLineRow, SupplierInvoiceRow,
    SupplierInvoicesArea,
};
pub use database::{
    APP_ROLE, Backend, Database, DatabaseOptions, OPERATOR_ROLE, default_tenant_share,
};
pub use error::DataError;
pub use ids::{
    AccountId, ApiKeyId, AuditEventId, BranchId, ContactId, LinkId, MailId, OperatorId,
    StaffUserId, TenantId,
};
pub use listing::{CursorError, DateCursor, RecordKey, RecordTable};
pub use operators::{NewOperator, Operator};
pub use provision::{change_tenant_status, provision_tenant};
pub use schema::{SchemaColumns, describe_schema};
pub use search::{LINKED_CAP, NameCursor, SEARCH_CAP, like_pattern};
pub use tenants::{NewTenant, Tenant, TenantStatus};
pub use tx::{OperatorTx, PlatformTx, TenantTx};
