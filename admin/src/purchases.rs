//! Purchase orders in the back office (Compras → Órdenes de compra): the list
//! (all, answers to review, waiting for the supplier; newest first, 25 a
//! page, optionally of one supplier) and one order's page — its lines with
//! each line's answer from the supplier, the totals, the history, and what
//! staff decide: accept the supplier's changes or refuse them with a reason,
//! send a draft, close, cancel. Every change goes through
//! `commands::purchases`, as the admin API's.

use poem::{
    IntoResponse, Response, get, handler, post,
    session::Session,
    web::{Form, Html, Path, Query, Redirect},
};
use portico_authz::{Action, Area};
use portico_data::{AccountId, DateCursor, PoDetail, PoFilter, PoRow};
use portico_domain::{
    AccountKind, money,
    purchasing::{LineAck, PoMove, PoStatus, Review},
};
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

/// `/admin/purchase-orders`.
pub(crate) fn routes() -> Routes {
    let read = Access::staff(Area::Purchases, Action::Read);
    let write = Access::staff(Area::Purchases, Action::Write);
    Routes::new()
        .at("/", read, get(list))
        .at("/:id", read, get(show))
        .at("/:id/review", write, post(review))
        .at("/:id/send", write, post(send))
        .at("/:id/close", write, post(close))
        .at("/:id/cancel", write, post(cancel))
}

/// The list's query: which orders, of which supplier, where it continues.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ListQuery {
    pub show: Option<String>,
    pub supplier: Option<String>,
    pub after: Option<String>,
}

fn filter_of(raw: Option<&str>) -> (PoFilter, &'static str) {
    match raw {
        Some("in_review") => (PoFilter::InReview, "in_review"),
        Some("waiting") => (PoFilter::Waiting, "waiting"),
        _ => (PoFilter::All, "all"),
    }
}

/// A row as the list and the order's header show it.
fn row_json(lang: &Lang, names: &Names, row: &PoRow) -> Value {
    let state = row.state();
    json!({
        "id": row.id,
        "href": format!("/admin/purchase-orders/{}", row.id),
        "number": row.number,
        "supplier": names.supplier_link(row.account_id.as_uuid()),
        "branch": names.branch_name(lang, row.branch_id.map(|b| b.as_uuid())),
        "issued_on": date(lang, row.issued_on),
        "expected_on": row.expected_on.map(|d| date(lang, d)),
        "total": amount(row.total, &row.currency),
        "status": state,
        "status_label": lang.t(&format!("purchasing-status-{state}")),
    })
}

async fn names_of(tx: &mut portico_data::TenantTx, rows: &[PoRow]) -> Result<Names, AppError> {
    Names::of(
        tx,
        rows.iter().map(|r| r.account_id.as_uuid()),
        rows.iter().filter_map(|r| r.branch_id.map(|b| b.as_uuid())),
    )
    .await
}

