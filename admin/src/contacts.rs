//! Contacts in the back office: the list (search, filters, sort, pagination),
//! the record (details, links, history), the form with the four ways in (from
//! the list, or fixed to a customer or supplier from its list row, its record's
//! action menu or its Contacts tab), the duplicate-email offer, links, archiving.

use std::collections::HashMap;

use poem::{
    IntoResponse, Response, get, handler,
    http::{StatusCode, Uri},
    post,
    session::Session,
    web::{Form, Html, Path, Query, Redirect},
};
use portico_authz::{Action, Area};
use portico_data::{
    Account, AccountFilter, AccountId, Contact, ContactFilter, ContactId, ContactLink, ContactList,
    ContactSort, DataError, LinkId, PortalFilter, TenantTx,
};
use portico_domain::{
    AccountKind, ContactFields, ContactInput, FieldErrors, LinkFields, LinkInput, Portal,
    RequiredFields, fields::limits,
};
use portico_web::{Access, ByMethod, Routes};
use portico_web::{
    AppError, FormWithFiles, Lang, Ui,
    page::{set_flash, set_flash_error, set_flash_named},
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{
    SignedInStaff, access_grant,
    accounts::{HISTORY, account_json},
    contact_create,
    forms::{Choice, FormBuilder, Group, country_choices, country_name, safe_back, tri_state},
    history::{history_rows, names_in, names_of},
    paging::{PAGE, cursor, here, next_link},
    photos,
};

/// Entries loaded for a select of titles, categories or owners.
const CHOICES: u64 = 500;

/// Adds the contact routes to the back office's.
pub(crate) fn routes(route: Routes) -> Routes {
    let read = Access::staff(Area::Contacts, Action::Read);
    let write = Access::staff(Area::Contacts, Action::Write);
    route
        .at(
            "/contacts",
            ByMethod::get(read).post(write),
            get(list_page).post(create),
        )
        .at("/contacts/new", write, get(new_form))
        .at(
            "/contacts/export.csv",
            read,
            get(crate::export::contacts_csv),
        )
        .at(
            "/contacts/export.vcf",
            read,
            get(crate::export::contacts_vcard),
        )
        .at(
            "/contacts/:id/vcard",
            read,
            get(crate::export::contact_vcard),
        )
        .at(
            "/contacts/:id",
            ByMethod::get(read).post(write),
            get(show).post(update),
        )
        .at("/contacts/:id/edit", write, get(edit_form))
        .at("/contacts/:id/archive", write, post(archive))
        .at("/contacts/:id/restore", write, post(restore))
        .at("/contacts/:id/delete", write, get(delete_page).post(delete))
        .at("/contacts/:id/links", write, post(add_link))
        .at("/contacts/link-existing", write, post(link_existing))
        .at("/links/:id", write, post(update_link))
        .at("/links/:id/delete", write, post(unlink))
        .at("/contacts/:id/photo", read, get(photos::photo_image))
        .at(
            "/contacts/:id/photo/thumbnail",
            read,
            get(photos::photo_thumbnail),
        )
}

fn parse<T: std::str::FromStr>(raw: &str) -> Result<T, AppError> {
    raw.trim().parse().map_err(|_| AppError::NotFound)
}

fn encode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// The staff users a record can be assigned to.
pub(crate) async fn owner_choices(tx: &mut TenantTx) -> Result<Vec<Choice>, AppError> {
    Ok(tx
        .list_staff_users(None, CHOICES)
        .await?
        .into_iter()
        .map(|u| Choice::new(u.id, u.name))
        .collect())
}

/// The entries of a list a form offers: the active ones, and `current` (the
/// value the record or filter has now) even when it is archived.
async fn list_choices(
    tx: &mut TenantTx,
    list: ContactList,
    current: &str,
) -> Result<Vec<Choice>, AppError> {
    Ok(tx
        .list_entries(list, CHOICES)
        .await?
        .into_iter()
        .filter(|e| !e.archived || e.id.to_string() == current.trim())
        .map(|e| Choice::new(e.id, e.name))
        .collect())
}

fn link_json(link: &ContactLink) -> Value {
    json!({
        "id": link.id.to_string(),
        "kind": link.account_kind.as_str(),
        "account_href": format!("/admin/{}/{}", link.account_kind.plural(), link.account_id),
        "code": link.account_code,
        "name": link.account_name,
        "position": link.fields.position,
        "is_primary": link.fields.is_primary,
    })
}

/// The rows of a contact table, with each contact's accounts loaded in one query;
/// with `here`, also the position and primary flag at that account.
pub(crate) async fn contact_rows(
    tx: &mut TenantTx,
    contacts: &[Contact],
    here: Option<AccountId>,
) -> Result<Vec<Value>, AppError> {
    let ids: Vec<ContactId> = contacts.iter().map(|c| c.id).collect();
    let mut links: HashMap<ContactId, Vec<ContactLink>> = HashMap::new();
    for link in tx.links_of_contacts(&ids).await? {
        links.entry(link.contact_id).or_default().push(link);
    }
    Ok(contacts
        .iter()
        .map(|c| {
            let mine = links.get(&c.id).map(Vec::as_slice).unwrap_or_default();
            let at_here = here.and_then(|a| mine.iter().find(|l| l.account_id == a));
            json!({
                "id": c.id.to_string(),
                "href": format!("/admin/contacts/{}", c.id),
                "name": c.display_name,
                "email": c.fields.email,
                "phone": c.fields.mobile.as_ref().or(c.fields.phone.as_ref()),
                "opted_out": c.fields.email_opt_out,
                "archived": c.archived_at.is_some(),
                "thumbnail": c.photo_id.map(|_| format!("/admin/contacts/{}/photo/thumbnail", c.id)),
                "links": mine.iter().map(link_json).collect::<Vec<_>>(),
                "here": at_here.map(link_json),
            })
        })
        .collect())
}

// ----- the list -----

#[derive(Deserialize, Default)]
pub(crate) struct ListQuery {
    q: Option<String>,
    category: Option<String>,
    owner: Option<String>,
    account: Option<String>,
    kind: Option<String>,
    opted_out: Option<String>,
    /// A portal access state (`PortalFilter`).
    portal: Option<String>,
    archived: Option<String>,
    sort: Option<String>,
    after_name: Option<String>,
    after_id: Option<String>,
}

fn optional_uuid(raw: Option<&str>) -> Result<Option<Uuid>, AppError> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(raw) => raw
            .parse()
            .map(Some)
            .map_err(|_| AppError::BadRequest("error-bad-request-detail")),
    }
}

