//! Quotes and orders of every customer (or of one) in the back office, newest
//! first, and one record's page: its lines, totals, the approval chain ("autorizado
//! en el portal por …", with each approver's limit then) and the company's
//! moves — send a requested quote, mark an order fulfilled, cancel it.

use poem::{
    IntoResponse, Response, handler,
    session::Session,
    web::{Html, Path, Query, Redirect},
};
use portico_authz::{Action, Area};
use portico_data::{OrderDetail, OrderRow};
use portico_domain::{
    money,
    orders::{OrderKind, OrderMove, OrderStatus},
};
use portico_web::{
    AppError, Lang, Ui,
    page::{set_flash_error, set_flash_named},
};
use serde_json::{Value, json};

use super::{
    ListQuery, PAGE, customer_filter, first_link, next_link, parse_id,
    view::{Names, amount, date, today},
};
use crate::{
    SignedInStaff,
    accounts::account_json,
    commands::{Issuer, orders},
};

/// The list's path of `kind`.
fn path(kind: OrderKind) -> &'static str {
    match kind {
        OrderKind::Quote => "/admin/quotes",
        OrderKind::Order => "/admin/orders",
    }
}

/// A row as the lists and a record's header show it.
pub(crate) fn row_json(lang: &Lang, names: &Names, row: &OrderRow) -> Value {
    let state = row.state(today());
    json!({
        "id": row.id,
        "href": format!("{}/{}", path(row.kind), row.id),
        "number": row.number,
        "customer": names.customer_link(row.account_id.as_uuid()),
        "branch": names.branch_name(lang, row.branch_id.map(|b| b.as_uuid())),
        "issued_on": date(lang, row.issued_on),
        "valid_until": row.valid_until.map(|d| date(lang, d)),
        "deliver_on": row.deliver_on.map(|d| date(lang, d)),
        "total": amount(row.total, &row.currency),
        "status": state,
        "status_label": lang.t(&format!("orders-status-{state}")),
        "awaiting_approval": row.awaiting_approval,
        "from_portal": row.created_by.is_some(),
    })
}

/// The names a page of rows shows.
pub(crate) async fn names_of(
    tx: &mut portico_data::TenantTx,
    rows: &[OrderRow],
) -> Result<Names, AppError> {
    Names::of(
        tx,
        rows.iter().map(|r| r.account_id.as_uuid()),
        rows.iter().filter_map(|r| r.branch_id.map(|b| b.as_uuid())),
    )
    .await
}

async fn list(
    ui: Ui,
    staff: SignedInStaff,
    kind: OrderKind,
    query: ListQuery,
) -> Result<Html<String>, AppError> {
    staff.require(Area::Sales, Action::Read).await?;
    let after = query.after();
    let mut tx = ui.state.db.tenant_tx(&staff.tenant.0).await?;
    let customer = customer_filter(&mut tx, query.customer.as_deref()).await?;
    let customer_id = customer.as_ref().map(|c| c.id);
    let mut rows = tx
        .orders()
        .list(kind, customer_id, after.as_ref(), PAGE + 1)
        .await?;
    let more = rows.len() as u64 > PAGE;
    rows.truncate(PAGE as usize);
    let names = names_of(&mut tx, &rows).await?;
    tx.commit().await?;
    let area = &path(kind)["/admin/".len()..];
    let mut ctx = staff.page(&ui, area).await?;
    let title = match &customer {
        Some(c) => ui.lang.t_args(
            &format!("admin-{area}-of"),
            &[("customer", c.fields.name.clone().into())],
        ),
        None => ui.lang.t(&format!("admin-{area}-title")),
    };
    ctx.insert("title", &title);
    ctx.insert("kind", kind.as_str());
    ctx.insert("area", area);
    ctx.insert("customer", &customer.as_ref().map(account_json));
    ctx.insert(
        "rows",
        &rows
            .iter()
            .map(|r| row_json(&ui.lang, &names, r))
            .collect::<Vec<_>>(),
    );
    ctx.insert("show_customer", &customer.is_none());
    ctx.insert("is_first_page", &after.is_none());
    ctx.insert("first", &first_link(path(kind), customer_id));
    ctx.insert(
        "next",
        &next_link(
            path(kind),
            customer_id,
            more.then(|| rows.last().map(|r| r.cursor())).flatten(),
        ),
    );
    ui.render("admin/orders.html", &ctx)
}

/// `GET /admin/quotes`: quotes, 25 a page, optionally of one customer.
#[handler]
pub(super) async fn quotes(
    ui: Ui,
    staff: SignedInStaff,
    Query(query): Query<ListQuery>,
) -> Result<Html<String>, AppError> {
    list(ui, staff, OrderKind::Quote, query).await
}

/// `GET /admin/orders`: orders, 25 a page, optionally of one customer.
#[handler]
pub(super) async fn orders_list(
    ui: Ui,
    staff: SignedInStaff,
    Query(query): Query<ListQuery>,
) -> Result<Html<String>, AppError> {
    list(ui, staff, OrderKind::Order, query).await
}

