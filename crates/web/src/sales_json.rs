//! The JSON shapes of customers' invoices, credit notes and payments, answered
//! alike by the admin API and the customer portal's API. Amounts are decimal
//! strings (`"12500.00"`): exact, unlike a JSON number read into a float.

use poem_openapi::{Enum, Object};
use portico_data::{Applied, InvoiceDetail, InvoiceRow, PaymentDetail, PaymentRow};
use portico_domain::sales::{InvoiceKind, PaymentMethod};
use uuid::Uuid;

use crate::date::Date;

/// An invoice, or a credit note (which lowers what the customer owes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum KindJson {
    Invoice,
    CreditNote,
}

impl From<InvoiceKind> for KindJson {
    fn from(kind: InvoiceKind) -> Self {
        match kind {
            InvoiceKind::Invoice => KindJson::Invoice,
            InvoiceKind::CreditNote => KindJson::CreditNote,
        }
    }
}

impl KindJson {
    /// The domain's name of the kind.
    pub fn as_str(self) -> &'static str {
        match self {
            KindJson::Invoice => InvoiceKind::Invoice.as_str(),
            KindJson::CreditNote => InvoiceKind::CreditNote.as_str(),
        }
    }
}

/// How a payment was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum MethodJson {
    Transfer,
    Check,
    Card,
    Cash,
    Other,
}

impl From<PaymentMethod> for MethodJson {
    fn from(method: PaymentMethod) -> Self {
        match method {
            PaymentMethod::Transfer => MethodJson::Transfer,
            PaymentMethod::Check => MethodJson::Check,
            PaymentMethod::Card => MethodJson::Card,
            PaymentMethod::Cash => MethodJson::Cash,
            PaymentMethod::Other => MethodJson::Other,
        }
    }
}

impl MethodJson {
    /// The domain's name of the method.
    pub fn as_str(self) -> &'static str {
        match self {
            MethodJson::Transfer => PaymentMethod::Transfer.as_str(),
            MethodJson::Check => PaymentMethod::Check.as_str(),
            MethodJson::Card => PaymentMethod::Card.as_str(),
            MethodJson::Cash => PaymentMethod::Cash.as_str(),
            MethodJson::Other => PaymentMethod::Other.as_str(),
        }
    }
}

/// An invoice or credit note in a list.
#[derive(Debug, Clone, Object)]
pub struct InvoiceSummary {
    pub id: Uuid,
    pub kind: KindJson,
    pub number: String,
    pub customer_id: Uuid,
    /// Absent for an account-level document.
    #[oai(nullable)]
    pub branch_id: Option<Uuid>,
    pub issued_on: Date,
    pub due_on: Date,
    /// ISO 4217.
    pub currency: String,
    /// Decimal string.
    pub total: String,
    /// What is still open (for a credit note: not yet applied). Decimal string.
    pub balance: String,
}

impl From<&InvoiceRow> for InvoiceSummary {
    fn from(r: &InvoiceRow) -> Self {
        InvoiceSummary {
            id: r.id,
            kind: r.kind.into(),
            number: r.number.clone(),
            customer_id: r.account_id.as_uuid(),
            branch_id: r.branch_id.map(|b| b.as_uuid()),
            issued_on: Date(r.issued_on),
            due_on: Date(r.due_on),
            currency: r.currency.clone(),
            total: r.total.to_string(),
            balance: r.balance.to_string(),
        }
    }
}

/// A page of invoices and credit notes, newest first.
#[derive(Debug, Clone, Object)]
pub struct InvoicePage {
    pub items: Vec<InvoiceSummary>,
    /// Pass as `after` to get the next page; absent on the last page.
    #[oai(nullable)]
    pub next: Option<String>,
}

/// One line of an invoice, amounts computed by Portico.
#[derive(Debug, Clone, Object)]
pub struct LineJson {
    #[oai(nullable)]
    pub item_code: Option<String>,
    pub description: String,
    pub quantity: String,
    pub unit_price: String,
    /// Percent.
    pub tax_rate: String,
    /// Quantity × unit price, rounded to cents.
    pub net: String,
    pub tax: String,
}

