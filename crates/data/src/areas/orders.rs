//! Quotes and orders of the tenant's customers: created with the next human
//! number of their series, moved from state to state by one guarded update
//! (two people deciding at once: one wins, the other is told), each step kept
//! in the record's events (the approval chain) and audited; read page by page
//! through a contact's `PortalScope` (filtered in SQL by account and visible
//! branches), as what waits for a contact's decision, or by staff.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use portico_authz::PortalScope;
use portico_domain::{
    AccountKind, FieldErrors, Portal,
    money::{self, Dec},
    orders::{ErpOrder, OrderKind, OrderLine, OrderMove, OrderStatus, QuoteDraft},
};
use sea_query::{
    Expr, ExprTrait, IntoColumnRef, IntoIden, OnConflict, Order, Query, SelectStatement,
};
use serde_json::json;
use uuid::Uuid;

use crate::areas::audit::Actor;
use crate::areas::customer_records::sees_branch;
use crate::areas::sales::{digest, key, problem};
use crate::tables::{
    Accounts, ContactLinks, DocumentCounters, PurchaseOrderEvents, SalesOrderEvents,
    SalesOrderLines, SalesOrders, Tenants,
};
use crate::{
    AccountId, BranchId, By, ContactId, DataError, DateCursor, RecordTable, TenantTx,
    UpsertOutcome, Upserted,
};

/// The largest total a quote or order may reach (as for every amount).
const MAX_TOTAL: i64 = 1_000_000_000_000;

/// A quote or order in a list.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderRow {
    pub id: Uuid,
    pub kind: OrderKind,
    pub number: String,
    pub account_id: AccountId,
    pub branch_id: Option<BranchId>,
    pub status: OrderStatus,
    /// A quote someone asked an approver to accept.
    pub awaiting_approval: bool,
    pub issued_on: NaiveDate,
    pub valid_until: Option<NaiveDate>,
    pub deliver_on: Option<NaiveDate>,
    pub currency: String,
    pub total: Dec,
    /// The contact who created it in the portal.
    pub created_by: Option<ContactId>,
}

impl OrderRow {
    /// The cursor that continues a list after this row.
    pub fn cursor(&self) -> DateCursor {
        DateCursor::new(self.issued_on, self.id)
    }

    /// A sent quote past its validity: it can no longer be accepted.
    pub fn expired(&self, today: NaiveDate) -> bool {
        self.status == OrderStatus::Sent && self.valid_until.is_some_and(|v| v < today)
    }

    /// Its state as people read it: the stored one, or `expired`.
    pub fn state(&self, today: NaiveDate) -> &'static str {
        if self.expired(today) {
            "expired"
        } else {
            self.status.as_str()
        }
    }

    /// Whether it waits for the customer's decision.
    pub fn open(&self, today: NaiveDate) -> bool {
        self.status == OrderStatus::open_for(self.kind) && !self.expired(today)
    }
}

/// One step of a record's history: who did what, with the limit they had.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct OrderEvent {
    pub occurred_at: DateTime<Utc>,
    /// `contact`, `staff`, `api_key` or `system`.
    pub actor_kind: String,
    pub actor_name: String,
    /// `created`, `sent`, `approval_requested`, `authorized`, `rejected`,
    /// `fulfilled`, `cancelled`.
    pub action: String,
    pub approval_limit: Option<Dec>,
    pub comment: Option<String>,
}

/// A quote or order with its lines and history.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderDetail {
    pub row: OrderRow,
    pub account_name: String,
    pub subtotal: Dec,
    pub tax: Dec,
    pub notes: Option<String>,
    /// The ERP's reference, for a record an ERP sent.
    pub external_ref: Option<String>,
    /// The quote an order was made from: its id and number.
    pub quote: Option<(Uuid, String)>,
    pub lines: Vec<OrderLine>,
    pub events: Vec<OrderEvent>,
}

/// A quote or order to create.
#[derive(Debug, Clone)]
pub struct NewOrder {
    pub kind: OrderKind,
    pub account: AccountId,
    pub branch: Option<BranchId>,
    pub currency: String,
    pub lines: Vec<OrderLine>,
    pub valid_until: Option<NaiveDate>,
    pub deliver_on: Option<NaiveDate>,
    pub quote: Option<Uuid>,
    pub notes: Option<String>,
    pub created_by: Option<ContactId>,
}

/// What became of a move.
#[derive(Debug, Clone, PartialEq)]
pub enum Moved {
    /// Done: the record as it is now.
    Done(OrderRow),
    /// Someone else moved it first (or it is no longer in a state the move
    /// starts from): the record as it is now, and who decided it.
    Stale(OrderRow, Option<String>),
}

#[derive(sqlx::FromRow)]
struct OrderRowDb {
    id: Uuid,
    kind: String,
    number: String,
    account_id: Uuid,
    branch_id: Option<Uuid>,
    status: String,
    awaiting_approval: bool,
    issued_on: NaiveDate,
    valid_until: Option<NaiveDate>,
    deliver_on: Option<NaiveDate>,
    currency: String,
    total: i64,
    created_by: Option<Uuid>,
}

impl TryFrom<OrderRowDb> for OrderRow {
    type Error = DataError;

    fn try_from(r: OrderRowDb) -> Result<Self, DataError> {
        Ok(OrderRow {
            id: r.id,
            kind: OrderKind::parse(&r.kind)
                .ok_or_else(|| DataError::Corrupt(format!("order kind {}", r.kind)))?,
            number: r.number,
            account_id: r.account_id.into(),
            branch_id: r.branch_id.map(Into::into),
            status: OrderStatus::parse(&r.status)
                .ok_or_else(|| DataError::Corrupt(format!("order status {}", r.status)))?,
            awaiting_approval: r.awaiting_approval,
            issued_on: r.issued_on,
            valid_until: r.valid_until,
            deliver_on: r.deliver_on,
            currency: r.currency,
            total: money::amount(r.total),
            created_by: r.created_by.map(Into::into),
        })
    }
}

const ROW_COLUMNS: [SalesOrders; 13] = [
    SalesOrders::Id,
    SalesOrders::Kind,
    SalesOrders::Number,
    SalesOrders::AccountId,
    SalesOrders::BranchId,
    SalesOrders::Status,
    SalesOrders::AwaitingApproval,
    SalesOrders::IssuedOn,
    SalesOrders::ValidUntil,
    SalesOrders::DeliverOn,
    SalesOrders::Currency,
    SalesOrders::Total,
    SalesOrders::CreatedBy,
];

#[derive(sqlx::FromRow)]
struct DetailDb {
    subtotal: i64,
    tax: i64,
    notes: Option<String>,
    external_ref: Option<String>,
    quote_id: Option<Uuid>,
    account_name: String,
}

