//! The invoices and credit notes of every customer (or of one), newest first,
//! and one document's page: its lines and totals, what was applied to it, the
//! ERP's reference and its history.

use poem::{
    handler,
    web::{Html, Path, Query},
};
use portico_authz::{Action, Area};
use portico_domain::money;
use portico_web::{AppError, Ui};
use serde::Serialize;
use serde_json::json;

use super::{
    ListQuery, PAGE, customer_filter, first_link, next_link, parse_id,
    view::{AppliedItem, InvoiceItem, Names, amount},
};
use crate::{
    SignedInStaff,
    accounts::account_json,
    history::{HISTORY, history_rows, names_in},
};

const PATH: &str = "/admin/invoices";

/// `GET /admin/invoices`: invoices and credit notes, 25 a page, optionally of
/// the customer `?customer=` names.
#[handler]
pub(super) async fn list(
    ui: Ui,
    staff: SignedInStaff,
    Query(query): Query<ListQuery>,
) -> Result<Html<String>, AppError> {
    staff.require(Area::Sales, Action::Read).await?;
    let after = query.after();
    let mut tx = ui.state.db.tenant_tx(&staff.tenant.0).await?;
    let customer = customer_filter(&mut tx, query.customer.as_deref()).await?;
    let customer_id = customer.as_ref().map(|c| c.id);
    let mut rows = tx
        .sales()
        .invoices(customer_id, after.as_ref(), PAGE + 1)
        .await?;
    let more = rows.len() as u64 > PAGE;
    rows.truncate(PAGE as usize);
    let names = Names::of_invoices(&mut tx, &rows).await?;
    tx.commit().await?;
    let mut ctx = staff.page(&ui, "invoices").await?;
    let title = match &customer {
        Some(c) => ui.lang.t_args(
            "admin-invoices-of",
            &[("customer", c.fields.name.clone().into())],
        ),
        None => ui.lang.t("admin-invoices-title"),
    };
    ctx.insert("title", &title);
    ctx.insert("customer", &customer.as_ref().map(account_json));
    ctx.insert("invoices", &InvoiceItem::list(&ui.lang, &names, &rows));
    ctx.insert("show_customer", &customer.is_none());
    ctx.insert("is_first_page", &after.is_none());
    ctx.insert("first", &first_link(PATH, customer_id));
    ctx.insert(
        "next",
        &next_link(
            PATH,
            customer_id,
            more.then(|| rows.last().map(|r| r.cursor())).flatten(),
        ),
    );
    ui.render("admin/invoices.html", &ctx)
}

/// A line of the document as its table shows it.
#[derive(Serialize)]
struct LineItem {
    item_code: Option<String>,
    description: String,
    quantity: String,
    unit_price: String,
    tax_rate: String,
    net: String,
}

/// `GET /admin/invoices/:id`: one invoice or credit note of this company; any
/// other id (another company's, unknown, malformed) is "not found".
#[handler]
pub(super) async fn show(
    ui: Ui,
    staff: SignedInStaff,
    Path(id): Path<String>,
) -> Result<Html<String>, AppError> {
    staff.require(Area::Sales, Action::Read).await?;
    let id = parse_id(&id)?;
    let mut tx = ui.state.db.tenant_tx(&staff.tenant.0).await?;
    let invoice = tx.sales().invoice(id).await?.ok_or(AppError::NotFound)?;
    let names = Names::of_invoices(&mut tx, std::slice::from_ref(&invoice.row)).await?;
    let events = tx.audit().history(id, HISTORY).await?;
    let history_names = names_in(&mut tx, &events, &ui.lang).await?;
    tx.commit().await?;
    let row = &invoice.row;
    let currency = &row.currency;
    let mut ctx = staff.page(&ui, "invoices").await?;
    ctx.insert(
        "title",
        &format!(
            "{} {}",
            ui.lang.t(&format!("customer-kind-{}", row.kind.as_str())),
            row.number
        ),
    );
    ctx.insert(
        "doc",
        &InvoiceItem::new(&ui.lang, &names, row, super::view::today()),
    );
    ctx.insert("external_ref", &invoice.external_ref);
    ctx.insert("notes", &invoice.notes);
    let lines: Vec<LineItem> = invoice
        .lines
        .iter()
        .map(|l| LineItem {
            item_code: l.item_code.clone(),
            description: l.description.clone(),
            quantity: l.quantity.to_string(),
            unit_price: money::display(l.unit_price),
            tax_rate: format!("{} %", l.tax_rate),
            net: money::display(l.net),
        })
        .collect();
    ctx.insert("lines", &lines);
    ctx.insert(
        "totals",
        &json!({
            "subtotal": amount(invoice.subtotal, currency),
            "tax": amount(invoice.tax, currency),
            "total": amount(row.total, currency),
            "balance": amount(row.balance, currency),
        }),
    );
    ctx.insert(
        "applied",
        &AppliedItem::list(&ui.lang, &invoice.applied, currency),
    );
    ctx.insert("history", &history_rows(&ui.lang, &events, &history_names));
    ctx.insert("back", PATH);
    ui.render("admin/invoice.html", &ctx)
}
