//! `/api/v1/purchase-orders` and `/goods-receipts`: an ERP upserts the
//! company's purchase orders and records the goods received against them (by
//! its references) in batches, idempotent, up to a thousand a call; reads
//! them with each line's answer from the supplier and their history; decides
//! a supplier's answer with changes (accept, or refuse with a reason); and
//! makes staff's moves (send a draft, close, cancel).

use poem_openapi::{
    Enum, Object, OpenApi,
    param::{Path, Query},
    payload::Json,
};
use portico_authz::{Action, Area};
use portico_data::{InboxFilter, PoFilter};
use portico_domain::purchasing::{
    ErpPurchaseOrderInput, ErpReceiptInput, PoLineInput, PoMove, ReceiptLineInput,
};
use portico_web::{
    AppError,
    date::Date,
    purchasing_json::{
        PoJson, PoPage, PoSummary, SupplierInvoiceJson, SupplierInvoicePage, SupplierInvoiceSummary,
    },
    text::Text,
};
use uuid::Uuid;

use super::{
    ApiTags, Result,
    auth::Auth,
    orders::DraftLineBody,
    sales::{BatchOut, cursor, more, text},
};
use crate::commands::{Issuer, purchases};

/// The state an ERP sets on a purchase order.
#[derive(Debug, Clone, Copy, Enum)]
#[oai(rename_all = "snake_case")]
pub(crate) enum PoStatusJson {
    Draft,
    Sent,
    Acknowledged,
    PartiallyReceived,
    Received,
    Closed,
    Cancelled,
}

impl PoStatusJson {
    fn as_str(self) -> &'static str {
        match self {
            PoStatusJson::Draft => "draft",
            PoStatusJson::Sent => "sent",
            PoStatusJson::Acknowledged => "acknowledged",
            PoStatusJson::PartiallyReceived => "partially_received",
            PoStatusJson::Received => "received",
            PoStatusJson::Closed => "closed",
            PoStatusJson::Cancelled => "cancelled",
        }
    }
}

/// A line of a purchase order.
#[derive(Debug, Clone, Object)]
pub(crate) struct PoLineBody {
    #[oai(flatten)]
    pub line: DraftLineBody,
    /// When this line's goods are expected; absent: the order's date.
    #[oai(nullable)]
    pub expected_on: Option<Date>,
}

/// A purchase order as the ERP has it. Portico numbers it (`OC-…`) and
/// computes its totals as the company rounds tax.
#[derive(Debug, Clone, Object)]
pub(crate) struct ErpPoBody {
    /// The ERP's own reference: the key of the upsert.
    pub external_ref: Text,
    /// The supplier's code.
    pub supplier: Text,
    /// The code of one of the supplier's branches.
    #[oai(nullable)]
    pub branch: Option<Text>,
    /// `sent` (waiting for the supplier) when absent.
    #[oai(nullable)]
    pub status: Option<PoStatusJson>,
    /// Today when absent.
    #[oai(nullable)]
    pub issued_on: Option<Date>,
    /// When the goods are expected.
    #[oai(nullable)]
    pub expected_on: Option<Date>,
    /// ISO 4217.
    pub currency: Text,
    #[oai(nullable)]
    pub notes: Option<Text>,
    /// 1 to 200 lines.
    pub lines: Vec<PoLineBody>,
}

impl From<&ErpPoBody> for ErpPurchaseOrderInput {
    fn from(b: &ErpPoBody) -> Self {
        ErpPurchaseOrderInput {
            external_ref: b.external_ref.0.clone(),
            supplier: b.supplier.0.clone(),
            branch: text(&b.branch),
            status: b.status.map(|s| s.as_str().to_owned()),
            issued_on: b.issued_on.map(|d| d.0.to_string()),
            expected_on: b.expected_on.map(|d| d.0.to_string()),
            currency: b.currency.0.clone(),
            notes: text(&b.notes),
            lines: b
                .lines
                .iter()
                .map(|l| PoLineInput {
                    line: (&l.line).into(),
                    expected_on: l.expected_on.map(|d| d.0.to_string()),
                })
                .collect(),
        }
    }
}

/// Up to 1,000 purchase orders.
#[derive(Debug, Clone, Object)]
pub(crate) struct ErpPoBatch {
    pub records: Vec<ErpPoBody>,
}

