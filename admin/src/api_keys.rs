//! The API keys page: admins create a key (shown once), see when each was last
//! used, and revoke it.

use poem::{
    IntoResponse, Response, get, handler,
    http::StatusCode,
    post,
    session::Session,
    web::{Form, Path, Redirect},
};
use portico_auth::{hash_token, random_token};
use portico_authz::{Action, Area};
use portico_domain::{
    StaffRole,
    fields::{Checker, limits},
};
use portico_web::{Access, Routes};
use portico_web::{AppError, Ui, page::set_flash};
use serde::Deserialize;
use serde_json::json;

use crate::SignedInStaff;

/// The roles a key may act with (never owner).
const KEY_ROLES: [StaffRole; 4] = [
    StaffRole::Admin,
    StaffRole::Sales,
    StaffRole::Purchasing,
    StaffRole::ReadOnly,
];

/// A new API key: a prefix that says what it is, then 256 random bits.
pub fn new_key() -> String {
    format!("pk_{}", random_token())
}

pub(crate) fn routes() -> Routes {
    Routes::new()
        .at(
            "/",
            Access::staff(Area::Settings, Action::Write),
            get(page).post(create),
        )
        .at(
            "/:id/revoke",
            Access::staff(Area::Settings, Action::Write),
            post(revoke),
        )
}

async fn render(
    ui: &Ui,
    staff: &SignedInStaff,
    created: Option<&str>,
    status: StatusCode,
) -> Result<Response, AppError> {
    staff.require(Area::Settings, Action::Write).await?;
    let mut tx = ui.state.db.tenant_tx(&staff.tenant.0).await?;
    let keys = tx.api_keys().list(200).await?;
    tx.commit().await?;
    let never = ui.lang.t("api-key-never");
    let when = |t: Option<chrono::DateTime<chrono::Utc>>| {
        t.map_or(never.clone(), |t| t.format("%Y-%m-%d %H:%M").to_string())
    };
    let rows: Vec<_> = keys
        .iter()
        .map(|k| {
            json!({
                "id": k.id.to_string(),
                "name": k.name,
                "role": ui.lang.t(&format!("role-{}", k.role)),
                "prefix": k.prefix,
                "created": k.created_at.format("%Y-%m-%d").to_string(),
                "last_used": when(k.last_used_at),
                "revoked": k.revoked_at.is_some(),
            })
        })
        .collect();
    let roles: Vec<_> = KEY_ROLES
        .iter()
        .map(|r| json!({ "value": r.as_str(), "label": ui.lang.t(&format!("role-{r}")) }))
        .collect();
    let mut ctx = staff.page(ui, "api-keys").await?;
    ctx.insert("keys", &rows);
    ctx.insert("roles", &roles);
    ctx.insert("created", &created);
    Ok(ui
        .render("admin/api_keys.html", &ctx)?
        .with_status(status)
        .into_response())
}

/// Where a new key waits, in its creator's session, for the one page that shows it.
const NEW_KEY: &str = "new_api_key";

#[handler]
async fn page(ui: Ui, staff: SignedInStaff, session: &Session) -> Result<Response, AppError> {
    let created = session.get::<String>(NEW_KEY);
    if created.is_some() {
        session.remove(NEW_KEY);
    }
    render(&ui, &staff, created.as_deref(), StatusCode::OK).await
}

#[derive(Deserialize)]
struct NewKey {
    #[serde(default)]
    name: String,
    #[serde(default)]
    role: String,
}

/// Creates a key, then redirects (so a reload cannot create another) to the page
/// that shows it once.
#[handler]
async fn create(
    ui: Ui,
    staff: SignedInStaff,
    session: &Session,
    Form(form): Form<NewKey>,
) -> Result<Response, AppError> {
    staff.require(Area::Settings, Action::Write).await?;
    let role: StaffRole = form
        .role
        .parse()
        .ok()
        .filter(|r| KEY_ROLES.contains(r))
        .ok_or(AppError::BadRequest("error-bad-request-detail"))?;
    let mut check = Checker::default();
    let name = check.required("name", &form.name, limits::NAME);
    check.errors.finish(()).map_err(AppError::Invalid)?;
    let key = new_key();
    let mut tx = ui.state.db.tenant_tx(&staff.tenant.0).await?;
    tx.api_keys()
        .create(&name, role, &key, &hash_token(&key), staff.by(&ui))
        .await?;
    tx.commit().await?;
    session.set(NEW_KEY, key);
    Ok(Redirect::see_other("/admin/api-keys").into_response())
}

#[handler]
async fn revoke(
    ui: Ui,
    staff: SignedInStaff,
    session: &Session,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    staff.require(Area::Settings, Action::Write).await?;
    let id = id.parse().map_err(|_| AppError::NotFound)?;
    let mut tx = ui.state.db.tenant_tx(&staff.tenant.0).await?;
    if !tx.api_keys().revoke(id, staff.by(&ui)).await? {
        return Err(AppError::NotFound);
    }
    tx.commit().await?;
    set_flash(session, "api-key-revoked");
    Ok(Redirect::see_other("/admin/api-keys").into_response())
}
