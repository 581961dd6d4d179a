//! What a shared document is made of: its type, its title and reference as
//! staff or an ERP send them, and each version's file — a name safe to hand
//! back in a download, a type recognised from the bytes themselves, and a size
//! within the upload limit.

use crate::fields::{Checker, FieldErrors, limits};

/// The largest file a document version may hold.
pub const MAX_FILE: usize = 20 * 1024 * 1024;

/// What a document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    Contract,
    Certificate,
    PriceList,
    Catalogue,
    TechnicalSheet,
    Policy,
    Other,
}

impl DocumentKind {
    pub const ALL: [DocumentKind; 7] = [
        DocumentKind::Contract,
        DocumentKind::Certificate,
        DocumentKind::PriceList,
        DocumentKind::Catalogue,
        DocumentKind::TechnicalSheet,
        DocumentKind::Policy,
        DocumentKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DocumentKind::Contract => "contract",
            DocumentKind::Certificate => "certificate",
            DocumentKind::PriceList => "price_list",
            DocumentKind::Catalogue => "catalogue",
            DocumentKind::TechnicalSheet => "technical_sheet",
            DocumentKind::Policy => "policy",
            DocumentKind::Other => "other",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == raw)
    }
}

/// A document's description as a form or the API sends it.
#[derive(Debug, Clone, Default)]
pub struct DocumentInput {
    pub title: String,
    pub kind: String,
    /// The branch it belongs to, or the account itself.
    pub branch: Option<uuid::Uuid>,
    /// The ERP's reference, unique in the company.
    pub external_ref: Option<String>,
}

/// A checked document description.
#[derive(Debug, Clone, PartialEq)]
pub struct DocumentFields {
    pub title: String,
    pub kind: DocumentKind,
    pub branch: Option<uuid::Uuid>,
    pub external_ref: Option<String>,
}

impl DocumentInput {
    pub fn validate(&self) -> Result<DocumentFields, FieldErrors> {
        let mut check = Checker::default();
        let title = check.required("title", &self.title, limits::TEXT);
        let kind = DocumentKind::parse(self.kind.trim());
        if kind.is_none() {
            check.errors.add("kind", "field-choice-invalid");
        }
        let external_ref = self
            .external_ref
            .as_deref()
            .and_then(|r| check.text("external_ref", r, limits::SHORT));
        check.errors.finish(DocumentFields {
            title,
            kind: kind.unwrap_or(DocumentKind::Other),
            branch: self.branch,
            external_ref,
        })
    }
}

/// The file types a document version may be, recognised by their first bytes
/// (a name's extension alone proves nothing), with the extension each is saved
/// under.
const TYPES: &[(&str, &str, &[u8])] = &[
    ("application/pdf", "pdf", b"%PDF-"),
    ("image/png", "png", b"\x89PNG\r\n\x1a\n"),
    ("image/jpeg", "jpg", b"\xff\xd8\xff"),
];

/// Office documents are zip files: recognised by their container and named
/// by their extension.
const ZIPPED: &[(&str, &str)] = &[
    (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "docx",
    ),
    (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "xlsx",
    ),
    (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "pptx",
    ),
    ("application/vnd.oasis.opendocument.text", "odt"),
    ("application/vnd.oasis.opendocument.spreadsheet", "ods"),
    ("application/zip", "zip"),
];

/// Plain text types, accepted when the bytes are UTF-8 without control
/// characters other than tabs and line breaks.
const TEXTUAL: &[(&str, &str)] = &[("text/csv", "csv"), ("text/plain", "txt")];

/// The file types a document accepts, as a file input's `accept` list.
pub const ACCEPT: &str = ".pdf,.png,.jpg,.jpeg,.docx,.xlsx,.pptx,.odt,.ods,.zip,.csv,.txt";

/// A checked version file: its cleaned name and recognised type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileFields {
    pub file_name: String,
    pub content_type: &'static str,
}

/// Checks an uploaded file: not empty, within [`MAX_FILE`], of a type the
/// bytes prove (see [`ACCEPT`]); its name cleaned for a download (errors on
/// `field`).
pub fn check_file(
    field: &'static str,
    file_name: &str,
    bytes: &[u8],
) -> Result<FileFields, FieldErrors> {
    let mut errors = FieldErrors::default();
    if bytes.is_empty() {
        errors.add(field, "document-file-empty");
        return Err(errors);
    }
    if bytes.len() > MAX_FILE {
        errors.add(field, "document-file-too-large");
        return Err(errors);
    }
    let name = clean_name(file_name);
    let extension = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    let Some((content_type, saved_as)) = recognise(bytes, &extension) else {
        errors.add(field, "document-file-type");
        return Err(errors);
    };
    // The name keeps the user's stem but the extension of what it is.
    let stem = name
        .rsplit_once('.')
        .map(|(s, _)| s)
        .filter(|s| !s.is_empty())
        .unwrap_or(&name);
    let stem = if stem.is_empty() { "document" } else { stem };
    Ok(FileFields {
        file_name: format!("{stem}.{saved_as}"),
        content_type,
    })
}

