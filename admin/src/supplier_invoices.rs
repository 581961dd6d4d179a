//! Supplier invoices in the back office (Compras → Facturas de proveedores):
//! the inbox — submitted invoices with exceptions first, then the matched,
//! or all — and one invoice's page with each line's match result, the
//! supplier's note, and what staff decide: approve, or reject with a reason
//! the supplier reads. Decisions go through `commands::purchases`, as the
//! admin API's.

use poem::{
    IntoResponse, Response, get, handler, post,
    session::Session,
    web::{Form, Html, Path, Query, Redirect},
};
use portico_authz::{Action, Area};
use portico_data::{DateCursor, InboxFilter, InvoiceStatus, SupplierInvoiceRow};
use portico_domain::money;
use portico_web::{
    Access, AppError, Lang, Routes, Ui,
    page::{set_flash_error, set_flash_named},
};
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{
    SignedInStaff,
    commands::{Issuer, purchases},
    sales::view::{Names, amount, date},
};

/// Rows per page.
const PAGE: u64 = 25;

/// `/admin/supplier-invoices`.
pub(crate) fn routes() -> Routes {
    let read = Access::staff(Area::Purchases, Action::Read);
    let write = Access::staff(Area::Purchases, Action::Write);
    Routes::new()
        .at("/", read, get(list))
        .at("/:id", read, get(show))
        .at("/:id/decision", write, post(decide))
}

#[derive(Debug, Default, Deserialize)]
struct ListQuery {
    show: Option<String>,
    after: Option<String>,
}

fn row_json(lang: &Lang, names: &Names, row: &SupplierInvoiceRow) -> Value {
    json!({
        "id": row.id,
        "href": format!("/admin/supplier-invoices/{}", row.id),
        "number": row.number,
        "supplier": names.supplier_link(row.account_id.as_uuid()),
        "order_href": format!("/admin/purchase-orders/{}", row.order_id),
        "issued_on": date(lang, row.issued_on),
        "due_on": date(lang, row.due_on),
        "total": amount(row.total, &row.currency),
        "status": row.status.as_str(),
        "status_label": lang.t(&format!("supplier-invoices-status-{}", row.status.as_str())),
        "matched": row.matched,
    })
}

/// `GET /admin/supplier-invoices`: the inbox, exceptions first.
#[handler]
async fn list(
    ui: Ui,
    staff: SignedInStaff,
    Query(query): Query<ListQuery>,
) -> Result<Html<String>, AppError> {
    staff.require(Area::Purchases, Action::Read).await?;
    let (filter, shown) = match query.show.as_deref() {
        Some("matched") => (InboxFilter::Matched, "matched"),
        Some("all") => (InboxFilter::All, "all"),
        _ => (InboxFilter::Exceptions, "exceptions"),
    };
    let after = query
        .after
        .as_deref()
        .and_then(|a| DateCursor::decode(a).ok());
    let mut tx = ui.state.db.tenant_tx(&staff.tenant.0).await?;
    let mut rows = tx
        .supplier_invoices()
        .list(filter, after.as_ref(), PAGE + 1)
        .await?;
    let more = rows.len() as u64 > PAGE;
    rows.truncate(PAGE as usize);
    let names = Names::of(&mut tx, rows.iter().map(|r| r.account_id.as_uuid()), []).await?;
    tx.commit().await?;
    let mut ctx = staff.page(&ui, "supplier-invoices").await?;
    ctx.insert("title", &ui.lang.t("supplier-invoices-admin-title"));
    ctx.insert(
        "tabs",
        &["exceptions", "matched", "all"]
            .iter()
            .map(|t| {
                json!({
                    "current": *t == shown,
                    "label": ui.lang.t(&format!("supplier-invoices-tab-{t}")),
                    "href": format!("/admin/supplier-invoices?show={t}"),
                })
            })
            .collect::<Vec<_>>(),
    );
    ctx.insert(
        "rows",
        &rows
            .iter()
            .map(|r| row_json(&ui.lang, &names, r))
            .collect::<Vec<_>>(),
    );
    ctx.insert("shown", shown);
    ctx.insert("is_first_page", &after.is_none());
    ctx.insert("first", &format!("/admin/supplier-invoices?show={shown}"));
    ctx.insert(
        "next",
        &more.then(|| rows.last()).flatten().map(|r| {
            format!(
                "/admin/supplier-invoices?show={shown}&after={}",
                r.cursor().encode()
            )
        }),
    );
    ui.render("admin/supplier_invoices.html", &ctx)
}

