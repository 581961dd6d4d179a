//! What a customer contact does with quotes and orders — request a quote or
//! place an order from the catalogue, order an accepted quote or a past order
//! again, accept, reject or authorize — checked once here for the pages and
//! the portal API alike: the grant, the branch, the catalogue's prices (never
//! the sender's), the approval limit and the company's four-eyes rule. Each
//! command is one transaction.

use chrono::{Days, Utc};
use portico_data::{Moved, NewOrder, OrderDetail, OrderRow, TenantTx};
use portico_domain::{
    FieldErrors, Permission,
    fields::{Checker, limits},
    money::Dec,
    orders::{
        Authority, OrderKind, OrderLine, OrderMove, OrderRequest, OrderRequestInput, Refusal,
        may_authorize,
    },
};
use portico_portal::SignedInContact;
use portico_web::AppError;
use uuid::Uuid;

use crate::approvers;

/// Days a quote requested in the portal stays valid once sent.
const QUOTE_VALID_DAYS: u64 = 30;

/// The permission to see `kind`.
pub(crate) fn view(kind: OrderKind) -> Permission {
    match kind {
        OrderKind::Quote => Permission::QuotesView,
        OrderKind::Order => Permission::OrdersView,
    }
}

/// The permission to create `kind`.
pub(crate) fn create(kind: OrderKind) -> Permission {
    match kind {
        OrderKind::Quote => Permission::QuotesCreate,
        OrderKind::Order => Permission::OrdersCreate,
    }
}

/// Refuses (403) a contact whose scope lacks `permission`.
pub(crate) fn require(me: &SignedInContact, permission: Permission) -> Result<(), AppError> {
    if me.scope.may(permission) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// What a contact decides about an open quote or order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    /// Accept a quote, authorize an order.
    Authorize,
    /// Reject a quote.
    Reject,
    /// Ask a colleague whose limit covers it to accept a quote.
    RequestApproval,
}

impl Decision {
    pub(crate) fn parse(raw: &str) -> Option<Self> {
        match raw {
            "authorize" => Some(Decision::Authorize),
            "reject" => Some(Decision::Reject),
            "request_approval" => Some(Decision::RequestApproval),
            _ => None,
        }
    }
}

/// What became of a decision.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Outcome {
    Done(OrderRow),
    /// The rule refused it: the reason.
    Refused(Refusal),
    /// Someone decided first: the record now, and who.
    Stale(OrderRow, Option<String>),
    /// The quote waits for an approver.
    Requested,
}

/// Whether this contact may authorize `row`, and if not why.
pub(crate) async fn authority(
    tx: &mut TenantTx,
    me: &SignedInContact,
    row: &OrderRow,
) -> Result<(Result<(), Refusal>, Option<Dec>), AppError> {
    let (limit, currency, four_eyes) = tx.orders().authority(&me.scope).await?;
    let own = row.created_by == Some(me.scope.contact());
    let answer = may_authorize(
        Authority {
            permitted: me.scope.may(row.kind.authorize()),
            limit,
            limit_currency: &currency,
            four_eyes,
        },
        row.total,
        &row.currency,
        own,
    );
    Ok((answer, limit))
}

/// The lines of `wanted` items at the customer's prices, all in one currency.
async fn priced(
    tx: &mut TenantTx,
    me: &SignedInContact,
    wanted: &[(Uuid, Dec)],
) -> Result<(Vec<OrderLine>, String), AppError> {
    let ids: Vec<Uuid> = wanted.iter().map(|(id, _)| *id).collect();
    let items = tx.catalogue().priced_for(me.scope.account(), &ids).await?;
    let mut errors = FieldErrors::default();
    let mut lines = Vec::with_capacity(wanted.len());
    let mut currency: Option<String> = None;
    for (n, (id, quantity)) in wanted.iter().enumerate() {
        let Some(item) = items.get(id) else {
            let mut one = FieldErrors::default();
            one.add("item", "orders-item-unknown");
            errors.nest(&format!("lines[{n}]"), one);
            continue;
        };
        match &currency {
            Some(c) if *c != item.currency => errors.add("lines", "orders-currencies-mixed"),
            _ => currency = Some(item.currency.clone()),
        }
        lines.push(OrderLine::priced(
            (item.id, &item.code, &item.name, &item.unit),
            *quantity,
            item.price,
            item.tax_rate,
        ));
    }
    match currency {
        Some(currency) if errors.is_empty() => Ok((lines, currency)),
        _ => {
            if errors.is_empty() {
                errors.add("lines", "orders-lines-empty");
            }
            Err(AppError::Invalid(errors))
        }
    }
}

