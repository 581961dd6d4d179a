//! What purchase orders are made of: the states of a purchase order and the
//! moves between them, a purchase order as an ERP sends it (checked once into
//! exact values, lines totalled as every document's), and the supplier's
//! acknowledgement — each line accepted, rejected with a reason, or accepted
//! with a promised date or a changed quantity — which staff approve or refuse
//! when it changes anything.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::fields::{Checker, FieldErrors, limits};
use crate::orders::{DraftLineInput, OrderLine, staff_lines};
use crate::sales::{currency, decimal, optional};

/// Where a purchase order stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PoStatus {
    /// Being written by the company; the supplier does not see it.
    Draft,
    /// Sent to the supplier, waiting for its acknowledgement.
    Sent,
    /// The supplier confirmed it (as sent, or with changes staff accepted).
    Acknowledged,
    PartiallyReceived,
    Received,
    Closed,
    Cancelled,
}

impl PoStatus {
    pub const ALL: [PoStatus; 7] = [
        PoStatus::Draft,
        PoStatus::Sent,
        PoStatus::Acknowledged,
        PoStatus::PartiallyReceived,
        PoStatus::Received,
        PoStatus::Closed,
        PoStatus::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PoStatus::Draft => "draft",
            PoStatus::Sent => "sent",
            PoStatus::Acknowledged => "acknowledged",
            PoStatus::PartiallyReceived => "partially_received",
            PoStatus::Received => "received",
            PoStatus::Closed => "closed",
            PoStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    /// Its place in the order's life: a state only moves to a later one
    /// (cancelling apart, which ends any state not yet received).
    fn rank(self) -> u8 {
        match self {
            PoStatus::Draft => 0,
            PoStatus::Sent => 1,
            PoStatus::Acknowledged => 2,
            PoStatus::PartiallyReceived => 3,
            PoStatus::Received => 4,
            PoStatus::Closed => 5,
            PoStatus::Cancelled => 6,
        }
    }

    /// Whether an order the supplier already answered may move from this
    /// state to `to`: onwards only, and never back to waiting for an answer.
    pub fn moves_on_to(self, to: PoStatus) -> bool {
        if self == to {
            return true;
        }
        match to {
            PoStatus::Draft | PoStatus::Sent => false,
            PoStatus::Cancelled => self.rank() < PoStatus::Received.rank(),
            _ => self != PoStatus::Cancelled && to.rank() > self.rank(),
        }
    }
}

/// What staff do to a purchase order; each is one state move.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PoMove {
    /// Send a draft to the supplier.
    Send,
    /// Close an order nothing more is expected of.
    Close,
    /// Cancel an order not yet received.
    Cancel,
}

impl PoMove {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "send" => Some(PoMove::Send),
            "close" => Some(PoMove::Close),
            "cancel" => Some(PoMove::Cancel),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            PoMove::Send => "send",
            PoMove::Close => "close",
            PoMove::Cancel => "cancel",
        }
    }

    /// The states this move starts from, and the state it leads to.
    pub fn transition(self) -> (&'static [PoStatus], PoStatus) {
        use PoStatus::*;
        match self {
            PoMove::Send => (&[Draft], Sent),
            PoMove::Close => (&[Acknowledged, PartiallyReceived, Received], Closed),
            PoMove::Cancel => (&[Draft, Sent, Acknowledged], Cancelled),
        }
    }
}

/// The supplier's answer to one line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LineAck {
    /// Not answered yet.
    Open,
    Accepted,
    Rejected,
    /// Accepted with another date or quantity.
    Changed,
}

impl LineAck {
    pub fn as_str(self) -> &'static str {
        match self {
            LineAck::Open => "open",
            LineAck::Accepted => "accepted",
            LineAck::Rejected => "rejected",
            LineAck::Changed => "changed",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [
            LineAck::Open,
            LineAck::Accepted,
            LineAck::Rejected,
            LineAck::Changed,
        ]
        .into_iter()
        .find(|a| a.as_str() == raw)
    }
}

/// A line of a purchase order as an ERP sends it.
#[derive(Debug, Clone, Default)]
pub struct PoLineInput {
    pub line: DraftLineInput,
    /// `YYYY-MM-DD`; empty: the order's expected date.
    pub expected_on: Option<String>,
}

