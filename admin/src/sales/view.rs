//! What the sales pages (and the customer record's Facturas and Cobros tabs)
//! show of a document: dates and amounts as people read them in the reader's
//! language, the document's state, and the names of its customer and branch,
//! looked up for a whole page at once.

use std::collections::HashMap;

use chrono::{Local, NaiveDate};
use portico_data::{Applied, InvoiceRow, PaymentRow, TenantTx};
use portico_domain::{
    Locale,
    money::{self, Dec},
    sales::InvoiceKind,
};
use portico_web::{AppError, Lang};
use serde::Serialize;
use uuid::Uuid;

/// Today in the server's time zone: what "overdue" is measured against.
pub(crate) fn today() -> NaiveDate {
    Local::now().date_naive()
}

/// A date as people read it: `15/11/2026` in Spanish, `Nov 15, 2026` in English.
pub(crate) fn date(lang: &Lang, date: NaiveDate) -> String {
    match lang.0 {
        Locale::Es => date.format("%d/%m/%Y").to_string(),
        Locale::En => date.format("%b %-d, %Y").to_string(),
    }
}

/// An amount with its currency: `12,500.00 DOP`.
pub(crate) fn amount(value: Dec, currency: &str) -> String {
    format!("{} {currency}", money::display(value))
}

/// An invoice's state: paid, open or overdue; a credit note's: applied or open.
pub(crate) fn status(row: &InvoiceRow, today: NaiveDate) -> &'static str {
    match row.kind {
        _ if row.balance.is_zero() => match row.kind {
            InvoiceKind::Invoice => "paid",
            InvoiceKind::CreditNote => "applied",
        },
        InvoiceKind::Invoice if row.due_on < today => "overdue",
        _ => "open",
    }
}

/// The names of the customers and branches a page's documents belong to.
#[derive(Debug, Default)]
pub(crate) struct Names {
    customers: HashMap<Uuid, String>,
    branches: HashMap<Uuid, String>,
}

impl Names {
    /// The names of `customers` and `branches` in a handful of queries,
    /// however many rows the page has.
    pub(crate) async fn of(
        tx: &mut TenantTx,
        customers: impl IntoIterator<Item = Uuid>,
        branches: impl IntoIterator<Item = Uuid>,
    ) -> Result<Self, AppError> {
        let mut customers: Vec<Uuid> = customers.into_iter().collect();
        customers.sort_unstable();
        customers.dedup();
        let mut branches: Vec<Uuid> = branches.into_iter().collect();
        branches.sort_unstable();
        branches.dedup();
        Ok(Self {
            customers: tx.names().of_records(&customers).await?,
            branches: tx.names().display(&branches).await?,
        })
    }

    /// The names for a page of invoices.
    pub(crate) async fn of_invoices(
        tx: &mut TenantTx,
        rows: &[InvoiceRow],
    ) -> Result<Self, AppError> {
        Self::of(
            tx,
            rows.iter().map(|r| r.account_id.as_uuid()),
            rows.iter().filter_map(|r| r.branch_id.map(|b| b.as_uuid())),
        )
        .await
    }

    /// The names for a page of payments.
    pub(crate) async fn of_payments(
        tx: &mut TenantTx,
        rows: &[PaymentRow],
    ) -> Result<Self, AppError> {
        Self::of(
            tx,
            rows.iter().map(|r| r.account_id.as_uuid()),
            rows.iter().filter_map(|r| r.branch_id.map(|b| b.as_uuid())),
        )
        .await
    }

    /// A customer named and linked, as JSON for a template.
    pub(crate) fn customer_link(&self, id: Uuid) -> serde_json::Value {
        serde_json::json!({ "name": self.customer(id), "href": format!("/admin/customers/{id}") })
    }

    /// A supplier named and linked, as JSON for a template.
    pub(crate) fn supplier_link(&self, id: Uuid) -> serde_json::Value {
        serde_json::json!({ "name": self.customer(id), "href": format!("/admin/suppliers/{id}") })
    }

    /// A branch's name, or the account-level label.
    pub(crate) fn branch_name(&self, lang: &Lang, id: Option<Uuid>) -> String {
        self.branch(lang, id)
    }

    fn customer(&self, id: Uuid) -> String {
        self.customers.get(&id).cloned().unwrap_or_default()
    }

