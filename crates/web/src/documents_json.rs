//! The JSON shapes of shared documents and their versions, answered alike by
//! the admin API and the customer portal's API. A version's file is fetched
//! from `…/documents/{id}/versions/{version}/file`.

use chrono::{DateTime, Utc};
use poem_openapi::{Enum, Object};
use portico_data::{DocumentDetail, DocumentRow, DocumentVersion};
use portico_domain::documents::DocumentKind;
use uuid::Uuid;

use crate::date::Date;

/// What a document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum DocumentKindJson {
    Contract,
    Certificate,
    PriceList,
    Catalogue,
    TechnicalSheet,
    Policy,
    Other,
}

impl From<DocumentKind> for DocumentKindJson {
    fn from(kind: DocumentKind) -> Self {
        match kind {
            DocumentKind::Contract => Self::Contract,
            DocumentKind::Certificate => Self::Certificate,
            DocumentKind::PriceList => Self::PriceList,
            DocumentKind::Catalogue => Self::Catalogue,
            DocumentKind::TechnicalSheet => Self::TechnicalSheet,
            DocumentKind::Policy => Self::Policy,
            DocumentKind::Other => Self::Other,
        }
    }
}

impl From<DocumentKindJson> for DocumentKind {
    fn from(kind: DocumentKindJson) -> Self {
        match kind {
            DocumentKindJson::Contract => Self::Contract,
            DocumentKindJson::Certificate => Self::Certificate,
            DocumentKindJson::PriceList => Self::PriceList,
            DocumentKindJson::Catalogue => Self::Catalogue,
            DocumentKindJson::TechnicalSheet => Self::TechnicalSheet,
            DocumentKindJson::Policy => Self::Policy,
            DocumentKindJson::Other => Self::Other,
        }
    }
}

/// A document in a list.
#[derive(Debug, Clone, Object)]
pub struct DocumentSummary {
    pub id: Uuid,
    pub customer_id: Uuid,
    /// The branch it belongs to; `null`: the whole customer.
    #[oai(nullable)]
    pub branch_id: Option<Uuid>,
    /// The ERP's reference.
    #[oai(nullable)]
    pub external_ref: Option<String>,
    pub title: String,
    pub kind: DocumentKindJson,
    /// The current version; 0 before the first file (the portal shows a
    /// document once it has one).
    pub version: i32,
    /// The day the current version was published.
    pub published_on: Date,
}

impl From<&DocumentRow> for DocumentSummary {
    fn from(row: &DocumentRow) -> Self {
        Self {
            id: row.id,
            customer_id: row.account_id.as_uuid(),
            branch_id: row.branch_id.map(|b| b.as_uuid()),
            external_ref: row.external_ref.clone(),
            title: row.title.clone(),
            kind: row.kind.into(),
            version: row.version,
            published_on: Date(row.published_on),
        }
    }
}

/// A page of documents, newest first.
#[derive(Debug, Clone, Object)]
pub struct DocumentPage {
    pub items: Vec<DocumentSummary>,
    /// Pass as `after` for the next page; `null` on the last.
    #[oai(nullable)]
    pub next: Option<String>,
}

/// One version of a document.
#[derive(Debug, Clone, Object)]
pub struct VersionJson {
    pub version: i32,
    pub file_name: String,
    /// The file's type, as recognised from its bytes.
    pub content_type: String,
    /// Bytes.
    pub size: i64,
    /// Hex SHA-256 of the file.
    pub sha256: String,
    #[oai(nullable)]
    pub note: Option<String>,
    pub uploaded_at: DateTime<Utc>,
    /// Who uploaded it (a staff member's name, or `API`).
    pub uploaded_by: String,
}

impl From<&DocumentVersion> for VersionJson {
    fn from(v: &DocumentVersion) -> Self {
        Self {
            version: v.version,
            file_name: v.file_name.clone(),
            content_type: v.content_type.clone(),
            size: v.size,
            sha256: v.sha256.clone(),
            note: v.note.clone(),
            uploaded_at: v.uploaded_at,
            uploaded_by: v.uploaded_by.clone(),
        }
    }
}

/// A document with its versions, newest first.
#[derive(Debug, Clone, Object)]
pub struct DocumentJson {
    #[oai(flatten)]
    pub summary: DocumentSummary,
    pub customer_name: String,
    pub versions: Vec<VersionJson>,
}

impl From<&DocumentDetail> for DocumentJson {
    fn from(d: &DocumentDetail) -> Self {
        Self {
            summary: DocumentSummary::from(&d.row),
            customer_name: d.account_name.clone(),
            versions: d.versions.iter().map(VersionJson::from).collect(),
        }
    }
}
