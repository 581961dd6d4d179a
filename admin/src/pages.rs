//! The back office's home page: the company, the user's role and the recent
//! activity, each event naming (and linking) the contact or account it is about.

use std::collections::HashMap;

use poem::{handler, web::Html};
use portico_data::AuditEvent;
use portico_web::{AppError, Ui};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::SignedInStaff;

/// How many events the home page shows.
const RECENT_EVENTS: u64 = 10;

#[handler]
pub(crate) async fn home(ui: Ui, staff: SignedInStaff) -> Result<Html<String>, AppError> {
    let mut tx = ui.state.db.tenant_tx(&staff.tenant.0).await?;
    let events = tx.audit().list(RECENT_EVENTS).await?;
    let names = crate::history::names_in(&mut tx, &events, &ui.lang).await?;
    let subjects: Vec<Uuid> = events.iter().filter_map(|e| e.subject_id).collect();
    let records = tx.names().of_records(&subjects).await?;
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
    let mut rows = crate::history::history_rows(&ui.lang, &events, &names);
    for (row, event) in rows.iter_mut().zip(&events) {
        row["record"] = json!(record_of(event, &records));
    }
    ctx.insert("events", &rows);
    ui.render("admin/home.html", &ctx)
}

/// The contact or account an event is about, with its page, when it still exists.
fn record_of(event: &AuditEvent, names: &HashMap<Uuid, String>) -> Option<Value> {
    let id = event.subject_id?;
    let section = match event.subject_kind.as_str() {
        "contact" => "contacts",
        "customer" => "customers",
        "supplier" => "suppliers",
        _ => return None,
    };
    let name = names.get(&id)?;
    Some(json!({ "name": name, "href": format!("/admin/{section}/{id}") }))
}
