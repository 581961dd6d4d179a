//! The contact form as a page: the contact's fields in groups, the link's
//! fields when it is opened for an account, the portal boxes, the photo and
//! the account picker; and the check of what it submits, photo included.

use poem::{IntoResponse, Response, http::StatusCode};
use portico_authz::{Action, Area};
use portico_data::{Account, AccountFilter, Contact, ContactList, TenantTx};
use portico_domain::{
    AccountKind, ContactFields, ContactInput, FieldErrors, LinkFields, LinkInput, Portal,
    RequiredFields, fields::limits,
};
use portico_web::{AppError, Lang, Ui};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::encode;
use crate::{
    SignedInStaff,
    accounts::account_json,
    choices::{list_choices, owner_choices},
    commands::contacts::{ContactSubmission, portal_field},
    forms::{Choice, FormBuilder, Group, country_choices},
    photos,
};

/// The contact form: the contact's fields, and when it is opened for an
/// account, that account and the link's fields.
#[derive(Deserialize, Serialize, Default)]
#[serde(default)]
pub(super) struct ContactForm {
    #[serde(flatten)]
    pub contact: ContactInput,
    #[serde(flatten)]
    pub link: LinkInput,
    pub account_id: String,
    pub back: String,
    /// The edit form's "Remove photo" checkbox (a new upload wins over it).
    pub remove_photo: String,
    /// The portal boxes: give the contact access to that portal on saving.
    pub portal_customer: String,
    pub portal_supplier: String,
    /// Set when the account was picked on the form (the list's "New"), not
    /// fixed by the account the form was opened from.
    pub picked: String,
}

impl ContactForm {
    /// The portals whose box is ticked.
    pub(super) fn portals(&self) -> Vec<Portal> {
        Portal::ALL
            .into_iter()
            .filter(|p| {
                let raw = match p {
                    Portal::Customer => &self.portal_customer,
                    Portal::Supplier => &self.portal_supplier,
                };
                !matches!(raw.as_str(), "" | "false")
            })
            .collect()
    }
}

/// Which area a new contact is written in: its account's contacts, or contacts.
pub(super) fn area_for(account: Option<&Account>) -> Area {
    account.map_or(Area::Contacts, |a| Area::contacts_of(a.kind))
}

/// What the form page shows: the contact (on an edit), the account it is
/// fixed to, what was submitted and what was wrong with it.
pub(super) struct FormView<'a> {
    pub contact: Option<&'a Contact>,
    pub account: Option<&'a Account>,
    pub form: &'a ContactForm,
    pub errors: &'a FieldErrors,
    pub duplicate: Option<Value>,
    pub status: StatusCode,
    /// A photo was sent with this submission: if the page comes back, the
    /// browser has dropped the file, and the user is told to choose it again.
    pub photo_chosen: bool,
    /// The portals whose access box the form offers.
    pub portals: Vec<Portal>,
    /// On a new contact not fixed to an account: the account picker's search.
    pub picker: Option<&'a str>,
}

/// Accounts the picker lists per kind (more: the user refines the search).
const PICKS: u64 = 20;

/// The account picker of a new contact's form: the accounts of each kind this
/// user may add contacts to whose code or name matches `q`.
async fn picker_json(
    tx: &mut TenantTx,
    staff: &SignedInStaff,
    q: &str,
    back: &str,
) -> Result<Value, AppError> {
    let bo = crate::access::policy().await?;
    let mut results = Vec::new();
    let mut more = false;
    if !q.trim().is_empty() {
        for kind in AccountKind::ALL {
            if !bo.allows(staff.user.role, Area::contacts_of(kind), Action::Write) {
                continue;
            }
            let filter = AccountFilter {
                kind,
                search: Some(q.trim().to_owned()),
                archived: false,
            };
            let mut found = tx.accounts().list(&filter, None, PICKS + 1).await?;
            more |= found.len() as u64 > PICKS;
            found.truncate(PICKS as usize);
            results.extend(found.iter().map(|a| {
                json!({
                    "kind": a.kind.as_str(),
                    "code": a.fields.code,
                    "name": a.fields.name,
                    "href": format!(
                        "/admin/contacts/new?account={}&picked=1&back={}",
                        a.id,
                        encode(back)
                    ),
                })
            }));
        }
    }
    Ok(json!({ "q": q, "results": results, "more": more, "count": PICKS }))
}

