//! The items catalogue in the back office: every item by code, on sale or not,
//! with a search by code or name. Read only: the ERP keeps it through the API.

use poem::{
    handler,
    web::{Html, Query},
};
use portico_authz::{Action, Area};
use portico_web::{AppError, Ui};
use serde::Deserialize;
use serde_json::json;

use super::{PAGE, view::amount};
use crate::SignedInStaff;

/// The catalogue's query: a search and the code to continue after.
#[derive(Debug, Default, Deserialize)]
pub(super) struct ItemsQuery {
    q: Option<String>,
    after: Option<String>,
}

/// `GET /admin/items`: the catalogue, 25 a page by code.
#[handler]
pub(super) async fn list(
    ui: Ui,
    staff: SignedInStaff,
    Query(query): Query<ItemsQuery>,
) -> Result<Html<String>, AppError> {
    staff.require(Area::Sales, Action::Read).await?;
    let q = query
        .q
        .as_deref()
        .map(str::trim)
        .filter(|q| !q.is_empty() && q.len() <= 100);
    let after = query
        .after
        .as_deref()
        .filter(|a| !a.is_empty() && a.len() <= 50);
    let mut tx = ui.state.db.tenant_tx(&staff.tenant.0).await?;
    let mut rows = tx.catalogue().items(q, after, PAGE + 1).await?;
    tx.commit().await?;
    let more = rows.len() as u64 > PAGE;
    rows.truncate(PAGE as usize);
    let encode =
        |t: &str| -> String { url::form_urlencoded::byte_serialize(t.as_bytes()).collect() };
    let mut ctx = staff.page(&ui, "items").await?;
    ctx.insert("title", &ui.lang.t("admin-items-title"));
    ctx.insert("q", &q.unwrap_or_default());
    ctx.insert("is_first_page", &after.is_none());
    ctx.insert(
        "first",
        &match q {
            Some(q) => format!("/admin/items?q={}", encode(q)),
            None => "/admin/items".to_owned(),
        },
    );
    ctx.insert(
        "next",
        &more.then(|| rows.last()).flatten().map(|last| {
            let q = q.map(|q| format!("q={}&", encode(q))).unwrap_or_default();
            format!("/admin/items?{q}after={}", encode(&last.code))
        }),
    );
    ctx.insert(
        "items",
        &rows
            .iter()
            .map(|i| {
                json!({
                    "code": i.code, "name": i.name, "unit": i.unit,
                    "price": amount(i.price, &i.currency),
                    "tax_rate": format!("{} %", i.tax_rate),
                    "active": i.active,
                })
            })
            .collect::<Vec<_>>(),
    );
    ui.render("admin/items.html", &ctx)
}