/// One line of a goods receipt.
#[derive(Debug, Clone, Object)]
pub(crate) struct ReceiptLineBody {
    /// The order line's position (1, 2, …).
    pub position: i64,
    /// Accepted quantity (zero or more; with what was accepted before, at
    /// most the ordered quantity).
    pub accepted: Text,
    /// Rejected quantity; absent is zero.
    #[oai(nullable)]
    pub rejected: Option<Text>,
    /// Required when something was rejected.
    #[oai(nullable)]
    pub reason: Option<Text>,
}

/// A goods receipt as the ERP recorded it.
#[derive(Debug, Clone, Object)]
pub(crate) struct ReceiptBody {
    /// The ERP's own reference: the key of the upsert.
    pub external_ref: Text,
    /// The ERP's reference of the purchase order.
    pub purchase_order: Text,
    /// Today when absent.
    #[oai(nullable)]
    pub received_on: Option<Date>,
    #[oai(nullable)]
    pub notes: Option<Text>,
    /// 1 to 200 lines, each order line once.
    pub lines: Vec<ReceiptLineBody>,
}

/// Up to 1,000 goods receipts.
#[derive(Debug, Clone, Object)]
pub(crate) struct ReceiptBatch {
    pub records: Vec<ReceiptBody>,
}

impl From<&ReceiptBody> for ErpReceiptInput {
    fn from(b: &ReceiptBody) -> Self {
        ErpReceiptInput {
            external_ref: b.external_ref.0.clone(),
            purchase_order: b.purchase_order.0.clone(),
            received_on: b.received_on.map(|d| d.0.to_string()),
            notes: text(&b.notes),
            lines: b
                .lines
                .iter()
                .map(|l| ReceiptLineInput {
                    position: l.position,
                    accepted: l.accepted.0.clone(),
                    rejected: text(&l.rejected),
                    reason: text(&l.reason),
                })
                .collect(),
        }
    }
}

/// Which purchase orders a list shows.
#[derive(Debug, Clone, Copy, Enum)]
#[oai(rename_all = "snake_case")]
pub(crate) enum PoFilterJson {
    All,
    /// Answers with changes waiting for staff.
    InReview,
    /// Sent and not yet acknowledged.
    Waiting,
}

/// Staff's decision on a supplier's changes.
#[derive(Debug, Clone, Copy, Enum)]
#[oai(rename_all = "snake_case")]
pub(crate) enum ReviewDecisionJson {
    /// The order takes the promised quantities and dates.
    Accept,
    /// The supplier answers again; needs a reason it reads.
    Refuse,
}

/// A decision on a supplier's changes.
#[derive(Debug, Clone, Object)]
pub(crate) struct ReviewBody {
    pub decision: ReviewDecisionJson,
    #[oai(nullable)]
    pub reason: Option<Text>,
}

/// Which supplier invoices a list shows.
#[derive(Debug, Clone, Copy, Enum)]
#[oai(rename_all = "snake_case")]
pub(crate) enum InboxJson {
    /// Submitted with exceptions.
    Exceptions,
    /// Submitted and matched.
    Matched,
    All,
}

/// Staff's decision on a submitted supplier invoice.
#[derive(Debug, Clone, Copy, Enum)]
#[oai(rename_all = "snake_case")]
pub(crate) enum InvoiceDecisionJson {
    Approve,
    /// Needs a reason the supplier reads.
    Reject,
}

/// A decision on a supplier invoice.
#[derive(Debug, Clone, Object)]
pub(crate) struct InvoiceDecisionBody {
    pub decision: InvoiceDecisionJson,
    #[oai(nullable)]
    pub reason: Option<Text>,
}

/// Purchase orders, goods receipts and supplier invoices.
pub(crate) struct PurchasesApi;

async fn invoice(auth: &Auth, id: Uuid) -> Result<Json<SupplierInvoiceJson>> {
    let caller = auth.caller();
    caller.require(Area::Purchases, Action::Read).await?;
    let mut tx = caller.tx().await?;
    let detail = tx
        .supplier_invoices()
        .detail(id)
        .await?
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(Json(SupplierInvoiceJson::from(&detail)))
}

async fn one(auth: &Auth, id: Uuid) -> Result<Json<PoJson>> {
    let caller = auth.caller();
    caller.require(Area::Purchases, Action::Read).await?;
    let mut tx = caller.tx().await?;
    let detail = tx
        .purchase_orders()
        .detail(id)
        .await?
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(Json(PoJson::from(&detail)))
}