/// The filter a contact list's query string asks for (the page and its exports).
pub(crate) fn filter_of(query: &ListQuery) -> Result<ContactFilter, AppError> {
    let sort = match query.sort.as_deref() {
        Some("-name") => ContactSort::NameDesc,
        Some("newest") => ContactSort::Newest,
        _ => ContactSort::Name,
    };
    Ok(ContactFilter {
        search: query.q.clone(),
        category: optional_uuid(query.category.as_deref())?,
        owner: optional_uuid(query.owner.as_deref())?,
        account: optional_uuid(query.account.as_deref())?.map(AccountId::from),
        kind: query.kind.as_deref().and_then(|k| k.parse().ok()),
        opted_out: match query.opted_out.as_deref() {
            Some("yes") => Some(true),
            Some("no") => Some(false),
            _ => None,
        },
        portal: match query.portal.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(raw) => Some(
                PortalFilter::parse(raw).ok_or(AppError::BadRequest("error-bad-request-detail"))?,
            ),
        },
        archived: query.archived.as_deref() == Some("1"),
        sort,
    })
}

#[handler]
async fn list_page(
    ui: Ui,
    staff: SignedInStaff,
    uri: &Uri,
    Query(query): Query<ListQuery>,
) -> Result<Html<String>, AppError> {
    staff.require(Area::Contacts, Action::Read).await?;
    let after = cursor(query.after_name.as_deref(), query.after_id.as_deref())?;
    let filter = filter_of(&query)?;
    let mut tx = ui.state.db.tenant_tx(&staff.tenant.0).await?;
    let mut contacts = tx.list_contacts(&filter, after.as_ref(), PAGE + 1).await?;
    let account = match filter.account {
        Some(id) => tx.find_account(id).await?,
        None => None,
    };
    let categories = list_choices(
        &mut tx,
        ContactList::Categories,
        query.category.as_deref().unwrap_or_default(),
    )
    .await?;
    let owners = owner_choices(&mut tx).await?;
    let s = |v: &Option<String>| v.clone().unwrap_or_default();
    let params = [
        ("q", s(&query.q)),
        ("category", s(&query.category)),
        ("owner", s(&query.owner)),
        ("account", s(&query.account)),
        ("kind", s(&query.kind)),
        ("opted_out", s(&query.opted_out)),
        ("portal", s(&query.portal)),
        ("archived", s(&query.archived)),
        ("sort", s(&query.sort)),
    ];
    let next = next_link(&mut contacts, "/admin/contacts", &params, Contact::cursor);
    let filters: String = {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in params.iter().filter(|(_, v)| !v.is_empty()) {
            q.append_pair(k, v);
        }
        q.finish()
    };
    let rows = contact_rows(&mut tx, &contacts, filter.account).await?;
    tx.commit().await?;
    let mut ctx = staff.page(&ui, "contacts").await?;
    ctx.insert("contacts", &rows);
    ctx.insert("next", &next);
    ctx.insert("is_first_page", &after.is_none());
    ctx.insert(
        "export_csv",
        &format!("/admin/contacts/export.csv?{filters}"),
    );
    ctx.insert(
        "export_vcf",
        &format!("/admin/contacts/export.vcf?{filters}"),
    );
    ctx.insert(
        "filters",
        &params.iter().cloned().collect::<HashMap<_, _>>(),
    );
    ctx.insert("account", &account.as_ref().map(account_json));
    ctx.insert("categories", &categories);
    ctx.insert("owners", &owners);
    ctx.insert("yes_no", &tri_state(&ui.lang));
    ctx.insert(
        "portal_states",
        &PortalFilter::ALL
            .iter()
            .map(|f| {
                json!({ "value": f.as_str(), "label": ui.lang.t(&format!("portal-status-{}", f.as_str())) })
            })
            .collect::<Vec<_>>(),
    );
    ctx.insert(
        "new_href",
        &format!(
            "/admin/contacts/new?back={}",
            encode(&here("/admin/contacts", uri))
        ),
    );
    ui.render("admin/contacts.html", &ctx)
}

