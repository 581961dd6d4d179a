//! The customer portal's PDFs: an invoice or credit note
//! (`…/sales/invoices/:id/pdf`), a quote or order with its approval chain
//! (`…/quotes/:id/pdf`, `…/orders/:id/pdf`) and the statement of a date range
//! (`…/receivables/statement/pdf`), in the reader's language, with the same
//! scope and figures as their pages.

use poem::{
    IntoResponse, Response, handler,
    web::{Path, Query, Redirect},
};
use portico_data::{InvoiceDetail, OrderDetail, PortalBranch, Statement};
use portico_domain::{money, orders::OrderKind, sales::InvoiceKind};
use portico_pdf::Template;
use portico_portal::SignedInContact;
use portico_web::{AppError, Ui};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{
    ordering,
    receivables::{self, StatementForm, checked_range},
    sales::{self, status},
    view,
};

/// What every document shows: its language and title (the letterhead is
/// added by [`portico_web::pdf::respond`]).
fn common(ui: &Ui, title: &str, subtitle: Option<String>) -> Value {
    json!({
        "lang": ui.lang.0.tag(),
        "title": title,
        "subtitle": subtitle,
    })
}

/// The account's name and code, as the documents name the customer.
async fn customer(me: &SignedInContact) -> Result<(String, Vec<PortalBranch>), AppError> {
    let mut tx = me.session.tx().await?;
    let account = tx.accounts().find(me.scope.account()).await?;
    let visible = tx.portal_scope().visible_branches(&me.scope).await?;
    tx.commit().await?;
    let name = account
        .map(|a| format!("{} ({})", a.fields.name, a.fields.code))
        .unwrap_or_default();
    Ok((name, visible))
}

/// The PDF's data of an invoice or credit note.
fn invoice_data(
    ui: &Ui,
    invoice: &InvoiceDetail,
    customer: &str,
    visible: &[PortalBranch],
) -> Value {
    let row = &invoice.row;
    let t = |key: &str| ui.lang.t(key);
    let kind = t(&format!("customer-kind-{}", row.kind.as_str()));
    let currency = &row.currency;
    let state = status(row, view::today());
    let mut facts = vec![
        json!([t("customer-pdf-customer"), customer]),
        json!([
            t("customer-col-branch"),
            view::branch_name(ui, visible, row.branch_id.map(|b| b.as_uuid()))
        ]),
        json!([t("customer-col-date"), view::date(ui, row.issued_on)]),
    ];
    if row.kind == InvoiceKind::Invoice {
        facts.push(json!([t("customer-col-due"), view::date(ui, row.due_on)]));
    }
    facts.push(json!([t("customer-col-currency"), currency]));
    facts.push(json!([
        t("customer-col-status"),
        t(&format!("customer-status-{state}"))
    ]));
    let balance_label = match row.kind {
        InvoiceKind::Invoice => t("customer-col-balance"),
        InvoiceKind::CreditNote => t("customer-col-unapplied"),
    };
    let mut data = common(ui, &format!("{kind} {}", row.number), None);
    data["labels"] = json!({
        "page": t("customer-pdf-page"),
        "tax_id": t("customer-pdf-tax-id"),
        "notes": t("customer-pdf-notes"),
        "applied": t(match row.kind {
            InvoiceKind::Invoice => "customer-paid-by",
            InvoiceKind::CreditNote => "customer-applied-to",
        }),
        "columns": [
            t("customer-col-item"), t("customer-col-description"), t("customer-col-quantity"),
            t("customer-col-price"), t("customer-col-tax-rate"), t("customer-col-net"),
        ],
        "applied_columns": [
            t("customer-pdf-document"), t("customer-col-number"), t("customer-col-date"),
            t("customer-col-amount"),
        ],
    });
    data["facts"] = json!(facts);
    data["lines"] = json!(
        invoice
            .lines
            .iter()
            .map(|l| json!({
                "code": l.item_code.clone().unwrap_or_default(),
                "description": l.description,
                "quantity": l.quantity.to_string(),
                "unit_price": money::display(l.unit_price),
                "tax_rate": format!("{} %", l.tax_rate),
                "net": money::display(l.net),
            }))
            .collect::<Vec<_>>()
    );
    data["totals"] = json!([
        [
            t("customer-subtotal"),
            view::amount(invoice.subtotal, currency)
        ],
        [t("customer-tax"), view::amount(invoice.tax, currency)],
        [t("customer-col-total"), view::amount(row.total, currency)],
        [balance_label, view::amount(row.balance, currency)],
    ]);
    data["applied"] = json!(
        invoice
            .applied
            .iter()
            .map(|a| json!({
                "kind": t(&format!("customer-kind-{}", a.kind)),
                "number": a.number,
                "date": view::date(ui, a.date),
                "amount": view::amount(a.amount, currency),
            }))
            .collect::<Vec<_>>()
    );
    data["notes"] = json!(invoice.notes);
    data
}