async fn moved(auth: &Auth, id: Uuid, mv: PoMove) -> Result<Json<PoJson>> {
    purchases::make_move(&Issuer::api(auth.caller()), id, mv).await?;
    one(auth, id).await
}

#[OpenApi(tag = "ApiTags::Purchases")]
impl PurchasesApi {
    /// Creates or updates up to 1,000 purchase orders by the ERP's
    /// reference. All or nothing: any problem answers 422 naming each field
    /// as `records[n].…`. Sending the same orders again changes nothing. An
    /// order the supplier answered keeps its lines (`purchasing-answered`)
    /// and its state only moves on. 409 when another call or the supplier
    /// changed one meanwhile: nothing was written; send again.
    #[oai(path = "/purchase-orders", method = "put")]
    async fn upsert_purchase_orders(
        &self,
        auth: Auth,
        body: Json<ErpPoBatch>,
    ) -> Result<Json<BatchOut>> {
        let inputs: Vec<ErpPurchaseOrderInput> = body
            .0
            .records
            .iter()
            .map(ErpPurchaseOrderInput::from)
            .collect();
        let outcomes = purchases::upsert(&Issuer::api(auth.caller()), &inputs).await?;
        Ok(Json(outcomes.into()))
    }

    /// Records up to 1,000 goods receipts by the ERP's reference, against
    /// the orders named by the ERP's reference. All or nothing: 422 naming
    /// each problem as `records[n].…` (an unknown order or line, an order
    /// not sent or already closed or cancelled, more accepted than ordered).
    /// A receipt is a fact: sent again unchanged it changes nothing, changed
    /// it is refused (`purchasing-receipt-changed`); correct with a new one.
    /// Each moves its order to `partially_received` or `received`.
    #[oai(path = "/goods-receipts", method = "put")]
    async fn upsert_goods_receipts(
        &self,
        auth: Auth,
        body: Json<ReceiptBatch>,
    ) -> Result<Json<BatchOut>> {
        let inputs: Vec<ErpReceiptInput> =
            body.0.records.iter().map(ErpReceiptInput::from).collect();
        let outcomes = purchases::upsert_receipts(&Issuer::api(auth.caller()), &inputs).await?;
        Ok(Json(outcomes.into()))
    }

