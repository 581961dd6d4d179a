//! What the catalogue, price lists, quotes and orders are made of: items and
//! customer prices as an ERP sends them, checked once into exact values; the
//! kinds and states of quotes and orders and the moves between them; and the
//! lines a contact asks for, whose prices and totals are always the server's.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::fields::{Checker, FieldErrors, limits};
use crate::money;
use crate::sales::{LineInput, MAX_BATCH, currency, decimal, line_amounts, optional};

/// Lines one quote or order may have.
pub const MAX_ORDER_LINES: usize = 200;

/// Re-exported so callers name one limit for every bulk call.
pub const MAX_ITEMS_BATCH: usize = MAX_BATCH;

/// A quote (the company's offer) or an order (the customer's purchase).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderKind {
    Quote,
    Order,
}

impl OrderKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OrderKind::Quote => "quote",
            OrderKind::Order => "order",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "quote" => Some(OrderKind::Quote),
            "order" => Some(OrderKind::Order),
            _ => None,
        }
    }

    /// The prefix of its human numbers: `COT-000123`, `PED-000045`.
    pub fn prefix(self) -> &'static str {
        match self {
            OrderKind::Quote => "COT",
            OrderKind::Order => "PED",
        }
    }

    /// The human number of the `n`th of its kind.
    pub fn number(self, n: i64) -> String {
        format!("{}-{n:06}", self.prefix())
    }

    /// The state a new one starts in.
    pub fn initial(self) -> OrderStatus {
        match self {
            OrderKind::Quote => OrderStatus::Draft,
            OrderKind::Order => OrderStatus::Submitted,
        }
    }

    /// The permission that authorizes it in the customer portal.
    pub fn authorize(self) -> crate::Permission {
        match self {
            OrderKind::Quote => crate::Permission::QuotesAuthorize,
            OrderKind::Order => crate::Permission::OrdersAuthorize,
        }
    }
}

/// Where a quote or an order stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    /// A quote being prepared (or requested from the portal), not yet sent.
    Draft,
    /// A quote sent to the customer, waiting for its answer.
    Sent,
    Accepted,
    Rejected,
    /// An order waiting for the customer's authorization.
    Submitted,
    /// An order authorized by the customer, for the company to fulfil.
    Authorized,
    Fulfilled,
    Cancelled,
}

impl OrderStatus {
    pub const ALL: [OrderStatus; 8] = [
        OrderStatus::Draft,
        OrderStatus::Sent,
        OrderStatus::Accepted,
        OrderStatus::Rejected,
        OrderStatus::Submitted,
        OrderStatus::Authorized,
        OrderStatus::Fulfilled,
        OrderStatus::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Draft => "draft",
            OrderStatus::Sent => "sent",
            OrderStatus::Accepted => "accepted",
            OrderStatus::Rejected => "rejected",
            OrderStatus::Submitted => "submitted",
            OrderStatus::Authorized => "authorized",
            OrderStatus::Fulfilled => "fulfilled",
            OrderStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    /// Whether a quote or an order of `kind` can be in this state.
    pub fn belongs_to(self, kind: OrderKind) -> bool {
        use OrderStatus::*;
        match kind {
            OrderKind::Quote => matches!(self, Draft | Sent | Accepted | Rejected),
            OrderKind::Order => matches!(self, Submitted | Authorized | Fulfilled | Cancelled),
        }
    }

    /// Whether one move leads from this state to `to` for `kind`.
    pub fn moves_to(self, kind: OrderKind, to: OrderStatus) -> bool {
        [
            OrderMove::Send,
            OrderMove::Authorize,
            OrderMove::Reject,
            OrderMove::Fulfil,
            OrderMove::Cancel,
        ]
        .into_iter()
        .filter_map(|m| m.transition(kind))
        .any(|(from, next)| next == to && from.contains(&self))
    }

    /// The state waiting for the customer's decision (a sent quote, a
    /// submitted order).
    pub fn open_for(kind: OrderKind) -> OrderStatus {
        match kind {
            OrderKind::Quote => OrderStatus::Sent,
            OrderKind::Order => OrderStatus::Submitted,
        }
    }
}

/// What someone may do to a quote or order; each is one state move.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderMove {
    /// Staff send a drafted quote to the customer.
    Send,
    /// A contact accepts a quote or authorizes an order.
    Authorize,
    /// A contact rejects a quote.
    Reject,
    /// Staff mark an authorized order fulfilled.
    Fulfil,
    /// Staff cancel an order not yet fulfilled.
    Cancel,
}

