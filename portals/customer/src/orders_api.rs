//! The customer portal's API for the catalogue, quotes and orders, mirroring
//! their pages: the same scope and branch narrowing, the same commands
//! (`ordering`). Decisions the rule refuses are 409 problem JSON whose code
//! names the reason (over the limit, own document, another currency).

use chrono::Utc;
use poem_openapi::{
    Enum, Object, OpenApi,
    param::{Path, Query},
    payload::Json,
};
use portico_domain::{
    Permission,
    orders::{OrderKind, OrderRequestInput, WantedLine},
};
use portico_portal::{PortalSession, SignedInContact};
use portico_web::{
    AppError,
    date::Date,
    orders_json::{ItemJson, ItemPage, OrderJson, OrderPage, OrderSummary},
    problem::ApiError,
    text::Text,
};
use uuid::Uuid;

use crate::api::{cursor, default_limit, more, scope};
use crate::ordering::{self, Decision, Outcome};

type Result<T> = std::result::Result<T, ApiError>;

/// The contact acting for the account asked for (else the current one), when
/// its scope grants `permission`.
async fn contact(
    mut session: PortalSession,
    account: Option<&str>,
    permission: Permission,
) -> std::result::Result<SignedInContact, AppError> {
    let (scope, _) = scope(&mut session, account, None, permission).await?;
    Ok(SignedInContact { session, scope })
}

/// The contact acting for the account asked for, whatever it may do there:
/// for the commands that find the record first (another's is "not found")
/// and only then ask for the grant.
fn acting(
    mut session: PortalSession,
    account: Option<&str>,
) -> std::result::Result<SignedInContact, AppError> {
    let scope = session
        .resolve(account, false)?
        .ok_or(AppError::BadRequest("customer-api-account-required"))?;
    Ok(SignedInContact { session, scope })
}

/// One line asked for: an item of the catalogue and a quantity.
#[derive(Debug, Clone, Object)]
pub(crate) struct WantedLineBody {
    pub item_id: Uuid,
    /// Above zero, up to four decimals (`"2.5"`).
    pub quantity: Text,
}

/// A quote request or an order. Prices and totals are the catalogue's for the
/// customer, never the caller's.
#[derive(Debug, Clone, Object)]
pub(crate) struct OrderRequestBody {
    /// 1 to 200 lines, each item once.
    pub lines: Vec<WantedLineBody>,
    /// One of the branches the contact sees; absent: the whole account.
    #[oai(nullable)]
    pub branch_id: Option<Uuid>,
    /// Orders only: the delivery date wished, today or later.
    #[oai(nullable)]
    pub deliver_on: Option<Date>,
    #[oai(nullable)]
    pub notes: Option<Text>,
}

impl From<&OrderRequestBody> for OrderRequestInput {
    fn from(b: &OrderRequestBody) -> Self {
        OrderRequestInput {
            lines: b
                .lines
                .iter()
                .map(|l| WantedLine {
                    item: l.item_id,
                    quantity: l.quantity.0.clone(),
                })
                .collect(),
            branch: b.branch_id,
            deliver_on: b.deliver_on.map(|d| d.0.to_string()),
            notes: b.notes.as_ref().map(|n| n.0.clone()),
        }
    }
}

/// What the contact decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub(crate) enum DecisionJson {
    /// Accept a quote, authorize an order.
    Authorize,
    /// Reject a quote.
    Reject,
    /// Ask a colleague whose limit covers a quote to accept it.
    RequestApproval,
}

/// A decision with an optional comment staff see in the chain.
#[derive(Debug, Clone, Object)]
pub(crate) struct DecisionBody {
    pub decision: DecisionJson,
    #[oai(nullable)]
    pub comment: Option<Text>,
}

/// The catalogue, quotes and orders of the signed-in contact's account.
pub struct OrdersApi;

