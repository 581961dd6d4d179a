//! Forms that may carry files: a `multipart/form-data` body (or a plain
//! urlencoded one) read into the typed form plus the files it uploaded.
//!
//! A multipart body is read as it streams in, with memory bounded however
//! large it is: the text fields together up to `site::MAX_BODY`, each file up
//! to `site::MAX_UPLOAD` + 1 bytes (a larger file keeps only that much, so the
//! handler refuses it by size, as its own field's error), at most
//! [`MAX_FILES`] files, and the whole body up to [`MAX_STREAM`] (past it, 413).
//! The CSRF guard reads it once and leaves the result for [`FormWithFiles`].

use bytes::Bytes;
use poem::{
    FromRequest, Request, RequestBody,
    web::{Form, Multipart},
};
use serde::de::DeserializeOwned;
use tokio::io::AsyncReadExt;

use crate::AppError;

/// The most files one form may carry.
pub const MAX_FILES: usize = 4;
/// The most bytes a multipart body may stream, the parts not kept included.
pub const MAX_STREAM: usize = 256 * 1024 * 1024;

fn bad<E>(_: E) -> AppError {
    AppError::BadRequest("error-bad-request-detail")
}

/// A multipart body as read: its text fields and its files.
#[derive(Debug, Clone, Default)]
pub(crate) struct ReadMultipart {
    pub pairs: Vec<(String, String)>,
    pub files: Vec<Upload>,
}

/// Reads a multipart body within the bounds of the module documentation.
pub(crate) async fn read_multipart(
    req: &Request,
    body: &mut RequestBody,
) -> Result<ReadMultipart, AppError> {
    let mut parts = Multipart::from_request(req, body).await.map_err(bad)?;
    let mut read = ReadMultipart::default();
    let (mut text_bytes, mut streamed) = (0_usize, 0_usize);
    let keep = crate::site::MAX_UPLOAD + 1;
    while let Some(part) = parts.next_field().await.map_err(bad)? {
        let field = part.name().unwrap_or_default().to_owned();
        let file_name = part.file_name().map(str::to_owned);
        let is_file = file_name.is_some();
        if is_file && read.files.len() == MAX_FILES {
            return Err(bad(()));
        }
        let mut reader = part.into_async_read();
        let mut kept = Vec::new();
        let mut chunk = vec![0_u8; 64 * 1024];
        loop {
            let n = reader.read(&mut chunk).await.map_err(bad)?;
            if n == 0 {
                break;
            }
            streamed += n;
            if streamed > MAX_STREAM {
                return Err(AppError::TooLarge { limit: MAX_STREAM });
            }
            let room = if is_file {
                keep - kept.len()
            } else {
                crate::site::MAX_BODY
                    .saturating_sub(text_bytes)
                    .saturating_sub(kept.len())
            };
            if !is_file && n > room {
                return Err(bad(()));
            }
            kept.extend_from_slice(&chunk[..n.min(room)]);
        }
        match file_name {
            Some(file_name) => {
                if !(kept.is_empty() && file_name.is_empty()) {
                    read.files.push(Upload {
                        field,
                        file_name,
                        bytes: Bytes::from(kept),
                    });
                }
            }
            None => {
                text_bytes += kept.len();
                read.pairs
                    .push((field, String::from_utf8(kept).map_err(bad)?));
            }
        }
    }
    Ok(read)
}

/// One uploaded file. A file input left empty uploads nothing.
#[derive(Debug, Clone)]
pub struct Upload {
    /// The form field it came in.
    pub field: String,
    /// The name the browser gave it (for messages only; never a path).
    pub file_name: String,
    pub bytes: Bytes,
}

/// A form with its files, read within the module's bounds; each handler
/// checks its own files' limits.
#[derive(Debug)]
pub struct FormWithFiles<T> {
    pub form: T,
    pub files: Vec<Upload>,
}

impl<T> FormWithFiles<T> {
    /// The file uploaded in `field`, if any.
    pub fn file(&self, field: &str) -> Option<&Upload> {
        self.files.iter().find(|f| f.field == field)
    }
}

impl<'a, T: DeserializeOwned> FromRequest<'a> for FormWithFiles<T> {
    async fn from_request(req: &'a Request, body: &mut RequestBody) -> poem::Result<Self> {
        let multipart = req
            .content_type()
            .is_some_and(|ct| ct.starts_with("multipart/form-data"));
        if !multipart {
            let Form(form) = Form::<T>::from_request(req, body).await?;
            return Ok(Self {
                form,
                files: Vec::new(),
            });
        }
        // Read by the CSRF guard already, else here.
        let read = match req.extensions().get::<ReadMultipart>() {
            Some(read) => read.clone(),
            None => read_multipart(req, body).await?,
        };
        let (pairs, files) = (read.pairs, read.files);
        let encoded = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        let form = serde_urlencoded::from_str(&encoded).map_err(bad)?;
        Ok(Self { form, files })
    }
}
