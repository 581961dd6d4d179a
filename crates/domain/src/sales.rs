//! What an ERP sends of the customer side's money records — invoices, credit
//! notes and payments with what they pay — checked once into exact values, with
//! every line's amounts and the totals computed here (never taken from the
//! sender): each line's net and tax rounded to cents; the document's tax the
//! sum of those, or (as the company rounds) the lines' exact taxes summed and
//! rounded once.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::Currency;
use crate::fields::{Checker, FieldErrors, limits};
use crate::money::{self, DecimalError};

/// Lines one invoice may have.
pub const MAX_LINES: usize = 500;
/// Invoices one payment or credit note may be applied to.
pub const MAX_APPLICATIONS: usize = 200;
/// Records one bulk call may carry.
pub const MAX_BATCH: usize = 1000;

/// An invoice, or a credit note (which lowers what the customer owes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InvoiceKind {
    Invoice,
    CreditNote,
}

impl InvoiceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            InvoiceKind::Invoice => "invoice",
            InvoiceKind::CreditNote => "credit_note",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "invoice" => Some(InvoiceKind::Invoice),
            "credit_note" => Some(InvoiceKind::CreditNote),
            _ => None,
        }
    }

    /// The sign of its amounts in what the customer owes.
    pub fn sign(self) -> Decimal {
        match self {
            InvoiceKind::Invoice => Decimal::ONE,
            InvoiceKind::CreditNote => Decimal::NEGATIVE_ONE,
        }
    }
}

/// How a payment was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentMethod {
    Transfer,
    Check,
    Card,
    Cash,
    Other,
}

impl PaymentMethod {
    pub const ALL: [PaymentMethod; 5] = [
        PaymentMethod::Transfer,
        PaymentMethod::Check,
        PaymentMethod::Card,
        PaymentMethod::Cash,
        PaymentMethod::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PaymentMethod::Transfer => "transfer",
            PaymentMethod::Check => "check",
            PaymentMethod::Card => "card",
            PaymentMethod::Cash => "cash",
            PaymentMethod::Other => "other",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == raw)
    }
}

/// One invoice line as sent: decimals as text (`"2.5"`), as exact as JSON
/// strings keep them.
#[derive(Debug, Clone, Default)]
pub struct LineInput {
    pub item_code: Option<String>,
    pub description: String,
    pub quantity: String,
    pub unit_price: String,
    /// Percent: `"18"` for 18 %.
    pub tax_rate: String,
}

/// A part of a payment or credit note applied to one invoice, named by the
/// invoice's number.
#[derive(Debug, Clone, Default)]
pub struct ApplicationInput {
    pub invoice: String,
    pub amount: String,
}

/// An invoice or credit note as an ERP sends it.
#[derive(Debug, Clone, Default)]
pub struct InvoiceInput {
    pub kind: String,
    pub number: String,
    pub external_ref: String,
    /// The customer's code.
    pub customer: String,
    /// The branch's code, for a branch's invoice.
    pub branch: Option<String>,
    pub issued_on: String,
    /// Defaults to the issue date (cash sale).
    pub due_on: Option<String>,
    pub currency: String,
    pub notes: Option<String>,
    pub lines: Vec<LineInput>,
    /// For a credit note: the invoices it is applied to.
    pub applied_to: Vec<ApplicationInput>,
}

/// A payment as an ERP sends it.
#[derive(Debug, Clone, Default)]
pub struct PaymentInput {
    pub number: String,
    pub external_ref: String,
    pub customer: String,
    pub branch: Option<String>,
    pub received_on: String,
    pub currency: String,
    pub method: String,
    pub reference: Option<String>,
    pub amount: String,
    pub applied_to: Vec<ApplicationInput>,
}

/// One checked line with its computed amounts.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct InvoiceLine {
    pub item_code: Option<String>,
    pub description: String,
    pub quantity: Decimal,
    pub unit_price: Decimal,
    pub tax_rate: Decimal,
    /// Quantity × unit price, rounded to cents.
    pub net: Decimal,
    /// Net × rate, rounded to cents.
    pub tax: Decimal,
}

/// A checked application.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Application {
    pub invoice: String,
    pub amount: Decimal,
}

/// A checked invoice or credit note, totals computed.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct InvoiceFields {
    pub kind: InvoiceKind,
    pub number: String,
    pub external_ref: String,
    pub customer: String,
    pub branch: Option<String>,
    pub issued_on: NaiveDate,
    pub due_on: NaiveDate,
    pub currency: String,
    pub notes: Option<String>,
    pub lines: Vec<InvoiceLine>,
    pub applied_to: Vec<Application>,
    pub subtotal: Decimal,
    pub tax: Decimal,
    pub total: Decimal,
}

