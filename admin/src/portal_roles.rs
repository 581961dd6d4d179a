//! The portal roles page (`/admin/portal-roles`, admins): the seeded roles and
//! the company's own, each a named bundle of one portal's permissions; create,
//! rename, change permissions, delete. Every change reaches signed-in contacts
//! at once (the policy version is bumped with it).

use poem::{
    IntoResponse, Response, get, handler,
    http::StatusCode,
    post,
    session::Session,
    web::{Form, Path, Redirect},
};
use portico_authz::{Action, Area};
use portico_data::{DataError, PortalRole, PortalRoleInput};
use portico_domain::{FieldErrors, Portal};
use portico_web::{Access, Routes};
use portico_web::{AppError, Ui, page::set_flash};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{SignedInStaff, portal_access::permission_label};

pub(crate) fn routes() -> Routes {
    Routes::new()
        .at(
            "/",
            Access::staff(Area::Settings, Action::Write),
            get(roles_page).post(create_role),
        )
        .at(
            "/:id",
            Access::staff(Area::Settings, Action::Write),
            post(update_role),
        )
        .at(
            "/:id/delete",
            Access::staff(Area::Settings, Action::Write),
            post(delete_role),
        )
}

/// A submitted role: names and the checked permissions (repeated fields).
fn role_input(pairs: &[(String, String)]) -> PortalRoleInput {
    let first = |key: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    PortalRoleInput {
        name_es: first("name_es"),
        name_en: first("name_en"),
        permissions: pairs
            .iter()
            .filter(|(k, _)| k == "permission")
            .map(|(_, v)| v.clone())
            .collect(),
    }
}

fn role_json(ui: &Ui, role: &PortalRole) -> Value {
    json!({
        "id": role.id.to_string(),
        "portal": role.portal.as_str(),
        "name_es": role.name_es,
        "name_en": role.name_en,
        "seeded": role.seed_key.is_some(),
        "options": options(ui, role.portal, &role.permissions),
    })
}

/// The permission checkboxes of a portal, checked where `held`.
fn options(ui: &Ui, portal: Portal, held: &[String]) -> Vec<Value> {
    portal
        .permissions()
        .iter()
        .map(|p| {
            json!({ "value": p.name(), "label": permission_label(&ui.lang, *p), "checked": held.iter().any(|h| h == p.name()) })
        })
        .collect()
}

async fn render(
    ui: &Ui,
    staff: &SignedInStaff,
    errors: &FieldErrors,
    status: StatusCode,
) -> Result<Response, AppError> {
    staff.require(Area::Settings, Action::Write).await?;
    let mut tx = ui.state.db.tenant_tx(&staff.tenant.0).await?;
    let roles = tx.portal_roles().list(None).await?;
    tx.commit().await?;
    let portals: Vec<Value> = Portal::ALL
        .iter()
        .map(|p| {
            json!({
                "key": p.as_str(),
                "roles": roles.iter().filter(|r| r.portal == *p).map(|r| role_json(ui, r)).collect::<Vec<_>>(),
                "options": options(ui, *p, &[]),
            })
        })
        .collect();
    let error_list: Vec<String> = errors.0.iter().map(|e| ui.lang.t(e.message)).collect();
    let mut ctx = staff.page(ui, "settings").await?;
    ctx.insert("portals", &portals);
    ctx.insert("errors", &error_list);
    Ok(ui
        .render("admin/portal_roles.html", &ctx)?
        .with_status(status)
        .into_response())
}

/// Runs a role change; field errors show on the page, nothing written.
async fn apply<F>(
    ui: &Ui,
    staff: &SignedInStaff,
    session: &Session,
    flash: &str,
    change: F,
) -> Result<Response, AppError>
where
    F: AsyncFnOnce(&mut portico_data::TenantTx) -> Result<bool, DataError>,
{
    staff.require(Area::Settings, Action::Write).await?;
    let mut tx = ui.state.db.tenant_tx(&staff.tenant.0).await?;
    match change(&mut tx).await {
        Ok(true) => {
            tx.commit().await?;
            set_flash(session, flash);
            Ok(Redirect::see_other("/admin/portal-roles").into_response())
        }
        Ok(false) => Err(AppError::NotFound),
        Err(DataError::Invalid(errors)) => {
            drop(tx);
            render(ui, staff, &errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(other) => Err(other.into()),
    }
}

#[handler]
async fn roles_page(ui: Ui, staff: SignedInStaff) -> Result<Response, AppError> {
    render(&ui, &staff, &FieldErrors::default(), StatusCode::OK).await
}

/// `POST /admin/portal-roles`: a new role of `portal`.
#[handler]
async fn create_role(
    ui: Ui,
    staff: SignedInStaff,
    session: &Session,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let portal: Portal = pairs
        .iter()
        .find(|(k, _)| k == "portal")
        .and_then(|(_, v)| v.parse().ok())
        .ok_or(AppError::BadRequest("error-bad-request-detail"))?;
    let input = role_input(&pairs);
    let by = staff.by(&ui);
    apply(&ui, &staff, session, "portal-role-saved", async |tx| {
        tx.portal_roles()
            .create(portal, &input, by)
            .await
            .map(|_| true)
    })
    .await
}

#[handler]
async fn update_role(
    ui: Ui,
    staff: SignedInStaff,
    session: &Session,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let id: Uuid = id.parse().map_err(|_| AppError::NotFound)?;
    let input = role_input(&pairs);
    let by = staff.by(&ui);
    apply(&ui, &staff, session, "portal-role-saved", async |tx| {
        tx.portal_roles().update(id, &input, by).await
    })
    .await
}

#[handler]
async fn delete_role(
    ui: Ui,
    staff: SignedInStaff,
    session: &Session,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id: Uuid = id.parse().map_err(|_| AppError::NotFound)?;
    let by = staff.by(&ui);
    apply(&ui, &staff, session, "portal-role-deleted", async |tx| {
        tx.portal_roles().delete(id, by).await
    })
    .await
}
