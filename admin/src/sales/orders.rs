//! Quotes and orders of every customer (or of one) in the back office, newest
//! first, and one record's page: its lines, totals, the approval chain ("autorizado
//! en el portal por …", with each approver's limit then) and the company's
//! moves — write a quote for a customer, price a requested one (its lines,
//! validity and notes), send it, mark an order fulfilled, cancel it.

use poem::{
    IntoResponse, Response, handler,
    http::StatusCode,
    session::Session,
    web::{Form, Html, Path, Query, Redirect},
};
use portico_authz::{Action, Area};
use portico_data::{OrderDetail, OrderRow};
use portico_domain::{
    FieldErrors, money,
    orders::{DraftLineInput, OrderKind, OrderMove, OrderStatus, QuoteDraftInput},
    sales::LineInput,
};
use portico_web::{
    AppError, Lang, Ui,
    page::{set_flash_error, set_flash_named},
};
use serde_json::{Value, json};
use uuid::Uuid;

use super::{
    ListQuery, PAGE, PickQuery, customer_filter, customer_picks, first_link, next_link, parse_id,
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
        // A draft the company writes is no customer's request.
        "status_label": if state == "draft" && row.created_by.is_none() {
            lang.t("orders-status-draft-own")
        } else {
            lang.t(&format!("orders-status-{state}"))
        },
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
    let may_write = staff.may(Area::Sales, Action::Write).await?;
    let new_href = match &customer {
        Some(c) => format!("/admin/quotes/new?customer={}", c.id),
        None => "/admin/quotes/new".to_owned(),
    };
    ctx.insert(
        "new_href",
        &(kind == OrderKind::Quote && may_write).then_some(new_href),
    );
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
        "external_ref": detail.external_ref,
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
    ctx.insert(
        "may_draft",
        &(may_write && kind == OrderKind::Quote && detail.row.status == OrderStatus::Draft),
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

/// Blank rows the pricing form offers below a draft's lines, to add lines.
const BLANK_ROWS: usize = 3;

/// The inputs of one row of the pricing form, in the order they appear.
const DRAFT_FIELDS: [&str; 6] = [
    "item_code",
    "description",
    "unit",
    "quantity",
    "unit_price",
    "tax_rate",
];

/// The draft a pricing form sent: each row's six inputs share their names,
/// so the n-th value of each name is row n.
fn draft_of(pairs: &[(String, String)]) -> QuoteDraftInput {
    let column = |name: &str| -> Vec<String> {
        pairs
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    };
    let columns: Vec<Vec<String>> = DRAFT_FIELDS.iter().map(|f| column(f)).collect();
    let rows = columns.iter().map(Vec::len).max().unwrap_or(0);
    let cell = |c: usize, n: usize| columns[c].get(n).cloned().unwrap_or_default();
    let value = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    QuoteDraftInput {
        lines: (0..rows)
            .map(|n| DraftLineInput {
                line: LineInput {
                    item_code: Some(cell(0, n)).filter(|c| !c.trim().is_empty()),
                    description: cell(1, n),
                    quantity: cell(3, n),
                    unit_price: cell(4, n),
                    tax_rate: cell(5, n),
                },
                unit: cell(2, n),
            })
            .collect(),
        valid_until: value("valid_until"),
        notes: value("notes"),
    }
}

/// The pricing form's rows: `input`'s (as typed) or the draft's lines, then
/// blank rows; each with its fields' messages.
fn draft_rows(ui: &Ui, input: &QuoteDraftInput, errors: &FieldErrors) -> Vec<Value> {
    let blank = DraftLineInput::default();
    input
        .lines
        .iter()
        .chain(std::iter::repeat_n(&blank, BLANK_ROWS))
        .enumerate()
        .map(|(n, row)| {
            let within = format!("lines[{n}]");
            let problems: serde_json::Map<String, Value> = errors
                .0
                .iter()
                .filter(|e| e.within.as_deref() == Some(within.as_str()))
                .map(|e| (e.field.to_owned(), Value::from(ui.lang.t(e.message))))
                .collect();
            json!({
                "n": n + 1,
                "item_code": row.line.item_code.clone().unwrap_or_default(),
                "description": row.line.description,
                "unit": row.unit,
                "quantity": row.line.quantity,
                "unit_price": row.line.unit_price,
                "tax_rate": row.line.tax_rate,
                "errors": problems,
            })
        })
        .collect()
}

/// The draft's stored lines as the form shows them.
fn stored_draft(detail: &OrderDetail) -> QuoteDraftInput {
    QuoteDraftInput {
        lines: detail
            .lines
            .iter()
            .map(|l| DraftLineInput {
                line: LineInput {
                    item_code: l.item_code.clone(),
                    description: l.description.clone(),
                    quantity: l.quantity.normalize().to_string(),
                    unit_price: l.unit_price.normalize().to_string(),
                    tax_rate: l.tax_rate.normalize().to_string(),
                },
                unit: l.unit.clone(),
            })
            .collect(),
        valid_until: detail.row.valid_until.map(|d| d.to_string()),
        notes: detail.notes.clone(),
    }
}

/// Each problem of a quote's form as a line of its summary: the field (a
/// line's by number) and the message.
fn draft_errors(ui: &Ui, errors: &FieldErrors) -> Vec<String> {
    errors
        .0
        .iter()
        .map(|e| {
            let field = match (e.within.as_deref(), e.field) {
                (Some(within), field) => {
                    let n = within
                        .trim_start_matches("lines[")
                        .trim_end_matches(']')
                        .parse::<usize>()
                        .map_or(0, |n| n + 1);
                    ui.lang.t_args(
                        &format!("admin-quote-draft-line-{field}"),
                        &[("n", (n as i64).into())],
                    )
                }
                (None, "valid_until") => ui.lang.t("orders-valid-until"),
                (None, "notes") => ui.lang.t("orders-notes"),
                (None, "branch") => ui.lang.t("customer-col-branch"),
                (None, "account") => ui.lang.t("admin-sales-col-customer"),
                (None, _) => ui.lang.t("customer-lines"),
            };
            format!("{field}: {}", ui.lang.t(e.message))
        })
        .collect()
}

/// The message of a problem with `field` of the form itself (not a line's).
fn field_error(ui: &Ui, errors: &FieldErrors, field: &str) -> Option<String> {
    errors
        .0
        .iter()
        .find(|e| e.within.is_none() && e.field == field)
        .map(|e| ui.lang.t(e.message))
}

/// What a refused new quote brings back to its form: what was typed, the
/// branch chosen, and every problem.
struct Refused<'a> {
    input: &'a QuoteDraftInput,
    branch: &'a str,
    errors: &'a FieldErrors,
}

/// The page that writes a new quote: the customer picker until a customer
/// is chosen, then the lines form (with what was typed and its problems
/// after a refused save).
async fn new_quote_page(
    ui: &Ui,
    staff: &SignedInStaff,
    customer: Option<&str>,
    q: &str,
    refused: Option<Refused<'_>>,
) -> Result<Response, AppError> {
    staff.require(Area::Sales, Action::Write).await?;
    let mut tx = ui.state.db.tenant_tx(&staff.tenant.0).await?;
    let customer = customer_filter(&mut tx, customer).await?;
    let mut ctx = staff.page(ui, "quotes").await?;
    ctx.insert("title", &ui.lang.t("admin-quote-new"));
    ctx.insert("is_draft", &true);
    match &customer {
        Some(account) => {
            let (currency, _) = tx.orders().company_rules().await?;
            let chosen = refused.as_ref().map_or("", |r| r.branch);
            let branches: Vec<Value> = if account.fields.branches_enabled {
                tx.branches()
                    .list(account.id, 500)
                    .await?
                    .iter()
                    .filter(|b| b.active)
                    .map(|b| {
                        let id = b.id.to_string();
                        json!({ "id": id, "name": b.fields.name, "selected": id == chosen })
                    })
                    .collect()
            } else {
                Vec::new()
            };
            let blank = QuoteDraftInput::default();
            let none = FieldErrors::default();
            let (input, errors) = refused
                .as_ref()
                .map_or((&blank, &none), |r| (r.input, r.errors));
            ctx.insert("customer", &account_json(account));
            ctx.insert("branches", &branches);
            ctx.insert("currency", &currency);
            ctx.insert("rows", &draft_rows(ui, input, errors));
            ctx.insert(
                "valid_until",
                &input.valid_until.clone().unwrap_or_default(),
            );
            ctx.insert("notes", &input.notes.clone().unwrap_or_default());
            ctx.insert("form_errors", &draft_errors(ui, errors));
            ctx.insert("branch_error", &field_error(ui, errors, "branch"));
            ctx.insert("valid_until_error", &field_error(ui, errors, "valid_until"));
        }
        None => {
            ctx.insert(
                "picker",
                &customer_picks(&mut tx, q, "/admin/quotes/new").await?,
            );
            let none = FieldErrors::default();
            let errors = refused.as_ref().map_or(&none, |r| r.errors);
            ctx.insert("form_errors", &draft_errors(ui, errors));
        }
    }
    tx.commit().await?;
    let status = if refused.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok(ui
        .render("admin/quote_draft.html", &ctx)?
        .with_status(status)
        .into_response())
}

/// `GET /admin/quotes/new`: writes a quote for a customer — chosen first
/// with the picker — as staff price it, to send afterwards.
#[handler]
pub(super) async fn new_quote(
    ui: Ui,
    staff: SignedInStaff,
    Query(query): Query<PickQuery>,
) -> Result<Response, AppError> {
    new_quote_page(
        &ui,
        &staff,
        query.customer.as_deref(),
        query.q.as_deref().unwrap_or_default(),
        None,
    )
    .await
}

/// `POST /admin/quotes`: saves a new quote as a draft and opens it, or
/// shows the form again with every problem.
#[handler]
pub(super) async fn create_quote(
    ui: Ui,
    staff: SignedInStaff,
    session: &Session,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let input = draft_of(&pairs);
    let value = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.trim())
    };
    let account = value("account").parse().ok();
    // A branch that does not parse is one no customer has.
    let branch = Some(value("branch"))
        .filter(|b| !b.is_empty())
        .map(|b| b.parse().unwrap_or(Uuid::nil()));
    match orders::draft_new(&Issuer::staff(&staff, &ui), account, branch, &input).await {
        Ok(row) => {
            set_flash_named(session, "orders-done-created", &row.number);
            Ok(Redirect::see_other(format!("/admin/quotes/{}", row.id)).into_response())
        }
        Err(AppError::Invalid(errors)) => {
            let refused = Refused {
                input: &input,
                branch: value("branch"),
                errors: &errors,
            };
            // A customer that does not parse is none: the picker, with the error.
            let customer = account.map(|a: portico_data::AccountId| a.to_string());
            new_quote_page(&ui, &staff, customer.as_deref(), "", Some(refused)).await
        }
        Err(other) => Err(other),
    }
}