impl InvoiceFields {
    /// These fields as the sender's data alone makes them: the tax and total
    /// rounded per line, whatever the company's rule. A record's digest (what
    /// tells one sent again unchanged) is taken from this, so that a company
    /// changing how it rounds does not make every stored invoice look changed
    /// and recomputed (decision 0012).
    pub fn as_sent(&self) -> InvoiceFields {
        let tax = money::Rounding::Line.tax(self.lines.iter().map(|l| (l.net, l.tax_rate, l.tax)));
        InvoiceFields {
            tax,
            total: self.subtotal + tax,
            ..self.clone()
        }
    }
}

/// A checked payment.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PaymentFields {
    pub number: String,
    pub external_ref: String,
    pub customer: String,
    pub branch: Option<String>,
    pub received_on: NaiveDate,
    pub currency: String,
    pub method: PaymentMethod,
    pub reference: Option<String>,
    pub amount: Decimal,
    pub applied_to: Vec<Application>,
}

/// A line's net (quantity × unit price) and tax (net × rate %), each rounded to
/// cents: the one rule of every line of every document.
pub fn line_amounts(
    quantity: Decimal,
    unit_price: Decimal,
    tax_rate: Decimal,
) -> (Decimal, Decimal) {
    let net = money::round_money(quantity * unit_price);
    let tax = money::round_money(net * tax_rate / Decimal::ONE_HUNDRED);
    (net, tax)
}

pub(crate) fn decimal(
    check: &mut Checker,
    field: &'static str,
    raw: &str,
    places: u32,
    min: Decimal,
) -> Decimal {
    money::parse(raw, places, min).unwrap_or_else(|e: DecimalError| {
        check.errors.add(field, e.message());
        Decimal::ZERO
    })
}

pub(crate) fn required_date(check: &mut Checker, field: &'static str, raw: &str) -> NaiveDate {
    match check.date(field, raw) {
        Some(date) => date,
        None => {
            if check.errors.get(field).is_none() {
                check.errors.add(field, "field-required");
            }
            NaiveDate::MIN
        }
    }
}

pub(crate) fn currency(check: &mut Checker, raw: &str) -> String {
    match Currency::parse(raw) {
        Ok(currency) => currency.as_str().to_owned(),
        Err(_) => {
            check.errors.add("currency", "field-currency-invalid");
            String::new()
        }
    }
}

pub(crate) fn optional(
    check: &mut Checker,
    field: &'static str,
    raw: Option<&str>,
    max: usize,
) -> Option<String> {
    raw.and_then(|raw| check.text(field, raw, max))
}

/// Checks applications: each names an invoice once, amounts in cents above zero.
fn applications(
    check: &mut Checker,
    inputs: &[ApplicationInput],
    most: Decimal,
) -> Vec<Application> {
    if inputs.len() > MAX_APPLICATIONS {
        check.errors.add("applied_to", "field-too-many");
        return Vec::new();
    }
    let mut out: Vec<Application> = Vec::with_capacity(inputs.len());
    for (n, input) in inputs.iter().enumerate() {
        let mut inner = Checker::default();
        let invoice = inner.required("invoice", &input.invoice, limits::SHORT);
        let amount = decimal(&mut inner, "amount", &input.amount, 2, Decimal::new(1, 2));
        if out.iter().any(|a| a.invoice.eq_ignore_ascii_case(&invoice)) {
            inner.errors.add("invoice", "field-repeated");
        }
        check.errors.nest(&format!("applied_to[{n}]"), inner.errors);
        out.push(Application { invoice, amount });
    }
    let applied: Decimal = out.iter().map(|a| a.amount).sum();
    if applied > most {
        check.errors.add("applied_to", "sales-applied-over-amount");
    }
    out
}

