//! The back office's pages: home and the staff list.

use poem::{
    handler,
    web::{Html, Query},
};
use portico_authz::{Action, Area};
use portico_data::StaffCursor;
use portico_web::{AppError, Ui};
use serde::Deserialize;
use serde_json::json;

use crate::SignedInStaff;

/// How many events the home page shows.
const RECENT_EVENTS: u64 = 10;
/// Staff users per page.
const STAFF_PAGE: u64 = 50;

#[handler]
pub(crate) async fn home(ui: Ui, staff: SignedInStaff) -> Result<Html<String>, AppError> {
    let mut tx = ui.state.db.tenant_tx(&staff.tenant.0).await?;
    let events = tx.list_audit_events(RECENT_EVENTS).await?;
    let names = crate::history::names(&mut tx).await?;
    tx.commit().await?;
    let mut ctx = staff.page(&ui, "home").await?;
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
    let events = crate::history::history_rows(&ui.lang, &events, &names);
    ctx.insert("events", &events);
    ui.render("admin/home.html", &ctx)
}

/// Where the staff list continues: the last row of the previous page.
#[derive(Deserialize)]
pub(crate) struct StaffPage {
    after_name: Option<String>,
    after_id: Option<String>,
}

#[handler]
pub(crate) async fn staff_list(
    ui: Ui,
    staff: SignedInStaff,
    Query(page): Query<StaffPage>,
) -> Result<Html<String>, AppError> {
    staff.require(Area::Staff, Action::Read).await?;
    let after = match (page.after_name, page.after_id) {
        (Some(name), Some(id)) => Some(StaffCursor {
            name,
            id: id
                .parse()
                .map_err(|_| AppError::BadRequest("error-bad-request-detail"))?,
        }),
        _ => None,
    };
    let mut tx = ui.state.db.tenant_tx(&staff.tenant.0).await?;
    let mut users = tx.list_staff_users(after.as_ref(), STAFF_PAGE + 1).await?;
    tx.commit().await?;
    let next = if users.len() as u64 > STAFF_PAGE {
        users.truncate(STAFF_PAGE as usize);
        users.last().map(|last| {
            let cursor = last.cursor();
            let query = url::form_urlencoded::Serializer::new(String::new())
                .append_pair("after_name", &cursor.name)
                .append_pair("after_id", &cursor.id.to_string())
                .finish();
            format!("/admin/staff?{query}")
        })
    } else {
        None
    };
    let never = ui.lang.t("admin-staff-never");
    let rows: Vec<_> = users
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
    let mut ctx = staff.page(&ui, "staff").await?;
    ctx.insert("users", &rows);
    ctx.insert("next", &next);
    ctx.insert("is_first_page", &after.is_none());
    ui.render("admin/staff.html", &ctx)
}
