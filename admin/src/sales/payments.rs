//! The payments received from every customer (or from one), newest first, and
//! one payment's page: method, reference, amount, what is left unapplied, the
//! invoices it paid (its remittance) and its history.

use poem::{
    handler,
    web::{Html, Path, Query},
};
use portico_authz::{Action, Area};
use portico_web::{AppError, Ui};

use super::{
    ListQuery, PAGE, customer_filter, first_link, next_link, parse_id,
    view::{AppliedItem, Names, PaymentItem},
};
use crate::{
    SignedInStaff,
    accounts::account_json,
    history::{HISTORY, history_rows, names_in},
};

const PATH: &str = "/admin/payments";

/// `GET /admin/payments`: payments, 25 a page, optionally of the customer
/// `?customer=` names.
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
        .payments(customer_id, after.as_ref(), PAGE + 1)
        .await?;
    let more = rows.len() as u64 > PAGE;
    rows.truncate(PAGE as usize);
    let names = Names::of_payments(&mut tx, &rows).await?;
    tx.commit().await?;
    let mut ctx = staff.page(&ui, "payments").await?;
    let title = match &customer {
        Some(c) => ui.lang.t_args(
            "admin-payments-of",
            &[("customer", c.fields.name.clone().into())],
        ),
        None => ui.lang.t("admin-payments-title"),
    };
    ctx.insert("title", &title);
    ctx.insert("customer", &customer.as_ref().map(account_json));
    ctx.insert("payments", &PaymentItem::list(&ui.lang, &names, &rows));
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
    ui.render("admin/payments.html", &ctx)
}

/// `GET /admin/payments/:id`: one payment of this company and its remittance;
/// any other id (another company's, unknown, malformed) is "not found".
#[handler]
pub(super) async fn show(
    ui: Ui,
    staff: SignedInStaff,
    Path(id): Path<String>,
) -> Result<Html<String>, AppError> {
    staff.require(Area::Sales, Action::Read).await?;
    let id = parse_id(&id)?;
    let mut tx = ui.state.db.tenant_tx(&staff.tenant.0).await?;
    let payment = tx.sales().payment(id).await?.ok_or(AppError::NotFound)?;
    let names = Names::of_payments(&mut tx, std::slice::from_ref(&payment.row)).await?;
    let events = tx.audit().history(id, HISTORY).await?;
    let history_names = names_in(&mut tx, &events, &ui.lang).await?;
    tx.commit().await?;
    let row = &payment.row;
    let mut ctx = staff.page(&ui, "payments").await?;
    ctx.insert(
        "title",
        &format!("{} {}", ui.lang.t("admin-kind-payment"), row.number),
    );
    ctx.insert("doc", &PaymentItem::new(&ui.lang, &names, row));
    ctx.insert("external_ref", &payment.external_ref);
    ctx.insert(
        "applied",
        &AppliedItem::list(&ui.lang, &payment.applied, &row.currency),
    );
    ctx.insert("history", &history_rows(&ui.lang, &events, &history_names));
    ctx.insert("back", PATH);
    ui.render("admin/payment.html", &ctx)
}
