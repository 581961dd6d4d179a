//! A contact's record (`/admin/contacts/{id}`): its details, its links with
//! the branches each shows in the portal, its history, and archiving it.

use std::collections::HashMap;

use poem::{
    IntoResponse, Response, handler,
    http::StatusCode,
    session::Session,
    web::{Path, Redirect},
};
use portico_authz::{Action, Area};
use portico_data::{Contact, ContactId, LinkId, TenantTx};
use portico_domain::{AccountKind, ContactInput, FieldErrors, LinkInput};
use portico_web::{AppError, Lang, Ui, page::set_flash};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use uuid::Uuid;

use super::parse;
use crate::{
    SignedInStaff,
    commands::{Issuer, contacts},
    contact_table::link_json,
    forms::{Choice, country_name},
    history::{HISTORY, history_rows, names_in, names_of},
};

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

/// The record's "link to an account" form, as submitted.
#[derive(Deserialize, Serialize, Default)]
#[serde(default)]
pub(super) struct LinkForm {
    pub account_id: String,
    pub kind: String,
    pub code: String,
    #[serde(flatten)]
    pub link: LinkInput,
    pub back: String,
}

/// Renders the record, with the link form's values and errors.
pub(super) async fn render_record(
    ui: &Ui,
    staff: &SignedInStaff,
    id: ContactId,
    link_form: &LinkForm,
    link_errors: &FieldErrors,
    status: StatusCode,
) -> Result<Response, AppError> {
    staff.require(Area::Contacts, Action::Read).await?;
    let mut tx = ui.state.db.tenant_tx(&staff.tenant.0).await?;
    let contact = tx.contacts().find(id).await?.ok_or(AppError::NotFound)?;
    let links = tx.links().of_contacts(&[id]).await?;
    let f = &contact.fields;
    let referred: Vec<Uuid> = [f.title_id, f.category_id, f.owner_id]
        .into_iter()
        .flatten()
        .collect();
    let own = names_of(&mut tx, referred).await?;
    let events = tx.audit().history(id.as_uuid(), HISTORY).await?;
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
    let links = tx.link_grants().of_contact(contact.id).await?;
    let chosen: Vec<Uuid> = links
        .iter()
        .flat_map(|l| l.branch_ids.iter().copied())
        .collect();
    let names = tx.names().display(&chosen).await?;
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

/// `GET /admin/contacts/{id}`: the record.
#[handler]
pub(super) async fn show(
    ui: Ui,
    staff: SignedInStaff,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
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

async fn set_archived(
    ui: &Ui,
    staff: &SignedInStaff,
    session: &Session,
    id: &str,
    archived: bool,
) -> Result<Response, AppError> {
    let id: ContactId = parse(id)?;
    contacts::set_archived(&Issuer::staff(staff, ui), id, archived).await?;
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

/// `POST /admin/contacts/{id}/archive`.
#[handler]
pub(super) async fn archive(
    ui: Ui,
    staff: SignedInStaff,
    session: &Session,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    set_archived(&ui, &staff, session, &id, true).await
}

/// `POST /admin/contacts/{id}/restore`.
#[handler]
pub(super) async fn restore(
    ui: Ui,
    staff: SignedInStaff,
    session: &Session,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    set_archived(&ui, &staff, session, &id, false).await
}