impl OrderMove {
    pub fn as_str(self) -> &'static str {
        match self {
            OrderMove::Send => "send",
            OrderMove::Authorize => "authorize",
            OrderMove::Reject => "reject",
            OrderMove::Fulfil => "fulfil",
            OrderMove::Cancel => "cancel",
        }
    }

    /// The states of `kind` this move starts from, and the state it leads to;
    /// `None` when the move does not apply to the kind.
    pub fn transition(self, kind: OrderKind) -> Option<(&'static [OrderStatus], OrderStatus)> {
        use OrderStatus::*;
        match (kind, self) {
            (OrderKind::Quote, OrderMove::Send) => Some((&[Draft], Sent)),
            (OrderKind::Quote, OrderMove::Authorize) => Some((&[Sent], Accepted)),
            (OrderKind::Quote, OrderMove::Reject) => Some((&[Sent], Rejected)),
            (OrderKind::Order, OrderMove::Authorize) => Some((&[Submitted], Authorized)),
            (OrderKind::Order, OrderMove::Fulfil) => Some((&[Authorized], Fulfilled)),
            (OrderKind::Order, OrderMove::Cancel) => Some((&[Submitted, Authorized], Cancelled)),
            _ => None,
        }
    }
}

/// An item of the catalogue as an ERP sends it; decimals as text.
#[derive(Debug, Clone, Default)]
pub struct ItemInput {
    pub code: String,
    pub name: String,
    pub unit: String,
    pub currency: String,
    pub price: String,
    /// Percent: `"18"` for 18 %.
    pub tax_rate: String,
    /// Defaults to active.
    pub active: Option<bool>,
}

/// A checked item.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ItemFields {
    pub code: String,
    pub name: String,
    pub unit: String,
    pub currency: String,
    pub price: Decimal,
    pub tax_rate: Decimal,
    pub active: bool,
}

impl ItemInput {
    /// The checked item, or every field's problem.
    pub fn validate(&self) -> Result<ItemFields, FieldErrors> {
        let mut check = Checker::default();
        let code = check.required("code", &self.code, limits::SHORT);
        let name = check.required("name", &self.name, limits::TEXT);
        let unit = check.required("unit", &self.unit, limits::SHORT);
        let currency = currency(&mut check, &self.currency);
        let price = decimal(&mut check, "price", &self.price, 4, Decimal::ZERO);
        let tax_rate = decimal(&mut check, "tax_rate", &self.tax_rate, 4, Decimal::ZERO);
        if tax_rate > Decimal::ONE_HUNDRED {
            check.errors.add("tax_rate", "field-decimal-too-large");
        }
        check.errors.finish(ItemFields {
            code,
            name,
            unit,
            currency,
            price,
            tax_rate,
            active: self.active.unwrap_or(true),
        })
    }
}

/// A customer's own price of an item, as an ERP sends it.
#[derive(Debug, Clone, Default)]
pub struct PriceInput {
    /// The customer's code.
    pub customer: String,
    /// The item's code.
    pub item: String,
    pub price: String,
}

/// A checked customer price.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PriceFields {
    pub customer: String,
    pub item: String,
    pub price: Decimal,
}

