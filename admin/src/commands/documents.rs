//! Documents shared with customers: created (with a first file or without),
//! upserted by an ERP's reference, described anew, given new versions and
//! deleted. A version's file is stored before the change that refers to it
//! commits, and removed when that change does not (or adds nothing: the same
//! file as the current version); a deleted document's files go once the
//! deletion commits.

use bytes::Bytes;
use portico_authz::{Action, Area};
use portico_data::{
    AccountId, DocumentRow, DocumentVersion, NewVersion, TenantId, TenantTx, VersionAdded,
};
use portico_domain::{
    AccountKind, FieldErrors,
    documents::{DocumentFields, DocumentInput, FileFields, check_file},
};
use portico_files::{FileKey, FileStore};
use portico_web::AppError;
use uuid::Uuid;

use super::Issuer;

/// An uploaded file and the note that goes with it.
pub(crate) struct Upload<'a> {
    pub file_name: &'a str,
    pub bytes: Bytes,
    pub note: Option<&'a str>,
}

/// A file checked for a version: its cleaned name and type, and its note.
struct Checked {
    fields: FileFields,
    note: Option<String>,
    bytes: Bytes,
}

/// The key of a version's stored file.
fn key(tenant: TenantId, file: Uuid) -> FileKey {
    FileKey::document(tenant.as_uuid(), file)
}

/// Checks an upload, its errors on `file` (and `note`).
fn check(upload: Upload<'_>, errors: &mut FieldErrors) -> Option<Checked> {
    let mut note_check = portico_domain::fields::Checker::default();
    let note = upload
        .note
        .and_then(|n| note_check.text("note", n, portico_domain::fields::limits::TEXT));
    let notes_ok = note_check.errors.is_empty();
    errors.append(note_check.errors);
    match check_file("file", upload.file_name, &upload.bytes) {
        Ok(fields) if notes_ok => Some(Checked {
            fields,
            note,
            bytes: upload.bytes,
        }),
        Ok(_) => None,
        Err(e) => {
            errors.append(e);
            None
        }
    }
}

/// The customer a document (or a service request) belongs to: an error on
/// `account` unless `id` is one of this company's customers.
pub(crate) async fn customer(
    tx: &mut TenantTx,
    id: Option<AccountId>,
) -> Result<AccountId, AppError> {
    let found = match id {
        Some(id) => tx.accounts().find(id).await?,
        None => None,
    };
    match found {
        Some(account) if account.kind == AccountKind::Customer => Ok(account.id),
        _ => {
            let mut errors = FieldErrors::default();
            errors.add("account", "document-account-invalid");
            Err(AppError::Invalid(errors))
        }
    }
}

/// Stores a checked file under a new id.
async fn store(
    files: &FileStore,
    tenant: TenantId,
    checked: &Checked,
) -> Result<NewVersion, AppError> {
    let file_id = Uuid::now_v7();
    files
        .put(&key(tenant, file_id), checked.bytes.clone())
        .await
        .map_err(AppError::internal)?;
    Ok(NewVersion::of(
        file_id,
        checked.fields.file_name.clone(),
        checked.fields.content_type.to_owned(),
        &checked.bytes,
        checked.note.clone(),
    ))
}

/// Removes a stored file (best effort: a leftover is only wasted space).
async fn remove(files: &FileStore, tenant: TenantId, file: Uuid) {
    files.remove(&key(tenant, file)).await;
}

/// Runs `write` with the stored version `new` (when there is one): commits
/// and keeps the file when `write` used it, removes it otherwise.
async fn with_file<T>(
    issuer: &Issuer<'_>,
    new: Option<NewVersion>,
    write: impl AsyncFnOnce(&mut TenantTx, Option<NewVersion>) -> Result<(T, bool), AppError>,
) -> Result<T, AppError> {
    let (files, tenant) = (&issuer.state.files, issuer.tenant.id());
    let stored = new.as_ref().map(|n| n.file_id);
    let result = async {
        let mut tx = issuer.tx().await?;
        let (value, used) = write(&mut tx, new).await?;
        tx.commit().await?;
        Ok::<_, AppError>((value, used))
    }
    .await;
    match result {
        Ok((value, used)) => {
            if let (Some(file), false) = (stored, used) {
                remove(files, tenant, file).await;
            }
            Ok(value)
        }
        Err(e) => {
            if let Some(file) = stored {
                remove(files, tenant, file).await;
            }
            Err(e)
        }
    }
}

