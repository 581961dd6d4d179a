//! The Quotes and Orders areas: lists (newest first, narrowed by the branch
//! selector, keyset-paginated), each record's detail with its lines and
//! approval chain and the decisions the contact may take, and the catalogue
//! form that requests a quote or places an order. Every change goes through
//! `ordering`, the same commands the portal API calls.

use poem::{
    IntoResponse, Response, handler,
    session::Session,
    web::{Form, Path, Query, Redirect},
};
use portico_data::{OrderDetail, OrderRow, PortalBranch};
use portico_domain::{
    FieldErrors, money,
    orders::{OrderKind, OrderRequestInput, Refusal, WantedLine},
};
use portico_portal::SignedInContact;
use portico_web::{
    AppError, Ui,
    page::{set_flash_error, set_flash_named},
};
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::ordering::{self, Decision, Outcome};
use crate::view::{self, ListQuery, PAGE};

/// Items per page of the catalogue form.
const CATALOGUE_PAGE: u64 = 50;

/// `text` as a query-string value.
fn encode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// The area (and path) of `kind`.
pub(crate) fn area(kind: OrderKind) -> &'static str {
    match kind {
        OrderKind::Quote => "quotes",
        OrderKind::Order => "orders",
    }
}

/// A record's state as people read it, with its badge class.
pub(crate) fn row_json(
    ui: &Ui,
    base: &str,
    account: Uuid,
    visible: &[PortalBranch],
    row: &OrderRow,
) -> Value {
    let state = row.state(view::today());
    json!({
        "id": row.id,
        "href": format!("{base}/{}/{}?account={account}", area(row.kind), row.id),
        "number": row.number,
        "issued_on": view::date(ui, row.issued_on),
        "valid_until": row.valid_until.map(|d| view::date(ui, d)),
        "deliver_on": row.deliver_on.map(|d| view::date(ui, d)),
        "branch": view::branch_name(ui, visible, row.branch_id.map(|b| b.as_uuid())),
        "total": view::amount(row.total, &row.currency),
        "status": state,
        "status_label": ui.lang.t(&format!("orders-status-{state}")),
        "awaiting_approval": row.awaiting_approval,
    })
}

fn list_title(ui: &Ui, kind: OrderKind) -> String {
    ui.lang.t(&format!("portal-area-{}", area(kind)))
}

async fn list(
    ui: Ui,
    me: SignedInContact,
    kind: OrderKind,
    query: ListQuery,
) -> Result<Response, AppError> {
    // The shell lets in whoever holds any grant on the area; the list itself
    // needs `view` (without it the page offers what the contact may do).
    let viewing = me.scope.may(ordering::view(kind));
    let title = list_title(&ui, kind);
    let view::Layout {
        mut ctx,
        visible,
        scope,
        chosen,
    } = view::layout(&ui, &me, area(kind), &title, query.branch.as_deref()).await?;
    let mut rows = Vec::new();
    if viewing {
        let mut tx = me.session.tx().await?;
        rows = tx
            .orders()
            .portal_page(&scope, kind, query.after().as_ref(), PAGE + 1)
            .await?;
        tx.commit().await?;
    }
    ctx.insert("viewing", &viewing);
    let more = rows.len() as u64 > PAGE;
    rows.truncate(PAGE as usize);
    let base = me.session.site.base();
    let account = me.scope.account().as_uuid();
    let path = format!("{base}/{}", area(kind));
    ctx.insert("kind", kind.as_str());
    ctx.insert("list_path", &path);
    ctx.insert("list_href", &format!("{path}?account={account}"));
    ctx.insert(
        "items",
        &rows
            .iter()
            .map(|r| row_json(&ui, base, account, &visible, r))
            .collect::<Vec<_>>(),
    );
    ctx.insert("first_page", &query.after.is_some());
    let branch = chosen.map(|b| format!("&branch={b}")).unwrap_or_default();
    ctx.insert(
        "next",
        &more.then(|| rows.last()).flatten().map(|r| {
            format!(
                "{path}?account={account}{branch}&after={}",
                r.cursor().encode()
            )
        }),
    );
    ctx.insert(
        "new_href",
        &me.scope
            .may(ordering::create(kind))
            .then(|| format!("{path}/new?account={account}")),
    );
    Ok(ui.render("customer/orders.html", &ctx)?.into_response())
}

