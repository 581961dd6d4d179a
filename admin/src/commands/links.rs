//! Links between contacts and customers or suppliers: linking (from a contact's
//! record, the duplicate-email offer, or the API), changing a link's position
//! and primary flag, and unlinking. Each needs write on the contacts of the
//! account's kind.

use portico_authz::{Action, Area};
use portico_data::{AccountId, Contact, ContactId, ContactLink, LinkId, TenantTx};
use portico_domain::{AccountKind, FieldErrors, LinkFields, LinkInput};
use portico_web::AppError;

use super::Issuer;

/// The account to link to: by id (another tenant's is "not found"), or by kind
/// and code as a person types it (an unknown one is a field error on `code`).
pub(crate) enum AccountRef<'a> {
    Id(AccountId),
    Code(Option<AccountKind>, &'a str),
}

/// Links a contact to an account; returns the contact and the new link.
pub(crate) async fn link(
    issuer: &Issuer<'_>,
    contact: ContactId,
    account: AccountRef<'_>,
    input: &LinkInput,
) -> Result<(Contact, ContactLink), AppError> {
    let fields = input.validate();
    let mut tx = issuer.tx().await?;
    let contact = tx
        .contacts()
        .find(contact)
        .await?
        .ok_or(AppError::NotFound)?;
    let account = match account {
        AccountRef::Id(id) => Some(tx.accounts().find(id).await?.ok_or(AppError::NotFound)?),
        AccountRef::Code(Some(kind), code) => tx.accounts().find_by_code(kind, code).await?,
        AccountRef::Code(None, _) => None,
    };
    let (account, fields) = match (account, fields) {
        (None, _) => {
            let mut errors = FieldErrors::default();
            errors.add("code", "link-account-not-found");
            return Err(AppError::Invalid(errors));
        }
        (Some(_), Err(errors)) => return Err(AppError::Invalid(errors)),
        (Some(account), Ok(fields)) => (account, fields),
    };
    issuer
        .require(Area::contacts_of(account.kind), Action::Write)
        .await?;
    let link = tx
        .links()
        .create(contact.id, account.id, &fields, issuer.by)
        .await?
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok((contact, link))
}

/// Loads a link and refuses unless the issuer may change its account's contacts.
async fn editable_link(
    tx: &mut TenantTx,
    issuer: &Issuer<'_>,
    id: LinkId,
) -> Result<ContactLink, AppError> {
    let link = tx.links().find(id).await?.ok_or(AppError::NotFound)?;
    issuer
        .require(Area::contacts_of(link.account_kind), Action::Write)
        .await?;
    Ok(link)
}

/// Changes a link's position and primary flag; returns its contact and the link.
pub(crate) async fn update(
    issuer: &Issuer<'_>,
    id: LinkId,
    fields: &LinkFields,
) -> Result<(Contact, ContactLink), AppError> {
    let mut tx = issuer.tx().await?;
    let link = editable_link(&mut tx, issuer, id).await?;
    let link = tx
        .links()
        .update(link.id, fields, issuer.by)
        .await?
        .ok_or(AppError::NotFound)?;
    let contact = tx
        .contacts()
        .find(link.contact_id)
        .await?
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok((contact, link))
}

/// Removes a link (the contact and the account stay); returns what it was.
pub(crate) async fn unlink(issuer: &Issuer<'_>, id: LinkId) -> Result<ContactLink, AppError> {
    let mut tx = issuer.tx().await?;
    let link = editable_link(&mut tx, issuer, id).await?;
    tx.links().remove(link.id, issuer.by).await?;
    tx.commit().await?;
    Ok(link)
}