/// `GET /admin/supplier-invoices/:id`: one invoice, its results, decision.
#[handler]
async fn show(
    ui: Ui,
    staff: SignedInStaff,
    Path(id): Path<String>,
) -> Result<Html<String>, AppError> {
    staff.require(Area::Purchases, Action::Read).await?;
    let id = Uuid::parse_str(&id).map_err(|_| AppError::NotFound)?;
    let mut tx = ui.state.db.tenant_tx(&staff.tenant.0).await?;
    let detail = tx
        .supplier_invoices()
        .detail(id)
        .await?
        .ok_or(AppError::NotFound)?;
    let names = Names::of(&mut tx, [detail.row.account_id.as_uuid()], []).await?;
    tx.commit().await?;
    let mut ctx = staff.page(&ui, "supplier-invoices").await?;
    ctx.insert(
        "title",
        &format!(
            "{} {}",
            ui.lang.t("supplier-invoices-kind"),
            detail.row.number
        ),
    );
    ctx.insert("doc", &row_json(&ui.lang, &names, &detail.row));
    let currency = &detail.row.currency;
    let t = |e: &portico_domain::supplier_invoices::Exception| {
        ui.lang
            .t(&format!("supplier-invoices-exception-{}", e.as_str()))
    };
    ctx.insert(
        "detail",
        &json!({
            "order_number": detail.order_number,
            "tax_id": detail.tax_id,
            "note": detail.note,
            "reject_reason": detail.reject_reason,
            "header": detail.exceptions.iter().map(t).collect::<Vec<_>>(),
            "subtotal": amount(detail.subtotal, currency),
            "tax": amount(detail.tax, currency),
            "total": amount(detail.row.total, currency),
            "lines": detail.lines.iter().map(|l| json!({
                "description": l.description,
                "quantity": l.quantity.to_string(),
                "unit_price": money::display(l.unit_price),
                "tax_rate": format!("{} %", l.tax_rate),
                "net": money::display(l.net),
                "problems": l.exceptions.iter().map(t).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        }),
    );
    let may_write = staff.may(Area::Purchases, Action::Write).await?;
    ctx.insert(
        "may_decide",
        &(may_write && detail.row.status == InvoiceStatus::Submitted),
    );
    ui.render("admin/supplier_invoice.html", &ctx)
}

#[derive(Debug, Deserialize)]
struct DecisionForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    reason: String,
}

/// `POST /admin/supplier-invoices/:id/decision`: approve or reject.
#[handler]
async fn decide(
    ui: Ui,
    staff: SignedInStaff,
    session: &Session,
    Path(id): Path<String>,
    Form(form): Form<DecisionForm>,
) -> Result<Response, AppError> {
    let id = Uuid::parse_str(&id).map_err(|_| AppError::NotFound)?;
    let approve = form.decision == "approve";
    let issuer = Issuer::staff(&staff, &ui);
    match purchases::decide_invoice(&issuer, id, approve, Some(&form.reason)).await {
        Ok(row) => set_flash_named(
            session,
            if approve {
                "supplier-invoices-approved"
            } else {
                "supplier-invoices-rejected"
            },
            &row.number,
        ),
        Err(AppError::StateConflict(message)) => set_flash_error(session, message),
        Err(AppError::Invalid(errors)) => set_flash_error(
            session,
            errors.0.first().map_or("field-required", |e| e.message),
        ),
        Err(other) => return Err(other),
    }
    Ok(Redirect::see_other(format!("/admin/supplier-invoices/{id}")).into_response())
}