impl InvoiceInput {
    /// The checked invoice with its amounts computed (the tax as the
    /// company's `rounding` says), or every field's problem (a line's under
    /// `lines[n]`).
    pub fn validate(&self, rounding: money::Rounding) -> Result<InvoiceFields, FieldErrors> {
        let mut check = Checker::default();
        let kind = InvoiceKind::parse(self.kind.trim()).unwrap_or_else(|| {
            check.errors.add("kind", "field-choice-invalid");
            InvoiceKind::Invoice
        });
        let number = check.required("number", &self.number, limits::SHORT);
        let external_ref = check.required("external_ref", &self.external_ref, limits::TEXT);
        let customer = check.required("customer", &self.customer, limits::SHORT);
        let branch = optional(&mut check, "branch", self.branch.as_deref(), limits::SHORT);
        let issued_on = required_date(&mut check, "issued_on", &self.issued_on);
        let due_on = match self.due_on.as_deref().map(str::trim) {
            None | Some("") => issued_on,
            Some(raw) => required_date(&mut check, "due_on", raw),
        };
        if due_on < issued_on {
            check.errors.add("due_on", "sales-due-before-issue");
        }
        let currency = currency(&mut check, &self.currency);
        let notes = optional(
            &mut check,
            "notes",
            self.notes.as_deref(),
            limits::LONG_TEXT,
        );
        if self.lines.is_empty() {
            check.errors.add("lines", "field-required");
        } else if self.lines.len() > MAX_LINES {
            check.errors.add("lines", "field-too-many");
        }
        let lines: Vec<InvoiceLine> = self
            .lines
            .iter()
            .take(MAX_LINES)
            .enumerate()
            .map(|(n, line)| {
                let (line, errors) = line.validate();
                check.errors.nest(&format!("lines[{n}]"), errors);
                line
            })
            .collect();
        let subtotal: Decimal = lines.iter().map(|l| l.net).sum();
        let tax = rounding.tax(lines.iter().map(|l| (l.net, l.tax_rate, l.tax)));
        let total = subtotal + tax;
        if total.is_sign_negative() {
            check.errors.add("lines", "sales-total-negative");
        }
        if total >= Decimal::from(1_000_000_000_000_i64) {
            check.errors.add("lines", "field-decimal-too-large");
        }
        let applied_to = applications(&mut check, &self.applied_to, total);
        if kind == InvoiceKind::Invoice && !applied_to.is_empty() {
            check.errors.add("applied_to", "sales-invoice-not-applied");
        }
        check.errors.finish(InvoiceFields {
            kind,
            number,
            external_ref,
            customer,
            branch,
            issued_on,
            due_on,
            currency,
            notes,
            lines,
            applied_to,
            subtotal,
            tax,
            total,
        })
    }
}

impl LineInput {
    /// The checked line, amounts computed, and its fields' problems.
    pub(crate) fn validate(&self) -> (InvoiceLine, FieldErrors) {
        let mut check = Checker::default();
        let item_code = optional(
            &mut check,
            "item_code",
            self.item_code.as_deref(),
            limits::SHORT,
        );
        let description = check.required("description", &self.description, limits::TEXT);
        let quantity = decimal(
            &mut check,
            "quantity",
            &self.quantity,
            4,
            Decimal::new(1, 4),
        );
        let unit_price = decimal(&mut check, "unit_price", &self.unit_price, 4, Decimal::ZERO);
        let tax_rate = decimal(&mut check, "tax_rate", &self.tax_rate, 4, Decimal::ZERO);
        if tax_rate > Decimal::ONE_HUNDRED {
            check.errors.add("tax_rate", "field-decimal-too-large");
        }
        let (net, tax) = line_amounts(quantity, unit_price, tax_rate);
        let line = InvoiceLine {
            item_code,
            description,
            quantity,
            unit_price,
            tax_rate,
            net,
            tax,
        };
        (line, check.errors)
    }
}

