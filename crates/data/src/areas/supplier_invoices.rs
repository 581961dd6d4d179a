//! Supplier invoices against the company's purchase orders: the pre-match's
//! facts read in one place (the order's lines with what was received and
//! already invoiced, what is still open on the order, the company's price
//! tolerance, the supplier's tax id, the number's duplicates), the invoice
//! written with each line's result and the order lines' invoiced totals in
//! one transaction, read through a supplier contact's `PortalScope` or by
//! staff (exceptions first), and approved or rejected by one guarded update.

use chrono::{NaiveDate, Utc};
use portico_authz::PortalScope;
use portico_domain::{
    Portal,
    money::{self, Dec},
    supplier_invoices::{
        Exception, MatchContext, MatchReport, OrderedLine, SupplierInvoice, normalise_number,
        prematch,
    },
};
use sea_query::{Expr, ExprTrait, Order, Query, SelectStatement};
use serde_json::json;
use uuid::Uuid;

use crate::areas::audit::Actor;
use crate::areas::orders::{Chain, append_event, checked_totals};
use crate::listing::sees_branch;
use crate::tables::{
    Accounts, PurchaseOrderLines, PurchaseOrders, SupplierInvoiceLines, SupplierInvoices,
};
use crate::{
    AccountId, BranchId, By, ContactId, DataError, DateCursor, PoDetail, RecordTable, TenantTx,
};

/// Where a supplier invoice stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvoiceStatus {
    Submitted,
    Approved,
    Rejected,
    Paid,
}

impl InvoiceStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            InvoiceStatus::Submitted => "submitted",
            InvoiceStatus::Approved => "approved",
            InvoiceStatus::Rejected => "rejected",
            InvoiceStatus::Paid => "paid",
        }
    }

    fn parse(raw: &str) -> Option<Self> {
        [
            InvoiceStatus::Submitted,
            InvoiceStatus::Approved,
            InvoiceStatus::Rejected,
            InvoiceStatus::Paid,
        ]
        .into_iter()
        .find(|s| s.as_str() == raw)
    }
}

/// A supplier invoice in a list.
#[derive(Debug, Clone, PartialEq)]
pub struct SupplierInvoiceRow {
    pub id: Uuid,
    /// The supplier's own number, as typed.
    pub number: String,
    pub account_id: AccountId,
    pub branch_id: Option<BranchId>,
    pub order_id: Uuid,
    pub status: InvoiceStatus,
    /// Whether it matched its order cleanly.
    pub matched: bool,
    pub issued_on: NaiveDate,
    pub due_on: NaiveDate,
    pub currency: String,
    pub total: Dec,
}

impl SupplierInvoiceRow {
    pub fn cursor(&self) -> DateCursor {
        DateCursor::new(self.issued_on, self.id)
    }
}

/// A line with its match result.
#[derive(Debug, Clone, PartialEq)]
pub struct SupplierInvoiceLineRow {
    pub position: i32,
    pub description: String,
    pub quantity: Dec,
    pub unit_price: Dec,
    pub tax_rate: Dec,
    pub net: Dec,
    pub exceptions: Vec<Exception>,
}

/// A supplier invoice with its lines, results and decision.
#[derive(Debug, Clone, PartialEq)]
pub struct SupplierInvoiceDetail {
    pub row: SupplierInvoiceRow,
    pub supplier_name: String,
    pub order_number: String,
    pub subtotal: Dec,
    pub tax: Dec,
    pub tax_id: String,
    pub note: Option<String>,
    /// The invoice's own exceptions (amount, number, tax id).
    pub exceptions: Vec<Exception>,
    pub reject_reason: Option<String>,
    pub lines: Vec<SupplierInvoiceLineRow>,
}

/// Which invoices the back office's inbox shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InboxFilter {
    /// Submitted with exceptions: staff look at these first.
    Exceptions,
    /// Submitted and matched.
    Matched,
    All,
}