/// `GET /admin/purchase-orders`: 25 a page, answers to review first in
/// their own tab.
#[handler]
async fn list(
    ui: Ui,
    staff: SignedInStaff,
    Query(query): Query<ListQuery>,
) -> Result<Html<String>, AppError> {
    staff.require(Area::Purchases, Action::Read).await?;
    let (filter, shown) = filter_of(query.show.as_deref());
    let after = query
        .after
        .as_deref()
        .and_then(|a| DateCursor::decode(a).ok());
    let mut tx = ui.state.db.tenant_tx(&staff.tenant.0).await?;
    let supplier = match query
        .supplier
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => None,
        Some(raw) => {
            let id: AccountId = raw
                .parse()
                .map_err(|_| AppError::BadRequest("error-bad-request-detail"))?;
            match tx.accounts().find(id).await? {
                Some(a) if a.kind == AccountKind::Supplier => Some(a),
                _ => return Err(AppError::NotFound),
            }
        }
    };
    let supplier_id = supplier.as_ref().map(|s| s.id);
    let mut rows = tx
        .purchase_orders()
        .list(filter, supplier_id, after.as_ref(), PAGE + 1)
        .await?;
    let more = rows.len() as u64 > PAGE;
    rows.truncate(PAGE as usize);
    let names = names_of(&mut tx, &rows).await?;
    tx.commit().await?;
    let mut ctx = staff.page(&ui, "purchase-orders").await?;
    let title = match &supplier {
        Some(s) => ui.lang.t_args(
            "purchasing-admin-of",
            &[("supplier", s.fields.name.clone().into())],
        ),
        None => ui.lang.t("purchasing-admin-title"),
    };
    ctx.insert("title", &title);
    let keep = supplier_id
        .map(|s| format!("&supplier={s}"))
        .unwrap_or_default();
    ctx.insert(
        "tabs",
        &["all", "in_review", "waiting"]
            .iter()
            .map(|t| {
                json!({
                    "key": t, "current": *t == shown,
                    "label": ui.lang.t(&format!("purchasing-tab-{t}")),
                    "href": format!("/admin/purchase-orders?show={t}{keep}"),
                })
            })
            .collect::<Vec<_>>(),
    );
    ctx.insert(
        "supplier",
        &supplier.as_ref().map(
            |s| json!({ "name": s.fields.name, "href": format!("/admin/suppliers/{}", s.id) }),
        ),
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
    ctx.insert(
        "first",
        &format!("/admin/purchase-orders?show={shown}{keep}"),
    );
    ctx.insert(
        "next",
        &more.then(|| rows.last()).flatten().map(|r| {
            format!(
                "/admin/purchase-orders?show={shown}{keep}&after={}",
                r.cursor().encode()
            )
        }),
    );
    ui.render("admin/purchase_orders.html", &ctx)
}

/// The moves staff may make on an order in `status` now.
fn moves(status: PoStatus) -> Vec<&'static str> {
    [PoMove::Send, PoMove::Close, PoMove::Cancel]
        .into_iter()
        .filter(|mv| mv.transition().0.contains(&status))
        .map(PoMove::as_str)
        .collect()
}

fn detail_json(ui: &Ui, detail: &PoDetail) -> Value {
    let currency = &detail.row.currency;
    let lang = &ui.lang;
    json!({
        "lines": detail.lines.iter().map(|l| json!({
            "item_code": l.item_code, "description": l.description, "unit": l.unit,
            "quantity": l.quantity.to_string(),
            "unit_price": money::display(l.unit_price),
            "tax_rate": format!("{} %", l.tax_rate),
            "net": money::display(l.net),
            "expected_on": l.expected_on.or(detail.row.expected_on).map(|d| date(lang, d)),
            "ack": l.ack.as_str(),
            "ack_label": lang.t(&format!("purchasing-ack-{}", l.ack.as_str())),
            "ack_quantity": l.ack_quantity.map(|q| q.to_string()),
            "ack_date": l.ack_date.map(|d| date(lang, d)),
            "ack_reason": l.ack_reason,
            "exception": matches!(l.ack, LineAck::Rejected | LineAck::Changed),
            "received": l.received.to_string(),
            "rejected": (!l.rejected.is_zero()).then(|| l.rejected.to_string()),
        })).collect::<Vec<_>>(),
        "answered": detail.lines.iter().any(|l| l.ack != LineAck::Open),
        "totals": {
            "subtotal": amount(detail.subtotal, currency),
            "tax": amount(detail.tax, currency),
            "total": amount(detail.row.total, currency),
        },
        "chain": detail.events.iter().map(|e| json!({
            "when": e.occurred_at.format("%Y-%m-%d %H:%M").to_string(),
            "who": e.actor_name,
            "what": lang.t(&format!("purchasing-event-{}", e.action)),
            "via": lang.t(&format!("orders-actor-{}", e.actor_kind)),
            "comment": e.comment,
        })).collect::<Vec<_>>(),
        "notes": detail.notes,
        "external_ref": detail.external_ref,
        "response_note": detail.response_note,
        "review_note": detail.review_note,
        "receipts": receipts_json(lang, detail),
    })
}

