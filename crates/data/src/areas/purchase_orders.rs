//! Purchase orders the company places with its suppliers: upserted in
//! batches by an ERP's reference (numbered `OC-000001` in the company's own
//! series), read page by page through a supplier contact's `PortalScope`
//! (filtered in SQL by account and visible branches) or by staff, and
//! answered line by line by the supplier. Every change is one guarded update
//! (of two people acting at once one wins, the other is told), kept in the
//! order's chain of events and audited.

use std::collections::{HashMap, HashSet};

use chrono::{NaiveDate, Utc};
use portico_authz::PortalScope;
use portico_domain::{
    AccountKind, FieldErrors, Portal,
    money::{self, Dec},
    orders::OrderLine,
    purchasing::{Ack, ErpPurchaseOrder, LineAck, PoLine, PoMove, PoStatus, Review},
    sales::line_amounts,
};
use sea_query::{Expr, ExprTrait, Order, Query, SelectStatement};
use serde_json::json;
use uuid::Uuid;

use crate::areas::audit::Actor;
use crate::areas::goods_receipts::ReceiptRow;
use crate::areas::orders::{
    Chain, append_event, checked_totals, next_in_series, parse_rounding, read_events,
};
use crate::areas::sales::{digest, key, problem};
use crate::listing::sees_branch;
use crate::tables::{Accounts, PurchaseOrderLines, PurchaseOrders};
use crate::{
    AccountId, BranchId, By, ContactId, DataError, DateCursor, OrderEvent, RecordTable, TenantTx,
    UpsertOutcome, Upserted,
};

/// The series of purchase order numbers, and their prefix.
const SERIES: &str = "purchase_order";
const PREFIX: &str = "OC";

/// A purchase order in a list.
#[derive(Debug, Clone, PartialEq)]
pub struct PoRow {
    pub id: Uuid,
    pub number: String,
    /// The supplier.
    pub account_id: AccountId,
    pub branch_id: Option<BranchId>,
    pub status: PoStatus,
    /// The supplier answered with changes staff have not decided yet.
    pub awaiting_review: bool,
    pub issued_on: NaiveDate,
    pub expected_on: Option<NaiveDate>,
    pub currency: String,
    pub total: Dec,
}

impl PoRow {
    /// The cursor that continues a list after this row.
    pub fn cursor(&self) -> DateCursor {
        DateCursor::new(self.issued_on, self.id)
    }

    /// Whether it waits for the supplier's acknowledgement.
    pub fn waits_for_supplier(&self) -> bool {
        self.status == PoStatus::Sent && !self.awaiting_review
    }

    /// Its state as people read it: the stored one, or `in_review` while
    /// staff decide the supplier's changes.
    pub fn state(&self) -> &'static str {
        if self.awaiting_review {
            "in_review"
        } else {
            self.status.as_str()
        }
    }
}

/// A line of a purchase order with the supplier's answer to it.
#[derive(Debug, Clone, PartialEq)]
pub struct PoLineRow {
    pub position: i32,
    pub item_code: Option<String>,
    pub description: String,
    pub unit: String,
    pub quantity: Dec,
    pub unit_price: Dec,
    pub tax_rate: Dec,
    pub net: Dec,
    pub tax: Dec,
    pub expected_on: Option<NaiveDate>,
    pub ack: LineAck,
    /// The quantity the supplier will deliver instead, when it changed it.
    pub ack_quantity: Option<Dec>,
    /// The date the supplier promises instead, when it changed it.
    pub ack_date: Option<NaiveDate>,
    pub ack_reason: Option<String>,
    /// What the goods receipts accepted and rejected of it so far.
    pub received: Dec,
    pub rejected: Dec,
    /// What the supplier's invoices bill of it (rejected ones apart).
    pub invoiced: Dec,
}

/// A purchase order with its lines, answer and chain.
#[derive(Debug, Clone, PartialEq)]
pub struct PoDetail {
    pub row: PoRow,
    pub supplier_name: String,
    pub subtotal: Dec,
    pub tax: Dec,
    pub notes: Option<String>,
    pub external_ref: Option<String>,
    /// The supplier's note with its last answer.
    pub response_note: Option<String>,
    /// Why staff refused the supplier's last answer.
    pub review_note: Option<String>,
    /// How its tax was rounded: its totals are computed again this way.
    pub rounding: money::Rounding,
    pub lines: Vec<PoLineRow>,
    pub events: Vec<OrderEvent>,
    /// Its goods receipts, oldest first.
    pub receipts: Vec<ReceiptRow>,
}

impl PoDetail {
    /// The ordered quantity of each line, in order.
    pub fn ordered(&self) -> Vec<Dec> {
        self.lines.iter().map(|l| l.quantity).collect()
    }
}

/// Which of the back office's purchase orders a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PoFilter {
    All,
    /// Answers with changes waiting for staff.
    InReview,
    /// Sent and not yet acknowledged.
    Waiting,
}

#[derive(sqlx::FromRow)]
struct PoRowDb {
    id: Uuid,
    number: String,
    account_id: Uuid,
    branch_id: Option<Uuid>,
    status: String,
    awaiting_review: bool,
    issued_on: NaiveDate,
    expected_on: Option<NaiveDate>,
    currency: String,
    total: i64,
}

impl TryFrom<PoRowDb> for PoRow {
    type Error = DataError;