#[derive(sqlx::FromRow)]
struct RowDb {
    id: Uuid,
    number: String,
    account_id: Uuid,
    branch_id: Option<Uuid>,
    order_id: Uuid,
    status: String,
    matched: bool,
    issued_on: NaiveDate,
    due_on: NaiveDate,
    currency: String,
    total: i64,
}

impl TryFrom<RowDb> for SupplierInvoiceRow {
    type Error = DataError;

    fn try_from(r: RowDb) -> Result<Self, DataError> {
        Ok(SupplierInvoiceRow {
            id: r.id,
            number: r.number,
            account_id: r.account_id.into(),
            branch_id: r.branch_id.map(Into::into),
            order_id: r.order_id,
            status: InvoiceStatus::parse(&r.status).ok_or_else(|| {
                DataError::Corrupt(format!("supplier invoice status {}", r.status))
            })?,
            matched: r.matched,
            issued_on: r.issued_on,
            due_on: r.due_on,
            currency: r.currency,
            total: money::amount(r.total),
        })
    }
}

fn rows(rows: Vec<RowDb>) -> Result<Vec<SupplierInvoiceRow>, DataError> {
    rows.into_iter().map(SupplierInvoiceRow::try_from).collect()
}

const ROW_COLUMNS: [SupplierInvoices; 11] = [
    SupplierInvoices::Id,
    SupplierInvoices::Number,
    SupplierInvoices::AccountId,
    SupplierInvoices::BranchId,
    SupplierInvoices::OrderId,
    SupplierInvoices::Status,
    SupplierInvoices::Matched,
    SupplierInvoices::IssuedOn,
    SupplierInvoices::DueOn,
    SupplierInvoices::Currency,
    SupplierInvoices::Total,
];

/// Exception codes as stored: comma-separated.
fn codes(exceptions: impl IntoIterator<Item = Exception>) -> String {
    exceptions
        .into_iter()
        .map(Exception::as_str)
        .collect::<Vec<_>>()
        .join(",")
}

fn parse_codes(raw: &str) -> Vec<Exception> {
    raw.split(',').filter_map(Exception::parse).collect()
}

/// Supplier invoices of the transaction's tenant.
pub struct SupplierInvoicesArea<'t> {
    pub(crate) tx: &'t mut TenantTx,
}

