//! A supplier's invoice against a purchase order, and its pre-match: before
//! it reaches the company, each line is checked against the order's line —
//! quantity within what was received and not yet invoiced, unit price within
//! the company's tolerance, tax as ordered — and the whole against what is
//! still open on the order; the invoice number against the supplier's other
//! invoices once normalised, and the tax id against the supplier's. The
//! supplier sees every result and why before submitting.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::fields::{Checker, FieldErrors, limits};
use crate::money;
use crate::sales::{decimal, line_amounts, optional};

/// An invoice's number as compared for duplicates: letters and digits only,
/// upper case, leading zeros of each run of digits dropped, and a prefix the
/// supplier repeats (`FAC-FAC-12`) counted once. `fac 0012`, `FAC-12` and
/// `FAC-FAC-012` are the same number.
pub fn normalise_number(raw: &str) -> String {
    // Tokens: runs of letters or of digits, split at anything else too.
    let mut tokens: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut digits = false;
    for c in raw.chars() {
        if !c.is_alphanumeric() {
            if !current.is_empty() {
                tokens.push(std::mem::take(&mut current));
            }
            continue;
        }
        let is_digit = c.is_ascii_digit();
        if !current.is_empty() && is_digit != digits {
            tokens.push(std::mem::take(&mut current));
        }
        digits = is_digit;
        current.extend(c.to_uppercase());
    }
    if !current.is_empty() {
        tokens.push(current);
    }
    let mut out: Vec<String> = Vec::new();
    for token in tokens {
        let token = if token.starts_with(|c: char| c.is_ascii_digit()) {
            let trimmed = token.trim_start_matches('0');
            if trimmed.is_empty() { "0" } else { trimmed }.to_owned()
        } else {
            token
        };
        if out.last() != Some(&token) {
            out.push(token);
        }
    }
    out.concat()
}

/// A tax id as compared: letters and digits only, upper case.
pub fn normalise_tax_id(raw: &str) -> String {
    raw.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_uppercase)
        .collect()
}

/// One line as the supplier types it: the order line it bills and how much
/// of it, at what price and tax.
#[derive(Debug, Clone, Default)]
pub struct InvoiceLineInput {
    /// The order line's position (1, 2, …).
    pub position: i64,
    pub quantity: String,
    pub unit_price: String,
    /// Percent (`"18"`).
    pub tax_rate: String,
}

/// A supplier invoice as typed, against one purchase order.
#[derive(Debug, Clone, Default)]
pub struct SupplierInvoiceInput {
    /// The supplier's own number.
    pub number: String,
    /// `YYYY-MM-DD`.
    pub issued_on: String,
    /// `YYYY-MM-DD`; empty: the issue date.
    pub due_on: Option<String>,
    /// The supplier's tax id as printed on the invoice.
    pub tax_id: String,
    /// Why it should be paid despite its exceptions (required when it has
    /// any).
    pub note: Option<String>,
    pub lines: Vec<InvoiceLineInput>,
}

/// A checked invoice line, amounts computed.
#[derive(Debug, Clone, PartialEq)]
pub struct InvoiceLine {
    pub position: i32,
    pub quantity: Decimal,
    pub unit_price: Decimal,
    pub tax_rate: Decimal,
    pub net: Decimal,
    pub tax: Decimal,
}

/// A checked supplier invoice (its shape; the match is [`prematch`]'s).
#[derive(Debug, Clone, PartialEq)]
pub struct SupplierInvoice {
    pub number: String,
    pub issued_on: NaiveDate,
    pub due_on: NaiveDate,
    pub tax_id: String,
    pub note: Option<String>,
    pub lines: Vec<InvoiceLine>,
}