/// The branch a request names, when the contact sees it.
fn branch(
    me: &SignedInContact,
    request: &OrderRequest,
) -> Result<Option<portico_data::BranchId>, AppError> {
    match request.branch {
        None => Ok(None),
        Some(id) => {
            let id = portico_data::BranchId::from(id);
            if me.scope.narrowed_to(id).is_some() {
                Ok(Some(id))
            } else {
                let mut errors = FieldErrors::default();
                errors.add("branch", "field-choice-invalid");
                Err(AppError::Invalid(errors))
            }
        }
    }
}

/// Requests a quote or places an order from the catalogue.
pub(crate) async fn request(
    me: &SignedInContact,
    kind: OrderKind,
    input: &OrderRequestInput,
) -> Result<OrderRow, AppError> {
    require(me, create(kind))?;
    let today = Utc::now().date_naive();
    let request = input.validate(today).map_err(AppError::Invalid)?;
    let branch = branch(me, &request)?;
    let mut tx = me.session.tx().await?;
    let (lines, currency) = priced(&mut tx, me, &request.lines).await?;
    let row = tx
        .orders()
        .create(
            NewOrder {
                kind,
                account: me.scope.account(),
                branch,
                currency,
                lines,
                valid_until: (kind == OrderKind::Quote)
                    .then(|| today.checked_add_days(Days::new(QUOTE_VALID_DAYS)))
                    .flatten(),
                deliver_on: match kind {
                    OrderKind::Order => request.deliver_on,
                    OrderKind::Quote => None,
                },
                quote: None,
                notes: request.notes,
                created_by: Some(me.scope.contact()),
            },
            me.session.by(),
        )
        .await?;
    let told = tell_deciders(&mut tx, me, &row).await?;
    tx.commit().await?;
    kick(me, told);
    Ok(row)
}

/// One quote or order of `kind` the contact sees (404 otherwise).
pub(crate) async fn find(
    tx: &mut TenantTx,
    me: &SignedInContact,
    kind: OrderKind,
    id: Uuid,
) -> Result<OrderDetail, AppError> {
    tx.orders()
        .portal_detail(&me.scope, id)
        .await?
        .filter(|d| d.row.kind == kind)
        .ok_or(AppError::NotFound)
}

/// Orders an accepted quote: its lines at the quote's prices, once.
pub(crate) async fn order_quote(me: &SignedInContact, quote: Uuid) -> Result<OrderRow, AppError> {
    let mut tx = me.session.tx().await?;
    // What the scope does not see is "not found" before any grant is asked.
    let detail = find(&mut tx, me, OrderKind::Quote, quote).await?;
    require(me, Permission::OrdersCreate)?;
    if detail.row.status != portico_domain::orders::OrderStatus::Accepted {
        return Err(AppError::StateConflict("orders-quote-not-accepted"));
    }
    if tx.orders().ordered_from(quote).await?.is_some() {
        return Err(AppError::StateConflict("orders-quote-already-ordered"));
    }
    let row = tx
        .orders()
        .create(
            NewOrder {
                kind: OrderKind::Order,
                account: me.scope.account(),
                branch: detail.row.branch_id,
                currency: detail.row.currency.clone(),
                lines: detail.lines,
                valid_until: None,
                deliver_on: None,
                quote: Some(quote),
                notes: None,
                created_by: Some(me.scope.contact()),
            },
            me.session.by(),
        )
        .await?;
    let told = tell_deciders(&mut tx, me, &row).await?;
    tx.commit().await?;
    kick(me, told);
    Ok(row)
}