/// The moves staff may make on `detail` now, as buttons.
fn moves(kind: OrderKind, status: OrderStatus) -> Vec<&'static str> {
    [OrderMove::Send, OrderMove::Fulfil, OrderMove::Cancel]
        .into_iter()
        .filter(|mv| {
            mv.transition(kind)
                .is_some_and(|(from, _)| from.contains(&status))
        })
        .map(OrderMove::as_str)
        .collect()
}

fn detail_json(ui: &Ui, detail: &OrderDetail) -> Value {
    let currency = &detail.row.currency;
    json!({
        "lines": detail.lines.iter().map(|l| json!({
            "item_code": l.item_code, "description": l.description, "unit": l.unit,
            "quantity": l.quantity.to_string(),
            "unit_price": money::display(l.unit_price),
            "tax_rate": format!("{} %", l.tax_rate),
            "net": money::display(l.net),
        })).collect::<Vec<_>>(),
        "totals": {
            "subtotal": amount(detail.subtotal, currency),
            "tax": amount(detail.tax, currency),
            "total": amount(detail.row.total, currency),
        },
        "chain": detail.events.iter().map(|e| json!({
            "when": e.occurred_at.format("%Y-%m-%d %H:%M").to_string(),
            "who": e.actor_name,
            "what": ui.lang.t(&format!("orders-event-{}", e.action)),
            "via": ui.lang.t(&format!("orders-actor-{}", e.actor_kind)),
            "limit": e.approval_limit.map(|l| amount(l, currency)),
            "comment": e.comment,
        })).collect::<Vec<_>>(),
        "notes": detail.notes,
        "quote": detail.quote.as_ref().map(|(id, number)| json!({
            "href": format!("/admin/quotes/{id}"), "number": number,
        })),
    })
}

async fn show(
    ui: Ui,
    staff: SignedInStaff,
    kind: OrderKind,
    id: String,
) -> Result<Html<String>, AppError> {
    staff.require(Area::Sales, Action::Read).await?;
    let id = parse_id(&id)?;
    let mut tx = ui.state.db.tenant_tx(&staff.tenant.0).await?;
    let detail = tx
        .orders()
        .detail(id)
        .await?
        .filter(|d| d.row.kind == kind)
        .ok_or(AppError::NotFound)?;
    let names = names_of(&mut tx, std::slice::from_ref(&detail.row)).await?;
    tx.commit().await?;
    let area = &path(kind)["/admin/".len()..];
    let mut ctx = staff.page(&ui, area).await?;
    let title = format!(
        "{} {}",
        ui.lang.t(&format!("orders-kind-{}", kind.as_str())),
        detail.row.number
    );
    ctx.insert("title", &title);
    ctx.insert("kind", kind.as_str());
    ctx.insert("area", area);
    ctx.insert("doc", &row_json(&ui.lang, &names, &detail.row));
    ctx.insert("detail", &detail_json(&ui, &detail));
    let may_write = staff.may(Area::Sales, Action::Write).await?;
    ctx.insert(
        "moves",
        &if may_write {
            moves(kind, detail.row.status)
        } else {
            Vec::new()
        },
    );
    ctx.insert("back", path(kind));
    ui.render("admin/order.html", &ctx)
}

/// `GET /admin/quotes/:id`: one quote with its chain.
#[handler]
pub(super) async fn quote(
    ui: Ui,
    staff: SignedInStaff,
    Path(id): Path<String>,
) -> Result<Html<String>, AppError> {
    show(ui, staff, OrderKind::Quote, id).await
}

/// `GET /admin/orders/:id`: one order with its chain.
#[handler]
pub(super) async fn order(
    ui: Ui,
    staff: SignedInStaff,
    Path(id): Path<String>,
) -> Result<Html<String>, AppError> {
    show(ui, staff, OrderKind::Order, id).await
}

async fn make(
    ui: Ui,
    staff: SignedInStaff,
    session: &Session,
    kind: OrderKind,
    id: String,
    mv: OrderMove,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    match orders::make_move(&Issuer::staff(&staff, &ui), kind, id, mv).await {
        Ok(row) => set_flash_named(
            session,
            &format!("orders-done-{}", row.status.as_str()),
            &row.number,
        ),
        Err(AppError::StateConflict(message)) => set_flash_error(session, message),
        Err(other) => return Err(other),
    }
    Ok(Redirect::see_other(format!("{}/{id}", path(kind))).into_response())
}

/// `POST /admin/quotes/:id/send`: sends a requested quote to the customer.
#[handler]
pub(super) async fn send(
    ui: Ui,
    staff: SignedInStaff,
    session: &Session,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    make(ui, staff, session, OrderKind::Quote, id, OrderMove::Send).await
}

/// `POST /admin/orders/:id/fulfil`: marks an authorized order fulfilled.
#[handler]
pub(super) async fn fulfil(
    ui: Ui,
    staff: SignedInStaff,
    session: &Session,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    make(ui, staff, session, OrderKind::Order, id, OrderMove::Fulfil).await
}

/// `POST /admin/orders/:id/cancel`: cancels an order not yet fulfilled.
#[handler]
pub(super) async fn cancel(
    ui: Ui,
    staff: SignedInStaff,
    session: &Session,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    make(ui, staff, session, OrderKind::Order, id, OrderMove::Cancel).await
}