/// `GET {base}/quotes`: the account's quotes.
#[handler]
pub(crate) async fn quotes(
    ui: Ui,
    me: SignedInContact,
    Query(query): Query<ListQuery>,
) -> Result<Response, AppError> {
    list(ui, me, OrderKind::Quote, query).await
}

/// `GET {base}/orders`: the account's orders.
#[handler]
pub(crate) async fn orders(
    ui: Ui,
    me: SignedInContact,
    Query(query): Query<ListQuery>,
) -> Result<Response, AppError> {
    list(ui, me, OrderKind::Order, query).await
}

/// The lines of a record, as the detail page and PDF show them.
pub(crate) fn lines_json(detail: &OrderDetail) -> Vec<Value> {
    detail
        .lines
        .iter()
        .map(|l| {
            json!({
                "item_code": l.item_code, "description": l.description, "unit": l.unit,
                "quantity": l.quantity.to_string(),
                "unit_price": money::display(l.unit_price),
                "tax_rate": format!("{} %", l.tax_rate),
                "net": money::display(l.net),
            })
        })
        .collect()
}

/// The approval chain: who did what, with the limit they had.
pub(crate) fn chain_json(ui: &Ui, detail: &OrderDetail) -> Vec<Value> {
    detail
        .events
        .iter()
        .map(|e| {
            json!({
                "when": e.occurred_at.format("%Y-%m-%d %H:%M").to_string(),
                "who": e.actor_name,
                "what": ui.lang.t(&format!("orders-event-{}", e.action)),
                "via": ui.lang.t(&format!("orders-actor-{}", e.actor_kind)),
                "limit": e.approval_limit.map(|l| view::amount(l, &detail.row.currency)),
                "comment": e.comment,
            })
        })
        .collect()
}

async fn detail(
    ui: Ui,
    me: SignedInContact,
    kind: OrderKind,
    id: String,
) -> Result<Response, AppError> {
    ordering::require(&me, ordering::view(kind))?;
    let id = Uuid::parse_str(&id).map_err(|_| AppError::NotFound)?;
    let mut tx = me.session.tx().await?;
    let detail = ordering::find(&mut tx, &me, kind, id).await?;
    let (answer, limit) = ordering::authority(&mut tx, &me, &detail.row).await?;
    let ordered = match kind {
        OrderKind::Quote => tx.orders().ordered_from(id).await?,
        OrderKind::Order => None,
    };
    tx.commit().await?;
    let row = &detail.row;
    let title = format!(
        "{} {}",
        ui.lang.t(&format!("orders-kind-{}", kind.as_str())),
        row.number
    );
    let view::Layout {
        mut ctx, visible, ..
    } = view::layout(&ui, &me, area(kind), &title, None).await?;
    let base = me.session.site.base();
    let account = me.scope.account().as_uuid();
    let currency = &row.currency;
    let today = view::today();
    let open = row.open(today);
    ctx.insert("kind", kind.as_str());
    ctx.insert("doc", &row_json(&ui, base, account, &visible, row));
    ctx.insert("lines", &lines_json(&detail));
    ctx.insert(
        "totals",
        &json!({
            "subtotal": view::amount(detail.subtotal, currency),
            "tax": view::amount(detail.tax, currency),
            "total": view::amount(row.total, currency),
        }),
    );
    ctx.insert("notes", &detail.notes);
    ctx.insert("chain", &chain_json(&ui, &detail));
    ctx.insert(
        "quote",
        &detail.quote.as_ref().map(|(qid, number)| {
            json!({ "href": format!("{base}/quotes/{qid}?account={account}"), "number": number })
        }),
    );
    let may_decide = me.scope.may(kind.authorize());
    // Beyond its own authority the record waits for a colleague's: an order
    // from the moment it is placed, a quote once approval was asked.
    let waits = |r: Refusal| {
        matches!(
            r,
            Refusal::OverLimit | Refusal::OtherCurrency | Refusal::OwnDocument
        ) && (kind == OrderKind::Order || row.awaiting_approval)
    };
    let refusal = answer.err().map(|r| {
        if waits(r) {
            ui.lang
                .t(&format!("orders-waits-colleague-{}", kind.as_str()))
        } else {
            ui.lang.t(r.message())
        }
    });
    let your_limit = limit.map(|l| {
        ui.lang.t_args(
            "orders-your-limit",
            &[(
                "limit",
                view::amount(l, me.session.tenant.currency()).into(),
            )],
        )
    });
    ctx.insert(
        "decide",
        &json!({
            "open": open && may_decide,
            "may_authorize": answer.is_ok(),
            "refusal": refusal,
            "your_limit": your_limit,
            "may_request": kind == OrderKind::Quote && !row.awaiting_approval,
            "action": format!("{base}/{}/{}/decision?account={account}", area(kind), row.id),
        }),
    );
    ctx.insert(
        "order_quote",
        &(kind == OrderKind::Quote
            && row.status == portico_domain::orders::OrderStatus::Accepted
            && ordered.is_none()
            && me.scope.may(portico_domain::Permission::OrdersCreate))
        .then(|| format!("{base}/orders/from-quote/{}?account={account}", row.id)),
    );
    ctx.insert(
        "ordered",
        &ordered.map(|o| format!("{base}/orders/{o}?account={account}")),
    );
    ctx.insert(
        "order_again",
        &(kind == OrderKind::Order && me.scope.may(portico_domain::Permission::OrdersCreate))
            .then(|| format!("{base}/orders/{}/again?account={account}", row.id)),
    );
    ctx.insert(
        "pdf",
        &format!("{base}/{}/{}/pdf?account={account}", area(kind), row.id),
    );
    ctx.insert("back", &format!("{base}/{}?account={account}", area(kind)));
    Ok(ui.render("customer/order.html", &ctx)?.into_response())
}

