//! Invoices, credit notes and payments of the tenant's customers as an ERP pushes
//! them: batches upserted by external reference (the same record again changes
//! nothing), applications of payments and credit notes to invoices, and the
//! balances they leave — all in the caller's one transaction, audited per record.
//! The back office's reads of the same records are here too; what a portal
//! contact sees is in `customer_records.rs`.

use std::collections::{HashMap, HashSet};

use chrono::{NaiveDate, Utc};
use portico_authz::PortalScope;
use portico_domain::{
    AccountKind, FieldErrors,
    money::{self, Dec},
    sales::{Application, InvoiceFields, InvoiceKind, InvoiceLine, PaymentFields, PaymentMethod},
};
use sea_query::{Expr, ExprTrait, Func, Order, Query, SelectStatement};
use serde_json::json;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::areas::customer_records::sees_branch;
use crate::tables::{Accounts, Applications, Branches, InvoiceLines, Invoices, Payments};
use crate::{AccountId, BranchId, By, DataError, DateCursor, TenantTx};

/// What a bulk upsert did with one record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Upserted {
    Created,
    Updated,
    /// The same record as stored: nothing written, nothing audited.
    Unchanged,
}

/// One record of a bulk upsert: its reference, its id and what happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpsertOutcome {
    pub external_ref: String,
    pub id: Uuid,
    pub outcome: Upserted,
}

/// An invoice or credit note in a list.
#[derive(Debug, Clone, PartialEq)]
pub struct InvoiceRow {
    pub id: Uuid,
    pub account_id: AccountId,
    pub branch_id: Option<BranchId>,
    pub kind: InvoiceKind,
    pub number: String,
    pub issued_on: NaiveDate,
    pub due_on: NaiveDate,
    pub currency: String,
    pub total: Dec,
    pub balance: Dec,
}

impl InvoiceRow {
    /// The cursor that continues a list after this row.
    pub fn cursor(&self) -> DateCursor {
        DateCursor::new(self.issued_on, self.id)
    }
}

/// A payment in a list.
#[derive(Debug, Clone, PartialEq)]
pub struct PaymentRow {
    pub id: Uuid,
    pub account_id: AccountId,
    pub branch_id: Option<BranchId>,
    pub number: String,
    pub received_on: NaiveDate,
    pub currency: String,
    pub method: PaymentMethod,
    pub reference: Option<String>,
    pub amount: Dec,
    pub unapplied: Dec,
}

impl PaymentRow {
    /// The cursor that continues a list after this row.
    pub fn cursor(&self) -> DateCursor {
        DateCursor::new(self.received_on, self.id)
    }
}

/// What is applied between an invoice and a payment or credit note, seen from
/// either side: the other document's kind, id, number and date, and the amount.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Applied {
    /// `invoice`, `credit_note` or `payment`.
    pub kind: &'static str,
    pub id: Uuid,
    pub number: String,
    pub date: NaiveDate,
    pub amount: Dec,
}

/// An invoice or credit note with its lines and what was applied.
#[derive(Debug, Clone, PartialEq)]
pub struct InvoiceDetail {
    pub row: InvoiceRow,
    pub external_ref: String,
    pub subtotal: Dec,
    pub tax: Dec,
    pub notes: Option<String>,
    pub lines: Vec<InvoiceLine>,
    pub applied: Vec<Applied>,
}

/// A payment with the invoices it pays (its remittance).
#[derive(Debug, Clone, PartialEq)]
pub struct PaymentDetail {
    pub row: PaymentRow,
    pub external_ref: String,
    pub applied: Vec<Applied>,
}

#[derive(sqlx::FromRow)]
pub(crate) struct InvoiceRowDb {
    id: Uuid,
    account_id: Uuid,
    branch_id: Option<Uuid>,
    kind: String,
    number: String,
    issued_on: NaiveDate,
    due_on: NaiveDate,
    currency: String,
    total: i64,
    balance: i64,
}

impl From<InvoiceRowDb> for InvoiceRow {
    fn from(r: InvoiceRowDb) -> Self {
        InvoiceRow {
            id: r.id,
            account_id: r.account_id.into(),
            branch_id: r.branch_id.map(Into::into),
            kind: InvoiceKind::parse(&r.kind).unwrap_or(InvoiceKind::Invoice),
            number: r.number,
            issued_on: r.issued_on,
            due_on: r.due_on,
            currency: r.currency,
            total: money::amount(r.total),
            balance: money::amount(r.balance),
        }
    }
}

/// The columns [`InvoiceRowDb`] reads.
pub(crate) const INVOICE_COLUMNS: [Invoices; 10] = [
    Invoices::Id,
    Invoices::AccountId,
    Invoices::BranchId,
    Invoices::Kind,
    Invoices::Number,
    Invoices::IssuedOn,
    Invoices::DueOn,
    Invoices::Currency,
    Invoices::Total,
    Invoices::Balance,
];

#[derive(sqlx::FromRow)]
pub(crate) struct PaymentRowDb {
    id: Uuid,
    account_id: Uuid,
    branch_id: Option<Uuid>,
    number: String,
    received_on: NaiveDate,
    currency: String,
    method: String,
    reference: Option<String>,
    amount: i64,
    unapplied: i64,
}

impl From<PaymentRowDb> for PaymentRow {
    fn from(r: PaymentRowDb) -> Self {
        PaymentRow {
            id: r.id,
            account_id: r.account_id.into(),
            branch_id: r.branch_id.map(Into::into),
            number: r.number,
            received_on: r.received_on,
            currency: r.currency,
            method: PaymentMethod::parse(&r.method).unwrap_or(PaymentMethod::Other),
            reference: r.reference,
            amount: money::amount(r.amount),
            unapplied: money::amount(r.unapplied),
        }
    }
}

/// The columns [`PaymentRowDb`] reads.
pub(crate) const PAYMENT_COLUMNS: [Payments; 10] = [
    Payments::Id,
    Payments::AccountId,
    Payments::BranchId,
    Payments::Number,
    Payments::ReceivedOn,
    Payments::Currency,
    Payments::Method,
    Payments::Reference,
    Payments::Amount,
    Payments::Unapplied,
];