/// Places a past order again: the same items and quantities at today's
/// prices; items no longer sold are left out (none left: 409).
pub(crate) async fn order_again(me: &SignedInContact, order: Uuid) -> Result<OrderRow, AppError> {
    let mut tx = me.session.tx().await?;
    let detail = find(&mut tx, me, OrderKind::Order, order).await?;
    require(me, Permission::OrdersCreate)?;
    let wanted: Vec<(Uuid, Dec)> = detail
        .lines
        .iter()
        .filter_map(|l| l.item_id.map(|id| (id, l.quantity)))
        .collect();
    let ids: Vec<Uuid> = wanted.iter().map(|(id, _)| *id).collect();
    let sold = tx.catalogue().priced_for(me.scope.account(), &ids).await?;
    let wanted: Vec<(Uuid, Dec)> = wanted
        .into_iter()
        .filter(|(id, _)| sold.contains_key(id))
        .collect();
    if wanted.is_empty() {
        return Err(AppError::StateConflict("orders-again-nothing-sold"));
    }
    let (lines, currency) = priced(&mut tx, me, &wanted).await?;
    let row = tx
        .orders()
        .create(
            NewOrder {
                kind: OrderKind::Order,
                account: me.scope.account(),
                branch: detail.row.branch_id,
                currency,
                lines,
                valid_until: None,
                deliver_on: None,
                quote: None,
                notes: None,
                created_by: Some(me.scope.contact()),
            },
            me.session.by(),
        )
        .await?;
    let told = tell_deciders(&mut tx, me, &row).await?;
    tx.commit().await?;
    kick(me, told);
    Ok(row)
}

/// Accepts, rejects or asks approval for a quote; authorizes an order. A
/// record the scope does not see is 404; then the grant is the kind's
/// `authorize`; accepting and authorizing also need the
/// approval limit and the four-eyes rule; a record no longer open is 409.
pub(crate) async fn decide(
    me: &SignedInContact,
    kind: OrderKind,
    id: Uuid,
    decision: Decision,
    comment: Option<&str>,
) -> Result<Outcome, AppError> {
    let mut check = Checker::default();
    let comment = comment.and_then(|c| check.text("comment", c, limits::LONG_TEXT));
    if let Err(errors) = check.errors.finish(()) {
        return Err(AppError::Invalid(errors));
    }
    let mut tx = me.session.tx().await?;
    // What the scope does not see is "not found" before any grant is asked.
    let detail = find(&mut tx, me, kind, id).await?;
    require(me, kind.authorize())?;
    let row = detail.row;
    let today = Utc::now().date_naive();
    if !row.open(today) {
        return Err(AppError::StateConflict(if row.expired(today) {
            "orders-quote-expired"
        } else {
            "orders-not-open"
        }));
    }
    let (answer, limit) = authority(&mut tx, me, &row).await?;
    let by = me.session.by();
    let mut told = 0;
    let outcome = match decision {
        Decision::Authorize => match answer {
            Err(refusal) => Outcome::Refused(refusal),
            Ok(()) => moved(
                tx.orders()
                    .apply(&row, OrderMove::Authorize, limit, comment.as_deref(), by)
                    .await?,
            )?,
        },
        Decision::Reject if kind == OrderKind::Quote => moved(
            tx.orders()
                .apply(&row, OrderMove::Reject, limit, comment.as_deref(), by)
                .await?,
        )?,
        Decision::RequestApproval if kind == OrderKind::Quote => {
            if row.awaiting_approval {
                return Err(AppError::StateConflict("orders-approval-already-requested"));
            }
            if tx
                .orders()
                .request_approval(&row, limit, comment.as_deref(), by)
                .await?
            {
                told = approvers::notify(&mut tx, me, &row, comment.as_deref()).await?;
                Outcome::Requested
            } else {
                return Err(AppError::StateConflict("orders-not-open"));
            }
        }
        Decision::Reject | Decision::RequestApproval => {
            return Err(AppError::StateConflict("orders-decision-not-for-orders"));
        }
    };
    tx.commit().await?;
    kick(me, told);
    Ok(outcome)
}

/// A new order its creator may not authorize waits for someone who may:
/// they are told by mail. Returns how many were told.
async fn tell_deciders(
    tx: &mut TenantTx,
    me: &SignedInContact,
    row: &OrderRow,
) -> Result<usize, AppError> {
    if row.kind != OrderKind::Order || authority(tx, me, row).await?.0.is_ok() {
        return Ok(0);
    }
    approvers::notify(tx, me, row, None).await
}

/// Sends the mail just committed without waiting for the next sweep.
fn kick(me: &SignedInContact, told: usize) {
    if told > 0 {
        me.session.state.mail.kick(&me.session.tenant);
    }
}

fn moved(moved: Option<Moved>) -> Result<Outcome, AppError> {
    match moved {
        Some(Moved::Done(row)) => Ok(Outcome::Done(row)),
        Some(Moved::Stale(row, by)) => Ok(Outcome::Stale(row, by)),
        None => Err(AppError::StateConflict("orders-not-open")),
    }
}