/// The form's portal group: a box per portal offered, each saying which role
/// the company gives new portal contacts.
async fn portal_group(
    tx: &mut TenantTx,
    lang: &Lang,
    view: &FormView<'_>,
) -> Result<Vec<Group>, AppError> {
    if view.portals.is_empty() {
        return Ok(Vec::new());
    }
    let mut group = FormBuilder::new(lang, view.form, view.errors).group("group-portal");
    for portal in &view.portals {
        let role = match tx.portal_defaults().role(*portal).await? {
            Some(id) => tx.portal_roles().find(id).await?,
            None => None,
        };
        let role = match role {
            Some(role) => lang.t_args(
                "contact-form-portal-role",
                &[("role", role.name(lang.0).to_owned().into())],
            ),
            None => lang.t("contact-form-portal-no-role"),
        };
        group = group
            .checkbox(portal_field(*portal))
            .hint_text(format!("{} {role}", lang.t("hint-portal_access")));
    }
    Ok(group.build())
}

/// The contact's own groups of fields.
async fn contact_groups(
    tx: &mut TenantTx,
    lang: &Lang,
    input: &ContactInput,
    errors: &FieldErrors,
    rule: RequiredFields,
) -> Result<Vec<Group>, AppError> {
    let both_names = rule == RequiredFields::FirstAndLastName;
    let titles = list_choices(tx, ContactList::Titles, &input.title_id).await?;
    let categories = list_choices(tx, ContactList::Categories, &input.category_id).await?;
    let owners = owner_choices(tx).await?;
    let languages = vec![Choice::new("es", "Español"), Choice::new("en", "English")];
    Ok(FormBuilder::new(lang, input, errors)
        .group("group-main")
        .select("title_id", titles)
        .text("first_name", limits::NAME)
        .required_if(both_names)
        .autocomplete("off")
        .text("last_name", limits::NAME)
        .required_if(both_names)
        .autocomplete("off")
        .text("nickname", limits::NAME)
        .text("position", limits::TEXT)
        .text("department", limits::TEXT)
        .select("category_id", categories)
        .select("owner_id", owners)
        .text("id_doc_type", limits::SHORT)
        .hint("hint-id_doc_type")
        .text("id_doc_number", limits::SHORT)
        .select("nationality", country_choices(lang))
        .text("licence_number", limits::SHORT)
        .text("licence_category", limits::SHORT)
        .input("licence_expiry", "date", 10)
        .textarea("notes", limits::LONG_TEXT)
        .textarea("important_dates", limits::LONG_TEXT)
        .hint("hint-important_dates")
        .group("group-communication")
        .input("email", "email", 254)
        .hint("hint-email")
        .input("personal_email", "email", 254)
        .input("phone", "tel", limits::SHORT)
        .input("mobile", "tel", limits::SHORT)
        .input("fax", "tel", limits::SHORT)
        .group("group-social")
        .input("facebook_url", "url", limits::URL)
        .input("linkedin_url", "url", limits::URL)
        .input("x_url", "url", limits::URL)
        .group("group-address")
        .textarea("street", limits::TEXT * 2)
        .text("city", limits::NAME)
        .text("state", limits::NAME)
        .text("postal_code", limits::SHORT / 2)
        .select("country", country_choices(lang))
        .group("group-preferences")
        .checkbox("email_opt_out")
        .select("preferred_language", languages)
        .textarea("preferences", limits::LONG_TEXT)
        .build())
}

/// The form's last group: the photo input, and on an edit the current photo
/// and the box that removes it.
fn photo_group(lang: &Lang, view: &FormView<'_>) -> Vec<Group> {
    let mut photo = FormBuilder::new(lang, view.form, view.errors)
        .group("group-photo")
        .file(photos::FIELD, photos::ACCEPT)
        .hint("hint-photo");
    if let Some(contact) = view.contact.filter(|c| c.photo_id.is_some()) {
        photo = photo
            .preview(
                format!("/admin/contacts/{}/photo/thumbnail", contact.id),
                contact.display_name.clone(),
            )
            .checkbox("remove_photo");
    }
    photo.build()
}

