//! The JSON shapes of the catalogue, quotes and orders, answered alike by the
//! admin API and the customer portal's API. Amounts, prices and quantities
//! are decimal strings (`"12500.00"`).

use poem_openapi::{Enum, Object};
use portico_data::{Item, OrderDetail, OrderRow};
use portico_domain::orders::OrderKind;
use uuid::Uuid;

use crate::date::Date;

/// Where a quote or order stands. `expired`: a sent quote past its validity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum OrderStateJson {
    Draft,
    Sent,
    Accepted,
    Rejected,
    Expired,
    Submitted,
    Authorized,
    Fulfilled,
    Cancelled,
}

impl OrderStateJson {
    fn of(state: &str) -> Self {
        match state {
            "draft" => Self::Draft,
            "sent" => Self::Sent,
            "accepted" => Self::Accepted,
            "rejected" => Self::Rejected,
            "expired" => Self::Expired,
            "submitted" => Self::Submitted,
            "authorized" => Self::Authorized,
            "fulfilled" => Self::Fulfilled,
            _ => Self::Cancelled,
        }
    }
}

/// A quote or an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum OrderKindJson {
    Quote,
    Order,
}

impl From<OrderKind> for OrderKindJson {
    fn from(kind: OrderKind) -> Self {
        match kind {
            OrderKind::Quote => Self::Quote,
            OrderKind::Order => Self::Order,
        }
    }
}

/// A quote or order in a list.
#[derive(Debug, Clone, Object)]
pub struct OrderSummary {
    pub id: Uuid,
    pub kind: OrderKindJson,
    /// `COT-000123`, `PED-000045`.
    pub number: String,
    pub customer_id: Uuid,
    #[oai(nullable)]
    pub branch_id: Option<Uuid>,
    pub state: OrderStateJson,
    /// A quote someone asked an approver to accept.
    pub awaiting_approval: bool,
    pub issued_on: Date,
    #[oai(nullable)]
    pub valid_until: Option<Date>,
    #[oai(nullable)]
    pub deliver_on: Option<Date>,
    pub currency: String,
    /// Decimal string.
    pub total: String,
    /// The contact who created it in the portal.
    #[oai(nullable)]
    pub created_by: Option<Uuid>,
}

impl OrderSummary {
    /// The row as of `today` (a sent quote past its validity is `expired`).
    pub fn of(r: &OrderRow, today: chrono::NaiveDate) -> Self {
        OrderSummary {
            id: r.id,
            kind: r.kind.into(),
            number: r.number.clone(),
            customer_id: r.account_id.as_uuid(),
            branch_id: r.branch_id.map(|b| b.as_uuid()),
            state: OrderStateJson::of(r.state(today)),
            awaiting_approval: r.awaiting_approval,
            issued_on: Date(r.issued_on),
            valid_until: r.valid_until.map(Date),
            deliver_on: r.deliver_on.map(Date),
            currency: r.currency.clone(),
            total: r.total.to_string(),
            created_by: r.created_by.map(|c| c.as_uuid()),
        }
    }
}

/// A page of quotes or orders, newest first.
#[derive(Debug, Clone, Object)]
pub struct OrderPage {
    pub items: Vec<OrderSummary>,
    /// Pass as `after` to get the next page; absent on the last page.
    #[oai(nullable)]
    pub next: Option<String>,
}

/// One line, amounts computed by Portico from the catalogue's prices.
#[derive(Debug, Clone, Object)]
pub struct OrderLineJson {
    #[oai(nullable)]
    pub item_id: Option<Uuid>,
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
}

/// One step of the approval chain.
#[derive(Debug, Clone, Object)]
pub struct OrderEventJson {
    pub occurred_at: chrono::DateTime<chrono::Utc>,
    /// `contact`, `staff`, `api_key` or `system`.
    pub actor_kind: String,
    pub actor_name: String,
    /// `created`, `sent`, `approval_requested`, `authorized`, `rejected`,
    /// `fulfilled` or `cancelled`.
    pub action: String,
    /// The actor's approval limit then (`null`: none).
    #[oai(nullable)]
    pub approval_limit: Option<String>,
    #[oai(nullable)]
    pub comment: Option<String>,
}

/// A quote or order with its lines and approval chain.
#[derive(Debug, Clone, Object)]
pub struct OrderJson {
    #[oai(flatten)]
    pub summary: OrderSummary,
    pub customer_name: String,
    pub subtotal: String,
    pub tax: String,
    #[oai(nullable)]
    pub notes: Option<String>,
    /// The ERP's reference, for one an ERP sent.
    #[oai(nullable)]
    pub external_ref: Option<String>,
    /// The accepted quote an order was made from.
    #[oai(nullable)]
    pub quote_id: Option<Uuid>,
    pub lines: Vec<OrderLineJson>,
    pub events: Vec<OrderEventJson>,
}

impl OrderJson {
    pub fn of(d: &OrderDetail, today: chrono::NaiveDate) -> Self {
        OrderJson {
            summary: OrderSummary::of(&d.row, today),
            customer_name: d.account_name.clone(),
            subtotal: d.subtotal.to_string(),
            tax: d.tax.to_string(),
            notes: d.notes.clone(),
            external_ref: d.external_ref.clone(),
            quote_id: d.quote.as_ref().map(|(id, _)| *id),
            lines: d
                .lines
                .iter()
                .map(|l| OrderLineJson {
                    item_id: l.item_id,
                    item_code: l.item_code.clone(),
                    description: l.description.clone(),
                    unit: l.unit.clone(),
                    quantity: l.quantity.to_string(),
                    unit_price: l.unit_price.to_string(),
                    tax_rate: l.tax_rate.to_string(),
                    net: l.net.to_string(),
                    tax: l.tax.to_string(),
                })
                .collect(),
            events: d
                .events
                .iter()
                .map(|e| OrderEventJson {
                    occurred_at: e.occurred_at,
                    actor_kind: e.actor_kind.clone(),
                    actor_name: e.actor_name.clone(),
                    action: e.action.clone(),
                    approval_limit: e.approval_limit.map(|l| l.to_string()),
                    comment: e.comment.clone(),
                })
                .collect(),
        }
    }
}

/// An item of the catalogue, at the price that applies to the reader.
#[derive(Debug, Clone, Object)]
pub struct ItemJson {
    pub id: Uuid,
    pub code: String,
    pub name: String,
    pub unit: String,
    pub currency: String,
    /// Decimal string: the customer's own price when it has one.
    pub price: String,
    /// Percent.
    pub tax_rate: String,
    pub active: bool,
    /// Whether `price` is the customer's own.
    pub own_price: bool,
}

impl From<&Item> for ItemJson {
    fn from(i: &Item) -> Self {
        ItemJson {
            id: i.id,
            code: i.code.clone(),
            name: i.name.clone(),
            unit: i.unit.clone(),
            currency: i.currency.clone(),
            price: i.price.to_string(),
            tax_rate: i.tax_rate.to_string(),
            active: i.active,
            own_price: i.own_price,
        }
    }
}

/// A page of items by code.
#[derive(Debug, Clone, Object)]
pub struct ItemPage {
    pub items: Vec<ItemJson>,
    /// Pass as `after` to get the next page (the last code); absent on the last page.
    #[oai(nullable)]
    pub next: Option<String>,
}