/// `GET {base}/sales/invoices/:id/pdf`: the invoice or credit note as a PDF;
/// an id the scope does not see is "not found", as on its page.
#[handler]
pub(crate) async fn invoice_pdf(
    ui: Ui,
    me: SignedInContact,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    sales::require(&me)?;
    let id = Uuid::parse_str(&id).map_err(|_| AppError::NotFound)?;
    let mut tx = me.session.tx().await?;
    let invoice = tx.customer_records().invoice(&me.scope, id).await?;
    tx.commit().await?;
    let invoice = invoice.ok_or(AppError::NotFound)?;
    let (customer, visible) = customer(&me).await?;
    let data = invoice_data(&ui, &invoice, &customer, &visible);
    let name = format!("{}.pdf", invoice.row.number);
    portico_web::pdf::respond(&ui, Template::Invoice, data, &name).await
}

/// The PDF's data of a quote or order: its facts, lines, totals and chain.
fn order_data(ui: &Ui, detail: &OrderDetail, customer: &str, visible: &[PortalBranch]) -> Value {
    let row = &detail.row;
    let t = |key: &str| ui.lang.t(key);
    let currency = &row.currency;
    let state = row.state(view::today());
    let mut facts = vec![
        json!([t("customer-pdf-customer"), customer]),
        json!([
            t("customer-col-branch"),
            view::branch_name(ui, visible, row.branch_id.map(|b| b.as_uuid()))
        ]),
        json!([t("customer-col-date"), view::date(ui, row.issued_on)]),
    ];
    let (label, date) = match row.kind {
        OrderKind::Quote => ("orders-valid-until", row.valid_until),
        OrderKind::Order => ("orders-deliver-on", row.deliver_on),
    };
    if let Some(date) = date {
        facts.push(json!([t(label), view::date(ui, date)]));
    }
    facts.push(json!([t("customer-col-currency"), currency]));
    facts.push(json!([
        t("customer-col-status"),
        t(&format!("orders-status-{state}"))
    ]));
    let kind = t(&format!("orders-kind-{}", row.kind.as_str()));
    let mut data = common(ui, &format!("{kind} {}", row.number), None);
    data["labels"] = json!({
        "page": t("customer-pdf-page"),
        "tax_id": t("customer-pdf-tax-id"),
        "notes": t("customer-pdf-notes"),
        "applied": t("orders-chain"),
        "columns": [
            t("customer-col-item"), t("customer-col-description"), t("customer-col-quantity"),
            t("customer-col-price"), t("customer-col-tax-rate"), t("customer-col-net"),
        ],
        "applied_columns": [
            t("orders-chain-what"), t("orders-chain-who"), t("customer-col-date"),
            t("orders-chain-limit"),
        ],
    });
    data["facts"] = json!(facts);
    data["lines"] = json!(
        detail
            .lines
            .iter()
            .map(|l| json!({
                "code": l.item_code.clone().unwrap_or_default(),
                "description": l.description,
                "quantity": format!("{} {}", l.quantity, l.unit),
                "unit_price": money::display(l.unit_price),
                "tax_rate": format!("{} %", l.tax_rate),
                "net": money::display(l.net),
            }))
            .collect::<Vec<_>>()
    );
    data["totals"] = json!([
        [
            t("customer-subtotal"),
            view::amount(detail.subtotal, currency)
        ],
        [t("customer-tax"), view::amount(detail.tax, currency)],
        [t("customer-col-total"), view::amount(row.total, currency)],
    ]);
    data["applied"] = json!(
        detail
            .events
            .iter()
            .map(|e| json!({
                "kind": t(&format!("orders-event-{}", e.action)),
                "number": e.actor_name,
                "date": e.occurred_at.format("%Y-%m-%d %H:%M").to_string(),
                "amount": e.approval_limit.map(|l| view::amount(l, currency)).unwrap_or_default(),
            }))
            .collect::<Vec<_>>()
    );
    data["notes"] = json!(detail.notes);
    data
}

