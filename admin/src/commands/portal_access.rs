//! A contact's portal access: turning access to a portal on (the access page's
//! switch, the API's, and the contact form's portal boxes) or off, sending a
//! new invitation or voiding them, and a link's grants. Access on means the
//! company's default role on the links that grant nothing yet, and an
//! invitation for a contact without a password, in the same transaction; the
//! mailer is woken once it commits.

use portico_data::{
    Contact, ContactId, LinkAccess, LinkAccessInput, LinkId, PortalStatus, TenantTx,
};
use portico_domain::Portal;
use portico_web::AppError;

use super::{Issuer, contacts::editable};
use crate::invitations;

/// Turns `contact`'s access to `portal` on in `tx`, inviting it when `invite`
/// (one invitation is enough for both portals: they share the password). A
/// contact without a main email (or archived) is a field error on `email`.
/// Whether an invitation mail was written (kick the mailer after commit).
async fn grant(
    tx: &mut TenantTx,
    issuer: &Issuer<'_>,
    contact: &Contact,
    portal: Portal,
    invite: bool,
) -> Result<bool, AppError> {
    let by = issuer.by;
    let changed = tx.portal_access().set(contact.id, portal, true, by).await? == Some(true);
    if changed {
        tx.portal_defaults().apply(contact.id, portal, by).await?;
    }
    // Someone without a password yet gets an invitation to set one.
    let invited = invite && changed && contact.portal.status != PortalStatus::Active;
    if invited {
        invitations::invite(tx, issuer.state, issuer.tenant, contact, portal, by).await?;
    }
    Ok(invited)
}

/// Turns `contact`'s access to each of `portals` on in `tx`, with at most one
/// invitation; whether one was written (kick the mailer after commit).
pub(crate) async fn grant_all(
    tx: &mut TenantTx,
    issuer: &Issuer<'_>,
    contact: &Contact,
    portals: &[Portal],
) -> Result<bool, AppError> {
    let mut invited = false;
    for portal in portals {
        invited |= grant(tx, issuer, contact, *portal, !invited).await?;
    }
    Ok(invited)
}

/// Turns a contact's access to `portal` on (inviting it when it has no
/// password yet) or off; whether an invitation was sent.
pub(crate) async fn set_access(
    issuer: &Issuer<'_>,
    id: ContactId,
    portal: Portal,
    on: bool,
) -> Result<bool, AppError> {
    let mut tx = issuer.tx().await?;
    let (contact, _) = editable(&mut tx, issuer, id).await?;
    let invited = if on {
        grant(&mut tx, issuer, &contact, portal, true).await?
    } else {
        tx.portal_access().set(id, portal, false, issuer.by).await?;
        false
    };
    tx.commit().await?;
    if invited {
        issuer.wake_mailer();
    }
    Ok(invited)
}

/// Sends a new invitation to a portal the contact has access to but has not
/// set a password for yet (409 `portal-invite-not-needed` otherwise); earlier
/// links stop working.
pub(crate) async fn resend_invitation(
    issuer: &Issuer<'_>,
    id: ContactId,
    portal: Portal,
) -> Result<(), AppError> {
    let mut tx = issuer.tx().await?;
    let (contact, _) = editable(&mut tx, issuer, id).await?;
    if !contact.portal.to(portal) || contact.portal.status == PortalStatus::Active {
        return Err(AppError::StateConflict("portal-invite-not-needed"));
    }
    invitations::invite(
        &mut tx,
        issuer.state,
        issuer.tenant,
        &contact,
        portal,
        issuer.by,
    )
    .await?;
    tx.commit().await?;
    issuer.wake_mailer();
    Ok(())
}

/// Voids every pending invitation of a contact.
pub(crate) async fn revoke_invitations(issuer: &Issuer<'_>, id: ContactId) -> Result<(), AppError> {
    let mut tx = issuer.tx().await?;
    editable(&mut tx, issuer, id).await?;
    invitations::revoke(&mut tx, id, issuer.by).await?;
    tx.commit().await?;
    Ok(())
}

/// Replaces a link's roles, individual permissions and visible branches;
/// returns the contact and the link's grants as saved.
pub(crate) async fn set_link_access(
    issuer: &Issuer<'_>,
    link: LinkId,
    input: &LinkAccessInput,
) -> Result<(Contact, LinkAccess), AppError> {
    let mut tx = issuer.tx().await?;
    let found = tx.links().find(link).await?.ok_or(AppError::NotFound)?;
    let (contact, _) = editable(&mut tx, issuer, found.contact_id).await?;
    let saved = tx
        .link_grants()
        .set(link, input, issuer.by)
        .await?
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok((contact, saved))
}