#[derive(sqlx::FromRow)]
struct LineDb {
    item_id: Option<Uuid>,
    item_code: Option<String>,
    description: String,
    unit: String,
    quantity: i64,
    unit_price: i64,
    tax_rate: i64,
    net: i64,
    tax: i64,
}

#[derive(sqlx::FromRow)]
struct EventDb {
    occurred_at: DateTime<Utc>,
    actor_kind: String,
    actor_name: String,
    action: String,
    approval_limit: Option<i64>,
    comment: Option<String>,
}

/// A stored rounding rule.
pub(crate) fn parse_rounding(raw: &str) -> Result<money::Rounding, DataError> {
    raw.parse()
        .map_err(|()| DataError::Corrupt(format!("order rounding {raw:?}")))
}

/// The totals of `lines`, refused when an amount outgrows what is stored or
/// the total is below zero.
pub(crate) fn checked_totals(
    lines: &[OrderLine],
    rounding: money::Rounding,
) -> Result<(Dec, Dec, Dec), DataError> {
    let (subtotal, tax, total) = portico_domain::orders::totals(lines, rounding);
    let problem = totals_problem(lines, total);
    if let Some(message) = problem {
        let mut errors = FieldErrors::default();
        errors.add("lines", message);
        return Err(DataError::Invalid(errors));
    }
    Ok((subtotal, tax, total))
}

/// Why `lines` totalling `total` cannot be stored, if they cannot.
fn totals_problem(lines: &[OrderLine], total: Dec) -> Option<&'static str> {
    if total >= Dec::from(MAX_TOTAL) || lines.iter().any(|l| l.net.abs() >= Dec::from(MAX_TOTAL)) {
        Some("field-decimal-too-large")
    } else if total.is_sign_negative() {
        Some("sales-total-negative")
    } else {
        None
    }
}

/// What the portal shows of `sales_orders` (its status and creator columns
/// given): everything but a draft the company is still writing (staff or an
/// ERP); a draft a contact asked for is shown, as requested.
fn shown_in_portal(status: impl IntoColumnRef, created_by: impl IntoColumnRef) -> Expr {
    Expr::col(status)
        .ne(OrderStatus::Draft.as_str())
        .or(Expr::col(created_by).is_not_null())
}

/// The step of the chain an ERP's change of state is kept as.
fn state_event(to: OrderStatus) -> &'static str {
    match to {
        OrderStatus::Sent => "sent",
        OrderStatus::Accepted | OrderStatus::Authorized => "authorized",
        OrderStatus::Rejected => "rejected",
        OrderStatus::Fulfilled => "fulfilled",
        OrderStatus::Cancelled => "cancelled",
        OrderStatus::Draft | OrderStatus::Submitted => "reopened",
    }
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
    decided_by: Option<Uuid>,
    rounding: String,
}

/// How a quote or order is first written.
struct Header<'a> {
    kind: OrderKind,
    account: AccountId,
    branch: Option<BranchId>,
    status: OrderStatus,
    issued_on: NaiveDate,
    valid_until: Option<NaiveDate>,
    deliver_on: Option<NaiveDate>,
    currency: &'a str,
    quote: Option<Uuid>,
    notes: Option<&'a str>,
    created_by: Option<ContactId>,
    /// The ERP's reference and the digest of what it sent.
    external: Option<(&'a str, &'a str)>,
    /// How its tax was rounded (kept with it: decision 0012).
    rounding: money::Rounding,
}

fn rows(rows: Vec<OrderRowDb>) -> Result<Vec<OrderRow>, DataError> {
    rows.into_iter().map(OrderRow::try_from).collect()
}

/// Quotes and orders of the transaction's tenant.
pub struct OrdersArea<'t> {
    pub(crate) tx: &'t mut TenantTx,
}

