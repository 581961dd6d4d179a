//! Turning a contact's access to a portal on: the one command behind the
//! "Acceso al portal" page's switch, the API's, and the contact form's portal
//! boxes. Access on, the company's default role on the links that grant nothing
//! yet, and an invitation for a contact without a password, all in the caller's
//! transaction; the caller commits, then wakes the mailer.

use portico_data::{By, Contact, PortalStatus, Tenant, TenantTx};
use portico_domain::Portal;
use portico_web::{AppError, AppState};

use crate::invitations;

/// What turning access on did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Granted {
    /// Access was off before.
    pub changed: bool,
    /// An invitation mail was written to the outbox: kick the mailer after commit.
    pub invited: bool,
}

/// Turns `contact`'s access to `portal` on in `tx`, inviting it when `invite`
/// (one invitation is enough for both portals: they share the password). A
/// contact without a main email (or archived) is a field error on `email`.
pub(crate) async fn grant(
    tx: &mut TenantTx,
    state: &AppState,
    tenant: &Tenant,
    contact: &Contact,
    portal: Portal,
    invite: bool,
    by: By<'_>,
) -> Result<Granted, AppError> {
    let changed = tx.portal_access().set(contact.id, portal, true, by).await? == Some(true);
    if changed {
        tx.portal_defaults().apply(contact.id, portal, by).await?;
    }
    // Someone without a password yet gets an invitation to set one.
    let invited = invite && changed && contact.portal.status != PortalStatus::Active;
    if invited {
        invitations::invite(tx, state, tenant, contact, portal, by).await?;
    }
    Ok(Granted { changed, invited })
}