impl PriceInput {
    /// The checked price, or every field's problem.
    pub fn validate(&self) -> Result<PriceFields, FieldErrors> {
        let mut check = Checker::default();
        let customer = check.required("customer", &self.customer, limits::SHORT);
        let item = check.required("item", &self.item, limits::SHORT);
        let price = decimal(&mut check, "price", &self.price, 4, Decimal::ZERO);
        check.errors.finish(PriceFields {
            customer,
            item,
            price,
        })
    }
}

/// One line a contact asks for: an item of the catalogue and a quantity.
#[derive(Debug, Clone, Default)]
pub struct WantedLine {
    pub item: uuid::Uuid,
    pub quantity: String,
}

/// What a contact asks for when requesting a quote or placing an order.
#[derive(Debug, Clone, Default)]
pub struct OrderRequestInput {
    pub lines: Vec<WantedLine>,
    /// The branch it is for (one the contact sees), or the account itself.
    pub branch: Option<uuid::Uuid>,
    /// For an order: the delivery date wished (`YYYY-MM-DD`).
    pub deliver_on: Option<String>,
    pub notes: Option<String>,
}

/// A checked request: each item once, quantities exact and above zero.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderRequest {
    pub lines: Vec<(uuid::Uuid, Decimal)>,
    pub branch: Option<uuid::Uuid>,
    pub deliver_on: Option<NaiveDate>,
    pub notes: Option<String>,
}

impl OrderRequestInput {
    /// The checked request, or every field's problem (a line's under
    /// `lines[n]`). Lines with an empty quantity are left out, so a
    /// catalogue form can send every row.
    pub fn validate(&self, today: NaiveDate) -> Result<OrderRequest, FieldErrors> {
        let mut check = Checker::default();
        let mut lines: Vec<(uuid::Uuid, Decimal)> = Vec::new();
        for (n, line) in self.lines.iter().enumerate() {
            if line.quantity.trim().is_empty() || line.quantity.trim() == "0" {
                continue;
            }
            let mut inner = Checker::default();
            let quantity = decimal(
                &mut inner,
                "quantity",
                &line.quantity,
                4,
                Decimal::new(1, 4),
            );
            if lines.iter().any(|(item, _)| *item == line.item) {
                inner.errors.add("item", "field-repeated");
            }
            check.errors.nest(&format!("lines[{n}]"), inner.errors);
            lines.push((line.item, quantity));
        }
        if lines.is_empty() {
            check.errors.add("lines", "orders-lines-empty");
        } else if lines.len() > MAX_ORDER_LINES {
            check.errors.add("lines", "field-too-many");
        }
        let deliver_on = match self.deliver_on.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(raw) => check.date("deliver_on", raw),
        };
        if deliver_on.is_some_and(|d| d < today) {
            check.errors.add("deliver_on", "orders-deliver-in-past");
        }
        let notes = self
            .notes
            .as_deref()
            .and_then(|raw| check.text("notes", raw, limits::LONG_TEXT));
        check.errors.finish(OrderRequest {
            lines,
            branch: self.branch,
            deliver_on,
            notes,
        })
    }
}

/// A line of a quote as staff price it: any description, unit, quantity,
/// price and tax (an item's code links it to the catalogue when it is one).
#[derive(Debug, Clone, Default)]
pub struct DraftLineInput {
    pub line: LineInput,
    pub unit: String,
}

/// A drafted quote as staff prepare it before sending it: its lines (which
/// replace the draft's), validity and notes.
#[derive(Debug, Clone, Default)]
pub struct QuoteDraftInput {
    pub lines: Vec<DraftLineInput>,
    /// `YYYY-MM-DD`, today or later; empty for no end.
    pub valid_until: Option<String>,
    pub notes: Option<String>,
}

/// A checked draft: lines priced and rounded as every document's.
#[derive(Debug, Clone, PartialEq)]
pub struct QuoteDraft {
    /// Lines whose `item_id` is still to be found by code.
    pub lines: Vec<OrderLine>,
    pub valid_until: Option<NaiveDate>,
    pub notes: Option<String>,
}