#[derive(sqlx::FromRow)]
struct LineDb {
    item_code: Option<String>,
    description: String,
    quantity: i64,
    unit_price: i64,
    tax_rate: i64,
    net: i64,
    tax: i64,
}

#[derive(sqlx::FromRow)]
struct DetailDb {
    external_ref: String,
    subtotal: i64,
    tax: i64,
    notes: Option<String>,
}

#[derive(sqlx::FromRow)]
struct AppliedDb {
    kind: String,
    id: Uuid,
    number: String,
    date: NaiveDate,
    amount: i64,
}

#[derive(sqlx::FromRow)]
struct CodeRow {
    id: Uuid,
    code: String,
}

#[derive(sqlx::FromRow)]
struct BranchCodeRow {
    id: Uuid,
    account_id: Uuid,
    code: String,
}

#[derive(sqlx::FromRow)]
struct ExistingRow {
    id: Uuid,
    external_ref: String,
    account_id: Uuid,
    currency: String,
    digest: String,
    kind: String,
}

#[derive(sqlx::FromRow)]
struct NumberRow {
    external_ref: String,
    number: String,
    kind: String,
}

#[derive(sqlx::FromRow)]
struct TargetRow {
    id: Uuid,
    number: String,
    account_id: Uuid,
    currency: String,
}

#[derive(sqlx::FromRow)]
struct InvoiceIdRow {
    invoice_id: Uuid,
}

/// The ids a batch's codes name, and the problems met resolving them.
pub(crate) struct Resolved {
    pub(crate) accounts: HashMap<String, Uuid>,
    pub(crate) branches: HashMap<(Uuid, String), Uuid>,
}

/// A code or reference as compared: trimmed, lower case.
pub(crate) fn key(code: &str) -> String {
    code.trim().to_lowercase()
}

/// What tells a record sent again unchanged: a hash of what was sent and
/// where it belongs.
pub(crate) fn digest(value: &impl serde::Serialize, account: Uuid, branch: Option<Uuid>) -> String {
    let mut hash = Sha256::new();
    hash.update(serde_json::to_vec(value).unwrap_or_default());
    hash.update(account.as_bytes());
    if let Some(branch) = branch {
        hash.update(branch.as_bytes());
    }
    hex::encode(hash.finalize())
}

/// Which record of a batch, for field paths.
fn at(n: usize) -> String {
    format!("records[{n}]")
}

/// One problem of record `n` of a batch, under `records[n]`.
pub(crate) fn problem(
    errors: &mut FieldErrors,
    n: usize,
    field: &'static str,
    message: &'static str,
) {
    let mut one = FieldErrors::default();
    one.add(field, message);
    errors.nest(&at(n), one);
}

/// The customers' invoices, credit notes and payments of the transaction's tenant.
pub struct SalesArea<'t> {
    pub(crate) tx: &'t mut TenantTx,
}