    /// A branch's name, or "Toda la cuenta" for an account-level document.
    fn branch(&self, lang: &Lang, id: Option<Uuid>) -> String {
        match id {
            None => lang.t("customer-account-level"),
            Some(id) => self.branches.get(&id).cloned().unwrap_or_default(),
        }
    }
}

/// A customer named and linked.
#[derive(Debug, Serialize)]
pub(crate) struct Customer {
    name: String,
    href: String,
}

impl Customer {
    fn of(names: &Names, id: Uuid) -> Self {
        Self {
            name: names.customer(id),
            href: format!("/admin/customers/{id}"),
        }
    }
}

/// An invoice or credit note as a list row or a document's header shows it.
#[derive(Debug, Serialize)]
pub(crate) struct InvoiceItem {
    href: String,
    number: String,
    kind: String,
    is_credit_note: bool,
    customer: Customer,
    branch: String,
    issued_on: String,
    due_on: String,
    currency: String,
    total: String,
    balance: String,
    status: &'static str,
    status_label: String,
}

impl InvoiceItem {
    pub(crate) fn new(lang: &Lang, names: &Names, row: &InvoiceRow, today: NaiveDate) -> Self {
        let status = status(row, today);
        Self {
            href: format!("/admin/invoices/{}", row.id),
            number: row.number.clone(),
            kind: lang.t(&format!("customer-kind-{}", row.kind.as_str())),
            is_credit_note: row.kind == InvoiceKind::CreditNote,
            customer: Customer::of(names, row.account_id.as_uuid()),
            branch: names.branch(lang, row.branch_id.map(|b| b.as_uuid())),
            issued_on: date(lang, row.issued_on),
            due_on: date(lang, row.due_on),
            currency: row.currency.clone(),
            total: amount(row.total, &row.currency),
            balance: amount(row.balance, &row.currency),
            status,
            status_label: lang.t(&format!("customer-status-{status}")),
        }
    }

    /// A page of rows.
    pub(crate) fn list(lang: &Lang, names: &Names, rows: &[InvoiceRow]) -> Vec<Self> {
        let today = today();
        rows.iter()
            .map(|r| Self::new(lang, names, r, today))
            .collect()
    }
}

/// A payment as a list row or its page's header shows it.
#[derive(Debug, Serialize)]
pub(crate) struct PaymentItem {
    href: String,
    number: String,
    customer: Customer,
    branch: String,
    received_on: String,
    method: String,
    reference: Option<String>,
    currency: String,
    amount: String,
    /// The part not applied to any invoice, when there is one.
    unapplied: Option<String>,
}

impl PaymentItem {
    pub(crate) fn new(lang: &Lang, names: &Names, row: &PaymentRow) -> Self {
        Self {
            href: format!("/admin/payments/{}", row.id),
            number: row.number.clone(),
            customer: Customer::of(names, row.account_id.as_uuid()),
            branch: names.branch(lang, row.branch_id.map(|b| b.as_uuid())),
            received_on: date(lang, row.received_on),
            method: lang.t(&format!("customer-method-{}", row.method.as_str())),
            reference: row.reference.clone(),
            currency: row.currency.clone(),
            amount: amount(row.amount, &row.currency),
            unapplied: (!row.unapplied.is_zero()).then(|| amount(row.unapplied, &row.currency)),
        }
    }

    /// A page of rows.
    pub(crate) fn list(lang: &Lang, names: &Names, rows: &[PaymentRow]) -> Vec<Self> {
        rows.iter().map(|r| Self::new(lang, names, r)).collect()
    }
}

/// A document applied to the one shown (a payment or credit note to an
/// invoice, an invoice paid by a payment or credit note), linked.
#[derive(Debug, Serialize)]
pub(crate) struct AppliedItem {
    href: String,
    kind: String,
    number: String,
    date: String,
    amount: String,
}

impl AppliedItem {
    pub(crate) fn list(lang: &Lang, applied: &[Applied], currency: &str) -> Vec<Self> {
        applied
            .iter()
            .map(|a| Self {
                href: match a.kind {
                    "payment" => format!("/admin/payments/{}", a.id),
                    _ => format!("/admin/invoices/{}", a.id),
                },
                kind: match a.kind {
                    "payment" => lang.t("admin-kind-payment"),
                    other => lang.t(&format!("customer-kind-{other}")),
                },
                number: a.number.clone(),
                date: date(lang, a.date),
                amount: amount(a.amount, currency),
            })
            .collect()
    }
}
