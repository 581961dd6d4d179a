//! The JSON shapes of purchase orders and supplier invoices, answered alike by the admin API and
//! the supplier portal's API. Amounts, prices and quantities are decimal
//! strings (`"12500.00"`).

use poem_openapi::{Enum, Object};
use portico_data::{PoDetail, PoRow, SupplierInvoiceDetail, SupplierInvoiceRow};
use portico_domain::{purchasing::LineAck, supplier_invoices::MatchReport};
use uuid::Uuid;

use crate::date::Date;

/// Where a purchase order stands. `in_review`: the supplier answered with
/// changes that staff have not decided yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum PoStateJson {
    Draft,
    Sent,
    InReview,
    Acknowledged,
    PartiallyReceived,
    Received,
    Closed,
    Cancelled,
}

impl PoStateJson {
    fn of(state: &str) -> Self {
        match state {
            "draft" => Self::Draft,
            "sent" => Self::Sent,
            "in_review" => Self::InReview,
            "acknowledged" => Self::Acknowledged,
            "partially_received" => Self::PartiallyReceived,
            "received" => Self::Received,
            "closed" => Self::Closed,
            _ => Self::Cancelled,
        }
    }
}

/// The supplier's answer to a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum LineAckJson {
    /// Not answered yet.
    Open,
    Accepted,
    Rejected,
    /// Accepted with another quantity or date.
    Changed,
}

impl From<LineAck> for LineAckJson {
    fn from(a: LineAck) -> Self {
        match a {
            LineAck::Open => Self::Open,
            LineAck::Accepted => Self::Accepted,
            LineAck::Rejected => Self::Rejected,
            LineAck::Changed => Self::Changed,
        }
    }
}

/// A purchase order in a list.
#[derive(Debug, Clone, Object)]
pub struct PoSummary {
    pub id: Uuid,
    /// `OC-000123`.
    pub number: String,
    pub supplier_id: Uuid,
    #[oai(nullable)]
    pub branch_id: Option<Uuid>,
    pub state: PoStateJson,
    pub issued_on: Date,
    #[oai(nullable)]
    pub expected_on: Option<Date>,
    pub currency: String,
    /// Decimal string.
    pub total: String,
}

impl From<&PoRow> for PoSummary {
    fn from(r: &PoRow) -> Self {
        PoSummary {
            id: r.id,
            number: r.number.clone(),
            supplier_id: r.account_id.as_uuid(),
            branch_id: r.branch_id.map(|b| b.as_uuid()),
            state: PoStateJson::of(r.state()),
            issued_on: Date(r.issued_on),
            expected_on: r.expected_on.map(Date),
            currency: r.currency.clone(),
            total: r.total.to_string(),
        }
    }
}

/// A page of purchase orders.
#[derive(Debug, Clone, Object)]
pub struct PoPage {
    pub items: Vec<PoSummary>,
    /// Pass as `after` to get the next page; absent on the last page.
    #[oai(nullable)]
    pub next: Option<String>,
}

/// A line with the supplier's answer.
#[derive(Debug, Clone, Object)]
pub struct PoLineJson {
    /// 1, 2, …: the answer to line `n` is the `n`th of an acknowledgement.
    pub position: i32,
    #[oai(nullable)]
    pub item_code: Option<String>,
    pub description: String,
    pub unit: String,
    pub quantity: String,
    pub unit_price: String,
    /// Percent.
    pub tax_rate: String,
    pub net: String,
    pub tax: String,
    #[oai(nullable)]
    pub expected_on: Option<Date>,
    pub answer: LineAckJson,
    /// The quantity the supplier will deliver instead.
    #[oai(nullable)]
    pub answer_quantity: Option<String>,
    /// The date the supplier promises instead.
    #[oai(nullable)]
    pub answer_date: Option<Date>,
    #[oai(nullable)]
    pub answer_reason: Option<String>,
    /// Accepted by the goods receipts so far.
    pub received: String,
    /// Rejected by the goods receipts so far.
    pub rejected: String,
}

/// A goods receipt of the order.
#[derive(Debug, Clone, Object)]
pub struct ReceiptJson {
    pub id: Uuid,
    /// `EM-000123`.
    pub number: String,
    pub received_on: Date,
    #[oai(nullable)]
    pub notes: Option<String>,
}

