//! `/api/v1/items`, `/prices`, `/quotes` and `/orders`: an ERP upserts the
//! catalogue and customers' prices (by code) and its own quotes and orders
//! (by its reference) in batches, idempotent, up to a thousand a call; reads
//! quotes and orders with their approval chain; and
//! makes the company's moves: price a requested quote (its lines, validity and
//! notes) and send it, fulfil or cancel an order.

use chrono::Utc;
use poem_openapi::{
    Enum, Object, OpenApi,
    param::{Path, Query},
    payload::Json,
};
use portico_authz::{Action, Area};
use portico_data::Upserted;
use portico_domain::orders::{
    DraftLineInput, ErpOrderInput, ItemInput, OrderKind, OrderMove, PriceInput, QuoteDraftInput,
};
use portico_web::{
    AppError,
    date::Date,
    orders_json::{ItemJson, ItemPage, OrderJson, OrderPage, OrderSummary},
    text::Text,
};
use uuid::Uuid;

use super::{
    ApiTags, Result,
    auth::Auth,
    sales::{BatchOut, LineBody, cursor, more, text},
};
use crate::commands::{Issuer, orders};

/// An item of the catalogue as the ERP has it. Decimals are strings.
#[derive(Debug, Clone, Object)]
pub(crate) struct ItemBody {
    /// The item's code: the key of the upsert.
    pub code: Text,
    pub name: Text,
    /// The unit it is sold in (`u`, `kg`, `caja`).
    pub unit: Text,
    /// ISO 4217.
    pub currency: Text,
    /// Zero or more, up to four decimals.
    pub price: Text,
    /// Percent, 0 to 100 (`"18"`).
    pub tax_rate: Text,
    /// On sale (true by default).
    #[oai(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

/// Up to 1,000 items.
#[derive(Debug, Clone, Object)]
pub(crate) struct ItemBatch {
    pub records: Vec<ItemBody>,
}

/// A customer's own price of an item.
#[derive(Debug, Clone, Object)]
pub(crate) struct PriceBody {
    /// The customer's code.
    pub customer: Text,
    /// The item's code.
    pub item: Text,
    /// Zero or more, up to four decimals.
    pub price: Text,
}

/// Up to 1,000 customer prices.
#[derive(Debug, Clone, Object)]
pub(crate) struct PriceBatch {
    pub records: Vec<PriceBody>,
}

/// What a batch of prices did.
#[derive(Debug, Clone, Object)]
pub(crate) struct PriceBatchOut {
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
}

/// A line of a quote as the company prices it.
#[derive(Debug, Clone, Object)]
pub(crate) struct DraftLineBody {
    #[oai(flatten)]
    pub line: LineBody,
    /// The unit it is sold in (`u`, `kg`, `caja`).
    pub unit: Text,
}

/// A drafted quote's lines, validity and notes, which replace the draft's.
/// A line naming an item of the catalogue by `item_code` takes what it leaves
/// empty (description, unit, the customer's price, tax) from the item.
/// Totals are computed by Portico (each line's net and tax rounded to cents).
#[derive(Debug, Clone, Object)]
pub(crate) struct QuoteDraftBody {
    /// 1 to 200 lines.
    pub lines: Vec<DraftLineBody>,
    /// Today or later; absent for no end.
    #[oai(nullable)]
    pub valid_until: Option<Date>,
    #[oai(nullable)]
    pub notes: Option<Text>,
}

impl From<&QuoteDraftBody> for QuoteDraftInput {
    fn from(b: &QuoteDraftBody) -> Self {
        QuoteDraftInput {
            lines: b.lines.iter().map(DraftLineInput::from).collect(),
            valid_until: b.valid_until.map(|d| d.0.to_string()),
            notes: b.notes.as_ref().map(|n| n.0.clone()),
        }
    }
}

/// The state of a quote (`draft`, `sent`, `accepted`, `rejected`) or an
/// order (`submitted`, `authorized`, `fulfilled`, `cancelled`).
#[derive(Debug, Clone, Copy, Enum)]
#[oai(rename_all = "snake_case")]
pub(crate) enum StatusJson {
    Draft,
    Sent,
    Accepted,
    Rejected,
    Submitted,
    Authorized,
    Fulfilled,
    Cancelled,
}

impl StatusJson {
    fn as_str(self) -> &'static str {
        match self {
            StatusJson::Draft => "draft",
            StatusJson::Sent => "sent",
            StatusJson::Accepted => "accepted",
            StatusJson::Rejected => "rejected",
            StatusJson::Submitted => "submitted",
            StatusJson::Authorized => "authorized",
            StatusJson::Fulfilled => "fulfilled",
            StatusJson::Cancelled => "cancelled",
        }
    }
}