/// Renders the form page again with `errors` (the status is `view`'s).
pub(super) async fn render_errors(
    ui: &Ui,
    staff: &SignedInStaff,
    view: FormView<'_>,
    errors: &FieldErrors,
) -> Result<Response, AppError> {
    render_form(ui, staff, FormView { errors, ..view }).await
}

/// Renders the form page with `view`'s values, errors and status.
pub(super) async fn render_form(
    ui: &Ui,
    staff: &SignedInStaff,
    view: FormView<'_>,
) -> Result<Response, AppError> {
    let rule = staff.tenant.0.contact_required();
    let mut errors = view.errors.clone();
    if view.photo_chosen && view.status != StatusCode::OK && errors.get(photos::FIELD).is_none() {
        errors.add(photos::FIELD, "photo-choose-again");
    }
    let view = FormView {
        errors: &errors,
        ..view
    };
    let mut tx = ui.state.db.tenant_tx(&staff.tenant.0).await?;
    let mut groups =
        contact_groups(&mut tx, &ui.lang, &view.form.contact, view.errors, rule).await?;
    let portals = portal_group(&mut tx, &ui.lang, &view).await?;
    let picker = match (view.picker, view.account) {
        (Some(q), None) => Some(picker_json(&mut tx, staff, q, &view.form.back).await?),
        _ => None,
    };
    tx.commit().await?;
    if view.account.is_some() {
        groups.extend(
            FormBuilder::new(&ui.lang, &view.form.link, view.errors)
                .group("group-link")
                .text("link_position", limits::TEXT)
                .checkbox("is_primary")
                .build(),
        );
    }
    groups.extend(portals);
    groups.extend(photo_group(&ui.lang, &view));
    let mut ctx = staff.page(ui, "contacts").await?;
    ctx.insert(
        "required_marked",
        &(rule == RequiredFields::FirstAndLastName),
    );
    ctx.insert("rule_hint", &ui.lang.t(&format!("rule-{rule}")));
    ctx.insert(
        "contact",
        &view
            .contact
            .map(|c| json!({ "id": c.id.to_string(), "name": c.display_name })),
    );
    ctx.insert("account", &view.account.map(account_json));
    ctx.insert("back", &view.form.back);
    ctx.insert("groups", &groups);
    ctx.insert("has_errors", &!view.errors.is_empty());
    ctx.insert("duplicate", &view.duplicate);
    ctx.insert("link", &view.form.link);
    ctx.insert("picker", &picker);
    // A picked account can be changed: back to the picker.
    ctx.insert(
        "picked",
        &(view.picker.is_some() && view.account.is_some()).then(|| match view.form.back.as_str() {
            "" => "/admin/contacts/new".to_owned(),
            back => format!("/admin/contacts/new?back={}", encode(back)),
        }),
    );
    Ok(ui
        .render("admin/contact_form.html", &ctx)?
        .with_status(view.status)
        .into_response())
}

/// The form's fields and photo, all checked before anything is stored: every
/// field error at once, the photo's included.
pub(super) async fn validate_with_photo(
    state: &portico_web::AppState,
    form: &ContactForm,
    photo: Option<bytes::Bytes>,
    staff: &SignedInStaff,
    with_link: bool,
    linked: &[Portal],
) -> Result<Result<(ContactFields, LinkFields, Option<portico_files::Photo>), FieldErrors>, AppError>
{
    let portals = form.portals();
    let submission = ContactSubmission {
        contact: &form.contact,
        link: with_link.then_some(&form.link),
        linked,
        portals: &portals,
    };
    let valid = submission.validate(staff.tenant.0.contact_required());
    let photo = match photo {
        Some(bytes) => Some(photos::process(state, bytes).await?),
        None => None,
    };
    Ok(match (valid, photo.transpose()) {
        (Ok((contact, link)), Ok(photo)) => Ok((contact, link, photo)),
        (valid, photo) => {
            let mut errors = valid.err().unwrap_or_default();
            errors.0.extend(photo.err().unwrap_or_default().0);
            Err(errors)
        }
    })
}
