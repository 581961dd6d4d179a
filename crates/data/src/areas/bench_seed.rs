//! Bulk writes for **generated benchmark data** only (the `portico-bench`
//! generator): a new company in one open transaction, then accounts, branches,
//! contacts (with their portal access) and links (with roles, individual
//! permissions and branch lists) in multi-row inserts.
//!
//! Nothing here checks, audits or bumps the policy version: the rows come from
//! a generator that builds them consistent, into a company that nobody uses
//! until the transaction commits. Application code never calls these.

use chrono::Utc;
use portico_domain::{AccountFields, AccountKind, ContactFields, fold};
use sea_query::{DynIden, InsertStatement, IntoIden, IntoTableRef, Query, Value};
use serde_json::json;
use uuid::Uuid;

use crate::tables::{Accounts, Branches, ContactLinks, Contacts};
use crate::{
    AccountId, Actor, BranchId, ContactId, DataError, Database, LinkId, NewAuditEvent,
    NewStaffUser, NewTenant, Tenant, TenantTx,
    areas::contacts::{FIELD_COLUMNS, values},
};

/// Bound parameters per statement: under SQLite's 32,766 and PostgreSQL's 65,535.
const PARAMS: usize = 30_000;

/// A customer or supplier to create.
#[derive(Debug, Clone)]
pub struct SeedAccount {
    pub id: AccountId,
    pub kind: AccountKind,
    pub fields: AccountFields,
}

/// A branch of a customer (whose `branches_enabled` is on).
#[derive(Debug, Clone)]
pub struct SeedBranch {
    pub id: BranchId,
    pub account: AccountId,
    pub code: String,
    pub name: String,
    pub city: Option<String>,
}

/// A contact to create, with its portal access. With access on, the contact
/// is `active` when a password hash is given to [`BenchSeedArea::contacts`],
/// `invited` otherwise.
#[derive(Debug, Clone)]
pub struct SeedContact {
    pub id: ContactId,
    pub fields: ContactFields,
    pub customer_portal: bool,
    pub supplier_portal: bool,
}

/// A link to create, with its grants.
#[derive(Debug, Clone)]
pub struct SeedLink {
    pub id: LinkId,
    pub contact: ContactId,
    pub account: AccountId,
    pub kind: AccountKind,
    pub position: Option<String>,
    pub is_primary: bool,
    /// `false` only with `branch_ids` of the account's own branches.
    pub all_branches: bool,
    /// Portal roles of the link's portal.
    pub role_ids: Vec<Uuid>,
    /// Individual permissions (`object.action`) of the link's portal, distinct.
    pub permissions: Vec<String>,
    pub branch_ids: Vec<BranchId>,
}

/// Registers a company with its seeded titles and portal roles and its first
/// staff user, and returns it with the transaction still open: the caller adds
/// the generated rows and commits, so a company is either there whole or not
/// at all (an interrupted generation leaves nothing behind).
pub async fn create_seed_tenant(
    db: &Database,
    tenant: &NewTenant,
    owner: &NewStaffUser,
) -> Result<(Tenant, TenantTx), DataError> {
    let mut platform = db.operator_tx().await?;
    let created = platform.create_tenant(tenant).await?;
    let mut tx = platform.into_tenant(&created).await?;
    tx.audit()
        .record(NewAuditEvent {
            actor: Actor::System,
            action: "tenant.create",
            subject_kind: "tenant",
            subject_id: Some(created.id().as_uuid()),
            related_id: None,
            changes: json!({ "after": { "slug": created.slug(), "name": created.name() },
                         "generated": "benchmark data" }),
            request_id: None,
        })
        .await?;
    tx.lists().seed_titles().await?;
    tx.portal_roles().seed().await?;
    tx.staff().create(owner).await?;
    Ok((created, tx))
}

/// Rows of `columns` values per statement.
fn per_statement(columns: usize) -> usize {
    (PARAMS / columns).clamp(1, 1_000)
}

/// Unaudited bulk writers that fill a tenant for benchmarks and tests.
pub struct BenchSeedArea<'t> {
    pub(crate) tx: &'t mut TenantTx,
}

