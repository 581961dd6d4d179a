//! The back office's pages: home and the staff list.

use poem::{handler, web::Html};
use portico_web::{AppError, Ui};
use serde_json::json;

use crate::SignedInStaff;

/// How many events the home page shows.
const RECENT_EVENTS: u64 = 10;
/// Staff lists are small (a company's own employees); the page shows up to this many.
const STAFF_PAGE: u64 = 200;

fn staff_nav(ui: &Ui, staff: &SignedInStaff, current: &str) -> tera::Context {
    let mut ctx = ui.context();
    ctx.insert("current", current);
    ctx.insert(
        "me",
        &json!({ "name": staff.user.name, "role": ui.lang.t(&format!("role-{}", staff.user.role)) }),
    );
    ctx
}

#[handler]
pub(crate) async fn home(ui: Ui, staff: SignedInStaff) -> Result<Html<String>, AppError> {
    let mut tx = ui.state.db.tenant_tx(&staff.tenant.0).await?;
    let events = tx.list_audit_events(RECENT_EVENTS).await?;
    tx.commit().await?;
    let mut ctx = staff_nav(&ui, &staff, "home");
    let tenant = &staff.tenant.0;
    ctx.insert(
        "welcome",
        &ui.lang
            .t_args("admin-welcome", &[("name", staff.user.name.clone().into())]),
    );
    ctx.insert(
        "company",
        &json!({
            "name": tenant.name(),
            "slug": tenant.slug().as_str(),
            "currency": tenant.currency(),
            "locale": tenant.locale().tag(),
        }),
    );
    let events: Vec<_> = events
        .iter()
        .map(|e| {
            json!({
                "when": e.occurred_at.format("%Y-%m-%d %H:%M").to_string(),
                "action": e.action,
                "actor": e.actor_kind,
            })
        })
        .collect();
    ctx.insert("events", &events);
    ui.render("admin/home.html", &ctx)
}

#[handler]
pub(crate) async fn staff_list(ui: Ui, staff: SignedInStaff) -> Result<Html<String>, AppError> {
    let mut tx = ui.state.db.tenant_tx(&staff.tenant.0).await?;
    let users = tx.list_staff_users(STAFF_PAGE).await?;
    tx.commit().await?;
    let never = ui.lang.t("admin-staff-never");
    let users: Vec<_> = users
        .iter()
        .map(|u| {
            json!({
                "name": u.name,
                "email": u.email,
                "role": ui.lang.t(&format!("role-{}", u.role)),
                "last_sign_in": u.last_sign_in_at.map_or(never.clone(), |t| t.format("%Y-%m-%d %H:%M").to_string()),
            })
        })
        .collect();
    let mut ctx = staff_nav(&ui, &staff, "staff");
    ctx.insert("users", &users);
    ui.render("admin/staff.html", &ctx)
}
