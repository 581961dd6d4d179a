//! Customers and suppliers in the back office, one part per file: the list
//! (search, archived, pagination, row action menu, export), the form, the
//! record with its tabs (details, contacts, branches, history) and archiving,
//! and branches. One set of handlers serves both kinds; the route says which.
//! Every change goes through the back office's commands (`crate::commands`).

mod branches;
mod form;
mod list;
mod record;

use poem::{get, post};
use portico_authz::{Action, Area};
use portico_data::{Account, AccountId};
use portico_domain::AccountKind;
use portico_web::{Access, AppError, ByMethod, Routes};
use serde_json::{Value, json};

/// The routes of one kind, nested at `/admin/customers` or `/admin/suppliers`.
pub(crate) fn routes(kind: AccountKind) -> Routes {
    use poem::EndpointExt;
    let area = Area::accounts(kind);
    let read = Access::staff(area, Action::Read);
    let write = Access::staff(area, Action::Write);
    Routes::new()
        .at(
            "/",
            ByMethod::get(read).post(write),
            get(list::list).post(form::create),
        )
        .at("/new", write, get(form::new_form))
        .at("/export.csv", read, get(list::export))
        .at(
            "/:id",
            ByMethod::get(read).post(write),
            get(record::show).post(form::update),
        )
        .at("/:id/edit", write, get(form::edit_form))
        .at("/:id/archive", write, post(record::archive))
        .at("/:id/restore", write, post(record::restore))
        .at("/:id/branches", write, post(branches::add_branch))
        .at(
            "/:id/branches/:branch",
            write,
            get(branches::edit_branch).post(branches::update_branch),
        )
        .wrap(|route| route.data(kind))
}

/// Where the pages of a kind live.
fn base(kind: AccountKind) -> String {
    format!("/admin/{}", kind.plural())
}

/// An account id from the path; one that does not parse is "not found".
fn parse_id(raw: &str) -> Result<AccountId, AppError> {
    raw.parse().map_err(|_| AppError::NotFound)
}

/// What templates show of an account.
pub(crate) fn account_json(account: &Account) -> Value {
    let f = &account.fields;
    json!({
        "id": account.id.to_string(),
        "kind": account.kind.as_str(),
        "href": format!("{}/{}", base(account.kind), account.id),
        "code": f.code,
        "name": f.name,
        "legal_name": f.legal_name,
        "tax_id": f.tax_id,
        "email": f.email,
        "phone": f.phone,
        "address": f.address,
        "branches_enabled": f.branches_enabled,
        "active": account.active,
    })
}
