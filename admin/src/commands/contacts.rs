//! Contacts: adding one (the form's ways in, and the admin API's `POST /contacts`
//! and `POST /{customers|suppliers}/{id}/contacts`), editing, archiving and
//! restoring, deleting, its photo, and the one rule of who may change a contact.
//! Adding writes the contact, its link, its photo and the portal access asked
//! for (with the company's default role and the invitation mail) in one
//! transaction; the mailer is woken only after it commits.

use portico_authz::{Action, Area};
use portico_data::{Account, AddedContact, Contact, ContactId, ContactLink, TenantTx};
use portico_domain::{
    AccountKind, ContactFields, ContactInput, FieldErrors, LinkFields, LinkInput, Portal,
    RequiredFields,
};
use portico_web::AppError;
use uuid::Uuid;

use super::{Issuer, portal_access};
use crate::photos;

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
fn check_portals(
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

/// A contact as submitted (a form or an API body), before it is checked.
pub(crate) struct ContactSubmission<'a> {
    pub contact: &'a ContactInput,
    /// The link's fields, when the contact is (being) linked to an account.
    pub link: Option<&'a LinkInput>,
    /// The portals of the accounts it is (or will be) linked to.
    pub linked: &'a [Portal],
    /// The portals it is asked to get access to.
    pub portals: &'a [Portal],
}

impl ContactSubmission<'_> {
    /// Checks the contact under the company's `rule`, the link when there is
    /// one, and the portals asked for: every field error at once.
    pub(crate) fn validate(
        &self,
        rule: RequiredFields,
    ) -> Result<(ContactFields, LinkFields), FieldErrors> {
        let contact = self.contact.validate(rule);
        let link = self
            .link
            .map_or(Ok(LinkFields::default()), LinkInput::validate);
        let has_email = !self.contact.email.trim().is_empty();
        let portals = check_portals(has_email, self.linked, self.portals);
        match (contact, link, portals) {
            (Ok(c), Ok(l), Ok(())) => Ok((c, l)),
            (c, l, p) => {
                let mut errors = c.err().unwrap_or_default();
                errors.0.extend(l.err().unwrap_or_default().0);
                errors.0.extend(p.err().unwrap_or_default().0);
                Err(errors)
            }
        }
    }
}

/// Loads a contact and refuses (403) unless the issuer may change it: write on
/// the contacts of every one of its accounts' kinds, or on contacts when it has
/// no links. The one rule behind every page and API change to a contact.
pub(crate) async fn editable(
    tx: &mut TenantTx,
    issuer: &Issuer<'_>,
    id: ContactId,
) -> Result<(Contact, Vec<ContactLink>), AppError> {
    let contact = tx.contacts().find(id).await?.ok_or(AppError::NotFound)?;
    let links = tx.links().of_contacts(&[id]).await?;
    let kinds: Vec<AccountKind> = links.iter().map(|l| l.account_kind).collect();
    issuer.require_contact(&kinds).await?;
    Ok((contact, links))
}

/// A contact to add.
pub(crate) struct NewContact<'a> {
    pub fields: &'a ContactFields,
    /// The account to link it to, with the link's fields.
    pub link: Option<(&'a Account, &'a LinkFields)>,
    /// The portals to give it access to.
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
pub(crate) async fn add(issuer: &Issuer<'_>, new: NewContact<'_>) -> Result<Added, AppError> {
    let linked: Vec<Portal> = new.link.iter().map(|(a, _)| Portal::of(a.kind)).collect();
    check_portals(new.fields.email.is_some(), &linked, new.portals).map_err(AppError::Invalid)?;
    let area = new
        .link
        .map_or(Area::Contacts, |(a, _)| Area::contacts_of(a.kind));
    issuer.require(area, Action::Write).await?;
    let mut tx = issuer.tx().await?;
    let link = new.link.map(|(account, fields)| (account.id, fields));
    let contact = match tx.contacts().add(new.fields, link, issuer.by).await? {
        AddedContact::Created(contact) => contact,
        AddedContact::Existing(existing) => {
            let links = tx.links().of_contacts(&[existing.id]).await?;
            return Ok(Added::Existing(existing, links));
        }
    };
    if new.photo.is_some() {
        tx.contacts()
            .set_photo(contact.id, new.photo, issuer.by)
            .await?;
    }
    let invited = portal_access::grant_all(&mut tx, issuer, &contact, new.portals).await?;
    let contact = tx.contacts().find(contact.id).await?.unwrap_or(contact);
    let links = tx.links().of_contacts(&[contact.id]).await?;
    tx.commit().await?;
    if invited {
        issuer.wake_mailer();
    }
    Ok(Added::Created(contact, links))
}

