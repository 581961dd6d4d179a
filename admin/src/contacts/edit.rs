//! Editing a contact: the form with its values (and the portal boxes of the
//! portals its links could open) and saving it, photo included.

use poem::{
    IntoResponse, Response, handler,
    http::StatusCode,
    session::Session,
    web::{Path, Redirect},
};
use portico_data::{Contact, ContactId, ContactLink};
use portico_domain::{ContactInput, FieldErrors, Portal};
use portico_web::{AppError, FormWithFiles, Ui, page::set_flash_named};

use super::{
    form::{ContactForm, FormView, render_errors, render_form, validate_with_photo},
    parse,
};
use crate::{
    SignedInStaff,
    commands::{
        Issuer,
        contacts::{self, Edit, PhotoChange},
    },
    photos,
};

/// `GET /admin/contacts/{id}/edit`: the form with the contact's values.
#[handler]
pub(super) async fn edit_form(
    ui: Ui,
    staff: SignedInStaff,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let mut tx = ui.state.db.tenant_tx(&staff.tenant.0).await?;
    let (contact, links) =
        contacts::editable(&mut tx, &Issuer::staff(&staff, &ui), parse(&id)?).await?;
    tx.commit().await?;
    let form = ContactForm {
        contact: ContactInput::from(&contact.fields),
        back: format!("/admin/contacts/{}", contact.id),
        ..ContactForm::default()
    };
    let view = FormView {
        contact: Some(&contact),
        account: None,
        form: &form,
        errors: &FieldErrors::default(),
        duplicate: None,
        status: StatusCode::OK,
        photo_chosen: false,
        portals: closed_portals(&contact, &links),
        picker: None,
    };
    render_form(&ui, &staff, view).await
}

/// The portals of a contact's links its access is still off to: the boxes its
/// edit form offers.
fn closed_portals(contact: &Contact, links: &[ContactLink]) -> Vec<Portal> {
    Portal::ALL
        .into_iter()
        .filter(|p| !contact.portal.to(*p))
        .filter(|p| links.iter().any(|l| Portal::of(l.account_kind) == *p))
        .collect()
}

/// `POST /admin/contacts/{id}`: saves the edit, or shows the form again with its errors.
#[handler]
pub(super) async fn update(
    ui: Ui,
    staff: SignedInStaff,
    session: &Session,
    Path(id): Path<String>,
    upload: FormWithFiles<ContactForm>,
) -> Result<Response, AppError> {
    let photo = upload.file(photos::FIELD).map(|f| f.bytes.clone());
    let form = upload.form;
    let id: ContactId = parse(&id)?;
    let mut tx = ui.state.db.tenant_tx(&staff.tenant.0).await?;
    let (contact, links) = contacts::editable(&mut tx, &Issuer::staff(&staff, &ui), id).await?;
    tx.commit().await?;
    let linked: Vec<Portal> = links.iter().map(|l| Portal::of(l.account_kind)).collect();
    let view = FormView {
        contact: Some(&contact),
        account: None,
        form: &form,
        errors: &FieldErrors::default(),
        duplicate: None,
        status: StatusCode::UNPROCESSABLE_ENTITY,
        photo_chosen: photo.is_some(),
        portals: closed_portals(&contact, &links),
        picker: None,
    };
    let (fields, photo) =
        match validate_with_photo(&ui.state, &form, photo, &staff, false, &linked).await? {
            Ok((fields, _, photo)) => (fields, photo),
            Err(errors) => {
                return render_errors(&ui, &staff, view, &errors).await;
            }
        };
    let (files, tenant) = (&ui.state.files, staff.tenant.0.id());
    let new_photo = match photo {
        Some(photo) => Some(photos::store(files, tenant, photo).await?),
        None => None,
    };
    let remove = !matches!(form.remove_photo.as_str(), "" | "false");
    let portals = form.portals();
    let edit = Edit {
        fields: &fields,
        // A new upload wins over the "remove" box.
        photo: match (new_photo, remove) {
            (Some(photo), _) => PhotoChange::Set(photo),
            (None, true) => PhotoChange::Remove,
            (None, false) => PhotoChange::Keep,
        },
        // The boxes ticked: access on, with the same command as the access page.
        portals: &portals,
    };
    let saved = contacts::update(&Issuer::staff(&staff, &ui), id, edit).await;
    let previous = saved.as_ref().ok().and_then(|e| e.previous_photo);
    photos::settle(files, tenant, saved.is_ok(), new_photo, previous).await;
    match saved {
        Ok(edited) => {
            set_flash_named(session, "contact-saved", &edited.contact.display_name);
            Ok(Redirect::see_other(format!("/admin/contacts/{id}")).into_response())
        }
        Err(AppError::Invalid(errors)) => render_errors(&ui, &staff, view, &errors).await,
        Err(other) => Err(other),
    }
}
