//! The company's side of service requests: opening one for a customer (a
//! help desk or an ERP through the API) and writing in a request's thread —
//! an answer, files, a change of state — for the pages and the admin API
//! alike. The first entry is the company's first answer. Files are stored
//! first; the change is one transaction.

use bytes::Bytes;
use portico_authz::{Action, Area};
use portico_data::{AccountId, Commented, NewRequest, RequestRow};
use portico_domain::{
    FieldErrors,
    service::{CommentInput, RequestInput},
};
use portico_web::{AppError, attachments};
use uuid::Uuid;

use super::{Issuer, documents::customer};

/// Opens a request for customer `account` (one of its branches or the
/// account itself) with `files` (name, bytes): every field's error at once.
pub(crate) async fn open(
    issuer: &Issuer<'_>,
    account: Option<AccountId>,
    input: &RequestInput,
    files: &[(&str, Bytes)],
) -> Result<RequestRow, AppError> {
    issuer.require(Area::Sales, Action::Write).await?;
    let mut errors = FieldErrors::default();
    let fields = input.validate().map_err(|e| errors.append(e)).ok();
    let checked = attachments::check(files, &mut errors);
    let mut tx = issuer.tx().await?;
    let account = match customer(&mut tx, account).await {
        Ok(account) => Some(account),
        Err(AppError::Invalid(e)) => {
            errors.append(e);
            None
        }
        Err(other) => return Err(other),
    };
    tx.commit().await?;
    let (Some(fields), Some(account)) = (fields, account) else {
        return Err(AppError::Invalid(errors));
    };
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let tenant = issuer.tenant.id().as_uuid();
    attachments::keeping(issuer.state, tenant, &checked, async |stored| {
        let mut tx = issuer.tx().await?;
        let row = tx
            .service_requests()
            .create(NewRequest { account, fields }, stored, issuer.by)
            .await?;
        tx.commit().await?;
        Ok(row)
    })
    .await
}

/// Writes in request `id`'s thread: 404 for a request not this company's;
/// every field's error at once.
pub(crate) async fn answer(
    issuer: &Issuer<'_>,
    id: Uuid,
    input: &CommentInput,
    files: &[(&str, Bytes)],
) -> Result<RequestRow, AppError> {
    issuer.require(Area::Sales, Action::Write).await?;
    {
        let mut tx = issuer.tx().await?;
        tx.service_requests()
            .find(id)
            .await?
            .ok_or(AppError::NotFound)?;
        tx.commit().await?;
    }
    let mut errors = FieldErrors::default();
    let fields = input
        .validate(files.len())
        .map_err(|e| errors.append(e))
        .ok();
    let checked = attachments::check(files, &mut errors);
    let Some(fields) = fields.filter(|_| errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    let tenant = issuer.tenant.id().as_uuid();
    attachments::keeping(issuer.state, tenant, &checked, async |stored| {
        let mut tx = issuer.tx().await?;
        let row = tx
            .service_requests()
            .find(id)
            .await?
            .ok_or(AppError::NotFound)?;
        let done = tx
            .service_requests()
            .comment(
                &row,
                fields.body.as_deref(),
                fields.status,
                stored,
                issuer.by,
            )
            .await?;
        match done {
            Commented::Done(row) => {
                tx.commit().await?;
                Ok(row)
            }
            Commented::Closed => Err(AppError::StateConflict("service-closed")),
        }
    })
    .await
}