/// `GET {base}/quotes/:id`: one quote the scope sees (any other id: 404).
#[handler]
pub(crate) async fn quote(
    ui: Ui,
    me: SignedInContact,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    detail(ui, me, OrderKind::Quote, id).await
}

/// `GET {base}/orders/:id`: one order the scope sees (any other id: 404).
#[handler]
pub(crate) async fn order(
    ui: Ui,
    me: SignedInContact,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    detail(ui, me, OrderKind::Order, id).await
}

/// The catalogue form's query: a search, where to continue, the branch.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct CatalogueQuery {
    pub q: Option<String>,
    pub after: Option<String>,
}

/// What the catalogue form sent: each `qty.<item id>` with its quantity,
/// the branch, the delivery date and notes.
fn request_of(pairs: &[(String, String)]) -> OrderRequestInput {
    let value = |key: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.trim().to_owned())
    };
    OrderRequestInput {
        lines: pairs
            .iter()
            .filter_map(|(k, v)| {
                let id = Uuid::parse_str(k.strip_prefix("qty.")?).ok()?;
                Some(WantedLine {
                    item: id,
                    quantity: v.clone(),
                })
            })
            .collect(),
        branch: value("branch").and_then(|b| Uuid::parse_str(&b).ok()),
        deliver_on: value("deliver_on"),
        notes: value("notes").filter(|n| !n.is_empty()),
    }
}

/// Each field error as people read it: the item's line named when it is one.
fn error_messages(ui: &Ui, errors: &FieldErrors) -> Vec<String> {
    errors
        .0
        .iter()
        .map(|e| {
            let field = match e.field {
                "quantity" | "item" => ui.lang.t("customer-col-quantity"),
                "deliver_on" => ui.lang.t("orders-deliver-on"),
                "branch" => ui.lang.t("customer-col-branch"),
                "notes" => ui.lang.t("orders-notes"),
                "comment" => ui.lang.t("orders-comment"),
                _ => ui.lang.t("customer-lines"),
            };
            format!("{field}: {}", ui.lang.t(e.message))
        })
        .collect()
}

