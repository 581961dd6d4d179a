//! The rows of a contact table: each contact with the accounts it is linked to
//! (loaded in one query), as the contact list and an account's Contacts tab
//! show them, and a link as every contact page shows it.

use std::collections::HashMap;

use portico_data::{AccountId, Contact, ContactId, ContactLink, TenantTx};
use portico_web::AppError;
use serde_json::{Value, json};

/// A link as the contact pages show it: the account, the position there and
/// whether the contact is its primary one.
pub(crate) fn link_json(link: &ContactLink) -> Value {
    json!({
        "id": link.id.to_string(),
        "kind": link.account_kind.as_str(),
        "account_href": format!("/admin/{}/{}", link.account_kind.plural(), link.account_id),
        "code": link.account_code,
        "name": link.account_name,
        "position": link.fields.position,
        "is_primary": link.fields.is_primary,
    })
}

/// The rows of a contact table, with each contact's accounts loaded in one query;
/// with `here`, also the position and primary flag at that account.
pub(crate) async fn contact_rows(
    tx: &mut TenantTx,
    contacts: &[Contact],
    here: Option<AccountId>,
) -> Result<Vec<Value>, AppError> {
    let ids: Vec<ContactId> = contacts.iter().map(|c| c.id).collect();
    let mut links: HashMap<ContactId, Vec<ContactLink>> = HashMap::new();
    for link in tx.links().of_contacts(&ids).await? {
        links.entry(link.contact_id).or_default().push(link);
    }
    Ok(contacts
        .iter()
        .map(|c| {
            let mine = links.get(&c.id).map(Vec::as_slice).unwrap_or_default();
            let at_here = here.and_then(|a| mine.iter().find(|l| l.account_id == a));
            json!({
                "id": c.id.to_string(),
                "href": format!("/admin/contacts/{}", c.id),
                "name": c.display_name,
                "email": c.fields.email,
                "phone": c.fields.mobile.as_ref().or(c.fields.phone.as_ref()),
                "opted_out": c.fields.email_opt_out,
                "archived": c.archived_at.is_some(),
                "thumbnail": c.photo_id.map(|_| format!("/admin/contacts/{}/photo/thumbnail", c.id)),
                "links": mine.iter().map(link_json).collect::<Vec<_>>(),
                "here": at_here.map(link_json),
            })
        })
        .collect())
}
