//! What a supplier contact does with a purchase order — acknowledge it whole
//! or line by line — checked once here for the pages and the portal API
//! alike: the grant, the scope (another account's or branch's order is "not
//! found"), the order still waiting for an answer, and every line answered
//! as the domain requires. One transaction.

use portico_data::{PoDetail, PoRow, TenantTx};
use portico_domain::{Permission, purchasing::AckInput};
use portico_portal::SignedInContact;
use portico_web::AppError;
use uuid::Uuid;

/// Refuses (403) a contact whose scope lacks `permission`.
pub(crate) fn require(me: &SignedInContact, permission: Permission) -> Result<(), AppError> {
    if me.scope.may(permission) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// The purchase order `id` as the contact sees it; any other is 404.
pub(crate) async fn find(
    tx: &mut TenantTx,
    me: &SignedInContact,
    id: Uuid,
) -> Result<PoDetail, AppError> {
    tx.purchase_orders()
        .portal_detail(&me.scope, id)
        .await?
        .ok_or(AppError::NotFound)
}

/// Records the contact's answer to every line of order `id`: 404 for an
/// order it does not see, 403 without the grant, 409 once the order no
/// longer waits for an answer (answered meanwhile, or moved by staff), 422
/// with each line's problem.
pub(crate) async fn acknowledge(
    me: &SignedInContact,
    id: Uuid,
    input: &AckInput,
) -> Result<PoRow, AppError> {
    let mut tx = me.session.tx().await?;
    let detail = find(&mut tx, me, id).await?;
    require(me, Permission::PurchaseOrdersAcknowledge)?;
    if !detail.row.waits_for_supplier() {
        return Err(AppError::StateConflict("purchasing-not-waiting"));
    }
    let ack = input
        .validate(&detail.ordered(), detail.row.issued_on)
        .map_err(AppError::Invalid)?;
    let row = tx
        .purchase_orders()
        .acknowledge(&detail.row, &ack, me.session.by())
        .await?
        .ok_or(AppError::StateConflict("purchasing-not-waiting"))?;
    tx.commit().await?;
    Ok(row)
}