async fn new_page(
    ui: &Ui,
    me: &SignedInContact,
    kind: OrderKind,
    query: &CatalogueQuery,
    sent: Option<(&[(String, String)], &FieldErrors)>,
) -> Result<Response, AppError> {
    ordering::require(me, ordering::create(kind))?;
    let title = ui.lang.t(&format!("orders-new-{}", kind.as_str()));
    let view::Layout {
        mut ctx, visible, ..
    } = view::layout(ui, me, area(kind), &title, None).await?;
    let q = query.q.as_deref().map(str::trim).filter(|q| !q.is_empty());
    let after = query
        .after
        .as_deref()
        .filter(|a| !a.is_empty() && a.len() <= 50);
    let mut tx = me.session.tx().await?;
    let mut items = tx
        .catalogue()
        .for_customer(&me.scope, q, after, CATALOGUE_PAGE + 1)
        .await?;
    tx.commit().await?;
    let more = items.len() as u64 > CATALOGUE_PAGE;
    items.truncate(CATALOGUE_PAGE as usize);
    let typed = |id: Uuid| {
        sent.and_then(|(pairs, _)| {
            pairs
                .iter()
                .find(|(k, _)| k == &format!("qty.{id}"))
                .map(|(_, v)| v.clone())
        })
        .unwrap_or_default()
    };
    let base = me.session.site.base();
    let account = me.scope.account().as_uuid();
    let path = format!("{base}/{}", area(kind));
    ctx.insert("kind", kind.as_str());
    ctx.insert(
        "items",
        &items
            .iter()
            .map(|i| {
                json!({
                    "id": i.id, "code": i.code, "name": i.name, "unit": i.unit,
                    "price": view::amount(i.price, &i.currency),
                    "own_price": i.own_price,
                    "tax_rate": format!("{} %", i.tax_rate),
                    "quantity": typed(i.id),
                })
            })
            .collect::<Vec<_>>(),
    );
    ctx.insert("q", &q.unwrap_or_default());
    ctx.insert("search_path", &format!("{path}/new"));
    ctx.insert(
        "next",
        &more.then(|| items.last()).flatten().map(|i| {
            let q = q.map(|q| format!("&q={}", encode(q))).unwrap_or_default();
            format!("{path}/new?account={account}{q}&after={}", encode(&i.code))
        }),
    );
    ctx.insert("action", &format!("{path}?account={account}"));
    ctx.insert(
        "branches",
        &visible
            .iter()
            .map(|b| json!({ "id": b.id, "name": b.name }))
            .collect::<Vec<_>>(),
    );
    let value = |key: &str| {
        sent.and_then(|(pairs, _)| pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()))
            .unwrap_or_default()
    };
    ctx.insert("branch", &value("branch"));
    ctx.insert("deliver_on", &value("deliver_on"));
    ctx.insert("notes", &value("notes"));
    ctx.insert(
        "errors",
        &sent
            .map(|(_, errors)| error_messages(ui, errors))
            .unwrap_or_default(),
    );
    ctx.insert("back", &format!("{path}?account={account}"));
    let status = if sent.is_some() {
        poem::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        poem::http::StatusCode::OK
    };
    Ok(ui
        .render("customer/order_new.html", &ctx)?
        .with_status(status)
        .into_response())
}

/// `GET {base}/quotes/new`: the catalogue, to request a quote.
#[handler]
pub(crate) async fn new_quote(
    ui: Ui,
    me: SignedInContact,
    Query(query): Query<CatalogueQuery>,
) -> Result<Response, AppError> {
    new_page(&ui, &me, OrderKind::Quote, &query, None).await
}

/// `GET {base}/orders/new`: the catalogue, to place an order.
#[handler]
pub(crate) async fn new_order(
    ui: Ui,
    me: SignedInContact,
    Query(query): Query<CatalogueQuery>,
) -> Result<Response, AppError> {
    new_page(&ui, &me, OrderKind::Order, &query, None).await
}

async fn create(
    ui: Ui,
    me: SignedInContact,
    session: &Session,
    kind: OrderKind,
    pairs: Vec<(String, String)>,
) -> Result<Response, AppError> {
    match ordering::request(&me, kind, &request_of(&pairs)).await {
        Ok(row) => {
            set_flash_named(
                session,
                &format!("orders-created-{}", kind.as_str()),
                &row.number,
            );
            let base = me.session.site.base();
            let account = me.scope.account().as_uuid();
            Ok(Redirect::see_other(format!(
                "{base}/{}/{}?account={account}",
                area(kind),
                row.id
            ))
            .into_response())
        }
        Err(AppError::Invalid(errors)) => {
            new_page(
                &ui,
                &me,
                kind,
                &CatalogueQuery::default(),
                Some((&pairs, &errors)),
            )
            .await
        }
        Err(other) => Err(other),
    }
}

/// `POST {base}/quotes`: requests a quote of the quantities typed.
#[handler]
pub(crate) async fn create_quote(
    ui: Ui,
    me: SignedInContact,
    session: &Session,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    create(ui, me, session, OrderKind::Quote, pairs).await
}

/// `POST {base}/orders`: places an order of the quantities typed.
#[handler]
pub(crate) async fn create_order(
    ui: Ui,
    me: SignedInContact,
    session: &Session,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    create(ui, me, session, OrderKind::Order, pairs).await
}

