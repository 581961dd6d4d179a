//! A contact's links to customers and suppliers from the back office's pages:
//! linking from the record (by kind and code) or the duplicate-email offer (by
//! id), linking a person already in the directory from an account's Contacts
//! tab (by email), changing a link and removing it.

use poem::{
    IntoResponse, Response, handler,
    http::StatusCode,
    session::Session,
    web::{Form, Path, Redirect},
};
use portico_data::{ContactId, LinkId};
use portico_domain::LinkInput;
use portico_web::{
    AppError, Ui,
    page::{set_flash, set_flash_error, set_flash_named},
};
use serde::Deserialize;

use super::{
    fixed_account, parse,
    record::{LinkForm, render_record},
};
use crate::{
    SignedInStaff,
    commands::{
        Issuer,
        links::{self, AccountRef},
    },
    forms::safe_back,
};

/// `POST /admin/contacts/{id}/links`: links a contact to a customer or
/// supplier, chosen by id (the duplicate offer) or by kind and code (the
/// record's form); a problem shows the record again with the form's error.
#[handler]
pub(super) async fn add_link(
    ui: Ui,
    staff: SignedInStaff,
    session: &Session,
    Path(id): Path<String>,
    Form(form): Form<LinkForm>,
) -> Result<Response, AppError> {
    let id: ContactId = parse(&id)?;
    let account = if form.account_id.trim().is_empty() {
        AccountRef::Code(form.kind.parse().ok(), &form.code)
    } else {
        AccountRef::Id(parse(&form.account_id)?)
    };
    match links::link(&Issuer::staff(&staff, &ui), id, account, &form.link).await {
        Ok((contact, _)) => {
            set_flash_named(session, "link-saved", &contact.display_name);
            let to = safe_back(Some(&form.back)).unwrap_or_else(|| format!("/admin/contacts/{id}"));
            Ok(Redirect::see_other(to).into_response())
        }
        Err(AppError::Invalid(errors)) => {
            render_record(
                &ui,
                &staff,
                id,
                &form,
                &errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(other) => Err(other),
    }
}

/// `POST /admin/links/{id}`: a link's position and primary flag.
#[handler]
pub(super) async fn update_link(
    ui: Ui,
    staff: SignedInStaff,
    session: &Session,
    Path(id): Path<String>,
    Form(input): Form<LinkInput>,
) -> Result<Response, AppError> {
    let id: LinkId = parse(&id)?;
    let fields = input
        .validate()
        .map_err(|_| AppError::BadRequest("form-has-errors"))?;
    let (contact, _) = links::update(&Issuer::staff(&staff, &ui), id, &fields).await?;
    set_flash_named(session, "link-saved", &contact.display_name);
    Ok(Redirect::see_other(format!("/admin/contacts/{}", contact.id)).into_response())
}

#[derive(Deserialize)]
struct UnlinkForm {
    /// Where to go afterwards (an account's Contactos tab); else the contact.
    back: Option<String>,
}

/// `POST /admin/links/{id}/delete`: removes a link.
#[handler]
pub(super) async fn unlink(
    ui: Ui,
    staff: SignedInStaff,
    session: &Session,
    Path(id): Path<String>,
    Form(form): Form<UnlinkForm>,
) -> Result<Response, AppError> {
    let link = links::unlink(&Issuer::staff(&staff, &ui), parse(&id)?).await?;
    set_flash(session, "link-removed");
    let to = safe_back(form.back.as_deref())
        .unwrap_or_else(|| format!("/admin/contacts/{}", link.contact_id));
    Ok(Redirect::see_other(to).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct LinkExisting {
    account_id: String,
    email: String,
    #[serde(flatten)]
    link: LinkInput,
}

/// `POST /admin/contacts/link-existing`: links the contact with this main
/// email to an account (its Contacts tab), the way to relate a person who is
/// already in the directory. Problems come back as a flash on that tab.
#[handler]
pub(super) async fn link_existing(
    ui: Ui,
    staff: SignedInStaff,
    session: &Session,
    Form(form): Form<LinkExisting>,
) -> Result<Response, AppError> {
    let issuer = Issuer::staff(&staff, &ui);
    // Refused before the account (named in the form) is looked up: a user who
    // may link to neither kind of account learns nothing about the ids.
    if issuer
        .require(
            portico_authz::Area::CustomerContacts,
            portico_authz::Action::Write,
        )
        .await
        .is_err()
    {
        issuer
            .require(
                portico_authz::Area::SupplierContacts,
                portico_authz::Action::Write,
            )
            .await?;
    }
    let mut tx = issuer.tx().await?;
    let account = fixed_account(&mut tx, &form.account_id)
        .await?
        .ok_or(AppError::NotFound)?;
    issuer
        .require(
            portico_authz::Area::contacts_of(account.kind),
            portico_authz::Action::Write,
        )
        .await?;
    let back = format!(
        "/admin/{}/{}?tab=contacts",
        account.kind.plural(),
        account.id
    );
    let contact = match portico_domain::Email::parse(&form.email) {
        Ok(email) => tx.contacts().find_by_email(&email).await?,
        Err(_) => None,
    };
    tx.commit().await?;
    let (Some(contact), Ok(_)) = (contact, form.link.validate()) else {
        set_flash_error(session, "link-email-not-found");
        return Ok(Redirect::see_other(back).into_response());
    };
    match links::link(&issuer, contact.id, AccountRef::Id(account.id), &form.link).await {
        Ok(_) => set_flash_named(session, "link-saved", &contact.display_name),
        Err(AppError::Invalid(errors)) => set_flash_error(
            session,
            errors.0.first().map_or("form-has-errors", |e| e.message),
        ),
        Err(other) => return Err(other),
    }
    Ok(Redirect::see_other(back).into_response())
}
