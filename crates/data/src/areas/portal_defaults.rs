//! The company's default portal roles: per portal, the role a contact's links get
//! when the contact is given access to that portal (or none: the links grant
//! nothing until staff choose). An area handle borrowed from the transaction.

use portico_domain::{FieldErrors, Portal};
use sea_query::{Expr, ExprTrait, Query};
use serde_json::json;
use uuid::Uuid;

use crate::tables::PortalDefaultRoles;
use crate::{By, ContactId, DataError, LinkAccessInput, TenantTx};

/// The default portal roles of the transaction's tenant.
pub struct PortalDefaultsArea<'t> {
    pub(crate) tx: &'t mut TenantTx,
}

impl PortalDefaultsArea<'_> {
    /// The default role of a portal, if the company chose one.
    pub async fn role(&mut self, portal: Portal) -> Result<Option<Uuid>, DataError> {
        let select = Query::select()
            .column(PortalDefaultRoles::RoleId)
            .from(PortalDefaultRoles::Table)
            .and_where(Expr::col(PortalDefaultRoles::TenantId).eq(self.tx.tenant_id().as_uuid()))
            .and_where(Expr::col(PortalDefaultRoles::Portal).eq(portal.as_str()))
            .to_owned();
        let row: Option<(Uuid,)> = self.tx.conn.fetch_optional(&select).await?;
        Ok(row.map(|(id,)| id))
    }

    /// Sets a portal's default role (`None`: no default). The role must be one
    /// of this company's roles of that portal, else a field error on
    /// `default_role_<portal>`. A change is audited as a settings change.
    pub async fn set(
        &mut self,
        portal: Portal,
        role: Option<Uuid>,
        by: By<'_>,
    ) -> Result<(), DataError> {
        let field = match portal {
            Portal::Customer => "default_role_customer",
            Portal::Supplier => "default_role_supplier",
        };
        if let Some(id) = role
            && self
                .tx
                .portal_roles()
                .find(id)
                .await?
                .is_none_or(|r| r.portal != portal)
        {
            let mut errors = FieldErrors::default();
            errors.add(field, "field-choice-invalid");
            return Err(DataError::Invalid(errors));
        }
        let before = self.role(portal).await?;
        if before == role {
            return Ok(());
        }
        let tenant = self.tx.tenant_id().as_uuid();
        let delete = Query::delete()
            .from_table(PortalDefaultRoles::Table)
            .and_where(Expr::col(PortalDefaultRoles::TenantId).eq(tenant))
            .and_where(Expr::col(PortalDefaultRoles::Portal).eq(portal.as_str()))
            .to_owned();
        self.tx.conn.execute(&delete).await?;
        if let Some(id) = role {
            let insert = Query::insert()
                .into_table(PortalDefaultRoles::Table)
                .columns([
                    PortalDefaultRoles::TenantId,
                    PortalDefaultRoles::Portal,
                    PortalDefaultRoles::RoleId,
                ])
                .values_panic([tenant.into(), portal.as_str().into(), id.into()])
                .to_owned();
            self.tx.conn.execute(&insert).await?;
        }
        self.tx
            .audit()
            .log(
                by,
                "settings.update",
                ("tenant", tenant),
                None,
                json!({ (field): { "before": before, "after": role } }),
            )
            .await
    }

    /// Gives the portal's default role to every link of `contact` to that
    /// portal's accounts that grants nothing yet (no role, no individual
    /// permission), keeping its branches; each change is audited on the link.
    /// Returns how many links got it (none without a default role).
    pub async fn apply(
        &mut self,
        contact: ContactId,
        portal: Portal,
        by: By<'_>,
    ) -> Result<usize, DataError> {
        let Some(role) = self.role(portal).await? else {
            return Ok(0);
        };
        let bare: Vec<_> = self
            .tx
            .link_grants()
            .of_contact(contact)
            .await?
            .into_iter()
            .filter(|l| l.portal == portal && l.role_ids.is_empty() && l.permissions.is_empty())
            .collect();
        for link in &bare {
            let input = LinkAccessInput {
                role_ids: vec![role],
                permissions: Vec::new(),
                all_branches: link.all_branches,
                branch_ids: link.branch_ids.clone(),
                approval_limit: link.approval_limit,
            };
            self.tx.link_grants().set(link.link_id, &input, by).await?;
        }
        Ok(bare.len())
    }
}