/// The order's goods receipts, as both sides' pages list them.
pub(crate) fn receipts_json(lang: &Lang, detail: &PoDetail) -> Vec<Value> {
    detail
        .receipts
        .iter()
        .map(|r| json!({ "number": r.number, "received_on": date(lang, r.received_on), "notes": r.notes }))
        .collect()
}

/// `GET /admin/purchase-orders/:id`: one order, its answers and history.
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
        .purchase_orders()
        .detail(id)
        .await?
        .ok_or(AppError::NotFound)?;
    let names = names_of(&mut tx, std::slice::from_ref(&detail.row)).await?;
    tx.commit().await?;
    let mut ctx = staff.page(&ui, "purchase-orders").await?;
    ctx.insert(
        "title",
        &format!("{} {}", ui.lang.t("purchasing-kind"), detail.row.number),
    );
    ctx.insert("doc", &row_json(&ui.lang, &names, &detail.row));
    ctx.insert("detail", &detail_json(&ui, &detail));
    let may_write = staff.may(Area::Purchases, Action::Write).await?;
    ctx.insert(
        "moves",
        &if may_write {
            moves(detail.row.status)
        } else {
            Vec::new()
        },
    );
    ctx.insert("may_review", &(may_write && detail.row.awaiting_review));
    ui.render("admin/purchase_order.html", &ctx)
}

#[derive(Debug, Deserialize)]
struct ReviewForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    reason: String,
}

/// `POST /admin/purchase-orders/:id/review`: accept or refuse the supplier's
/// changes.
#[handler]
async fn review(
    ui: Ui,
    staff: SignedInStaff,
    session: &Session,
    Path(id): Path<String>,
    Form(form): Form<ReviewForm>,
) -> Result<Response, AppError> {
    let id = Uuid::parse_str(&id).map_err(|_| AppError::NotFound)?;
    let back = format!("/admin/purchase-orders/{id}");
    let issuer = Issuer::staff(&staff, &ui);
    match purchases::review(&issuer, id, &form.decision, Some(&form.reason)).await {
        Ok((row, review)) => {
            let key = match review {
                Review::Accept => "purchasing-changes-accepted",
                Review::Refuse(_) => "purchasing-changes-refused",
            };
            set_flash_named(session, key, &row.number);
        }
        Err(AppError::StateConflict(message)) => set_flash_error(session, message),
        Err(AppError::Invalid(errors)) => set_flash_error(
            session,
            errors.0.first().map_or("field-required", |e| e.message),
        ),
        Err(other) => return Err(other),
    }
    Ok(Redirect::see_other(back).into_response())
}

async fn make(
    ui: Ui,
    staff: SignedInStaff,
    session: &Session,
    id: String,
    mv: PoMove,
) -> Result<Response, AppError> {
    let id = Uuid::parse_str(&id).map_err(|_| AppError::NotFound)?;
    match purchases::make_move(&Issuer::staff(&staff, &ui), id, mv).await {
        Ok(row) => set_flash_named(
            session,
            &format!("purchasing-done-{}", row.status.as_str()),
            &row.number,
        ),
        Err(AppError::StateConflict(message)) => set_flash_error(session, message),
        Err(other) => return Err(other),
    }
    Ok(Redirect::see_other(format!("/admin/purchase-orders/{id}")).into_response())
}

/// `POST /admin/purchase-orders/:id/send`: sends a draft to the supplier.
#[handler]
async fn send(
    ui: Ui,
    staff: SignedInStaff,
    session: &Session,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    make(ui, staff, session, id, PoMove::Send).await
}

/// `POST /admin/purchase-orders/:id/close`: closes an order.
#[handler]
async fn close(
    ui: Ui,
    staff: SignedInStaff,
    session: &Session,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    make(ui, staff, session, id, PoMove::Close).await
}

/// `POST /admin/purchase-orders/:id/cancel`: cancels an order not yet
/// received.
#[handler]
async fn cancel(
    ui: Ui,
    staff: SignedInStaff,
    session: &Session,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    make(ui, staff, session, id, PoMove::Cancel).await
}
