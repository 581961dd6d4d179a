//! The company's side of purchase orders: orders and goods receipts pushed by
//! an ERP (a batch all or nothing, like invoices), staff's decision on a supplier's answer
//! with changes (accept, or refuse with a reason), and the moves staff make —
//! send a draft, close, cancel. A move or decision someone else made first
//! is 409.

use portico_authz::{Action, Area};
use portico_data::{PoRow, SupplierInvoiceRow, UpsertOutcome};
use portico_domain::purchasing::{ErpPurchaseOrderInput, ErpReceiptInput, PoMove, Review};
use portico_web::AppError;
use uuid::Uuid;

use super::{Issuer, sales::check};

/// Upserts purchase orders by the ERP's reference.
pub(crate) async fn upsert(
    issuer: &Issuer<'_>,
    inputs: &[ErpPurchaseOrderInput],
) -> Result<Vec<UpsertOutcome>, AppError> {
    issuer.require(Area::Purchases, Action::Write).await?;
    let records = check(inputs, ErpPurchaseOrderInput::validate)?;
    let mut tx = issuer.tx().await?;
    let outcomes = tx.purchase_orders().upsert(&records, issuer.by).await?;
    tx.commit().await?;
    Ok(outcomes)
}

/// Records goods receipts by the ERP's reference.
pub(crate) async fn upsert_receipts(
    issuer: &Issuer<'_>,
    inputs: &[ErpReceiptInput],
) -> Result<Vec<UpsertOutcome>, AppError> {
    issuer.require(Area::Purchases, Action::Write).await?;
    let records = check(inputs, ErpReceiptInput::validate)?;
    let mut tx = issuer.tx().await?;
    let outcomes = tx.goods_receipts().upsert(&records, issuer.by).await?;
    tx.commit().await?;
    Ok(outcomes)
}

/// Accepts or refuses (`decision`, with its `reason`) the supplier's
/// changes to order `id`: 404 for no such order, 422 for a refusal without
/// a reason, 409 when no answer waits for review (decided meanwhile).
pub(crate) async fn review(
    issuer: &Issuer<'_>,
    id: Uuid,
    decision: &str,
    reason: Option<&str>,
) -> Result<(PoRow, Review), AppError> {
    issuer.require(Area::Purchases, Action::Write).await?;
    let mut tx = issuer.tx().await?;
    let row = tx
        .purchase_orders()
        .find(id)
        .await?
        .ok_or(AppError::NotFound)?;
    let review = Review::parse(decision, reason).map_err(AppError::Invalid)?;
    if !row.awaiting_review {
        return Err(AppError::StateConflict("purchasing-nothing-to-review"));
    }
    let row = tx
        .purchase_orders()
        .review(&row, &review, issuer.by)
        .await?
        .ok_or(AppError::StateConflict("purchasing-nothing-to-review"))?;
    tx.commit().await?;
    Ok((row, review))
}

/// Makes a staff move on order `id`: 404 for no such order, 409 when it is
/// no longer in a state the move starts from.
pub(crate) async fn make_move(
    issuer: &Issuer<'_>,
    id: Uuid,
    mv: PoMove,
) -> Result<PoRow, AppError> {
    issuer.require(Area::Purchases, Action::Write).await?;
    let mut tx = issuer.tx().await?;
    let row = tx
        .purchase_orders()
        .find(id)
        .await?
        .ok_or(AppError::NotFound)?;
    let row = tx
        .purchase_orders()
        .apply(&row, mv, issuer.by)
        .await?
        .ok_or(AppError::StateConflict("purchasing-move-not-open"))?;
    tx.commit().await?;
    Ok(row)
}

/// Approves supplier invoice `id`, or rejects it with `reason` (required):
/// 404 for no such invoice, 422 for a rejection without a reason, 409 once
/// it is no longer waiting (decided meanwhile).
pub(crate) async fn decide_invoice(
    issuer: &Issuer<'_>,
    id: Uuid,
    approve: bool,
    reason: Option<&str>,
) -> Result<SupplierInvoiceRow, AppError> {
    issuer.require(Area::Purchases, Action::Write).await?;
    let mut tx = issuer.tx().await?;
    let detail = tx
        .supplier_invoices()
        .detail(id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut check = portico_domain::fields::Checker::default();
    let reason = reason.and_then(|r| check.text("reason", r, portico_domain::fields::limits::TEXT));
    if !approve && reason.is_none() && check.errors.is_empty() {
        check.errors.add("reason", "purchasing-reason-required");
    }
    if !check.errors.is_empty() {
        return Err(AppError::Invalid(check.errors));
    }
    let row = tx
        .supplier_invoices()
        .decide(
            &detail,
            if approve { None } else { reason.as_deref() },
            issuer.by,
        )
        .await?
        .ok_or(AppError::StateConflict("supplier-invoices-not-submitted"))?;
    tx.commit().await?;
    Ok(row)
}
