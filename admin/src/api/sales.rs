//! `/api/v1/invoices` and `/api/v1/payments`: an ERP upserts customers'
//! invoices, credit notes and payments in batches (by external reference,
//! idempotent, up to a thousand a call), and reads them back.

use poem_openapi::{
    Object, OpenApi,
    param::{Path, Query},
    payload::Json,
};
use portico_authz::{Action, Area};
use portico_data::{DateCursor, UpsertOutcome, Upserted};
use portico_domain::sales::{ApplicationInput, InvoiceInput, LineInput, PaymentInput};
use portico_web::{
    AppError,
    date::Date,
    sales_json::{
        InvoiceJson, InvoicePage, InvoiceSummary, KindJson, MethodJson, PaymentJson, PaymentPage,
        PaymentSummary,
    },
    text::Text,
};
use uuid::Uuid;

use super::{ApiTags, Result, auth::Auth};
use crate::commands::{Issuer, sales};

pub(crate) fn text(value: &Option<Text>) -> Option<String> {
    value.as_ref().map(|t| t.0.clone())
}

/// One invoice line. Decimals are strings (`"2.5"`), at most four decimals.
#[derive(Debug, Clone, Object)]
pub(crate) struct LineBody {
    #[oai(nullable)]
    pub item_code: Option<Text>,
    pub description: Text,
    /// Above zero.
    pub quantity: Text,
    /// Zero or more.
    pub unit_price: Text,
    /// Percent, 0 to 100 (`"18"`).
    pub tax_rate: Text,
}

impl From<&LineBody> for LineInput {
    fn from(l: &LineBody) -> Self {
        LineInput {
            item_code: text(&l.item_code),
            description: l.description.0.clone(),
            quantity: l.quantity.0.clone(),
            unit_price: l.unit_price.0.clone(),
            tax_rate: l.tax_rate.0.clone(),
        }
    }
}

/// A part of a payment or credit note applied to one invoice.
#[derive(Debug, Clone, Object)]
pub(crate) struct ApplicationBody {
    /// The invoice's number, of the same customer and currency.
    pub invoice: Text,
    /// Decimal string in cents, above zero.
    pub amount: Text,
}

impl From<&ApplicationBody> for ApplicationInput {
    fn from(b: &ApplicationBody) -> Self {
        ApplicationInput {
            invoice: b.invoice.0.clone(),
            amount: b.amount.0.clone(),
        }
    }
}

/// An invoice or credit note as the ERP has it. Totals are computed by Portico
/// from the lines (each line's net and tax rounded to cents).
#[derive(Debug, Clone, Object)]
pub(crate) struct InvoiceBody {
    pub kind: KindJson,
    /// The document's number (e.g. the fiscal number), unique per kind.
    pub number: Text,
    /// The ERP's own reference: the key of the upsert.
    pub external_ref: Text,
    /// The customer's code.
    pub customer: Text,
    /// The code of one of the customer's branches.
    #[oai(nullable)]
    pub branch: Option<Text>,
    pub issued_on: Date,
    /// The issue date when absent.
    #[oai(nullable)]
    pub due_on: Option<Date>,
    /// ISO 4217.
    pub currency: Text,
    #[oai(nullable)]
    pub notes: Option<Text>,
    /// 1 to 500 lines.
    pub lines: Vec<LineBody>,
    /// Credit notes only: the invoices it is applied to.
    #[oai(default)]
    pub applied_to: Vec<ApplicationBody>,
}

impl From<&InvoiceBody> for InvoiceInput {
    fn from(b: &InvoiceBody) -> Self {
        InvoiceInput {
            kind: b.kind.as_str().to_owned(),
            number: b.number.0.clone(),
            external_ref: b.external_ref.0.clone(),
            customer: b.customer.0.clone(),
            branch: text(&b.branch),
            issued_on: b.issued_on.0.to_string(),
            due_on: b.due_on.map(|d| d.0.to_string()),
            currency: b.currency.0.clone(),
            notes: text(&b.notes),
            lines: b.lines.iter().map(LineInput::from).collect(),
            applied_to: b.applied_to.iter().map(ApplicationInput::from).collect(),
        }
    }
}

