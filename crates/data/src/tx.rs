//! The two transaction handles: one tenant's data, or the platform registry.

use crate::{DataError, Tenant, TenantId, exec::Conn};

/// A transaction bound to one tenant. Every public repository function over
/// tenant-owned data takes one; it adds the tenant to every statement, and on
/// PostgreSQL row-level security enforces the same. Dropping it without
/// [`TenantTx::commit`] rolls everything back.
pub struct TenantTx {
    pub(crate) conn: Conn,
    tenant: TenantId,
}

impl TenantTx {
    pub(crate) fn new(conn: Conn, tenant: TenantId) -> Self {
        Self { conn, tenant }
    }

    /// The tenant this transaction is bound to.
    pub fn tenant_id(&self) -> TenantId {
        self.tenant
    }

    /// Makes the transaction's writes durable.
    pub async fn commit(self) -> Result<(), DataError> {
        self.conn.commit().await
    }
}

/// A transaction for platform-level work: the tenant registry and operators.
/// Named so that every cross-tenant access is easy to find.
pub struct PlatformTx {
    pub(crate) conn: Conn,
}

impl PlatformTx {
    pub(crate) fn new(conn: Conn) -> Self {
        Self { conn }
    }

    /// Continues in the same transaction as the given tenant, for example to
    /// create a new company together with its first staff user.
    pub async fn into_tenant(mut self, tenant: &Tenant) -> Result<TenantTx, DataError> {
        self.conn.set_tenant(tenant.id()).await?;
        Ok(TenantTx::new(self.conn, tenant.id()))
    }

    /// Makes the transaction's writes durable.
    pub async fn commit(self) -> Result<(), DataError> {
        self.conn.commit().await
    }
}
