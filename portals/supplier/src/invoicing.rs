//! What a supplier contact does with its invoices — pre-match one against a
//! purchase order, submit it — checked once here for the pages and the
//! portal API alike: the grant, the order in the contact's scope (another
//! supplier's is "not found"), the invoice's shape, then the pre-match.
//! Checking writes nothing. Submitting refuses what no note can carry (a
//! duplicate number, another tax id, a line the order lacks) and an invoice
//! with exceptions but no note, each as a field's problem with nothing
//! written; otherwise one transaction writes it, matched or with its
//! exceptions for staff.

use portico_data::{PoDetail, SupplierInvoiceRow, TenantTx};
use portico_domain::{
    FieldErrors, Permission,
    purchasing::PoStatus,
    supplier_invoices::{Exception, MatchReport, SupplierInvoice, SupplierInvoiceInput},
};
use portico_portal::SignedInContact;
use portico_web::AppError;
use uuid::Uuid;

use crate::acknowledging::{self, require};

/// The states of an order a supplier may invoice.
const BILLABLE: [PoStatus; 3] = [
    PoStatus::Acknowledged,
    PoStatus::PartiallyReceived,
    PoStatus::Received,
];

/// The order `id` the contact may invoice: in its scope (else 404), in a
/// state that takes invoices (else 409).
pub(crate) async fn order(
    tx: &mut TenantTx,
    me: &SignedInContact,
    id: Uuid,
) -> Result<PoDetail, AppError> {
    let order = acknowledging::find(tx, me, id).await?;
    if !BILLABLE.contains(&order.row.status) {
        return Err(AppError::StateConflict(
            "supplier-invoices-order-not-billable",
        ));
    }
    Ok(order)
}

/// The field and message that name `exception` on line `n` (or the whole
/// invoice for `None`).
fn problem(exception: Exception) -> (&'static str, &'static str) {
    match exception {
        Exception::OverQuantity => ("quantity", "supplier-invoices-over-quantity"),
        Exception::PriceOutOfTolerance => {
            ("unit_price", "supplier-invoices-price-out-of-tolerance")
        }
        Exception::TaxDiffers => ("tax_rate", "supplier-invoices-tax-differs"),
        Exception::UnknownLine => ("position", "supplier-invoices-unknown-line"),
        Exception::OverOpenAmount => ("lines", "supplier-invoices-over-open-amount"),
        Exception::DuplicateNumber => ("number", "supplier-invoices-duplicate-number"),
        Exception::TaxIdMismatch => ("tax_id", "supplier-invoices-tax-id-mismatch"),
    }
}

/// Each exception of `report` as a field's problem: the lines' under
/// `lines[n]`.
pub(crate) fn as_errors(report: &MatchReport, only_refusals: bool) -> FieldErrors {
    let mut errors = FieldErrors::default();
    for exception in report
        .header
        .iter()
        .filter(|e| !only_refusals || e.refuses())
    {
        let (field, message) = problem(*exception);
        errors.add(field, message);
    }
    for (n, line) in report.lines.iter().enumerate() {
        let mut one = FieldErrors::default();
        for exception in line
            .exceptions
            .iter()
            .filter(|e| !only_refusals || e.refuses())
        {
            let (field, message) = problem(*exception);
            one.add(field, message);
        }
        errors.nest(&format!("lines[{n}]"), one);
    }
    errors
}

/// Checks the typed invoice against order `id`: the order and the checked
/// invoice with its pre-match, nothing written.
pub(crate) async fn check(
    me: &SignedInContact,
    id: Uuid,
    input: &SupplierInvoiceInput,
) -> Result<(PoDetail, SupplierInvoice, MatchReport), AppError> {
    require(me, Permission::SupplierInvoicesCreate)?;
    let mut tx = me.session.tx().await?;
    let order = order(&mut tx, me, id).await?;
    let invoice = input.validate().map_err(AppError::Invalid)?;
    let report = tx.supplier_invoices().prematch(&order, &invoice).await?;
    tx.commit().await?;
    Ok((order, invoice, report))
}

/// Submits the typed invoice against order `id`: 404 for an order the
/// contact does not see, 403 without the grant, 409 for an order that takes
/// no invoices, 422 with each problem (the shape's, what no note carries,
/// or `note` for exceptions without one), nothing written.
pub(crate) async fn submit(
    me: &SignedInContact,
    id: Uuid,
    input: &SupplierInvoiceInput,
) -> Result<SupplierInvoiceRow, AppError> {
    require(me, Permission::SupplierInvoicesCreate)?;
    let mut tx = me.session.tx().await?;
    let order = order(&mut tx, me, id).await?;
    let invoice = input.validate().map_err(AppError::Invalid)?;
    let report = tx.supplier_invoices().prematch(&order, &invoice).await?;
    if report.refused() {
        return Err(AppError::Invalid(as_errors(&report, true)));
    }
    if !report.matched() && invoice.note.is_none() {
        let mut errors = as_errors(&report, false);
        errors.add("note", "supplier-invoices-note-required");
        return Err(AppError::Invalid(errors));
    }
    let row = tx
        .supplier_invoices()
        .submit(&order, &invoice, &report, me.session.by())
        .await?;
    tx.commit().await?;
    Ok(row)
}