/// A purchase order as an ERP sends it; decimals and dates as text.
#[derive(Debug, Clone, Default)]
pub struct ErpPurchaseOrderInput {
    pub external_ref: String,
    /// The supplier's code.
    pub supplier: String,
    /// The code of the supplier's branch it is placed with.
    pub branch: Option<String>,
    /// Empty: sent (waiting for the supplier).
    pub status: Option<String>,
    /// `YYYY-MM-DD`; empty: today.
    pub issued_on: Option<String>,
    /// When the goods are expected.
    pub expected_on: Option<String>,
    pub currency: String,
    pub notes: Option<String>,
    pub lines: Vec<PoLineInput>,
}

/// A checked line: the priced line and its own expected date.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PoLine {
    pub line: OrderLine,
    pub expected_on: Option<NaiveDate>,
}

/// A checked purchase order from an ERP. What it serializes to is its
/// content (the state apart, and the supplier and branch, which the digest
/// takes by id), whose digest tells an unchanged record.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ErpPurchaseOrder {
    pub external_ref: String,
    #[serde(skip)]
    pub supplier: String,
    #[serde(skip)]
    pub branch: Option<String>,
    #[serde(skip)]
    pub status: PoStatus,
    pub issued_on: Option<NaiveDate>,
    pub expected_on: Option<NaiveDate>,
    pub currency: String,
    pub notes: Option<String>,
    pub lines: Vec<PoLine>,
}

impl ErpPurchaseOrderInput {
    /// The checked purchase order, or every field's problem (a line's under
    /// `lines[n]`).
    pub fn validate(&self) -> Result<ErpPurchaseOrder, FieldErrors> {
        let mut check = Checker::default();
        let external_ref = check.required("external_ref", &self.external_ref, limits::TEXT);
        let supplier = check.required("supplier", &self.supplier, limits::SHORT);
        let branch = optional(&mut check, "branch", self.branch.as_deref(), limits::SHORT);
        let status = match self.status.as_deref().map(str::trim) {
            None | Some("") => PoStatus::Sent,
            Some(raw) => PoStatus::parse(raw).unwrap_or_else(|| {
                check.errors.add("status", "field-choice-invalid");
                PoStatus::Sent
            }),
        };
        let issued_on = date(&mut check, "issued_on", self.issued_on.as_deref());
        let expected_on = date(&mut check, "expected_on", self.expected_on.as_deref());
        if let (Some(expected), Some(issued)) = (expected_on, issued_on)
            && expected < issued
        {
            check
                .errors
                .add("expected_on", "purchasing-expected-before-issue");
        }
        let currency = currency(&mut check, &self.currency);
        let notes = optional(
            &mut check,
            "notes",
            self.notes.as_deref(),
            limits::LONG_TEXT,
        );
        let drafts: Vec<DraftLineInput> = self.lines.iter().map(|l| l.line.clone()).collect();
        let priced = staff_lines(&mut check, &drafts, false);
        let mut lines = Vec::with_capacity(priced.len());
        for (n, (line, input)) in priced.into_iter().zip(&self.lines).enumerate() {
            let mut inner = Checker::default();
            let expected_on = date(&mut inner, "expected_on", input.expected_on.as_deref());
            check.errors.nest(&format!("lines[{n}]"), inner.errors);
            lines.push(PoLine { line, expected_on });
        }
        check.errors.finish(ErpPurchaseOrder {
            external_ref,
            supplier,
            branch,
            status,
            issued_on,
            expected_on,
            currency,
            notes,
            lines,
        })
    }
}

fn date(check: &mut Checker, field: &'static str, raw: Option<&str>) -> Option<NaiveDate> {
    match raw.map(str::trim) {
        None | Some("") => None,
        Some(raw) => check.date(field, raw),
    }
}

/// The supplier's answer to one line as sent: `decision` is `accept`,
/// `reject` or `change`.
#[derive(Debug, Clone, Default)]
pub struct LineAckInput {
    pub decision: String,
    /// For `change`: the quantity it will deliver, if not the ordered one.
    pub quantity: Option<String>,
    /// For `change`: the date it promises, if not the expected one.
    pub promised_on: Option<String>,
    /// Why a line is rejected or changed (required to reject).
    pub reason: Option<String>,
}

/// The supplier's acknowledgement of a whole purchase order: one answer per
/// line, in the order's line order, and a note for staff.
#[derive(Debug, Clone, Default)]
pub struct AckInput {
    pub lines: Vec<LineAckInput>,
    pub note: Option<String>,
}

