//! The sales side in the back office: customers' invoices, credit notes and
//! payments as the ERP pushed them (read only), the items catalogue, quotes
//! and orders with their approval chain and the company's moves on them, the
//! documents shared with customers and their service requests. Lists are
//! newest first, 25 a page, optionally of one customer. One part per file:
//! what the pages share (`view`), invoices and credit notes, payments, items,
//! quotes and orders, documents, service requests.

pub(crate) mod documents;
mod invoices;
mod items;
pub(crate) mod orders;
mod payments;
pub(crate) mod service;
pub(crate) mod view;

use poem::{get, post};
use portico_authz::{Action, Area};
use portico_data::{Account, AccountFilter, AccountId, DateCursor, TenantTx};
use portico_domain::AccountKind;
use portico_web::{Access, AppError, ByMethod, Routes};
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

/// Rows per page of the invoice and payment lists.
pub(crate) const PAGE: u64 = 25;

/// Customers a picker lists (more: the user refines the search).
const PICKS: u64 = 20;

/// `/admin/invoices`: invoices and credit notes.
pub(crate) fn invoice_routes() -> Routes {
    let read = Access::staff(Area::Sales, Action::Read);
    Routes::new()
        .at("/", read, get(invoices::list))
        .at("/:id", read, get(invoices::show))
}

/// `/admin/payments`: payments received.
pub(crate) fn payment_routes() -> Routes {
    let read = Access::staff(Area::Sales, Action::Read);
    Routes::new()
        .at("/", read, get(payments::list))
        .at("/:id", read, get(payments::show))
}

/// `/admin/items`: the catalogue.
pub(crate) fn item_routes() -> Routes {
    Routes::new().at(
        "/",
        Access::staff(Area::Sales, Action::Read),
        get(items::list),
    )
}

/// `/admin/documents`: documents shared with customers, their versions and
/// the upload form.
pub(crate) fn document_routes() -> Routes {
    let read = Access::staff(Area::Sales, Action::Read);
    let write = Access::staff(Area::Sales, Action::Write);
    Routes::new()
        .at(
            "/",
            ByMethod::get(read).post(write),
            get(documents::list).post(documents::create),
        )
        .at("/new", write, get(documents::new))
        .at(
            "/:id",
            ByMethod::get(read).post(write),
            get(documents::show).post(documents::update),
        )
        .at(
            "/:id/versions",
            ByMethod::post_only(write),
            post(documents::add_version),
        )
        .at("/:id/versions/:n", read, get(documents::version_file))
        .at(
            "/:id/delete",
            ByMethod::post_only(write),
            post(documents::delete),
        )
}

/// `/admin/service-requests`: customers' service requests and their threads,
/// and opening one on a customer's behalf.
pub(crate) fn service_routes() -> Routes {
    let read = Access::staff(Area::Sales, Action::Read);
    let write = Access::staff(Area::Sales, Action::Write);
    Routes::new()
        .at(
            "/",
            ByMethod::get(read).post(write),
            get(service::list).post(service::create),
        )
        .at("/new", write, get(service::new))
        .at("/:id", read, get(service::show))
        .at(
            "/:id/comments",
            ByMethod::post_only(write),
            post(service::answer),
        )
        .at("/:id/files/:file", read, get(service::attachment))
}

/// `/admin/quotes`: quotes; writing one for a customer, pricing a requested
/// one and sending it.
pub(crate) fn quote_routes() -> Routes {
    let read = Access::staff(Area::Sales, Action::Read);
    let write = Access::staff(Area::Sales, Action::Write);
    Routes::new()
        .at(
            "/",
            ByMethod::get(read).post(write),
            get(orders::quotes).post(orders::create_quote),
        )
        .at("/new", write, get(orders::new_quote))
        .at("/:id", read, get(orders::quote))
        .at(
            "/:id/edit",
            write,
            get(orders::draft_form).post(orders::save_draft),
        )
        .at("/:id/send", write, post(orders::send))
}

/// `/admin/orders`: orders, and fulfilling or cancelling one.
pub(crate) fn order_routes() -> Routes {
    let read = Access::staff(Area::Sales, Action::Read);
    let write = Access::staff(Area::Sales, Action::Write);
    Routes::new()
        .at("/", read, get(orders::orders_list))
        .at("/:id", read, get(orders::order))
        .at("/:id/fulfil", write, post(orders::fulfil))
        .at("/:id/cancel", write, post(orders::cancel))
}

/// A list's query string: the customer it is narrowed to and where it continues.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ListQuery {
    pub customer: Option<String>,
    pub after: Option<String>,
}

impl ListQuery {
    /// The cursor to continue after; a malformed one means the first page.
    fn after(&self) -> Option<DateCursor> {
        self.after
            .as_deref()
            .and_then(|a| DateCursor::decode(a).ok())
    }
}

/// The customer a list is narrowed to: none when `customer` is absent or
/// empty; "not found" for an id that is not one of this company's customers
/// (a supplier's, another company's), "bad request" for one that does not parse.
async fn customer_filter(
    tx: &mut TenantTx,
    customer: Option<&str>,
) -> Result<Option<Account>, AppError> {
    let Some(raw) = customer.map(str::trim).filter(|c| !c.is_empty()) else {
        return Ok(None);
    };
    let id: AccountId = raw
        .parse()
        .map_err(|_| AppError::BadRequest("error-bad-request-detail"))?;
    match tx.accounts().find(id).await? {
        Some(account) if account.kind == AccountKind::Customer => Ok(Some(account)),
        _ => Err(AppError::NotFound),
    }
}

/// A document id from the path; one that does not parse is "not found".
fn parse_id(raw: &str) -> Result<Uuid, AppError> {
    Uuid::parse_str(raw).map_err(|_| AppError::NotFound)
}

/// The link to the page after `last`, keeping the customer filter.
fn next_link(path: &str, customer: Option<AccountId>, last: Option<DateCursor>) -> Option<String> {
    let last = last?;
    let customer = customer
        .map(|c| format!("customer={c}&"))
        .unwrap_or_default();
    Some(format!("{path}?{customer}after={}", last.encode()))
}

/// The first page of a list, keeping the customer filter.
fn first_link(path: &str, customer: Option<AccountId>) -> String {
    match customer {
        Some(c) => format!("{path}?customer={c}"),
        None => path.to_owned(),
    }
}

/// The query of a page that writes a record for a customer: the customer
/// chosen, or the picker's search.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct PickQuery {
    pub customer: Option<String>,
    pub q: Option<String>,
}

/// A customer picker's results for `q` (code or name), each linking to
/// `form` with the customer chosen (`{form}?customer={id}`).
async fn customer_picks(tx: &mut TenantTx, q: &str, form: &str) -> Result<Value, AppError> {
    let mut results = Vec::new();
    let mut more = false;
    if !q.trim().is_empty() {
        let filter = AccountFilter {
            kind: AccountKind::Customer,
            search: Some(q.trim().chars().take(100).collect()),
            archived: false,
        };
        let mut found = tx.accounts().list(&filter, None, PICKS + 1).await?;
        more = found.len() as u64 > PICKS;
        found.truncate(PICKS as usize);
        results.extend(found.iter().map(|a| {
            json!({
                "code": a.fields.code, "name": a.fields.name,
                "href": format!("{form}?customer={}", a.id),
            })
        }));
    }
    Ok(json!({ "q": q, "results": results, "more": more, "count": PICKS, "action": form }))
}
