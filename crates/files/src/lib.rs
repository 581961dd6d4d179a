//! Files: the tenant-scoped file store (a local directory by default, an object
//! store in production) and the checks and re-encoding every uploaded image gets.

mod logo;
mod photo;
mod store;

pub use logo::{MAX_LOGO_BYTES, process_logo};
pub use photo::{
    MAX_PHOTO_BYTES, PHOTO_PEAK_BYTES, Photo, PhotoError, THUMBNAIL_SIDE, process_photo,
};
pub use store::{FileError, FileKey, FileStore};
