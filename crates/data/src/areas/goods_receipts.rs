//! Goods received against purchase orders, as an ERP records them: a batch
//! all or nothing, by the ERP's reference (a receipt is a fact: sent again
//! unchanged it is left alone, changed it is refused — a correction is a new
//! receipt), numbered `EM-000001`. Each receipt adds its accepted and
//! rejected quantities to the order's lines (never beyond what was ordered)
//! and moves the order to partially received or received, in its chain.

use std::collections::{HashMap, HashSet};

use chrono::{NaiveDate, Utc};
use portico_domain::{
    FieldErrors, money,
    purchasing::{ErpReceipt, PoStatus},
};
use sea_query::{Expr, ExprTrait, Order, Query};
use serde_json::json;
use uuid::Uuid;

use crate::areas::orders::{Chain, append_event, next_in_series};
use crate::areas::sales::{digest, problem};
use crate::tables::{GoodsReceiptLines, GoodsReceipts, PurchaseOrderLines, PurchaseOrders};
use crate::{By, DataError, UpsertOutcome, Upserted};

/// A receipt of an order, as its pages list them.
#[derive(Debug, Clone, PartialEq)]
pub struct ReceiptRow {
    pub id: Uuid,
    pub number: String,
    pub received_on: NaiveDate,
    pub notes: Option<String>,
}

#[derive(sqlx::FromRow)]
struct ReceiptDb {
    id: Uuid,
    number: String,
    received_on: NaiveDate,
    notes: Option<String>,
}

#[derive(sqlx::FromRow)]
struct OrderDb {
    id: Uuid,
    external_ref: Option<String>,
    number: String,
    account_id: Uuid,
    status: String,
}

#[derive(sqlx::FromRow)]
struct LineDb {
    order_id: Uuid,
    position: i32,
    quantity: i64,
    received: i64,
}

/// The states an order takes receipts in: sent or acknowledged and not yet
/// closed or cancelled.
const RECEIVING: [PoStatus; 4] = [
    PoStatus::Sent,
    PoStatus::Acknowledged,
    PoStatus::PartiallyReceived,
    PoStatus::Received,
];

/// Goods receipts of the transaction's tenant.
pub struct GoodsReceiptsArea<'t> {
    pub(crate) tx: &'t mut crate::TenantTx,
}

