//! The single-use tokens mailed to people (staff password resets; portal
//! invitations, sign-in links and resets), kept the same way for both: only the
//! SHA-256 of a secret is stored, a new token revokes the unused ones of its
//! holder and purpose, and spending one is a guarded update that a second use,
//! even a concurrent one, cannot repeat. The areas of each kind of holder
//! (`staff_reset_tokens`, `portal_tokens`) are built on these functions.

use chrono::{Duration, Utc};
use portico_auth::{hash_token, random_token};
use sea_query::{Cond, DynIden, Expr, ExprTrait, Iden, IntoIden, Query, SelectStatement};
use uuid::Uuid;

use crate::tables::{PortalTokens, StaffTokens};
use crate::{DataError, TenantTx};

/// The columns both token tables share.
#[derive(Iden, Clone, Copy)]
pub(crate) enum TokenColumn {
    TenantId,
    Id,
    Purpose,
    TokenHash,
    CreatedAt,
    ExpiresAt,
    UsedAt,
    RevokedAt,
}

/// Where a kind of holder's tokens are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenStore {
    /// `staff_tokens`, held by a staff user.
    Staff,
    /// `portal_tokens`, held by a contact.
    Portal,
}

impl TokenStore {
    pub(crate) fn table(self) -> DynIden {
        match self {
            TokenStore::Staff => StaffTokens::Table.into_iden(),
            TokenStore::Portal => PortalTokens::Table.into_iden(),
        }
    }

    /// The column naming the holder.
    fn holder(self) -> DynIden {
        match self {
            TokenStore::Staff => StaffTokens::StaffUserId.into_iden(),
            TokenStore::Portal => PortalTokens::ContactId.into_iden(),
        }
    }

    /// A shared column, qualified with the table.
    pub(crate) fn col(self, column: TokenColumn) -> Expr {
        Expr::col((self.table(), column.into_iden()))
    }

    /// The holder column, qualified with the table.
    pub(crate) fn holder_col(self) -> Expr {
        Expr::col((self.table(), self.holder()))
    }
}

/// Creates a token for `holder` and returns its secret (for the link in a
/// mail). Earlier unused tokens of the same purpose are revoked, so only the
/// newest link works. The caller checks that the holder may have one.
pub(crate) async fn issue(
    tx: &mut TenantTx,
    store: TokenStore,
    holder: Uuid,
    purpose: &str,
    ttl: Duration,
) -> Result<String, DataError> {
    revoke(tx, store, holder, purpose).await?;
    let secret = random_token();
    let now = Utc::now();
    let insert = Query::insert()
        .into_table(store.table())
        .columns([
            TokenColumn::TenantId.into_iden(),
            TokenColumn::Id.into_iden(),
            store.holder(),
            TokenColumn::Purpose.into_iden(),
            TokenColumn::TokenHash.into_iden(),
            TokenColumn::CreatedAt.into_iden(),
            TokenColumn::ExpiresAt.into_iden(),
        ])
        .values_panic([
            tx.tenant_id().as_uuid().into(),
            Uuid::now_v7().into(),
            holder.into(),
            purpose.into(),
            hash_token(&secret).into(),
            now.into(),
            (now + ttl).into(),
        ])
        .to_owned();
    tx.conn.execute(&insert).await?;
    Ok(secret)
}

/// The condition that the token with `secret` has `purpose` and is neither
/// used nor revoked (the caller compares its expiry: SQLite keeps timestamps
/// as text).
pub(crate) fn unspent(store: TokenStore, tenant: Uuid, secret: &str, purpose: &str) -> Cond {
    Cond::all()
        .add(store.col(TokenColumn::TenantId).eq(tenant))
        .add(store.col(TokenColumn::TokenHash).eq(hash_token(secret)))
        .add(store.col(TokenColumn::Purpose).eq(purpose))
        .add(store.col(TokenColumn::UsedAt).is_null())
        .add(store.col(TokenColumn::RevokedAt).is_null())
}

/// The unused, unrevoked, unexpired tokens of `purpose` held by `holder` (an
/// expression: a column of an outer query, or a value), for `EXISTS`.
pub(crate) fn valid_of(
    store: TokenStore,
    tenant: Uuid,
    purpose: &str,
    holder: impl Into<Expr>,
) -> SelectStatement {
    Query::select()
        .expr(Expr::val(1))
        .from(store.table())
        .and_where(store.col(TokenColumn::TenantId).eq(tenant))
        .and_where(store.holder_col().eq(holder.into()))
        .and_where(store.col(TokenColumn::Purpose).eq(purpose))
        .and_where(store.col(TokenColumn::UsedAt).is_null())
        .and_where(store.col(TokenColumn::RevokedAt).is_null())
        .and_where(store.col(TokenColumn::ExpiresAt).gt(Utc::now()))
        .to_owned()
}

/// Spends the token `id` once: true when this call marked it used.
pub(crate) async fn spend(
    tx: &mut TenantTx,
    store: TokenStore,
    id: Uuid,
) -> Result<bool, DataError> {
    let update = Query::update()
        .table(store.table())
        .value(TokenColumn::UsedAt, Utc::now())
        .and_where(Expr::col(TokenColumn::TenantId).eq(tx.tenant_id().as_uuid()))
        .and_where(Expr::col(TokenColumn::Id).eq(id))
        .and_where(Expr::col(TokenColumn::UsedAt).is_null())
        .and_where(Expr::col(TokenColumn::RevokedAt).is_null())
        .to_owned();
    Ok(tx.conn.execute(&update).await? == 1)
}

/// Revokes the unused tokens of `purpose` held by `holder`; returns how many.
pub(crate) async fn revoke(
    tx: &mut TenantTx,
    store: TokenStore,
    holder: Uuid,
    purpose: &str,
) -> Result<u64, DataError> {
    let update = Query::update()
        .table(store.table())
        .value(TokenColumn::RevokedAt, Utc::now())
        .and_where(Expr::col(TokenColumn::TenantId).eq(tx.tenant_id().as_uuid()))
        .and_where(Expr::col(store.holder()).eq(holder))
        .and_where(Expr::col(TokenColumn::Purpose).eq(purpose))
        .and_where(Expr::col(TokenColumn::UsedAt).is_null())
        .and_where(Expr::col(TokenColumn::RevokedAt).is_null())
        .to_owned();
    tx.conn.execute(&update).await
}