impl OrdersArea<'_> {
    fn tenant(&self) -> Uuid {
        self.tx.tenant_id().as_uuid()
    }

    fn serves(&self, scope: &PortalScope) -> bool {
        scope.tenant() == self.tx.tenant_id() && scope.portal() == Portal::Customer
    }

    /// The next human number of `kind`'s series.
    async fn next_number(&mut self, kind: OrderKind) -> Result<String, DataError> {
        Ok(kind.number(next_in_series(self.tx, kind.as_str()).await?))
    }

    /// Appends a step to `order`'s chain.
    async fn event(
        &mut self,
        order: Uuid,
        by: By<'_>,
        action: &str,
        limit: Option<Dec>,
        comment: Option<&str>,
    ) -> Result<(), DataError> {
        append_event(self.tx, Chain::Sales, order, by, (action, limit, comment)).await
    }

    /// The tax rounding quote or order `id` was totalled with, if it exists.
    async fn rounding_of(&mut self, id: Uuid) -> Result<Option<money::Rounding>, DataError> {
        let select = Query::select()
            .column(SalesOrders::Rounding)
            .from(SalesOrders::Table)
            .and_where(Expr::col(SalesOrders::TenantId).eq(self.tenant()))
            .and_where(Expr::col(SalesOrders::Id).eq(id))
            .to_owned();
        let row: Option<(String,)> = self.tx.conn.fetch_optional(&select).await?;
        row.map(|(raw,)| parse_rounding(&raw)).transpose()
    }

    /// Creates a quote or order with its lines and the next number of its
    /// series; totals as the company rounds them (an order made from a
    /// quote: as the quote was).
    pub async fn create(&mut self, new: NewOrder, by: By<'_>) -> Result<OrderRow, DataError> {
        let quote_rounding = match new.quote {
            Some(quote) => self.rounding_of(quote).await?,
            None => None,
        };
        let rounding = match quote_rounding {
            Some(rounding) => rounding,
            None => self.tx.settings().rounding().await?,
        };
        let (subtotal, tax, total) = checked_totals(&new.lines, rounding)?;
        let id = Uuid::now_v7();
        let number = self.next_number(new.kind).await?;
        let now = Utc::now();
        let status = new.kind.initial();
        let header = Header {
            kind: new.kind,
            account: new.account,
            branch: new.branch,
            status,
            issued_on: now.date_naive(),
            valid_until: new.valid_until,
            deliver_on: new.deliver_on,
            currency: &new.currency,
            quote: new.quote,
            notes: new.notes.as_deref(),
            created_by: new.created_by,
            external: None,
            rounding,
        };
        self.insert_header(id, &number, &header, (subtotal, tax, total))
            .await?;
        self.insert_lines(id, &new.lines).await?;
        self.event(id, by, "created", None, new.notes.as_deref())
            .await?;
        self.tx
            .audit()
            .log(
                by,
                &format!("{}.create", new.kind.as_str()),
                (new.kind.as_str(), id),
                Some(new.account.as_uuid()),
                json!({ "after": { "number": number, "total": total, "currency": new.currency,
                                   "lines": new.lines.len(), "quote_id": new.quote } }),
            )
            .await?;
        Ok(OrderRow {
            id,
            kind: new.kind,
            number,
            account_id: new.account,
            branch_id: new.branch,
            status,
            awaiting_approval: false,
            issued_on: now.date_naive(),
            valid_until: new.valid_until,
            deliver_on: new.deliver_on,
            currency: new.currency,
            total,
            created_by: new.created_by,
        })
    }

    /// Inserts the row of a new quote or order (its lines apart).
    async fn insert_header(
        &mut self,
        id: Uuid,
        number: &str,
        h: &Header<'_>,
        (subtotal, tax, total): (Dec, Dec, Dec),
    ) -> Result<(), DataError> {
        let now = Utc::now();
        let insert = Query::insert()
            .into_table(SalesOrders::Table)
            .columns([
                SalesOrders::TenantId,
                SalesOrders::Id,
                SalesOrders::Kind,
                SalesOrders::Number,
                SalesOrders::AccountId,
                SalesOrders::BranchId,
                SalesOrders::Status,
                SalesOrders::AwaitingApproval,
                SalesOrders::IssuedOn,
                SalesOrders::ValidUntil,
                SalesOrders::DeliverOn,
                SalesOrders::Currency,
                SalesOrders::Subtotal,
                SalesOrders::Tax,
                SalesOrders::Total,
                SalesOrders::QuoteId,
                SalesOrders::Notes,
                SalesOrders::CreatedBy,
                SalesOrders::ExternalRef,
                SalesOrders::Digest,
                SalesOrders::Rounding,
                SalesOrders::CreatedAt,
                SalesOrders::UpdatedAt,
            ])
            .values_panic([
                self.tenant().into(),
                id.into(),
                h.kind.as_str().into(),
                number.into(),
                h.account.as_uuid().into(),
                h.branch.map(|b| b.as_uuid()).into(),
                h.status.as_str().into(),
                false.into(),
                h.issued_on.into(),
                h.valid_until.into(),
                h.deliver_on.into(),
                h.currency.into(),
                money::to_stored(subtotal).into(),
                money::to_stored(tax).into(),
                money::to_stored(total).into(),
                h.quote.into(),
                h.notes.map(str::to_owned).into(),
                h.created_by.map(|c| c.as_uuid()).into(),
                h.external.map(|(r, _)| r.to_owned()).into(),
                h.external.map(|(_, d)| d.to_owned()).into(),
                h.rounding.as_str().into(),
                now.into(),
                now.into(),
            ])
            .to_owned();
        self.tx.conn.execute(&insert).await?;
        Ok(())
    }

    /// Creates or updates the quotes or orders of `kind` an ERP sends, all
    /// or nothing, by the ERP's reference: a new one gets the next number of
    /// its series; one sent again as stored (same content, same state) is
    /// left alone; a changed one has its content replaced and its state set,
    /// each kept in its chain. What a contact decided in the portal stands:
    /// such a record keeps its content and its state only moves on from
    /// there (an authorized order to fulfilled or cancelled). Any change
    /// clears a pending request for approval (the chain shows the change). Lines naming an item of
    /// the catalogue by code are linked to it. Nothing is written when any
    /// record has a problem: every problem is returned, under `records[n]`.
    pub async fn upsert(
        &mut self,
        kind: OrderKind,
        records: &[ErpOrder],
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
            .map(|r| (r.customer.as_str(), r.branch.as_deref()))
            .collect();
        let resolved = self
            .tx
            .sales()
            .resolve(AccountKind::Customer, &codes, &mut errors)
            .await?;
        let select = Query::select()
            .columns([
                SalesOrders::Id,
                SalesOrders::ExternalRef,
                SalesOrders::Number,
                SalesOrders::AccountId,
                SalesOrders::Currency,
                SalesOrders::Status,
                SalesOrders::Digest,
                SalesOrders::DecidedBy,
                SalesOrders::Rounding,
            ])
            .from(SalesOrders::Table)
            .and_where(Expr::col(SalesOrders::TenantId).eq(self.tenant()))
            .and_where(Expr::col(SalesOrders::Kind).eq(kind.as_str()))
            .and_where(Expr::col(SalesOrders::ExternalRef).is_in(refs))
            .to_owned();
        let stored: HashMap<String, StoredDb> = self
            .tx
            .conn
            .fetch_all::<StoredDb>(&select)
            .await?
            .into_iter()
            .map(|r| (r.external_ref.clone().unwrap_or_default(), r))
            .collect();
        let rounding = self.tx.settings().rounding().await?;
        let mut plans = Vec::with_capacity(records.len());
        for (n, r) in records.iter().enumerate() {
            let account = resolved.accounts.get(&key(&r.customer)).copied();
            let branch = account.and_then(|a| {
                r.branch
                    .as_deref()
                    .and_then(|b| resolved.branches.get(&(a, key(b))).copied())
            });
            let (_, _, total) = portico_domain::orders::totals(&r.lines, rounding);
            if let Some(message) = totals_problem(&r.lines, total) {
                problem(&mut errors, n, "lines", message);
            }
            let digest = digest(r, account.unwrap_or_default(), branch);
            let old = stored.get(&r.external_ref);
            if let Some(old) = old {
                if Some(old.account_id) != account {
                    problem(&mut errors, n, "customer", "sales-customer-changed");
                }
                if old.currency != r.currency {
                    problem(&mut errors, n, "currency", "sales-currency-changed");
                }
                let from = OrderStatus::parse(&old.status)
                    .ok_or_else(|| DataError::Corrupt(format!("order status {}", old.status)))?;
                if old.decided_by.is_some() {
                    if old.digest.as_deref() != Some(digest.as_str()) {
                        problem(&mut errors, n, "lines", "orders-decided-in-portal");
                    }
                    if r.status != from && !from.moves_to(kind, r.status) {
                        problem(&mut errors, n, "status", "orders-decided-in-portal");
                    }
                }
                plans.push((account, branch, Some((old, from)), digest));
            } else {
                plans.push((account, branch, None, digest));
            }
        }
        if !errors.is_empty() {
            return Err(DataError::Invalid(errors));
        }
        let item_codes: Vec<String> = records
            .iter()
            .flat_map(|r| r.lines.iter().filter_map(|l| l.item_code.clone()))
            .collect();
        let items = self.tx.catalogue().ids_by_code(&item_codes).await?;
        let mut outcomes = Vec::with_capacity(records.len());
        for (r, (account, branch, old, digest)) in records.iter().zip(plans) {
            let account = AccountId::from(account.unwrap_or_default());
            let branch = branch.map(BranchId::from);
            let lines: Vec<OrderLine> = r
                .lines
                .iter()
                .map(|l| OrderLine {
                    item_id: l
                        .item_code
                        .as_ref()
                        .and_then(|c| items.get(&key(c)).copied()),
                    ..l.clone()
                })
                .collect();
            // A stored record keeps the rule it was totalled with.
            let rounding = match &old {
                Some((stored, _)) => parse_rounding(&stored.rounding)?,
                None => rounding,
            };
            let (subtotal, tax, total) = checked_totals(&lines, rounding)?;
            let content_changed = old
                .as_ref()
                .is_none_or(|(o, _)| o.digest.as_deref() != Some(digest.as_str()));
            let (id, outcome) = match old {
                Some((old, from)) if !content_changed && from == r.status => {
                    (old.id, Upserted::Unchanged)
                }
                Some((old, from)) => {
                    self.replace_from_erp(
                        (old, from),
                        branch,
                        r,
                        &lines,
                        (subtotal, tax, total),
                        &digest,
                    )
                    .await?;
                    if content_changed {
                        self.event(old.id, by, "updated", None, None).await?;
                    }
                    if from != r.status {
                        self.event(old.id, by, state_event(r.status), None, None)
                            .await?;
                    }
                    self.tx
                        .audit()
                        .log(
                            by,
                            &format!("{}.update", kind.as_str()),
                            (kind.as_str(), old.id),
                            Some(account.as_uuid()),
                            json!({ "number": old.number, "external_ref": r.external_ref,
                                    "status": { "before": from, "after": r.status },
                                    "total": total, "lines": lines.len() }),
                        )
                        .await?;
                    (old.id, Upserted::Updated)
                }
                None => {
                    let id = Uuid::now_v7();
                    let number = self.next_number(kind).await?;
                    let header = Header {
                        kind,
                        account,
                        branch,
                        status: r.status,
                        issued_on: r.issued_on.unwrap_or_else(|| Utc::now().date_naive()),
                        valid_until: r.valid_until,
                        deliver_on: r.deliver_on,
                        currency: &r.currency,
                        quote: None,
                        notes: r.notes.as_deref(),
                        created_by: None,
                        external: Some((&r.external_ref, &digest)),
                        rounding,
                    };
                    self.insert_header(id, &number, &header, (subtotal, tax, total))
                        .await?;
                    self.insert_lines(id, &lines).await?;
                    self.event(id, by, "imported", None, r.notes.as_deref())
                        .await?;
                    if r.status != kind.initial() {
                        self.event(id, by, state_event(r.status), None, None)
                            .await?;
                    }
                    self.tx
                        .audit()
                        .log(
                            by,
                            &format!("{}.create", kind.as_str()),
                            (kind.as_str(), id),
                            Some(account.as_uuid()),
                            json!({ "after": { "number": number, "external_ref": r.external_ref,
                                               "status": r.status, "total": total,
                                               "currency": r.currency, "lines": lines.len() } }),
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

    /// Replaces a stored record's content and state with what an ERP sent
    /// (its issue date only when sent), guarded by what was read: when a
    /// contact decided it or another call changed it meanwhile, nothing is
    /// written and the batch is a conflict on `external_ref`, to send again.
    async fn replace_from_erp(
        &mut self,
        (old, from): (&StoredDb, OrderStatus),
        branch: Option<BranchId>,
        r: &ErpOrder,
        lines: &[OrderLine],
        (subtotal, tax, total): (Dec, Dec, Dec),
        digest: &str,
    ) -> Result<(), DataError> {
        let mut update = Query::update()
            .table(SalesOrders::Table)
            .value(SalesOrders::BranchId, branch.map(|b| b.as_uuid()))
            .value(SalesOrders::Status, r.status.as_str())
            .value(SalesOrders::AwaitingApproval, false)
            .value(SalesOrders::ValidUntil, r.valid_until)
            .value(SalesOrders::DeliverOn, r.deliver_on)
            .value(SalesOrders::Subtotal, money::to_stored(subtotal))
            .value(SalesOrders::Tax, money::to_stored(tax))
            .value(SalesOrders::Total, money::to_stored(total))
            .value(SalesOrders::Notes, r.notes.clone())
            .value(SalesOrders::Digest, digest)
            .value(SalesOrders::UpdatedAt, Utc::now())
            .and_where(Expr::col(SalesOrders::TenantId).eq(self.tenant()))
            .and_where(Expr::col(SalesOrders::Id).eq(old.id))
            .and_where(Expr::col(SalesOrders::Status).eq(from.as_str()))
            .to_owned();
        if let Some(issued_on) = r.issued_on {
            update.value(SalesOrders::IssuedOn, issued_on);
        }
        match old.decided_by {
            Some(contact) => update.and_where(Expr::col(SalesOrders::DecidedBy).eq(contact)),
            None => update.and_where(Expr::col(SalesOrders::DecidedBy).is_null()),
        };
        match &old.digest {
            Some(stored) => update.and_where(Expr::col(SalesOrders::Digest).eq(stored.as_str())),
            None => update.and_where(Expr::col(SalesOrders::Digest).is_null()),
        };
        if self.tx.conn.execute(&update).await? == 0 {
            return Err(DataError::Conflict {
                constraint: "sales_orders_external_ref_key".into(),
            });
        }
        self.replace_lines(old.id, lines).await
    }

    /// Replaces the lines of quote or order `id` with `lines`.
    async fn replace_lines(&mut self, id: Uuid, lines: &[OrderLine]) -> Result<(), DataError> {
        let delete = Query::delete()
            .from_table(SalesOrderLines::Table)
            .and_where(Expr::col(SalesOrderLines::TenantId).eq(self.tenant()))
            .and_where(Expr::col(SalesOrderLines::OrderId).eq(id))
            .to_owned();
        self.tx.conn.execute(&delete).await?;
        self.insert_lines(id, lines).await
    }

    /// Writes `lines` as those of quote or order `id`, numbered from 1.
    async fn insert_lines(&mut self, id: Uuid, lines: &[OrderLine]) -> Result<(), DataError> {
        for (chunk_no, chunk) in lines.chunks(100).enumerate() {
            let mut insert = Query::insert()
                .into_table(SalesOrderLines::Table)
                .columns([
                    SalesOrderLines::TenantId,
                    SalesOrderLines::OrderId,
                    SalesOrderLines::Position,
                    SalesOrderLines::ItemId,
                    SalesOrderLines::ItemCode,
                    SalesOrderLines::Description,
                    SalesOrderLines::Unit,
                    SalesOrderLines::Quantity,
                    SalesOrderLines::UnitPrice,
                    SalesOrderLines::TaxRate,
                    SalesOrderLines::Net,
                    SalesOrderLines::Tax,
                ])
                .to_owned();
            for (n, line) in chunk.iter().enumerate() {
                insert.values_panic([
                    self.tenant().into(),
                    id.into(),
                    ((chunk_no * 100 + n + 1) as i32).into(),
                    line.item_id.into(),
                    line.item_code.clone().into(),
                    line.description.clone().into(),
                    line.unit.clone().into(),
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

    /// `lines`, each naming an item of the catalogue by code linked to it
    /// (so "order again" finds it).
    async fn linked(&mut self, lines: &[OrderLine]) -> Result<Vec<OrderLine>, DataError> {
        let codes: Vec<String> = lines.iter().filter_map(|l| l.item_code.clone()).collect();
        let items = self.tx.catalogue().ids_by_code(&codes).await?;
        Ok(lines
            .iter()
            .map(|l| OrderLine {
                item_id: l
                    .item_code
                    .as_ref()
                    .and_then(|c| items.get(&key(c)).copied()),
                ..l.clone()
            })
            .collect())
    }

    /// A quote staff write for customer `account` — for one of its
    /// branches (checked by the caller, `BranchesArea::chosen`) or the
    /// customer itself — in the company's currency, as a draft to send;
    /// lines naming an item of the catalogue are linked to it.
    pub async fn draft_for(
        &mut self,
        account: AccountId,
        branch: Option<BranchId>,
        draft: &QuoteDraft,
        by: By<'_>,
    ) -> Result<OrderRow, DataError> {
        let (currency, _) = self.company_rules().await?;
        let lines = self.linked(&draft.lines).await?;
        let new = NewOrder {
            kind: OrderKind::Quote,
            account,
            branch,
            currency,
            lines,
            valid_until: draft.valid_until,
            deliver_on: None,
            quote: None,
            notes: draft.notes.clone(),
            created_by: None,
        };
        self.create(new, by).await
    }

    /// Replaces a drafted quote's lines, validity and notes (staff pricing a
    /// requested quote before sending it), in one guarded update: `None`
    /// when it is no longer a draft. Lines naming an item of the catalogue
    /// by code are linked to it, so "order again" finds them.
    pub async fn redraft(
        &mut self,
        row: &OrderRow,
        draft: &QuoteDraft,
        by: By<'_>,
    ) -> Result<Option<OrderRow>, DataError> {
        let rounding = match self.rounding_of(row.id).await? {
            Some(rounding) => rounding,
            None => self.tx.settings().rounding().await?,
        };
        let (subtotal, tax, total) = checked_totals(&draft.lines, rounding)?;
        let update = Query::update()
            .table(SalesOrders::Table)
            .value(SalesOrders::ValidUntil, draft.valid_until)
            .value(SalesOrders::Notes, draft.notes.clone())
            .value(SalesOrders::Subtotal, money::to_stored(subtotal))
            .value(SalesOrders::Tax, money::to_stored(tax))
            .value(SalesOrders::Total, money::to_stored(total))
            // Staff changed what an ERP may have sent: the ERP's next
            // sending is a change, not "unchanged".
            .value(SalesOrders::Digest, Option::<String>::None)
            .value(SalesOrders::UpdatedAt, Utc::now())
            .and_where(Expr::col(SalesOrders::TenantId).eq(self.tenant()))
            .and_where(Expr::col(SalesOrders::Id).eq(row.id))
            .and_where(Expr::col(SalesOrders::Kind).eq(OrderKind::Quote.as_str()))
            .and_where(Expr::col(SalesOrders::Status).eq(OrderStatus::Draft.as_str()))
            .to_owned();
        if self.tx.conn.execute(&update).await? == 0 {
            return Ok(None);
        }
        let lines = self.linked(&draft.lines).await?;
        self.replace_lines(row.id, &lines).await?;
        self.event(row.id, by, "drafted", None, None).await?;
        self.tx
            .audit()
            .log(
                by,
                "quote.draft",
                ("quote", row.id),
                Some(row.account_id.as_uuid()),
                json!({ "number": row.number,
                        "total": { "before": row.total, "after": total },
                        "lines": lines.len(), "valid_until": draft.valid_until }),
            )
            .await?;
        Ok(Some(OrderRow {
            valid_until: draft.valid_until,
            total,
            ..row.clone()
        }))
    }

    /// The row of `id`, any kind, any customer.
    async fn row(&mut self, id: Uuid) -> Result<Option<OrderRow>, DataError> {
        let select = Query::select()
            .columns(ROW_COLUMNS)
            .from(SalesOrders::Table)
            .and_where(Expr::col(SalesOrders::TenantId).eq(self.tenant()))
            .and_where(Expr::col(SalesOrders::Id).eq(id))
            .to_owned();
        self.tx
            .conn
            .fetch_optional::<OrderRowDb>(&select)
            .await?
            .map(OrderRow::try_from)
            .transpose()
    }

    /// Moves `row` by `mv` when it is still in a state the move starts from,
    /// in one guarded update: of two people deciding at once one moves it and
    /// the other gets [`Moved::Stale`]. `limit` is the mover's approval limit,
    /// kept in the chain. `None` when the move does not apply to the kind.
    pub async fn apply(
        &mut self,
        row: &OrderRow,
        mv: OrderMove,
        limit: Option<Dec>,
        comment: Option<&str>,
        by: By<'_>,
    ) -> Result<Option<Moved>, DataError> {
        let Some((from, to)) = mv.transition(row.kind) else {
            return Ok(None);
        };
        let now = Utc::now();
        let mut update = Query::update()
            .table(SalesOrders::Table)
            .value(SalesOrders::Status, to.as_str())
            .value(SalesOrders::AwaitingApproval, false)
            .value(SalesOrders::UpdatedAt, now)
            .and_where(Expr::col(SalesOrders::TenantId).eq(self.tenant()))
            .and_where(Expr::col(SalesOrders::Id).eq(row.id))
            .and_where(Expr::col(SalesOrders::Status).is_in(from.iter().map(|s| s.as_str())))
            .to_owned();
        if let Actor::Contact(contact) = by.actor {
            update
                .value(SalesOrders::DecidedBy, contact.as_uuid())
                .value(SalesOrders::DecidedAt, now)
                .value(SalesOrders::Comment, comment.map(str::to_owned));
        }
        if self.tx.conn.execute(&update).await? == 0 {
            let now_row = self.row(row.id).await?.ok_or_else(|| {
                DataError::Corrupt("a quote or order read a moment ago is gone".into())
            })?;
            let decider = self.decider(row.id).await?;
            return Ok(Some(Moved::Stale(now_row, decider)));
        }
        let action = match mv {
            OrderMove::Send => "sent",
            OrderMove::Authorize => "authorized",
            OrderMove::Reject => "rejected",
            OrderMove::Fulfil => "fulfilled",
            OrderMove::Cancel => "cancelled",
        };
        self.event(row.id, by, action, limit, comment).await?;
        self.tx
            .audit()
            .log(
                by,
                &format!("{}.{}", row.kind.as_str(), mv.as_str()),
                (row.kind.as_str(), row.id),
                Some(row.account_id.as_uuid()),
                json!({ "number": row.number, "status": { "before": row.status, "after": to },
                        "comment": comment }),
            )
            .await?;
        Ok(Some(Moved::Done(OrderRow {
            status: to,
            awaiting_approval: false,
            ..row.clone()
        })))
    }

    /// Who decided `id` in the portal, by name.
    async fn decider(&mut self, id: Uuid) -> Result<Option<String>, DataError> {
        let select = Query::select()
            .column(SalesOrders::DecidedBy)
            .from(SalesOrders::Table)
            .and_where(Expr::col(SalesOrders::TenantId).eq(self.tenant()))
            .and_where(Expr::col(SalesOrders::Id).eq(id))
            .to_owned();
        let decided: Option<(Option<Uuid>,)> = self.tx.conn.fetch_optional(&select).await?;
        let Some(contact) = decided.and_then(|(c,)| c) else {
            return Ok(None);
        };
        Ok(self
            .tx
            .names()
            .of_records(&[contact])
            .await?
            .remove(&contact))
    }

    /// Marks an open quote as waiting for an approver (someone tried to accept
    /// it beyond their limit); kept in the chain with their limit. False when
    /// it is no longer open.
    pub async fn request_approval(
        &mut self,
        row: &OrderRow,
        limit: Option<Dec>,
        comment: Option<&str>,
        by: By<'_>,
    ) -> Result<bool, DataError> {
        let open = OrderStatus::open_for(row.kind);
        let update = Query::update()
            .table(SalesOrders::Table)
            .value(SalesOrders::AwaitingApproval, true)
            .value(SalesOrders::UpdatedAt, Utc::now())
            .and_where(Expr::col(SalesOrders::TenantId).eq(self.tenant()))
            .and_where(Expr::col(SalesOrders::Id).eq(row.id))
            .and_where(Expr::col(SalesOrders::Status).eq(open.as_str()))
            // Asked once: of two asking at once, one asks.
            .and_where(Expr::col(SalesOrders::AwaitingApproval).eq(false))
            .to_owned();
        if self.tx.conn.execute(&update).await? == 0 {
            return Ok(false);
        }
        self.event(row.id, by, "approval_requested", limit, comment)
            .await?;
        self.tx
            .audit()
            .log(
                by,
                &format!("{}.approval_requested", row.kind.as_str()),
                (row.kind.as_str(), row.id),
                Some(row.account_id.as_uuid()),
                json!({ "number": row.number, "comment": comment }),
            )
            .await?;
        Ok(true)
    }

    /// One page of `scope`'s quotes or orders, newest first.
    pub async fn portal_page(
        &mut self,
        scope: &PortalScope,
        kind: OrderKind,
        after: Option<&DateCursor>,
        limit: u64,
    ) -> Result<Vec<OrderRow>, DataError> {
        if !self.serves(scope) {
            return Ok(Vec::new());
        }
        let mut select = RecordTable::new(SalesOrders::Table, SalesOrders::IssuedOn)
            .only(
                Expr::col(SalesOrders::Kind)
                    .eq(kind.as_str())
                    .and(shown_in_portal(SalesOrders::Status, SalesOrders::CreatedBy)),
            )
            .portal_page(scope, after, limit);
        select.clear_selects().columns(ROW_COLUMNS);
        rows(self.tx.conn.fetch_page(&select, scope).await?)
    }

    /// The select of the detail's row: `id` of this tenant.
    fn detail_select(&self, id: Uuid) -> SelectStatement {
        Query::select()
            .columns(ROW_COLUMNS.map(|c| (SalesOrders::Table, c)))
            .from(SalesOrders::Table)
            .and_where(Expr::col((SalesOrders::Table, SalesOrders::TenantId)).eq(self.tenant()))
            .and_where(Expr::col((SalesOrders::Table, SalesOrders::Id)).eq(id))
            .to_owned()
    }

    /// One quote or order `scope` sees.
    pub async fn portal_detail(
        &mut self,
        scope: &PortalScope,
        id: Uuid,
    ) -> Result<Option<OrderDetail>, DataError> {
        if !self.serves(scope) {
            return Ok(None);
        }
        let mut select = self.detail_select(id);
        select
            .and_where(
                Expr::col((SalesOrders::Table, SalesOrders::AccountId))
                    .eq(scope.account().as_uuid()),
            )
            .and_where_option(sees_branch(
                scope,
                (SalesOrders::Table, SalesOrders::BranchId),
            ))
            .and_where(shown_in_portal(
                (SalesOrders::Table, SalesOrders::Status),
                (SalesOrders::Table, SalesOrders::CreatedBy),
            ));
        self.detail_of(select).await
    }

    /// One quote or order, for staff.
    pub async fn detail(&mut self, id: Uuid) -> Result<Option<OrderDetail>, DataError> {
        let select = self.detail_select(id);
        self.detail_of(select).await
    }

    async fn detail_of(
        &mut self,
        select: SelectStatement,
    ) -> Result<Option<OrderDetail>, DataError> {
        let Some(row) = self.tx.conn.fetch_optional::<OrderRowDb>(&select).await? else {
            return Ok(None);
        };
        let row = OrderRow::try_from(row)?;
        let detail = Query::select()
            .columns([
                (SalesOrders::Table, SalesOrders::Subtotal),
                (SalesOrders::Table, SalesOrders::Tax),
                (SalesOrders::Table, SalesOrders::Notes),
                (SalesOrders::Table, SalesOrders::ExternalRef),
                (SalesOrders::Table, SalesOrders::QuoteId),
            ])
            .expr_as(Expr::col((Accounts::Table, Accounts::Name)), "account_name")
            .from(SalesOrders::Table)
            .inner_join(
                Accounts::Table,
                Expr::col((Accounts::Table, Accounts::TenantId))
                    .equals((SalesOrders::Table, SalesOrders::TenantId))
                    .and(
                        Expr::col((Accounts::Table, Accounts::Id))
                            .equals((SalesOrders::Table, SalesOrders::AccountId)),
                    ),
            )
            .and_where(Expr::col((SalesOrders::Table, SalesOrders::TenantId)).eq(self.tenant()))
            .and_where(Expr::col((SalesOrders::Table, SalesOrders::Id)).eq(row.id))
            .to_owned();
        let detail: DetailDb = self.tx.conn.fetch_optional(&detail).await?.ok_or_else(|| {
            DataError::Corrupt("a quote or order read a moment ago is gone".into())
        })?;
        let lines = Query::select()
            .columns([
                SalesOrderLines::ItemId,
                SalesOrderLines::ItemCode,
                SalesOrderLines::Description,
                SalesOrderLines::Unit,
                SalesOrderLines::Quantity,
                SalesOrderLines::UnitPrice,
                SalesOrderLines::TaxRate,
                SalesOrderLines::Net,
                SalesOrderLines::Tax,
            ])
            .from(SalesOrderLines::Table)
            .and_where(Expr::col(SalesOrderLines::TenantId).eq(self.tenant()))
            .and_where(Expr::col(SalesOrderLines::OrderId).eq(row.id))
            .order_by(SalesOrderLines::Position, Order::Asc)
            .to_owned();
        let lines: Vec<LineDb> = self.tx.conn.fetch_all(&lines).await?;
        let events = read_events(self.tx, Chain::Sales, row.id).await?;
        let quote = match detail.quote_id {
            Some(quote) => self.row(quote).await?.map(|q| (q.id, q.number)),
            None => None,
        };
        Ok(Some(OrderDetail {
            row,
            account_name: detail.account_name,
            subtotal: money::amount(detail.subtotal),
            tax: money::amount(detail.tax),
            notes: detail.notes,
            external_ref: detail.external_ref,
            quote,
            lines: lines
                .into_iter()
                .map(|l| OrderLine {
                    item_id: l.item_id,
                    item_code: l.item_code,
                    description: l.description,
                    unit: l.unit,
                    quantity: money::from_stored(l.quantity, 0).normalize(),
                    unit_price: money::from_stored(l.unit_price, 2),
                    tax_rate: money::from_stored(l.tax_rate, 0).normalize(),
                    net: money::amount(l.net),
                    tax: money::amount(l.tax),
                })
                .collect(),
            events,
        }))
    }

    /// The approval limit of the scope's link (`None`: no limit) and the
    /// company's currency, in which limits are kept.
    pub async fn authority(
        &mut self,
        scope: &PortalScope,
    ) -> Result<(Option<Dec>, String, bool), DataError> {
        let select = Query::select()
            .column(ContactLinks::ApprovalLimit)
            .from(ContactLinks::Table)
            .and_where(Expr::col(ContactLinks::TenantId).eq(self.tenant()))
            .and_where(Expr::col(ContactLinks::ContactId).eq(scope.contact().as_uuid()))
            .and_where(Expr::col(ContactLinks::AccountId).eq(scope.account().as_uuid()))
            .to_owned();
        let limit: Option<(Option<i64>,)> = self.tx.conn.fetch_optional(&select).await?;
        let (currency, four_eyes) = self.company_rules().await?;
        Ok((
            limit.and_then(|(l,)| l).map(money::amount),
            currency,
            four_eyes,
        ))
    }

    /// The company's currency and whether nobody may authorize their own.
    pub async fn company_rules(&mut self) -> Result<(String, bool), DataError> {
        let select = Query::select()
            .columns([Tenants::Currency, Tenants::FourEyes])
            .from(Tenants::Table)
            .and_where(Expr::col(Tenants::Id).eq(self.tenant()))
            .to_owned();
        let row: Option<(String, bool)> = self.tx.conn.fetch_optional(&select).await?;
        row.ok_or_else(|| DataError::Corrupt("the tenant's row is gone".into()))
    }

    /// What waits for this contact's decision, newest first: open quotes and
    /// orders of its account and visible branches that it may authorize —
    /// of the `kinds` it holds `authorize` for, within `limit` (in
    /// `currency`), and not its own when the company requires four eyes.
    pub async fn waiting(
        &mut self,
        scope: &PortalScope,
        kinds: &[OrderKind],
        authority: (Option<Dec>, &str, bool),
        limit: u64,
    ) -> Result<Vec<OrderRow>, DataError> {
        if !self.serves(scope) || kinds.is_empty() {
            return Ok(Vec::new());
        }
        let (approval_limit, currency, four_eyes) = authority;
        let today = Utc::now().date_naive();
        let open = kinds
            .iter()
            .map(|k| {
                let mut one = Expr::col(SalesOrders::Kind)
                    .eq(k.as_str())
                    .and(Expr::col(SalesOrders::Status).eq(OrderStatus::open_for(*k).as_str()));
                if *k == OrderKind::Quote {
                    one = one.and(
                        Expr::col(SalesOrders::ValidUntil)
                            .is_null()
                            .or(Expr::col(SalesOrders::ValidUntil).gte(today)),
                    );
                }
                one
            })
            .reduce(|a, b| a.or(b))
            .unwrap_or_else(|| Expr::value(false));
        let mut select = Query::select()
            .columns(ROW_COLUMNS)
            .from(SalesOrders::Table)
            .and_where(Expr::col(SalesOrders::TenantId).eq(self.tenant()))
            .and_where(Expr::col(SalesOrders::AccountId).eq(scope.account().as_uuid()))
            .and_where_option(sees_branch(scope, SalesOrders::BranchId))
            .and_where(open)
            .order_by(SalesOrders::IssuedOn, Order::Desc)
            .order_by(SalesOrders::Id, Order::Desc)
            .limit(limit)
            .to_owned();
        if let Some(most) = approval_limit {
            select
                .and_where(Expr::col(SalesOrders::Total).lte(money::to_stored(most)))
                .and_where(Expr::col(SalesOrders::Currency).eq(currency));
        }
        if four_eyes {
            select.and_where(
                Expr::col(SalesOrders::CreatedBy)
                    .is_null()
                    .or(Expr::col(SalesOrders::CreatedBy).ne(scope.contact().as_uuid())),
            );
        }
        rows(self.tx.conn.fetch_all(&select).await?)
    }

    /// The back office's quotes or orders, of one customer or all, newest
    /// first, after `after`.
    pub async fn list(
        &mut self,
        kind: OrderKind,
        account: Option<AccountId>,
        after: Option<&DateCursor>,
        limit: u64,
    ) -> Result<Vec<OrderRow>, DataError> {
        let mut select = Query::select()
            .columns(ROW_COLUMNS)
            .from(SalesOrders::Table)
            .and_where(Expr::col(SalesOrders::TenantId).eq(self.tenant()))
            .and_where(Expr::col(SalesOrders::Kind).eq(kind.as_str()))
            .order_by(SalesOrders::IssuedOn, Order::Desc)
            .order_by(SalesOrders::Id, Order::Desc)
            .limit(limit)
            .to_owned();
        if let Some(account) = account {
            select.and_where(Expr::col(SalesOrders::AccountId).eq(account.as_uuid()));
        }
        if let Some(cursor) = after {
            select.and_where(crate::listing::after_cursor(
                SalesOrders::IssuedOn,
                SalesOrders::Id,
                cursor,
                Order::Desc,
            ));
        }
        rows(self.tx.conn.fetch_all(&select).await?)
    }

    /// The row of `id` for staff (any customer), of `kind`.
    pub async fn find(&mut self, kind: OrderKind, id: Uuid) -> Result<Option<OrderRow>, DataError> {
        Ok(self.row(id).await?.filter(|r| r.kind == kind))
    }

    /// The order made from `quote`, if any.
    pub async fn ordered_from(&mut self, quote: Uuid) -> Result<Option<Uuid>, DataError> {
        let select = Query::select()
            .column(SalesOrders::Id)
            .from(SalesOrders::Table)
            .and_where(Expr::col(SalesOrders::TenantId).eq(self.tenant()))
            .and_where(Expr::col(SalesOrders::QuoteId).eq(quote))
            .limit(1)
            .to_owned();
        let row: Option<(Uuid,)> = self.tx.conn.fetch_optional(&select).await?;
        Ok(row.map(|(id,)| id))
    }

    /// The quote or order numbered `number` of `account`.
    pub async fn by_number(
        &mut self,
        account: AccountId,
        number: &str,
    ) -> Result<Option<OrderRow>, DataError> {
        let select = Query::select()
            .columns(ROW_COLUMNS)
            .from(SalesOrders::Table)
            .and_where(Expr::col(SalesOrders::TenantId).eq(self.tenant()))
            .and_where(Expr::col(SalesOrders::AccountId).eq(account.as_uuid()))
            .and_where(Expr::col(SalesOrders::Number).eq(number.trim().to_uppercase()))
            .to_owned();
        self.tx
            .conn
            .fetch_optional::<OrderRowDb>(&select)
            .await?
            .map(OrderRow::try_from)
            .transpose()
    }

    /// Clears `contact` from the quotes and orders it created or decided,
    /// before it is deleted for good.
    pub(crate) async fn forget_contact(&mut self, contact: ContactId) -> Result<(), DataError> {
        for column in [SalesOrders::CreatedBy, SalesOrders::DecidedBy] {
            let update = Query::update()
                .table(SalesOrders::Table)
                .value(column, Option::<Uuid>::None)
                .and_where(Expr::col(SalesOrders::TenantId).eq(self.tenant()))
                .and_where(Expr::col(column).eq(contact.as_uuid()))
                .to_owned();
            self.tx.conn.execute(&update).await?;
        }
        Ok(())
    }
}

/// Whose chain of events: a quote's or order's, or a purchase order's (which
/// has no approval limits). Both tables have the same columns otherwise.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Chain {
    Sales,
    Purchase,
}

impl Chain {
    fn table(self) -> sea_query::DynIden {
        match self {
            Chain::Sales => SalesOrderEvents::Table.into_iden(),
            Chain::Purchase => PurchaseOrderEvents::Table.into_iden(),
        }
    }
}

/// Appends a step to the chain of record `order`: who (by name as it is
/// now), what, with the limit they had and their comment.
pub(crate) async fn append_event(
    tx: &mut TenantTx,
    chain: Chain,
    order: Uuid,
    by: By<'_>,
    (action, limit, comment): (&str, Option<Dec>, Option<&str>),
) -> Result<(), DataError> {
    let tenant = tx.tenant_id().as_uuid();
    let name = tx.names().actor(by.actor).await?;
    let (kind, id) = match by.actor {
        Actor::Contact(id) => ("contact", Some(id.as_uuid())),
        Actor::Staff(id) => ("staff", Some(id.as_uuid())),
        Actor::ApiKey(id) => ("api_key", Some(id.as_uuid())),
        Actor::Operator(_) | Actor::System => ("system", None),
    };
    let seq = Query::select()
        .expr(Expr::cust("CAST(COALESCE(MAX(seq), 0) + 1 AS BIGINT)"))
        .from(chain.table())
        .and_where(Expr::col(SalesOrderEvents::TenantId).eq(tenant))
        .and_where(Expr::col(SalesOrderEvents::OrderId).eq(order))
        .to_owned();
    let (seq,): (i64,) = tx.conn.fetch_optional(&seq).await?.unwrap_or((1,));
    let mut columns = vec![
        SalesOrderEvents::TenantId,
        SalesOrderEvents::OrderId,
        SalesOrderEvents::Seq,
        SalesOrderEvents::OccurredAt,
        SalesOrderEvents::ActorKind,
        SalesOrderEvents::ActorId,
        SalesOrderEvents::ActorName,
        SalesOrderEvents::Action,
        SalesOrderEvents::Comment,
    ];
    let mut values: Vec<sea_query::SimpleExpr> = vec![
        tenant.into(),
        order.into(),
        (seq as i32).into(),
        Utc::now().into(),
        kind.into(),
        id.into(),
        name.into(),
        action.into(),
        comment.map(str::to_owned).into(),
    ];
    if let Chain::Sales = chain {
        columns.push(SalesOrderEvents::ApprovalLimit);
        values.push(limit.map(money::to_stored).into());
    }
    let insert = Query::insert()
        .into_table(chain.table())
        .columns(columns)
        .values_panic(values)
        .to_owned();
    tx.conn.execute(&insert).await?;
    Ok(())
}

/// The chain of record `order`, oldest first.
pub(crate) async fn read_events(
    tx: &mut TenantTx,
    chain: Chain,
    order: Uuid,
) -> Result<Vec<OrderEvent>, DataError> {
    let limit = match chain {
        Chain::Sales => Expr::col(SalesOrderEvents::ApprovalLimit),
        Chain::Purchase => Expr::cust("CAST(NULL AS BIGINT)"),
    };
    let events = Query::select()
        .columns([
            SalesOrderEvents::OccurredAt,
            SalesOrderEvents::ActorKind,
            SalesOrderEvents::ActorName,
            SalesOrderEvents::Action,
            SalesOrderEvents::Comment,
        ])
        .expr_as(limit, "approval_limit")
        .from(chain.table())
        .and_where(Expr::col(SalesOrderEvents::TenantId).eq(tx.tenant_id().as_uuid()))
        .and_where(Expr::col(SalesOrderEvents::OrderId).eq(order))
        .order_by(SalesOrderEvents::Seq, Order::Asc)
        .to_owned();
    let events: Vec<EventDb> = tx.conn.fetch_all(&events).await?;
    Ok(events
        .into_iter()
        .map(|e| OrderEvent {
            occurred_at: e.occurred_at,
            actor_kind: e.actor_kind,
            actor_name: e.actor_name,
            action: e.action,
            approval_limit: e.approval_limit.map(money::amount),
            comment: e.comment,
        })
        .collect())
}

/// The next number of a company's `series` (`quote`, `order`,
/// `service_request`): one upsert in the creating transaction, so two
/// creations at once never share a number.
pub(crate) async fn next_in_series(tx: &mut TenantTx, series: &str) -> Result<i64, DataError> {
    let insert = Query::insert()
        .into_table(DocumentCounters::Table)
        .columns([
            DocumentCounters::TenantId,
            DocumentCounters::Series,
            DocumentCounters::Last,
        ])
        .values_panic([tx.tenant_id().as_uuid().into(), series.into(), 1_i64.into()])
        .on_conflict(
            OnConflict::columns([DocumentCounters::TenantId, DocumentCounters::Series])
                .value(
                    DocumentCounters::Last,
                    Expr::col((DocumentCounters::Table, DocumentCounters::Last)).add(1),
                )
                .to_owned(),
        )
        .returning_col(DocumentCounters::Last)
        .to_owned();
    let (last,): (i64,) = tx
        .conn
        .fetch_optional(&insert)
        .await?
        .ok_or_else(|| DataError::Corrupt("a counter returned nothing".into()))?;
    Ok(last)
}