    fn try_from(r: PoRowDb) -> Result<Self, DataError> {
        Ok(PoRow {
            id: r.id,
            number: r.number,
            account_id: r.account_id.into(),
            branch_id: r.branch_id.map(Into::into),
            status: PoStatus::parse(&r.status)
                .ok_or_else(|| DataError::Corrupt(format!("purchase order status {}", r.status)))?,
            awaiting_review: r.awaiting_review,
            issued_on: r.issued_on,
            expected_on: r.expected_on,
            currency: r.currency,
            total: money::amount(r.total),
        })
    }
}

fn rows(rows: Vec<PoRowDb>) -> Result<Vec<PoRow>, DataError> {
    rows.into_iter().map(PoRow::try_from).collect()
}

const ROW_COLUMNS: [PurchaseOrders; 10] = [
    PurchaseOrders::Id,
    PurchaseOrders::Number,
    PurchaseOrders::AccountId,
    PurchaseOrders::BranchId,
    PurchaseOrders::Status,
    PurchaseOrders::AwaitingReview,
    PurchaseOrders::IssuedOn,
    PurchaseOrders::ExpectedOn,
    PurchaseOrders::Currency,
    PurchaseOrders::Total,
];

const LINE_COLUMNS: [PurchaseOrderLines; 17] = [
    PurchaseOrderLines::Position,
    PurchaseOrderLines::ItemCode,
    PurchaseOrderLines::Description,
    PurchaseOrderLines::Unit,
    PurchaseOrderLines::Quantity,
    PurchaseOrderLines::UnitPrice,
    PurchaseOrderLines::TaxRate,
    PurchaseOrderLines::Net,
    PurchaseOrderLines::Tax,
    PurchaseOrderLines::ExpectedOn,
    PurchaseOrderLines::Ack,
    PurchaseOrderLines::AckQuantity,
    PurchaseOrderLines::AckDate,
    PurchaseOrderLines::AckReason,
    PurchaseOrderLines::Received,
    PurchaseOrderLines::Rejected,
    PurchaseOrderLines::Invoiced,
];

#[derive(sqlx::FromRow)]
struct LineDb {
    position: i32,
    item_code: Option<String>,
    description: String,
    unit: String,
    quantity: i64,
    unit_price: i64,
    tax_rate: i64,
    net: i64,
    tax: i64,
    expected_on: Option<NaiveDate>,
    ack: String,
    ack_quantity: Option<i64>,
    ack_date: Option<NaiveDate>,
    ack_reason: Option<String>,
    received: i64,
    rejected: i64,
    invoiced: i64,
}

impl TryFrom<LineDb> for PoLineRow {
    type Error = DataError;

    fn try_from(l: LineDb) -> Result<Self, DataError> {
        Ok(PoLineRow {
            position: l.position,
            item_code: l.item_code,
            description: l.description,
            unit: l.unit,
            quantity: money::from_stored(l.quantity, 0).normalize(),
            unit_price: money::from_stored(l.unit_price, 2),
            tax_rate: money::from_stored(l.tax_rate, 0).normalize(),
            net: money::amount(l.net),
            tax: money::amount(l.tax),
            expected_on: l.expected_on,
            ack: LineAck::parse(&l.ack)
                .ok_or_else(|| DataError::Corrupt(format!("line answer {}", l.ack)))?,
            ack_quantity: l.ack_quantity.map(|q| money::from_stored(q, 0).normalize()),
            ack_date: l.ack_date,
            ack_reason: l.ack_reason,
            received: money::from_stored(l.received, 0).normalize(),
            rejected: money::from_stored(l.rejected, 0).normalize(),
            invoiced: money::from_stored(l.invoiced, 0).normalize(),
        })
    }
}

#[derive(sqlx::FromRow)]
struct DetailDb {
    subtotal: i64,
    tax: i64,
    notes: Option<String>,
    external_ref: Option<String>,
    response_note: Option<String>,
    review_note: Option<String>,
    rounding: String,
    supplier_name: String,
}

#[derive(sqlx::FromRow)]
struct StoredDb {
    id: Uuid,
    external_ref: Option<String>,
    number: String,
    account_id: Uuid,
    currency: String,
    status: String,
    digest: Option<String>,
    responded_by: Option<Uuid>,
    rounding: String,
}

/// What the portal shows: everything but a draft the company still writes.
fn shown_in_portal() -> Expr {
    Expr::col(PurchaseOrders::Status).ne(PoStatus::Draft.as_str())
}

/// The step of the chain an ERP's change of state is kept as.
fn state_event(to: PoStatus) -> &'static str {
    match to {
        PoStatus::Draft => "reopened",
        PoStatus::Sent => "sent",
        PoStatus::Acknowledged => "acknowledged",
        PoStatus::PartiallyReceived => "partially_received",
        PoStatus::Received => "received",
        PoStatus::Closed => "closed",
        PoStatus::Cancelled => "cancelled",
    }
}

/// Purchase orders of the transaction's tenant.
pub struct PurchaseOrdersArea<'t> {
    pub(crate) tx: &'t mut TenantTx,
}