impl QuoteDraftInput {
    /// The checked draft, or every field's problem (a line's under
    /// `lines[n]`). Rows left wholly empty are skipped, so a form can offer
    /// blank rows to add lines.
    pub fn validate(&self, today: NaiveDate) -> Result<QuoteDraft, FieldErrors> {
        let mut check = Checker::default();
        let lines = staff_lines(&mut check, &self.lines, true);
        let valid_until = match self.valid_until.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(raw) => check.date("valid_until", raw),
        };
        if valid_until.is_some_and(|d| d < today) {
            check.errors.add("valid_until", "orders-valid-in-past");
        }
        let notes = self
            .notes
            .as_deref()
            .and_then(|raw| check.text("notes", raw, limits::LONG_TEXT));
        check.errors.finish(QuoteDraft {
            lines,
            valid_until,
            notes,
        })
    }
}

/// The lines staff or an ERP write (any description, unit, quantity, price
/// and tax), each line's problems under `lines[n]`; rows left wholly empty
/// are skipped when `skip_blank` (a form's spare rows).
pub(crate) fn staff_lines(
    check: &mut Checker,
    inputs: &[DraftLineInput],
    skip_blank: bool,
) -> Vec<OrderLine> {
    let mut lines = Vec::new();
    for (n, input) in inputs.iter().enumerate().take(MAX_ORDER_LINES + 1) {
        let l = &input.line;
        let blank = [
            &l.description,
            &l.quantity,
            &l.unit_price,
            &l.tax_rate,
            &input.unit,
        ]
        .iter()
        .all(|v| v.trim().is_empty())
            && l.item_code.as_deref().is_none_or(|c| c.trim().is_empty());
        if blank && skip_blank {
            continue;
        }
        let (line, mut errors) = l.validate();
        let mut unit = Checker::default();
        let unit_text = unit.required("unit", &input.unit, limits::SHORT);
        errors.append(unit.errors);
        check.errors.nest(&format!("lines[{n}]"), errors);
        lines.push(OrderLine {
            item_id: None,
            item_code: line.item_code,
            description: line.description,
            unit: unit_text,
            quantity: line.quantity,
            unit_price: line.unit_price,
            tax_rate: line.tax_rate,
            net: line.net,
            tax: line.tax,
        });
    }
    if lines.is_empty() {
        check.errors.add("lines", "orders-lines-empty");
    } else if lines.len() > MAX_ORDER_LINES {
        check.errors.add("lines", "field-too-many");
    }
    lines
}

/// A quote or an order as an ERP sends it; decimals and dates as text.
#[derive(Debug, Clone, Default)]
pub struct ErpOrderInput {
    pub external_ref: String,
    /// The customer's code.
    pub customer: String,
    /// The branch's code, for a branch's quote or order.
    pub branch: Option<String>,
    /// Empty: waiting for the customer (a sent quote, a submitted order).
    pub status: Option<String>,
    /// `YYYY-MM-DD`; empty: today.
    pub issued_on: Option<String>,
    /// A quote's validity; empty for no end. Not for orders.
    pub valid_until: Option<String>,
    /// An order's wished delivery date. Not for quotes.
    pub deliver_on: Option<String>,
    pub currency: String,
    pub notes: Option<String>,
    pub lines: Vec<DraftLineInput>,
}

/// A checked quote or order from an ERP. What it serializes to is its
/// content (the state apart, and the customer and branch, which the digest
/// takes by id: a code's case is no change), whose digest tells an unchanged
/// record.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ErpOrder {
    pub external_ref: String,
    #[serde(skip)]
    pub customer: String,
    #[serde(skip)]
    pub branch: Option<String>,
    #[serde(skip)]
    pub status: OrderStatus,
    /// As sent: `None` is today for a new record and the stored date for
    /// one sent again (so a daily sync stays unchanged).
    pub issued_on: Option<NaiveDate>,
    pub valid_until: Option<NaiveDate>,
    pub deliver_on: Option<NaiveDate>,
    pub currency: String,
    pub notes: Option<String>,
    /// Lines whose `item_id` is still to be found by code.
    pub lines: Vec<OrderLine>,
}

