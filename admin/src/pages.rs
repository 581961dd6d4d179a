//! The back office's home page.

use poem::{handler, web::Html};
use portico_web::{AppError, Ui};
use serde_json::json;

use crate::SignedInStaff;

/// How many events the home page shows.
const RECENT_EVENTS: u64 = 10;

#[handler]
pub(crate) async fn home(ui: Ui, staff: SignedInStaff) -> Result<Html<String>, AppError> {
    let mut tx = ui.state.db.tenant_tx(&staff.tenant.0).await?;
    let events = tx.list_audit_events(RECENT_EVENTS).await?;
    let names = crate::history::names_in(&mut tx, &events, &ui.lang).await?;
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