/// A payment as the ERP has it.
#[derive(Debug, Clone, Object)]
pub(crate) struct PaymentBody {
    /// The receipt's number, unique.
    pub number: Text,
    pub external_ref: Text,
    pub customer: Text,
    #[oai(nullable)]
    pub branch: Option<Text>,
    pub received_on: Date,
    pub currency: Text,
    pub method: MethodJson,
    /// The bank's or the check's reference.
    #[oai(nullable)]
    pub reference: Option<Text>,
    /// Decimal string in cents, above zero.
    pub amount: Text,
    /// The invoices it pays; what is left is a credit on account.
    #[oai(default)]
    pub applied_to: Vec<ApplicationBody>,
}

impl From<&PaymentBody> for PaymentInput {
    fn from(b: &PaymentBody) -> Self {
        PaymentInput {
            number: b.number.0.clone(),
            external_ref: b.external_ref.0.clone(),
            customer: b.customer.0.clone(),
            branch: text(&b.branch),
            received_on: b.received_on.0.to_string(),
            currency: b.currency.0.clone(),
            method: b.method.as_str().to_owned(),
            reference: text(&b.reference),
            amount: b.amount.0.clone(),
            applied_to: b.applied_to.iter().map(ApplicationInput::from).collect(),
        }
    }
}

/// Up to 1,000 invoices and credit notes.
#[derive(Debug, Clone, Object)]
pub(crate) struct InvoiceBatch {
    pub records: Vec<InvoiceBody>,
}

/// Up to 1,000 payments.
#[derive(Debug, Clone, Object)]
pub(crate) struct PaymentBatch {
    pub records: Vec<PaymentBody>,
}

/// What an upsert did with one record.
#[derive(Debug, Clone, Copy, poem_openapi::Enum)]
#[oai(rename_all = "snake_case")]
pub(crate) enum OutcomeJson {
    Created,
    Updated,
    /// The same as stored: nothing written.
    Unchanged,
}

/// One record of a batch, in the order sent.
#[derive(Debug, Clone, Object)]
pub(crate) struct UpsertedJson {
    pub external_ref: String,
    pub id: Uuid,
    pub outcome: OutcomeJson,
}

/// What a batch did: each record, and the counts.
#[derive(Debug, Clone, Object)]
pub(crate) struct BatchOut {
    pub results: Vec<UpsertedJson>,
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
}

impl From<Vec<UpsertOutcome>> for BatchOut {
    fn from(outcomes: Vec<UpsertOutcome>) -> Self {
        let count = |o| outcomes.iter().filter(|r| r.outcome == o).count() as u64;
        BatchOut {
            created: count(Upserted::Created),
            updated: count(Upserted::Updated),
            unchanged: count(Upserted::Unchanged),
            results: outcomes
                .iter()
                .map(|r| UpsertedJson {
                    external_ref: r.external_ref.clone(),
                    id: r.id,
                    outcome: match r.outcome {
                        Upserted::Created => OutcomeJson::Created,
                        Upserted::Updated => OutcomeJson::Updated,
                        Upserted::Unchanged => OutcomeJson::Unchanged,
                    },
                })
                .collect(),
        }
    }
}

/// Reads a list's `after`; a malformed one is a 400.
pub(crate) fn cursor(raw: Option<&str>) -> std::result::Result<Option<DateCursor>, AppError> {
    raw.filter(|r| !r.is_empty())
        .map(|r| {
            DateCursor::decode(r).map_err(|_| AppError::BadRequest("error-bad-request-detail"))
        })
        .transpose()
}

/// Customers' invoices, credit notes and payments.
pub(crate) struct SalesApi;

#[OpenApi(tag = "ApiTags::Sales")]
impl SalesApi {
    /// Creates or updates up to 1,000 invoices and credit notes by external
    /// reference. All or nothing: any problem answers 422 naming each field as
    /// `records[n].…`, and nothing is written. Sending the same records again
    /// changes nothing.
    #[oai(path = "/invoices", method = "put")]
    async fn upsert_invoices(
        &self,
        auth: Auth,
        body: Json<InvoiceBatch>,
    ) -> Result<Json<BatchOut>> {
        let inputs: Vec<InvoiceInput> = body.0.records.iter().map(InvoiceInput::from).collect();
        let outcomes = sales::upsert_invoices(&Issuer::api(auth.caller()), &inputs).await?;
        Ok(Json(outcomes.into()))
    }