impl ErpOrderInput {
    /// The checked quote or order of `kind`, or every field's problem (a
    /// line's under `lines[n]`).
    pub fn validate(&self, kind: OrderKind) -> Result<ErpOrder, FieldErrors> {
        let mut check = Checker::default();
        let external_ref = check.required("external_ref", &self.external_ref, limits::TEXT);
        let customer = check.required("customer", &self.customer, limits::SHORT);
        let branch = optional(&mut check, "branch", self.branch.as_deref(), limits::SHORT);
        let status = match self.status.as_deref().map(str::trim) {
            None | Some("") => OrderStatus::open_for(kind),
            Some(raw) => match OrderStatus::parse(raw).filter(|s| s.belongs_to(kind)) {
                Some(status) => status,
                None => {
                    check.errors.add("status", "field-choice-invalid");
                    OrderStatus::open_for(kind)
                }
            },
        };
        let date = |check: &mut Checker, field: &'static str, raw: Option<&str>| match raw
            .map(str::trim)
        {
            None | Some("") => None,
            Some(raw) => check.date(field, raw),
        };
        let issued_on = date(&mut check, "issued_on", self.issued_on.as_deref());
        let valid_until = date(&mut check, "valid_until", self.valid_until.as_deref());
        let deliver_on = date(&mut check, "deliver_on", self.deliver_on.as_deref());
        match kind {
            OrderKind::Quote if deliver_on.is_some() => {
                check.errors.add("deliver_on", "orders-not-for-quotes");
            }
            OrderKind::Order if valid_until.is_some() => {
                check.errors.add("valid_until", "orders-not-for-orders");
            }
            _ => {}
        }
        if let (Some(valid_until), Some(issued_on)) = (valid_until, issued_on)
            && valid_until < issued_on
        {
            check.errors.add("valid_until", "orders-valid-before-issue");
        }
        let currency = currency(&mut check, &self.currency);
        let notes = optional(
            &mut check,
            "notes",
            self.notes.as_deref(),
            limits::LONG_TEXT,
        );
        let lines = staff_lines(&mut check, &self.lines, false);
        check.errors.finish(ErpOrder {
            external_ref,
            customer,
            branch,
            status,
            issued_on,
            valid_until,
            deliver_on,
            currency,
            notes,
            lines,
        })
    }
}

/// A priced line of a quote or order, amounts computed.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct OrderLine {
    pub item_id: Option<uuid::Uuid>,
    pub item_code: Option<String>,
    pub description: String,
    pub unit: String,
    pub quantity: Decimal,
    pub unit_price: Decimal,
    pub tax_rate: Decimal,
    pub net: Decimal,
    pub tax: Decimal,
}

impl OrderLine {
    /// A line of `quantity` at `unit_price` and `tax_rate`, amounts computed.
    pub fn priced(
        item: (uuid::Uuid, &str, &str, &str),
        quantity: Decimal,
        unit_price: Decimal,
        tax_rate: Decimal,
    ) -> OrderLine {
        let (net, tax) = line_amounts(quantity, unit_price, tax_rate);
        OrderLine {
            item_id: Some(item.0),
            item_code: Some(item.1.to_owned()),
            description: item.2.to_owned(),
            unit: item.3.to_owned(),
            quantity,
            unit_price,
            tax_rate,
            net,
            tax,
        }
    }
}

