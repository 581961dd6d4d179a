//! The Sales area: the invoices and credit notes of the account (newest first,
//! narrowed by the branch selector, keyset-paginated), its payments, and each
//! document's detail — lines, totals, and what was applied to it.

use poem::{
    IntoResponse, Response, handler,
    web::{Path, Query},
};
use portico_data::{Applied, InvoiceRow, PaymentRow, PortalBranch};
use portico_domain::{Permission, sales::InvoiceKind};
use portico_portal::SignedInContact;
use portico_web::{AppError, Ui};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::view::{self, ListQuery, PAGE};

/// Refuses (403) a contact whose scope does not grant viewing sales.
pub(crate) fn require(me: &SignedInContact) -> Result<(), AppError> {
    if me.scope.may(Permission::SalesView) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// An invoice's state as a word: paid, open, overdue; a credit note's: applied or open.
pub(crate) fn status(row: &InvoiceRow, today: chrono::NaiveDate) -> &'static str {
    match row.kind {
        _ if row.balance.is_zero() => match row.kind {
            InvoiceKind::Invoice => "paid",
            InvoiceKind::CreditNote => "applied",
        },
        InvoiceKind::Invoice if row.due_on < today => "overdue",
        _ => "open",
    }
}

pub(crate) fn invoice_json(
    ui: &Ui,
    base: &str,
    account: Uuid,
    visible: &[PortalBranch],
    row: &InvoiceRow,
) -> Value {
    let today = view::today();
    let state = status(row, today);
    json!({
        "id": row.id,
        "href": format!("{base}/sales/invoices/{}?account={account}", row.id),
        "kind": ui.lang.t(&format!("customer-kind-{}", row.kind.as_str())),
        "number": row.number,
        "issued_on": view::date(ui, row.issued_on),
        "due_on": view::date(ui, row.due_on),
        "branch": view::branch_name(ui, visible, row.branch_id.map(|b| b.as_uuid())),
        "total": view::amount(row.total, &row.currency),
        "balance": view::amount(row.balance, &row.currency),
        "status": state,
        "status_label": ui.lang.t(&format!("customer-status-{state}")),
    })
}

fn payment_json(
    ui: &Ui,
    base: &str,
    account: Uuid,
    visible: &[PortalBranch],
    row: &PaymentRow,
) -> Value {
    json!({
        "id": row.id,
        "href": format!("{base}/sales/payments/{}?account={account}", row.id),
        "number": row.number,
        "received_on": view::date(ui, row.received_on),
        "branch": view::branch_name(ui, visible, row.branch_id.map(|b| b.as_uuid())),
        "method": ui.lang.t(&format!("customer-method-{}", row.method.as_str())),
        "reference": row.reference,
        "amount": view::amount(row.amount, &row.currency),
        "unapplied": (!row.unapplied.is_zero()).then(|| view::amount(row.unapplied, &row.currency)),
    })
}

fn applied_json(ui: &Ui, base: &str, account: Uuid, applied: &Applied, currency: &str) -> Value {
    let path = match applied.kind {
        "payment" => "payments",
        _ => "invoices",
    };
    json!({
        "href": format!("{base}/sales/{path}/{}?account={account}", applied.id),
        "kind": ui.lang.t(&format!("customer-kind-{}", applied.kind)),
        "number": applied.number,
        "date": view::date(ui, applied.date),
        "amount": view::amount(applied.amount, currency),
    })
}

/// The link to the page after `cursor`, keeping the branch chosen.
fn next_href(
    path: &str,
    account: Uuid,
    branch: Option<Uuid>,
    cursor: Option<String>,
) -> Option<String> {
    cursor.map(|c| {
        let branch = branch.map(|b| format!("&branch={b}")).unwrap_or_default();
        format!("{path}?account={account}{branch}&after={c}")
    })
}

/// `GET {base}/sales`: the invoices and credit notes.
#[handler]
pub(crate) async fn invoices(
    ui: Ui,
    me: SignedInContact,
    Query(query): Query<ListQuery>,
) -> Result<Response, AppError> {
    require(&me)?;
    let title = ui.lang.t("portal-area-sales");
    let view::Layout {
        mut ctx,
        visible,
        scope,
        chosen,
    } = view::layout(&ui, &me, "sales", &title, query.branch.as_deref()).await?;
    let mut tx = me.session.tx().await?;
    let mut rows = tx
        .customer_records()
        .invoices_page(&scope, query.after().as_ref(), PAGE + 1)
        .await?;
    tx.commit().await?;
    let more = rows.len() as u64 > PAGE;
    rows.truncate(PAGE as usize);
    let base = me.session.site.base();
    let account = me.scope.account().as_uuid();
    let items: Vec<Value> = rows
        .iter()
        .map(|r| invoice_json(&ui, base, account, &visible, r))
        .collect();
    let path = format!("{base}/sales");
    ctx.insert("tab", "invoices");
    ctx.insert("list_path", &path);
    ctx.insert("items", &items);
    ctx.insert("first_page", &query.after.is_some());
    ctx.insert(
        "next",
        &next_href(
            &path,
            account,
            chosen,
            more.then(|| rows.last().map(|r| r.cursor().encode()))
                .flatten(),
        ),
    );
    ctx.insert(
        "payments_href",
        &format!("{base}/sales/payments?account={account}"),
    );
    ctx.insert("invoices_href", &format!("{path}?account={account}"));
    Ok(ui.render("customer/invoices.html", &ctx)?.into_response())
}

