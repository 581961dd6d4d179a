//! The company's logo: an upload checked and re-encoded off the async workers,
//! kept in the file store under a new id each time (so its address changes
//! with it and browsers may cache it for good), served to anyone at
//! `/logo/:id` while it is the company's current one, and handed to PDFs.

use bytes::Bytes;
use poem::{IntoResponse, Response, handler, http::header, web::Path};
use portico_data::{Tenant, TenantId};
use portico_domain::FieldErrors;
use portico_files::{FileError, FileKey, FileStore, PhotoError, process_logo};
use uuid::Uuid;

use crate::{AppError, AppState, CurrentTenant};

/// The form field of a logo.
pub const FIELD: &str = "logo";

/// The largest logo upload, in megabytes, as forms say it.
pub const MAX_MEGABYTES: usize = portico_files::MAX_LOGO_BYTES / 1024 / 1024;

/// What the file input accepts: the formats [`process_logo`] reads.
pub const ACCEPT: &str = "image/jpeg,image/png,image/webp";

fn key(tenant: TenantId, logo: Uuid) -> FileKey {
    FileKey::new(tenant.as_uuid(), "logos", logo, ".png")
}

/// The message shown for an unacceptable logo.
fn message(error: PhotoError) -> &'static str {
    match error {
        PhotoError::TooLarge => "logo-too-large",
        other => other.message(),
    }
}

/// Checks and re-encodes an upload in one of the state's decoding turns; an
/// unacceptable one is a field error on `logo`.
pub async fn process(
    state: &AppState,
    bytes: Bytes,
) -> Result<Result<Vec<u8>, FieldErrors>, AppError> {
    let processed = state.decoding_turn(move || process_logo(&bytes)).await?;
    Ok(processed.map_err(|e| {
        let mut errors = FieldErrors::default();
        errors.add(FIELD, message(e));
        errors
    }))
}

/// Stores a processed logo under a new id.
pub async fn store(files: &FileStore, tenant: TenantId, png: Vec<u8>) -> Result<Uuid, AppError> {
    let id = Uuid::now_v7();
    files
        .put(&key(tenant, id), Bytes::from(png))
        .await
        .map_err(AppError::internal)?;
    Ok(id)
}

/// Removes a logo's file (best effort: a leftover file is only wasted space).
pub async fn remove(files: &FileStore, tenant: TenantId, logo: Uuid) {
    files.remove(&key(tenant, logo)).await;
}

/// The PNG of the company's current logo, if it has one and its file is there.
pub async fn current(files: &FileStore, tenant: &Tenant) -> Result<Option<Bytes>, AppError> {
    let Some(logo) = tenant.logo_id() else {
        return Ok(None);
    };
    match files.get(&key(tenant.id(), logo)).await {
        Ok(bytes) => Ok(Some(bytes)),
        Err(FileError::NotFound) => Ok(None),
        Err(e) => Err(AppError::internal(e)),
    }
}

/// `GET /logo/{id}`: the company's logo, to anyone (it is on every document
/// the company sends), while `id` is its current logo; cached for good, since
/// a new logo gets a new id.
#[handler]
pub async fn serve(
    state: poem::web::Data<&AppState>,
    CurrentTenant(tenant): CurrentTenant,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id: Uuid = id.trim().parse().map_err(|_| AppError::NotFound)?;
    if tenant.logo_id() != Some(id) {
        return Err(AppError::NotFound);
    }
    let bytes = current(&state.files, &tenant)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(bytes
        .with_content_type("image/png")
        .with_header(header::CACHE_CONTROL, "public, max-age=31536000, immutable")
        .into_response())
}
