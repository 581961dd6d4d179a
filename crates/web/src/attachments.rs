//! Files sent with a service request or an entry of its thread, from a page
//! or an API: each checked as a shared document's file is (type from the
//! bytes, size), at most `MAX_ATTACHMENTS` at once, stored under new ids
//! before the change that refers to them, and removed when that change does
//! not commit.

use bytes::Bytes;
use portico_data::NewVersion;
use portico_domain::{FieldErrors, documents::check_file, service::MAX_ATTACHMENTS};
use portico_files::FileKey;
use uuid::Uuid;

use crate::{error::AppError, state::AppState};

/// The form field (and API error field) of the files.
pub const FIELD: &str = "files";

/// A file checked for keeping.
#[derive(Debug, Clone)]
pub struct Checked {
    file_name: String,
    content_type: &'static str,
    bytes: Bytes,
}

/// Checks `files` (name, bytes); their errors go on [`FIELD`].
pub fn check(files: &[(&str, Bytes)], errors: &mut FieldErrors) -> Vec<Checked> {
    if files.len() > MAX_ATTACHMENTS {
        errors.add(FIELD, "service-too-many-files");
        return Vec::new();
    }
    let mut checked = Vec::new();
    for (name, bytes) in files {
        match check_file(FIELD, name, bytes) {
            Ok(fields) => checked.push(Checked {
                file_name: fields.file_name,
                content_type: fields.content_type,
                bytes: bytes.clone(),
            }),
            Err(e) => {
                errors.append(e);
                return Vec::new();
            }
        }
    }
    checked
}

/// The key of a kept file.
fn key(tenant: Uuid, file: Uuid) -> FileKey {
    FileKey::attachment(tenant, file)
}

/// Stores `checked` under new ids: all of them, or (on failure) none.
pub async fn store(
    state: &AppState,
    tenant: Uuid,
    checked: &[Checked],
) -> Result<Vec<NewVersion>, AppError> {
    let mut stored = Vec::new();
    for file in checked {
        let id = Uuid::now_v7();
        if let Err(e) = state.files.put(&key(tenant, id), file.bytes.clone()).await {
            remove(state, tenant, &stored).await;
            return Err(AppError::internal(e));
        }
        stored.push(NewVersion::of(
            id,
            file.file_name.clone(),
            file.content_type.to_owned(),
            &file.bytes,
            None,
        ));
    }
    Ok(stored)
}

/// Removes stored files (best effort: a leftover is only wasted space).
pub async fn remove(state: &AppState, tenant: Uuid, files: &[NewVersion]) {
    for file in files {
        state.files.remove(&key(tenant, file.file_id)).await;
    }
}

/// Stores `checked`, then runs `write` with their descriptions (it commits
/// its own transaction); the files are removed again when `write` fails.
pub async fn keeping<T>(
    state: &AppState,
    tenant: Uuid,
    checked: &[Checked],
    write: impl AsyncFnOnce(&[NewVersion]) -> Result<T, AppError>,
) -> Result<T, AppError> {
    let stored = store(state, tenant, checked).await?;
    let result = write(&stored).await;
    if result.is_err() {
        remove(state, tenant, &stored).await;
    }
    result
}