/// `GET {base}/sales/payments`: the payments received.
#[handler]
pub(crate) async fn payments(
    ui: Ui,
    me: SignedInContact,
    Query(query): Query<ListQuery>,
) -> Result<Response, AppError> {
    require(&me)?;
    let title = ui.lang.t("customer-payments-title");
    let view::Layout {
        mut ctx,
        visible,
        scope,
        chosen,
    } = view::layout(&ui, &me, "sales", &title, query.branch.as_deref()).await?;
    let mut tx = me.session.tx().await?;
    let mut rows = tx
        .customer_records()
        .payments_page(&scope, query.after().as_ref(), PAGE + 1)
        .await?;
    tx.commit().await?;
    let more = rows.len() as u64 > PAGE;
    rows.truncate(PAGE as usize);
    let base = me.session.site.base();
    let account = me.scope.account().as_uuid();
    let items: Vec<Value> = rows
        .iter()
        .map(|r| payment_json(&ui, base, account, &visible, r))
        .collect();
    let path = format!("{base}/sales/payments");
    ctx.insert("tab", "payments");
    ctx.insert("list_path", &path);
    ctx.insert("items", &items);
    ctx.insert("first_page", &query.after.is_some());
    ctx.insert(
        "next",
        &next_href(
            &path,
            account,
            chosen,
            more.then(|| rows.last().map(|r| r.cursor().encode()))
                .flatten(),
        ),
    );
    ctx.insert("payments_href", &format!("{path}?account={account}"));
    ctx.insert("invoices_href", &format!("{base}/sales?account={account}"));
    Ok(ui.render("customer/payments.html", &ctx)?.into_response())
}

/// `GET {base}/sales/invoices/:id`: one invoice or credit note the scope
/// sees; any other id (another account's, a hidden branch's, another
/// company's, malformed) is "not found".
#[handler]
pub(crate) async fn invoice(
    ui: Ui,
    me: SignedInContact,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    require(&me)?;
    let id = Uuid::parse_str(&id).map_err(|_| AppError::NotFound)?;
    let mut tx = me.session.tx().await?;
    let invoice = tx.customer_records().invoice(&me.scope, id).await?;
    tx.commit().await?;
    let invoice = invoice.ok_or(AppError::NotFound)?;
    let row = &invoice.row;
    let title = format!(
        "{} {}",
        ui.lang.t(&format!("customer-kind-{}", row.kind.as_str())),
        row.number
    );
    let view::Layout {
        mut ctx, visible, ..
    } = view::layout(&ui, &me, "sales", &title, None).await?;
    let base = me.session.site.base();
    let account = me.scope.account().as_uuid();
    let currency = &row.currency;
    ctx.insert("doc", &invoice_json(&ui, base, account, &visible, row));
    ctx.insert(
        "lines",
        &invoice
            .lines
            .iter()
            .map(|l| {
                json!({
                    "item_code": l.item_code, "description": l.description,
                    "quantity": l.quantity.to_string(),
                    "unit_price": portico_domain::money::display(l.unit_price),
                    "tax_rate": format!("{} %", l.tax_rate),
                    "net": portico_domain::money::display(l.net),
                })
            })
            .collect::<Vec<_>>(),
    );
    ctx.insert(
        "totals",
        &json!({
            "subtotal": view::amount(invoice.subtotal, currency),
            "tax": view::amount(invoice.tax, currency),
            "total": view::amount(row.total, currency),
            "balance": view::amount(row.balance, currency),
        }),
    );
    ctx.insert("notes", &invoice.notes);
    ctx.insert(
        "applied",
        &invoice
            .applied
            .iter()
            .map(|a| applied_json(&ui, base, account, a, currency))
            .collect::<Vec<_>>(),
    );
    ctx.insert("is_credit_note", &(row.kind == InvoiceKind::CreditNote));
    ctx.insert(
        "pdf",
        &format!("{base}/sales/invoices/{}/pdf?account={account}", row.id),
    );
    ctx.insert("back", &format!("{base}/sales?account={account}"));
    Ok(ui.render("customer/invoice.html", &ctx)?.into_response())
}

/// `GET {base}/sales/payments/:id`: one payment and the invoices it paid.
#[handler]
pub(crate) async fn payment(
    ui: Ui,
    me: SignedInContact,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    require(&me)?;
    let id = Uuid::parse_str(&id).map_err(|_| AppError::NotFound)?;
    let mut tx = me.session.tx().await?;
    let payment = tx.customer_records().payment(&me.scope, id).await?;
    tx.commit().await?;
    let payment = payment.ok_or(AppError::NotFound)?;
    let row = &payment.row;
    let title = format!("{} {}", ui.lang.t("customer-kind-payment"), row.number);
    let view::Layout {
        mut ctx, visible, ..
    } = view::layout(&ui, &me, "sales", &title, None).await?;
    let base = me.session.site.base();
    let account = me.scope.account().as_uuid();
    ctx.insert("doc", &payment_json(&ui, base, account, &visible, row));
    ctx.insert(
        "applied",
        &payment
            .applied
            .iter()
            .map(|a| applied_json(&ui, base, account, a, &row.currency))
            .collect::<Vec<_>>(),
    );
    ctx.insert("back", &format!("{base}/sales/payments?account={account}"));
    Ok(ui.render("customer/payment.html", &ctx)?.into_response())
}