impl SupplierInvoiceInput {
    /// The checked invoice, or every field's problem (a line's under
    /// `lines[n]`): a number, dates, a tax id, at least one line, each of
    /// one order line once with a quantity above zero.
    pub fn validate(&self) -> Result<SupplierInvoice, FieldErrors> {
        let mut check = Checker::default();
        let number = check.required("number", &self.number, limits::SHORT);
        let issued_on = match check.date("issued_on", &self.issued_on) {
            Some(d) => Some(d),
            None => {
                if check.errors.get("issued_on").is_none() {
                    check.errors.add("issued_on", "field-required");
                }
                None
            }
        };
        let due_on = match self.due_on.as_deref().map(str::trim) {
            None | Some("") => issued_on,
            Some(raw) => check.date("due_on", raw),
        };
        if let (Some(issued), Some(due)) = (issued_on, due_on)
            && due < issued
        {
            check.errors.add("due_on", "sales-due-before-issue");
        }
        let tax_id = check.required("tax_id", &self.tax_id, limits::SHORT);
        let note = optional(&mut check, "note", self.note.as_deref(), limits::LONG_TEXT);
        if self.lines.is_empty() {
            check.errors.add("lines", "orders-lines-empty");
        } else if self.lines.len() > crate::orders::MAX_ORDER_LINES {
            check.errors.add("lines", "field-too-many");
        }
        let mut lines: Vec<InvoiceLine> = Vec::with_capacity(self.lines.len());
        for (n, input) in self.lines.iter().enumerate() {
            let mut inner = Checker::default();
            let position = i32::try_from(input.position).unwrap_or(0);
            if position < 1 {
                inner.errors.add("position", "field-decimal-too-small");
            } else if lines.iter().any(|l| l.position == position) {
                inner.errors.add("position", "field-repeated");
            }
            let quantity = decimal(
                &mut inner,
                "quantity",
                &input.quantity,
                4,
                Decimal::new(1, 4),
            );
            let unit_price = decimal(
                &mut inner,
                "unit_price",
                &input.unit_price,
                4,
                Decimal::ZERO,
            );
            let tax_rate = decimal(&mut inner, "tax_rate", &input.tax_rate, 4, Decimal::ZERO);
            if tax_rate > Decimal::ONE_HUNDRED {
                inner.errors.add("tax_rate", "field-decimal-too-large");
            }
            let (net, tax) = line_amounts(quantity, unit_price, tax_rate);
            check.errors.nest(&format!("lines[{n}]"), inner.errors);
            lines.push(InvoiceLine {
                position,
                quantity,
                unit_price,
                tax_rate,
                net,
                tax,
            });
        }
        check.errors.finish(SupplierInvoice {
            number,
            issued_on: issued_on.unwrap_or(NaiveDate::MIN),
            due_on: due_on.or(issued_on).unwrap_or(NaiveDate::MIN),
            tax_id,
            note,
            lines,
        })
    }
}

/// What the pre-match knows of one order line.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderedLine {
    pub position: i32,
    pub description: String,
    pub unit_price: Decimal,
    pub tax_rate: Decimal,
    /// Accepted by the goods receipts.
    pub received: Decimal,
    /// Already billed by the supplier's other invoices (rejected ones apart).
    pub invoiced: Decimal,
}

impl OrderedLine {
    /// Received and not yet invoiced: what an invoice may bill.
    pub fn billable(&self) -> Decimal {
        (self.received - self.invoiced).max(Decimal::ZERO)
    }
}

/// Why a line or the invoice does not match. Each is an exception the
/// supplier may still submit with a note, but for the ones
/// [`Exception::refuses`] names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Exception {
    /// More than received and not yet invoiced.
    OverQuantity,
    /// The unit price is beyond the tolerance around the order's.
    PriceOutOfTolerance,
    /// The tax rate is not the order's.
    TaxDiffers,
    /// The line bills no line of the order.
    UnknownLine,
    /// The invoice's total is above what is still open on the order.
    OverOpenAmount,
    /// Another invoice of the supplier has the same number, normalised.
    DuplicateNumber,
    /// The tax id is not the supplier's.
    TaxIdMismatch,
}

