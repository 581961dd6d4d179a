//! Contacts in the back office, one page or action per file: the list
//! (search, filters, sort, pagination), the form with its four ways in (from
//! the list, or fixed to a customer or supplier from its list row, its record's
//! action menu or its Contacts tab) for a new contact and an edit, the record
//! (details, links, history, archiving), links, and deleting. Every change goes
//! through the back office's commands (`crate::commands`).

mod delete;
mod edit;
mod form;
mod links;
mod list;
mod new;
mod record;

use poem::{get, post};
use portico_authz::{Action, Area};
use portico_data::{Account, TenantTx};
use portico_web::{Access, AppError, ByMethod, Routes};

use crate::photos;

/// Adds the contact routes to the back office's.
pub(crate) fn routes(route: Routes) -> Routes {
    let read = Access::staff(Area::Contacts, Action::Read);
    let write = Access::staff(Area::Contacts, Action::Write);
    route
        .at(
            "/contacts",
            ByMethod::get(read).post(write),
            get(list::list_page).post(new::create),
        )
        .at("/contacts/new", write, get(new::new_form))
        .at(
            "/contacts/export.csv",
            read,
            get(crate::export::contacts_csv),
        )
        .at(
            "/contacts/export.vcf",
            read,
            get(crate::export::contacts_vcard),
        )
        .at(
            "/contacts/:id/vcard",
            read,
            get(crate::export::contact_vcard),
        )
        .at(
            "/contacts/:id",
            ByMethod::get(read).post(write),
            get(record::show).post(edit::update),
        )
        .at("/contacts/:id/edit", write, get(edit::edit_form))
        .at("/contacts/:id/archive", write, post(record::archive))
        .at("/contacts/:id/restore", write, post(record::restore))
        .at(
            "/contacts/:id/delete",
            write,
            get(delete::delete_page).post(delete::delete),
        )
        .at("/contacts/:id/links", write, post(links::add_link))
        .at("/contacts/link-existing", write, post(links::link_existing))
        .at("/links/:id", write, post(links::update_link))
        .at("/links/:id/delete", write, post(links::unlink))
        .at("/contacts/:id/photo", read, get(photos::photo_image))
        .at(
            "/contacts/:id/photo/thumbnail",
            read,
            get(photos::photo_thumbnail),
        )
}

/// An id from the path or a form; one that does not parse is "not found".
fn parse<T: std::str::FromStr>(raw: &str) -> Result<T, AppError> {
    raw.trim().parse().map_err(|_| AppError::NotFound)
}

/// A value for a URL's query string.
fn encode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// The account a form is fixed to, checked to be this tenant's.
pub(super) async fn fixed_account(
    tx: &mut TenantTx,
    raw: &str,
) -> Result<Option<Account>, AppError> {
    if raw.trim().is_empty() {
        return Ok(None);
    }
    match tx.accounts().find(parse(raw)?).await? {
        Some(account) => Ok(Some(account)),
        None => Err(AppError::NotFound),
    }
}