impl PurchaseOrdersArea<'_> {
    fn tenant(&self) -> Uuid {
        self.tx.tenant_id().as_uuid()
    }

    fn serves(&self, scope: &PortalScope) -> bool {
        scope.tenant() == self.tx.tenant_id() && scope.portal() == Portal::Supplier
    }

    async fn event(
        &mut self,
        order: Uuid,
        by: By<'_>,
        action: &str,
        comment: Option<&str>,
    ) -> Result<(), DataError> {
        append_event(self.tx, Chain::Purchase, order, by, (action, None, comment)).await
    }

    /// Creates or updates the purchase orders an ERP sends, all or nothing,
    /// by the ERP's reference: a new one gets the next number of the series;
    /// one sent again as stored (same content, same state) is left alone; a
    /// changed one has its content replaced (its lines' answers cleared) and
    /// its state set. Once the supplier answered, the order keeps its lines
    /// (`purchasing-answered`) and its state only moves on. Nothing is
    /// written when any record has a problem: every problem is returned,
    /// under `records[n]`.
    pub async fn upsert(
        &mut self,
        records: &[ErpPurchaseOrder],
        by: By<'_>,
    ) -> Result<Vec<UpsertOutcome>, DataError> {
        let mut errors = FieldErrors::default();
        let mut refs = HashSet::new();
        for (n, r) in records.iter().enumerate() {
            if !refs.insert(r.external_ref.clone()) {
                problem(&mut errors, n, "external_ref", "field-repeated");
            }
        }
        let codes: Vec<(&str, Option<&str>)> = records
            .iter()
            .map(|r| (r.supplier.as_str(), r.branch.as_deref()))
            .collect();
        let resolved = self
            .tx
            .sales()
            .resolve(AccountKind::Supplier, &codes, &mut errors)
            .await?;
        let select = Query::select()
            .columns([
                PurchaseOrders::Id,
                PurchaseOrders::ExternalRef,
                PurchaseOrders::Number,
                PurchaseOrders::AccountId,
                PurchaseOrders::Currency,
                PurchaseOrders::Status,
                PurchaseOrders::Digest,
                PurchaseOrders::RespondedBy,
                PurchaseOrders::Rounding,
            ])
            .from(PurchaseOrders::Table)
            .and_where(Expr::col(PurchaseOrders::TenantId).eq(self.tenant()))
            .and_where(Expr::col(PurchaseOrders::ExternalRef).is_in(refs))
            .to_owned();
        let stored: HashMap<String, StoredDb> = self
            .tx
            .conn
            .fetch_all::<StoredDb>(&select)
            .await?
            .into_iter()
            .map(|r| (r.external_ref.clone().unwrap_or_default(), r))
            .collect();
        let company_rounding = self.tx.settings().rounding().await?;
        let mut plans = Vec::with_capacity(records.len());
        for (n, r) in records.iter().enumerate() {
            let account = resolved.accounts.get(&key(&r.supplier)).copied();
            let branch = account.and_then(|a| {
                r.branch
                    .as_deref()
                    .and_then(|b| resolved.branches.get(&(a, key(b))).copied())
            });
            let digest = digest(r, account.unwrap_or_default(), branch);
            let old = stored.get(&r.external_ref);
            let mut from = None;
            if let Some(old) = old {
                if Some(old.account_id) != account {
                    problem(&mut errors, n, "supplier", "purchasing-supplier-changed");
                }
                if old.currency != r.currency {
                    problem(&mut errors, n, "currency", "sales-currency-changed");
                }
                let status = PoStatus::parse(&old.status).ok_or_else(|| {
                    DataError::Corrupt(format!("purchase order status {}", old.status))
                })?;
                if old.responded_by.is_some() {
                    if old.digest.as_deref() != Some(digest.as_str()) {
                        problem(&mut errors, n, "lines", "purchasing-answered");
                    }
                    if !status.moves_on_to(r.status) {
                        problem(&mut errors, n, "status", "purchasing-answered");
                    }
                }
                from = Some(status);
            }
            let rounding = match old {
                Some(old) => parse_rounding(&old.rounding)?,
                None => company_rounding,
            };
            let lines: Vec<OrderLine> = r.lines.iter().map(|l| l.line.clone()).collect();
            match checked_totals(&lines, rounding) {
                Ok(totals) => {
                    plans.push((account, branch, old.zip(from), digest, totals, rounding))
                }
                Err(DataError::Invalid(e)) => {
                    errors.nest(&format!("records[{n}]"), e);
                    plans.push((account, branch, None, digest, Default::default(), rounding));
                }
                Err(other) => return Err(other),
            }
        }
        if !errors.is_empty() {
            return Err(DataError::Invalid(errors));
        }
        let mut outcomes = Vec::with_capacity(records.len());
        for (r, (account, branch, old, digest, totals, rounding)) in records.iter().zip(plans) {
            let account = AccountId::from(account.unwrap_or_default());
            let branch = branch.map(BranchId::from);
            let (id, outcome) = match old {
                Some((old, from))
                    if old.digest.as_deref() == Some(digest.as_str()) && from == r.status =>
                {
                    (old.id, Upserted::Unchanged)
                }
                Some((old, from)) => {
                    let content_changed = old.digest.as_deref() != Some(digest.as_str());
                    self.replace_from_erp(old, from, branch, r, totals, &digest)
                        .await?;
                    if content_changed {
                        self.event(old.id, by, "updated", None).await?;
                    }
                    if from != r.status {
                        self.event(old.id, by, state_event(r.status), None).await?;
                    }
                    self.tx
                        .audit()
                        .log(
                            by,
                            "purchase_order.update",
                            ("purchase_order", old.id),
                            Some(account.as_uuid()),
                            json!({ "number": old.number, "external_ref": r.external_ref,
                                    "status": { "before": from, "after": r.status },
                                    "total": totals.2, "lines": r.lines.len() }),
                        )
                        .await?;
                    (old.id, Upserted::Updated)
                }
                None => {
                    let id = Uuid::now_v7();
                    let number = format!("{PREFIX}-{:06}", next_in_series(self.tx, SERIES).await?);
                    self.insert(
                        id,
                        &number,
                        (account, branch),
                        r,
                        totals,
                        (&digest, rounding),
                    )
                    .await?;
                    self.event(id, by, "imported", r.notes.as_deref()).await?;
                    if r.status != PoStatus::Draft {
                        self.event(id, by, state_event(r.status), None).await?;
                    }
                    self.tx
                        .audit()
                        .log(
                            by,
                            "purchase_order.create",
                            ("purchase_order", id),
                            Some(account.as_uuid()),
                            json!({ "after": { "number": number, "external_ref": r.external_ref,
                                               "status": r.status, "total": totals.2,
                                               "currency": r.currency, "lines": r.lines.len() } }),
                        )
                        .await?;
                    (id, Upserted::Created)
                }
            };
            outcomes.push(UpsertOutcome {
                external_ref: r.external_ref.clone(),
                id,
                outcome,
            });
        }
        Ok(outcomes)
    }

    /// Writes a new purchase order and its lines.
    async fn insert(
        &mut self,
        id: Uuid,
        number: &str,
        (account, branch): (AccountId, Option<BranchId>),
        r: &ErpPurchaseOrder,
        (subtotal, tax, total): (Dec, Dec, Dec),
        (digest, rounding): (&str, money::Rounding),
    ) -> Result<(), DataError> {
        let now = Utc::now();
        let insert = Query::insert()
            .into_table(PurchaseOrders::Table)
            .columns([
                PurchaseOrders::TenantId,
                PurchaseOrders::Id,
                PurchaseOrders::Number,
                PurchaseOrders::ExternalRef,
                PurchaseOrders::Digest,
                PurchaseOrders::AccountId,
                PurchaseOrders::BranchId,
                PurchaseOrders::Status,
                PurchaseOrders::AwaitingReview,
                PurchaseOrders::IssuedOn,
                PurchaseOrders::ExpectedOn,
                PurchaseOrders::Currency,
                PurchaseOrders::Subtotal,
                PurchaseOrders::Tax,
                PurchaseOrders::Total,
                PurchaseOrders::Rounding,
                PurchaseOrders::Notes,
                PurchaseOrders::CreatedAt,
                PurchaseOrders::UpdatedAt,
            ])
            .values_panic([
                self.tenant().into(),
                id.into(),
                number.into(),
                r.external_ref.clone().into(),
                digest.into(),
                account.as_uuid().into(),
                branch.map(|b| b.as_uuid()).into(),
                r.status.as_str().into(),
                false.into(),
                r.issued_on.unwrap_or_else(|| now.date_naive()).into(),
                r.expected_on.into(),
                r.currency.clone().into(),
                money::to_stored(subtotal).into(),
                money::to_stored(tax).into(),
                money::to_stored(total).into(),
                rounding.as_str().into(),
                r.notes.clone().into(),
                now.into(),
                now.into(),
            ])
            .to_owned();
        self.tx.conn.execute(&insert).await?;
        self.insert_lines(id, &r.lines).await
    }

    /// Replaces a stored order's content and state with what an ERP sent,
    /// guarded by what was read: when the supplier answered or another call
    /// changed it meanwhile, nothing is written and the batch is a conflict
    /// on `external_ref`, to send again.
    async fn replace_from_erp(
        &mut self,
        old: &StoredDb,
        from: PoStatus,
        branch: Option<BranchId>,
        r: &ErpPurchaseOrder,
        (subtotal, tax, total): (Dec, Dec, Dec),
        digest: &str,
    ) -> Result<(), DataError> {
        let content_changed = old.digest.as_deref() != Some(digest);
        let mut update = Query::update()
            .table(PurchaseOrders::Table)
            .value(PurchaseOrders::Status, r.status.as_str())
            .value(PurchaseOrders::UpdatedAt, Utc::now())
            .and_where(Expr::col(PurchaseOrders::TenantId).eq(self.tenant()))
            .and_where(Expr::col(PurchaseOrders::Id).eq(old.id))
            .and_where(Expr::col(PurchaseOrders::Status).eq(from.as_str()))
            .to_owned();
        if content_changed {
            update
                .value(PurchaseOrders::BranchId, branch.map(|b| b.as_uuid()))
                .value(PurchaseOrders::ExpectedOn, r.expected_on)
                .value(PurchaseOrders::Subtotal, money::to_stored(subtotal))
                .value(PurchaseOrders::Tax, money::to_stored(tax))
                .value(PurchaseOrders::Total, money::to_stored(total))
                .value(PurchaseOrders::Notes, r.notes.clone())
                .value(PurchaseOrders::Digest, digest);
            if let Some(issued_on) = r.issued_on {
                update.value(PurchaseOrders::IssuedOn, issued_on);
            }
        }
        match old.responded_by {
            Some(contact) => update.and_where(Expr::col(PurchaseOrders::RespondedBy).eq(contact)),
            None => update.and_where(Expr::col(PurchaseOrders::RespondedBy).is_null()),
        };
        match &old.digest {
            Some(stored) => update.and_where(Expr::col(PurchaseOrders::Digest).eq(stored.as_str())),
            None => update.and_where(Expr::col(PurchaseOrders::Digest).is_null()),
        };
        if self.tx.conn.execute(&update).await? == 0 {
            return Err(DataError::Conflict {
                constraint: "purchase_orders_external_ref_key".into(),
            });
        }
        if content_changed {
            let delete = Query::delete()
                .from_table(PurchaseOrderLines::Table)
                .and_where(Expr::col(PurchaseOrderLines::TenantId).eq(self.tenant()))
                .and_where(Expr::col(PurchaseOrderLines::OrderId).eq(old.id))
                .to_owned();
            self.tx.conn.execute(&delete).await?;
            self.insert_lines(old.id, &r.lines).await?;
        }
        Ok(())
    }

    /// Writes `lines` as those of order `id`, numbered from 1, unanswered.
    async fn insert_lines(&mut self, id: Uuid, lines: &[PoLine]) -> Result<(), DataError> {
        for (chunk_no, chunk) in lines.chunks(100).enumerate() {
            let mut insert = Query::insert()
                .into_table(PurchaseOrderLines::Table)
                .columns([
                    PurchaseOrderLines::TenantId,
                    PurchaseOrderLines::OrderId,
                    PurchaseOrderLines::Position,
                    PurchaseOrderLines::ItemCode,
                    PurchaseOrderLines::Description,
                    PurchaseOrderLines::Unit,
                    PurchaseOrderLines::Quantity,
                    PurchaseOrderLines::UnitPrice,
                    PurchaseOrderLines::TaxRate,
                    PurchaseOrderLines::Net,
                    PurchaseOrderLines::Tax,
                    PurchaseOrderLines::ExpectedOn,
                    PurchaseOrderLines::Ack,
                ])
                .to_owned();
            for (n, l) in chunk.iter().enumerate() {
                insert.values_panic([
                    self.tenant().into(),
                    id.into(),
                    ((chunk_no * 100 + n + 1) as i32).into(),
                    l.line.item_code.clone().into(),
                    l.line.description.clone().into(),
                    l.line.unit.clone().into(),
                    money::to_stored(l.line.quantity).into(),
                    money::to_stored(l.line.unit_price).into(),
                    money::to_stored(l.line.tax_rate).into(),
                    money::to_stored(l.line.net).into(),
                    money::to_stored(l.line.tax).into(),
                    l.expected_on.into(),
                    LineAck::Open.as_str().into(),
                ]);
            }
            self.tx.conn.execute(&insert).await?;
        }
        Ok(())
    }

    /// One page of `scope`'s purchase orders, newest first.
    pub async fn portal_page(
        &mut self,
        scope: &PortalScope,
        after: Option<&DateCursor>,
        limit: u64,
    ) -> Result<Vec<PoRow>, DataError> {
        if !self.serves(scope) {
            return Ok(Vec::new());
        }
        let mut select = RecordTable::new(PurchaseOrders::Table, PurchaseOrders::IssuedOn)
            .only(shown_in_portal())
            .portal_page(scope, after, limit);
        select.clear_selects().columns(ROW_COLUMNS);
        rows(self.tx.conn.fetch_page(&select, scope).await?)
    }

    /// The orders waiting for `scope`'s acknowledgement, newest first, at
    /// most `limit`.
    pub async fn waiting(
        &mut self,
        scope: &PortalScope,
        limit: u64,
    ) -> Result<Vec<PoRow>, DataError> {
        if !self.serves(scope) {
            return Ok(Vec::new());
        }
        let select = Query::select()
            .columns(ROW_COLUMNS)
            .from(PurchaseOrders::Table)
            .and_where(Expr::col(PurchaseOrders::TenantId).eq(self.tenant()))
            .and_where(Expr::col(PurchaseOrders::AccountId).eq(scope.account().as_uuid()))
            .and_where_option(sees_branch(scope, PurchaseOrders::BranchId))
            .and_where(Expr::col(PurchaseOrders::Status).eq(PoStatus::Sent.as_str()))
            .and_where(Expr::col(PurchaseOrders::AwaitingReview).eq(false))
            .order_by(PurchaseOrders::IssuedOn, Order::Desc)
            .order_by(PurchaseOrders::Id, Order::Desc)
            .limit(limit)
            .to_owned();
        rows(self.tx.conn.fetch_all(&select).await?)
    }

    fn row_select(&self, id: Uuid) -> SelectStatement {
        Query::select()
            .columns(ROW_COLUMNS)
            .from(PurchaseOrders::Table)
            .and_where(Expr::col(PurchaseOrders::TenantId).eq(self.tenant()))
            .and_where(Expr::col(PurchaseOrders::Id).eq(id))
            .to_owned()
    }

    /// One purchase order `scope` sees.
    pub async fn portal_detail(
        &mut self,
        scope: &PortalScope,
        id: Uuid,
    ) -> Result<Option<PoDetail>, DataError> {
        if !self.serves(scope) {
            return Ok(None);
        }
        let mut select = self.row_select(id);
        select
            .and_where(Expr::col(PurchaseOrders::AccountId).eq(scope.account().as_uuid()))
            .and_where_option(sees_branch(scope, PurchaseOrders::BranchId))
            .and_where(shown_in_portal());
        self.detail_of(select).await
    }

    /// One purchase order, for staff.
    pub async fn detail(&mut self, id: Uuid) -> Result<Option<PoDetail>, DataError> {
        let select = self.row_select(id);
        self.detail_of(select).await
    }

    async fn detail_of(&mut self, select: SelectStatement) -> Result<Option<PoDetail>, DataError> {
        let Some(row) = self.tx.conn.fetch_optional::<PoRowDb>(&select).await? else {
            return Ok(None);
        };
        let row = PoRow::try_from(row)?;
        let detail = Query::select()
            .columns([
                (PurchaseOrders::Table, PurchaseOrders::Subtotal),
                (PurchaseOrders::Table, PurchaseOrders::Tax),
                (PurchaseOrders::Table, PurchaseOrders::Notes),
                (PurchaseOrders::Table, PurchaseOrders::ExternalRef),
                (PurchaseOrders::Table, PurchaseOrders::ResponseNote),
                (PurchaseOrders::Table, PurchaseOrders::ReviewNote),
                (PurchaseOrders::Table, PurchaseOrders::Rounding),
            ])
            .expr_as(
                Expr::col((Accounts::Table, Accounts::Name)),
                "supplier_name",
            )
            .from(PurchaseOrders::Table)
            .inner_join(
                Accounts::Table,
                Expr::col((Accounts::Table, Accounts::TenantId))
                    .equals((PurchaseOrders::Table, PurchaseOrders::TenantId))
                    .and(
                        Expr::col((Accounts::Table, Accounts::Id))
                            .equals((PurchaseOrders::Table, PurchaseOrders::AccountId)),
                    ),
            )
            .and_where(
                Expr::col((PurchaseOrders::Table, PurchaseOrders::TenantId)).eq(self.tenant()),
            )
            .and_where(Expr::col((PurchaseOrders::Table, PurchaseOrders::Id)).eq(row.id))
            .to_owned();
        let detail: DetailDb = self.tx.conn.fetch_optional(&detail).await?.ok_or_else(|| {
            DataError::Corrupt("a purchase order read a moment ago is gone".into())
        })?;
        let lines = self.lines(row.id).await?;
        let events = read_events(self.tx, Chain::Purchase, row.id).await?;
        let receipts = self.tx.goods_receipts().of_order(row.id).await?;
        Ok(Some(PoDetail {
            row,
            supplier_name: detail.supplier_name,
            subtotal: money::amount(detail.subtotal),
            tax: money::amount(detail.tax),
            notes: detail.notes,
            external_ref: detail.external_ref,
            response_note: detail.response_note,
            review_note: detail.review_note,
            rounding: parse_rounding(&detail.rounding)?,
            lines,
            events,
            receipts,
        }))
    }

    async fn lines(&mut self, id: Uuid) -> Result<Vec<PoLineRow>, DataError> {
        let select = Query::select()
            .columns(LINE_COLUMNS)
            .from(PurchaseOrderLines::Table)
            .and_where(Expr::col(PurchaseOrderLines::TenantId).eq(self.tenant()))
            .and_where(Expr::col(PurchaseOrderLines::OrderId).eq(id))
            .order_by(PurchaseOrderLines::Position, Order::Asc)
            .to_owned();
        let lines: Vec<LineDb> = self.tx.conn.fetch_all(&select).await?;
        lines.into_iter().map(PoLineRow::try_from).collect()
    }

    /// The back office's purchase orders, of one supplier or all, newest
    /// first, after `after`.
    pub async fn list(
        &mut self,
        filter: PoFilter,
        supplier: Option<AccountId>,
        after: Option<&DateCursor>,
        limit: u64,
    ) -> Result<Vec<PoRow>, DataError> {
        let mut select = Query::select()
            .columns(ROW_COLUMNS)
            .from(PurchaseOrders::Table)
            .and_where(Expr::col(PurchaseOrders::TenantId).eq(self.tenant()))
            .order_by(PurchaseOrders::IssuedOn, Order::Desc)
            .order_by(PurchaseOrders::Id, Order::Desc)
            .limit(limit)
            .to_owned();
        match filter {
            PoFilter::All => {}
            PoFilter::InReview => {
                select.and_where(Expr::col(PurchaseOrders::AwaitingReview).eq(true));
            }
            PoFilter::Waiting => {
                select
                    .and_where(Expr::col(PurchaseOrders::Status).eq(PoStatus::Sent.as_str()))
                    .and_where(Expr::col(PurchaseOrders::AwaitingReview).eq(false));
            }
        }
        if let Some(supplier) = supplier {
            select.and_where(Expr::col(PurchaseOrders::AccountId).eq(supplier.as_uuid()));
        }
        if let Some(cursor) = after {
            select.and_where(crate::listing::after_cursor(
                PurchaseOrders::IssuedOn,
                PurchaseOrders::Id,
                cursor,
                Order::Desc,
            ));
        }
        rows(self.tx.conn.fetch_all(&select).await?)
    }

    /// The row of `id`, for staff.
    pub async fn find(&mut self, id: Uuid) -> Result<Option<PoRow>, DataError> {
        let select = self.row_select(id);
        self.tx
            .conn
            .fetch_optional::<PoRowDb>(&select)
            .await?
            .map(PoRow::try_from)
            .transpose()
    }

    /// Records the supplier's answer to every line of `row`, when it still
    /// waits for one (one guarded update: `None` when someone answered
    /// first or staff moved it). An answer accepting every line as ordered
    /// acknowledges the order; any other waits for staff's review.
    pub async fn acknowledge(
        &mut self,
        row: &PoRow,
        ack: &Ack,
        by: By<'_>,
    ) -> Result<Option<PoRow>, DataError> {
        let Actor::Contact(contact) = by.actor else {
            return Err(DataError::Corrupt(
                "a purchase order is answered by a contact".into(),
            ));
        };
        let accepted = ack.accepts_all();
        let (status, awaiting_review) = if accepted {
            (PoStatus::Acknowledged, false)
        } else {
            (PoStatus::Sent, true)
        };
        let now = Utc::now();
        let update = Query::update()
            .table(PurchaseOrders::Table)
            .value(PurchaseOrders::Status, status.as_str())
            .value(PurchaseOrders::AwaitingReview, awaiting_review)
            .value(PurchaseOrders::RespondedBy, contact.as_uuid())
            .value(PurchaseOrders::RespondedAt, now)
            .value(PurchaseOrders::ResponseNote, ack.note.clone())
            .value(PurchaseOrders::ReviewNote, Option::<String>::None)
            .value(PurchaseOrders::UpdatedAt, now)
            .and_where(Expr::col(PurchaseOrders::TenantId).eq(self.tenant()))
            .and_where(Expr::col(PurchaseOrders::Id).eq(row.id))
            .and_where(Expr::col(PurchaseOrders::Status).eq(PoStatus::Sent.as_str()))
            .and_where(Expr::col(PurchaseOrders::AwaitingReview).eq(false))
            .to_owned();
        if self.tx.conn.execute(&update).await? == 0 {
            return Ok(None);
        }
        for (n, answer) in ack.lines.iter().enumerate() {
            let update = Query::update()
                .table(PurchaseOrderLines::Table)
                .value(PurchaseOrderLines::Ack, answer.ack.as_str())
                .value(
                    PurchaseOrderLines::AckQuantity,
                    answer.quantity.map(money::to_stored),
                )
                .value(PurchaseOrderLines::AckDate, answer.promised_on)
                .value(PurchaseOrderLines::AckReason, answer.reason.clone())
                .and_where(Expr::col(PurchaseOrderLines::TenantId).eq(self.tenant()))
                .and_where(Expr::col(PurchaseOrderLines::OrderId).eq(row.id))
                .and_where(Expr::col(PurchaseOrderLines::Position).eq((n + 1) as i32))
                .to_owned();
            self.tx.conn.execute(&update).await?;
        }
        let action = if accepted {
            "acknowledged"
        } else {
            "answered_with_changes"
        };
        self.event(row.id, by, action, ack.note.as_deref()).await?;
        let answers: Vec<&str> = ack.lines.iter().map(|l| l.ack.as_str()).collect();
        self.tx
            .audit()
            .log(
                by,
                "purchase_order.acknowledge",
                ("purchase_order", row.id),
                Some(row.account_id.as_uuid()),
                json!({ "number": row.number, "lines": answers, "note": ack.note,
                        "status": { "before": row.state(), "after": if accepted { "acknowledged" } else { "in_review" } } }),
            )
            .await?;
        Ok(Some(PoRow {
            status,
            awaiting_review,
            ..row.clone()
        }))
    }

    /// Staff's decision on the supplier's changes to `row`, when they still
    /// wait for one (`None` otherwise). Accepted: each changed line takes the
    /// promised quantity and date, each rejected line is dropped to nothing,
    /// the totals are computed again (as the order was rounded) and the
    /// order is acknowledged. Refused: the answers are cleared and the
    /// supplier, reading the reason, answers again.
    pub async fn review(
        &mut self,
        row: &PoRow,
        review: &Review,
        by: By<'_>,
    ) -> Result<Option<PoRow>, DataError> {
        let Some(detail) = self.detail(row.id).await? else {
            return Ok(None);
        };
        let rounding = detail.rounding;
        let mut update = Query::update()
            .table(PurchaseOrders::Table)
            .value(PurchaseOrders::AwaitingReview, false)
            .value(PurchaseOrders::UpdatedAt, Utc::now())
            .and_where(Expr::col(PurchaseOrders::TenantId).eq(self.tenant()))
            .and_where(Expr::col(PurchaseOrders::Id).eq(row.id))
            .and_where(Expr::col(PurchaseOrders::Status).eq(PoStatus::Sent.as_str()))
            .and_where(Expr::col(PurchaseOrders::AwaitingReview).eq(true))
            .to_owned();
        let (status, total) = match review {
            Review::Accept => {
                let lines: Vec<(i32, OrderLine, Option<NaiveDate>)> = detail
                    .lines
                    .iter()
                    .map(|l| {
                        let quantity = match l.ack {
                            LineAck::Rejected => Dec::ZERO,
                            LineAck::Changed => l.ack_quantity.unwrap_or(l.quantity),
                            LineAck::Open | LineAck::Accepted => l.quantity,
                        };
                        let (net, tax) = line_amounts(quantity, l.unit_price, l.tax_rate);
                        let expected_on = match l.ack {
                            LineAck::Changed => l.ack_date.or(l.expected_on),
                            _ => l.expected_on,
                        };
                        let line = OrderLine {
                            item_id: None,
                            item_code: l.item_code.clone(),
                            description: l.description.clone(),
                            unit: l.unit.clone(),
                            quantity,
                            unit_price: l.unit_price,
                            tax_rate: l.tax_rate,
                            net,
                            tax,
                        };
                        (l.position, line, expected_on)
                    })
                    .collect();
                let priced: Vec<OrderLine> = lines.iter().map(|(_, l, _)| l.clone()).collect();
                let (subtotal, tax, total) = checked_totals(&priced, rounding)?;
                update
                    .value(PurchaseOrders::Status, PoStatus::Acknowledged.as_str())
                    .value(PurchaseOrders::Subtotal, money::to_stored(subtotal))
                    .value(PurchaseOrders::Tax, money::to_stored(tax))
                    .value(PurchaseOrders::Total, money::to_stored(total));
                if self.tx.conn.execute(&update).await? == 0 {
                    return Ok(None);
                }
                for (position, line, expected_on) in &lines {
                    let update = Query::update()
                        .table(PurchaseOrderLines::Table)
                        .value(
                            PurchaseOrderLines::Quantity,
                            money::to_stored(line.quantity),
                        )
                        .value(PurchaseOrderLines::Net, money::to_stored(line.net))
                        .value(PurchaseOrderLines::Tax, money::to_stored(line.tax))
                        .value(PurchaseOrderLines::ExpectedOn, *expected_on)
                        .and_where(Expr::col(PurchaseOrderLines::TenantId).eq(self.tenant()))
                        .and_where(Expr::col(PurchaseOrderLines::OrderId).eq(row.id))
                        .and_where(Expr::col(PurchaseOrderLines::Position).eq(*position))
                        .to_owned();
                    self.tx.conn.execute(&update).await?;
                }
                self.event(row.id, by, "changes_accepted", None).await?;
                (PoStatus::Acknowledged, total)
            }
            Review::Refuse(reason) => {
                // The answer no longer stands: the ERP may change the
                // order again until the supplier answers anew.
                update
                    .value(PurchaseOrders::ReviewNote, reason.clone())
                    .value(PurchaseOrders::RespondedBy, Option::<Uuid>::None);
                if self.tx.conn.execute(&update).await? == 0 {
                    return Ok(None);
                }
                let clear = Query::update()
                    .table(PurchaseOrderLines::Table)
                    .value(PurchaseOrderLines::Ack, LineAck::Open.as_str())
                    .value(PurchaseOrderLines::AckQuantity, Option::<i64>::None)
                    .value(PurchaseOrderLines::AckDate, Option::<NaiveDate>::None)
                    .value(PurchaseOrderLines::AckReason, Option::<String>::None)
                    .and_where(Expr::col(PurchaseOrderLines::TenantId).eq(self.tenant()))
                    .and_where(Expr::col(PurchaseOrderLines::OrderId).eq(row.id))
                    .to_owned();
                self.tx.conn.execute(&clear).await?;
                self.event(row.id, by, "changes_refused", Some(reason))
                    .await?;
                (PoStatus::Sent, row.total)
            }
        };
        self.tx
            .audit()
            .log(
                by,
                "purchase_order.review",
                ("purchase_order", row.id),
                Some(row.account_id.as_uuid()),
                json!({ "number": row.number,
                        "decision": match review { Review::Accept => "accept", Review::Refuse(_) => "refuse" },
                        "reason": match review { Review::Refuse(r) => Some(r), Review::Accept => None },
                        "total": { "before": row.total, "after": total } }),
            )
            .await?;
        Ok(Some(PoRow {
            status,
            awaiting_review: false,
            total,
            ..row.clone()
        }))
    }

    /// Makes a staff move on `row` when it is still in a state the move
    /// starts from (`None` otherwise; a sent order waiting for staff's review
    /// is sent, so it can be cancelled).
    pub async fn apply(
        &mut self,
        row: &PoRow,
        mv: PoMove,
        by: By<'_>,
    ) -> Result<Option<PoRow>, DataError> {
        let (from, to) = mv.transition();
        let update = Query::update()
            .table(PurchaseOrders::Table)
            .value(PurchaseOrders::Status, to.as_str())
            .value(PurchaseOrders::AwaitingReview, false)
            .value(PurchaseOrders::UpdatedAt, Utc::now())
            .and_where(Expr::col(PurchaseOrders::TenantId).eq(self.tenant()))
            .and_where(Expr::col(PurchaseOrders::Id).eq(row.id))
            .and_where(Expr::col(PurchaseOrders::Status).is_in(from.iter().map(|s| s.as_str())))
            .to_owned();
        if self.tx.conn.execute(&update).await? == 0 {
            return Ok(None);
        }
        self.event(row.id, by, state_event(to), None).await?;
        self.tx
            .audit()
            .log(
                by,
                &format!("purchase_order.{}", mv.as_str()),
                ("purchase_order", row.id),
                Some(row.account_id.as_uuid()),
                json!({ "number": row.number, "status": { "before": row.status, "after": to } }),
            )
            .await?;
        Ok(Some(PoRow {
            status: to,
            awaiting_review: false,
            ..row.clone()
        }))
    }

    /// Clears `contact` from the orders it answered, before it is deleted
    /// for good (the chain keeps its name).
    pub(crate) async fn forget_contact(&mut self, contact: ContactId) -> Result<(), DataError> {
        let update = Query::update()
            .table(PurchaseOrders::Table)
            .value(PurchaseOrders::RespondedBy, Option::<Uuid>::None)
            .and_where(Expr::col(PurchaseOrders::TenantId).eq(self.tenant()))
            .and_where(Expr::col(PurchaseOrders::RespondedBy).eq(contact.as_uuid()))
            .to_owned();
        self.tx.conn.execute(&update).await?;
        Ok(())
    }
}