impl Exception {
    pub fn as_str(self) -> &'static str {
        match self {
            Exception::OverQuantity => "over_quantity",
            Exception::PriceOutOfTolerance => "price_out_of_tolerance",
            Exception::TaxDiffers => "tax_differs",
            Exception::UnknownLine => "unknown_line",
            Exception::OverOpenAmount => "over_open_amount",
            Exception::DuplicateNumber => "duplicate_number",
            Exception::TaxIdMismatch => "tax_id_mismatch",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [
            Exception::OverQuantity,
            Exception::PriceOutOfTolerance,
            Exception::TaxDiffers,
            Exception::UnknownLine,
            Exception::OverOpenAmount,
            Exception::DuplicateNumber,
            Exception::TaxIdMismatch,
        ]
        .into_iter()
        .find(|e| e.as_str() == raw)
    }

    /// Whether no note can carry it: the same invoice twice, another
    /// company's tax id, a line of nothing the order has.
    pub fn refuses(self) -> bool {
        matches!(
            self,
            Exception::DuplicateNumber | Exception::TaxIdMismatch | Exception::UnknownLine
        )
    }
}

/// One line's result: what it was checked against and what failed.
#[derive(Debug, Clone, PartialEq)]
pub struct LineMatch {
    pub position: i32,
    /// What the order allows: billable quantity, its price and tax.
    pub billable: Decimal,
    pub ordered_price: Decimal,
    pub ordered_tax_rate: Decimal,
    pub exceptions: Vec<Exception>,
}

/// The whole pre-match.
#[derive(Debug, Clone, PartialEq)]
pub struct MatchReport {
    pub lines: Vec<LineMatch>,
    /// The invoice's own exceptions (amount, number, tax id).
    pub header: Vec<Exception>,
    /// What is still open on the order, and the invoice's total.
    pub open_amount: Decimal,
    pub total: Decimal,
}

impl MatchReport {
    /// Every exception, lines' and the invoice's.
    pub fn exceptions(&self) -> impl Iterator<Item = Exception> + '_ {
        self.header
            .iter()
            .copied()
            .chain(self.lines.iter().flat_map(|l| l.exceptions.iter().copied()))
    }

    /// Whether it matches cleanly.
    pub fn matched(&self) -> bool {
        self.exceptions().next().is_none()
    }

    /// Whether it cannot be submitted, note or not.
    pub fn refused(&self) -> bool {
        self.exceptions().any(Exception::refuses)
    }
}

/// What the pre-match needs beyond the invoice: the order's lines, what is
/// still open on the order, the company's price tolerance (percent), the
/// supplier's tax id, and whether the number is already taken.
#[derive(Debug, Clone)]
pub struct MatchContext<'a> {
    pub ordered: &'a [OrderedLine],
    pub open_amount: Decimal,
    pub tolerance: Decimal,
    pub supplier_tax_id: Option<&'a str>,
    pub duplicate: bool,
}