async fn list(
    session: PortalSession,
    kind: OrderKind,
    account: Option<&str>,
    branch: Option<Uuid>,
    after: Option<&str>,
    limit: u64,
) -> Result<Json<OrderPage>> {
    let mut session = session;
    let (scope, _) = scope(&mut session, account, branch, ordering::view(kind)).await?;
    let after = cursor(after)?;
    let mut tx = session.tx().await?;
    let mut rows = tx
        .orders()
        .portal_page(&scope, kind, after.as_ref(), limit + 1)
        .await?;
    tx.commit().await?;
    let next = more(&mut rows, limit).map(|r| r.cursor().encode());
    let today = Utc::now().date_naive();
    Ok(Json(OrderPage {
        items: rows.iter().map(|r| OrderSummary::of(r, today)).collect(),
        next,
    }))
}

async fn one(
    session: PortalSession,
    kind: OrderKind,
    id: Uuid,
    account: Option<&str>,
) -> Result<Json<OrderJson>> {
    let me = contact(session, account, ordering::view(kind)).await?;
    let mut tx = me.session.tx().await?;
    let detail = ordering::find(&mut tx, &me, kind, id).await?;
    tx.commit().await?;
    Ok(Json(OrderJson::of(&detail, Utc::now().date_naive())))
}

async fn created(
    session: PortalSession,
    kind: OrderKind,
    account: Option<&str>,
    body: &OrderRequestBody,
) -> Result<Json<OrderJson>> {
    let me = contact(session, account, ordering::create(kind)).await?;
    let row = ordering::request(&me, kind, &OrderRequestInput::from(body)).await?;
    let mut tx = me.session.tx().await?;
    let detail = ordering::find(&mut tx, &me, kind, row.id).await?;
    tx.commit().await?;
    Ok(Json(OrderJson::of(&detail, Utc::now().date_naive())))
}

async fn decided(
    session: PortalSession,
    kind: OrderKind,
    id: Uuid,
    account: Option<&str>,
    body: &DecisionBody,
) -> Result<Json<OrderJson>> {
    // The command asks for the grant once it knows the record is seen.
    let me = acting(session, account)?;
    let decision = match body.decision {
        DecisionJson::Authorize => Decision::Authorize,
        DecisionJson::Reject => Decision::Reject,
        DecisionJson::RequestApproval => Decision::RequestApproval,
    };
    let comment = body.comment.as_ref().map(|c| c.0.as_str());
    match ordering::decide(&me, kind, id, decision, comment).await? {
        Outcome::Done(_) | Outcome::Requested => {}
        Outcome::Refused(refusal) => return Err(AppError::StateConflict(refusal.message()).into()),
        Outcome::Stale(..) => return Err(AppError::StateConflict("orders-not-open").into()),
    }
    let mut tx = me.session.tx().await?;
    let detail = ordering::find(&mut tx, &me, kind, id).await?;
    tx.commit().await?;
    Ok(Json(OrderJson::of(&detail, Utc::now().date_naive())))
}

async fn catalogue(
    session: PortalSession,
    kind: OrderKind,
    account: Option<&str>,
    q: Option<&str>,
    after: Option<&str>,
    limit: u64,
) -> Result<Json<ItemPage>> {
    let me = contact(session, account, ordering::create(kind)).await?;
    let mut tx = me.session.tx().await?;
    let mut rows = tx
        .catalogue()
        .for_customer(&me.scope, q, after.filter(|a| !a.is_empty()), limit + 1)
        .await?;
    tx.commit().await?;
    let next = more(&mut rows, limit).map(|r| r.code);
    Ok(Json(ItemPage {
        items: rows.iter().map(ItemJson::from).collect(),
        next,
    }))
}

async fn waiting(
    session: PortalSession,
    kind: OrderKind,
    account: Option<&str>,
) -> Result<Json<OrderPage>> {
    let me = contact(session, account, kind.authorize()).await?;
    let mut tx = me.session.tx().await?;
    let (limit, currency, four_eyes) = tx.orders().authority(&me.scope).await?;
    let rows = tx
        .orders()
        .waiting(&me.scope, &[kind], (limit, &currency, four_eyes), 50)
        .await?;
    tx.commit().await?;
    let today = Utc::now().date_naive();
    Ok(Json(OrderPage {
        items: rows.iter().map(|r| OrderSummary::of(r, today)).collect(),
        next: None,
    }))
}

