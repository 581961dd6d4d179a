//! Deleting a contact for good: the confirmation page and the deletion.

use poem::{
    IntoResponse, Response, handler,
    session::Session,
    web::{Html, Path, Redirect},
};
use portico_data::ContactId;
use portico_web::{AppError, Ui, page::set_flash};
use serde_json::json;

use super::parse;
use crate::{
    SignedInStaff,
    commands::{Issuer, contacts},
    contact_table::link_json,
};

/// `GET /admin/contacts/{id}/delete`: what deleting would remove, to confirm.
#[handler]
pub(super) async fn delete_page(
    ui: Ui,
    staff: SignedInStaff,
    Path(id): Path<String>,
) -> Result<Html<String>, AppError> {
    let mut tx = ui.state.db.tenant_tx(&staff.tenant.0).await?;
    let (contact, links) =
        contacts::editable(&mut tx, &Issuer::staff(&staff, &ui), parse(&id)?).await?;
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
pub(super) async fn delete(
    ui: Ui,
    staff: SignedInStaff,
    session: &Session,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id: ContactId = parse(&id)?;
    contacts::delete(&Issuer::staff(&staff, &ui), id).await?;
    set_flash(session, "contact-deleted");
    Ok(Redirect::see_other("/admin/contacts").into_response())
}
