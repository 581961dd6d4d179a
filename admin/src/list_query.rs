//! The query strings of the contact and account lists, shared by the list
//! pages and their exports, and the contact filter one asks for.

use portico_data::{AccountId, ContactFilter, ContactSort, PortalFilter};
use portico_web::AppError;
use serde::Deserialize;
use uuid::Uuid;

/// A customer or supplier list's query string.
#[derive(Deserialize, Default)]
pub(crate) struct AccountListQuery {
    pub q: Option<String>,
    pub archived: Option<String>,
    pub after_name: Option<String>,
    pub after_id: Option<String>,
}

/// The contact list's query string.
#[derive(Deserialize, Default)]
pub(crate) struct ContactListQuery {
    pub q: Option<String>,
    pub category: Option<String>,
    pub owner: Option<String>,
    pub account: Option<String>,
    pub kind: Option<String>,
    pub opted_out: Option<String>,
    /// A portal access state (`PortalFilter`).
    pub portal: Option<String>,
    pub archived: Option<String>,
    pub sort: Option<String>,
    pub after_name: Option<String>,
    pub after_id: Option<String>,
}

fn optional_uuid(raw: Option<&str>) -> Result<Option<Uuid>, AppError> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(raw) => raw
            .parse()
            .map(Some)
            .map_err(|_| AppError::BadRequest("error-bad-request-detail")),
    }
}

/// The filter a contact list's query string asks for (the page and its exports).
pub(crate) fn filter_of(query: &ContactListQuery) -> Result<ContactFilter, AppError> {
    let sort = match query.sort.as_deref() {
        Some("-name") => ContactSort::NameDesc,
        Some("newest") => ContactSort::Newest,
        _ => ContactSort::Name,
    };
    Ok(ContactFilter {
        search: query.q.clone(),
        category: optional_uuid(query.category.as_deref())?,
        owner: optional_uuid(query.owner.as_deref())?,
        account: optional_uuid(query.account.as_deref())?.map(AccountId::from),
        kind: query.kind.as_deref().and_then(|k| k.parse().ok()),
        opted_out: match query.opted_out.as_deref() {
            Some("yes") => Some(true),
            Some("no") => Some(false),
            _ => None,
        },
        portal: match query.portal.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(raw) => Some(
                PortalFilter::parse(raw).ok_or(AppError::BadRequest("error-bad-request-detail"))?,
            ),
        },
        archived: query.archived.as_deref() == Some("1"),
        sort,
    })
}
