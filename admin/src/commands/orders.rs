//! The catalogue and the company's side of quotes and orders: items,
//! customer prices, quotes and orders pushed by an ERP (a batch all or
//! nothing, like invoices), writing a quote for a customer and pricing a
//! drafted one, and the moves staff make — send a requested quote,
//! mark an authorized order fulfilled, cancel an order. A move someone else
//! made first is 409.

use portico_authz::{Action, Area};
use portico_data::TenantTx;
use portico_data::{AccountId, DataError, Moved, OrderRow, UpsertOutcome, Upserted};
use portico_domain::FieldErrors;
use portico_domain::orders::{
    DraftLineInput, ErpOrderInput, ItemInput, OrderKind, OrderMove, PriceInput, QuoteDraftInput,
};
use portico_web::AppError;
use uuid::Uuid;

use super::{Issuer, documents::customer, sales::check};

/// Upserts items of the catalogue by code.
pub(crate) async fn upsert_items(
    issuer: &Issuer<'_>,
    inputs: &[ItemInput],
) -> Result<Vec<UpsertOutcome>, AppError> {
    issuer.require(Area::Sales, Action::Write).await?;
    let records = check(inputs, ItemInput::validate)?;
    let mut tx = issuer.tx().await?;
    let outcomes = tx.catalogue().upsert_items(&records, issuer.by).await?;
    tx.commit().await?;
    Ok(outcomes)
}

/// Upserts customers' own prices by customer and item code.
pub(crate) async fn upsert_prices(
    issuer: &Issuer<'_>,
    inputs: &[PriceInput],
) -> Result<Vec<Upserted>, AppError> {
    issuer.require(Area::Sales, Action::Write).await?;
    let records = check(inputs, PriceInput::validate)?;
    let mut tx = issuer.tx().await?;
    let outcomes = tx.catalogue().upsert_prices(&records, issuer.by).await?;
    tx.commit().await?;
    Ok(outcomes)
}

/// Upserts quotes or orders of `kind` by the ERP's reference.
pub(crate) async fn upsert(
    issuer: &Issuer<'_>,
    kind: OrderKind,
    inputs: &[ErpOrderInput],
) -> Result<Vec<UpsertOutcome>, AppError> {
    issuer.require(Area::Sales, Action::Write).await?;
    let records = check(inputs, |i| i.validate(kind))?;
    let mut tx = issuer.tx().await?;
    let outcomes = tx.orders().upsert(kind, &records, issuer.by).await?;
    tx.commit().await?;
    Ok(outcomes)
}