/// Creates a document of a customer, with its first version when a file
/// comes with it. Every field's error is reported at once; nothing is kept
/// on any.
pub(crate) async fn create(
    issuer: &Issuer<'_>,
    account: Option<AccountId>,
    input: &DocumentInput,
    upload: Option<Upload<'_>>,
) -> Result<DocumentRow, AppError> {
    issuer.require(Area::Sales, Action::Write).await?;
    let mut errors = FieldErrors::default();
    let fields = input.validate().map_err(|e| errors.append(e)).ok();
    let checked = upload.and_then(|u| check(u, &mut errors));
    let Some(fields) = fields.filter(|_| errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    let new = match &checked {
        Some(checked) => Some(store(&issuer.state.files, issuer.tenant.id(), checked).await?),
        None => None,
    };
    with_file(issuer, new, async |tx, new| {
        let account = customer(tx, account).await?;
        let mut row = tx.documents().create(account, &fields, issuer.by).await?;
        let used = new.is_some();
        if let Some(new) = new
            && let Some(VersionAdded::New(v)) =
                tx.documents().add_version(row.id, new, issuer.by).await?
        {
            row.version = v.version;
        }
        Ok((row, used))
    })
    .await
}

/// Creates or changes the document with the ERP reference of `input`
/// (required): `true` when it was created.
pub(crate) async fn upsert(
    issuer: &Issuer<'_>,
    account: Option<AccountId>,
    input: &DocumentInput,
) -> Result<(DocumentRow, bool), AppError> {
    issuer.require(Area::Sales, Action::Write).await?;
    let fields = valid_with_ref(input)?;
    let reference = fields.external_ref.clone().unwrap_or_default();
    let mut tx = issuer.tx().await?;
    let account = customer(&mut tx, account).await?;
    let existing = tx.documents().by_ref(&reference).await?;
    let outcome = match existing {
        Some(row) => {
            let row = tx
                .documents()
                .update(row.id, account, &fields, issuer.by)
                .await?
                .ok_or(AppError::NotFound)?;
            (row, false)
        }
        None => (
            tx.documents().create(account, &fields, issuer.by).await?,
            true,
        ),
    };
    tx.commit().await?;
    Ok(outcome)
}

/// Checks a description whose ERP reference is required.
fn valid_with_ref(input: &DocumentInput) -> Result<DocumentFields, AppError> {
    let mut errors = FieldErrors::default();
    if input
        .external_ref
        .as_deref()
        .is_none_or(|r| r.trim().is_empty())
    {
        errors.add("external_ref", "field-required");
    }
    match input.validate() {
        Ok(fields) if errors.is_empty() => Ok(fields),
        Ok(_) => Err(AppError::Invalid(errors)),
        Err(e) => {
            errors.append(e);
            Err(AppError::Invalid(errors))
        }
    }
}

/// Describes document `id` anew (its customer, title, type, branch, reference).
pub(crate) async fn update(
    issuer: &Issuer<'_>,
    id: Uuid,
    account: Option<AccountId>,
    input: &DocumentInput,
) -> Result<DocumentRow, AppError> {
    issuer.require(Area::Sales, Action::Write).await?;
    let mut tx = issuer.tx().await?;
    tx.documents().find(id).await?.ok_or(AppError::NotFound)?;
    let fields = input.validate().map_err(AppError::Invalid)?;
    let account = customer(&mut tx, account).await?;
    let row = tx
        .documents()
        .update(id, account, &fields, issuer.by)
        .await?
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(row)
}

/// Adds a file as the next version of document `id`; the same file as the
/// current version adds nothing and answers that version (`false`).
pub(crate) async fn add_version(
    issuer: &Issuer<'_>,
    id: Uuid,
    upload: Upload<'_>,
) -> Result<(DocumentVersion, bool), AppError> {
    issuer.require(Area::Sales, Action::Write).await?;
    {
        // A document of another company or none is 404 before the file is read.
        let mut tx = issuer.tx().await?;
        tx.documents().find(id).await?.ok_or(AppError::NotFound)?;
        tx.commit().await?;
    }
    let mut errors = FieldErrors::default();
    let Some(checked) = check(upload, &mut errors) else {
        return Err(AppError::Invalid(errors));
    };
    let new = store(&issuer.state.files, issuer.tenant.id(), &checked).await?;
    with_file(issuer, Some(new), async |tx, new| {
        let new = new.ok_or(AppError::NotFound)?;
        match tx.documents().add_version(id, new, issuer.by).await {
            Ok(Some(VersionAdded::New(v))) => Ok(((v, true), true)),
            Ok(Some(VersionAdded::Same(v))) => Ok(((v, false), false)),
            Ok(None) => Err(AppError::NotFound),
            Err(portico_data::DataError::Conflict { .. }) => {
                Err(AppError::StateConflict("documents-version-conflict"))
            }
            Err(e) => Err(e.into()),
        }
    })
    .await
}

/// Deletes document `id` and, once that commits, its files.
pub(crate) async fn delete(issuer: &Issuer<'_>, id: Uuid) -> Result<(), AppError> {
    issuer.require(Area::Sales, Action::Write).await?;
    let mut tx = issuer.tx().await?;
    let files = tx
        .documents()
        .delete(id, issuer.by)
        .await?
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    for file in files {
        remove(&issuer.state.files, issuer.tenant.id(), file).await;
    }
    Ok(())
}