/// The type the bytes are, given the extension the name claims.
fn recognise(bytes: &[u8], extension: &str) -> Option<(&'static str, &'static str)> {
    if let Some((t, e, _)) = TYPES.iter().find(|(_, _, magic)| bytes.starts_with(magic)) {
        return Some((t, e));
    }
    if bytes.starts_with(b"PK\x03\x04") {
        let claimed = if extension == "jpeg" {
            "jpg"
        } else {
            extension
        };
        return ZIPPED
            .iter()
            .find(|(_, e)| *e == claimed)
            .or_else(|| ZIPPED.iter().find(|(_, e)| *e == "zip"))
            .map(|(t, e)| (*t, *e));
    }
    let text = std::str::from_utf8(bytes).ok()?;
    if text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
    {
        return None;
    }
    TEXTUAL
        .iter()
        .find(|(_, e)| *e == extension)
        .or_else(|| TEXTUAL.iter().find(|(_, e)| *e == "txt"))
        .map(|(t, e)| (*t, *e))
}

/// A file name safe to show and to send back in `Content-Disposition`: the
/// last path segment, without control characters or quotes, at most 100
/// characters, never empty.
pub fn clean_name(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | ';'))
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').trim();
    let mut name: String = cleaned.chars().rev().take(limits::NAME).collect();
    name = name.chars().rev().collect();
    if name.is_empty() {
        "document".to_owned()
    } else {
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_what_its_bytes_are_whatever_its_name_says() {
        let pdf = check_file("file", "Contrato 2026.PDF", b"%PDF-1.7 ...").unwrap();
        assert_eq!(pdf.content_type, "application/pdf");
        assert_eq!(pdf.file_name, "Contrato 2026.pdf");
        let renamed = check_file("file", "foto.pdf", b"\x89PNG\r\n\x1a\n....").unwrap();
        assert_eq!(renamed.content_type, "image/png");
        assert_eq!(renamed.file_name, "foto.png");
        let csv = check_file("file", "precios.csv", "código;precio\nA;1\n".as_bytes()).unwrap();
        assert_eq!(csv.content_type, "text/csv");
        let sheet = check_file("file", "lista.xlsx", b"PK\x03\x04rest").unwrap();
        assert_eq!(sheet.file_name, "lista.xlsx");
        let zip = check_file("file", "lista.exe", b"PK\x03\x04rest").unwrap();
        assert_eq!(zip.content_type, "application/zip");
        assert_eq!(zip.file_name, "lista.zip");
    }

    #[test]
    fn empty_binary_and_oversized_files_are_refused_on_their_field() {
        let error = |r: Result<FileFields, FieldErrors>| r.unwrap_err().get("file");
        assert_eq!(
            error(check_file("file", "a.pdf", b"")),
            Some("document-file-empty")
        );
        assert_eq!(
            error(check_file("file", "a.exe", b"MZ\x90\x00\x03")),
            Some("document-file-type")
        );
        let big = vec![b'a'; MAX_FILE + 1];
        assert_eq!(
            error(check_file("file", "a.txt", &big)),
            Some("document-file-too-large")
        );
    }

    #[test]
    fn names_lose_paths_quotes_and_control_characters() {
        assert_eq!(clean_name("C:\\Users\\ana\\x\"y;.pdf"), "xy.pdf");
        assert_eq!(clean_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_name("\u{0}"), "document");
        assert_eq!(clean_name(".hidden"), "hidden");
    }

    #[test]
    fn a_description_needs_a_title_and_a_known_type() {
        let errors = DocumentInput {
            title: " ".into(),
            kind: "poem".into(),
            ..Default::default()
        }
        .validate()
        .unwrap_err();
        assert_eq!(errors.get("title"), Some("field-required"));
        assert_eq!(errors.get("kind"), Some("field-choice-invalid"));
        let ok = DocumentInput {
            title: "Contrato marco".into(),
            kind: "contract".into(),
            external_ref: Some(" ERP-1 ".into()),
            ..Default::default()
        }
        .validate()
        .unwrap();
        assert_eq!(ok.kind, DocumentKind::Contract);
        assert_eq!(ok.external_ref.as_deref(), Some("ERP-1"));
    }
}