impl PaymentInput {
    /// The checked payment, or every field's problem.
    pub fn validate(&self) -> Result<PaymentFields, FieldErrors> {
        let mut check = Checker::default();
        let number = check.required("number", &self.number, limits::SHORT);
        let external_ref = check.required("external_ref", &self.external_ref, limits::TEXT);
        let customer = check.required("customer", &self.customer, limits::SHORT);
        let branch = optional(&mut check, "branch", self.branch.as_deref(), limits::SHORT);
        let received_on = required_date(&mut check, "received_on", &self.received_on);
        let currency = currency(&mut check, &self.currency);
        let method = PaymentMethod::parse(self.method.trim()).unwrap_or_else(|| {
            check.errors.add("method", "field-choice-invalid");
            PaymentMethod::Other
        });
        let reference = optional(
            &mut check,
            "reference",
            self.reference.as_deref(),
            limits::TEXT,
        );
        let amount = decimal(&mut check, "amount", &self.amount, 2, Decimal::new(1, 2));
        let applied_to = applications(&mut check, &self.applied_to, amount);
        check.errors.finish(PaymentFields {
            number,
            external_ref,
            customer,
            branch,
            received_on,
            currency,
            method,
            reference,
            amount,
            applied_to,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;
    use crate::money::Rounding;

    fn line(quantity: &str, price: &str, rate: &str) -> LineInput {
        LineInput {
            item_code: Some("A-1".into()),
            description: "Cemento gris".into(),
            quantity: quantity.into(),
            unit_price: price.into(),
            tax_rate: rate.into(),
        }
    }

    fn invoice(lines: Vec<LineInput>) -> InvoiceInput {
        InvoiceInput {
            kind: "invoice".into(),
            number: "B0100000001".into(),
            external_ref: "erp-1".into(),
            customer: "C-001".into(),
            issued_on: "2026-11-01".into(),
            due_on: Some("2026-12-01".into()),
            currency: "dop".into(),
            lines,
            ..InvoiceInput::default()
        }
    }

    fn dec(text: &str) -> Decimal {
        Decimal::from_str(text).unwrap()
    }

    #[test]
    fn totals_are_the_sums_of_lines_rounded_per_line() {
        let fields = invoice(vec![line("3", "0.335", "18"), line("1", "0.335", "18")])
            .validate(Rounding::Line)
            .unwrap();
        // Each line: 3 × 0.335 = 1.005 → 1.01 and 0.335 → 0.34; tax per line.
        assert_eq!(fields.lines[0].net, dec("1.01"));
        assert_eq!(fields.lines[0].tax, dec("0.18"));
        assert_eq!(fields.lines[1].net, dec("0.34"));
        assert_eq!(fields.lines[1].tax, dec("0.06"));
        assert_eq!(fields.subtotal, dec("1.35"));
        assert_eq!(fields.tax, dec("0.24"));
        assert_eq!(fields.total, dec("1.59"));
        assert_eq!(fields.currency, "DOP");
    }

    #[test]
    fn a_company_that_rounds_per_document_rounds_the_tax_once() {
        let lines = || (0..3).map(|_| line("1", "0.10", "18")).collect();
        let per_line = invoice(lines()).validate(Rounding::Line).unwrap();
        assert_eq!((per_line.tax, per_line.total), (dec("0.06"), dec("0.36")));
        let per_document = invoice(lines()).validate(Rounding::Document).unwrap();
        assert_eq!(per_document.lines[0].tax, dec("0.02"), "lines show theirs");
        assert_eq!(
            (per_document.subtotal, per_document.tax, per_document.total),
            (dec("0.30"), dec("0.05"), dec("0.35"))
        );
        // As sent, both are the same record: the rule is the company's.
        assert_eq!(per_document.as_sent(), per_line);
        assert_eq!(per_line.as_sent(), per_line);
    }

    #[test]
    fn each_bad_value_is_named_with_its_line() {
        let mut input = invoice(vec![line("2", "10", "18"), line("0", "1,5", "101")]);
        input.due_on = Some("2026-10-01".into());
        input.currency = "PES".into();
        input.kind = "receipt".into();
        let errors = input.validate(Rounding::Line).unwrap_err();
        let paths: Vec<String> = errors.0.iter().map(|e| e.path()).collect();
        for expected in [
            "kind",
            "due_on",
            "currency",
            "lines[1].quantity",
            "lines[1].unit_price",
            "lines[1].tax_rate",
        ] {
            assert!(
                paths.contains(&expected.to_owned()),
                "{expected}: {paths:?}"
            );
        }
        assert!(
            !paths.iter().any(|p| p.starts_with("lines[0]")),
            "{paths:?}"
        );
    }

    #[test]
    fn applications_belong_to_credit_notes_and_payments_within_their_amount() {
        let mut input = invoice(vec![line("1", "100", "0")]);
        input.applied_to = vec![ApplicationInput {
            invoice: "B01".into(),
            amount: "10".into(),
        }];
        assert_eq!(
            input
                .validate(Rounding::Line)
                .unwrap_err()
                .get("applied_to"),
            Some("sales-invoice-not-applied")
        );
        input.kind = "credit_note".into();
        assert!(input.validate(Rounding::Line).is_ok());
        input.applied_to[0].amount = "100.01".into();
        assert_eq!(
            input
                .validate(Rounding::Line)
                .unwrap_err()
                .get("applied_to"),
            Some("sales-applied-over-amount")
        );
        let payment = PaymentInput {
            number: "REC-1".into(),
            external_ref: "erp-p-1".into(),
            customer: "C-001".into(),
            received_on: "2026-11-20".into(),
            currency: "DOP".into(),
            method: "transfer".into(),
            amount: "50.00".into(),
            applied_to: vec![
                ApplicationInput {
                    invoice: "B01".into(),
                    amount: "30".into(),
                },
                ApplicationInput {
                    invoice: "b01".into(),
                    amount: "10".into(),
                },
            ],
            ..PaymentInput::default()
        };
        let errors = payment.validate().unwrap_err();
        assert_eq!(errors.0[0].path(), "applied_to[1].invoice");
        let mut payment = payment;
        payment.applied_to.pop();
        payment.amount = "0".into();
        assert_eq!(
            payment.validate().unwrap_err().get("amount"),
            Some("field-decimal-too-small")
        );
    }
}