// ----- the form -----

/// The contact form: the contact's fields, and when it is opened for an
/// account, that account and the link's fields.
#[derive(Deserialize, Serialize, Default)]
#[serde(default)]
struct ContactForm {
    #[serde(flatten)]
    contact: ContactInput,
    #[serde(flatten)]
    link: LinkInput,
    account_id: String,
    back: String,
    /// The edit form's "Remove photo" checkbox (a new upload wins over it).
    remove_photo: String,
    /// The portal boxes: give the contact access to that portal on saving.
    portal_customer: String,
    portal_supplier: String,
    /// Set when the account was picked on the form (the list's "New"), not
    /// fixed by the account the form was opened from.
    picked: String,
}

impl ContactForm {
    /// The portals whose box is ticked.
    fn portals(&self) -> Vec<Portal> {
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

#[derive(Deserialize, Default)]
struct NewQuery {
    account: Option<String>,
    back: Option<String>,
    /// The account picker's search (code or name).
    account_q: Option<String>,
    /// The account was picked with the picker.
    picked: Option<String>,
}

/// The account a form is fixed to, checked to be this tenant's.
async fn fixed_account(tx: &mut TenantTx, raw: &str) -> Result<Option<Account>, AppError> {
    if raw.trim().is_empty() {
        return Ok(None);
    }
    match tx.find_account(parse(raw)?).await? {
        Some(account) => Ok(Some(account)),
        None => Err(AppError::NotFound),
    }
}

/// Which area a new contact is written in: its account's contacts, or contacts.
fn area_for(account: Option<&Account>) -> Area {
    account.map_or(Area::Contacts, |a| Area::contacts_of(a.kind))
}

struct FormView<'a> {
    contact: Option<&'a Contact>,
    account: Option<&'a Account>,
    form: &'a ContactForm,
    errors: &'a FieldErrors,
    duplicate: Option<Value>,
    status: StatusCode,
    /// A photo was sent with this submission: if the page comes back, the
    /// browser has dropped the file, and the user is told to choose it again.
    photo_chosen: bool,
    /// The portals whose access box the form offers.
    portals: Vec<Portal>,
    /// On a new contact not fixed to an account: the account picker's search.
    picker: Option<&'a str>,
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
            let mut found = tx.list_accounts(&filter, None, PICKS + 1).await?;
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
            Some(id) => tx.find_portal_role(id).await?,
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
            .checkbox(contact_create::portal_field(*portal))
            .hint_text(format!("{} {role}", lang.t("hint-portal_access")));
    }
    Ok(group.build())
}

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