/// A quote or an order as the ERP has it. Portico numbers it (`COT-…`,
/// `PED-…`) and computes its totals (each line's net and tax rounded to
/// cents).
#[derive(Debug, Clone, Object)]
pub(crate) struct ErpOrderBody {
    /// The ERP's own reference: the key of the upsert, one per kind.
    pub external_ref: Text,
    /// The customer's code.
    pub customer: Text,
    /// The code of one of the customer's branches.
    #[oai(nullable)]
    pub branch: Option<Text>,
    /// Waiting for the customer (`sent` for a quote, `submitted` for an
    /// order) when absent.
    #[oai(nullable)]
    pub status: Option<StatusJson>,
    /// Today when absent.
    #[oai(nullable)]
    pub issued_on: Option<Date>,
    /// Quotes only: the last day it may be accepted; absent for no end.
    #[oai(nullable)]
    pub valid_until: Option<Date>,
    /// Orders only: the day the customer wishes it delivered.
    #[oai(nullable)]
    pub deliver_on: Option<Date>,
    /// ISO 4217.
    pub currency: Text,
    #[oai(nullable)]
    pub notes: Option<Text>,
    /// 1 to 200 lines; an `item_code` of the catalogue links the line to it.
    pub lines: Vec<DraftLineBody>,
}

impl From<&ErpOrderBody> for ErpOrderInput {
    fn from(b: &ErpOrderBody) -> Self {
        ErpOrderInput {
            external_ref: b.external_ref.0.clone(),
            customer: b.customer.0.clone(),
            branch: text(&b.branch),
            status: b.status.map(|s| s.as_str().to_owned()),
            issued_on: b.issued_on.map(|d| d.0.to_string()),
            valid_until: b.valid_until.map(|d| d.0.to_string()),
            deliver_on: b.deliver_on.map(|d| d.0.to_string()),
            currency: b.currency.0.clone(),
            notes: text(&b.notes),
            lines: b.lines.iter().map(DraftLineInput::from).collect(),
        }
    }
}

impl From<&DraftLineBody> for DraftLineInput {
    fn from(l: &DraftLineBody) -> Self {
        DraftLineInput {
            line: (&l.line).into(),
            unit: l.unit.0.clone(),
        }
    }
}

/// Up to 1,000 quotes or orders.
#[derive(Debug, Clone, Object)]
pub(crate) struct ErpOrderBatch {
    pub records: Vec<ErpOrderBody>,
}

/// Catalogue, prices, quotes and orders.
pub(crate) struct OrdersApi;

async fn upsert(auth: &Auth, kind: OrderKind, body: &ErpOrderBatch) -> Result<Json<BatchOut>> {
    let inputs: Vec<ErpOrderInput> = body.records.iter().map(ErpOrderInput::from).collect();
    let outcomes = orders::upsert(&Issuer::api(auth.caller()), kind, &inputs).await?;
    Ok(Json(outcomes.into()))
}

async fn list(
    auth: &Auth,
    kind: OrderKind,
    customer: Option<Uuid>,
    after: Option<&str>,
    limit: u64,
) -> Result<Json<OrderPage>> {
    let caller = auth.caller();
    caller.require(Area::Sales, Action::Read).await?;
    let after = cursor(after)?;
    let mut tx = caller.tx().await?;
    let mut rows = tx
        .orders()
        .list(kind, customer.map(Into::into), after.as_ref(), limit + 1)
        .await?;
    tx.commit().await?;
    let next = more(&mut rows, limit).map(|r| r.cursor().encode());
    let today = Utc::now().date_naive();
    Ok(Json(OrderPage {
        items: rows.iter().map(|r| OrderSummary::of(r, today)).collect(),
        next,
    }))
}

async fn one(auth: &Auth, kind: OrderKind, id: Uuid) -> Result<Json<OrderJson>> {
    let caller = auth.caller();
    caller.require(Area::Sales, Action::Read).await?;
    let mut tx = caller.tx().await?;
    let detail = tx
        .orders()
        .detail(id)
        .await?
        .filter(|d| d.row.kind == kind)
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(Json(OrderJson::of(&detail, Utc::now().date_naive())))
}