/// A checked answer to one line.
#[derive(Debug, Clone, PartialEq)]
pub struct LineAnswer {
    pub ack: LineAck,
    pub quantity: Option<Decimal>,
    pub promised_on: Option<NaiveDate>,
    pub reason: Option<String>,
}

/// A checked acknowledgement.
#[derive(Debug, Clone, PartialEq)]
pub struct Ack {
    pub lines: Vec<LineAnswer>,
    pub note: Option<String>,
}

impl Ack {
    /// Whether it accepts every line as ordered: the order is acknowledged
    /// at once, with nothing for staff to approve.
    pub fn accepts_all(&self) -> bool {
        self.lines.iter().all(|l| l.ack == LineAck::Accepted)
    }
}

impl AckInput {
    /// The checked acknowledgement of an order of `ordered` lines (each
    /// line's quantity as ordered), issued on `issued_on`; every problem under
    /// `lines[n]`. A change must change something; a rejection gives a
    /// reason; a promised date is not before the order's date.
    pub fn validate(&self, ordered: &[Decimal], issued_on: NaiveDate) -> Result<Ack, FieldErrors> {
        let mut check = Checker::default();
        if self.lines.len() != ordered.len() {
            check.errors.add("lines", "purchasing-ack-every-line");
        }
        let note = optional(&mut check, "note", self.note.as_deref(), limits::LONG_TEXT);
        let mut lines = Vec::with_capacity(self.lines.len());
        for (n, (input, ordered)) in self.lines.iter().zip(ordered).enumerate() {
            let mut inner = Checker::default();
            let reason = optional(&mut inner, "reason", input.reason.as_deref(), limits::TEXT);
            let answer = match input.decision.trim() {
                "accept" => LineAnswer {
                    ack: LineAck::Accepted,
                    quantity: None,
                    promised_on: None,
                    reason: None,
                },
                "reject" => {
                    if reason.is_none() && inner.errors.get("reason").is_none() {
                        inner.errors.add("reason", "purchasing-reason-required");
                    }
                    LineAnswer {
                        ack: LineAck::Rejected,
                        quantity: None,
                        promised_on: None,
                        reason,
                    }
                }
                "change" => {
                    let quantity = match input.quantity.as_deref().map(str::trim) {
                        None | Some("") => None,
                        Some(raw) => {
                            Some(decimal(&mut inner, "quantity", raw, 4, Decimal::new(1, 4)))
                        }
                    }
                    .filter(|q| q != ordered);
                    let promised_on = date(&mut inner, "promised_on", input.promised_on.as_deref());
                    if promised_on.is_some_and(|d| d < issued_on) {
                        inner
                            .errors
                            .add("promised_on", "purchasing-promised-before-order");
                    }
                    if quantity.is_none()
                        && promised_on.is_none()
                        && inner.errors.get("quantity").is_none()
                        && inner.errors.get("promised_on").is_none()
                    {
                        inner.errors.add("promised_on", "purchasing-change-nothing");
                    }
                    LineAnswer {
                        ack: LineAck::Changed,
                        quantity,
                        promised_on,
                        reason,
                    }
                }
                _ => {
                    inner.errors.add("decision", "field-choice-invalid");
                    LineAnswer {
                        ack: LineAck::Open,
                        quantity: None,
                        promised_on: None,
                        reason: None,
                    }
                }
            };
            check.errors.nest(&format!("lines[{n}]"), inner.errors);
            lines.push(answer);
        }
        check.errors.finish(Ack { lines, note })
    }
}

/// Lines one goods receipt may have.
pub const MAX_RECEIPT_LINES: usize = 200;

/// One line of a goods receipt as an ERP sends it: which line of the order
/// (its position, from 1) and how much was accepted and rejected.
#[derive(Debug, Clone, Default)]
pub struct ReceiptLineInput {
    pub position: i64,
    /// Zero or more; empty is zero.
    pub accepted: String,
    /// Zero or more; empty is zero.
    pub rejected: Option<String>,
    /// Why goods were rejected (required when any were).
    pub reason: Option<String>,
}

