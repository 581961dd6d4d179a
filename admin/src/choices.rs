//! The choices a form or a list's filter offers from the company's own data:
//! the staff users a record can be assigned to, and the entries of its contact
//! lists (titles, categories). Contacts and accounts both offer them.

use portico_data::{ContactList, TenantTx};
use portico_web::AppError;

use crate::forms::Choice;

/// Entries loaded for a select of titles, categories or owners.
const CHOICES: u64 = 500;

/// The staff users a record can be assigned to.
pub(crate) async fn owner_choices(tx: &mut TenantTx) -> Result<Vec<Choice>, AppError> {
    Ok(tx
        .staff()
        .list(None, CHOICES)
        .await?
        .into_iter()
        .map(|u| Choice::new(u.id, u.name))
        .collect())
}

/// The entries of a list a form offers: the active ones, and `current` (the
/// value the record or filter has now) even when it is archived.
pub(crate) async fn list_choices(
    tx: &mut TenantTx,
    list: ContactList,
    current: &str,
) -> Result<Vec<Choice>, AppError> {
    Ok(tx
        .lists()
        .entries(list, CHOICES)
        .await?
        .into_iter()
        .filter(|e| !e.archived || e.id.to_string() == current.trim())
        .map(|e| Choice::new(e.id, e.name))
        .collect())
}
