//! The list of customers or suppliers: search, archived, pagination, the row
//! action menu, and its CSV export.

use poem::{
    Response, handler,
    http::Uri,
    web::{Data, Html, Query},
};
use portico_authz::{Action, Area};
use portico_data::{Account, AccountFilter};
use portico_domain::AccountKind;
use portico_web::{AppError, Ui};
use serde_json::{Value, json};

use super::{account_json, base};
use crate::{
    SignedInStaff,
    list_query::AccountListQuery,
    paging::{PAGE, cursor, here, next_link},
};

/// `GET /admin/{customers|suppliers}`: the list.
#[handler]
pub(super) async fn list(
    ui: Ui,
    staff: SignedInStaff,
    kind: Data<&AccountKind>,
    uri: &Uri,
    Query(query): Query<AccountListQuery>,
) -> Result<Html<String>, AppError> {
    let kind = *kind.0;
    staff.require(Area::accounts(kind), Action::Read).await?;
    let after = cursor(query.after_name.as_deref(), query.after_id.as_deref())?;
    let archived = query.archived.as_deref() == Some("1");
    let filter = AccountFilter {
        kind,
        search: query.q.clone(),
        archived,
    };
    let mut tx = ui.state.db.tenant_tx(&staff.tenant.0).await?;
    let mut rows = tx
        .accounts()
        .list(&filter, after.as_ref(), PAGE + 1)
        .await?;
    tx.commit().await?;
    let q = query.q.clone().unwrap_or_default();
    let next = next_link(
        &mut rows,
        &base(kind),
        &[
            ("q", q.clone()),
            (
                "archived",
                if archived { "1".into() } else { String::new() },
            ),
        ],
        Account::cursor,
    );
    let mut ctx = staff.page(&ui, kind.plural()).await?;
    ctx.insert("kind", kind.as_str());
    ctx.insert("base", &base(kind));
    ctx.insert(
        "first",
        &if q.is_empty() {
            base(kind)
        } else {
            format!(
                "{}?q={}",
                base(kind),
                url::form_urlencoded::byte_serialize(q.as_bytes()).collect::<String>()
            )
        },
    );
    let mut filters = url::form_urlencoded::Serializer::new(String::new());
    if !q.is_empty() {
        filters.append_pair("q", &q);
    }
    if archived {
        filters.append_pair("archived", "1");
    }
    ctx.insert(
        "export_csv",
        &format!("{}/export.csv?{}", base(kind), filters.finish()),
    );
    ctx.insert("q", &q);
    ctx.insert("archived", &archived);
    let back: String =
        url::form_urlencoded::byte_serialize(here(&base(kind), uri).as_bytes()).collect();
    let rows: Vec<Value> = rows
        .iter()
        .map(|a| {
            let mut row = account_json(a);
            row["add_contact"] = json!(format!("/admin/contacts/new?account={}&back={back}", a.id));
            row
        })
        .collect();
    ctx.insert("accounts", &rows);
    ctx.insert("next", &next);
    ctx.insert("is_first_page", &after.is_none());
    ui.render("admin/accounts.html", &ctx)
}

/// `GET /admin/{customers|suppliers}/export.csv`: the filtered list as CSV.
#[handler]
pub(super) async fn export(
    ui: Ui,
    staff: SignedInStaff,
    kind: Data<&AccountKind>,
    Query(query): Query<AccountListQuery>,
) -> Result<Response, AppError> {
    crate::export::accounts_csv(&ui, &staff, *kind.0, query).await
}
