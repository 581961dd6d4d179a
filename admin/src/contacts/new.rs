//! A new contact: the form (from the list, with the account picker, or fixed
//! to an account) and saving it.

use poem::{
    IntoResponse, Response, handler,
    http::StatusCode,
    session::Session,
    web::{Query, Redirect},
};
use portico_authz::Action;
use portico_domain::{ContactInput, FieldErrors, Portal};
use portico_web::{AppError, FormWithFiles, Ui, page::set_flash_named};
use serde::Deserialize;
use serde_json::json;

use super::{
    fixed_account,
    form::{ContactForm, FormView, area_for, render_errors, render_form, validate_with_photo},
};
use crate::{
    SignedInStaff,
    commands::{
        Issuer,
        contacts::{self, Added, NewContact},
    },
    contact_table::link_json,
    forms::safe_back,
    photos,
};

/// How the form for a new contact is opened.
#[derive(Deserialize, Default)]
struct NewQuery {
    account: Option<String>,
    back: Option<String>,
    /// The account picker's search (code or name).
    account_q: Option<String>,
    /// The account was picked with the picker.
    picked: Option<String>,
}

/// `GET /admin/contacts/new`: the form, fixed to `account` or with the picker.
#[handler]
pub(super) async fn new_form(
    ui: Ui,
    staff: SignedInStaff,
    Query(query): Query<NewQuery>,
) -> Result<Response, AppError> {
    let mut tx = ui.state.db.tenant_tx(&staff.tenant.0).await?;
    let account = fixed_account(&mut tx, query.account.as_deref().unwrap_or_default()).await?;
    tx.commit().await?;
    staff
        .require(area_for(account.as_ref()), Action::Write)
        .await?;
    let form = ContactForm {
        contact: ContactInput {
            owner_id: staff.user.id.to_string(),
            ..ContactInput::default()
        },
        account_id: account
            .as_ref()
            .map(|a| a.id.to_string())
            .unwrap_or_default(),
        back: safe_back(query.back.as_deref()).unwrap_or_default(),
        picked: query.picked.clone().unwrap_or_default(),
        ..ContactForm::default()
    };
    // The list's "New" picks its account; the other ways in fix it.
    let picks = account.is_none() || !form.picked.is_empty();
    let view = FormView {
        contact: None,
        account: account.as_ref(),
        form: &form,
        errors: &FieldErrors::default(),
        duplicate: None,
        status: StatusCode::OK,
        photo_chosen: false,
        portals: account.iter().map(|a| Portal::of(a.kind)).collect(),
        picker: picks.then_some(query.account_q.as_deref().unwrap_or_default()),
    };
    render_form(&ui, &staff, view).await
}

/// `POST /admin/contacts`: adds the contact (the one "add contact" command), or
/// shows the form again with its errors or the existing contact to link instead.
#[handler]
pub(super) async fn create(
    ui: Ui,
    staff: SignedInStaff,
    session: &Session,
    upload: FormWithFiles<ContactForm>,
) -> Result<Response, AppError> {
    let photo = upload.file(photos::FIELD).map(|f| f.bytes.clone());
    let mut form = upload.form;
    form.back = safe_back(Some(&form.back)).unwrap_or_default();
    let mut tx = ui.state.db.tenant_tx(&staff.tenant.0).await?;
    let account = fixed_account(&mut tx, &form.account_id).await?;
    tx.commit().await?;
    staff
        .require(area_for(account.as_ref()), Action::Write)
        .await?;
    let picks = account.is_none() || !form.picked.is_empty();
    let linked: Vec<Portal> = account.iter().map(|a| Portal::of(a.kind)).collect();
    let mut view = FormView {
        contact: None,
        account: account.as_ref(),
        form: &form,
        errors: &FieldErrors::default(),
        duplicate: None,
        status: StatusCode::UNPROCESSABLE_ENTITY,
        photo_chosen: photo.is_some(),
        portals: linked.clone(),
        picker: picks.then_some(""),
    };
    // The photo is decoded with no transaction open (SQLite's would block writers).
    let (fields, link, photo) =
        match validate_with_photo(&ui.state, &form, photo, &staff, account.is_some(), &linked)
            .await?
        {
            Ok(valid) => valid,
            Err(errors) => {
                return render_errors(&ui, &staff, view, &errors).await;
            }
        };
    let (files, tenant) = (&ui.state.files, staff.tenant.0.id());
    let new_photo = match photo {
        Some(photo) => Some(photos::store(files, tenant, photo).await?),
        None => None,
    };
    let portals = form.portals();
    let new = NewContact {
        fields: &fields,
        link: account.as_ref().map(|a| (a, &link)),
        portals: &portals,
        photo: new_photo,
    };
    let saved = contacts::add(&Issuer::staff(&staff, &ui), new).await;
    let created = matches!(saved, Ok(Added::Created(..)));
    photos::settle(files, tenant, created, new_photo, None).await;
    let created = match saved {
        Ok(Added::Created(contact, _)) => contact,
        // One person is one contact: offer the existing one instead of failing.
        Ok(Added::Existing(existing, links)) => {
            let linked_here = account
                .as_ref()
                .is_some_and(|a| links.iter().any(|l| l.account_id == a.id));
            let mut errors = FieldErrors::default();
            errors.add("email", "field-email-taken");
            view.duplicate = Some(json!({
                "id": existing.id.to_string(),
                "name": existing.display_name,
                "email": existing.fields.email,
                "href": format!("/admin/contacts/{}", existing.id),
                "link_action": format!("/admin/contacts/{}/links", existing.id),
                "links": links.iter().map(link_json).collect::<Vec<_>>(),
                "linked_here": linked_here,
            }));
            view.status = StatusCode::CONFLICT;
            return render_errors(&ui, &staff, view, &errors).await;
        }
        Err(AppError::Invalid(errors)) => {
            return render_errors(&ui, &staff, view, &errors).await;
        }
        Err(other) => return Err(other),
    };
    set_flash_named(session, "contact-saved", &created.display_name);
    // From an account's pages, back where the user started; from the list's
    // "New" (with or without a picked account), the new contact's record.
    let to = if picks || form.back.is_empty() {
        format!("/admin/contacts/{}", created.id)
    } else {
        form.back.clone()
    };
    Ok(Redirect::see_other(to).into_response())
}
