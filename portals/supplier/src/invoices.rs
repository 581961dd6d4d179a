//! The Invoices area: the supplier's invoices (newest first, keyset-paginated)
//! and each one's page with every line's match result and the company's
//! decision; and the "flip": an invoice prefilled from a purchase order with
//! what was received and not yet invoiced, checked line by line (**Revisar**,
//! nothing stored) before **Enviar la factura**. Every check and submission
//! goes through `invoicing`, as the portal API's.

use poem::{
    IntoResponse, Response, handler,
    session::Session,
    web::{Form, Path, Query, Redirect},
};
use portico_data::{PoDetail, SupplierInvoiceDetail, SupplierInvoiceRow};
use portico_domain::{
    FieldErrors, Permission, money,
    supplier_invoices::{Exception, InvoiceLineInput, MatchReport, SupplierInvoiceInput},
};
use portico_portal::{
    SignedInContact,
    view::{self, ListQuery, PAGE},
};
use portico_web::{AppError, Ui, page::set_flash_named};
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::acknowledging::require;
use crate::invoicing;

/// An invoice's state as people read it, with its badge class.
pub(crate) fn row_json(ui: &Ui, base: &str, account: Uuid, row: &SupplierInvoiceRow) -> Value {
    json!({
        "id": row.id,
        "href": format!("{base}/supplier_invoices/{}?account={account}", row.id),
        "number": row.number,
        "issued_on": view::date(ui, row.issued_on),
        "due_on": view::date(ui, row.due_on),
        "total": view::amount(row.total, &row.currency),
        "status": row.status.as_str(),
        "status_label": ui.lang.t(&format!("supplier-invoices-status-{}", row.status.as_str())),
        "matched": row.matched,
    })
}

/// `GET {base}/supplier_invoices`: the account's invoices.
#[handler]
pub(crate) async fn list(
    ui: Ui,
    me: SignedInContact,
    Query(query): Query<ListQuery>,
) -> Result<Response, AppError> {
    let viewing = me.scope.may(Permission::SupplierInvoicesView);
    let title = ui.lang.t("portal-area-supplier_invoices");
    let view::Layout { mut ctx, scope, .. } = view::layout(
        &ui,
        &me,
        "supplier_invoices",
        &title,
        query.branch.as_deref(),
    )
    .await?;
    let mut rows = Vec::new();
    if viewing {
        let mut tx = me.session.tx().await?;
        rows = tx
            .supplier_invoices()
            .portal_page(&scope, query.after().as_ref(), PAGE + 1)
            .await?;
        tx.commit().await?;
    }
    let more = rows.len() as u64 > PAGE;
    rows.truncate(PAGE as usize);
    let base = me.session.site.base();
    let account = me.scope.account().as_uuid();
    let path = format!("{base}/supplier_invoices");
    ctx.insert("viewing", &viewing);
    ctx.insert("list_path", &path);
    ctx.insert("list_href", &format!("{path}?account={account}"));
    ctx.insert(
        "items",
        &rows
            .iter()
            .map(|r| row_json(&ui, base, account, r))
            .collect::<Vec<_>>(),
    );
    ctx.insert("first_page", &query.after.is_some());
    ctx.insert(
        "next",
        &more
            .then(|| rows.last())
            .flatten()
            .map(|r| format!("{path}?account={account}&after={}", r.cursor().encode())),
    );
    ctx.insert(
        "orders_href",
        &format!("{base}/purchase_orders?account={account}"),
    );
    ctx.insert(
        "may_create",
        &me.scope.may(Permission::SupplierInvoicesCreate),
    );
    Ok(ui.render("supplier/invoices.html", &ctx)?.into_response())
}

