//! Customers and suppliers: loading one of a kind (the rule every page and API
//! operation on `/customers/{id}` or `/suppliers/{id}` starts from), creating,
//! updating, archiving and restoring them, and their branches.

use portico_authz::{Action, Area};
use portico_data::{Account, AccountId, Branch, BranchId, TenantTx};
use portico_domain::{AccountInput, AccountKind, BranchInput};
use portico_web::AppError;

use super::Issuer;

/// Loads an account of this kind, or "not found" (another tenant's or kind's id too).
pub(crate) async fn load(
    tx: &mut TenantTx,
    kind: AccountKind,
    id: AccountId,
) -> Result<Account, AppError> {
    match tx.accounts().find(id).await? {
        Some(account) if account.kind == kind => Ok(account),
        _ => Err(AppError::NotFound),
    }
}

/// Creates an account of `kind`.
pub(crate) async fn create(
    issuer: &Issuer<'_>,
    kind: AccountKind,
    input: &AccountInput,
) -> Result<Account, AppError> {
    issuer.require(Area::accounts(kind), Action::Write).await?;
    let fields = input.validate(kind).map_err(AppError::Invalid)?;
    let mut tx = issuer.tx().await?;
    let account = tx.accounts().create(kind, &fields, issuer.by).await?;
    tx.commit().await?;
    Ok(account)
}

/// Replaces an account's fields.
pub(crate) async fn update(
    issuer: &Issuer<'_>,
    kind: AccountKind,
    id: AccountId,
    input: &AccountInput,
) -> Result<Account, AppError> {
    issuer.require(Area::accounts(kind), Action::Write).await?;
    let fields = input.validate(kind).map_err(AppError::Invalid)?;
    let mut tx = issuer.tx().await?;
    load(&mut tx, kind, id).await?;
    let account = tx
        .accounts()
        .update(id, &fields, issuer.by)
        .await?
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(account)
}

/// Archives (`active: false`) or restores an account; its contacts and history stay.
pub(crate) async fn set_active(
    issuer: &Issuer<'_>,
    kind: AccountKind,
    id: AccountId,
    active: bool,
) -> Result<Account, AppError> {
    issuer.require(Area::accounts(kind), Action::Write).await?;
    let mut tx = issuer.tx().await?;
    load(&mut tx, kind, id).await?;
    let account = tx
        .accounts()
        .set_active(id, active, issuer.by)
        .await?
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(account)
}

/// Adds a branch to an account that has branches enabled.
pub(crate) async fn create_branch(
    issuer: &Issuer<'_>,
    kind: AccountKind,
    id: AccountId,
    input: &BranchInput,
) -> Result<Branch, AppError> {
    issuer.require(Area::accounts(kind), Action::Write).await?;
    let fields = input.validate().map_err(AppError::Invalid)?;
    let mut tx = issuer.tx().await?;
    let account = load(&mut tx, kind, id).await?;
    let branch = tx
        .branches()
        .create(account.id, &fields, issuer.by)
        .await?
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(branch)
}

/// Replaces a branch's fields; `active: false` archives it.
pub(crate) async fn update_branch(
    issuer: &Issuer<'_>,
    kind: AccountKind,
    (id, branch): (AccountId, BranchId),
    input: &BranchInput,
    active: bool,
) -> Result<Branch, AppError> {
    issuer.require(Area::accounts(kind), Action::Write).await?;
    let fields = input.validate().map_err(AppError::Invalid)?;
    let mut tx = issuer.tx().await?;
    let account = load(&mut tx, kind, id).await?;
    let branch = tx
        .branches()
        .update(account.id, branch, &fields, active, issuer.by)
        .await?
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(branch)
}