/// One step of the order's history.
#[derive(Debug, Clone, Object)]
pub struct PoEventJson {
    pub occurred_at: chrono::DateTime<chrono::Utc>,
    /// `contact`, `staff`, `api_key` or `system`.
    pub actor_kind: String,
    pub actor_name: String,
    /// `imported`, `updated`, `sent`, `acknowledged`,
    /// `answered_with_changes`, `changes_accepted`, `changes_refused`,
    /// `partially_received`, `received`, `received_more` (the comment names
    /// the receipts), `closed` or `cancelled`.
    pub action: String,
    #[oai(nullable)]
    pub comment: Option<String>,
}

/// A purchase order with its lines, the supplier's answer and its history.
#[derive(Debug, Clone, Object)]
pub struct PoJson {
    #[oai(flatten)]
    pub summary: PoSummary,
    pub supplier_name: String,
    pub subtotal: String,
    pub tax: String,
    #[oai(nullable)]
    pub notes: Option<String>,
    /// The ERP's reference, for one an ERP sent.
    #[oai(nullable)]
    pub external_ref: Option<String>,
    /// The supplier's note with its answer.
    #[oai(nullable)]
    pub response_note: Option<String>,
    /// Why staff refused the supplier's last answer.
    #[oai(nullable)]
    pub review_note: Option<String>,
    pub lines: Vec<PoLineJson>,
    pub events: Vec<PoEventJson>,
    /// Its goods receipts, oldest first.
    pub receipts: Vec<ReceiptJson>,
}

impl From<&PoDetail> for PoJson {
    fn from(d: &PoDetail) -> Self {
        PoJson {
            summary: PoSummary::from(&d.row),
            supplier_name: d.supplier_name.clone(),
            subtotal: d.subtotal.to_string(),
            tax: d.tax.to_string(),
            notes: d.notes.clone(),
            external_ref: d.external_ref.clone(),
            response_note: d.response_note.clone(),
            review_note: d.review_note.clone(),
            lines: d
                .lines
                .iter()
                .map(|l| PoLineJson {
                    position: l.position,
                    item_code: l.item_code.clone(),
                    description: l.description.clone(),
                    unit: l.unit.clone(),
                    quantity: l.quantity.to_string(),
                    unit_price: l.unit_price.to_string(),
                    tax_rate: l.tax_rate.to_string(),
                    net: l.net.to_string(),
                    tax: l.tax.to_string(),
                    expected_on: l.expected_on.map(Date),
                    answer: l.ack.into(),
                    answer_quantity: l.ack_quantity.map(|q| q.to_string()),
                    answer_date: l.ack_date.map(Date),
                    answer_reason: l.ack_reason.clone(),
                    received: l.received.to_string(),
                    rejected: l.rejected.to_string(),
                })
                .collect(),
            events: d
                .events
                .iter()
                .map(|e| PoEventJson {
                    occurred_at: e.occurred_at,
                    actor_kind: e.actor_kind.clone(),
                    actor_name: e.actor_name.clone(),
                    action: e.action.clone(),
                    comment: e.comment.clone(),
                })
                .collect(),
            receipts: d
                .receipts
                .iter()
                .map(|r| ReceiptJson {
                    id: r.id,
                    number: r.number.clone(),
                    received_on: Date(r.received_on),
                    notes: r.notes.clone(),
                })
                .collect(),
        }
    }
}

/// A supplier invoice in a list.
#[derive(Debug, Clone, Object)]
pub struct SupplierInvoiceSummary {
    pub id: Uuid,
    /// The supplier's own number.
    pub number: String,
    pub supplier_id: Uuid,
    pub order_id: Uuid,
    /// `submitted`, `approved`, `rejected` or `paid`.
    pub status: String,
    /// Whether it matched its order cleanly.
    pub matched: bool,
    pub issued_on: Date,
    pub due_on: Date,
    pub currency: String,
    pub total: String,
}

impl From<&SupplierInvoiceRow> for SupplierInvoiceSummary {
    fn from(r: &SupplierInvoiceRow) -> Self {
        SupplierInvoiceSummary {
            id: r.id,
            number: r.number.clone(),
            supplier_id: r.account_id.as_uuid(),
            order_id: r.order_id,
            status: r.status.as_str().to_owned(),
            matched: r.matched,
            issued_on: Date(r.issued_on),
            due_on: Date(r.due_on),
            currency: r.currency.clone(),
            total: r.total.to_string(),
        }
    }
}