#[OpenApi]
impl OrdersApi {
    /// The items on sale at the customer's prices, by code, for requesting
    /// a quote.
    #[oai(
        path = "/quotes/catalogue",
        method = "get",
        operation_id = "quote_catalogue"
    )]
    async fn quote_catalogue(
        &self,
        session: PortalSession,
        account: Query<Option<String>>,
        /// Items whose code starts with this or whose name holds it.
        #[oai(validator(max_length = 100))]
        q: Query<Option<String>>,
        /// The `next` value of the previous page (the last code).
        #[oai(validator(max_length = 50))]
        after: Query<Option<String>>,
        #[oai(
            default = "default_limit",
            validator(minimum(value = "1"), maximum(value = "200"))
        )]
        limit: Query<u64>,
    ) -> Result<Json<ItemPage>> {
        catalogue(
            session,
            OrderKind::Quote,
            account.0.as_deref(),
            q.0.as_deref(),
            after.0.as_deref(),
            limit.0,
        )
        .await
    }

    /// The items on sale at the customer's prices, by code, for placing an
    /// order.
    #[oai(
        path = "/orders/catalogue",
        method = "get",
        operation_id = "order_catalogue"
    )]
    async fn order_catalogue(
        &self,
        session: PortalSession,
        account: Query<Option<String>>,
        /// Items whose code starts with this or whose name holds it.
        #[oai(validator(max_length = 100))]
        q: Query<Option<String>>,
        /// The `next` value of the previous page (the last code).
        #[oai(validator(max_length = 50))]
        after: Query<Option<String>>,
        #[oai(
            default = "default_limit",
            validator(minimum(value = "1"), maximum(value = "200"))
        )]
        limit: Query<u64>,
    ) -> Result<Json<ItemPage>> {
        catalogue(
            session,
            OrderKind::Order,
            account.0.as_deref(),
            q.0.as_deref(),
            after.0.as_deref(),
            limit.0,
        )
        .await
    }

    /// The sent quotes waiting for this contact's answer, within its limit
    /// (and not its own when the company requires four eyes), newest first,
    /// at most 50.
    #[oai(
        path = "/quotes/waiting",
        method = "get",
        operation_id = "quotes_waiting"
    )]
    async fn quotes_waiting(
        &self,
        session: PortalSession,
        account: Query<Option<String>>,
    ) -> Result<Json<OrderPage>> {
        waiting(session, OrderKind::Quote, account.0.as_deref()).await
    }

    /// The orders waiting for this contact's authorization, as for quotes.
    #[oai(
        path = "/orders/waiting",
        method = "get",
        operation_id = "orders_waiting"
    )]
    async fn orders_waiting(
        &self,
        session: PortalSession,
        account: Query<Option<String>>,
    ) -> Result<Json<OrderPage>> {
        waiting(session, OrderKind::Order, account.0.as_deref()).await
    }

    /// The quotes the contact sees, newest first.
    #[oai(path = "/quotes", method = "get", operation_id = "quotes")]
    async fn quotes(
        &self,
        session: PortalSession,
        account: Query<Option<String>>,
        /// One of the visible branches (account-level quotes stay listed).
        branch: Query<Option<Uuid>>,
        #[oai(validator(pattern = r"^00[0-4][0-9a-f]{37}$"))] after: Query<Option<String>>,
        #[oai(
            default = "default_limit",
            validator(minimum(value = "1"), maximum(value = "200"))
        )]
        limit: Query<u64>,
    ) -> Result<Json<OrderPage>> {
        list(
            session,
            OrderKind::Quote,
            account.0.as_deref(),
            branch.0,
            after.0.as_deref(),
            limit.0,
        )
        .await
    }

    /// Requests a quote of catalogue items.
    #[oai(path = "/quotes", method = "post", operation_id = "request_quote")]
    async fn request_quote(
        &self,
        session: PortalSession,
        account: Query<Option<String>>,
        body: Json<OrderRequestBody>,
    ) -> Result<Json<OrderJson>> {
        created(session, OrderKind::Quote, account.0.as_deref(), &body.0).await
    }

    /// One quote the contact sees, with its lines and approval chain.
    #[oai(path = "/quotes/:id", method = "get", operation_id = "quote")]
    async fn quote(
        &self,
        session: PortalSession,
        id: Path<Uuid>,
        account: Query<Option<String>>,
    ) -> Result<Json<OrderJson>> {
        one(session, OrderKind::Quote, id.0, account.0.as_deref()).await
    }

    /// Accepts or rejects a sent quote, or asks for approval of it.
    #[oai(
        path = "/quotes/:id/decision",
        method = "post",
        operation_id = "decide_quote"
    )]
    async fn decide_quote(
        &self,
        session: PortalSession,
        id: Path<Uuid>,
        account: Query<Option<String>>,
        body: Json<DecisionBody>,
    ) -> Result<Json<OrderJson>> {
        decided(
            session,
            OrderKind::Quote,
            id.0,
            account.0.as_deref(),
            &body.0,
        )
        .await
    }

    /// The orders the contact sees, newest first.
    #[oai(path = "/orders", method = "get", operation_id = "orders")]
    async fn orders(
        &self,
        session: PortalSession,
        account: Query<Option<String>>,
        /// One of the visible branches (account-level orders stay listed).
        branch: Query<Option<Uuid>>,
        #[oai(validator(pattern = r"^00[0-4][0-9a-f]{37}$"))] after: Query<Option<String>>,
        #[oai(
            default = "default_limit",
            validator(minimum(value = "1"), maximum(value = "200"))
        )]
        limit: Query<u64>,
    ) -> Result<Json<OrderPage>> {
        list(
            session,
            OrderKind::Order,
            account.0.as_deref(),
            branch.0,
            after.0.as_deref(),
            limit.0,
        )
        .await
    }

    /// Places an order of catalogue items; it waits for authorization.
    #[oai(path = "/orders", method = "post", operation_id = "place_order")]
    async fn place_order(
        &self,
        session: PortalSession,
        account: Query<Option<String>>,
        body: Json<OrderRequestBody>,
    ) -> Result<Json<OrderJson>> {
        created(session, OrderKind::Order, account.0.as_deref(), &body.0).await
    }

    /// One order the contact sees, with its lines and approval chain.
    #[oai(path = "/orders/:id", method = "get", operation_id = "order")]
    async fn order(
        &self,
        session: PortalSession,
        id: Path<Uuid>,
        account: Query<Option<String>>,
    ) -> Result<Json<OrderJson>> {
        one(session, OrderKind::Order, id.0, account.0.as_deref()).await
    }

    /// Authorizes an order waiting for it (within the contact's limit).
    #[oai(
        path = "/orders/:id/decision",
        method = "post",
        operation_id = "decide_order"
    )]
    async fn decide_order(
        &self,
        session: PortalSession,
        id: Path<Uuid>,
        account: Query<Option<String>>,
        body: Json<DecisionBody>,
    ) -> Result<Json<OrderJson>> {
        decided(
            session,
            OrderKind::Order,
            id.0,
            account.0.as_deref(),
            &body.0,
        )
        .await
    }

    /// Orders an accepted quote at its prices (once).
    #[oai(
        path = "/orders/from-quote/:id",
        method = "post",
        operation_id = "order_quote"
    )]
    async fn order_quote(
        &self,
        session: PortalSession,
        id: Path<Uuid>,
        account: Query<Option<String>>,
    ) -> Result<Json<OrderJson>> {
        let me = acting(session, account.0.as_deref())?;
        let row = ordering::order_quote(&me, id.0).await?;
        let mut tx = me.session.tx().await?;
        let detail = ordering::find(&mut tx, &me, OrderKind::Order, row.id).await?;
        tx.commit().await?;
        Ok(Json(OrderJson::of(&detail, Utc::now().date_naive())))
    }

    /// Places a past order again at today's prices.
    #[oai(
        path = "/orders/:id/again",
        method = "post",
        operation_id = "order_again"
    )]
    async fn order_again(
        &self,
        session: PortalSession,
        id: Path<Uuid>,
        account: Query<Option<String>>,
    ) -> Result<Json<OrderJson>> {
        let me = acting(session, account.0.as_deref())?;
        let row = ordering::order_again(&me, id.0).await?;
        let mut tx = me.session.tx().await?;
        let detail = ordering::find(&mut tx, &me, OrderKind::Order, row.id).await?;
        tx.commit().await?;
        Ok(Json(OrderJson::of(&detail, Utc::now().date_naive())))
    }
}
