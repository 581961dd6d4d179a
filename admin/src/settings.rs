//! Company settings for admins: which names a contact must have, how
//! documents round their tax, who may authorize what they created, the role
//! new portal contacts get in each portal, and the tenant-editable lists
//! (contact titles and categories): add, rename, archive and restore their
//! entries.

use poem::{
    IntoResponse, Response, get, handler,
    http::StatusCode,
    post,
    session::Session,
    web::{Form, Path, Redirect},
};
use portico_authz::{Action, Area};
use portico_data::{ContactList, DataError};
use portico_domain::{Portal, RequiredFields, money::Rounding};
use portico_web::{Access, Routes};
use portico_web::{AppError, Ui, page::set_flash};
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::SignedInStaff;

pub(crate) fn routes() -> Routes {
    let lists = Access::staff(Area::Lists, Action::Write);
    let settings = Access::staff(Area::Settings, Action::Write);
    Routes::new()
        .at("/", lists, get(page))
        .at(
            "/company",
            settings,
            get(crate::company::page).post(crate::company::save),
        )
        .at("/company/logo", settings, post(crate::company::upload))
        .at(
            "/company/logo/remove",
            settings,
            post(crate::company::remove),
        )
        .at("/rule", settings, post(set_rule))
        .at("/rounding", settings, post(set_rounding))
        .at("/portal-defaults", settings, post(set_portal_defaults))
        .at("/approvals", settings, post(set_approvals))
        .at("/titles", lists, post(add_title))
        .at("/categories", lists, post(add_category))
        .at("/:list/:id", lists, post(rename_entry))
        .at("/:list/:id/archive", lists, post(archive_entry))
        .at("/:list/:id/restore", lists, post(restore_entry))
}

/// The list a path names (`titles` or `categories`).
fn list_named(name: &str) -> Result<ContactList, AppError> {
    match name {
        "titles" => Ok(ContactList::Titles),
        "categories" => Ok(ContactList::Categories),
        _ => Err(AppError::NotFound),
    }
}

/// The name of a list in paths and on the page.
fn list_name(list: ContactList) -> &'static str {
    match list {
        ContactList::Titles => "titles",
        ContactList::Categories => "categories",
    }
}

/// A refused change to a list: which list, which entry (none for a new one),
/// and the message id.
struct ListError<'a> {
    /// Which part of the page: a list (`titles`, `categories`) or `portal_defaults`.
    part: &'static str,
    entry: Option<Uuid>,
    message: &'a str,
}

async fn render(
    ui: &Ui,
    staff: &SignedInStaff,
    error: Option<ListError<'_>>,
    status: StatusCode,
) -> Result<Response, AppError> {
    staff.require(Area::Lists, Action::Write).await?;
    let mut tx = ui.state.db.tenant_tx(&staff.tenant.0).await?;
    let titles = tx.lists().entries(ContactList::Titles, 500).await?;
    let categories = tx.lists().entries(ContactList::Categories, 500).await?;
    let roles = tx.portal_roles().list(None).await?;
    let mut defaults = Vec::new();
    for portal in Portal::ALL {
        let chosen = tx.portal_defaults().role(portal).await?;
        let options: Vec<Value> = roles
            .iter()
            .filter(|r| r.portal == portal)
            .map(|r| json!({ "value": r.id.to_string(), "label": r.name(ui.lang.0), "selected": Some(r.id) == chosen }))
            .collect();
        defaults.push(json!({
            "portal": portal.as_str(),
            "label": ui.lang.t(&format!("label-default_role_{portal}")),
            "options": options,
        }));
    }
    let (_, four_eyes) = tx.orders().company_rules().await?;
    let rounding = tx.settings().rounding().await?;
    tx.commit().await?;
    let mut ctx = staff.page(ui, "settings").await?;
    ctx.insert("rule", staff.tenant.0.contact_required().as_str());
    ctx.insert("four_eyes", &four_eyes);
    ctx.insert(
        "rounding",
        &Rounding::ALL
            .iter()
            .map(|r| {
                json!({
                    "value": r.as_str(),
                    "label": ui.lang.t(&format!("rounding-{}", r.as_str())),
                    "selected": *r == rounding,
                })
            })
            .collect::<Vec<_>>(),
    );
    ctx.insert("portal_defaults", &defaults);
    ctx.insert("titles", &titles);
    ctx.insert("categories", &categories);
    ctx.insert("error_list", &error.as_ref().map(|e| e.part));
    ctx.insert(
        "error_entry",
        &error
            .as_ref()
            .and_then(|e| e.entry)
            .map(|id| id.to_string()),
    );
    ctx.insert("error", &error.as_ref().map(|e| ui.lang.t(e.message)));
    Ok(ui
        .render("admin/settings.html", &ctx)?
        .with_status(status)
        .into_response())
}

