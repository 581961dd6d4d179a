//! What a customer contact sees of its customer's money records, read through
//! its `PortalScope` and filtered in SQL by account and visible branches: pages
//! of invoices and payments, one document, the receivables' ageing and open
//! items, and the statement of a date range. Account-level records (no branch)
//! follow the grant alone.

use chrono::{Days, NaiveDate};
use portico_authz::PortalScope;
use portico_domain::{
    Portal,
    money::{self, Dec},
    sales::InvoiceKind,
};
use sea_query::{
    Alias, ColumnRef, Expr, ExprTrait, Func, IntoColumnRef, Order, Query, SelectStatement,
    UnionType,
};
use uuid::Uuid;

use crate::areas::sales::{
    INVOICE_COLUMNS, InvoiceDetail, InvoiceRow, InvoiceRowDb, PAYMENT_COLUMNS, PaymentDetail,
    PaymentRow, PaymentRowDb,
};
use crate::tables::{Invoices, Payments};
use crate::{BranchId, DataError, DateCursor, RecordTable, TenantTx};

/// The most movements a statement lists; a longer range is cut there and says so.
pub const STATEMENT_MOVEMENTS: usize = 1000;

/// The ageing buckets, by days past due: not yet due, 1–30, 31–60, 61–90, over 90.
pub const BUCKETS: usize = 5;

/// What a customer owes in one currency, by age.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Ageing {
    pub currency: String,
    /// Not yet due, 1–30, 31–60, 61–90 and over 90 days past due.
    pub buckets: [Dec; BUCKETS],
    /// The open balance: always the sum of the buckets.
    pub open: Dec,
}

impl Ageing {
    /// What is past due: every bucket but the first.
    pub fn overdue(&self) -> Dec {
        self.buckets[1..].iter().copied().sum()
    }
}

/// An open document: an invoice not fully paid (what is owed), or a credit
/// note or payment not fully applied (a credit, negative).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct OpenItem {
    /// `invoice`, `credit_note` or `payment`.
    pub kind: &'static str,
    pub id: Uuid,
    pub number: String,
    pub branch_id: Option<BranchId>,
    pub date: NaiveDate,
    /// When it falls due; a credit's own date.
    pub due_on: NaiveDate,
    pub currency: String,
    /// The document's whole amount.
    pub amount: Dec,
    /// What is still open, signed: positive owed, negative credit.
    pub open: Dec,
}

impl OpenItem {
    /// The cursor that continues the open items after this one.
    pub fn cursor(&self) -> DateCursor {
        DateCursor::new(self.due_on, self.id)
    }

    /// Days past due on `today` (0 when not yet due).
    pub fn days_late(&self, today: NaiveDate) -> i64 {
        Ord::max((today - self.due_on).num_days(), 0)
    }
}

/// One line of a statement: a document and the running balance after it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Movement {
    pub kind: &'static str,
    pub id: Uuid,
    pub number: String,
    pub date: NaiveDate,
    pub branch_id: Option<BranchId>,
    /// What it added to the balance (an invoice).
    pub debit: Dec,
    /// What it took off (a credit note, a payment).
    pub credit: Dec,
    pub balance: Dec,
}

/// A statement of account for a date range in one currency.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Statement {
    pub currency: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The balance before `from`.
    pub opening: Dec,
    pub movements: Vec<Movement>,
    /// The balance at the end of `to` (after every movement of the range,
    /// also when the list was cut).
    pub closing: Dec,
    /// False when the range holds more than [`STATEMENT_MOVEMENTS`]
    /// movements and the list stops there.
    pub complete: bool,
}

#[derive(sqlx::FromRow)]
struct BucketRow {
    currency: String,
    bucket: i64,
    open: i64,
}

#[derive(sqlx::FromRow)]
struct OpenRow {
    kind: String,
    id: Uuid,
    number: String,
    branch_id: Option<Uuid>,
    date: NaiveDate,
    due_on: NaiveDate,
    currency: String,
    amount: i64,
    open: i64,
}

#[derive(sqlx::FromRow)]
struct SumRow {
    total: i64,
}

#[derive(sqlx::FromRow)]
struct MoveRow {
    kind: String,
    id: Uuid,
    number: String,
    date: NaiveDate,
    branch_id: Option<Uuid>,
    amount: i64,
}

fn kind_name(kind: &str) -> &'static str {
    match kind {
        "invoice" => "invoice",
        "credit_note" => "credit_note",
        _ => "payment",
    }
}

pub(crate) use crate::listing::sees_branch;

