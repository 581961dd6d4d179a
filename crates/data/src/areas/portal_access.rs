//! Each contact's access to the portals: turning a portal on or off for a
//! contact, which bumps the policy version and is audited.

use chrono::Utc;
use portico_domain::{FieldErrors, Portal};
use sea_query::{Expr, ExprTrait, Query};
use serde_json::json;

use crate::tables::Contacts;
use crate::{By, ContactId, DataError, PortalStatus, TenantTx};

/// Whether a contact may use each portal.
pub struct PortalAccessArea<'t> {
    pub(crate) tx: &'t mut TenantTx,
}

impl PortalAccessArea<'_> {
    /// Turns a contact's access to a portal on or off. Turning it on needs a main
    /// email (the contact signs in with it). `None` when the contact is not here.
    pub async fn set(
        &mut self,
        contact: ContactId,
        portal: Portal,
        on: bool,
        by: By<'_>,
    ) -> Result<Option<bool>, DataError> {
        let Some(person) = self.tx.contacts().find(contact).await? else {
            return Ok(None);
        };
        if person.portal.to(portal) == on {
            return Ok(Some(false));
        }
        if on && (person.fields.email.is_none() || person.archived_at.is_some()) {
            let mut errors = FieldErrors::default();
            errors.add(
                "email",
                if person.archived_at.is_some() {
                    "portal-archived"
                } else {
                    "portal-needs-email"
                },
            );
            return Err(DataError::Invalid(errors));
        }
        let column = match portal {
            Portal::Customer => Contacts::CustomerPortal,
            Portal::Supplier => Contacts::SupplierPortal,
        };
        let other = match portal {
            Portal::Customer => person.portal.supplier,
            Portal::Supplier => person.portal.customer,
        };
        let has_password: Option<(bool,)> = self
            .tx
            .conn
            .fetch_optional(
                &Query::select()
                    .expr(Expr::col(Contacts::PortalPasswordHash).is_not_null())
                    .from(Contacts::Table)
                    .and_where(Expr::col(Contacts::TenantId).eq(self.tx.tenant_id().as_uuid()))
                    .and_where(Expr::col(Contacts::Id).eq(contact.as_uuid()))
                    .to_owned(),
            )
            .await?;
        let status = match (on || other, has_password.is_some_and(|(p,)| p)) {
            (true, true) => PortalStatus::Active,
            (true, false) => PortalStatus::Invited,
            (false, _) if person.portal.status == PortalStatus::None => PortalStatus::None,
            (false, _) => PortalStatus::Disabled,
        };
        let update = Query::update()
            .table(Contacts::Table)
            .values([
                (column, on.into()),
                (Contacts::PortalStatus, status.as_str().into()),
                (Contacts::UpdatedAt, Utc::now().into()),
            ])
            .and_where(Expr::col(Contacts::TenantId).eq(self.tx.tenant_id().as_uuid()))
            .and_where(Expr::col(Contacts::Id).eq(contact.as_uuid()))
            .to_owned();
        self.tx.conn.execute(&update).await?;
        if on {
            self.tx.policy().bump_version().await?;
        } else if other {
            // Turning access off ends the contact's portal sessions for good
            // (turning it back on does not revive them); the epoch is the
            // contact's, so a session in its other portal ends too.
            self.tx
                .portal_credentials()
                .next_session_epoch(contact)
                .await?;
        } else {
            // No access left: pending invitations and links die with the sessions.
            self.tx.portal_credentials().void(contact).await?;
        }
        self.tx
            .audit()
            .log(
                by,
                "contact.portal_access",
                ("contact", contact.as_uuid()),
                None,
                json!({ "portal": portal, "before": !on, "after": on }),
            )
            .await?;
        Ok(Some(true))
    }
}