impl SalesArea<'_> {
    fn tenant(&self) -> Uuid {
        self.tx.tenant_id().as_uuid()
    }

    /// The accounts of `kind` (active customers or suppliers) and their
    /// branches a batch names by code, each unknown one a problem of its
    /// record (under `customer` or `supplier`).
    pub(crate) async fn resolve(
        &mut self,
        kind: AccountKind,
        records: &[(&str, Option<&str>)],
        errors: &mut FieldErrors,
    ) -> Result<Resolved, DataError> {
        let codes: HashSet<String> = records.iter().map(|(c, _)| key(c)).collect();
        let select = Query::select()
            .columns([Accounts::Id, Accounts::Code])
            .from(Accounts::Table)
            .and_where(Expr::col(Accounts::TenantId).eq(self.tenant()))
            .and_where(Expr::col(Accounts::Kind).eq(kind.as_str()))
            .and_where(Expr::col(Accounts::Active).eq(true))
            .and_where(
                Expr::expr(Func::lower(Expr::col(Accounts::Code)))
                    .is_in(codes.iter().map(|c| Expr::val(c.clone()))),
            )
            .to_owned();
        let accounts: HashMap<String, Uuid> = self
            .tx
            .conn
            .fetch_all::<CodeRow>(&select)
            .await?
            .into_iter()
            .map(|r| (key(&r.code), r.id))
            .collect();
        let branch_codes: HashSet<String> =
            records.iter().filter_map(|(_, b)| b.map(key)).collect();
        let mut branches = HashMap::new();
        if !branch_codes.is_empty() && !accounts.is_empty() {
            let select = Query::select()
                .columns([Branches::Id, Branches::AccountId, Branches::Code])
                .from(Branches::Table)
                .and_where(Expr::col(Branches::TenantId).eq(self.tenant()))
                .and_where(Expr::col(Branches::Active).eq(true))
                .and_where(Expr::col(Branches::AccountId).is_in(accounts.values().copied()))
                .and_where(
                    Expr::expr(Func::lower(Expr::col(Branches::Code)))
                        .is_in(branch_codes.iter().map(|c| Expr::val(c.clone()))),
                )
                .to_owned();
            branches = self
                .tx
                .conn
                .fetch_all::<BranchCodeRow>(&select)
                .await?
                .into_iter()
                .map(|r| ((r.account_id, key(&r.code)), r.id))
                .collect();
        }
        let (field, unknown) = match kind {
            AccountKind::Customer => ("customer", "sales-customer-unknown"),
            AccountKind::Supplier => ("supplier", "purchasing-supplier-unknown"),
        };
        for (n, (account, branch)) in records.iter().enumerate() {
            match accounts.get(&key(account)) {
                None => problem(errors, n, field, unknown),
                Some(account) => {
                    if let Some(branch) = branch
                        && !branches.contains_key(&(*account, key(branch)))
                    {
                        problem(errors, n, "branch", "sales-branch-unknown");
                    }
                }
            }
        }
        Ok(Resolved { accounts, branches })
    }

    /// The invoices (kind `invoice`) that applications name, by lowered number.
    async fn targets(
        &mut self,
        numbers: HashSet<String>,
    ) -> Result<HashMap<String, TargetRow>, DataError> {
        if numbers.is_empty() {
            return Ok(HashMap::new());
        }
        let select = Query::select()
            .columns([
                Invoices::Id,
                Invoices::Number,
                Invoices::AccountId,
                Invoices::Currency,
            ])
            .from(Invoices::Table)
            .and_where(Expr::col(Invoices::TenantId).eq(self.tenant()))
            .and_where(Expr::col(Invoices::Kind).eq(InvoiceKind::Invoice.as_str()))
            .and_where(
                Expr::expr(Func::lower(Expr::col(Invoices::Number)))
                    .is_in(numbers.into_iter().map(Expr::val)),
            )
            .to_owned();
        Ok(self
            .tx
            .conn
            .fetch_all::<TargetRow>(&select)
            .await?
            .into_iter()
            .map(|r| (key(&r.number), r))
            .collect())
    }

    /// Checks one record's applications against the invoices they name: the
    /// same customer and currency. Returns `(invoice id, amount)` pairs.
    fn check_applications(
        applied_to: &[Application],
        targets: &HashMap<String, TargetRow>,
        account: Option<Uuid>,
        currency: &str,
        n: usize,
        errors: &mut FieldErrors,
    ) -> Vec<(Uuid, i64)> {
        let mut out = Vec::with_capacity(applied_to.len());
        for (i, application) in applied_to.iter().enumerate() {
            let within = format!("{}.applied_to[{i}]", at(n));
            let mut one = FieldErrors::default();
            match targets.get(&key(&application.invoice)) {
                None => one.add("invoice", "sales-invoice-unknown"),
                Some(target) if Some(target.account_id) != account => {
                    one.add("invoice", "sales-invoice-other-customer");
                }
                Some(target) if target.currency != currency => {
                    one.add("invoice", "sales-invoice-other-currency");
                }
                Some(target) => out.push((target.id, money::to_stored(application.amount))),
            }
            errors.nest(&within, one);
        }
        out
    }

    /// Records already stored under these external references.
    async fn existing<T: sea_query::Iden + Copy + 'static>(
        &mut self,
        table: T,
        columns: [T; 6],
        refs: impl Iterator<Item = String>,
    ) -> Result<HashMap<String, ExistingRow>, DataError> {
        let [id, external_ref, account, currency, digest, kind] = columns;
        let select = Query::select()
            .expr_as(Expr::col(id), "id")
            .expr_as(Expr::col(external_ref), "external_ref")
            .expr_as(Expr::col(account), "account_id")
            .expr_as(Expr::col(currency), "currency")
            .expr_as(Expr::col(digest), "digest")
            .expr_as(Expr::col(kind), "kind")
            .from(table)
            .and_where(Expr::col("tenant_id").eq(self.tenant()))
            .and_where(Expr::col(external_ref).is_in(refs))
            .to_owned();
        Ok(self
            .tx
            .conn
            .fetch_all::<ExistingRow>(&select)
            .await?
            .into_iter()
            .map(|r| (r.external_ref.clone(), r))
            .collect())
    }

    /// Upserts a batch of invoices and credit notes by external reference, in
    /// this transaction: each new one is created, each changed one replaced
    /// (lines and applications with it), each unchanged one left alone; then
    /// the balances of every invoice touched are recomputed. Nothing is written
    /// when any record has a problem: every problem is returned, under
    /// `records[n]`.
    pub async fn upsert_invoices(
        &mut self,
        records: &[InvoiceFields],
        by: By<'_>,
    ) -> Result<Vec<UpsertOutcome>, DataError> {
        let mut errors = FieldErrors::default();
        let mut refs = HashSet::new();
        let mut numbers = HashSet::new();
        for (n, r) in records.iter().enumerate() {
            if !refs.insert(r.external_ref.clone()) {
                problem(&mut errors, n, "external_ref", "field-repeated");
            }
            if !numbers.insert((r.kind, key(&r.number))) {
                problem(&mut errors, n, "number", "field-repeated");
            }
        }
        let codes: Vec<(&str, Option<&str>)> = records
            .iter()
            .map(|r| (r.customer.as_str(), r.branch.as_deref()))
            .collect();
        let resolved = self
            .resolve(AccountKind::Customer, &codes, &mut errors)
            .await?;
        let existing = self
            .existing(
                Invoices::Table,
                [
                    Invoices::Id,
                    Invoices::ExternalRef,
                    Invoices::AccountId,
                    Invoices::Currency,
                    Invoices::Digest,
                    Invoices::Kind,
                ],
                refs.into_iter(),
            )
            .await?;
        // A number taken by another record of the same kind.
        let select = Query::select()
            .columns([Invoices::ExternalRef, Invoices::Number, Invoices::Kind])
            .from(Invoices::Table)
            .and_where(Expr::col(Invoices::TenantId).eq(self.tenant()))
            .and_where(
                Expr::expr(Func::lower(Expr::col(Invoices::Number)))
                    .is_in(numbers.iter().map(|(_, n)| Expr::val(n.clone()))),
            )
            .to_owned();
        let taken: HashMap<(String, String), String> = self
            .tx
            .conn
            .fetch_all::<NumberRow>(&select)
            .await?
            .into_iter()
            .map(|r| ((r.kind, key(&r.number)), r.external_ref))
            .collect();
        let targets = self
            .targets(
                records
                    .iter()
                    .flat_map(|r| r.applied_to.iter().map(|a| key(&a.invoice)))
                    .collect(),
            )
            .await?;
        let mut plans = Vec::with_capacity(records.len());
        for (n, r) in records.iter().enumerate() {
            let account = resolved.accounts.get(&key(&r.customer)).copied();
            let branch = account.and_then(|a| {
                r.branch
                    .as_deref()
                    .and_then(|b| resolved.branches.get(&(a, key(b))).copied())
            });
            if let Some(holder) = taken.get(&(r.kind.as_str().to_owned(), key(&r.number)))
                && *holder != r.external_ref
            {
                problem(&mut errors, n, "number", "field-value-taken");
            }
            let old = existing.get(&r.external_ref);
            if let Some(old) = old {
                if old.kind != r.kind.as_str() {
                    problem(&mut errors, n, "kind", "sales-kind-changed");
                }
                if Some(old.account_id) != account {
                    problem(&mut errors, n, "customer", "sales-customer-changed");
                }
                if old.currency != r.currency {
                    problem(&mut errors, n, "currency", "sales-currency-changed");
                }
            }
            let applications = Self::check_applications(
                &r.applied_to,
                &targets,
                account,
                &r.currency,
                n,
                &mut errors,
            );
            plans.push((account.unwrap_or_default(), branch, old, applications));
        }
        if !errors.is_empty() {
            return Err(DataError::Invalid(errors));
        }
        let now = Utc::now();
        let mut outcomes = Vec::with_capacity(records.len());
        let mut touched: HashSet<Uuid> = HashSet::new();
        for (r, (account, branch, old, applications)) in records.iter().zip(plans) {
            let digest = digest(&r.as_sent(), account, branch);
            let (id, outcome) = match old {
                Some(old) if old.digest == digest => (old.id, Upserted::Unchanged),
                Some(old) => (old.id, Upserted::Updated),
                None => (Uuid::now_v7(), Upserted::Created),
            };
            outcomes.push(UpsertOutcome {
                external_ref: r.external_ref.clone(),
                id,
                outcome,
            });
            if outcome == Upserted::Unchanged {
                continue;
            }
            let values = [
                (Invoices::BranchId, branch.into()),
                (Invoices::Number, r.number.clone().into()),
                (Invoices::IssuedOn, r.issued_on.into()),
                (Invoices::DueOn, r.due_on.into()),
                (Invoices::Currency, r.currency.clone().into()),
                (Invoices::Subtotal, money::to_stored(r.subtotal).into()),
                (Invoices::Tax, money::to_stored(r.tax).into()),
                (Invoices::Total, money::to_stored(r.total).into()),
                // Recomputed below, once the applications are written.
                (Invoices::Balance, 0_i64.into()),
                (Invoices::Notes, r.notes.clone().into()),
                (Invoices::Digest, digest.into()),
                (Invoices::UpdatedAt, now.into()),
            ];
            if outcome == Upserted::Created {
                let (mut columns, mut row): (Vec<Invoices>, Vec<sea_query::Expr>) = values
                    .into_iter()
                    .map(|(c, v): (Invoices, sea_query::Value)| (c, Expr::val(v)))
                    .unzip();
                columns.extend([
                    Invoices::TenantId,
                    Invoices::Id,
                    Invoices::AccountId,
                    Invoices::Kind,
                    Invoices::ExternalRef,
                    Invoices::CreatedAt,
                ]);
                row.extend([
                    Expr::val(self.tenant()),
                    Expr::val(id),
                    Expr::val(account),
                    Expr::val(r.kind.as_str()),
                    Expr::val(r.external_ref.clone()),
                    Expr::val(now),
                ]);
                let insert = Query::insert()
                    .into_table(Invoices::Table)
                    .columns(columns)
                    .values_panic(row)
                    .to_owned();
                self.tx.conn.execute(&insert).await?;
            } else {
                let update = Query::update()
                    .table(Invoices::Table)
                    .values(values.into_iter().map(|(c, v)| (c, Expr::val(v))))
                    .and_where(Expr::col(Invoices::TenantId).eq(self.tenant()))
                    .and_where(Expr::col(Invoices::Id).eq(id))
                    .to_owned();
                self.tx.conn.execute(&update).await?;
                let delete = Query::delete()
                    .from_table(InvoiceLines::Table)
                    .and_where(Expr::col(InvoiceLines::TenantId).eq(self.tenant()))
                    .and_where(Expr::col(InvoiceLines::InvoiceId).eq(id))
                    .to_owned();
                self.tx.conn.execute(&delete).await?;
            }
            self.insert_lines(id, &r.lines).await?;
            touched.insert(id);
            touched.extend(self.replace_applications(id, &applications).await?);
            let action = match (r.kind, outcome) {
                (InvoiceKind::Invoice, Upserted::Created) => "invoice.create",
                (InvoiceKind::Invoice, _) => "invoice.update",
                (InvoiceKind::CreditNote, Upserted::Created) => "credit_note.create",
                (InvoiceKind::CreditNote, _) => "credit_note.update",
            };
            self.tx
                .audit()
                .log(
                    by,
                    action,
                    (r.kind.as_str(), id),
                    Some(account),
                    json!({ "after": {
                        "number": r.number,
                        "external_ref": r.external_ref,
                        "issued_on": r.issued_on,
                        "due_on": r.due_on,
                        "currency": r.currency,
                        "total": r.total,
                        "lines": r.lines.len(),
                        "applied_to": r.applied_to,
                    } }),
                )
                .await?;
        }
        self.settle(&touched, records, &outcomes).await?;
        Ok(outcomes)
    }

    async fn insert_lines(
        &mut self,
        invoice: Uuid,
        lines: &[InvoiceLine],
    ) -> Result<(), DataError> {
        // A few hundred rows per statement stays far below either backend's
        // limit on bound values (SQLite: 32,766).
        for (chunk_no, chunk) in lines.chunks(200).enumerate() {
            let mut insert = Query::insert()
                .into_table(InvoiceLines::Table)
                .columns([
                    InvoiceLines::TenantId,
                    InvoiceLines::InvoiceId,
                    InvoiceLines::Position,
                    InvoiceLines::ItemCode,
                    InvoiceLines::Description,
                    InvoiceLines::Quantity,
                    InvoiceLines::UnitPrice,
                    InvoiceLines::TaxRate,
                    InvoiceLines::Net,
                    InvoiceLines::Tax,
                ])
                .to_owned();
            for (i, line) in chunk.iter().enumerate() {
                let position = i32::try_from(chunk_no * 200 + i + 1).unwrap_or(i32::MAX);
                insert.values_panic([
                    self.tenant().into(),
                    invoice.into(),
                    position.into(),
                    line.item_code.clone().into(),
                    line.description.clone().into(),
                    money::to_stored(line.quantity).into(),
                    money::to_stored(line.unit_price).into(),
                    money::to_stored(line.tax_rate).into(),
                    money::to_stored(line.net).into(),
                    money::to_stored(line.tax).into(),
                ]);
            }
            self.tx.conn.execute(&insert).await?;
        }
        Ok(())
    }

    /// Replaces what `source` (a payment or credit note) applies; returns the
    /// invoices whose balance this may change (before and after).
    async fn replace_applications(
        &mut self,
        source: Uuid,
        applications: &[(Uuid, i64)],
    ) -> Result<Vec<Uuid>, DataError> {
        let select = Query::select()
            .column(Applications::InvoiceId)
            .from(Applications::Table)
            .and_where(Expr::col(Applications::TenantId).eq(self.tenant()))
            .and_where(Expr::col(Applications::SourceId).eq(source))
            .to_owned();
        let mut touched: Vec<Uuid> = self
            .tx
            .conn
            .fetch_all::<InvoiceIdRow>(&select)
            .await?
            .into_iter()
            .map(|r| r.invoice_id)
            .collect();
        if !touched.is_empty() {
            let delete = Query::delete()
                .from_table(Applications::Table)
                .and_where(Expr::col(Applications::TenantId).eq(self.tenant()))
                .and_where(Expr::col(Applications::SourceId).eq(source))
                .to_owned();
            self.tx.conn.execute(&delete).await?;
        }
        if !applications.is_empty() {
            let mut insert = Query::insert()
                .into_table(Applications::Table)
                .columns([
                    Applications::TenantId,
                    Applications::SourceId,
                    Applications::InvoiceId,
                    Applications::Amount,
                ])
                .to_owned();
            for (invoice, amount) in applications {
                insert.values_panic([
                    self.tenant().into(),
                    source.into(),
                    (*invoice).into(),
                    (*amount).into(),
                ]);
                touched.push(*invoice);
            }
            self.tx.conn.execute(&insert).await?;
        }
        Ok(touched)
    }

    /// Recomputes the balance of each touched invoice and credit note, and
    /// refuses (naming the records of the batch involved) when more was
    /// applied to an invoice than its total.
    async fn settle(
        &mut self,
        touched: &HashSet<Uuid>,
        records: &[InvoiceFields],
        outcomes: &[UpsertOutcome],
    ) -> Result<(), DataError> {
        if touched.is_empty() {
            return Ok(());
        }
        let applied_to_it = "COALESCE((SELECT SUM(a.amount) FROM applications a \
             WHERE a.tenant_id = invoices.tenant_id AND a.invoice_id = invoices.id), 0)";
        let applied_by_it = "COALESCE((SELECT SUM(a.amount) FROM applications a \
             WHERE a.tenant_id = invoices.tenant_id AND a.source_id = invoices.id), 0)";
        let over = Query::select()
            .columns([Invoices::Id, Invoices::Number])
            .from(Invoices::Table)
            .and_where(Expr::col(Invoices::TenantId).eq(self.tenant()))
            .and_where(Expr::col(Invoices::Id).is_in(touched.iter().copied()))
            .and_where(Expr::cust(format!("{applied_to_it} > invoices.total")))
            .to_owned();
        let over: Vec<TargetNumber> = self.tx.conn.fetch_all(&over).await?;
        if !over.is_empty() {
            let mut errors = FieldErrors::default();
            let over_ids: HashSet<Uuid> = over.iter().map(|o| o.id).collect();
            let over_numbers: HashSet<String> = over.iter().map(|o| key(&o.number)).collect();
            for (n, (r, done)) in records.iter().zip(outcomes).enumerate() {
                if over_ids.contains(&done.id) {
                    problem(&mut errors, n, "lines", "sales-total-below-applied");
                }
                if r.applied_to
                    .iter()
                    .any(|a| over_numbers.contains(&key(&a.invoice)))
                {
                    problem(&mut errors, n, "applied_to", "sales-over-applied");
                }
            }
            if errors.is_empty() {
                errors.add("records", "sales-over-applied");
            }
            return Err(DataError::Invalid(errors));
        }
        let update = Query::update()
            .table(Invoices::Table)
            .value(
                Invoices::Balance,
                Expr::cust(format!(
                    "invoices.total - {applied_to_it} - {applied_by_it}"
                )),
            )
            .and_where(Expr::col(Invoices::TenantId).eq(self.tenant()))
            .and_where(Expr::col(Invoices::Id).is_in(touched.iter().copied()))
            .to_owned();
        self.tx.conn.execute(&update).await?;
        Ok(())
    }

    /// Upserts a batch of payments by external reference, with the invoices
    /// each pays, like [`Self::upsert_invoices`].
    pub async fn upsert_payments(
        &mut self,
        records: &[PaymentFields],
        by: By<'_>,
    ) -> Result<Vec<UpsertOutcome>, DataError> {
        let mut errors = FieldErrors::default();
        let mut refs = HashSet::new();
        let mut numbers = HashSet::new();
        for (n, r) in records.iter().enumerate() {
            if !refs.insert(r.external_ref.clone()) {
                problem(&mut errors, n, "external_ref", "field-repeated");
            }
            if !numbers.insert(key(&r.number)) {
                problem(&mut errors, n, "number", "field-repeated");
            }
        }
        let codes: Vec<(&str, Option<&str>)> = records
            .iter()
            .map(|r| (r.customer.as_str(), r.branch.as_deref()))
            .collect();
        let resolved = self
            .resolve(AccountKind::Customer, &codes, &mut errors)
            .await?;
        let existing = self
            .existing(
                Payments::Table,
                [
                    Payments::Id,
                    Payments::ExternalRef,
                    Payments::AccountId,
                    Payments::Currency,
                    Payments::Digest,
                    // Payments have no kind; any column stands in.
                    Payments::Method,
                ],
                refs.into_iter(),
            )
            .await?;
        let select = Query::select()
            .column(Payments::ExternalRef)
            .expr_as(Expr::col(Payments::Number), "number")
            .expr_as(Expr::val("payment"), "kind")
            .from(Payments::Table)
            .and_where(Expr::col(Payments::TenantId).eq(self.tenant()))
            .and_where(
                Expr::expr(Func::lower(Expr::col(Payments::Number)))
                    .is_in(numbers.iter().map(|n| Expr::val(n.clone()))),
            )
            .to_owned();
        let taken: HashMap<String, String> = self
            .tx
            .conn
            .fetch_all::<NumberRow>(&select)
            .await?
            .into_iter()
            .map(|r| (key(&r.number), r.external_ref))
            .collect();
        let targets = self
            .targets(
                records
                    .iter()
                    .flat_map(|r| r.applied_to.iter().map(|a| key(&a.invoice)))
                    .collect(),
            )
            .await?;
        let mut plans = Vec::with_capacity(records.len());
        for (n, r) in records.iter().enumerate() {
            let account = resolved.accounts.get(&key(&r.customer)).copied();
            let branch = account.and_then(|a| {
                r.branch
                    .as_deref()
                    .and_then(|b| resolved.branches.get(&(a, key(b))).copied())
            });
            if let Some(holder) = taken.get(&key(&r.number))
                && *holder != r.external_ref
            {
                problem(&mut errors, n, "number", "field-value-taken");
            }
            let old = existing.get(&r.external_ref);
            if let Some(old) = old {
                if Some(old.account_id) != account {
                    problem(&mut errors, n, "customer", "sales-customer-changed");
                }
                if old.currency != r.currency {
                    problem(&mut errors, n, "currency", "sales-currency-changed");
                }
            }
            let applications = Self::check_applications(
                &r.applied_to,
                &targets,
                account,
                &r.currency,
                n,
                &mut errors,
            );
            plans.push((account.unwrap_or_default(), branch, old, applications));
        }
        if !errors.is_empty() {
            return Err(DataError::Invalid(errors));
        }
        let now = Utc::now();
        let mut outcomes = Vec::with_capacity(records.len());
        let mut touched: HashSet<Uuid> = HashSet::new();
        for (r, (account, branch, old, applications)) in records.iter().zip(plans) {
            let digest = digest(r, account, branch);
            let (id, outcome) = match old {
                Some(old) if old.digest == digest => (old.id, Upserted::Unchanged),
                Some(old) => (old.id, Upserted::Updated),
                None => (Uuid::now_v7(), Upserted::Created),
            };
            outcomes.push(UpsertOutcome {
                external_ref: r.external_ref.clone(),
                id,
                outcome,
            });
            if outcome == Upserted::Unchanged {
                continue;
            }
            let applied: i64 = applications.iter().map(|(_, a)| a).sum();
            let amount = money::to_stored(r.amount);
            let values = [
                (Payments::BranchId, branch.into()),
                (Payments::Number, r.number.clone().into()),
                (Payments::ReceivedOn, r.received_on.into()),
                (Payments::Currency, r.currency.clone().into()),
                (Payments::Method, r.method.as_str().into()),
                (Payments::Reference, r.reference.clone().into()),
                (Payments::Amount, amount.into()),
                (Payments::Unapplied, (amount - applied).into()),
                (Payments::Digest, digest.into()),
                (Payments::UpdatedAt, now.into()),
            ];
            if outcome == Upserted::Created {
                let (mut columns, mut row): (Vec<Payments>, Vec<sea_query::Expr>) = values
                    .into_iter()
                    .map(|(c, v): (Payments, sea_query::Value)| (c, Expr::val(v)))
                    .unzip();
                columns.extend([
                    Payments::TenantId,
                    Payments::Id,
                    Payments::AccountId,
                    Payments::ExternalRef,
                    Payments::CreatedAt,
                ]);
                row.extend([
                    Expr::val(self.tenant()),
                    Expr::val(id),
                    Expr::val(account),
                    Expr::val(r.external_ref.clone()),
                    Expr::val(now),
                ]);
                let insert = Query::insert()
                    .into_table(Payments::Table)
                    .columns(columns)
                    .values_panic(row)
                    .to_owned();
                self.tx.conn.execute(&insert).await?;
            } else {
                let update = Query::update()
                    .table(Payments::Table)
                    .values(values.into_iter().map(|(c, v)| (c, Expr::val(v))))
                    .and_where(Expr::col(Payments::TenantId).eq(self.tenant()))
                    .and_where(Expr::col(Payments::Id).eq(id))
                    .to_owned();
                self.tx.conn.execute(&update).await?;
            }
            touched.extend(self.replace_applications(id, &applications).await?);
            let action = if outcome == Upserted::Created {
                "payment.create"
            } else {
                "payment.update"
            };
            self.tx
                .audit()
                .log(
                    by,
                    action,
                    ("payment", id),
                    Some(account),
                    json!({ "after": {
                        "number": r.number,
                        "external_ref": r.external_ref,
                        "received_on": r.received_on,
                        "currency": r.currency,
                        "amount": r.amount,
                        "applied_to": r.applied_to,
                    } }),
                )
                .await?;
        }
        self.settle_payments(&touched, records).await?;
        Ok(outcomes)
    }

    /// Like [`Self::settle`] for a batch of payments: the invoices they pay.
    async fn settle_payments(
        &mut self,
        touched: &HashSet<Uuid>,
        records: &[PaymentFields],
    ) -> Result<(), DataError> {
        if touched.is_empty() {
            return Ok(());
        }
        let applied_to_it = "COALESCE((SELECT SUM(a.amount) FROM applications a \
             WHERE a.tenant_id = invoices.tenant_id AND a.invoice_id = invoices.id), 0)";
        let over = Query::select()
            .columns([Invoices::Id, Invoices::Number])
            .from(Invoices::Table)
            .and_where(Expr::col(Invoices::TenantId).eq(self.tenant()))
            .and_where(Expr::col(Invoices::Id).is_in(touched.iter().copied()))
            .and_where(Expr::cust(format!("{applied_to_it} > invoices.total")))
            .to_owned();
        let over: Vec<TargetNumber> = self.tx.conn.fetch_all(&over).await?;
        if !over.is_empty() {
            let over_numbers: HashSet<String> = over.iter().map(|o| key(&o.number)).collect();
            let mut errors = FieldErrors::default();
            for (n, r) in records.iter().enumerate() {
                if r.applied_to
                    .iter()
                    .any(|a| over_numbers.contains(&key(&a.invoice)))
                {
                    problem(&mut errors, n, "applied_to", "sales-over-applied");
                }
            }
            return Err(DataError::Invalid(errors));
        }
        let update = Query::update()
            .table(Invoices::Table)
            .value(
                Invoices::Balance,
                Expr::cust(format!("invoices.total - {applied_to_it}")),
            )
            .and_where(Expr::col(Invoices::TenantId).eq(self.tenant()))
            .and_where(Expr::col(Invoices::Id).is_in(touched.iter().copied()))
            .to_owned();
        self.tx.conn.execute(&update).await?;
        Ok(())
    }

    /// Every customer's invoices and credit notes, newest first, optionally of
    /// one customer, at most `limit` after `after` (the back office's list).
    pub async fn invoices(
        &mut self,
        account: Option<AccountId>,
        after: Option<&DateCursor>,
        limit: u64,
    ) -> Result<Vec<InvoiceRow>, DataError> {
        let mut select = Query::select()
            .columns(INVOICE_COLUMNS)
            .from(Invoices::Table)
            .and_where(Expr::col(Invoices::TenantId).eq(self.tenant()))
            .order_by(Invoices::IssuedOn, Order::Desc)
            .order_by(Invoices::Id, Order::Desc)
            .limit(limit)
            .to_owned();
        if let Some(account) = account {
            select.and_where(Expr::col(Invoices::AccountId).eq(account.as_uuid()));
        }
        if let Some(cursor) = after {
            select.and_where(crate::listing::after_cursor(
                Invoices::IssuedOn,
                Invoices::Id,
                cursor,
                Order::Desc,
            ));
        }
        let rows: Vec<InvoiceRowDb> = self.tx.conn.fetch_all(&select).await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// Every customer's payments, newest first, like [`Self::invoices`].
    pub async fn payments(
        &mut self,
        account: Option<AccountId>,
        after: Option<&DateCursor>,
        limit: u64,
    ) -> Result<Vec<PaymentRow>, DataError> {
        let mut select = Query::select()
            .columns(PAYMENT_COLUMNS)
            .from(Payments::Table)
            .and_where(Expr::col(Payments::TenantId).eq(self.tenant()))
            .order_by(Payments::ReceivedOn, Order::Desc)
            .order_by(Payments::Id, Order::Desc)
            .limit(limit)
            .to_owned();
        if let Some(account) = account {
            select.and_where(Expr::col(Payments::AccountId).eq(account.as_uuid()));
        }
        if let Some(cursor) = after {
            select.and_where(crate::listing::after_cursor(
                Payments::ReceivedOn,
                Payments::Id,
                cursor,
                Order::Desc,
            ));
        }
        let rows: Vec<PaymentRowDb> = self.tx.conn.fetch_all(&select).await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// One invoice or credit note of this tenant, with lines and applications.
    pub async fn invoice(&mut self, id: Uuid) -> Result<Option<InvoiceDetail>, DataError> {
        let select = Query::select()
            .columns(INVOICE_COLUMNS)
            .from(Invoices::Table)
            .and_where(Expr::col(Invoices::TenantId).eq(self.tenant()))
            .and_where(Expr::col(Invoices::Id).eq(id))
            .to_owned();
        self.invoice_detail(select, None).await
    }

    /// The detail of the one invoice `select` (of [`INVOICE_COLUMNS`]) finds.
    ///
    /// With a portal scope, what was applied between it and documents of
    /// branches the scope does not see is left out.
    pub(crate) async fn invoice_detail(
        &mut self,
        select: SelectStatement,
        scope: Option<&PortalScope>,
    ) -> Result<Option<InvoiceDetail>, DataError> {
        let Some(row) = self.tx.conn.fetch_optional::<InvoiceRowDb>(&select).await? else {
            return Ok(None);
        };
        let row = InvoiceRow::from(row);
        let detail = Query::select()
            .columns([
                Invoices::ExternalRef,
                Invoices::Subtotal,
                Invoices::Tax,
                Invoices::Notes,
            ])
            .from(Invoices::Table)
            .and_where(Expr::col(Invoices::TenantId).eq(self.tenant()))
            .and_where(Expr::col(Invoices::Id).eq(row.id))
            .to_owned();
        let detail: DetailDb = self
            .tx
            .conn
            .fetch_optional(&detail)
            .await?
            .ok_or_else(|| DataError::Corrupt("an invoice read a moment ago is gone".into()))?;
        let lines = Query::select()
            .columns([
                InvoiceLines::ItemCode,
                InvoiceLines::Description,
                InvoiceLines::Quantity,
                InvoiceLines::UnitPrice,
                InvoiceLines::TaxRate,
                InvoiceLines::Net,
                InvoiceLines::Tax,
            ])
            .from(InvoiceLines::Table)
            .and_where(Expr::col(InvoiceLines::TenantId).eq(self.tenant()))
            .and_where(Expr::col(InvoiceLines::InvoiceId).eq(row.id))
            .order_by(InvoiceLines::Position, Order::Asc)
            .to_owned();
        let lines: Vec<LineDb> = self.tx.conn.fetch_all(&lines).await?;
        let applied = self.applied_to_invoice(row.id, row.kind, scope).await?;
        Ok(Some(InvoiceDetail {
            external_ref: detail.external_ref,
            subtotal: money::amount(detail.subtotal),
            tax: money::amount(detail.tax),
            notes: detail.notes,
            lines: lines
                .into_iter()
                .map(|l| InvoiceLine {
                    item_code: l.item_code,
                    description: l.description,
                    quantity: money::from_stored(l.quantity, 0).normalize(),
                    unit_price: money::from_stored(l.unit_price, 2),
                    tax_rate: money::from_stored(l.tax_rate, 0).normalize(),
                    net: money::amount(l.net),
                    tax: money::amount(l.tax),
                })
                .collect(),
            applied,
            row,
        }))
    }

    /// For an invoice: the payments and credit notes applied to it; for a
    /// credit note: the invoices it was applied to. Oldest first.
    async fn applied_to_invoice(
        &mut self,
        id: Uuid,
        kind: InvoiceKind,
        scope: Option<&PortalScope>,
    ) -> Result<Vec<Applied>, DataError> {
        let tenant = self.tenant();
        let rows: Vec<AppliedDb> = match kind {
            InvoiceKind::Invoice => {
                let payments = Query::select()
                    .expr_as(Expr::val("payment"), "kind")
                    .expr_as(Expr::col((Payments::Table, Payments::Id)), "id")
                    .expr_as(Expr::col((Payments::Table, Payments::Number)), "number")
                    .expr_as(Expr::col((Payments::Table, Payments::ReceivedOn)), "date")
                    .expr_as(
                        Expr::col((Applications::Table, Applications::Amount)),
                        "amount",
                    )
                    .from(Applications::Table)
                    .inner_join(
                        Payments::Table,
                        Expr::col((Payments::Table, Payments::TenantId))
                            .equals((Applications::Table, Applications::TenantId))
                            .and(
                                Expr::col((Payments::Table, Payments::Id))
                                    .equals((Applications::Table, Applications::SourceId)),
                            ),
                    )
                    .and_where(Expr::col((Applications::Table, Applications::TenantId)).eq(tenant))
                    .and_where(Expr::col((Applications::Table, Applications::InvoiceId)).eq(id))
                    .and_where_option(
                        scope.and_then(|s| sees_branch(s, (Payments::Table, Payments::BranchId))),
                    )
                    .to_owned();
                let notes = Query::select()
                    .expr_as(Expr::val("credit_note"), "kind")
                    .expr_as(Expr::col((Invoices::Table, Invoices::Id)), "id")
                    .expr_as(Expr::col((Invoices::Table, Invoices::Number)), "number")
                    .expr_as(Expr::col((Invoices::Table, Invoices::IssuedOn)), "date")
                    .expr_as(
                        Expr::col((Applications::Table, Applications::Amount)),
                        "amount",
                    )
                    .from(Applications::Table)
                    .inner_join(
                        Invoices::Table,
                        Expr::col((Invoices::Table, Invoices::TenantId))
                            .equals((Applications::Table, Applications::TenantId))
                            .and(
                                Expr::col((Invoices::Table, Invoices::Id))
                                    .equals((Applications::Table, Applications::SourceId)),
                            ),
                    )
                    .and_where(Expr::col((Applications::Table, Applications::TenantId)).eq(tenant))
                    .and_where(Expr::col((Applications::Table, Applications::InvoiceId)).eq(id))
                    .and_where_option(
                        scope.and_then(|s| sees_branch(s, (Invoices::Table, Invoices::BranchId))),
                    )
                    .to_owned();
                let mut a = self.tx.conn.fetch_all::<AppliedDb>(&payments).await?;
                a.extend(self.tx.conn.fetch_all::<AppliedDb>(&notes).await?);
                a
            }
            InvoiceKind::CreditNote => self.applied_by_source(id, scope).await?,
        };
        let mut applied: Vec<Applied> = rows.into_iter().map(Applied::from).collect();
        applied.sort_by_key(|a| (a.date, a.id));
        Ok(applied)
    }

    /// The invoices a payment or credit note pays.
    async fn applied_by_source(
        &mut self,
        source: Uuid,
        scope: Option<&PortalScope>,
    ) -> Result<Vec<AppliedDb>, DataError> {
        let select = Query::select()
            .expr_as(Expr::val("invoice"), "kind")
            .expr_as(Expr::col((Invoices::Table, Invoices::Id)), "id")
            .expr_as(Expr::col((Invoices::Table, Invoices::Number)), "number")
            .expr_as(Expr::col((Invoices::Table, Invoices::IssuedOn)), "date")
            .expr_as(
                Expr::col((Applications::Table, Applications::Amount)),
                "amount",
            )
            .from(Applications::Table)
            .inner_join(
                Invoices::Table,
                Expr::col((Invoices::Table, Invoices::TenantId))
                    .equals((Applications::Table, Applications::TenantId))
                    .and(
                        Expr::col((Invoices::Table, Invoices::Id))
                            .equals((Applications::Table, Applications::InvoiceId)),
                    ),
            )
            .and_where(Expr::col((Applications::Table, Applications::TenantId)).eq(self.tenant()))
            .and_where(Expr::col((Applications::Table, Applications::SourceId)).eq(source))
            .and_where_option(
                scope.and_then(|s| sees_branch(s, (Invoices::Table, Invoices::BranchId))),
            )
            .order_by((Invoices::Table, Invoices::IssuedOn), Order::Asc)
            .order_by((Invoices::Table, Invoices::Id), Order::Asc)
            .to_owned();
        self.tx.conn.fetch_all(&select).await
    }

    /// One payment of this tenant with the invoices it pays.
    pub async fn payment(&mut self, id: Uuid) -> Result<Option<PaymentDetail>, DataError> {
        let select = Query::select()
            .columns(PAYMENT_COLUMNS)
            .from(Payments::Table)
            .and_where(Expr::col(Payments::TenantId).eq(self.tenant()))
            .and_where(Expr::col(Payments::Id).eq(id))
            .to_owned();
        self.payment_detail(select, None).await
    }

    /// The detail of the one payment `select` (of [`PAYMENT_COLUMNS`]) finds.
    ///
    /// With a portal scope, invoices of branches it does not see are left out.
    pub(crate) async fn payment_detail(
        &mut self,
        select: SelectStatement,
        scope: Option<&PortalScope>,
    ) -> Result<Option<PaymentDetail>, DataError> {
        let Some(row) = self.tx.conn.fetch_optional::<PaymentRowDb>(&select).await? else {
            return Ok(None);
        };
        let row = PaymentRow::from(row);
        let reference = Query::select()
            .expr_as(Expr::col(Payments::ExternalRef), "id")
            .from(Payments::Table)
            .and_where(Expr::col(Payments::TenantId).eq(self.tenant()))
            .and_where(Expr::col(Payments::Id).eq(row.id))
            .to_owned();
        let external_ref: Option<ExternalRefRow> = self.tx.conn.fetch_optional(&reference).await?;
        let applied = self
            .applied_by_source(row.id, scope)
            .await?
            .into_iter()
            .map(Applied::from)
            .collect();
        Ok(Some(PaymentDetail {
            external_ref: external_ref.map(|r| r.id).unwrap_or_default(),
            applied,
            row,
        }))
    }
}

#[derive(sqlx::FromRow)]
struct ExternalRefRow {
    id: String,
}

#[derive(sqlx::FromRow)]
struct TargetNumber {
    id: Uuid,
    number: String,
}

impl From<AppliedDb> for Applied {
    fn from(r: AppliedDb) -> Self {
        Applied {
            kind: match r.kind.as_str() {
                "payment" => "payment",
                "credit_note" => "credit_note",
                _ => "invoice",
            },
            id: r.id,
            number: r.number,
            date: r.date,
            amount: money::amount(r.amount),
        }
    }
}