impl BenchSeedArea<'_> {
    /// Runs `rows` as multi-row inserts into `table`, as many rows per statement
    /// as the parameter budget allows.
    async fn insert_rows<C: IntoIden>(
        &mut self,
        table: impl IntoTableRef,
        columns: impl IntoIterator<Item = C>,
        rows: Vec<Vec<Value>>,
    ) -> Result<(), DataError> {
        let table = table.into_table_ref();
        let columns: Vec<DynIden> = columns.into_iter().map(IntoIden::into_iden).collect();
        for chunk in rows.chunks(per_statement(columns.len())) {
            let mut insert: InsertStatement = Query::insert()
                .into_table(table.clone())
                .columns(columns.iter().cloned())
                .to_owned();
            for row in chunk {
                insert.values_panic(row.iter().cloned().map(Into::into));
            }
            self.tx.conn.execute(&insert).await?;
        }
        Ok(())
    }

    /// Creates customers and suppliers (active).
    pub async fn accounts(&mut self, accounts: &[SeedAccount]) -> Result<(), DataError> {
        let now = Utc::now();
        let tenant = self.tx.tenant_id().as_uuid();
        let rows = accounts
            .iter()
            .map(|a| {
                let f = &a.fields;
                vec![
                    tenant.into(),
                    a.id.as_uuid().into(),
                    a.kind.as_str().into(),
                    f.code.clone().into(),
                    f.name.clone().into(),
                    f.legal_name.clone().into(),
                    f.tax_id.clone().into(),
                    f.email.as_ref().map(|e| e.as_str().to_owned()).into(),
                    f.phone.clone().into(),
                    f.address.city.clone().into(),
                    f.address.country.clone().into(),
                    f.branches_enabled.into(),
                    true.into(),
                    fold(&f.name).into(),
                    f.search_text().into(),
                    now.into(),
                    now.into(),
                ]
            })
            .collect();
        let columns = [
            Accounts::TenantId,
            Accounts::Id,
            Accounts::Kind,
            Accounts::Code,
            Accounts::Name,
            Accounts::LegalName,
            Accounts::TaxId,
            Accounts::Email,
            Accounts::Phone,
            Accounts::City,
            Accounts::Country,
            Accounts::BranchesEnabled,
            Accounts::Active,
            Accounts::SortName,
            Accounts::SearchText,
            Accounts::CreatedAt,
            Accounts::UpdatedAt,
        ];
        self.insert_rows(Accounts::Table, columns, rows).await
    }

    /// Creates branches (active).
    pub async fn branches(&mut self, branches: &[SeedBranch]) -> Result<(), DataError> {
        let now = Utc::now();
        let tenant = self.tx.tenant_id().as_uuid();
        let rows = branches
            .iter()
            .map(|b| {
                vec![
                    tenant.into(),
                    b.id.as_uuid().into(),
                    b.account.as_uuid().into(),
                    b.code.clone().into(),
                    b.name.clone().into(),
                    b.city.clone().into(),
                    true.into(),
                    now.into(),
                    now.into(),
                ]
            })
            .collect();
        let columns = [
            Branches::TenantId,
            Branches::Id,
            Branches::AccountId,
            Branches::Code,
            Branches::Name,
            Branches::City,
            Branches::Active,
            Branches::CreatedAt,
            Branches::UpdatedAt,
        ];
        self.insert_rows(Branches::Table, columns, rows).await
    }

    /// Creates contacts with their portal access; `password_hash` (when given)
    /// is every portal contact's password, so they can sign in.
    pub async fn contacts(
        &mut self,
        contacts: &[SeedContact],
        password_hash: Option<&str>,
    ) -> Result<(), DataError> {
        let now = Utc::now();
        let tenant = self.tx.tenant_id().as_uuid();
        let rows = contacts
            .iter()
            .map(|c| {
                let on = c.customer_portal || c.supplier_portal;
                let status = match (on, password_hash.is_some()) {
                    (false, _) => "none",
                    (true, true) => "active",
                    (true, false) => "invited",
                };
                let hash = password_hash.filter(|_| on).map(str::to_owned);
                let activated = (on && password_hash.is_some()).then_some(now);
                let mut row: Vec<Value> = vec![tenant.into(), c.id.as_uuid().into()];
                row.extend(values(&c.fields));
                row.extend([
                    c.customer_portal.into(),
                    c.supplier_portal.into(),
                    status.into(),
                    hash.into(),
                    activated.into(),
                    now.into(),
                    now.into(),
                ]);
                row
            })
            .collect();
        let mut columns = vec![Contacts::TenantId, Contacts::Id];
        columns.extend(FIELD_COLUMNS);
        columns.extend([
            Contacts::CustomerPortal,
            Contacts::SupplierPortal,
            Contacts::PortalStatus,
            Contacts::PortalPasswordHash,
            Contacts::PortalActivatedAt,
            Contacts::CreatedAt,
            Contacts::UpdatedAt,
        ]);
        self.insert_rows(Contacts::Table, columns, rows).await
    }

    /// Creates links with their roles, individual permissions and branch lists.
    pub async fn links(&mut self, links: &[SeedLink]) -> Result<(), DataError> {
        let now = Utc::now();
        let tenant = self.tx.tenant_id().as_uuid();
        let rows = links
            .iter()
            .map(|l| {
                vec![
                    tenant.into(),
                    l.id.as_uuid().into(),
                    l.contact.as_uuid().into(),
                    l.account.as_uuid().into(),
                    l.kind.as_str().into(),
                    l.position.clone().into(),
                    l.is_primary.into(),
                    l.all_branches.into(),
                    now.into(),
                ]
            })
            .collect();
        let columns = [
            ContactLinks::TenantId,
            ContactLinks::Id,
            ContactLinks::ContactId,
            ContactLinks::AccountId,
            ContactLinks::AccountKind,
            ContactLinks::Position,
            ContactLinks::IsPrimary,
            ContactLinks::AllBranches,
            ContactLinks::CreatedAt,
        ];
        self.insert_rows(ContactLinks::Table, columns, rows).await?;
        let pairs = |values: &dyn Fn(&SeedLink) -> Vec<Value>| -> Vec<Vec<Value>> {
            links
                .iter()
                .flat_map(|l| {
                    values(l)
                        .into_iter()
                        .map(|v| vec![tenant.into(), l.id.as_uuid().into(), v])
                })
                .collect()
        };
        let roles = pairs(&|l| l.role_ids.iter().map(|r| (*r).into()).collect());
        let permissions = pairs(&|l| l.permissions.iter().map(|p| p.clone().into()).collect());
        let branches = pairs(&|l| l.branch_ids.iter().map(|b| b.as_uuid().into()).collect());
        for (table, value, rows) in [
            ("link_roles", "role_id", roles),
            ("link_permissions", "permission", permissions),
            ("link_branches", "branch_id", branches),
        ] {
            self.insert_rows(table, ["tenant_id", "link_id", value], rows)
                .await?;
        }
        Ok(())
    }
}