impl GoodsReceiptsArea<'_> {
    fn tenant(&self) -> Uuid {
        self.tx.tenant_id().as_uuid()
    }

    /// Records the receipts an ERP sends, all or nothing; every problem is
    /// returned under `records[n]`: an unknown order or line, an order not
    /// taking receipts, more accepted than ordered, a receipt sent again
    /// changed.
    pub async fn upsert(
        &mut self,
        records: &[ErpReceipt],
        by: By<'_>,
    ) -> Result<Vec<UpsertOutcome>, DataError> {
        let mut errors = FieldErrors::default();
        let mut refs = HashSet::new();
        for (n, r) in records.iter().enumerate() {
            if !refs.insert(r.external_ref.clone()) {
                problem(&mut errors, n, "external_ref", "field-repeated");
            }
        }
        let select = Query::select()
            .columns([
                GoodsReceipts::Id,
                GoodsReceipts::ExternalRef,
                GoodsReceipts::Digest,
            ])
            .from(GoodsReceipts::Table)
            .and_where(Expr::col(GoodsReceipts::TenantId).eq(self.tenant()))
            .and_where(Expr::col(GoodsReceipts::ExternalRef).is_in(refs))
            .to_owned();
        let stored: HashMap<String, (Uuid, String)> = self
            .tx
            .conn
            .fetch_all::<(Uuid, String, String)>(&select)
            .await?
            .into_iter()
            .map(|(id, reference, digest)| (reference, (id, digest)))
            .collect();
        let order_refs: HashSet<&str> = records.iter().map(|r| r.purchase_order.as_str()).collect();
        let select = Query::select()
            .columns([
                PurchaseOrders::Id,
                PurchaseOrders::ExternalRef,
                PurchaseOrders::Number,
                PurchaseOrders::AccountId,
                PurchaseOrders::Status,
            ])
            .from(PurchaseOrders::Table)
            .and_where(Expr::col(PurchaseOrders::TenantId).eq(self.tenant()))
            .and_where(Expr::col(PurchaseOrders::ExternalRef).is_in(order_refs))
            .to_owned();
        let orders: HashMap<String, OrderDb> = self
            .tx
            .conn
            .fetch_all::<OrderDb>(&select)
            .await?
            .into_iter()
            .map(|o| (o.external_ref.clone().unwrap_or_default(), o))
            .collect();
        let select = Query::select()
            .columns([
                PurchaseOrderLines::OrderId,
                PurchaseOrderLines::Position,
                PurchaseOrderLines::Quantity,
                PurchaseOrderLines::Received,
            ])
            .from(PurchaseOrderLines::Table)
            .and_where(Expr::col(PurchaseOrderLines::TenantId).eq(self.tenant()))
            .and_where(Expr::col(PurchaseOrderLines::OrderId).is_in(orders.values().map(|o| o.id)))
            .to_owned();
        // Per order line: what was ordered and what was accepted so far,
        // this batch's earlier receipts included.
        let mut lines: HashMap<(Uuid, i32), (i64, i64)> = self
            .tx
            .conn
            .fetch_all::<LineDb>(&select)
            .await?
            .into_iter()
            .map(|l| ((l.order_id, l.position), (l.quantity, l.received)))
            .collect();
        let mut plans = Vec::with_capacity(records.len());
        for (n, r) in records.iter().enumerate() {
            let digest = digest(r, Uuid::nil(), None);
            if let Some((id, old)) = stored.get(&r.external_ref) {
                if *old != digest {
                    problem(&mut errors, n, "external_ref", "purchasing-receipt-changed");
                }
                plans.push((None, Some(*id), digest));
                continue;
            }
            let Some(order) = orders.get(&r.purchase_order) else {
                problem(&mut errors, n, "purchase_order", "purchasing-order-unknown");
                plans.push((None, None, digest));
                continue;
            };
            let status = PoStatus::parse(&order.status).ok_or_else(|| {
                DataError::Corrupt(format!("purchase order status {}", order.status))
            })?;
            if !RECEIVING.contains(&status) {
                problem(
                    &mut errors,
                    n,
                    "purchase_order",
                    "purchasing-order-not-receiving",
                );
            }
            for (m, line) in r.lines.iter().enumerate() {
                let mut one = FieldErrors::default();
                match lines.get_mut(&(order.id, line.position)) {
                    None => one.add("position", "purchasing-line-unknown"),
                    Some((ordered, received)) => {
                        *received += money::to_stored(line.accepted);
                        if *received > *ordered {
                            one.add("accepted", "purchasing-over-received");
                        }
                    }
                }
                errors.nest(&format!("records[{n}].lines[{m}]"), one);
            }
            plans.push((Some((order, status)), None, digest));
        }
        if !errors.is_empty() {
            return Err(DataError::Invalid(errors));
        }
        let mut outcomes = Vec::with_capacity(records.len());
        // Each order received into, once, with its receipts' numbers.
        let mut touched: Vec<(Uuid, PoStatus, Vec<String>)> = Vec::new();
        for (r, (order, stored, digest)) in records.iter().zip(plans) {
            let (Some((order, status)), None) = (order, stored) else {
                outcomes.push(UpsertOutcome {
                    external_ref: r.external_ref.clone(),
                    id: stored.unwrap_or_default(),
                    outcome: Upserted::Unchanged,
                });
                continue;
            };
            let id = Uuid::now_v7();
            let number = format!("EM-{:06}", next_in_series(self.tx, "goods_receipt").await?);
            let received_on = r.received_on.unwrap_or_else(|| Utc::now().date_naive());
            let insert = Query::insert()
                .into_table(GoodsReceipts::Table)
                .columns([
                    GoodsReceipts::TenantId,
                    GoodsReceipts::Id,
                    GoodsReceipts::Number,
                    GoodsReceipts::ExternalRef,
                    GoodsReceipts::Digest,
                    GoodsReceipts::OrderId,
                    GoodsReceipts::ReceivedOn,
                    GoodsReceipts::Notes,
                    GoodsReceipts::CreatedAt,
                ])
                .values_panic([
                    self.tenant().into(),
                    id.into(),
                    number.clone().into(),
                    r.external_ref.clone().into(),
                    digest.into(),
                    order.id.into(),
                    received_on.into(),
                    r.notes.clone().into(),
                    Utc::now().into(),
                ])
                .to_owned();
            self.tx.conn.execute(&insert).await?;
            for line in &r.lines {
                let insert = Query::insert()
                    .into_table(GoodsReceiptLines::Table)
                    .columns([
                        GoodsReceiptLines::TenantId,
                        GoodsReceiptLines::ReceiptId,
                        GoodsReceiptLines::Position,
                        GoodsReceiptLines::Accepted,
                        GoodsReceiptLines::Rejected,
                        GoodsReceiptLines::Reason,
                    ])
                    .values_panic([
                        self.tenant().into(),
                        id.into(),
                        line.position.into(),
                        money::to_stored(line.accepted).into(),
                        money::to_stored(line.rejected).into(),
                        line.reason.clone().into(),
                    ])
                    .to_owned();
                self.tx.conn.execute(&insert).await?;
                let update = Query::update()
                    .table(PurchaseOrderLines::Table)
                    .value(
                        PurchaseOrderLines::Received,
                        Expr::col(PurchaseOrderLines::Received)
                            .add(money::to_stored(line.accepted)),
                    )
                    .value(
                        PurchaseOrderLines::Rejected,
                        Expr::col(PurchaseOrderLines::Rejected)
                            .add(money::to_stored(line.rejected)),
                    )
                    .and_where(Expr::col(PurchaseOrderLines::TenantId).eq(self.tenant()))
                    .and_where(Expr::col(PurchaseOrderLines::OrderId).eq(order.id))
                    .and_where(Expr::col(PurchaseOrderLines::Position).eq(line.position))
                    .to_owned();
                self.tx.conn.execute(&update).await?;
            }
            self.tx
                .audit()
                .log(
                    by,
                    "goods_receipt.create",
                    ("purchase_order", order.id),
                    Some(order.account_id),
                    json!({ "after": { "number": number, "external_ref": r.external_ref,
                                       "order": order.number, "received_on": received_on,
                                       "lines": r.lines.len() } }),
                )
                .await?;
            match touched.iter_mut().find(|(o, _, _)| *o == order.id) {
                Some((_, _, numbers)) => numbers.push(number),
                None => touched.push((order.id, status, vec![number])),
            }
            outcomes.push(UpsertOutcome {
                external_ref: r.external_ref.clone(),
                id,
                outcome: Upserted::Created,
            });
        }
        for (order, from, numbers) in touched {
            self.settle(order, from, &numbers.join(", "), by).await?;
        }
        Ok(outcomes)
    }

    /// Moves order `id` to received when every line with something ordered
    /// has it all accepted, else to partially received; the receipt named
    /// in its chain.
    async fn settle(
        &mut self,
        id: Uuid,
        from: PoStatus,
        receipt: &str,
        by: By<'_>,
    ) -> Result<(), DataError> {
        let select = Query::select()
            .expr(Expr::cust("CAST(COUNT(*) AS BIGINT)"))
            .from(PurchaseOrderLines::Table)
            .and_where(Expr::col(PurchaseOrderLines::TenantId).eq(self.tenant()))
            .and_where(Expr::col(PurchaseOrderLines::OrderId).eq(id))
            .and_where(
                Expr::col(PurchaseOrderLines::Received).lt(Expr::col(PurchaseOrderLines::Quantity)),
            )
            .to_owned();
        let (open,): (i64,) = self.tx.conn.fetch_optional(&select).await?.unwrap_or((0,));
        let to = if open == 0 {
            PoStatus::Received
        } else {
            PoStatus::PartiallyReceived
        };
        let update = Query::update()
            .table(PurchaseOrders::Table)
            .value(PurchaseOrders::Status, to.as_str())
            .value(PurchaseOrders::UpdatedAt, Utc::now())
            .and_where(Expr::col(PurchaseOrders::TenantId).eq(self.tenant()))
            .and_where(Expr::col(PurchaseOrders::Id).eq(id))
            .to_owned();
        self.tx.conn.execute(&update).await?;
        let action = if from == to {
            "received_more"
        } else {
            to.as_str()
        };
        append_event(
            self.tx,
            Chain::Purchase,
            id,
            by,
            (action, None, Some(receipt)),
        )
        .await
    }

    /// The receipts of order `id`, oldest first.
    pub async fn of_order(&mut self, id: Uuid) -> Result<Vec<ReceiptRow>, DataError> {
        let select = Query::select()
            .columns([
                GoodsReceipts::Id,
                GoodsReceipts::Number,
                GoodsReceipts::ReceivedOn,
                GoodsReceipts::Notes,
            ])
            .from(GoodsReceipts::Table)
            .and_where(Expr::col(GoodsReceipts::TenantId).eq(self.tenant()))
            .and_where(Expr::col(GoodsReceipts::OrderId).eq(id))
            .order_by(GoodsReceipts::ReceivedOn, Order::Asc)
            .order_by(GoodsReceipts::Id, Order::Asc)
            .to_owned();
        let rows: Vec<ReceiptDb> = self.tx.conn.fetch_all(&select).await?;
        Ok(rows
            .into_iter()
            .map(|r| ReceiptRow {
                id: r.id,
                number: r.number,
                received_on: r.received_on,
                notes: r.notes,
            })
            .collect())
    }
}