/// The subtotal, tax and total of `lines`: the sum of the rounded line nets,
/// and the tax as the company's `rounding` says.
pub fn totals(lines: &[OrderLine], rounding: money::Rounding) -> (Decimal, Decimal, Decimal) {
    let subtotal: Decimal = lines.iter().map(|l| l.net).sum();
    let tax = rounding.tax(lines.iter().map(|l| (l.net, l.tax_rate, l.tax)));
    (subtotal, tax, money::round_money(subtotal + tax))
}

/// An approval limit as typed (`"5000"`, `"5000.00"`) or empty for none.
pub fn parse_limit(raw: &str) -> Result<Option<Decimal>, &'static str> {
    if raw.trim().is_empty() {
        return Ok(None);
    }
    money::parse(raw, 2, Decimal::ZERO)
        .map(Some)
        .map_err(|e| e.message())
}

/// Why a contact may not accept a quote or authorize an order; each is a
/// message id (the portal's notice, the explainer's step).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Refusal {
    /// The link grants no `authorize` for this kind.
    Permission,
    /// The total is above the link's approval limit.
    OverLimit,
    /// The document is in another currency than the limit (the company's).
    OtherCurrency,
    /// The company requires someone else to authorize what one created.
    OwnDocument,
}

impl Refusal {
    pub fn message(self) -> &'static str {
        match self {
            Refusal::Permission => "orders-refused-permission",
            Refusal::OverLimit => "orders-refused-limit",
            Refusal::OtherCurrency => "orders-refused-currency",
            Refusal::OwnDocument => "orders-refused-own",
        }
    }
}

/// What decides whether one contact may authorize one document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Authority<'a> {
    /// The link grants the kind's `authorize` permission.
    pub permitted: bool,
    /// The link's approval limit, in `limit_currency`; `None`: no limit.
    pub limit: Option<Decimal>,
    pub limit_currency: &'a str,
    /// The company's rule: nobody authorizes what they created.
    pub four_eyes: bool,
}