    /// Lists purchase orders, newest first.
    #[oai(path = "/purchase-orders", method = "get")]
    async fn list_purchase_orders(
        &self,
        auth: Auth,
        /// Only this supplier's.
        supplier_id: Query<Option<Uuid>>,
        /// `all` by default.
        filter: Query<Option<PoFilterJson>>,
        /// The `next` value of the previous page.
        #[oai(validator(pattern = r"^00[0-4][0-9a-f]{37}$"))]
        after: Query<Option<String>>,
        /// Rows per page, 1 to 200 (50 by default); any other number is a 400.
        #[oai(
            default = "super::default_limit",
            validator(minimum(value = "1"), maximum(value = "200"))
        )]
        limit: Query<u64>,
    ) -> Result<Json<PoPage>> {
        let caller = auth.caller();
        caller.require(Area::Purchases, Action::Read).await?;
        let after = cursor(after.0.as_deref())?;
        let filter = match filter.0 {
            None | Some(PoFilterJson::All) => PoFilter::All,
            Some(PoFilterJson::InReview) => PoFilter::InReview,
            Some(PoFilterJson::Waiting) => PoFilter::Waiting,
        };
        let mut tx = caller.tx().await?;
        let mut rows = tx
            .purchase_orders()
            .list(
                filter,
                supplier_id.0.map(Into::into),
                after.as_ref(),
                limit.0 + 1,
            )
            .await?;
        tx.commit().await?;
        let next = more(&mut rows, limit.0).map(|r| r.cursor().encode());
        Ok(Json(PoPage {
            items: rows.iter().map(PoSummary::from).collect(),
            next,
        }))
    }

    /// Reads a purchase order with each line's answer and its history.
    #[oai(path = "/purchase-orders/:id", method = "get")]
    async fn get_purchase_order(&self, auth: Auth, id: Path<Uuid>) -> Result<Json<PoJson>> {
        one(&auth, id.0).await
    }

    /// Accepts the supplier's changes (the order takes the promised
    /// quantities and dates, rejected lines drop to nothing, totals are
    /// computed again) or refuses them with a reason the supplier reads:
    /// 422 for a refusal without a reason, 409 when no answer waits.
    #[oai(path = "/purchase-orders/:id/review", method = "post")]
    async fn review_purchase_order(
        &self,
        auth: Auth,
        id: Path<Uuid>,
        body: Json<ReviewBody>,
    ) -> Result<Json<PoJson>> {
        let decision = match body.0.decision {
            ReviewDecisionJson::Accept => "accept",
            ReviewDecisionJson::Refuse => "refuse",
        };
        purchases::review(
            &Issuer::api(auth.caller()),
            id.0,
            decision,
            body.0.reason.as_ref().map(|r| r.0.as_str()),
        )
        .await?;
        one(&auth, id.0).await
    }

    /// Sends a drafted purchase order to the supplier; 409 when it is not a
    /// draft.
    #[oai(path = "/purchase-orders/:id/send", method = "post")]
    async fn send_purchase_order(&self, auth: Auth, id: Path<Uuid>) -> Result<Json<PoJson>> {
        moved(&auth, id.0, PoMove::Send).await
    }

    /// Closes an acknowledged or (partially) received purchase order; 409
    /// otherwise.
    #[oai(path = "/purchase-orders/:id/close", method = "post")]
    async fn close_purchase_order(&self, auth: Auth, id: Path<Uuid>) -> Result<Json<PoJson>> {
        moved(&auth, id.0, PoMove::Close).await
    }

    /// Cancels a purchase order not yet received; 409 otherwise.
    #[oai(path = "/purchase-orders/:id/cancel", method = "post")]
    async fn cancel_purchase_order(&self, auth: Auth, id: Path<Uuid>) -> Result<Json<PoJson>> {
        moved(&auth, id.0, PoMove::Cancel).await
    }

    /// Lists supplier invoices, newest first: the submitted ones with
    /// exceptions (the default), the submitted matched ones, or all.
    #[oai(path = "/supplier-invoices", method = "get")]
    async fn list_supplier_invoices(
        &self,
        auth: Auth,
        /// `exceptions` by default.
        filter: Query<Option<InboxJson>>,
        /// The `next` value of the previous page.
        #[oai(validator(pattern = r"^00[0-4][0-9a-f]{37}$"))]
        after: Query<Option<String>>,
        /// Rows per page, 1 to 200 (50 by default); any other number is a 400.
        #[oai(
            default = "super::default_limit",
            validator(minimum(value = "1"), maximum(value = "200"))
        )]
        limit: Query<u64>,
    ) -> Result<Json<SupplierInvoicePage>> {
        let caller = auth.caller();
        caller.require(Area::Purchases, Action::Read).await?;
        let after = cursor(after.0.as_deref())?;
        let filter = match filter.0 {
            None | Some(InboxJson::Exceptions) => InboxFilter::Exceptions,
            Some(InboxJson::Matched) => InboxFilter::Matched,
            Some(InboxJson::All) => InboxFilter::All,
        };
        let mut tx = caller.tx().await?;
        let mut rows = tx
            .supplier_invoices()
            .list(filter, after.as_ref(), limit.0 + 1)
            .await?;
        tx.commit().await?;
        let next = more(&mut rows, limit.0).map(|r| r.cursor().encode());
        Ok(Json(SupplierInvoicePage {
            items: rows.iter().map(SupplierInvoiceSummary::from).collect(),
            next,
        }))
    }

    /// Reads a supplier invoice with each line's match result.
    #[oai(path = "/supplier-invoices/:id", method = "get")]
    async fn get_supplier_invoice(
        &self,
        auth: Auth,
        id: Path<Uuid>,
    ) -> Result<Json<SupplierInvoiceJson>> {
        invoice(&auth, id.0).await
    }

    /// Approves a submitted supplier invoice, or rejects it with a reason
    /// the supplier reads (what it billed can then be billed again): 422 for
    /// a rejection without a reason, 409 once it is no longer submitted.
    #[oai(path = "/supplier-invoices/:id/decision", method = "post")]
    async fn decide_supplier_invoice(
        &self,
        auth: Auth,
        id: Path<Uuid>,
        body: Json<InvoiceDecisionBody>,
    ) -> Result<Json<SupplierInvoiceJson>> {
        purchases::decide_invoice(
            &Issuer::api(auth.caller()),
            id.0,
            matches!(body.0.decision, InvoiceDecisionJson::Approve),
            body.0.reason.as_ref().map(|r| r.0.as_str()),
        )
        .await?;
        invoice(&auth, id.0).await
    }
}
