//! Contact photos: an upload checked and re-encoded off the async workers, its two
//! files (the photo and its thumbnail) stored before the change that refers to
//! them commits and removed when that change does not, the replaced photo's files
//! removed once it does, and both served to staff who may read contacts.

use bytes::Bytes;
use poem::{Response, handler, web::Path};
use portico_authz::{Action, Area};
use portico_data::{ContactId, TenantId};
use portico_domain::FieldErrors;
use portico_files::{FileError, FileKey, FileStore, Photo, process_photo};
use portico_web::{AppError, AppState, Ui};
use uuid::Uuid;

use crate::SignedInStaff;

/// The form field (and API error field) of a photo.
pub(crate) const FIELD: &str = "photo";

/// What the file inputs accept: the formats [`process_photo`] reads.
pub(crate) const ACCEPT: &str = "image/jpeg,image/png,image/webp";

/// The keys of a photo's image and thumbnail.
fn keys(tenant: TenantId, photo: Uuid) -> [FileKey; 2] {
    [
        FileKey::new(tenant.as_uuid(), "photos", photo, ".jpg"),
        FileKey::new(tenant.as_uuid(), "photos", photo, "-thumb.jpg"),
    ]
}

/// Checks and re-encodes an upload on a blocking thread (decoding is CPU-bound
/// and memory-hungry: it waits for one of the state's decoding turns, and
/// answers 503 with `Retry-After` when none comes free in time); an
/// unacceptable one is a field error on `photo`.
pub(crate) async fn process(
    state: &AppState,
    bytes: Bytes,
) -> Result<Result<Photo, FieldErrors>, AppError> {
    let processed = state.decoding_turn(move || process_photo(&bytes)).await?;
    Ok(processed.map_err(|e| {
        let mut errors = FieldErrors::default();
        errors.add(FIELD, e.message());
        errors
    }))
}

/// Stores a processed photo under a new id: both files, or (on failure) neither.
pub(crate) async fn store(
    files: &FileStore,
    tenant: TenantId,
    photo: Photo,
) -> Result<Uuid, AppError> {
    let id = Uuid::now_v7();
    let [image, thumbnail] = keys(tenant, id);
    let stored = async {
        files.put(&image, Bytes::from(photo.image)).await?;
        files.put(&thumbnail, Bytes::from(photo.thumbnail)).await
    }
    .await;
    if let Err(e) = stored {
        remove(files, tenant, id).await;
        return Err(AppError::internal(e));
    }
    Ok(id)
}

/// Removes a photo's files (best effort: a leftover file is only wasted space).
pub(crate) async fn remove(files: &FileStore, tenant: TenantId, photo: Uuid) {
    for key in keys(tenant, photo) {
        files.remove(&key).await;
    }
}

/// Tidies the files after a change that may have stored a `new` photo: when the
/// change committed, the files of the photo it replaced go; when it did not, the
/// new photo's files go (nothing refers to them).
pub(crate) async fn settle(
    files: &FileStore,
    tenant: TenantId,
    committed: bool,
    new: Option<Uuid>,
    previous: Option<Uuid>,
) {
    let unused = if committed {
        previous.filter(|p| Some(*p) != new)
    } else {
        new
    };
    if let Some(photo) = unused {
        remove(files, tenant, photo).await;
    }
}

/// The JPEG bytes of a stored photo or its thumbnail; 404 when the file is gone.
pub(crate) async fn read(
    files: &FileStore,
    tenant: TenantId,
    photo: Uuid,
    thumbnail: bool,
) -> Result<Bytes, AppError> {
    let [image, thumb] = keys(tenant, photo);
    match files.get(if thumbnail { &thumb } else { &image }).await {
        Ok(bytes) => Ok(bytes),
        Err(FileError::NotFound) => Err(AppError::NotFound),
        Err(e) => Err(AppError::internal(e)),
    }
}

/// A JPEG response.
pub(crate) fn jpeg(bytes: Bytes) -> Response {
    Response::builder().content_type("image/jpeg").body(bytes)
}

async fn serve(
    ui: &Ui,
    staff: &SignedInStaff,
    id: &str,
    thumbnail: bool,
) -> Result<Response, AppError> {
    staff.require(Area::Contacts, Action::Read).await?;
    let id: ContactId = id.trim().parse().map_err(|_| AppError::NotFound)?;
    let mut tx = ui.state.db.tenant_tx(&staff.tenant.0).await?;
    let contact = tx.contacts().find(id).await?.ok_or(AppError::NotFound)?;
    tx.commit().await?;
    let photo = contact.photo_id.ok_or(AppError::NotFound)?;
    let bytes = read(&ui.state.files, staff.tenant.0.id(), photo, thumbnail).await?;
    Ok(jpeg(bytes))
}

/// `GET /admin/contacts/{id}/photo`: the stored photo.
#[handler]
pub(crate) async fn photo_image(
    ui: Ui,
    staff: SignedInStaff,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    serve(&ui, &staff, &id, false).await
}

/// `GET /admin/contacts/{id}/photo/thumbnail`: its square thumbnail.
#[handler]
pub(crate) async fn photo_thumbnail(
    ui: Ui,
    staff: SignedInStaff,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    serve(&ui, &staff, &id, true).await
}