/// What each exception says, with the figures it was checked against.
fn exception_text(
    ui: &Ui,
    exception: Exception,
    line: Option<&portico_domain::supplier_invoices::LineMatch>,
    currency: &str,
) -> String {
    let key = format!("supplier-invoices-explain-{}", exception.as_str());
    match (exception, line) {
        (Exception::OverQuantity, Some(l)) => ui
            .lang
            .t_args(&key, &[("available", l.billable.to_string().into())]),
        (Exception::PriceOutOfTolerance, Some(l)) => ui.lang.t_args(
            &key,
            &[("price", view::amount(l.ordered_price, currency).into())],
        ),
        (Exception::TaxDiffers, Some(l)) => ui.lang.t_args(
            &key,
            &[("rate", format!("{} %", l.ordered_tax_rate).into())],
        ),
        _ => ui.lang.t(&key),
    }
}

/// The pre-match as the form shows it: each line's result and the
/// invoice's own.
fn report_json(ui: &Ui, report: &MatchReport, currency: &str) -> Value {
    json!({
        "matched": report.matched(),
        "refused": report.refused(),
        "total": view::amount(report.total, currency),
        "open_amount": view::amount(report.open_amount, currency),
        "header": report.header.iter().map(|e| exception_text(ui, *e, None, currency)).collect::<Vec<_>>(),
        "lines": report.lines.iter().map(|l| json!({
            "ok": l.exceptions.is_empty(),
            "problems": l.exceptions.iter().map(|e| exception_text(ui, *e, Some(l), currency)).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

/// The query of the new invoice's page: the order it bills.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct NewQuery {
    pub order: Option<String>,
}

fn order_id(query: &NewQuery) -> Result<Uuid, AppError> {
    query
        .order
        .as_deref()
        .and_then(|o| Uuid::parse_str(o.trim()).ok())
        .ok_or(AppError::NotFound)
}

/// What the form sent, as an invoice input: `position.N`, `quantity.N`,
/// `unit_price.N`, `tax_rate.N` per line.
fn input_of(pairs: &[(String, String)]) -> SupplierInvoiceInput {
    let value = |key: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.trim().to_owned())
    };
    let lines = (0..)
        .map_while(|n| {
            let position = value(&format!("position.{n}"))?;
            Some(InvoiceLineInput {
                position: position.parse().unwrap_or(0),
                quantity: value(&format!("quantity.{n}")).unwrap_or_default(),
                unit_price: value(&format!("unit_price.{n}")).unwrap_or_default(),
                tax_rate: value(&format!("tax_rate.{n}")).unwrap_or_default(),
            })
        })
        .take(portico_domain::orders::MAX_ORDER_LINES)
        .collect();
    SupplierInvoiceInput {
        number: value("number").unwrap_or_default(),
        issued_on: value("issued_on").unwrap_or_default(),
        due_on: value("due_on").filter(|v| !v.is_empty()),
        tax_id: value("tax_id").unwrap_or_default(),
        note: value("note").filter(|v| !v.is_empty()),
        lines,
    }
}

/// The form prefilled from `order`: every line with something received and
/// not yet invoiced, at the order's price and tax.
fn prefilled(order: &PoDetail, tax_id: Option<String>) -> SupplierInvoiceInput {
    SupplierInvoiceInput {
        number: String::new(),
        issued_on: view::today().to_string(),
        due_on: None,
        tax_id: tax_id.unwrap_or_default(),
        note: None,
        lines: order
            .lines
            .iter()
            .filter(|l| l.received > l.invoiced)
            .map(|l| InvoiceLineInput {
                position: i64::from(l.position),
                quantity: (l.received - l.invoiced).to_string(),
                unit_price: l.unit_price.to_string(),
                tax_rate: l.tax_rate.to_string(),
            })
            .collect(),
    }
}

/// Each field error as people read it: `Line 2 · Quantity: …`.
fn error_messages(ui: &Ui, errors: &FieldErrors) -> Vec<String> {
    errors
        .0
        .iter()
        .map(|e| {
            let field = ui.lang.t(&format!("supplier-invoices-field-{}", e.field));
            let message = ui.lang.t(e.message);
            let line = e
                .within
                .as_deref()
                .and_then(|w| w.strip_prefix("lines["))
                .and_then(|r| r.strip_suffix(']'))
                .and_then(|n| n.parse::<i64>().ok());
            match line {
                Some(n) => format!(
                    "{} · {field}: {message}",
                    ui.lang
                        .t_args("purchasing-line-n", &[("n", (n + 1).into())])
                ),
                None => format!("{field}: {message}"),
            }
        })
        .collect()
}

async fn form_page(
    ui: &Ui,
    me: &SignedInContact,
    order: &PoDetail,
    input: &SupplierInvoiceInput,
    report: Option<&MatchReport>,
    errors: Option<&FieldErrors>,
) -> Result<Response, AppError> {
    let title = ui.lang.t("supplier-invoices-new");
    let view::Layout { mut ctx, .. } =
        view::layout(ui, me, "supplier_invoices", &title, None).await?;
    let base = me.session.site.base();
    let account = me.scope.account().as_uuid();
    let currency = &order.row.currency;
    let results = report.map(|r| report_json(ui, r, currency));
    ctx.insert(
        "order",
        &json!({
            "number": order.row.number,
            "href": format!("{base}/purchase_orders/{}?account={account}", order.row.id),
            "total": view::amount(order.row.total, currency),
        }),
    );
    ctx.insert(
        "form",
        &json!({
            "number": input.number, "issued_on": input.issued_on, "due_on": input.due_on,
            "tax_id": input.tax_id, "note": input.note,
        }),
    );
    ctx.insert(
        "lines",
        &input
            .lines
            .iter()
            .enumerate()
            .map(|(n, l)| {
                let ordered = order
                    .lines
                    .iter()
                    .find(|o| i64::from(o.position) == l.position);
                json!({
                    "n": n,
                    "position": l.position,
                    "description": ordered.map(|o| o.description.clone()).unwrap_or_default(),
                    "ordered_price": ordered.map(|o| money::display(o.unit_price)),
                    "billable": ordered.map(|o| (o.received - o.invoiced).max(money::Dec::ZERO).to_string()),
                    "unit": ordered.map(|o| o.unit.clone()),
                    "quantity": l.quantity, "unit_price": l.unit_price, "tax_rate": l.tax_rate,
                    "result": results.as_ref().and_then(|r| r["lines"].get(n).cloned()),
                })
            })
            .collect::<Vec<_>>(),
    );
    ctx.insert("report", &results);
    ctx.insert(
        "errors",
        &errors.map(|e| error_messages(ui, e)).unwrap_or_default(),
    );
    ctx.insert(
        "action",
        &format!(
            "{base}/supplier_invoices/new?order={}&account={account}",
            order.row.id
        ),
    );
    ctx.insert(
        "back",
        &format!("{base}/purchase_orders/{}?account={account}", order.row.id),
    );
    let status = if errors.is_some() {
        poem::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        poem::http::StatusCode::OK
    };
    Ok(ui
        .render("supplier/invoice_new.html", &ctx)?
        .with_status(status)
        .into_response())
}

/// `GET {base}/supplier_invoices/new?order=<id>`: an invoice prefilled from
/// the order.
#[handler]
pub(crate) async fn new(
    ui: Ui,
    me: SignedInContact,
    Query(query): Query<NewQuery>,
) -> Result<Response, AppError> {
    require(&me, Permission::SupplierInvoicesCreate)?;
    let id = order_id(&query)?;
    let mut tx = me.session.tx().await?;
    let order = invoicing::order(&mut tx, &me, id).await?;
    let tax_id = tx
        .accounts()
        .find(me.scope.account())
        .await?
        .and_then(|a| a.fields.tax_id);
    tx.commit().await?;
    form_page(&ui, &me, &order, &prefilled(&order, tax_id), None, None).await
}

/// `POST {base}/supplier_invoices/new?order=<id>`: `action=check` shows the
/// pre-match (nothing stored); `action=submit` sends the invoice.
#[handler]
pub(crate) async fn create(
    ui: Ui,
    me: SignedInContact,
    session: &Session,
    Query(query): Query<NewQuery>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let id = order_id(&query)?;
    let input = input_of(&pairs);
    let submitting = pairs.iter().any(|(k, v)| k == "action" && v == "submit");
    let checked = invoicing::check(&me, id, &input).await;
    let (order, _, report) = match checked {
        Ok(checked) => checked,
        Err(AppError::Invalid(errors)) => {
            let mut tx = me.session.tx().await?;
            let order = invoicing::order(&mut tx, &me, id).await?;
            tx.commit().await?;
            return form_page(&ui, &me, &order, &input, None, Some(&errors)).await;
        }
        Err(other) => return Err(other),
    };
    if !submitting {
        return form_page(&ui, &me, &order, &input, Some(&report), None).await;
    }
    match invoicing::submit(&me, id, &input).await {
        Ok(row) => {
            set_flash_named(session, "supplier-invoices-submitted", &row.number);
            let base = me.session.site.base();
            let account = me.scope.account().as_uuid();
            Ok(Redirect::see_other(format!(
                "{base}/supplier_invoices/{}?account={account}",
                row.id
            ))
            .into_response())
        }
        Err(AppError::Invalid(errors)) => {
            form_page(&ui, &me, &order, &input, Some(&report), Some(&errors)).await
        }
        Err(other) => Err(other),
    }
}

/// The invoice's lines as its page shows them, each with its result.
fn detail_lines(ui: &Ui, detail: &SupplierInvoiceDetail) -> Vec<Value> {
    detail
        .lines
        .iter()
        .map(|l| {
            json!({
                "position": l.position,
                "description": l.description,
                "quantity": l.quantity.to_string(),
                "unit_price": money::display(l.unit_price),
                "tax_rate": format!("{} %", l.tax_rate),
                "net": money::display(l.net),
                "problems": l.exceptions.iter().map(|e| ui.lang.t(&format!("supplier-invoices-exception-{}", e.as_str()))).collect::<Vec<_>>(),
            })
        })
        .collect()
}

/// The invoice's page data both portals' and the back office's pages share.
pub(crate) fn detail_json(ui: &Ui, detail: &SupplierInvoiceDetail) -> Value {
    let currency = &detail.row.currency;
    json!({
        "lines": detail_lines(ui, detail),
        "header": detail.exceptions.iter().map(|e| ui.lang.t(&format!("supplier-invoices-exception-{}", e.as_str()))).collect::<Vec<_>>(),
        "subtotal": view::amount(detail.subtotal, currency),
        "tax": view::amount(detail.tax, currency),
        "total": view::amount(detail.row.total, currency),
        "tax_id": detail.tax_id,
        "note": detail.note,
        "reject_reason": detail.reject_reason,
        "order_number": detail.order_number,
    })
}

/// `GET {base}/supplier_invoices/:id`: one invoice the scope sees.
#[handler]
pub(crate) async fn show(
    ui: Ui,
    me: SignedInContact,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    require(&me, Permission::SupplierInvoicesView)?;
    let id = Uuid::parse_str(&id).map_err(|_| AppError::NotFound)?;
    let mut tx = me.session.tx().await?;
    let detail = tx
        .supplier_invoices()
        .portal_detail(&me.scope, id)
        .await?
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    let title = format!(
        "{} {}",
        ui.lang.t("supplier-invoices-kind"),
        detail.row.number
    );
    let view::Layout { mut ctx, .. } =
        view::layout(&ui, &me, "supplier_invoices", &title, None).await?;
    let base = me.session.site.base();
    let account = me.scope.account().as_uuid();
    ctx.insert("doc", &row_json(&ui, base, account, &detail.row));
    ctx.insert("detail", &detail_json(&ui, &detail));
    ctx.insert(
        "order_href",
        &format!(
            "{base}/purchase_orders/{}?account={account}",
            detail.row.order_id
        ),
    );
    ctx.insert(
        "back",
        &format!("{base}/supplier_invoices?account={account}"),
    );
    Ok(ui.render("supplier/invoice.html", &ctx)?.into_response())
}
