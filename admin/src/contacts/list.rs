//! The contact list (`/admin/contacts`): search, filters, sort, pagination,
//! and the links to its exports and to a new contact.

use std::collections::HashMap;

use poem::{
    handler,
    http::Uri,
    web::{Html, Query},
};
use portico_authz::{Action, Area};
use portico_data::{Contact, ContactList, PortalFilter};
use portico_web::{AppError, Ui};
use serde_json::json;

use super::encode;
use crate::{
    SignedInStaff,
    accounts::account_json,
    choices::{list_choices, owner_choices},
    contact_table::contact_rows,
    forms::tri_state,
    list_query::{ContactListQuery, filter_of},
    paging::{PAGE, cursor, here, next_link},
};

/// `GET /admin/contacts`: the list.
#[handler]
pub(super) async fn list_page(
    ui: Ui,
    staff: SignedInStaff,
    uri: &Uri,
    Query(query): Query<ContactListQuery>,
) -> Result<Html<String>, AppError> {
    staff.require(Area::Contacts, Action::Read).await?;
    let after = cursor(query.after_name.as_deref(), query.after_id.as_deref())?;
    let filter = filter_of(&query)?;
    let mut tx = ui.state.db.tenant_tx(&staff.tenant.0).await?;
    let mut contacts = tx
        .contacts()
        .list(&filter, after.as_ref(), PAGE + 1)
        .await?;
    let account = match filter.account {
        Some(id) => tx.accounts().find(id).await?,
        None => None,
    };
    let categories = list_choices(
        &mut tx,
        ContactList::Categories,
        query.category.as_deref().unwrap_or_default(),
    )
    .await?;
    let owners = owner_choices(&mut tx).await?;
    let s = |v: &Option<String>| v.clone().unwrap_or_default();
    let params = [
        ("q", s(&query.q)),
        ("category", s(&query.category)),
        ("owner", s(&query.owner)),
        ("account", s(&query.account)),
        ("kind", s(&query.kind)),
        ("opted_out", s(&query.opted_out)),
        ("portal", s(&query.portal)),
        ("archived", s(&query.archived)),
        ("sort", s(&query.sort)),
    ];
    let next = next_link(&mut contacts, "/admin/contacts", &params, Contact::cursor);
    let filters: String = {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in params.iter().filter(|(_, v)| !v.is_empty()) {
            q.append_pair(k, v);
        }
        q.finish()
    };
    let rows = contact_rows(&mut tx, &contacts, filter.account).await?;
    tx.commit().await?;
    let mut ctx = staff.page(&ui, "contacts").await?;
    ctx.insert("contacts", &rows);
    ctx.insert("next", &next);
    ctx.insert("is_first_page", &after.is_none());
    ctx.insert(
        "export_csv",
        &format!("/admin/contacts/export.csv?{filters}"),
    );
    ctx.insert(
        "export_vcf",
        &format!("/admin/contacts/export.vcf?{filters}"),
    );
    ctx.insert(
        "filters",
        &params.iter().cloned().collect::<HashMap<_, _>>(),
    );
    ctx.insert("account", &account.as_ref().map(account_json));
    ctx.insert("categories", &categories);
    ctx.insert("owners", &owners);
    ctx.insert("yes_no", &tri_state(&ui.lang));
    ctx.insert(
        "portal_states",
        &PortalFilter::ALL
            .iter()
            .map(|f| {
                json!({ "value": f.as_str(), "label": ui.lang.t(&format!("portal-status-{}", f.as_str())) })
            })
            .collect::<Vec<_>>(),
    );
    ctx.insert(
        "new_href",
        &format!(
            "/admin/contacts/new?back={}",
            encode(&here("/admin/contacts", uri))
        ),
    );
    ui.render("admin/contacts.html", &ctx)
}