/// A page of supplier invoices.
#[derive(Debug, Clone, Object)]
pub struct SupplierInvoicePage {
    pub items: Vec<SupplierInvoiceSummary>,
    /// Pass as `after` to get the next page; absent on the last page.
    #[oai(nullable)]
    pub next: Option<String>,
}

/// A supplier invoice's line with what did not match.
#[derive(Debug, Clone, Object)]
pub struct SupplierInvoiceLineJson {
    /// The order line it bills.
    pub position: i32,
    pub description: String,
    pub quantity: String,
    pub unit_price: String,
    pub tax_rate: String,
    pub net: String,
    /// `over_quantity`, `price_out_of_tolerance`, `tax_differs`; empty when
    /// the line matched.
    pub exceptions: Vec<String>,
}

/// A supplier invoice with its lines, match results and decision.
#[derive(Debug, Clone, Object)]
pub struct SupplierInvoiceJson {
    #[oai(flatten)]
    pub summary: SupplierInvoiceSummary,
    pub supplier_name: String,
    pub order_number: String,
    pub subtotal: String,
    pub tax: String,
    pub tax_id: String,
    #[oai(nullable)]
    pub note: Option<String>,
    /// The invoice's own exceptions (`over_open_amount`).
    pub exceptions: Vec<String>,
    /// Why the company rejected it.
    #[oai(nullable)]
    pub reject_reason: Option<String>,
    pub lines: Vec<SupplierInvoiceLineJson>,
}

impl From<&SupplierInvoiceDetail> for SupplierInvoiceJson {
    fn from(d: &SupplierInvoiceDetail) -> Self {
        SupplierInvoiceJson {
            summary: SupplierInvoiceSummary::from(&d.row),
            supplier_name: d.supplier_name.clone(),
            order_number: d.order_number.clone(),
            subtotal: d.subtotal.to_string(),
            tax: d.tax.to_string(),
            tax_id: d.tax_id.clone(),
            note: d.note.clone(),
            exceptions: d.exceptions.iter().map(|e| e.as_str().to_owned()).collect(),
            reject_reason: d.reject_reason.clone(),
            lines: d
                .lines
                .iter()
                .map(|l| SupplierInvoiceLineJson {
                    position: l.position,
                    description: l.description.clone(),
                    quantity: l.quantity.to_string(),
                    unit_price: l.unit_price.to_string(),
                    tax_rate: l.tax_rate.to_string(),
                    net: l.net.to_string(),
                    exceptions: l.exceptions.iter().map(|e| e.as_str().to_owned()).collect(),
                })
                .collect(),
        }
    }
}

/// One line's pre-match: what the order allows and what did not match.
#[derive(Debug, Clone, Object)]
pub struct LineMatchJson {
    pub position: i32,
    /// Received and not yet invoiced.
    pub billable: String,
    pub ordered_price: String,
    pub ordered_tax_rate: String,
    pub exceptions: Vec<String>,
}

/// A pre-match: each line's result and the invoice's.
#[derive(Debug, Clone, Object)]
pub struct MatchJson {
    /// No exception at all.
    pub matched: bool,
    /// An exception no note can carry (`duplicate_number`,
    /// `tax_id_mismatch`, `unknown_line`): it cannot be submitted.
    pub refused: bool,
    pub total: String,
    /// What is still open on the order.
    pub open_amount: String,
    pub exceptions: Vec<String>,
    pub lines: Vec<LineMatchJson>,
}

impl From<&MatchReport> for MatchJson {
    fn from(r: &MatchReport) -> Self {
        MatchJson {
            matched: r.matched(),
            refused: r.refused(),
            total: r.total.to_string(),
            open_amount: r.open_amount.to_string(),
            exceptions: r.header.iter().map(|e| e.as_str().to_owned()).collect(),
            lines: r
                .lines
                .iter()
                .map(|l| LineMatchJson {
                    position: l.position,
                    billable: l.billable.to_string(),
                    ordered_price: l.ordered_price.to_string(),
                    ordered_tax_rate: l.ordered_tax_rate.to_string(),
                    exceptions: l.exceptions.iter().map(|e| e.as_str().to_owned()).collect(),
                })
                .collect(),
        }
    }
}