#[handler]
async fn page(ui: Ui, staff: SignedInStaff) -> Result<Response, AppError> {
    render(&ui, &staff, None, StatusCode::OK).await
}

#[derive(Deserialize)]
struct RuleForm {
    #[serde(default)]
    rule: String,
}

#[handler]
async fn set_rule(
    ui: Ui,
    staff: SignedInStaff,
    session: &Session,
    Form(form): Form<RuleForm>,
) -> Result<Response, AppError> {
    staff.require(Area::Settings, Action::Write).await?;
    let rule: RequiredFields = form
        .rule
        .parse()
        .map_err(|_| AppError::BadRequest("error-bad-request-detail"))?;
    let tenant = &staff.tenant.0;
    let mut tx = ui.state.db.tenant_tx(tenant).await?;
    tx.settings()
        .set_contact_required(rule, staff.by(&ui))
        .await?;
    tx.commit().await?;
    ui.state.tenants.forget(tenant.slug()).await;
    set_flash(session, "settings-saved");
    Ok(Redirect::see_other("/admin/settings").into_response())
}

#[derive(Deserialize)]
struct RoundingForm {
    #[serde(default)]
    rounding: String,
}

/// `POST /admin/settings/rounding`: how documents created from now on round
/// their tax (`line` or `document`).
#[handler]
async fn set_rounding(
    ui: Ui,
    staff: SignedInStaff,
    session: &Session,
    Form(form): Form<RoundingForm>,
) -> Result<Response, AppError> {
    staff.require(Area::Settings, Action::Write).await?;
    let rounding: Rounding = form
        .rounding
        .parse()
        .map_err(|()| AppError::BadRequest("error-bad-request-detail"))?;
    let mut tx = ui.state.db.tenant_tx(&staff.tenant.0).await?;
    tx.settings().set_rounding(rounding, staff.by(&ui)).await?;
    tx.commit().await?;
    set_flash(session, "settings-saved");
    Ok(Redirect::see_other("/admin/settings").into_response())
}

#[derive(Deserialize)]
struct ApprovalsForm {
    /// Present (`on`) when checked.
    four_eyes: Option<String>,
}

/// `POST /admin/settings/approvals`: whether nobody may accept or authorize
/// in the portal what they created themselves.
#[handler]
async fn set_approvals(
    ui: Ui,
    staff: SignedInStaff,
    session: &Session,
    Form(form): Form<ApprovalsForm>,
) -> Result<Response, AppError> {
    staff.require(Area::Settings, Action::Write).await?;
    let mut tx = ui.state.db.tenant_tx(&staff.tenant.0).await?;
    tx.settings()
        .set_four_eyes(form.four_eyes.is_some(), staff.by(&ui))
        .await?;
    tx.commit().await?;
    set_flash(session, "settings-saved");
    Ok(Redirect::see_other("/admin/settings").into_response())
}

#[derive(Deserialize)]
struct PortalDefaultsForm {
    #[serde(default)]
    customer: String,
    #[serde(default)]
    supplier: String,
}

