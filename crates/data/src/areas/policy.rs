//! The tenant's portal policy: its version (bumped by every access change and
//! announced on commit) and the rows a contact's policy is built from.

use std::collections::BTreeSet;

use sea_query::{Expr, ExprTrait, Query};
use uuid::Uuid;

use crate::tables::{Contacts, Tenants};
use crate::{ContactId, DataError, TenantTx};
use crate::{LinkAccess, PortalRole};

/// Everything the policy of one contact is built from.
#[derive(Debug, Clone)]
pub struct ContactPolicyRows {
    pub contact: ContactId,
    /// Portal sessions started in another epoch are over.
    pub session_epoch: i32,
    pub customer_portal: bool,
    pub supplier_portal: bool,
    /// Only links of accounts that are active.
    pub links: Vec<LinkAccess>,
    /// The roles those links hold.
    pub roles: Vec<PortalRole>,
}

/// The tenant's portal policy: its version and the rows a contact's policy is built from.
pub struct PolicyArea<'t> {
    pub(crate) tx: &'t mut TenantTx,
}

impl PolicyArea<'_> {
    /// Bumps this tenant's policy version (in this transaction) and returns it.
    pub async fn bump_version(&mut self) -> Result<i64, DataError> {
        let update = Query::update()
            .table(Tenants::Table)
            .value(
                Tenants::PolicyVersion,
                Expr::col(Tenants::PolicyVersion).add(1),
            )
            .and_where(Expr::col(Tenants::Id).eq(self.tx.tenant_id().as_uuid()))
            .to_owned();
        self.tx.conn.execute(&update).await?;
        let version = self.version().await?;
        self.tx.bumped = Some(version);
        Ok(version)
    }

    /// This tenant's policy version.
    pub async fn version(&mut self) -> Result<i64, DataError> {
        let select = Query::select()
            .column(Tenants::PolicyVersion)
            .from(Tenants::Table)
            .and_where(Expr::col(Tenants::Id).eq(self.tx.tenant_id().as_uuid()))
            .to_owned();
        let row: Option<(i64,)> = self.tx.conn.fetch_optional(&select).await?;
        row.map(|(v,)| v)
            .ok_or_else(|| DataError::Corrupt("tenant row missing".into()))
    }
}

impl PolicyArea<'_> {
    /// What the policy of one contact is built from: its access, its links to
    /// active accounts with their grants, and the roles they hold. Four queries,
    /// whatever the size of the tenant. `None` when the contact is not here.
    pub async fn contact_rows(
        &mut self,
        contact: ContactId,
    ) -> Result<Option<ContactPolicyRows>, DataError> {
        let select = Query::select()
            .columns([
                Contacts::CustomerPortal,
                Contacts::SupplierPortal,
                Contacts::PortalSessionEpoch,
            ])
            .from(Contacts::Table)
            .and_where(Expr::col(Contacts::TenantId).eq(self.tx.tenant_id().as_uuid()))
            .and_where(Expr::col(Contacts::Id).eq(contact.as_uuid()))
            .and_where(Expr::col(Contacts::ArchivedAt).is_null())
            .to_owned();
        let Some((customer_portal, supplier_portal, session_epoch)) = self
            .tx
            .conn
            .fetch_optional::<(bool, bool, i32)>(&select)
            .await?
        else {
            return Ok(None);
        };
        let links = if customer_portal || supplier_portal {
            self.tx
                .link_grants()
                .of_links(&[contact], None, true)
                .await?
        } else {
            Vec::new()
        };
        let role_ids: BTreeSet<Uuid> = links
            .iter()
            .flat_map(|l| l.role_ids.iter().copied())
            .collect();
        let roles = if role_ids.is_empty() {
            Vec::new()
        } else {
            self.tx.portal_roles().by_ids(&role_ids).await?
        };
        Ok(Some(ContactPolicyRows {
            contact,
            session_epoch,
            customer_portal,
            supplier_portal,
            links,
            roles,
        }))
    }
}