async fn render_form(
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

#[handler]
async fn new_form(
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

/// Validates the contact, when there is an account the link, and the portal
/// boxes against the portals it is (or will be) linked to: all errors at once.
fn validate(
    form: &ContactForm,
    staff: &SignedInStaff,
    with_link: bool,
    linked: &[Portal],
) -> Result<(ContactFields, LinkFields), FieldErrors> {
    let contact = form.contact.validate(staff.tenant.0.contact_required());
    let link = if with_link {
        form.link.validate()
    } else {
        Ok(LinkFields::default())
    };
    let has_email = !form.contact.email.trim().is_empty();
    let portals = contact_create::check_portals(has_email, linked, &form.portals());
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

/// The form's fields and photo, all checked before anything is stored: every
/// field error at once, the photo's included.
async fn validate_with_photo(
    form: &ContactForm,
    photo: Option<bytes::Bytes>,
    staff: &SignedInStaff,
    with_link: bool,
    linked: &[Portal],
) -> Result<Result<(ContactFields, LinkFields, Option<portico_files::Photo>), FieldErrors>, AppError>
{
    let valid = validate(form, staff, with_link, linked);
    let photo = match photo {
        Some(bytes) => Some(photos::process(bytes).await?),
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

#[handler]
async fn create(
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
        match validate_with_photo(&form, photo, &staff, account.is_some(), &linked).await? {
            Ok(valid) => valid,
            Err(errors) => {
                return render_form(
                    &ui,
                    &staff,
                    FormView {
                        errors: &errors,
                        ..view
                    },
                )
                .await;
            }
        };
    let (files, tenant) = (&ui.state.files, staff.tenant.0.id());
    let new_photo = match photo {
        Some(photo) => Some(photos::store(files, tenant, photo).await?),
        None => None,
    };
    let portals = form.portals();
    let new = contact_create::NewContact {
        fields: &fields,
        link: account.as_ref().map(|a| (a, &link)),
        portals: &portals,
        photo: new_photo,
    };
    let saved = contact_create::add(&ui.state, &staff.tenant.0, new, staff.by(&ui)).await;
    let created = matches!(saved, Ok(contact_create::Added::Created(..)));
    photos::settle(files, tenant, created, new_photo, None).await;
    let created = match saved {
        Ok(contact_create::Added::Created(contact, _)) => contact,
        // One person is one contact: offer the existing one instead of failing.
        Ok(contact_create::Added::Existing(existing, links)) => {
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
            return render_form(
                &ui,
                &staff,
                FormView {
                    errors: &errors,
                    ..view
                },
            )
            .await;
        }
        Err(AppError::Invalid(errors)) => {
            return render_form(
                &ui,
                &staff,
                FormView {
                    errors: &errors,
                    ..view
                },
            )
            .await;
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

/// Loads a contact and refuses (403) unless this user may change it: write on the
/// contacts of every one of its accounts' kinds, or on contacts when it has no links.
pub(crate) async fn editable(
    tx: &mut TenantTx,
    staff: &SignedInStaff,
    id: ContactId,
) -> Result<(Contact, Vec<ContactLink>), AppError> {
    let contact = tx.find_contact(id).await?.ok_or(AppError::NotFound)?;
    let links = tx.links_of_contacts(&[id]).await?;
    let kinds: Vec<AccountKind> = links.iter().map(|l| l.account_kind).collect();
    if !crate::access::policy()
        .await?
        .may_edit_contact(staff.user.role, &kinds)
    {
        return Err(AppError::Forbidden);
    }
    Ok((contact, links))
}

#[handler]
async fn edit_form(
    ui: Ui,
    staff: SignedInStaff,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let mut tx = ui.state.db.tenant_tx(&staff.tenant.0).await?;
    let (contact, links) = editable(&mut tx, &staff, parse(&id)?).await?;
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

#[handler]
async fn update(
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
    let (contact, links) = editable(&mut tx, &staff, id).await?;
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
    let (fields, photo) = match validate_with_photo(&form, photo, &staff, false, &linked).await? {
        Ok((fields, _, photo)) => (fields, photo),
        Err(errors) => {
            return render_form(
                &ui,
                &staff,
                FormView {
                    errors: &errors,
                    ..view
                },
            )
            .await;
        }
    };
    let (files, tenant) = (&ui.state.files, staff.tenant.0.id());
    let new_photo = match photo {
        Some(photo) => Some(photos::store(files, tenant, photo).await?),
        None => None,
    };
    let remove = !matches!(form.remove_photo.as_str(), "" | "false");
    let by = staff.by(&ui);
    let portals = form.portals();
    let saved: Result<(Option<Uuid>, String), AppError> = async {
        let mut tx = ui.state.db.tenant_tx(&staff.tenant.0).await?;
        editable(&mut tx, &staff, id).await?;
        let updated = tx
            .update_contact(id, &fields, by)
            .await?
            .ok_or(AppError::NotFound)?;
        let previous = if new_photo.is_some() || remove {
            tx.set_contact_photo(id, new_photo, by).await?
        } else {
            None
        };
        // The boxes ticked: access on, with the same command as the access page.
        let mut invited = false;
        for portal in &portals {
            invited |= access_grant::grant(
                &mut tx,
                &ui.state,
                &staff.tenant.0,
                &updated,
                *portal,
                !invited,
                by,
            )
            .await?
            .invited;
        }
        tx.commit().await?;
        if invited {
            ui.state.mail.kick(&staff.tenant.0);
        }
        Ok((previous, updated.display_name))
    }
    .await;
    let previous = saved.as_ref().ok().and_then(|(p, _)| *p);
    photos::settle(files, tenant, saved.is_ok(), new_photo, previous).await;
    match saved {
        Ok((_, name)) => {
            set_flash_named(session, "contact-saved", &name);
            Ok(Redirect::see_other(format!("/admin/contacts/{id}")).into_response())
        }
        Err(AppError::Invalid(errors)) => {
            render_form(
                &ui,
                &staff,
                FormView {
                    errors: &errors,
                    ..view
                },
            )
            .await
        }
        Err(other) => Err(other),
    }
}

async fn set_archived(
    ui: &Ui,
    staff: &SignedInStaff,
    session: &Session,
    id: &str,
    archived: bool,
) -> Result<Response, AppError> {
    let id: ContactId = parse(id)?;
    let mut tx = ui.state.db.tenant_tx(&staff.tenant.0).await?;
    editable(&mut tx, staff, id).await?;
    tx.set_contact_archived(id, archived, staff.by(ui)).await?;
    tx.commit().await?;
    set_flash(
        session,
        if archived {
            "record-archived"
        } else {
            "record-restored"
        },
    );
    Ok(Redirect::see_other(format!("/admin/contacts/{id}")).into_response())
}

#[handler]
async fn archive(
    ui: Ui,
    staff: SignedInStaff,
    session: &Session,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    set_archived(&ui, &staff, session, &id, true).await
}

#[handler]
async fn restore(
    ui: Ui,
    staff: SignedInStaff,
    session: &Session,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    set_archived(&ui, &staff, session, &id, false).await
}

// ----- the record -----

/// A label and a value, for the record's details.
fn details(lang: &Lang, contact: &Contact, names: &[(&str, Option<String>)]) -> Vec<Value> {
    let input = serde_json::to_value(ContactInput::from(&contact.fields)).unwrap_or(Value::Null);
    let groups: [(&str, &[&str]); 5] = [
        (
            "group-main",
            &[
                "title_id",
                "first_name",
                "last_name",
                "nickname",
                "position",
                "department",
                "category_id",
                "owner_id",
                "id_doc_type",
                "id_doc_number",
                "nationality",
                "licence_number",
                "licence_category",
                "licence_expiry",
                "important_dates",
                "notes",
            ],
        ),
        (
            "group-communication",
            &["email", "personal_email", "phone", "mobile", "fax"],
        ),
        ("group-social", &["facebook_url", "linkedin_url", "x_url"]),
        (
            "group-address",
            &["street", "city", "state", "postal_code", "country"],
        ),
        ("group-preferences", &["preferred_language", "preferences"]),
    ];
    groups
        .iter()
        .map(|(legend, fields)| {
            let items: Vec<Value> = fields
                .iter()
                .filter_map(|field| {
                    let value = names
                        .iter()
                        .find(|(n, _)| n == field)
                        .map(|(_, v)| v.clone())
                        .unwrap_or_else(|| {
                            input.get(*field).and_then(Value::as_str).map(str::to_owned)
                        })
                        .filter(|v| !v.is_empty())?;
                    Some(json!({
                        "label": lang.t(&format!("label-{field}")),
                        "value": value,
                        "link": field.ends_with("_url").then(|| value.clone()),
                    }))
                })
                .collect();
            json!({ "legend": lang.t(legend), "items": items })
        })
        .collect()
}

#[derive(Deserialize, Serialize, Default)]
#[serde(default)]
struct LinkForm {
    account_id: String,
    kind: String,
    code: String,
    #[serde(flatten)]
    link: LinkInput,
    back: String,
}

async fn render_record(
    ui: &Ui,
    staff: &SignedInStaff,
    id: ContactId,
    link_form: &LinkForm,
    link_errors: &FieldErrors,
    status: StatusCode,
) -> Result<Response, AppError> {
    staff.require(Area::Contacts, Action::Read).await?;
    let mut tx = ui.state.db.tenant_tx(&staff.tenant.0).await?;
    let contact = tx.find_contact(id).await?.ok_or(AppError::NotFound)?;
    let links = tx.links_of_contacts(&[id]).await?;
    let f = &contact.fields;
    let referred: Vec<Uuid> = [f.title_id, f.category_id, f.owner_id]
        .into_iter()
        .flatten()
        .collect();
    let own = names_of(&mut tx, referred).await?;
    let events = tx.record_history(id.as_uuid(), HISTORY).await?;
    let known = names_in(&mut tx, &events, &ui.lang).await?;
    let seen = portal_branches(&mut tx, &ui.lang, &contact).await?;
    tx.commit().await?;
    let kinds: Vec<AccountKind> = links.iter().map(|l| l.account_kind).collect();
    let bo = crate::access::policy().await?;
    let may_edit = bo.may_edit_contact(staff.user.role, &kinds);
    let name_of = |id: Option<Uuid>| id.and_then(|id| own.get(&id.to_string()).cloned());
    let language = f.preferred_language.map(|l| {
        if l.tag() == "en" {
            "English"
        } else {
            "Español"
        }
        .to_owned()
    });
    let names = [
        ("title_id", name_of(f.title_id)),
        ("category_id", name_of(f.category_id)),
        ("owner_id", name_of(f.owner_id)),
        ("preferred_language", language),
        (
            "nationality",
            country_name(&ui.lang, f.nationality.as_deref()),
        ),
        ("country", country_name(&ui.lang, f.country.as_deref())),
    ];
    let link_kinds: Vec<Choice> = AccountKind::ALL
        .iter()
        .filter(|k| bo.allows(staff.user.role, Area::contacts_of(**k), Action::Write))
        .map(|k| Choice::new(k.as_str(), ui.lang.t(&format!("kind-{k}"))))
        .collect();
    let mut ctx = staff.page(ui, "contacts").await?;
    ctx.insert(
        "contact",
        &json!({
            "id": id.to_string(),
            "name": contact.display_name,
            "title": name_of(f.title_id),
            "email": f.email,
            "opted_out": f.email_opt_out,
            "archived": contact.archived_at.is_some(),
            "photo": contact.photo_id.map(|_| json!({
                "href": format!("/admin/contacts/{id}/photo"),
                "thumbnail": format!("/admin/contacts/{id}/photo/thumbnail"),
            })),
        }),
    );
    ctx.insert("details", &details(&ui.lang, &contact, &names));
    ctx.insert(
        "links",
        &links
            .iter()
            .map(|l| {
                let mut row = link_json(l);
                row["portal_branches"] = json!(seen.get(&l.id));
                row
            })
            .collect::<Vec<_>>(),
    );
    ctx.insert("history", &history_rows(&ui.lang, &events, &known));
    ctx.insert("may_edit", &may_edit);
    ctx.insert("link_kinds", &link_kinds);
    ctx.insert("link_form", link_form);
    ctx.insert(
        "link_error",
        &link_errors.0.first().map(|e| ui.lang.t(e.message)),
    );
    Ok(ui
        .render("admin/contact.html", &ctx)?
        .with_status(status)
        .into_response())
}

/// Per link, which branches the contact sees in the portal: all of them, the
/// chosen ones by name, or none while its access to that portal is off. The
/// chosen branches' names come in one lookup by id for every link.
async fn portal_branches(
    tx: &mut TenantTx,
    lang: &Lang,
    contact: &Contact,
) -> Result<HashMap<LinkId, String>, AppError> {
    let links = tx.link_access(contact.id).await?;
    let chosen: Vec<Uuid> = links
        .iter()
        .flat_map(|l| l.branch_ids.iter().copied())
        .collect();
    let names = tx.display_names(&chosen).await?;
    let mut seen = HashMap::new();
    for link in links {
        let text = if !contact.portal.to(link.portal) {
            lang.t("contact-links-branches-no-access")
        } else if !link.branches_enabled {
            lang.t("contact-links-branches-account")
        } else if link.all_branches {
            lang.t("contact-links-branches-all")
        } else {
            let mut named: Vec<&str> = link
                .branch_ids
                .iter()
                .filter_map(|id| names.get(id).map(String::as_str))
                .collect();
            named.sort_unstable();
            if named.is_empty() {
                lang.t("contact-links-branches-chosen-none")
            } else {
                named.join(", ")
            }
        };
        seen.insert(link.link_id, text);
    }
    Ok(seen)
}

#[handler]
async fn show(ui: Ui, staff: SignedInStaff, Path(id): Path<String>) -> Result<Response, AppError> {
    render_record(
        &ui,
        &staff,
        parse(&id)?,
        &LinkForm::default(),
        &FieldErrors::default(),
        StatusCode::OK,
    )
    .await
}

/// Links a contact to a customer or supplier, chosen by id (the duplicate offer)
/// or by kind and code (the record's form).
#[handler]
async fn add_link(
    ui: Ui,
    staff: SignedInStaff,
    session: &Session,
    Path(id): Path<String>,
    Form(form): Form<LinkForm>,
) -> Result<Response, AppError> {
    let id: ContactId = parse(&id)?;
    let mut tx = ui.state.db.tenant_tx(&staff.tenant.0).await?;
    let contact = tx.find_contact(id).await?.ok_or(AppError::NotFound)?;
    let account = if form.account_id.trim().is_empty() {
        match form.kind.parse::<AccountKind>() {
            Ok(kind) => tx.find_account_by_code(kind, &form.code).await?,
            Err(_) => None,
        }
    } else {
        fixed_account(&mut tx, &form.account_id).await?
    };
    let result = match (account, form.link.validate()) {
        (None, _) => {
            let mut errors = FieldErrors::default();
            errors.add("code", "link-account-not-found");
            Err(DataError::Invalid(errors))
        }
        (Some(account), Ok(fields)) => {
            staff
                .require(Area::contacts_of(account.kind), Action::Write)
                .await?;
            tx.link_contact(id, account.id, &fields, staff.by(&ui))
                .await
        }
        (Some(_), Err(errors)) => Err(DataError::Invalid(errors)),
    };
    match result {
        Ok(_) => {
            tx.commit().await?;
            set_flash_named(session, "link-saved", &contact.display_name);
            let to = safe_back(Some(&form.back)).unwrap_or_else(|| format!("/admin/contacts/{id}"));
            Ok(Redirect::see_other(to).into_response())
        }
        Err(DataError::Invalid(errors)) => {
            drop(tx);
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
        Err(other) => Err(other.into()),
    }
}

/// Loads a link and refuses unless this user may change its account's contacts.
async fn editable_link(
    tx: &mut TenantTx,
    staff: &SignedInStaff,
    raw: &str,
) -> Result<ContactLink, AppError> {
    let link = tx
        .find_link(parse::<LinkId>(raw)?)
        .await?
        .ok_or(AppError::NotFound)?;
    staff
        .require(Area::contacts_of(link.account_kind), Action::Write)
        .await?;
    Ok(link)
}

#[handler]
async fn update_link(
    ui: Ui,
    staff: SignedInStaff,
    session: &Session,
    Path(id): Path<String>,
    Form(input): Form<LinkInput>,
) -> Result<Response, AppError> {
    let mut tx = ui.state.db.tenant_tx(&staff.tenant.0).await?;
    let link = editable_link(&mut tx, &staff, &id).await?;
    let fields = input
        .validate()
        .map_err(|_| AppError::BadRequest("form-has-errors"))?;
    tx.update_link(link.id, &fields, staff.by(&ui)).await?;
    let contact = tx
        .find_contact(link.contact_id)
        .await?
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    set_flash_named(session, "link-saved", &contact.display_name);
    Ok(Redirect::see_other(format!("/admin/contacts/{}", link.contact_id)).into_response())
}

#[derive(Deserialize)]
struct UnlinkForm {
    /// Where to go afterwards (an account's Contactos tab); else the contact.
    back: Option<String>,
}

#[handler]
async fn unlink(
    ui: Ui,
    staff: SignedInStaff,
    session: &Session,
    Path(id): Path<String>,
    Form(form): Form<UnlinkForm>,
) -> Result<Response, AppError> {
    let mut tx = ui.state.db.tenant_tx(&staff.tenant.0).await?;
    let link = editable_link(&mut tx, &staff, &id).await?;
    tx.unlink(link.id, staff.by(&ui)).await?;
    tx.commit().await?;
    set_flash(session, "link-removed");
    let to = safe_back(form.back.as_deref())
        .unwrap_or_else(|| format!("/admin/contacts/{}", link.contact_id));
    Ok(Redirect::see_other(to).into_response())
}

#[handler]
async fn delete_page(
    ui: Ui,
    staff: SignedInStaff,
    Path(id): Path<String>,
) -> Result<Html<String>, AppError> {
    let mut tx = ui.state.db.tenant_tx(&staff.tenant.0).await?;
    let (contact, links) = editable(&mut tx, &staff, parse(&id)?).await?;
    tx.commit().await?;
    let mut ctx = staff.page(&ui, "contacts").await?;
    ctx.insert(
        "contact",
        &json!({ "id": contact.id.to_string(), "name": contact.display_name }),
    );
    ctx.insert("links", &links.iter().map(link_json).collect::<Vec<_>>());
    ui.render("admin/contact_delete.html", &ctx)
}

/// Deletes a contact for good (the confirmation page's button); the audit log
/// keeps what it was.
#[handler]
async fn delete(
    ui: Ui,
    staff: SignedInStaff,
    session: &Session,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id: ContactId = parse(&id)?;
    let mut tx = ui.state.db.tenant_tx(&staff.tenant.0).await?;
    let (contact, _) = editable(&mut tx, &staff, id).await?;
    tx.delete_contact(id, staff.by(&ui)).await?;
    tx.commit().await?;
    if let Some(photo) = contact.photo_id {
        photos::remove(&ui.state.files, staff.tenant.0.id(), photo).await;
    }
    set_flash(session, "contact-deleted");
    Ok(Redirect::see_other("/admin/contacts").into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct LinkExisting {
    account_id: String,
    email: String,
    #[serde(flatten)]
    link: LinkInput,
}

/// Links the contact with this main email to an account (its Contacts tab):
/// the way to relate a person who is already in the directory.
#[handler]
async fn link_existing(
    ui: Ui,
    staff: SignedInStaff,
    session: &Session,
    Form(form): Form<LinkExisting>,
) -> Result<Response, AppError> {
    let mut tx = ui.state.db.tenant_tx(&staff.tenant.0).await?;
    let account = fixed_account(&mut tx, &form.account_id)
        .await?
        .ok_or(AppError::NotFound)?;
    staff
        .require(Area::contacts_of(account.kind), Action::Write)
        .await?;
    let back = format!(
        "/admin/{}/{}?tab=contacts",
        account.kind.plural(),
        account.id
    );
    let contact = match portico_domain::Email::parse(&form.email) {
        Ok(email) => tx.find_contact_by_email(&email).await?,
        Err(_) => None,
    };
    let (Some(contact), Ok(fields)) = (contact, form.link.validate()) else {
        drop(tx);
        set_flash_error(session, "link-email-not-found");
        return Ok(Redirect::see_other(back).into_response());
    };
    match tx
        .link_contact(contact.id, account.id, &fields, staff.by(&ui))
        .await
    {
        Ok(_) => {
            tx.commit().await?;
            set_flash_named(session, "link-saved", &contact.display_name);
        }
        Err(DataError::Invalid(errors)) => {
            drop(tx);
            set_flash_error(
                session,
                errors.0.first().map_or("form-has-errors", |e| e.message),
            );
        }
        Err(other) => return Err(other.into()),
    }
    Ok(Redirect::see_other(back).into_response())
}
