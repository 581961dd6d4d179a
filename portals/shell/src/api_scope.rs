//! What the portals' JSON APIs share: the scope a call acts with (the
//! account asked for, the permission, the branch), the list cursor and the
//! page cut.

use portico_authz::PortalScope;
use portico_data::{DateCursor, PortalBranch};
use portico_domain::Permission;
use portico_web::AppError;
use uuid::Uuid;

use crate::PortalSession;

/// The scope a call acts with: the account asked for (else the current one),
/// `permission` required, narrowed to `branch` when given. Also the branches
/// the contact sees.
pub async fn scope(
    session: &mut PortalSession,
    account: Option<&str>,
    branch: Option<Uuid>,
    permission: Permission,
) -> std::result::Result<(PortalScope, Vec<PortalBranch>), AppError> {
    let scope = session
        .resolve(account, false)?
        .ok_or(AppError::BadRequest("customer-api-account-required"))?;
    if !scope.may(permission) {
        return Err(AppError::Forbidden);
    }
    let mut tx = session.tx().await?;
    let visible = tx.portal_scope().visible_branches(&scope).await?;
    tx.commit().await?;
    let scope = match branch {
        None => scope,
        Some(id) => visible
            .iter()
            .find(|b| b.id.as_uuid() == id)
            .and_then(|b| scope.narrowed_to(b.id))
            .ok_or(AppError::NotFound)?,
    };
    Ok((scope, visible))
}

/// The cursor a call sent, if any; a malformed one is a 400.
pub fn cursor(raw: Option<&str>) -> std::result::Result<Option<DateCursor>, AppError> {
    raw.filter(|r| !r.is_empty())
        .map(|r| {
            DateCursor::decode(r).map_err(|_| AppError::BadRequest("error-bad-request-detail"))
        })
        .transpose()
}

/// Cuts `rows` (read with one extra) to `limit`; the last row shown when
/// another page follows.
pub fn more<T: Clone>(rows: &mut Vec<T>, limit: u64) -> Option<T> {
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    if rows.len() > limit {
        rows.truncate(limit);
        rows.last().cloned()
    } else {
        None
    }
}

/// Rows per page of an API list when the call does not say.
pub fn default_limit() -> u64 {
    50
}