/// A goods receipt against a purchase order as an ERP sends it.
#[derive(Debug, Clone, Default)]
pub struct ErpReceiptInput {
    pub external_ref: String,
    /// The ERP's reference of the purchase order.
    pub purchase_order: String,
    /// `YYYY-MM-DD`; empty: today.
    pub received_on: Option<String>,
    pub notes: Option<String>,
    pub lines: Vec<ReceiptLineInput>,
}

/// A checked receipt line.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ReceiptLine {
    pub position: i32,
    pub accepted: Decimal,
    pub rejected: Decimal,
    pub reason: Option<String>,
}

/// A checked goods receipt. What it serializes to is its content, whose
/// digest tells a receipt sent again unchanged.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ErpReceipt {
    pub external_ref: String,
    pub purchase_order: String,
    pub received_on: Option<NaiveDate>,
    pub notes: Option<String>,
    pub lines: Vec<ReceiptLine>,
}

impl ErpReceiptInput {
    /// The checked receipt, or every field's problem (a line's under
    /// `lines[n]`): each line names a position once, receives something,
    /// and says why it rejected what it rejected.
    pub fn validate(&self) -> Result<ErpReceipt, FieldErrors> {
        let mut check = Checker::default();
        let external_ref = check.required("external_ref", &self.external_ref, limits::TEXT);
        let purchase_order = check.required("purchase_order", &self.purchase_order, limits::TEXT);
        let received_on = date(&mut check, "received_on", self.received_on.as_deref());
        let notes = optional(
            &mut check,
            "notes",
            self.notes.as_deref(),
            limits::LONG_TEXT,
        );
        if self.lines.is_empty() {
            check.errors.add("lines", "orders-lines-empty");
        } else if self.lines.len() > MAX_RECEIPT_LINES {
            check.errors.add("lines", "field-too-many");
        }
        let mut lines: Vec<ReceiptLine> = Vec::with_capacity(self.lines.len());
        for (n, input) in self.lines.iter().enumerate().take(MAX_RECEIPT_LINES) {
            let mut inner = Checker::default();
            let position = i32::try_from(input.position).unwrap_or(0);
            if position < 1 {
                inner.errors.add("position", "field-decimal-too-small");
            } else if lines.iter().any(|l| l.position == position) {
                inner.errors.add("position", "field-repeated");
            }
            let amount = |inner: &mut Checker, field, raw: Option<&str>| match raw.map(str::trim) {
                None | Some("") => Decimal::ZERO,
                Some(raw) => decimal(inner, field, raw, 4, Decimal::ZERO),
            };
            let accepted = amount(&mut inner, "accepted", Some(&input.accepted));
            let rejected = amount(&mut inner, "rejected", input.rejected.as_deref());
            let reason = optional(&mut inner, "reason", input.reason.as_deref(), limits::TEXT);
            if accepted.is_zero() && rejected.is_zero() && inner.errors.is_empty() {
                inner.errors.add("accepted", "purchasing-receipt-nothing");
            }
            if !rejected.is_zero() && reason.is_none() && inner.errors.get("reason").is_none() {
                inner.errors.add("reason", "purchasing-reason-required");
            }
            check.errors.nest(&format!("lines[{n}]"), inner.errors);
            lines.push(ReceiptLine {
                position,
                accepted,
                rejected,
                reason,
            });
        }
        check.errors.finish(ErpReceipt {
            external_ref,
            purchase_order,
            received_on,
            notes,
            lines,
        })
    }
}

/// Staff's answer to a supplier's changes: accept them (the order takes the
/// promised quantities and dates) or refuse them with a reason the supplier
/// reads, after which it acknowledges again.
#[derive(Debug, Clone, PartialEq)]
pub enum Review {
    Accept,
    Refuse(String),
}