impl SupplierInvoicesArea<'_> {
    fn tenant(&self) -> Uuid {
        self.tx.tenant_id().as_uuid()
    }

    fn serves(&self, scope: &PortalScope) -> bool {
        scope.tenant() == self.tx.tenant_id() && scope.portal() == Portal::Supplier
    }

    /// The order's lines as the match reads them, each with its billable
    /// quantity's parts.
    fn ordered(order: &PoDetail) -> Vec<OrderedLine> {
        order
            .lines
            .iter()
            .map(|l| OrderedLine {
                position: l.position,
                description: l.description.clone(),
                unit_price: l.unit_price,
                tax_rate: l.tax_rate,
                received: l.received,
                invoiced: l.invoiced,
            })
            .collect()
    }

    /// Checks `invoice` against `order` with the company's facts, writing
    /// nothing.
    pub async fn prematch(
        &mut self,
        order: &PoDetail,
        invoice: &SupplierInvoice,
    ) -> Result<MatchReport, DataError> {
        let invoiced = Query::select()
            .expr(Expr::cust("CAST(COALESCE(SUM(total), 0) AS BIGINT)"))
            .from(SupplierInvoices::Table)
            .and_where(Expr::col(SupplierInvoices::TenantId).eq(self.tenant()))
            .and_where(Expr::col(SupplierInvoices::OrderId).eq(order.row.id))
            .and_where(Expr::col(SupplierInvoices::Status).ne(InvoiceStatus::Rejected.as_str()))
            .to_owned();
        let (invoiced,): (i64,) = self
            .tx
            .conn
            .fetch_optional(&invoiced)
            .await?
            .unwrap_or((0,));
        let open_amount = (order.row.total - money::amount(invoiced)).max(Dec::ZERO);
        let duplicate = Query::select()
            .expr(Expr::cust("CAST(COUNT(*) AS BIGINT)"))
            .from(SupplierInvoices::Table)
            .and_where(Expr::col(SupplierInvoices::TenantId).eq(self.tenant()))
            .and_where(Expr::col(SupplierInvoices::AccountId).eq(order.row.account_id.as_uuid()))
            .and_where(Expr::col(SupplierInvoices::NumberKey).eq(normalise_number(&invoice.number)))
            .and_where(Expr::col(SupplierInvoices::Status).ne(InvoiceStatus::Rejected.as_str()))
            .to_owned();
        let (duplicates,): (i64,) = self
            .tx
            .conn
            .fetch_optional(&duplicate)
            .await?
            .unwrap_or((0,));
        let tax_id = Query::select()
            .column(Accounts::TaxId)
            .from(Accounts::Table)
            .and_where(Expr::col(Accounts::TenantId).eq(self.tenant()))
            .and_where(Expr::col(Accounts::Id).eq(order.row.account_id.as_uuid()))
            .to_owned();
        let tax_id: Option<(Option<String>,)> = self.tx.conn.fetch_optional(&tax_id).await?;
        let tax_id = tax_id.and_then(|(t,)| t);
        let tolerance = self.tx.settings().price_tolerance().await?;
        let rounding = self.tx.settings().rounding().await?;
        let ordered = Self::ordered(order);
        Ok(prematch(
            invoice,
            &MatchContext {
                ordered: &ordered,
                open_amount,
                tolerance,
                supplier_tax_id: tax_id.as_deref(),
                duplicate: duplicates > 0,
            },
            rounding,
        ))
    }

    /// Writes `invoice` against `order` with its pre-match `report`, and
    /// adds what it bills to the order's lines; kept in the order's chain
    /// and audited. The caller has refused what cannot be submitted.
    pub async fn submit(
        &mut self,
        order: &PoDetail,
        invoice: &SupplierInvoice,
        report: &MatchReport,
        by: By<'_>,
    ) -> Result<SupplierInvoiceRow, DataError> {
        let rounding = self.tx.settings().rounding().await?;
        let lines: Vec<portico_domain::orders::OrderLine> = invoice
            .lines
            .iter()
            .map(|l| portico_domain::orders::OrderLine {
                item_id: None,
                item_code: None,
                description: String::new(),
                unit: String::new(),
                quantity: l.quantity,
                unit_price: l.unit_price,
                tax_rate: l.tax_rate,
                net: l.net,
                tax: l.tax,
            })
            .collect();
        let (subtotal, tax, total) = checked_totals(&lines, rounding)?;
        let id = Uuid::now_v7();
        let now = Utc::now();
        let submitted_by = match by.actor {
            Actor::Contact(contact) => Some(contact.as_uuid()),
            _ => None,
        };
        let matched = report.matched();
        let insert = Query::insert()
            .into_table(SupplierInvoices::Table)
            .columns([
                SupplierInvoices::TenantId,
                SupplierInvoices::Id,
                SupplierInvoices::Number,
                SupplierInvoices::NumberKey,
                SupplierInvoices::AccountId,
                SupplierInvoices::BranchId,
                SupplierInvoices::OrderId,
                SupplierInvoices::Status,
                SupplierInvoices::Matched,
                SupplierInvoices::IssuedOn,
                SupplierInvoices::DueOn,
                SupplierInvoices::Currency,
                SupplierInvoices::Subtotal,
                SupplierInvoices::Tax,
                SupplierInvoices::Total,
                SupplierInvoices::TaxId,
                SupplierInvoices::Note,
                SupplierInvoices::Exceptions,
                SupplierInvoices::SubmittedBy,
                SupplierInvoices::CreatedAt,
                SupplierInvoices::UpdatedAt,
            ])
            .values_panic([
                self.tenant().into(),
                id.into(),
                invoice.number.clone().into(),
                normalise_number(&invoice.number).into(),
                order.row.account_id.as_uuid().into(),
                order.row.branch_id.map(|b| b.as_uuid()).into(),
                order.row.id.into(),
                InvoiceStatus::Submitted.as_str().into(),
                matched.into(),
                invoice.issued_on.into(),
                invoice.due_on.into(),
                order.row.currency.clone().into(),
                money::to_stored(subtotal).into(),
                money::to_stored(tax).into(),
                money::to_stored(total).into(),
                invoice.tax_id.clone().into(),
                invoice.note.clone().into(),
                codes(report.header.iter().copied()).into(),
                submitted_by.into(),
                now.into(),
                now.into(),
            ])
            .to_owned();
        self.tx.conn.execute(&insert).await?;
        for (line, result) in invoice.lines.iter().zip(&report.lines) {
            let insert = Query::insert()
                .into_table(SupplierInvoiceLines::Table)
                .columns([
                    SupplierInvoiceLines::TenantId,
                    SupplierInvoiceLines::InvoiceId,
                    SupplierInvoiceLines::Position,
                    SupplierInvoiceLines::Quantity,
                    SupplierInvoiceLines::UnitPrice,
                    SupplierInvoiceLines::TaxRate,
                    SupplierInvoiceLines::Net,
                    SupplierInvoiceLines::Tax,
                    SupplierInvoiceLines::Exceptions,
                ])
                .values_panic([
                    self.tenant().into(),
                    id.into(),
                    line.position.into(),
                    money::to_stored(line.quantity).into(),
                    money::to_stored(line.unit_price).into(),
                    money::to_stored(line.tax_rate).into(),
                    money::to_stored(line.net).into(),
                    money::to_stored(line.tax).into(),
                    codes(result.exceptions.iter().copied()).into(),
                ])
                .to_owned();
            self.tx.conn.execute(&insert).await?;
            self.bill(order.row.id, line.position, money::to_stored(line.quantity))
                .await?;
        }
        append_event(
            self.tx,
            Chain::Purchase,
            order.row.id,
            by,
            ("invoiced", None, Some(&invoice.number)),
        )
        .await?;
        self.tx
            .audit()
            .log(
                by,
                "supplier_invoice.submit",
                ("supplier_invoice", id),
                Some(order.row.account_id.as_uuid()),
                json!({ "after": { "number": invoice.number, "order": order.row.number,
                                   "total": total, "matched": matched,
                                   "exceptions": report.exceptions().map(Exception::as_str).collect::<Vec<_>>() } }),
            )
            .await?;
        Ok(SupplierInvoiceRow {
            id,
            number: invoice.number.clone(),
            account_id: order.row.account_id,
            branch_id: order.row.branch_id,
            order_id: order.row.id,
            status: InvoiceStatus::Submitted,
            matched,
            issued_on: invoice.issued_on,
            due_on: invoice.due_on,
            currency: order.row.currency.clone(),
            total,
        })
    }

    /// Adds `quantity` (stored, may be negative) to what order line
    /// `position` of `order` is invoiced.
    async fn bill(&mut self, order: Uuid, position: i32, quantity: i64) -> Result<(), DataError> {
        let update = Query::update()
            .table(PurchaseOrderLines::Table)
            .value(
                PurchaseOrderLines::Invoiced,
                Expr::col(PurchaseOrderLines::Invoiced).add(quantity),
            )
            .and_where(Expr::col(PurchaseOrderLines::TenantId).eq(self.tenant()))
            .and_where(Expr::col(PurchaseOrderLines::OrderId).eq(order))
            .and_where(Expr::col(PurchaseOrderLines::Position).eq(position))
            .to_owned();
        self.tx.conn.execute(&update).await?;
        Ok(())
    }

    /// One page of `scope`'s invoices, newest first.
    pub async fn portal_page(
        &mut self,
        scope: &PortalScope,
        after: Option<&DateCursor>,
        limit: u64,
    ) -> Result<Vec<SupplierInvoiceRow>, DataError> {
        if !self.serves(scope) {
            return Ok(Vec::new());
        }
        let mut select = RecordTable::new(SupplierInvoices::Table, SupplierInvoices::IssuedOn)
            .portal_page(scope, after, limit);
        select.clear_selects().columns(ROW_COLUMNS);
        rows(self.tx.conn.fetch_page(&select, scope).await?)
    }

    /// `scope`'s invoices still waiting for the company's decision, newest
    /// first, at most `limit`.
    pub async fn portal_waiting(
        &mut self,
        scope: &PortalScope,
        limit: u64,
    ) -> Result<Vec<SupplierInvoiceRow>, DataError> {
        if !self.serves(scope) {
            return Ok(Vec::new());
        }
        let select = Query::select()
            .columns(ROW_COLUMNS)
            .from(SupplierInvoices::Table)
            .and_where(Expr::col(SupplierInvoices::TenantId).eq(self.tenant()))
            .and_where(Expr::col(SupplierInvoices::AccountId).eq(scope.account().as_uuid()))
            .and_where_option(sees_branch(scope, SupplierInvoices::BranchId))
            .and_where(Expr::col(SupplierInvoices::Status).eq(InvoiceStatus::Submitted.as_str()))
            .order_by(SupplierInvoices::IssuedOn, Order::Desc)
            .order_by(SupplierInvoices::Id, Order::Desc)
            .limit(limit)
            .to_owned();
        rows(self.tx.conn.fetch_all(&select).await?)
    }

    fn row_select(&self, id: Uuid) -> SelectStatement {
        Query::select()
            .columns(ROW_COLUMNS)
            .from(SupplierInvoices::Table)
            .and_where(Expr::col(SupplierInvoices::TenantId).eq(self.tenant()))
            .and_where(Expr::col(SupplierInvoices::Id).eq(id))
            .to_owned()
    }

    /// One invoice `scope` sees.
    pub async fn portal_detail(
        &mut self,
        scope: &PortalScope,
        id: Uuid,
    ) -> Result<Option<SupplierInvoiceDetail>, DataError> {
        if !self.serves(scope) {
            return Ok(None);
        }
        let mut select = self.row_select(id);
        select
            .and_where(Expr::col(SupplierInvoices::AccountId).eq(scope.account().as_uuid()))
            .and_where_option(sees_branch(scope, SupplierInvoices::BranchId));
        self.detail_of(select).await
    }

    /// One invoice, for staff.
    pub async fn detail(&mut self, id: Uuid) -> Result<Option<SupplierInvoiceDetail>, DataError> {
        let select = self.row_select(id);
        self.detail_of(select).await
    }

    async fn detail_of(
        &mut self,
        select: SelectStatement,
    ) -> Result<Option<SupplierInvoiceDetail>, DataError> {
        let Some(row) = self.tx.conn.fetch_optional::<RowDb>(&select).await? else {
            return Ok(None);
        };
        let row = SupplierInvoiceRow::try_from(row)?;
        #[derive(sqlx::FromRow)]
        struct DetailDb {
            subtotal: i64,
            tax: i64,
            tax_id: String,
            note: Option<String>,
            exceptions: String,
            reject_reason: Option<String>,
            supplier_name: String,
            order_number: String,
        }
        let detail = Query::select()
            .columns([
                (SupplierInvoices::Table, SupplierInvoices::Subtotal),
                (SupplierInvoices::Table, SupplierInvoices::Tax),
                (SupplierInvoices::Table, SupplierInvoices::TaxId),
                (SupplierInvoices::Table, SupplierInvoices::Note),
                (SupplierInvoices::Table, SupplierInvoices::Exceptions),
                (SupplierInvoices::Table, SupplierInvoices::RejectReason),
            ])
            .expr_as(
                Expr::col((Accounts::Table, Accounts::Name)),
                "supplier_name",
            )
            .expr_as(
                Expr::col((PurchaseOrders::Table, PurchaseOrders::Number)),
                "order_number",
            )
            .from(SupplierInvoices::Table)
            .inner_join(
                Accounts::Table,
                Expr::col((Accounts::Table, Accounts::TenantId))
                    .equals((SupplierInvoices::Table, SupplierInvoices::TenantId))
                    .and(
                        Expr::col((Accounts::Table, Accounts::Id))
                            .equals((SupplierInvoices::Table, SupplierInvoices::AccountId)),
                    ),
            )
            .inner_join(
                PurchaseOrders::Table,
                Expr::col((PurchaseOrders::Table, PurchaseOrders::TenantId))
                    .equals((SupplierInvoices::Table, SupplierInvoices::TenantId))
                    .and(
                        Expr::col((PurchaseOrders::Table, PurchaseOrders::Id))
                            .equals((SupplierInvoices::Table, SupplierInvoices::OrderId)),
                    ),
            )
            .and_where(
                Expr::col((SupplierInvoices::Table, SupplierInvoices::TenantId)).eq(self.tenant()),
            )
            .and_where(Expr::col((SupplierInvoices::Table, SupplierInvoices::Id)).eq(row.id))
            .to_owned();
        let detail: DetailDb = self.tx.conn.fetch_optional(&detail).await?.ok_or_else(|| {
            DataError::Corrupt("a supplier invoice read a moment ago is gone".into())
        })?;
        #[derive(sqlx::FromRow)]
        struct LineDb {
            position: i32,
            quantity: i64,
            unit_price: i64,
            tax_rate: i64,
            net: i64,
            exceptions: String,
            description: Option<String>,
        }
        let lines = Query::select()
            .columns([
                (SupplierInvoiceLines::Table, SupplierInvoiceLines::Position),
                (SupplierInvoiceLines::Table, SupplierInvoiceLines::Quantity),
                (SupplierInvoiceLines::Table, SupplierInvoiceLines::UnitPrice),
                (SupplierInvoiceLines::Table, SupplierInvoiceLines::TaxRate),
                (SupplierInvoiceLines::Table, SupplierInvoiceLines::Net),
                (
                    SupplierInvoiceLines::Table,
                    SupplierInvoiceLines::Exceptions,
                ),
            ])
            .expr_as(
                Expr::col((PurchaseOrderLines::Table, PurchaseOrderLines::Description)),
                "description",
            )
            .from(SupplierInvoiceLines::Table)
            .left_join(
                PurchaseOrderLines::Table,
                Expr::col((PurchaseOrderLines::Table, PurchaseOrderLines::TenantId))
                    .equals((SupplierInvoiceLines::Table, SupplierInvoiceLines::TenantId))
                    .and(
                        Expr::col((PurchaseOrderLines::Table, PurchaseOrderLines::OrderId))
                            .eq(row.order_id),
                    )
                    .and(
                        Expr::col((PurchaseOrderLines::Table, PurchaseOrderLines::Position))
                            .equals((SupplierInvoiceLines::Table, SupplierInvoiceLines::Position)),
                    ),
            )
            .and_where(
                Expr::col((SupplierInvoiceLines::Table, SupplierInvoiceLines::TenantId))
                    .eq(self.tenant()),
            )
            .and_where(
                Expr::col((SupplierInvoiceLines::Table, SupplierInvoiceLines::InvoiceId))
                    .eq(row.id),
            )
            .order_by(
                (SupplierInvoiceLines::Table, SupplierInvoiceLines::Position),
                Order::Asc,
            )
            .to_owned();
        let lines: Vec<LineDb> = self.tx.conn.fetch_all(&lines).await?;
        Ok(Some(SupplierInvoiceDetail {
            row,
            supplier_name: detail.supplier_name,
            order_number: detail.order_number,
            subtotal: money::amount(detail.subtotal),
            tax: money::amount(detail.tax),
            tax_id: detail.tax_id,
            note: detail.note,
            exceptions: parse_codes(&detail.exceptions),
            reject_reason: detail.reject_reason,
            lines: lines
                .into_iter()
                .map(|l| SupplierInvoiceLineRow {
                    position: l.position,
                    description: l.description.unwrap_or_default(),
                    quantity: money::from_stored(l.quantity, 0).normalize(),
                    unit_price: money::from_stored(l.unit_price, 2),
                    tax_rate: money::from_stored(l.tax_rate, 0).normalize(),
                    net: money::amount(l.net),
                    exceptions: parse_codes(&l.exceptions),
                })
                .collect(),
        }))
    }

    /// The back office's invoices, newest first, after `after`: the
    /// inbox's exceptions or matched ones (submitted), or all.
    pub async fn list(
        &mut self,
        filter: InboxFilter,
        after: Option<&DateCursor>,
        limit: u64,
    ) -> Result<Vec<SupplierInvoiceRow>, DataError> {
        let mut select = Query::select()
            .columns(ROW_COLUMNS)
            .from(SupplierInvoices::Table)
            .and_where(Expr::col(SupplierInvoices::TenantId).eq(self.tenant()))
            .order_by(SupplierInvoices::IssuedOn, Order::Desc)
            .order_by(SupplierInvoices::Id, Order::Desc)
            .limit(limit)
            .to_owned();
        if filter != InboxFilter::All {
            select
                .and_where(
                    Expr::col(SupplierInvoices::Status).eq(InvoiceStatus::Submitted.as_str()),
                )
                .and_where(Expr::col(SupplierInvoices::Matched).eq(filter == InboxFilter::Matched));
        }
        if let Some(cursor) = after {
            select.and_where(crate::listing::after_cursor(
                SupplierInvoices::IssuedOn,
                SupplierInvoices::Id,
                cursor,
                Order::Desc,
            ));
        }
        rows(self.tx.conn.fetch_all(&select).await?)
    }

    /// Staff's decision on a submitted invoice: approved, or rejected with
    /// `reason` (what it billed is released on its order, so it can be
    /// billed again). `None` when it is no longer submitted.
    pub async fn decide(
        &mut self,
        detail: &SupplierInvoiceDetail,
        reject: Option<&str>,
        by: By<'_>,
    ) -> Result<Option<SupplierInvoiceRow>, DataError> {
        let to = if reject.is_some() {
            InvoiceStatus::Rejected
        } else {
            InvoiceStatus::Approved
        };
        let now = Utc::now();
        let update = Query::update()
            .table(SupplierInvoices::Table)
            .value(SupplierInvoices::Status, to.as_str())
            .value(SupplierInvoices::RejectReason, reject.map(str::to_owned))
            .value(SupplierInvoices::DecidedAt, now)
            .value(SupplierInvoices::UpdatedAt, now)
            .and_where(Expr::col(SupplierInvoices::TenantId).eq(self.tenant()))
            .and_where(Expr::col(SupplierInvoices::Id).eq(detail.row.id))
            .and_where(Expr::col(SupplierInvoices::Status).eq(InvoiceStatus::Submitted.as_str()))
            .to_owned();
        if self.tx.conn.execute(&update).await? == 0 {
            return Ok(None);
        }
        if reject.is_some() {
            for line in &detail.lines {
                self.bill(
                    detail.row.order_id,
                    line.position,
                    -money::to_stored(line.quantity),
                )
                .await?;
            }
        }
        self.tx
            .audit()
            .log(
                by,
                &format!(
                    "supplier_invoice.{}",
                    if reject.is_some() {
                        "reject"
                    } else {
                        "approve"
                    }
                ),
                ("supplier_invoice", detail.row.id),
                Some(detail.row.account_id.as_uuid()),
                json!({ "number": detail.row.number, "order": detail.order_number,
                        "status": { "before": "submitted", "after": to.as_str() },
                        "reason": reject }),
            )
            .await?;
        Ok(Some(SupplierInvoiceRow {
            status: to,
            ..detail.row.clone()
        }))
    }

    /// Clears `contact` from the invoices it submitted, before it is deleted
    /// for good.
    pub(crate) async fn forget_contact(&mut self, contact: ContactId) -> Result<(), DataError> {
        let update = Query::update()
            .table(SupplierInvoices::Table)
            .value(SupplierInvoices::SubmittedBy, Option::<Uuid>::None)
            .and_where(Expr::col(SupplierInvoices::TenantId).eq(self.tenant()))
            .and_where(Expr::col(SupplierInvoices::SubmittedBy).eq(contact.as_uuid()))
            .to_owned();
        self.tx.conn.execute(&update).await?;
        Ok(())
    }
}
