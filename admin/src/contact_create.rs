//! Adding a contact: the one command behind every "Add contact" (the form's ways
//! in, and the admin API's `POST /contacts` and `POST /{customers|suppliers}/{id}/contacts`).
//! The contact, its link, its photo and the portal access asked for (with the
//! company's default role and the invitation mail) are written in one
//! transaction; the mailer is woken only after it commits.

use portico_data::{Account, AddedContact, By, Contact, ContactLink, Tenant};
use portico_domain::{ContactFields, FieldErrors, LinkFields, Portal};
use portico_web::{AppError, AppState};
use uuid::Uuid;

use crate::access_grant;

/// The name of a portal's box on the contact form (and of its field errors).
pub(crate) fn portal_field(portal: Portal) -> &'static str {
    match portal {
        Portal::Customer => "portal_customer",
        Portal::Supplier => "portal_supplier",
    }
}

/// Checks, before anything is written, that the contact may get access to each
/// portal asked for: it needs a main email (an error on `email`) and a link to
/// an account of that portal's kind (an error on the portal's box).
pub(crate) fn check_portals(
    has_email: bool,
    linked: &[Portal],
    portals: &[Portal],
) -> Result<(), FieldErrors> {
    let mut errors = FieldErrors::default();
    if !portals.is_empty() && !has_email {
        errors.add("email", "contact-form-portal-needs-email");
    }
    for portal in portals.iter().filter(|p| !linked.contains(p)) {
        errors.add(portal_field(*portal), "contact-form-portal-needs-account");
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// A contact to add.
pub(crate) struct NewContact<'a> {
    pub fields: &'a ContactFields,
    /// The account to link it to, with the link's fields.
    pub link: Option<(&'a Account, &'a LinkFields)>,
    /// The portals to give it access to (checked with [`check_portals`]).
    pub portals: &'a [Portal],
    /// A photo already in the file store.
    pub photo: Option<Uuid>,
}

/// What adding a contact did.
pub(crate) enum Added {
    /// The new contact, with its link (if any).
    Created(Contact, Vec<ContactLink>),
    /// Another contact has the main email: nothing was written. Its links, so
    /// the caller can offer to link that person instead.
    Existing(Contact, Vec<ContactLink>),
}

/// Adds the contact in one transaction (see the module's documentation).
pub(crate) async fn add(
    state: &AppState,
    tenant: &Tenant,
    new: NewContact<'_>,
    by: By<'_>,
) -> Result<Added, AppError> {
    let linked: Vec<Portal> = new.link.iter().map(|(a, _)| Portal::of(a.kind)).collect();
    check_portals(new.fields.email.is_some(), &linked, new.portals).map_err(AppError::Invalid)?;
    let mut tx = state.db.tenant_tx(tenant).await?;
    let link = new.link.map(|(account, fields)| (account.id, fields));
    let contact = match tx.contacts().add(new.fields, link, by).await? {
        AddedContact::Created(contact) => contact,
        AddedContact::Existing(existing) => {
            let links = tx.links().of_contacts(&[existing.id]).await?;
            return Ok(Added::Existing(existing, links));
        }
    };
    if new.photo.is_some() {
        tx.contacts().set_photo(contact.id, new.photo, by).await?;
    }
    let mut invited = false;
    for portal in new.portals {
        invited |= access_grant::grant(&mut tx, state, tenant, &contact, *portal, !invited, by)
            .await?
            .invited;
    }
    let contact = tx.contacts().find(contact.id).await?.unwrap_or(contact);
    let links = tx.links().of_contacts(&[contact.id]).await?;
    tx.commit().await?;
    if invited {
        state.mail.kick(tenant);
    }
    Ok(Added::Created(contact, links))
}
