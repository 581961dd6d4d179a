//! The two transaction handles: one tenant's data, or the platform registry.

use crate::{DataError, Tenant, TenantId, database::PolicyChanges, exec::Conn};

/// A transaction bound to one tenant. Every public repository function over
/// tenant-owned data takes one; it adds the tenant to every statement, and on
/// PostgreSQL row-level security enforces the same. Dropping it without
/// [`TenantTx::commit`] rolls everything back.
pub struct TenantTx {
    pub(crate) conn: Conn,
    tenant: TenantId,
    policy_changes: PolicyChanges,
    /// The policy version this transaction bumped to, announced on commit.
    pub(crate) bumped: Option<i64>,
}

impl TenantTx {
    pub(crate) fn new(conn: Conn, tenant: TenantId, policy_changes: PolicyChanges) -> Self {
        Self {
            conn,
            tenant,
            policy_changes,
            bumped: None,
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

/// A transaction for platform-level work: the tenant registry and operators.
/// Named so that every cross-tenant access is easy to find.
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
        Ok(TenantTx::new(self.conn, tenant.id(), self.policy_changes))
    }

    /// Makes the transaction's writes durable.
    pub async fn commit(self) -> Result<(), DataError> {
        self.conn.commit().await
    }
}