/// Checks `invoice` against its order as [`MatchContext`] describes it. The
/// invoice's total is the sum of its lines' nets and taxes, `rounding` as
/// the company rounds.
pub fn prematch(
    invoice: &SupplierInvoice,
    context: &MatchContext<'_>,
    rounding: money::Rounding,
) -> MatchReport {
    let lines: Vec<LineMatch> = invoice
        .lines
        .iter()
        .map(|line| {
            let Some(ordered) = context.ordered.iter().find(|o| o.position == line.position) else {
                return LineMatch {
                    position: line.position,
                    billable: Decimal::ZERO,
                    ordered_price: Decimal::ZERO,
                    ordered_tax_rate: Decimal::ZERO,
                    exceptions: vec![Exception::UnknownLine],
                };
            };
            let mut exceptions = Vec::new();
            if line.quantity > ordered.billable() {
                exceptions.push(Exception::OverQuantity);
            }
            let allowed = ordered.unit_price * context.tolerance / Decimal::ONE_HUNDRED;
            if (line.unit_price - ordered.unit_price).abs() > allowed {
                exceptions.push(Exception::PriceOutOfTolerance);
            }
            if line.tax_rate != ordered.tax_rate {
                exceptions.push(Exception::TaxDiffers);
            }
            LineMatch {
                position: line.position,
                billable: ordered.billable(),
                ordered_price: ordered.unit_price,
                ordered_tax_rate: ordered.tax_rate,
                exceptions,
            }
        })
        .collect();
    let subtotal: Decimal = invoice.lines.iter().map(|l| l.net).sum();
    let tax = rounding.tax(invoice.lines.iter().map(|l| (l.net, l.tax_rate, l.tax)));
    let total = money::round_money(subtotal + tax);
    let mut header = Vec::new();
    if total > context.open_amount {
        header.push(Exception::OverOpenAmount);
    }
    if context.duplicate {
        header.push(Exception::DuplicateNumber);
    }
    let tax_id_matches = context
        .supplier_tax_id
        .is_some_and(|own| normalise_tax_id(own) == normalise_tax_id(&invoice.tax_id));
    if !tax_id_matches {
        header.push(Exception::TaxIdMismatch);
    }
    MatchReport {
        lines,
        header,
        open_amount: context.open_amount,
        total,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_compare_normalised() {
        for raw in ["FAC-12", "fac 0012", "FAC-FAC-012", " f-a-c 12 "] {
            assert_eq!(normalise_number(raw), "FAC12", "{raw}");
        }
        assert_ne!(normalise_number("FAC-12"), normalise_number("FAC-120"));
        assert_eq!(normalise_number("B01-0000045"), "B145");
        assert_eq!(normalise_tax_id("1-31-22334-5"), "131223345");
    }

    fn invoice(lines: &[(i64, &str, &str, &str)], tax_id: &str) -> SupplierInvoice {
        SupplierInvoiceInput {
            number: "F-1".into(),
            issued_on: "2026-11-20".into(),
            tax_id: tax_id.into(),
            lines: lines
                .iter()
                .map(|(position, quantity, price, rate)| InvoiceLineInput {
                    position: *position,
                    quantity: (*quantity).into(),
                    unit_price: (*price).into(),
                    tax_rate: (*rate).into(),
                })
                .collect(),
            ..Default::default()
        }
        .validate()
        .unwrap()
    }

    #[test]
    fn each_line_is_checked_against_the_order_and_the_receipts() {
        let ordered = [
            OrderedLine {
                position: 1,
                description: "A".into(),
                unit_price: Decimal::from(100),
                tax_rate: Decimal::from(18),
                received: Decimal::from(6),
                invoiced: Decimal::from(2),
            },
            OrderedLine {
                position: 2,
                description: "B".into(),
                unit_price: Decimal::from(50),
                tax_rate: Decimal::from(18),
                received: Decimal::from(4),
                invoiced: Decimal::ZERO,
            },
        ];
        let context = MatchContext {
            ordered: &ordered,
            open_amount: Decimal::from(10_000),
            tolerance: Decimal::from(2),
            supplier_tax_id: Some("1-31-22334-5"),
            duplicate: false,
        };
        let clean = prematch(
            &invoice(
                &[(1, "4", "101.99", "18"), (2, "4", "50", "18")],
                "131223345",
            ),
            &context,
            money::Rounding::Line,
        );
        assert!(clean.matched(), "{clean:?}");
        let bad = prematch(
            &invoice(&[(1, "5", "102.01", "16"), (3, "1", "1", "18")], "999"),
            &context,
            money::Rounding::Line,
        );
        assert_eq!(
            bad.lines[0].exceptions,
            [
                Exception::OverQuantity,
                Exception::PriceOutOfTolerance,
                Exception::TaxDiffers
            ]
        );
        assert_eq!(bad.lines[1].exceptions, [Exception::UnknownLine]);
        assert_eq!(bad.header, [Exception::TaxIdMismatch]);
        assert!(bad.refused());
        let over = prematch(
            &invoice(&[(2, "4", "50", "18")], "131223345"),
            &MatchContext {
                open_amount: Decimal::from(200),
                ..context
            },
            money::Rounding::Line,
        );
        assert_eq!(over.header, [Exception::OverOpenAmount]);
        assert!(!over.refused());
    }
}