impl Review {
    /// The checked review: `accept`, or `refuse` with a reason.
    pub fn parse(decision: &str, reason: Option<&str>) -> Result<Review, FieldErrors> {
        let mut check = Checker::default();
        let reason = optional(&mut check, "reason", reason, limits::TEXT);
        let review = match decision.trim() {
            "accept" => Some(Review::Accept),
            "refuse" => match reason {
                Some(reason) => Some(Review::Refuse(reason)),
                None => {
                    if check.errors.get("reason").is_none() {
                        check.errors.add("reason", "purchasing-reason-required");
                    }
                    None
                }
            },
            _ => {
                check.errors.add("decision", "field-choice-invalid");
                None
            }
        };
        match review {
            Some(review) if check.errors.is_empty() => Ok(review),
            _ => Err(check.errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn line(decision: &str) -> LineAckInput {
        LineAckInput {
            decision: decision.into(),
            ..Default::default()
        }
    }

    #[test]
    fn an_answered_order_only_moves_on() {
        use PoStatus::*;
        assert!(Acknowledged.moves_on_to(Received));
        assert!(Acknowledged.moves_on_to(Cancelled));
        assert!(!Acknowledged.moves_on_to(Sent));
        assert!(!Received.moves_on_to(PartiallyReceived));
        assert!(!Received.moves_on_to(Cancelled));
        assert!(!Cancelled.moves_on_to(Closed));
    }

    #[test]
    fn an_acknowledgement_answers_every_line_with_what_each_answer_needs() {
        let ordered = [Decimal::from(10), Decimal::from(5)];
        let issued = d("2026-11-01");
        let ack = AckInput {
            lines: vec![line("accept"), line("accept")],
            note: None,
        }
        .validate(&ordered, issued)
        .unwrap();
        assert!(ack.accepts_all());

        let missing = AckInput {
            lines: vec![line("accept")],
            note: None,
        };
        assert_eq!(
            missing.validate(&ordered, issued).unwrap_err().get("lines"),
            Some("purchasing-ack-every-line")
        );

        let bad = AckInput {
            lines: vec![
                line("reject"),
                LineAckInput {
                    decision: "change".into(),
                    quantity: Some("5".into()),
                    promised_on: Some("2026-10-01".into()),
                    ..Default::default()
                },
            ],
            note: None,
        }
        .validate(&ordered, issued)
        .unwrap_err();
        let paths: Vec<String> = bad.0.iter().map(|e| e.path()).collect();
        assert!(paths.contains(&"lines[0].reason".to_owned()), "{paths:?}");
        // The ordered quantity is no change; the date is before the order.
        assert!(
            paths.contains(&"lines[1].promised_on".to_owned()),
            "{paths:?}"
        );

        let changed = AckInput {
            lines: vec![
                LineAckInput {
                    decision: "change".into(),
                    promised_on: Some("2026-12-15".into()),
                    ..Default::default()
                },
                LineAckInput {
                    decision: "reject".into(),
                    reason: Some("Agotado".into()),
                    ..Default::default()
                },
            ],
            note: Some("Llega en dos entregas".into()),
        }
        .validate(&ordered, issued)
        .unwrap();
        assert!(!changed.accepts_all());
        assert_eq!(changed.lines[0].promised_on, Some(d("2026-12-15")));
        assert_eq!(changed.lines[1].ack, LineAck::Rejected);
    }

    #[test]
    fn a_receipt_receives_something_and_explains_what_it_rejects() {
        let line = |position, accepted: &str, rejected: Option<&str>, reason: Option<&str>| {
            ReceiptLineInput {
                position,
                accepted: accepted.into(),
                rejected: rejected.map(Into::into),
                reason: reason.map(Into::into),
            }
        };
        let input = |lines| ErpReceiptInput {
            external_ref: "EM-1".into(),
            purchase_order: "OC-1".into(),
            lines,
            ..Default::default()
        };
        let ok = input(vec![
            line(1, "5", None, None),
            line(2, "", Some("1"), Some("Roto")),
        ])
        .validate()
        .unwrap();
        assert_eq!(ok.lines[1].rejected, Decimal::ONE);
        let bad = input(vec![
            line(0, "5", None, None),
            line(2, "0", None, None),
            line(2, "1", Some("1"), None),
        ])
        .validate()
        .unwrap_err();
        let paths: Vec<String> = bad.0.iter().map(|e| e.path()).collect();
        for path in [
            "lines[0].position",
            "lines[1].accepted",
            "lines[2].position",
            "lines[2].reason",
        ] {
            assert!(paths.contains(&path.to_owned()), "{path}: {paths:?}");
        }
    }

    #[test]
    fn a_refusal_gives_its_reason() {
        assert_eq!(Review::parse("accept", None), Ok(Review::Accept));
        assert!(Review::parse("refuse", Some("  ")).is_err());
        assert_eq!(
            Review::parse("refuse", Some("Necesitamos la fecha original")),
            Ok(Review::Refuse("Necesitamos la fecha original".into()))
        );
        assert!(Review::parse("maybe", None).is_err());
    }
}