/// The pricing page of a drafted quote: the form (with `sent`'s values and
/// problems after a refused save), or a notice once it was sent.
async fn draft_page(
    ui: &Ui,
    staff: &SignedInStaff,
    id: &str,
    sent: Option<(&QuoteDraftInput, &FieldErrors)>,
) -> Result<Response, AppError> {
    staff.require(Area::Sales, Action::Write).await?;
    let id = parse_id(id)?;
    let mut tx = ui.state.db.tenant_tx(&staff.tenant.0).await?;
    let detail = tx
        .orders()
        .detail(id)
        .await?
        .filter(|d| d.row.kind == OrderKind::Quote)
        .ok_or(AppError::NotFound)?;
    let names = names_of(&mut tx, std::slice::from_ref(&detail.row)).await?;
    tx.commit().await?;
    let stored = stored_draft(&detail);
    let none = FieldErrors::default();
    let (input, errors) = sent.unwrap_or((&stored, &none));
    let mut ctx = staff.page(ui, "quotes").await?;
    ctx.insert(
        "title",
        &ui.lang.t_args(
            "admin-quote-draft-title",
            &[("name", detail.row.number.clone().into())],
        ),
    );
    ctx.insert("doc", &row_json(&ui.lang, &names, &detail.row));
    ctx.insert("currency", &detail.row.currency);
    ctx.insert("is_draft", &(detail.row.status == OrderStatus::Draft));
    ctx.insert("requested", &detail.row.created_by.is_some());
    ctx.insert("rows", &draft_rows(ui, input, errors));
    ctx.insert(
        "valid_until",
        &input.valid_until.clone().unwrap_or_default(),
    );
    ctx.insert("notes", &input.notes.clone().unwrap_or_default());
    ctx.insert("form_errors", &draft_errors(ui, errors));
    ctx.insert("valid_until_error", &field_error(ui, errors, "valid_until"));
    let status = if sent.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok(ui
        .render("admin/quote_draft.html", &ctx)?
        .with_status(status)
        .into_response())
}

/// `GET /admin/quotes/:id/edit`: prices a drafted quote — its lines (as the
/// customer asked, prefilled), validity and notes — before it is sent.
#[handler]
pub(super) async fn draft_form(
    ui: Ui,
    staff: SignedInStaff,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    draft_page(&ui, &staff, &id, None).await
}

/// `POST /admin/quotes/:id/edit`: saves the drafted quote's lines, validity
/// and notes; totals are the server's.
#[handler]
pub(super) async fn save_draft(
    ui: Ui,
    staff: SignedInStaff,
    session: &Session,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let input = draft_of(&pairs);
    let quote_id = parse_id(&id)?;
    match orders::redraft(&Issuer::staff(&staff, &ui), quote_id, &input).await {
        Ok(row) => set_flash_named(session, "orders-done-drafted", &row.number),
        Err(AppError::Invalid(errors)) => {
            return draft_page(&ui, &staff, &id, Some((&input, &errors))).await;
        }
        Err(AppError::StateConflict(message)) => set_flash_error(session, message),
        Err(other) => return Err(other),
    }
    Ok(Redirect::see_other(format!("/admin/quotes/{quote_id}")).into_response())
}
