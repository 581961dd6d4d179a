//! Forms that may carry files: a `multipart/form-data` body (or a plain
//! urlencoded one) read into the typed form plus the files it uploaded.

use bytes::Bytes;
use poem::{
    FromRequest, Request, RequestBody,
    web::{Form, Multipart},
};
use serde::de::DeserializeOwned;

use crate::AppError;

fn bad<E>(_: E) -> AppError {
    AppError::BadRequest("error-bad-request-detail")
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

/// A form with its files. The body size was already bounded by the CSRF guard
/// (`site::MAX_UPLOAD`); each handler checks its own files' limits.
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
        let mut parts = Multipart::from_request(req, body).await.map_err(bad)?;
        let mut pairs: Vec<(String, String)> = Vec::new();
        let mut files = Vec::new();
        while let Some(part) = parts.next_field().await.map_err(bad)? {
            let field = part.name().unwrap_or_default().to_owned();
            match part.file_name().map(str::to_owned) {
                Some(file_name) => {
                    let bytes = Bytes::from(part.bytes().await.map_err(bad)?);
                    if !(bytes.is_empty() && file_name.is_empty()) {
                        files.push(Upload {
                            field,
                            file_name,
                            bytes,
                        });
                    }
                }
                None => {
                    let value = part.text().await.map_err(bad)?;
                    pairs.push((field, value));
                }
            }
        }
        let encoded = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        let form = serde_urlencoded::from_str(&encoded).map_err(bad)?;
        Ok(Self { form, files })
    }
}
