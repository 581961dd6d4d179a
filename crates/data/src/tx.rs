//! The two transaction handles: one tenant's data, or the platform registry.

#[cfg(feature = "bench-seed")]
use crate::BenchSeedArea;
use crate::{
    AccountsArea, ApiKeysArea, AuditArea, BranchesArea, CatalogueArea, ContactsArea,
    CustomerRecordsArea, DataError, DocumentsArea, GoodsReceiptsArea, ImportsArea, InvitationsArea,
    LinkGrantsArea, LinksArea, ListsArea, NamesArea, OrdersArea, OutboxArea, PolicyArea,
    PortalAccessArea, PortalCredentialsArea, PortalDefaultsArea, PortalRolesArea, PortalScopeArea,
    PortalTokensArea, PurchaseOrdersArea, SalesArea, ServiceRequestsArea, SettingsArea, StaffArea,
    StaffResetTokensArea, SupplierInvoicesArea, Tenant, TenantId, database::PolicyChanges,
    exec::Conn,
};

/// A transaction bound to one tenant. Every public repository function over
/// tenant-owned data takes one; it adds the tenant to every statement, and on
/// PostgreSQL row-level security enforces the same. Dropping it without
/// [`TenantTx::commit`] rolls everything back; dropped while a statement runs
/// (its request went away), it has PostgreSQL cancel that statement first.
pub struct TenantTx {
    pub(crate) conn: Conn,
    tenant: TenantId,
    policy_changes: PolicyChanges,
    /// The policy version this transaction bumped to, announced on commit.
    pub(crate) bumped: Option<i64>,
    /// The tenant's turn at the pool where the connection does not hold it
    /// (SQLite), given back when the transaction ends; none for operator work
    /// entered from a platform transaction. On PostgreSQL the connection holds
    /// it until it is back in the pool (see `Conn::hold_turn`).
    _turn: Option<tokio::sync::OwnedSemaphorePermit>,
}

impl TenantTx {
    pub(crate) fn new(
        mut conn: Conn,
        tenant: TenantId,
        policy_changes: PolicyChanges,
        turn: Option<tokio::sync::OwnedSemaphorePermit>,
    ) -> Self {
        let turn = conn.hold_turn(turn);
        Self {
            conn,
            tenant,
            policy_changes,
            bumped: None,
            _turn: turn,
        }
    }

    /// The tenant this transaction is bound to.
    pub fn tenant_id(&self) -> TenantId {
        self.tenant
    }

    /// Makes the transaction's writes durable, then announces a policy version
    /// it bumped (nobody may act on a version that is not committed).
    pub async fn commit(self) -> Result<(), DataError> {
        self.conn.commit().await?;
        if let Some(version) = self.bumped {
            self.policy_changes.committed(self.tenant, version);
        }
        Ok(())
    }
}