/// `CAST(expr AS BIGINT)`: PostgreSQL sums bigints as numeric.
fn bigint(sql: &str) -> Expr {
    Expr::cust(format!("CAST({sql} AS BIGINT)"))
}

/// A customer's records as one of its contacts sees them.
pub struct CustomerRecordsArea<'t> {
    pub(crate) tx: &'t mut TenantTx,
}

impl CustomerRecordsArea<'_> {
    /// Whether `scope` is a customer scope of this transaction's tenant; every
    /// read answers nothing for any other.
    fn serves(&self, scope: &PortalScope) -> bool {
        scope.tenant() == self.tx.tenant_id() && scope.portal() == Portal::Customer
    }

    /// The rows of `table` of the scope's tenant and account that it sees.
    fn scoped(&self, scope: &PortalScope, select: &mut SelectStatement, table: Scoped) {
        let (tenant, account, branch) = table.columns();
        select
            .and_where(Expr::col(tenant).eq(scope.tenant().as_uuid()))
            .and_where(Expr::col(account).eq(scope.account().as_uuid()))
            .and_where_option(sees_branch(scope, branch));
    }

    /// `select` (a grouped total) narrowed to what `scope` sees, as one arm
    /// for the account-level rows and one per visible branch joined by
    /// `UNION ALL`, so that each arm reads one range of a (tenant, account,
    /// branch, …) index instead of every row of the account; the caller adds
    /// the arms' rows up. A contact who sees every branch, or more than
    /// [`crate::listing::MAX_ARMS`], gets one filtered statement.
    fn per_branch(
        &self,
        scope: &PortalScope,
        select: &SelectStatement,
        table: Scoped,
    ) -> SelectStatement {
        let Some(ids) = crate::listing::branch_arms(scope) else {
            let mut one = select.clone();
            self.scoped(scope, &mut one, table);
            return one;
        };
        let (tenant, account, branch) = table.columns();
        let arm = |branch_is: Expr| {
            select
                .clone()
                .and_where(Expr::col(tenant.clone()).eq(scope.tenant().as_uuid()))
                .and_where(Expr::col(account.clone()).eq(scope.account().as_uuid()))
                .and_where(branch_is)
                .to_owned()
        };
        let mut merged = arm(Expr::col(branch.clone()).is_null());
        for id in ids {
            merged.union(
                UnionType::All,
                arm(Expr::col(branch.clone()).eq(id.as_uuid())),
            );
        }
        merged
    }

    /// One page of the invoices and credit notes `scope` sees, newest first.
    pub async fn invoices_page(
        &mut self,
        scope: &PortalScope,
        after: Option<&DateCursor>,
        limit: u64,
    ) -> Result<Vec<InvoiceRow>, DataError> {
        if !self.serves(scope) {
            return Ok(Vec::new());
        }
        let mut select =
            RecordTable::new(Invoices::Table, Invoices::IssuedOn).portal_page(scope, after, limit);
        select.clear_selects().columns(INVOICE_COLUMNS);
        let rows: Vec<InvoiceRowDb> = self.tx.conn.fetch_page(&select, scope).await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// One page of the payments `scope` sees, newest first.
    pub async fn payments_page(
        &mut self,
        scope: &PortalScope,
        after: Option<&DateCursor>,
        limit: u64,
    ) -> Result<Vec<PaymentRow>, DataError> {
        if !self.serves(scope) {
            return Ok(Vec::new());
        }
        let mut select = RecordTable::new(Payments::Table, Payments::ReceivedOn)
            .portal_page(scope, after, limit);
        select.clear_selects().columns(PAYMENT_COLUMNS);
        let rows: Vec<PaymentRowDb> = self.tx.conn.fetch_page(&select, scope).await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// One invoice or credit note, when `scope` sees it.
    pub async fn invoice(
        &mut self,
        scope: &PortalScope,
        id: Uuid,
    ) -> Result<Option<InvoiceDetail>, DataError> {
        if !self.serves(scope) {
            return Ok(None);
        }
        let mut select = Query::select()
            .columns(INVOICE_COLUMNS.map(|c| (Invoices::Table, c)))
            .from(Invoices::Table)
            .and_where(Expr::col((Invoices::Table, Invoices::Id)).eq(id))
            .to_owned();
        self.scoped(scope, &mut select, Scoped::Invoices);
        self.tx.sales().invoice_detail(select, Some(scope)).await
    }

    /// One payment, when `scope` sees it.
    pub async fn payment(
        &mut self,
        scope: &PortalScope,
        id: Uuid,
    ) -> Result<Option<PaymentDetail>, DataError> {
        if !self.serves(scope) {
            return Ok(None);
        }
        let mut select = Query::select()
            .columns(PAYMENT_COLUMNS.map(|c| (Payments::Table, c)))
            .from(Payments::Table)
            .and_where(Expr::col((Payments::Table, Payments::Id)).eq(id))
            .to_owned();
        self.scoped(scope, &mut select, Scoped::Payments);
        self.tx.sales().payment_detail(select, Some(scope)).await
    }

    /// What `scope` sees as owed on `today`, per currency, by age. The open
    /// balance is the sum of the buckets by construction: every open amount
    /// falls in exactly one.
    pub async fn ageing(
        &mut self,
        scope: &PortalScope,
        today: NaiveDate,
    ) -> Result<Vec<Ageing>, DataError> {
        if !self.serves(scope) {
            return Ok(Vec::new());
        }
        // Bucket limits as dates, so that both backends compare dates alike.
        let day = |n: u64| {
            today
                .checked_sub_days(Days::new(n))
                .unwrap_or(NaiveDate::MIN)
        };
        let bucket = |column: &'static str| {
            let on = || Expr::col(column);
            let case = Expr::case(on().gte(today), 0)
                .case(on().gte(day(30)), 1)
                .case(on().gte(day(60)), 2)
                .case(on().gte(day(90)), 3)
                .finally(4);
            Expr::from(Func::cast_as(case, "BIGINT"))
        };
        // Totals per branch arm, added up below: each arm is an index-only
        // range of `invoices_ageing_idx` / `payments_ageing_idx` (migration
        // 0021), whatever the size of the branches the contact does not see.
        let invoices = Query::select()
            .column(Invoices::Currency)
            .expr_as(bucket("due_on"), "bucket")
            .expr_as(
                bigint("SUM(CASE WHEN kind = 'invoice' THEN balance ELSE -balance END)"),
                "open",
            )
            .from(Invoices::Table)
            .and_where(Expr::col(Invoices::Balance).gt(0))
            .group_by_col(Invoices::Currency)
            .add_group_by([Expr::cust("2")])
            .to_owned();
        let invoices = self.per_branch(scope, &invoices, Scoped::Invoices);
        let payments = Query::select()
            .column(Payments::Currency)
            .expr_as(bucket("received_on"), "bucket")
            .expr_as(bigint("-SUM(unapplied)"), "open")
            .from(Payments::Table)
            .and_where(Expr::col(Payments::Unapplied).gt(0))
            .group_by_col(Payments::Currency)
            .add_group_by([Expr::cust("2")])
            .to_owned();
        let payments = self.per_branch(scope, &payments, Scoped::Payments);
        let mut rows: Vec<BucketRow> = self.tx.conn.fetch_all(&invoices).await?;
        rows.extend(self.tx.conn.fetch_all::<BucketRow>(&payments).await?);
        let mut out: Vec<Ageing> = Vec::new();
        for row in rows {
            let at = match out.iter().position(|a| a.currency == row.currency) {
                Some(at) => at,
                None => {
                    out.push(Ageing {
                        currency: row.currency.clone(),
                        buckets: [Dec::ZERO; BUCKETS],
                        open: Dec::ZERO,
                    });
                    out.len() - 1
                }
            };
            let slot = usize::try_from(row.bucket).unwrap_or(0).min(BUCKETS - 1);
            out[at].buckets[slot] += money::amount(row.open);
            out[at].open += money::amount(row.open);
        }
        out.sort_by(|a, b| a.currency.cmp(&b.currency));
        Ok(out)
    }

    /// The open documents `scope` sees, the oldest due first, after `after`,
    /// at most `limit`.
    pub async fn open_items(
        &mut self,
        scope: &PortalScope,
        after: Option<&DateCursor>,
        limit: u64,
    ) -> Result<Vec<OpenItem>, DataError> {
        if !self.serves(scope) {
            return Ok(Vec::new());
        }
        let mut invoices = Query::select()
            .expr_as(Expr::col(Invoices::Kind), "kind")
            .expr_as(Expr::col(Invoices::Id), "id")
            .expr_as(Expr::col(Invoices::Number), "number")
            .expr_as(Expr::col(Invoices::BranchId), "branch_id")
            .expr_as(Expr::col(Invoices::IssuedOn), "date")
            .expr_as(Expr::col(Invoices::DueOn), "due_on")
            .expr_as(Expr::col(Invoices::Currency), "currency")
            .expr_as(Expr::col(Invoices::Total), "amount")
            .expr_as(
                Expr::cust("CASE WHEN kind = 'invoice' THEN balance ELSE -balance END"),
                "open",
            )
            .from(Invoices::Table)
            .and_where(Expr::col(Invoices::Balance).gt(0))
            .order_by(Invoices::DueOn, Order::Asc)
            .order_by(Invoices::Id, Order::Asc)
            .limit(limit)
            .to_owned();
        self.scoped(scope, &mut invoices, Scoped::Invoices);
        let mut payments = Query::select()
            .expr_as(Expr::val("payment"), "kind")
            .expr_as(Expr::col(Payments::Id), "id")
            .expr_as(Expr::col(Payments::Number), "number")
            .expr_as(Expr::col(Payments::BranchId), "branch_id")
            .expr_as(Expr::col(Payments::ReceivedOn), "date")
            .expr_as(Expr::col(Payments::ReceivedOn), "due_on")
            .expr_as(Expr::col(Payments::Currency), "currency")
            .expr_as(Expr::col(Payments::Amount), "amount")
            .expr_as(Expr::cust("-unapplied"), "open")
            .from(Payments::Table)
            .and_where(Expr::col(Payments::Unapplied).gt(0))
            .order_by(Payments::ReceivedOn, Order::Asc)
            .order_by(Payments::Id, Order::Asc)
            .limit(limit)
            .to_owned();
        self.scoped(scope, &mut payments, Scoped::Payments);
        if let Some(cursor) = after {
            invoices.and_where(crate::listing::after_cursor(
                Invoices::DueOn,
                Invoices::Id,
                cursor,
                Order::Asc,
            ));
            payments.and_where(crate::listing::after_cursor(
                Payments::ReceivedOn,
                Payments::Id,
                cursor,
                Order::Asc,
            ));
        }
        let wrap = |arm: SelectStatement, name: &str| {
            Query::select()
                .column(sea_query::Asterisk)
                .from_subquery(arm, Alias::new(name))
                .to_owned()
        };
        let mut merged = wrap(invoices, "open_invoices");
        merged.union(UnionType::All, wrap(payments, "open_payments"));
        let select = Query::select()
            .column(sea_query::Asterisk)
            .from_subquery(merged, Alias::new("open_items"))
            .order_by("due_on", Order::Asc)
            .order_by("id", Order::Asc)
            .limit(limit)
            .to_owned();
        let rows: Vec<OpenRow> = self.tx.conn.fetch_all(&select).await?;
        Ok(rows
            .into_iter()
            .map(|r| OpenItem {
                kind: kind_name(&r.kind),
                id: r.id,
                number: r.number,
                branch_id: r.branch_id.map(Into::into),
                date: r.date,
                due_on: r.due_on,
                currency: r.currency,
                amount: money::amount(r.amount),
                open: money::amount(r.open),
            })
            .collect())
    }

    /// The statement of `currency` from `from` to `to` (both included) as
    /// `scope` sees it: the balance before, each document of the range in date
    /// order with the running balance (at most [`STATEMENT_MOVEMENTS`]), and
    /// the balance after.
    pub async fn statement(
        &mut self,
        scope: &PortalScope,
        currency: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Statement, DataError> {
        let mut statement = Statement {
            currency: currency.to_owned(),
            from,
            to,
            opening: Dec::ZERO,
            movements: Vec::new(),
            closing: Dec::ZERO,
            complete: true,
        };
        if !self.serves(scope) || to < from {
            return Ok(statement);
        }
        let sum = |this: &Self, range: (Option<NaiveDate>, NaiveDate)| {
            let mut invoices = Query::select()
                .expr_as(
                    bigint(
                        "COALESCE(SUM(CASE WHEN kind = 'invoice' THEN total ELSE -total END), 0)",
                    ),
                    "total",
                )
                .from(Invoices::Table)
                .and_where(Expr::col(Invoices::Currency).eq(currency))
                .and_where(Expr::col(Invoices::IssuedOn).lte(range.1))
                .and_where_option(range.0.map(|d| Expr::col(Invoices::IssuedOn).gte(d)))
                .to_owned();
            this.scoped(scope, &mut invoices, Scoped::Invoices);
            let mut payments = Query::select()
                .expr_as(bigint("COALESCE(-SUM(amount), 0)"), "total")
                .from(Payments::Table)
                .and_where(Expr::col(Payments::Currency).eq(currency))
                .and_where(Expr::col(Payments::ReceivedOn).lte(range.1))
                .and_where_option(range.0.map(|d| Expr::col(Payments::ReceivedOn).gte(d)))
                .to_owned();
            this.scoped(scope, &mut payments, Scoped::Payments);
            (invoices, payments)
        };
        let before = from.pred_opt().unwrap_or(NaiveDate::MIN);
        let (invoices, payments) = sum(self, (None, before));
        let opening = self.tx.conn.fetch_all::<SumRow>(&invoices).await?;
        let opening_paid = self.tx.conn.fetch_all::<SumRow>(&payments).await?;
        statement.opening = opening
            .iter()
            .chain(&opening_paid)
            .map(|r| money::amount(r.total))
            .sum();
        let (invoices, payments) = sum(self, (Some(from), to));
        let moved = self.tx.conn.fetch_all::<SumRow>(&invoices).await?;
        let moved_paid = self.tx.conn.fetch_all::<SumRow>(&payments).await?;
        statement.closing = statement.opening
            + moved
                .iter()
                .chain(&moved_paid)
                .map(|r| money::amount(r.total))
                .sum::<Dec>();
        let cap = u64::try_from(STATEMENT_MOVEMENTS).unwrap_or(u64::MAX) + 1;
        let mut invoices = Query::select()
            .expr_as(Expr::col(Invoices::Kind), "kind")
            .expr_as(Expr::col(Invoices::Id), "id")
            .expr_as(Expr::col(Invoices::Number), "number")
            .expr_as(Expr::col(Invoices::IssuedOn), "date")
            .expr_as(Expr::col(Invoices::BranchId), "branch_id")
            .expr_as(Expr::col(Invoices::Total), "amount")
            .from(Invoices::Table)
            .and_where(Expr::col(Invoices::Currency).eq(currency))
            .and_where(Expr::col(Invoices::IssuedOn).gte(from))
            .and_where(Expr::col(Invoices::IssuedOn).lte(to))
            .order_by(Invoices::IssuedOn, Order::Asc)
            .order_by(Invoices::Id, Order::Asc)
            .limit(cap)
            .to_owned();
        self.scoped(scope, &mut invoices, Scoped::Invoices);
        let mut payments = Query::select()
            .expr_as(Expr::val("payment"), "kind")
            .expr_as(Expr::col(Payments::Id), "id")
            .expr_as(Expr::col(Payments::Number), "number")
            .expr_as(Expr::col(Payments::ReceivedOn), "date")
            .expr_as(Expr::col(Payments::BranchId), "branch_id")
            .expr_as(Expr::col(Payments::Amount), "amount")
            .from(Payments::Table)
            .and_where(Expr::col(Payments::Currency).eq(currency))
            .and_where(Expr::col(Payments::ReceivedOn).gte(from))
            .and_where(Expr::col(Payments::ReceivedOn).lte(to))
            .order_by(Payments::ReceivedOn, Order::Asc)
            .order_by(Payments::Id, Order::Asc)
            .limit(cap)
            .to_owned();
        self.scoped(scope, &mut payments, Scoped::Payments);
        let mut rows: Vec<MoveRow> = self.tx.conn.fetch_all(&invoices).await?;
        rows.extend(self.tx.conn.fetch_all::<MoveRow>(&payments).await?);
        rows.sort_by_key(|a| (a.date, a.id));
        statement.complete = rows.len() <= STATEMENT_MOVEMENTS;
        rows.truncate(STATEMENT_MOVEMENTS);
        let mut balance = statement.opening;
        statement.movements = rows
            .into_iter()
            .map(|r| {
                let amount = money::amount(r.amount);
                let kind = kind_name(&r.kind);
                let (debit, credit) = if kind == InvoiceKind::Invoice.as_str() {
                    (amount, Dec::ZERO)
                } else {
                    (Dec::ZERO, amount)
                };
                balance += debit - credit;
                Movement {
                    kind,
                    id: r.id,
                    number: r.number,
                    date: r.date,
                    branch_id: r.branch_id.map(Into::into),
                    debit,
                    credit,
                    balance,
                }
            })
            .collect();
        Ok(statement)
    }
}

/// The two tables a customer's money records live in.
#[derive(Clone, Copy)]
enum Scoped {
    Invoices,
    Payments,
}

impl Scoped {
    /// The table's tenant, account and branch columns.
    fn columns(self) -> (ColumnRef, ColumnRef, ColumnRef) {
        match self {
            Scoped::Invoices => (
                (Invoices::Table, Invoices::TenantId).into_column_ref(),
                (Invoices::Table, Invoices::AccountId).into_column_ref(),
                (Invoices::Table, Invoices::BranchId).into_column_ref(),
            ),
            Scoped::Payments => (
                (Payments::Table, Payments::TenantId).into_column_ref(),
                (Payments::Table, Payments::AccountId).into_column_ref(),
                (Payments::Table, Payments::BranchId).into_column_ref(),
            ),
        }
    }
}