/// `POST /admin/settings/portal-defaults`: the role each portal's new contacts
/// get (`customer`, `supplier`: a role id, or empty for none).
#[handler]
async fn set_portal_defaults(
    ui: Ui,
    staff: SignedInStaff,
    session: &Session,
    Form(form): Form<PortalDefaultsForm>,
) -> Result<Response, AppError> {
    staff.require(Area::Settings, Action::Write).await?;
    let role = |raw: &str| -> Result<Option<Uuid>, AppError> {
        match raw.trim() {
            "" => Ok(None),
            raw => raw
                .parse()
                .map(Some)
                .map_err(|_| AppError::BadRequest("error-bad-request-detail")),
        }
    };
    let chosen = [
        (Portal::Customer, role(&form.customer)?),
        (Portal::Supplier, role(&form.supplier)?),
    ];
    let mut tx = ui.state.db.tenant_tx(&staff.tenant.0).await?;
    for (portal, role) in chosen {
        match tx.portal_defaults().set(portal, role, staff.by(&ui)).await {
            Ok(()) => {}
            Err(DataError::Invalid(errors)) => {
                drop(tx);
                let message = errors.0.first().map_or("form-has-errors", |e| e.message);
                return render(
                    &ui,
                    &staff,
                    Some(ListError {
                        part: "portal_defaults",
                        entry: None,
                        message,
                    }),
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await;
            }
            Err(other) => return Err(other.into()),
        }
    }
    tx.commit().await?;
    set_flash(session, "settings-saved");
    Ok(Redirect::see_other("/admin/settings").into_response())
}

#[derive(Deserialize)]
struct EntryForm {
    #[serde(default)]
    name: String,
}

async fn add(
    ui: &Ui,
    staff: &SignedInStaff,
    session: &Session,
    list: ContactList,
    name: &str,
) -> Result<Response, AppError> {
    staff.require(Area::Lists, Action::Write).await?;
    let mut tx = ui.state.db.tenant_tx(&staff.tenant.0).await?;
    match tx.lists().add_entry(list, name, staff.by(ui)).await {
        Ok(_) => {
            tx.commit().await?;
            set_flash(session, "settings-saved");
            Ok(Redirect::see_other("/admin/settings").into_response())
        }
        Err(DataError::Invalid(errors)) => {
            drop(tx);
            let message = errors.0.first().map_or("form-has-errors", |e| e.message);
            let error = ListError {
                part: list_name(list),
                entry: None,
                message,
            };
            render(ui, staff, Some(error), StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(other) => Err(other.into()),
    }
}

fn entry_id(raw: &str) -> Result<Uuid, AppError> {
    raw.parse().map_err(|_| AppError::NotFound)
}

/// `POST /admin/settings/{list}/{id}`: renames an entry (`name`).
#[handler]
async fn rename_entry(
    ui: Ui,
    staff: SignedInStaff,
    session: &Session,
    Path((list, id)): Path<(String, String)>,
    Form(form): Form<EntryForm>,
) -> Result<Response, AppError> {
    staff.require(Area::Lists, Action::Write).await?;
    let (list, id) = (list_named(&list)?, entry_id(&id)?);
    let mut tx = ui.state.db.tenant_tx(&staff.tenant.0).await?;
    match tx
        .lists()
        .rename_entry(list, id, &form.name, staff.by(&ui))
        .await
    {
        Ok(Some(_)) => {
            tx.commit().await?;
            set_flash(session, "settings-saved");
            Ok(Redirect::see_other("/admin/settings").into_response())
        }
        Ok(None) => Err(AppError::NotFound),
        Err(DataError::Invalid(errors)) => {
            drop(tx);
            let message = errors.0.first().map_or("form-has-errors", |e| e.message);
            let error = ListError {
                part: list_name(list),
                entry: Some(id),
                message,
            };
            render(&ui, &staff, Some(error), StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(other) => Err(other.into()),
    }
}

async fn set_archived(
    ui: &Ui,
    staff: &SignedInStaff,
    session: &Session,
    (list, id): (String, String),
    archived: bool,
) -> Result<Response, AppError> {
    staff.require(Area::Lists, Action::Write).await?;
    let (list, id) = (list_named(&list)?, entry_id(&id)?);
    let mut tx = ui.state.db.tenant_tx(&staff.tenant.0).await?;
    tx.lists()
        .set_entry_archived(list, id, archived, staff.by(ui))
        .await?
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    set_flash(
        session,
        if archived {
            "settings-entry-archived"
        } else {
            "settings-entry-restored"
        },
    );
    Ok(Redirect::see_other("/admin/settings").into_response())
}

/// `POST /admin/settings/{list}/{id}/archive`: no longer offered in forms.
#[handler]
async fn archive_entry(
    ui: Ui,
    staff: SignedInStaff,
    session: &Session,
    Path(path): Path<(String, String)>,
) -> Result<Response, AppError> {
    set_archived(&ui, &staff, session, path, true).await
}

/// `POST /admin/settings/{list}/{id}/restore`: offered again.
#[handler]
async fn restore_entry(
    ui: Ui,
    staff: SignedInStaff,
    session: &Session,
    Path(path): Path<(String, String)>,
) -> Result<Response, AppError> {
    set_archived(&ui, &staff, session, path, false).await
}

#[handler]
async fn add_title(
    ui: Ui,
    staff: SignedInStaff,
    session: &Session,
    Form(form): Form<EntryForm>,
) -> Result<Response, AppError> {
    add(&ui, &staff, session, ContactList::Titles, &form.name).await
}

#[handler]
async fn add_category(
    ui: Ui,
    staff: SignedInStaff,
    session: &Session,
    Form(form): Form<EntryForm>,
) -> Result<Response, AppError> {
    add(&ui, &staff, session, ContactList::Categories, &form.name).await
}
