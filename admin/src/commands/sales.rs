//! Customers' invoices, credit notes and payments pushed by an ERP: a batch of
//! up to a thousand records checked, then upserted in one transaction — all of
//! it or, on any problem, nothing.

use portico_authz::{Action, Area};
use portico_data::UpsertOutcome;
use portico_domain::{
    FieldErrors,
    sales::{InvoiceInput, MAX_BATCH, PaymentInput},
};
use portico_web::AppError;

use super::Issuer;

/// Checks every record of a batch, naming each problem under `records[n]`.
pub(crate) fn check<I, F>(
    inputs: &[I],
    validate: impl Fn(&I) -> Result<F, FieldErrors>,
) -> Result<Vec<F>, AppError> {
    let mut errors = FieldErrors::default();
    if inputs.is_empty() {
        errors.add("records", "field-required");
    } else if inputs.len() > MAX_BATCH {
        errors.add("records", "sales-batch-too-large");
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let mut fields = Vec::with_capacity(inputs.len());
    for (n, input) in inputs.iter().enumerate() {
        match validate(input) {
            Ok(f) => fields.push(f),
            Err(e) => errors.nest(&format!("records[{n}]"), e),
        }
    }
    errors.finish(fields).map_err(AppError::Invalid)
}

/// Upserts invoices and credit notes by external reference, their tax
/// rounded as the company rounds it.
pub(crate) async fn upsert_invoices(
    issuer: &Issuer<'_>,
    inputs: &[InvoiceInput],
) -> Result<Vec<UpsertOutcome>, AppError> {
    issuer.require(Area::Sales, Action::Write).await?;
    let mut tx = issuer.tx().await?;
    let rounding = tx.settings().rounding().await?;
    let records = check(inputs, |input| input.validate(rounding))?;
    let outcomes = tx.sales().upsert_invoices(&records, issuer.by).await?;
    tx.commit().await?;
    Ok(outcomes)
}

/// Upserts payments by external reference.
pub(crate) async fn upsert_payments(
    issuer: &Issuer<'_>,
    inputs: &[PaymentInput],
) -> Result<Vec<UpsertOutcome>, AppError> {
    issuer.require(Area::Sales, Action::Write).await?;
    let records = check(inputs, PaymentInput::validate)?;
    let mut tx = issuer.tx().await?;
    let outcomes = tx.sales().upsert_payments(&records, issuer.by).await?;
    tx.commit().await?;
    Ok(outcomes)
}