/// The one rule of authorizing: the permission, then (when the company
/// requires it) someone other than the creator, then the limit, which holds
/// only in its own currency. `Ok` or the first reason that stops it.
pub fn may_authorize(
    authority: Authority<'_>,
    total: Decimal,
    currency: &str,
    own: bool,
) -> Result<(), Refusal> {
    if !authority.permitted {
        return Err(Refusal::Permission);
    }
    if authority.four_eyes && own {
        return Err(Refusal::OwnDocument);
    }
    match authority.limit {
        None => Ok(()),
        Some(_) if currency != authority.limit_currency => Err(Refusal::OtherCurrency),
        Some(limit) if total > limit => Err(Refusal::OverLimit),
        Some(_) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 2).unwrap()
    }

    #[test]
    fn numbers_are_padded_per_kind() {
        assert_eq!(OrderKind::Quote.number(123), "COT-000123");
        assert_eq!(OrderKind::Order.number(45), "PED-000045");
        assert_eq!(OrderKind::Order.number(1_234_567), "PED-1234567");
    }

    #[test]
    fn moves_start_only_from_their_states() {
        let (from, to) = OrderMove::Authorize.transition(OrderKind::Order).unwrap();
        assert_eq!(from, &[OrderStatus::Submitted]);
        assert_eq!(to, OrderStatus::Authorized);
        assert!(OrderMove::Reject.transition(OrderKind::Order).is_none());
        assert!(OrderMove::Fulfil.transition(OrderKind::Quote).is_none());
        let (from, _) = OrderMove::Cancel.transition(OrderKind::Order).unwrap();
        assert!(!from.contains(&OrderStatus::Fulfilled));
    }

    #[test]
    fn a_request_skips_empty_rows_and_refuses_bad_quantities() {
        let a = uuid::Uuid::new_v4();
        let b = uuid::Uuid::new_v4();
        let input = OrderRequestInput {
            lines: vec![
                WantedLine {
                    item: a,
                    quantity: "2.5".into(),
                },
                WantedLine {
                    item: b,
                    quantity: " ".into(),
                },
            ],
            ..Default::default()
        };
        let request = input.validate(today()).unwrap();
        assert_eq!(request.lines, vec![(a, Decimal::new(25, 1))]);

        let bad = OrderRequestInput {
            lines: vec![
                WantedLine {
                    item: a,
                    quantity: "-1".into(),
                },
                WantedLine {
                    item: b,
                    quantity: "1,5".into(),
                },
            ],
            deliver_on: Some("2026-12-01".into()),
            ..Default::default()
        };
        let errors = bad.validate(today()).unwrap_err();
        let found: Vec<(String, &str)> = errors.0.iter().map(|e| (e.path(), e.message)).collect();
        assert!(found.contains(&("lines[0].quantity".into(), "field-decimal-too-small")));
        assert!(found.contains(&("lines[1].quantity".into(), "field-decimal-invalid")));
        assert_eq!(errors.get("deliver_on"), Some("orders-deliver-in-past"));

        let empty = OrderRequestInput::default().validate(today()).unwrap_err();
        assert_eq!(empty.get("lines"), Some("orders-lines-empty"));
    }

    #[test]
    fn totals_are_sums_of_rounded_lines() {
        let item = (uuid::Uuid::new_v4(), "A", "Tornillo", "u");
        let lines = vec![
            OrderLine::priced(
                item,
                Decimal::new(3, 0),
                Decimal::new(3335, 3),
                Decimal::new(18, 0),
            ),
            OrderLine::priced(item, Decimal::ONE, Decimal::new(1005, 3), Decimal::ZERO),
        ];
        // 3 × 3.335 = 10.005 → 10.01; tax 1.8018 → 1.80; 1.005 → 1.01.
        assert_eq!(lines[0].net, Decimal::new(1001, 2));
        assert_eq!(lines[0].tax, Decimal::new(180, 2));
        assert_eq!(
            totals(&lines, money::Rounding::Line),
            (
                Decimal::new(1102, 2),
                Decimal::new(180, 2),
                Decimal::new(1282, 2)
            )
        );
    }

    #[test]
    fn authorizing_needs_the_permission_another_person_and_the_limit() {
        let limited = Authority {
            permitted: true,
            limit: Some(Decimal::new(5000, 0)),
            limit_currency: "DOP",
            four_eyes: true,
        };
        let total = Decimal::new(500000, 2);
        assert_eq!(may_authorize(limited, total, "DOP", false), Ok(()));
        assert_eq!(
            may_authorize(limited, total + Decimal::new(1, 2), "DOP", false),
            Err(Refusal::OverLimit)
        );
        assert_eq!(
            may_authorize(limited, total, "USD", false),
            Err(Refusal::OtherCurrency)
        );
        assert_eq!(
            may_authorize(limited, total, "DOP", true),
            Err(Refusal::OwnDocument)
        );
        let open = Authority {
            limit: None,
            four_eyes: false,
            ..limited
        };
        assert_eq!(may_authorize(open, Decimal::new(1, 9), "USD", true), Ok(()));
        let none = Authority {
            permitted: false,
            ..open
        };
        assert_eq!(
            may_authorize(none, Decimal::ZERO, "DOP", false),
            Err(Refusal::Permission)
        );
    }

    #[test]
    fn items_and_limits_are_checked() {
        let item = ItemInput {
            code: "TOR-1".into(),
            name: "Tornillo".into(),
            unit: "u".into(),
            currency: "DOP".into(),
            price: "12.5".into(),
            tax_rate: "118".into(),
            active: None,
        };
        assert_eq!(
            item.validate().unwrap_err().get("tax_rate"),
            Some("field-decimal-too-large")
        );
        assert_eq!(parse_limit(""), Ok(None));
        assert_eq!(parse_limit("5000.5"), Ok(Some(Decimal::new(50005, 1))));
        assert_eq!(parse_limit("1.234"), Err("field-decimal-precision"));
    }
}