#[derive(Debug, Deserialize)]
pub(crate) struct DecisionForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    comment: String,
}

async fn decide(
    ui: Ui,
    me: SignedInContact,
    session: &Session,
    kind: OrderKind,
    id: String,
    form: DecisionForm,
) -> Result<Response, AppError> {
    let id = Uuid::parse_str(&id).map_err(|_| AppError::NotFound)?;
    let decision =
        Decision::parse(&form.decision).ok_or(AppError::BadRequest("error-bad-request-detail"))?;
    let comment = Some(form.comment.as_str()).filter(|c| !c.trim().is_empty());
    let base = me.session.site.base();
    let account = me.scope.account().as_uuid();
    let back = format!("{base}/{}/{id}?account={account}", area(kind));
    match ordering::decide(&me, kind, id, decision, comment).await {
        Ok(Outcome::Done(row)) => {
            set_flash_named(
                session,
                &format!("orders-done-{}", row.state(view::today())),
                &row.number,
            );
        }
        Ok(Outcome::Requested) => set_flash_named(session, "orders-approval-requested", ""),
        Ok(Outcome::Refused(refusal)) => set_flash_error(session, refusal.message()),
        Ok(Outcome::Stale(row, who)) => set_flash_named(
            session,
            "orders-decided-meanwhile",
            &format!(
                "{} ({})",
                who.unwrap_or_default(),
                ui.lang.t(&format!("orders-status-{}", row.status.as_str()))
            ),
        ),
        Err(AppError::StateConflict(message)) => set_flash_error(session, message),
        Err(AppError::Invalid(errors)) => {
            let first = errors
                .0
                .first()
                .map(|e| e.message)
                .unwrap_or("field-too-long");
            set_flash_error(session, first);
        }
        Err(other) => return Err(other),
    }
    Ok(Redirect::see_other(back).into_response())
}

/// `POST {base}/quotes/:id/decision`: accept, reject or ask for approval.
#[handler]
pub(crate) async fn decide_quote(
    ui: Ui,
    me: SignedInContact,
    session: &Session,
    Path(id): Path<String>,
    Form(form): Form<DecisionForm>,
) -> Result<Response, AppError> {
    decide(ui, me, session, OrderKind::Quote, id, form).await
}

/// `POST {base}/orders/:id/decision`: authorize.
#[handler]
pub(crate) async fn decide_order(
    ui: Ui,
    me: SignedInContact,
    session: &Session,
    Path(id): Path<String>,
    Form(form): Form<DecisionForm>,
) -> Result<Response, AppError> {
    decide(ui, me, session, OrderKind::Order, id, form).await
}

async fn placed(
    me: &SignedInContact,
    session: &Session,
    made: Result<OrderRow, AppError>,
    back: String,
) -> Result<Response, AppError> {
    let base = me.session.site.base();
    let account = me.scope.account().as_uuid();
    match made {
        Ok(row) => {
            set_flash_named(session, "orders-created-order", &row.number);
            Ok(
                Redirect::see_other(format!("{base}/orders/{}?account={account}", row.id))
                    .into_response(),
            )
        }
        Err(AppError::StateConflict(message)) => {
            set_flash_error(session, message);
            Ok(Redirect::see_other(back).into_response())
        }
        Err(other) => Err(other),
    }
}

/// `POST {base}/orders/from-quote/:id`: orders an accepted quote.
#[handler]
pub(crate) async fn from_quote(
    me: SignedInContact,
    session: &Session,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = Uuid::parse_str(&id).map_err(|_| AppError::NotFound)?;
    let back = format!(
        "{}/quotes/{id}?account={}",
        me.session.site.base(),
        me.scope.account().as_uuid()
    );
    let made = ordering::order_quote(&me, id).await;
    placed(&me, session, made, back).await
}

/// `POST {base}/orders/:id/again`: the same order again at today's prices.
#[handler]
pub(crate) async fn again(
    me: SignedInContact,
    session: &Session,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = Uuid::parse_str(&id).map_err(|_| AppError::NotFound)?;
    let back = format!(
        "{}/orders/{id}?account={}",
        me.session.site.base(),
        me.scope.account().as_uuid()
    );
    let made = ordering::order_again(&me, id).await;
    placed(&me, session, made, back).await
}
