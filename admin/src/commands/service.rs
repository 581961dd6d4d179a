//! The company's side of service requests: opening one for a customer (a
//! help desk or an ERP through the API) and writing in a request's thread —
//! an answer, files, a change of state — for the pages and the admin API
//! alike. The first entry is the company's first answer; the contact who
//! opened the request in the portal is told of each by mail, while it can
//! still see the request. Files are stored first; the change is one
//! transaction, its mail with it.

use bytes::Bytes;
use portico_authz::{Action, Area};
use portico_data::{AccountId, Commented, NewRequest, RequestRow, TenantTx};
use portico_domain::{
    FieldErrors, Permission, Portal,
    service::{CommentInput, RequestInput},
};
use portico_web::{
    AppError, attachments,
    notice::{self, Notice},
    policy::{scope_of, sees},
};
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
            Commented::Done(after) => {
                let told =
                    tell_opener(issuer, &mut tx, &row, &after, fields.body.as_deref()).await?;
                tx.commit().await?;
                if told {
                    issuer.state.mail.kick(issuer.tenant);
                }
                Ok(after)
            }
            Commented::Closed => Err(AppError::StateConflict("service-closed")),
        }
    })
    .await
}

/// Writes to the contact who opened `before` in the portal about the
/// company's entry in its thread (`body`, and the new state when it moved),
/// when that contact still uses the portal and sees the request. Whether a
/// mail was written.
async fn tell_opener(
    issuer: &Issuer<'_>,
    tx: &mut TenantTx,
    before: &RequestRow,
    after: &RequestRow,
    body: Option<&str>,
) -> Result<bool, AppError> {
    let Some(opener) = before.opened_by_contact else {
        return Ok(false);
    };
    let Some(person) = tx
        .policy()
        .account_contacts(before.account_id, Portal::Customer, Some(opener), 1)
        .await?
        .pop()
    else {
        return Ok(false);
    };
    let tenant = issuer.tenant;
    let scope = scope_of(tenant.id(), &person, Portal::Customer, before.account_id).await?;
    let sees_it =
        scope.is_some_and(|s| s.may(Permission::ServiceRequestsView) && sees(&s, before.branch_id));
    if !sees_it {
        return Ok(false);
    }
    let lang = notice::language(&person, tenant);
    let about = || {
        [
            ("number", before.number.clone().into()),
            ("subject", before.subject.clone().into()),
            ("company", tenant.name().to_owned().into()),
        ]
    };
    let mut said = match body {
        Some(body) => vec![
            lang.t_args("service-mail-answered", &about()),
            body.to_owned(),
        ],
        None => vec![lang.t_args("service-mail-updated", &about())],
    };
    if after.status != before.status {
        let status = lang.t(&format!("service-status-{}", after.status.as_str()));
        said.push(lang.t_args("service-mail-status", &[("status", status.into())]));
    }
    let mail = Notice {
        subject: lang.t_args("service-mail-subject", &about()),
        body: said,
        open: lang.t("service-mail-open"),
        path: format!(
            "/portal/service_requests/{}?account={}",
            before.id,
            before.account_id.as_uuid()
        ),
        why: lang.t("service-mail-why"),
    }
    .mail(issuer.state, tenant, &person, lang)?;
    tx.outbox().enqueue(&mail).await?;
    Ok(true)
}
