//! What a customer contact does with service requests — open one with its
//! files, write in its thread — checked once here for the pages and the
//! portal API alike: the grant (`service_requests.create`), the branch (one
//! the contact sees), the files; a closed request takes no more comments.
//! Each command stores its files first and is one transaction.

use bytes::Bytes;
use portico_data::{Commented, NewRequest, RequestRow};
use portico_domain::{
    FieldErrors, Permission,
    service::{CommentInput, RequestInput},
};
use portico_portal::SignedInContact;
use portico_web::{AppError, attachments};
use uuid::Uuid;

/// Refuses (403) a contact whose scope lacks `permission`.
pub(crate) fn require(me: &SignedInContact, permission: Permission) -> Result<(), AppError> {
    if me.scope.may(permission) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// Opens a request with `files` (name, bytes); every field's error at once.
pub(crate) async fn open(
    me: &SignedInContact,
    input: &RequestInput,
    files: &[(&str, Bytes)],
) -> Result<RequestRow, AppError> {
    require(me, Permission::ServiceRequestsCreate)?;
    let mut errors = FieldErrors::default();
    let fields = input.validate().map_err(|e| errors.append(e)).ok();
    let checked = attachments::check(files, &mut errors);
    if let Some(id) = input.branch
        && me.scope.narrowed_to(id.into()).is_none()
    {
        errors.add("branch", "field-choice-invalid");
    }
    let Some(fields) = fields.filter(|_| errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    let tenant = me.scope.tenant().as_uuid();
    attachments::keeping(&me.session.state, tenant, &checked, async |stored| {
        let mut tx = me.session.tx().await?;
        let row = tx
            .service_requests()
            .create(
                NewRequest {
                    account: me.scope.account(),
                    fields,
                },
                stored,
                me.session.by(),
            )
            .await?;
        tx.commit().await?;
        Ok(row)
    })
    .await
}

/// Writes in request `id`'s thread (text, files or both): "not found" for a
/// request the contact does not see, whatever its grant; 409 for a closed one.
pub(crate) async fn comment(
    me: &SignedInContact,
    id: Uuid,
    body: &str,
    files: &[(&str, Bytes)],
) -> Result<RequestRow, AppError> {
    {
        let mut tx = me.session.tx().await?;
        let row = tx.service_requests().portal_find(&me.scope, id).await?;
        tx.commit().await?;
        row.ok_or(AppError::NotFound)?;
    }
    require(me, Permission::ServiceRequestsCreate)?;
    let mut errors = FieldErrors::default();
    let input = CommentInput {
        body: body.to_owned(),
        status: String::new(),
    };
    let fields = input
        .validate(files.len())
        .map_err(|e| errors.append(e))
        .ok();
    let checked = attachments::check(files, &mut errors);
    let Some(fields) = fields.filter(|_| errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    let tenant = me.scope.tenant().as_uuid();
    attachments::keeping(&me.session.state, tenant, &checked, async |stored| {
        let mut tx = me.session.tx().await?;
        // Read again where it is written: its state now decides.
        let row = tx
            .service_requests()
            .portal_find(&me.scope, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let done = tx
            .service_requests()
            .comment(&row, fields.body.as_deref(), None, stored, me.session.by())
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