    /// Lists invoices and credit notes, newest first.
    #[oai(path = "/invoices", method = "get")]
    async fn list_invoices(
        &self,
        auth: Auth,
        /// Only this customer's.
        customer_id: Query<Option<Uuid>>,
        /// The `next` value of the previous page.
        #[oai(validator(pattern = r"^00[0-4][0-9a-f]{37}$"))]
        after: Query<Option<String>>,
        /// Rows per page, 1 to 200 (50 by default); any other number is a 400.
        #[oai(
            default = "super::default_limit",
            validator(minimum(value = "1"), maximum(value = "200"))
        )]
        limit: Query<u64>,
    ) -> Result<Json<InvoicePage>> {
        let caller = auth.caller();
        caller.require(Area::Sales, Action::Read).await?;
        let after = cursor(after.0.as_deref())?;
        let mut tx = caller.tx().await?;
        let mut rows = tx
            .sales()
            .invoices(customer_id.0.map(Into::into), after.as_ref(), limit.0 + 1)
            .await?;
        tx.commit().await?;
        let next = more(&mut rows, limit.0).map(|r| r.cursor().encode());
        Ok(Json(InvoicePage {
            items: rows.iter().map(InvoiceSummary::from).collect(),
            next,
        }))
    }

    /// Reads an invoice or credit note with its lines and applications.
    #[oai(path = "/invoices/:id", method = "get")]
    async fn get_invoice(&self, auth: Auth, id: Path<Uuid>) -> Result<Json<InvoiceJson>> {
        let caller = auth.caller();
        caller.require(Area::Sales, Action::Read).await?;
        let mut tx = caller.tx().await?;
        let invoice = tx.sales().invoice(id.0).await?.ok_or(AppError::NotFound)?;
        tx.commit().await?;
        Ok(Json(InvoiceJson::from(&invoice)))
    }

    /// Creates or updates up to 1,000 payments by external reference, with the
    /// invoices each pays; like the invoices' upsert, all or nothing.
    #[oai(path = "/payments", method = "put")]
    async fn upsert_payments(
        &self,
        auth: Auth,
        body: Json<PaymentBatch>,
    ) -> Result<Json<BatchOut>> {
        let inputs: Vec<PaymentInput> = body.0.records.iter().map(PaymentInput::from).collect();
        let outcomes = sales::upsert_payments(&Issuer::api(auth.caller()), &inputs).await?;
        Ok(Json(outcomes.into()))
    }

    /// Lists payments, newest first.
    #[oai(path = "/payments", method = "get")]
    async fn list_payments(
        &self,
        auth: Auth,
        /// Only this customer's.
        customer_id: Query<Option<Uuid>>,
        /// The `next` value of the previous page.
        #[oai(validator(pattern = r"^00[0-4][0-9a-f]{37}$"))]
        after: Query<Option<String>>,
        /// Rows per page, 1 to 200 (50 by default); any other number is a 400.
        #[oai(
            default = "super::default_limit",
            validator(minimum(value = "1"), maximum(value = "200"))
        )]
        limit: Query<u64>,
    ) -> Result<Json<PaymentPage>> {
        let caller = auth.caller();
        caller.require(Area::Sales, Action::Read).await?;
        let after = cursor(after.0.as_deref())?;
        let mut tx = caller.tx().await?;
        let mut rows = tx
            .sales()
            .payments(customer_id.0.map(Into::into), after.as_ref(), limit.0 + 1)
            .await?;
        tx.commit().await?;
        let next = more(&mut rows, limit.0).map(|r| r.cursor().encode());
        Ok(Json(PaymentPage {
            items: rows.iter().map(PaymentSummary::from).collect(),
            next,
        }))
    }

    /// Reads a payment with the invoices it pays.
    #[oai(path = "/payments/:id", method = "get")]
    async fn get_payment(&self, auth: Auth, id: Path<Uuid>) -> Result<Json<PaymentJson>> {
        let caller = auth.caller();
        caller.require(Area::Sales, Action::Read).await?;
        let mut tx = caller.tx().await?;
        let payment = tx.sales().payment(id.0).await?.ok_or(AppError::NotFound)?;
        tx.commit().await?;
        Ok(Json(PaymentJson::from(&payment)))
    }
}

/// Cuts `rows` (read with one extra) to `limit`; the last row shown when
/// another page follows.
pub(crate) fn more<T: Clone>(rows: &mut Vec<T>, limit: u64) -> Option<T> {
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    if rows.len() > limit {
        rows.truncate(limit);
        rows.last().cloned()
    } else {
        None
    }
}