async fn order_pdf_of(
    ui: Ui,
    me: SignedInContact,
    kind: OrderKind,
    id: String,
) -> Result<Response, AppError> {
    ordering::require(&me, ordering::view(kind))?;
    let id = Uuid::parse_str(&id).map_err(|_| AppError::NotFound)?;
    let mut tx = me.session.tx().await?;
    let detail = ordering::find(&mut tx, &me, kind, id).await?;
    tx.commit().await?;
    let (customer, visible) = customer(&me).await?;
    let data = order_data(&ui, &detail, &customer, &visible);
    let name = format!("{}.pdf", detail.row.number);
    portico_web::pdf::respond(&ui, Template::Invoice, data, &name).await
}

/// `GET {base}/quotes/:id/pdf`: the quote as a PDF (404 as on its page).
#[handler]
pub(crate) async fn quote_pdf(
    ui: Ui,
    me: SignedInContact,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    order_pdf_of(ui, me, OrderKind::Quote, id).await
}

/// `GET {base}/orders/:id/pdf`: the order as a PDF (404 as on its page).
#[handler]
pub(crate) async fn order_pdf(
    ui: Ui,
    me: SignedInContact,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    order_pdf_of(ui, me, OrderKind::Order, id).await
}

fn statement_data(
    ui: &Ui,
    s: &Statement,
    customer: &str,
    visible: &[PortalBranch],
    branch: Option<Uuid>,
) -> Value {
    let t = |key: &str| ui.lang.t(key);
    let period = ui.lang.t_args(
        "customer-statement-period",
        &[
            ("from", view::date(ui, s.from).into()),
            ("to", view::date(ui, s.to).into()),
            ("currency", s.currency.clone().into()),
        ],
    );
    let mut data = common(ui, &t("customer-statement-title"), Some(period));
    let mut facts = vec![json!([t("customer-pdf-customer"), customer])];
    if branch.is_some() {
        facts.push(json!([
            t("customer-col-branch"),
            view::branch_name(ui, visible, branch)
        ]));
    }
    facts.push(json!([
        t("customer-pdf-issued"),
        view::date(ui, view::today())
    ]));
    data["facts"] = json!(facts);
    data["labels"] = json!({
        "page": t("customer-pdf-page"),
        "tax_id": t("customer-pdf-tax-id"),
        "opening": t("customer-statement-opening"),
        "closing": t("customer-statement-closing"),
        "columns": [
            t("customer-col-date"), t("customer-col-number"), t("customer-col-branch"),
            t("customer-col-debit"), t("customer-col-credit"), t("customer-col-running"),
        ],
    });
    let blank = |v: money::Dec| {
        if v.is_zero() {
            String::new()
        } else {
            money::display(v)
        }
    };
    data["opening"] = json!(view::amount(s.opening, &s.currency));
    data["closing"] = json!(view::amount(s.closing, &s.currency));
    data["movements"] = json!(
        s.movements
            .iter()
            .map(|m| json!({
                "date": view::date(ui, m.date),
                "number": format!("{} {}", t(&format!("customer-kind-{}", m.kind)), m.number),
                "branch": view::branch_name(ui, visible, m.branch_id.map(|b| b.as_uuid())),
                "debit": blank(m.debit),
                "credit": blank(m.credit),
                "balance": money::display(m.balance),
            }))
            .collect::<Vec<_>>()
    );
    data["incomplete"] = json!((!s.complete).then(|| t("customer-statement-cut")));
    data
}

/// `GET {base}/receivables/statement/pdf?currency=&from=&to=&branch=`: the
/// statement as a PDF. A range with a problem goes to the statement's page,
/// which explains it.
#[handler]
pub(crate) async fn statement_pdf(
    ui: Ui,
    me: SignedInContact,
    Query(form): Query<StatementForm>,
) -> Result<Response, AppError> {
    receivables::require(&me)?;
    let company = ui
        .tenant
        .as_ref()
        .map(|t| t.currency().to_owned())
        .unwrap_or_default();
    let Ok((currency, from, to)) = checked_range(&form, &company, view::today()) else {
        let query = serde_urlencoded::to_string(&form).unwrap_or_default();
        let page = format!("{}/receivables/statement?{query}", me.session.site.base());
        return Ok(Redirect::see_other(page).into_response());
    };
    let (customer, visible) = customer(&me).await?;
    let (scope, branch) = view::narrowed(&me.scope, &visible, form.branch.as_deref());
    let mut tx = me.session.tx().await?;
    let s = tx
        .customer_records()
        .statement(&scope, &currency, from, to)
        .await?;
    tx.commit().await?;
    let data = statement_data(&ui, &s, &customer, &visible, branch);
    let name = format!(
        "{}-{from}-{to}.pdf",
        ui.lang.t("customer-pdf-statement-file")
    );
    portico_web::pdf::respond(&ui, Template::Statement, data, &name).await
}