/// The areas of a tenant's data, each a handle borrowed from the transaction:
/// the one list of what a tenant transaction can do.
impl TenantTx {
    /// Customers and suppliers of the transaction's tenant.
    pub fn accounts(&mut self) -> AccountsArea<'_> {
        AccountsArea { tx: self }
    }

    /// Customer branches of the transaction's tenant.
    pub fn branches(&mut self) -> BranchesArea<'_> {
        BranchesArea { tx: self }
    }

    /// Contacts of the transaction's tenant.
    pub fn contacts(&mut self) -> ContactsArea<'_> {
        ContactsArea { tx: self }
    }

    /// Links between contacts and accounts.
    pub fn links(&mut self) -> LinksArea<'_> {
        LinksArea { tx: self }
    }

    /// The company's editable contact lists (titles, categories).
    pub fn lists(&mut self) -> ListsArea<'_> {
        ListsArea { tx: self }
    }

    /// Contact imports: their state, their staged rows and their bulk writes.
    pub fn imports(&mut self) -> ImportsArea<'_> {
        ImportsArea { tx: self }
    }

    /// The company's staff users.
    pub fn staff(&mut self) -> StaffArea<'_> {
        StaffArea { tx: self }
    }

    /// Staff password-reset tokens.
    pub fn staff_reset_tokens(&mut self) -> StaffResetTokensArea<'_> {
        StaffResetTokensArea { tx: self }
    }

    /// The tenant's API keys for the admin API.
    pub fn api_keys(&mut self) -> ApiKeysArea<'_> {
        ApiKeysArea { tx: self }
    }

    /// The company's own settings on its registry row.
    pub fn settings(&mut self) -> SettingsArea<'_> {
        SettingsArea { tx: self }
    }

    /// The company's portal roles and their permissions.
    pub fn portal_roles(&mut self) -> PortalRolesArea<'_> {
        PortalRolesArea { tx: self }
    }

    /// The company's default portal roles.
    pub fn portal_defaults(&mut self) -> PortalDefaultsArea<'_> {
        PortalDefaultsArea { tx: self }
    }

    /// Whether a contact may use each portal.
    pub fn portal_access(&mut self) -> PortalAccessArea<'_> {
        PortalAccessArea { tx: self }
    }

    /// What each of a contact's links grants in a portal: roles, extra permissions, branches.
    pub fn link_grants(&mut self) -> LinkGrantsArea<'_> {
        LinkGrantsArea { tx: self }
    }

    /// Portal invitations sent to contacts.
    pub fn invitations(&mut self) -> InvitationsArea<'_> {
        InvitationsArea { tx: self }
    }

    /// A contact's portal sign-in: password, lockout and sessions.
    pub fn portal_credentials(&mut self) -> PortalCredentialsArea<'_> {
        PortalCredentialsArea { tx: self }
    }

    /// One-time portal tokens: invitations, sign-in links and password resets.
    pub fn portal_tokens(&mut self) -> PortalTokensArea<'_> {
        PortalTokensArea { tx: self }
    }

    /// What a signed-in contact sees in a portal, read through its scope.
    pub fn portal_scope(&mut self) -> PortalScopeArea<'_> {
        PortalScopeArea { tx: self }
    }

    /// The customers' invoices, credit notes and payments: bulk upserts and
    /// the back office's reads.
    pub fn sales(&mut self) -> SalesArea<'_> {
        SalesArea { tx: self }
    }

    /// A customer's money records as one of its contacts sees them.
    pub fn customer_records(&mut self) -> CustomerRecordsArea<'_> {
        CustomerRecordsArea { tx: self }
    }

    /// The items catalogue and each customer's prices.
    pub fn catalogue(&mut self) -> CatalogueArea<'_> {
        CatalogueArea { tx: self }
    }

    /// Shared documents and their versions: staff and scoped reads.
    pub fn documents(&mut self) -> DocumentsArea<'_> {
        DocumentsArea { tx: self }
    }

    /// Service requests and their threads: staff and scoped reads.
    pub fn service_requests(&mut self) -> ServiceRequestsArea<'_> {
        ServiceRequestsArea { tx: self }
    }

    /// Quotes and orders: creation, moves with their chain, scoped and staff reads.
    pub fn orders(&mut self) -> OrdersArea<'_> {
        OrdersArea { tx: self }
    }

    pub fn purchase_orders(&mut self) -> PurchaseOrdersArea<'_> {
        PurchaseOrdersArea { tx: self }
    }

    pub fn goods_receipts(&mut self) -> GoodsReceiptsArea<'_> {
        GoodsReceiptsArea { tx: self }
    }

    pub fn supplier_invoices(&mut self) -> SupplierInvoicesArea<'_> {
        SupplierInvoicesArea { tx: self }
    }

    /// The tenant's portal policy: its version and the rows a contact's policy is built from.
    pub fn policy(&mut self) -> PolicyArea<'_> {
        PolicyArea { tx: self }
    }

    /// The tenant's mail outbox.
    pub fn outbox(&mut self) -> OutboxArea<'_> {
        OutboxArea { tx: self }
    }

    /// The tenant's audit log: recording events and reading history.
    pub fn audit(&mut self) -> AuditArea<'_> {
        AuditArea { tx: self }
    }

    /// Display names of records, for history and audit pages.
    pub fn names(&mut self) -> NamesArea<'_> {
        NamesArea { tx: self }
    }

    /// Unaudited bulk writers that fill a tenant for benchmarks and tests.
    #[cfg(feature = "bench-seed")]
    pub fn bench_seed(&mut self) -> BenchSeedArea<'_> {
        BenchSeedArea { tx: self }
    }
}

/// A transaction for platform-level reads: the tenant registry. Named so that
/// every cross-tenant access is easy to find.
pub struct PlatformTx {
    pub(crate) conn: Conn,
    policy_changes: PolicyChanges,
}

impl PlatformTx {
    pub(crate) fn new(conn: Conn, policy_changes: PolicyChanges) -> Self {
        Self {
            conn,
            policy_changes,
        }
    }

    /// Continues in the same transaction as the given tenant, for example to
    /// create a new company together with its first staff user.
    pub async fn into_tenant(mut self, tenant: &Tenant) -> Result<TenantTx, DataError> {
        self.conn.set_tenant(tenant.id()).await?;
        Ok(TenantTx::new(
            self.conn,
            tenant.id(),
            self.policy_changes,
            None,
        ))
    }

    /// Makes the transaction's writes durable.
    pub async fn commit(self) -> Result<(), DataError> {
        self.conn.commit().await
    }
}

/// A transaction for operator work: the registry's writes and the platform
/// operators, on the operators' connection (`portico_operator` on PostgreSQL).
/// It reads like a [`PlatformTx`].
pub struct OperatorTx(PlatformTx);

impl OperatorTx {
    pub(crate) fn new(platform: PlatformTx) -> Self {
        Self(platform)
    }

    /// Continues in the same transaction as the given tenant (provisioning).
    pub async fn into_tenant(self, tenant: &Tenant) -> Result<TenantTx, DataError> {
        self.0.into_tenant(tenant).await
    }

    /// Makes the transaction's writes durable.
    pub async fn commit(self) -> Result<(), DataError> {
        self.0.commit().await
    }
}

impl std::ops::Deref for OperatorTx {
    type Target = PlatformTx;

    fn deref(&self) -> &PlatformTx {
        &self.0
    }
}

impl std::ops::DerefMut for OperatorTx {
    fn deref_mut(&mut self) -> &mut PlatformTx {
        &mut self.0
    }
}