/// What to do with a contact's photo while editing it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PhotoChange {
    Keep,
    /// Replace it with this one, already in the file store.
    Set(Uuid),
    Remove,
}

/// An edit of a contact.
pub(crate) struct Edit<'a> {
    pub fields: &'a ContactFields,
    pub photo: PhotoChange,
    /// Portals to turn its access on to (the edit form's boxes).
    pub portals: &'a [Portal],
}

/// What editing a contact did.
pub(crate) struct Edited {
    pub contact: Contact,
    pub links: Vec<ContactLink>,
    /// The photo it had before, when it was replaced or removed: its files go
    /// once the edit is committed (see [`photos::settle`]).
    pub previous_photo: Option<Uuid>,
}

/// Replaces a contact's fields, maybe its photo, and turns on the portal
/// access asked for (with the same command as the access page), in one
/// transaction; wakes the mailer when an invitation was written.
pub(crate) async fn update(
    issuer: &Issuer<'_>,
    id: ContactId,
    edit: Edit<'_>,
) -> Result<Edited, AppError> {
    let mut tx = issuer.tx().await?;
    editable(&mut tx, issuer, id).await?;
    let contact = tx
        .contacts()
        .update(id, edit.fields, issuer.by)
        .await?
        .ok_or(AppError::NotFound)?;
    let previous_photo = match edit.photo {
        PhotoChange::Keep => None,
        PhotoChange::Set(photo) => tx.contacts().set_photo(id, Some(photo), issuer.by).await?,
        PhotoChange::Remove => tx.contacts().set_photo(id, None, issuer.by).await?,
    };
    let invited = portal_access::grant_all(&mut tx, issuer, &contact, edit.portals).await?;
    let links = tx.links().of_contacts(&[id]).await?;
    tx.commit().await?;
    if invited {
        issuer.wake_mailer();
    }
    Ok(Edited {
        contact,
        links,
        previous_photo,
    })
}

/// Archives (or restores) a contact; returns it with its links.
pub(crate) async fn set_archived(
    issuer: &Issuer<'_>,
    id: ContactId,
    archived: bool,
) -> Result<(Contact, Vec<ContactLink>), AppError> {
    let mut tx = issuer.tx().await?;
    let (_, links) = editable(&mut tx, issuer, id).await?;
    let contact = tx
        .contacts()
        .set_archived(id, archived, issuer.by)
        .await?
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok((contact, links))
}

/// Deletes a contact and its links for good (the audit log keeps what it was),
/// then its photo's files; returns what it was.
pub(crate) async fn delete(
    issuer: &Issuer<'_>,
    id: ContactId,
) -> Result<(Contact, Vec<ContactLink>), AppError> {
    let mut tx = issuer.tx().await?;
    let (contact, links) = editable(&mut tx, issuer, id).await?;
    tx.contacts().delete(id, issuer.by).await?;
    tx.commit().await?;
    if let Some(photo) = contact.photo_id {
        photos::remove(&issuer.state.files, issuer.tenant.id(), photo).await;
    }
    Ok((contact, links))
}

/// Sets or removes a contact's photo (already in the file store) and returns
/// the previous one, whose files go once this committed.
pub(crate) async fn set_photo(
    issuer: &Issuer<'_>,
    id: ContactId,
    photo: Option<Uuid>,
) -> Result<Option<Uuid>, AppError> {
    let mut tx = issuer.tx().await?;
    editable(&mut tx, issuer, id).await?;
    let previous = tx.contacts().set_photo(id, photo, issuer.by).await?;
    tx.commit().await?;
    Ok(previous)
}
