//! Stored files as downloads (a shared document's version, a service
//! request's file): on pages answered with their type and their name (ASCII
//! for old clients, UTF-8 for the rest), inline for what browsers show safely
//! (PDFs, images) and as an attachment otherwise, always sandboxed so an
//! uploaded file can never run as the site; in the APIs as raw bytes.

use bytes::Bytes;
use poem::{IntoResponse, Response, http::header};
use portico_files::{FileError, FileKey};

use crate::{error::AppError, state::AppState};

/// The types a browser may show in place.
const INLINE: [&str; 3] = ["application/pdf", "image/png", "image/jpeg"];

/// A stored file as an API answers it: the bytes as uploaded (the JSON of
/// the version or attachment says what they are), named for saving.
#[derive(poem_openapi::ApiResponse)]
pub enum FileOut {
    /// The bytes as uploaded; the file's `content_type` says what they are.
    #[oai(status = 200, content_type = "application/octet-stream")]
    File(
        poem_openapi::payload::Binary<Bytes>,
        #[oai(header = "Content-Disposition")] String,
    ),
}

impl FileOut {
    /// `bytes` as an attachment named `file_name`.
    pub fn named(bytes: Bytes, file_name: &str) -> Self {
        FileOut::File(
            poem_openapi::payload::Binary(bytes),
            disposition_of("attachment", file_name),
        )
    }
}

/// The bytes stored under `key`; 404 when the file is gone.
pub async fn stored(state: &AppState, key: &FileKey) -> Result<Bytes, AppError> {
    match state.files.get(key).await {
        Ok(bytes) => Ok(bytes),
        Err(FileError::NotFound) => Err(AppError::NotFound),
        Err(e) => Err(AppError::internal(e)),
    }
}

/// A size as people read it: `820 B`, `14.2 KB`, `3.1 MB`.
pub fn size_label(bytes: i64) -> String {
    const KB: i64 = 1024;
    let tenths = |unit: i64| {
        let t = (bytes * 10 + unit / 2) / unit;
        format!("{}.{}", t / 10, t % 10)
    };
    match bytes {
        b if b < KB => format!("{b} B"),
        b if b < KB * KB => format!("{} KB", tenths(KB)),
        _ => format!("{} MB", tenths(KB * KB)),
    }
}

/// `bytes` as a download of `content_type` named `file_name`.
pub fn respond(bytes: Bytes, content_type: &str, file_name: &str) -> Response {
    let disposition = if INLINE.contains(&content_type) {
        "inline"
    } else {
        "attachment"
    };
    Response::builder()
        .content_type(content_type)
        .header(
            header::CONTENT_DISPOSITION,
            disposition_of(disposition, file_name),
        )
        .header(
            header::CONTENT_SECURITY_POLICY,
            "sandbox; default-src 'none'",
        )
        .header(header::X_CONTENT_TYPE_OPTIONS, "nosniff")
        .header(header::CACHE_CONTROL, "private, no-store")
        .body(bytes)
        .into_response()
}

/// A `Content-Disposition` value (`inline` or `attachment`) naming the file
/// `file_name`: ASCII for old clients, UTF-8 for the rest.
pub fn disposition_of(disposition: &str, file_name: &str) -> String {
    format!(
        "{disposition}; filename=\"{}\"; filename*=UTF-8''{}",
        ascii_name(file_name),
        encoded_name(file_name)
    )
}

/// The name with every character but ASCII letters, digits, `-`, `_`, `.`
/// and spaces turned into `_`.
fn ascii_name(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ' ') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The name percent-encoded as RFC 8187 asks (`attr-char` kept).
fn encoded_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for byte in name.bytes() {
        if byte.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(size_label(820), "820 B");
        assert_eq!(size_label(14_541), "14.2 KB");
        assert_eq!(size_label(3_250_586), "3.1 MB");
    }

    #[test]
    fn a_name_cannot_break_its_header_and_keeps_its_accents_for_modern_clients() {
        let response = respond(Bytes::from_static(b"x"), "text/csv", "Lista \"ñ\"\r\n.csv");
        let header = response
            .headers()
            .get(header::CONTENT_DISPOSITION)
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned();
        assert_eq!(
            header,
            "attachment; filename=\"Lista _____.csv\"; filename*=UTF-8''Lista%20%22%C3%B1%22%0D%0A.csv"
        );
        let pdf = respond(Bytes::from_static(b"%PDF-"), "application/pdf", "a.pdf");
        assert!(
            pdf.headers()[header::CONTENT_DISPOSITION]
                .to_str()
                .unwrap()
                .starts_with("inline;")
        );
    }
}