/// Makes a staff move on a quote or order of `kind`: 404 for no such record,
/// 409 when the move does not apply to the kind or the record is no longer
/// in a state it starts from.
pub(crate) async fn make_move(
    issuer: &Issuer<'_>,
    kind: OrderKind,
    id: Uuid,
    mv: OrderMove,
) -> Result<OrderRow, AppError> {
    issuer.require(Area::Sales, Action::Write).await?;
    let mut tx = issuer.tx().await?;
    let row = tx
        .orders()
        .find(kind, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let moved = tx.orders().apply(&row, mv, None, None, issuer.by).await?;
    match moved {
        Some(Moved::Done(row)) => {
            tx.commit().await?;
            Ok(row)
        }
        Some(Moved::Stale(..)) | None => Err(AppError::StateConflict("orders-not-open")),
    }
}

/// Replaces a drafted quote's lines, validity and notes before it is sent:
/// 422 with every field's problem, 404 for no such quote, 409 once it is no
/// longer a draft (sent meanwhile). Totals are recomputed here.
pub(crate) async fn redraft(
    issuer: &Issuer<'_>,
    id: Uuid,
    input: &QuoteDraftInput,
) -> Result<OrderRow, AppError> {
    issuer.require(Area::Sales, Action::Write).await?;
    let mut tx = issuer.tx().await?;
    let row = tx
        .orders()
        .find(OrderKind::Quote, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut input = input.clone();
    let mut errors = prefill(&mut tx, row.account_id, &row.currency, &mut input).await?;
    let draft = input
        .validate(crate::sales::view::today())
        .map_err(|e| errors.append(e))
        .ok();
    let Some(draft) = draft.filter(|_| errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    let row = tx
        .orders()
        .redraft(&row, &draft, issuer.by)
        .await?
        .ok_or(AppError::StateConflict("orders-not-draft"))?;
    tx.commit().await?;
    Ok(row)
}

/// Writes a new quote for customer `account` (one of its branches or the
/// customer itself), priced by staff, as a draft to send: 422 with every
/// field's problem (`account`, `branch`, `lines[n].…`, `valid_until`).
pub(crate) async fn draft_new(
    issuer: &Issuer<'_>,
    account: Option<AccountId>,
    branch: Option<Uuid>,
    input: &QuoteDraftInput,
) -> Result<OrderRow, AppError> {
    issuer.require(Area::Sales, Action::Write).await?;
    let mut errors = FieldErrors::default();
    let mut tx = issuer.tx().await?;
    let account = match customer(&mut tx, account).await {
        Ok(account) => Some(account),
        Err(AppError::Invalid(e)) => {
            errors.append(e);
            None
        }
        Err(other) => return Err(other),
    };
    let branch = match account {
        Some(account) => match tx.branches().chosen(account, branch).await {
            Ok(branch) => Some(branch),
            Err(DataError::Invalid(e)) => {
                errors.append(e);
                None
            }
            Err(other) => return Err(other.into()),
        },
        None => None,
    };
    let mut input = input.clone();
    if let Some(account) = account {
        let (currency, _) = tx.orders().company_rules().await?;
        errors.append(prefill(&mut tx, account, &currency, &mut input).await?);
    }
    let draft = input
        .validate(crate::sales::view::today())
        .map_err(|e| errors.append(e))
        .ok();
    let (Some(draft), Some(account), Some(branch)) = (draft, account, branch) else {
        return Err(AppError::Invalid(errors));
    };
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let row = tx
        .orders()
        .draft_for(account, branch, &draft, issuer.by)
        .await?;
    tx.commit().await?;
    Ok(row)
}

/// Fills what staff left blank on each line naming an item of the catalogue
/// by code — its description, unit, the customer's price (when the item is
/// sold in `currency`) and tax — so a code and a quantity make a line. A
/// code no item on sale has, on a line without a description, is that
/// line's error.
async fn prefill(
    tx: &mut TenantTx,
    account: AccountId,
    currency: &str,
    input: &mut QuoteDraftInput,
) -> Result<FieldErrors, AppError> {
    let code = |l: &DraftLineInput| {
        l.line
            .item_code
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_lowercase)
    };
    let codes: Vec<String> = input.lines.iter().filter_map(code).collect();
    let mut errors = FieldErrors::default();
    if codes.is_empty() {
        return Ok(errors);
    }
    let ids = tx.catalogue().ids_by_code(&codes).await?;
    let wanted: Vec<Uuid> = ids.values().copied().collect();
    let items = tx.catalogue().priced_for(account, &wanted).await?;
    let fill = |field: &mut String, value: String| {
        if field.trim().is_empty() {
            *field = value;
        }
    };
    for (n, line) in input.lines.iter_mut().enumerate() {
        let Some(code) = code(line) else {
            continue;
        };
        match ids.get(&code).and_then(|id| items.get(id)) {
            Some(item) => {
                line.line.item_code = Some(item.code.clone());
                fill(&mut line.line.description, item.name.clone());
                fill(&mut line.unit, item.unit.clone());
                if item.currency == currency {
                    fill(
                        &mut line.line.unit_price,
                        item.price.normalize().to_string(),
                    );
                }
                fill(
                    &mut line.line.tax_rate,
                    item.tax_rate.normalize().to_string(),
                );
            }
            None if line.line.description.trim().is_empty() => {
                let mut one = FieldErrors::default();
                one.add("item_code", "orders-item-unknown");
                errors.nest(&format!("lines[{n}]"), one);
            }
            None => {}
        }
    }
    Ok(errors)
}