/// What is applied between two documents, seen from one of them.
#[derive(Debug, Clone, Object)]
pub struct AppliedJson {
    /// `invoice`, `credit_note` or `payment`: the other document's kind.
    pub kind: String,
    pub id: Uuid,
    pub number: String,
    pub date: Date,
    pub amount: String,
}

impl From<&Applied> for AppliedJson {
    fn from(a: &Applied) -> Self {
        AppliedJson {
            kind: a.kind.to_owned(),
            id: a.id,
            number: a.number.clone(),
            date: Date(a.date),
            amount: a.amount.to_string(),
        }
    }
}

/// An invoice or credit note with its lines and what was applied to it (for
/// a credit note: the invoices it was applied to).
#[derive(Debug, Clone, Object)]
pub struct InvoiceJson {
    #[oai(flatten)]
    pub summary: InvoiceSummary,
    pub external_ref: String,
    pub subtotal: String,
    pub tax: String,
    #[oai(nullable)]
    pub notes: Option<String>,
    pub lines: Vec<LineJson>,
    pub applied: Vec<AppliedJson>,
}

impl From<&InvoiceDetail> for InvoiceJson {
    fn from(d: &InvoiceDetail) -> Self {
        InvoiceJson {
            summary: InvoiceSummary::from(&d.row),
            external_ref: d.external_ref.clone(),
            subtotal: d.subtotal.to_string(),
            tax: d.tax.to_string(),
            notes: d.notes.clone(),
            lines: d
                .lines
                .iter()
                .map(|l| LineJson {
                    item_code: l.item_code.clone(),
                    description: l.description.clone(),
                    quantity: l.quantity.to_string(),
                    unit_price: l.unit_price.to_string(),
                    tax_rate: l.tax_rate.to_string(),
                    net: l.net.to_string(),
                    tax: l.tax.to_string(),
                })
                .collect(),
            applied: d.applied.iter().map(AppliedJson::from).collect(),
        }
    }
}

/// A payment in a list.
#[derive(Debug, Clone, Object)]
pub struct PaymentSummary {
    pub id: Uuid,
    pub number: String,
    pub customer_id: Uuid,
    #[oai(nullable)]
    pub branch_id: Option<Uuid>,
    pub received_on: Date,
    pub currency: String,
    pub method: MethodJson,
    #[oai(nullable)]
    pub reference: Option<String>,
    pub amount: String,
    /// The part not applied to any invoice. Decimal string.
    pub unapplied: String,
}

impl From<&PaymentRow> for PaymentSummary {
    fn from(r: &PaymentRow) -> Self {
        PaymentSummary {
            id: r.id,
            number: r.number.clone(),
            customer_id: r.account_id.as_uuid(),
            branch_id: r.branch_id.map(|b| b.as_uuid()),
            received_on: Date(r.received_on),
            currency: r.currency.clone(),
            method: r.method.into(),
            reference: r.reference.clone(),
            amount: r.amount.to_string(),
            unapplied: r.unapplied.to_string(),
        }
    }
}

/// A page of payments, newest first.
#[derive(Debug, Clone, Object)]
pub struct PaymentPage {
    pub items: Vec<PaymentSummary>,
    /// Pass as `after` to get the next page; absent on the last page.
    #[oai(nullable)]
    pub next: Option<String>,
}

/// A payment with the invoices it pays (its remittance).
#[derive(Debug, Clone, Object)]
pub struct PaymentJson {
    #[oai(flatten)]
    pub summary: PaymentSummary,
    pub external_ref: String,
    pub applied: Vec<AppliedJson>,
}

impl From<&PaymentDetail> for PaymentJson {
    fn from(d: &PaymentDetail) -> Self {
        PaymentJson {
            summary: PaymentSummary::from(&d.row),
            external_ref: d.external_ref.clone(),
            applied: d.applied.iter().map(AppliedJson::from).collect(),
        }
    }
}