async fn moved(auth: &Auth, kind: OrderKind, id: Uuid, mv: OrderMove) -> Result<Json<OrderJson>> {
    orders::make_move(&Issuer::api(auth.caller()), kind, id, mv).await?;
    one(auth, kind, id).await
}

#[OpenApi(tag = "ApiTags::Orders")]
impl OrdersApi {
    /// Creates or updates up to 1,000 items by code. All or nothing: any
    /// problem answers 422 naming each field as `records[n].…`. Sending the
    /// same items again changes nothing.
    #[oai(path = "/items", method = "put")]
    async fn upsert_items(&self, auth: Auth, body: Json<ItemBatch>) -> Result<Json<BatchOut>> {
        let inputs: Vec<ItemInput> = body
            .0
            .records
            .iter()
            .map(|b| ItemInput {
                code: b.code.0.clone(),
                name: b.name.0.clone(),
                unit: b.unit.0.clone(),
                currency: b.currency.0.clone(),
                price: b.price.0.clone(),
                tax_rate: b.tax_rate.0.clone(),
                active: Some(b.active),
            })
            .collect();
        let outcomes = orders::upsert_items(&Issuer::api(auth.caller()), &inputs).await?;
        Ok(Json(outcomes.into()))
    }

    /// Lists the catalogue by code, active items and not.
    #[oai(path = "/items", method = "get")]
    async fn list_items(
        &self,
        auth: Auth,
        /// Items whose code starts with this or whose name holds it.
        #[oai(validator(max_length = 100))]
        q: Query<Option<String>>,
        /// The `next` value of the previous page.
        #[oai(validator(max_length = 50))]
        after: Query<Option<String>>,
        /// Rows per page, 1 to 200 (50 by default); any other number is a 400.
        #[oai(
            default = "super::default_limit",
            validator(minimum(value = "1"), maximum(value = "200"))
        )]
        limit: Query<u64>,
    ) -> Result<Json<ItemPage>> {
        let caller = auth.caller();
        caller.require(Area::Sales, Action::Read).await?;
        let mut tx = caller.tx().await?;
        let mut rows = tx
            .catalogue()
            .items(
                q.0.as_deref(),
                after.0.as_deref().filter(|a| !a.is_empty()),
                limit.0 + 1,
            )
            .await?;
        tx.commit().await?;
        let next = more(&mut rows, limit.0).map(|r| r.code);
        Ok(Json(ItemPage {
            items: rows.iter().map(ItemJson::from).collect(),
            next,
        }))
    }

    /// Sets up to 1,000 customers' own prices (customer and item by code);
    /// all or nothing, like the items.
    #[oai(path = "/prices", method = "put")]
    async fn upsert_prices(
        &self,
        auth: Auth,
        body: Json<PriceBatch>,
    ) -> Result<Json<PriceBatchOut>> {
        let inputs: Vec<PriceInput> = body
            .0
            .records
            .iter()
            .map(|b| PriceInput {
                customer: b.customer.0.clone(),
                item: b.item.0.clone(),
                price: b.price.0.clone(),
            })
            .collect();
        let outcomes = orders::upsert_prices(&Issuer::api(auth.caller()), &inputs).await?;
        let count = |o| outcomes.iter().filter(|r| **r == o).count() as u64;
        Ok(Json(PriceBatchOut {
            created: count(Upserted::Created),
            updated: count(Upserted::Updated),
            unchanged: count(Upserted::Unchanged),
        }))
    }

    /// Creates or updates up to 1,000 quotes by the ERP's reference. All or
    /// nothing: any problem answers 422 naming each field as `records[n].…`.
    /// Sending the same quotes again changes nothing. A quote a contact
    /// accepted or rejected in the portal keeps its lines and its decision
    /// (`orders-decided-in-portal`). 409 when another call or a contact
    /// changed one of the records meanwhile: nothing was written; send again.
    #[oai(path = "/quotes", method = "put")]
    async fn upsert_quotes(&self, auth: Auth, body: Json<ErpOrderBatch>) -> Result<Json<BatchOut>> {
        upsert(&auth, OrderKind::Quote, &body.0).await
    }

    /// Creates or updates up to 1,000 orders by the ERP's reference, like
    /// quotes. An order a contact authorized in the portal keeps its lines;
    /// its state may still move on (`fulfilled`, `cancelled`).
    #[oai(path = "/orders", method = "put")]
    async fn upsert_orders(&self, auth: Auth, body: Json<ErpOrderBatch>) -> Result<Json<BatchOut>> {
        upsert(&auth, OrderKind::Order, &body.0).await
    }

    /// Lists quotes, newest first.
    #[oai(path = "/quotes", method = "get")]
    async fn list_quotes(
        &self,
        auth: Auth,
        /// Only this customer's.
        customer_id: Query<Option<Uuid>>,
        /// The `next` value of the previous page.
        #[oai(validator(pattern = r"^00[0-4][0-9a-f]{37}$"))]
        after: Query<Option<String>>,
        /// Rows per page, 1 to 200 (50 by default); any other number is a 400.
        #[oai(
            default = "super::default_limit",
            validator(minimum(value = "1"), maximum(value = "200"))
        )]
        limit: Query<u64>,
    ) -> Result<Json<OrderPage>> {
        list(
            &auth,
            OrderKind::Quote,
            customer_id.0,
            after.0.as_deref(),
            limit.0,
        )
        .await
    }

    /// Reads a quote with its lines and approval chain.
    #[oai(path = "/quotes/:id", method = "get")]
    async fn get_quote(&self, auth: Auth, id: Path<Uuid>) -> Result<Json<OrderJson>> {
        one(&auth, OrderKind::Quote, id.0).await
    }

    /// Replaces a requested (draft) quote's lines, validity and notes before
    /// it is sent (the company prices what the customer asked for): 422
    /// naming each field as `lines[n].…`, 409 once it is no longer a draft.
    #[oai(path = "/quotes/:id", method = "put")]
    async fn draft_quote(
        &self,
        auth: Auth,
        id: Path<Uuid>,
        body: Json<QuoteDraftBody>,
    ) -> Result<Json<OrderJson>> {
        orders::redraft(&Issuer::api(auth.caller()), id.0, &(&body.0).into()).await?;
        one(&auth, OrderKind::Quote, id.0).await
    }

    /// Sends a requested (draft) quote to the customer, who may then accept
    /// or reject it; 409 when it is not a draft.
    #[oai(path = "/quotes/:id/send", method = "post")]
    async fn send_quote(&self, auth: Auth, id: Path<Uuid>) -> Result<Json<OrderJson>> {
        moved(&auth, OrderKind::Quote, id.0, OrderMove::Send).await
    }

    /// Lists orders, newest first.
    #[oai(path = "/orders", method = "get")]
    async fn list_orders(
        &self,
        auth: Auth,
        /// Only this customer's.
        customer_id: Query<Option<Uuid>>,
        /// The `next` value of the previous page.
        #[oai(validator(pattern = r"^00[0-4][0-9a-f]{37}$"))]
        after: Query<Option<String>>,
        /// Rows per page, 1 to 200 (50 by default); any other number is a 400.
        #[oai(
            default = "super::default_limit",
            validator(minimum(value = "1"), maximum(value = "200"))
        )]
        limit: Query<u64>,
    ) -> Result<Json<OrderPage>> {
        list(
            &auth,
            OrderKind::Order,
            customer_id.0,
            after.0.as_deref(),
            limit.0,
        )
        .await
    }

    /// Reads an order with its lines and approval chain.
    #[oai(path = "/orders/:id", method = "get")]
    async fn get_order(&self, auth: Auth, id: Path<Uuid>) -> Result<Json<OrderJson>> {
        one(&auth, OrderKind::Order, id.0).await
    }

    /// Marks an authorized order fulfilled; 409 otherwise.
    #[oai(path = "/orders/:id/fulfil", method = "post")]
    async fn fulfil_order(&self, auth: Auth, id: Path<Uuid>) -> Result<Json<OrderJson>> {
        moved(&auth, OrderKind::Order, id.0, OrderMove::Fulfil).await
    }

    /// Cancels an order not yet fulfilled; 409 otherwise.
    #[oai(path = "/orders/:id/cancel", method = "post")]
    async fn cancel_order(&self, auth: Auth, id: Path<Uuid>) -> Result<Json<OrderJson>> {
        moved(&auth, OrderKind::Order, id.0, OrderMove::Cancel).await
    }
}
