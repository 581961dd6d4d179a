//! The customer portal's API for documents, mirroring the Documents area:
//! the same scope and branch narrowing, the same SQL. A version's file is
//! answered as raw bytes; the version's `content_type` says what they are.

use bytes::Bytes;
use poem_openapi::{
    ApiResponse, OpenApi,
    param::{Path, Query},
    payload::{Binary, Json},
};
use portico_domain::Permission;
use portico_portal::PortalSession;
use portico_web::{
    AppError,
    documents_json::{DocumentJson, DocumentPage, DocumentSummary},
    download,
    problem::ApiError,
};
use uuid::Uuid;

use crate::api::{cursor, default_limit, more, scope};

type Result<T> = std::result::Result<T, ApiError>;

/// A version's file.
#[derive(ApiResponse)]
pub(crate) enum FileOut {
    /// The bytes of the version.
    #[oai(status = 200, content_type = "application/octet-stream")]
    File(Binary<Bytes>, #[oai(header = "Content-Disposition")] String),
}

/// The documents the company shares with the customer.
pub struct DocumentsApi;

#[OpenApi]
impl DocumentsApi {
    /// The documents the contact sees, newest first.
    #[oai(path = "/documents", method = "get", operation_id = "documents")]
    async fn documents(
        &self,
        session: PortalSession,
        account: Query<Option<String>>,
        branch: Query<Option<Uuid>>,
        #[oai(validator(pattern = r"^00[0-4][0-9a-f]{37}$"))] after: Query<Option<String>>,
        #[oai(
            default = "default_limit",
            validator(minimum(value = "1"), maximum(value = "200"))
        )]
        limit: Query<u64>,
    ) -> Result<Json<DocumentPage>> {
        let mut session = session;
        let (scope, _) = scope(
            &mut session,
            account.0.as_deref(),
            branch.0,
            Permission::DocumentsView,
        )
        .await?;
        let after = cursor(after.0.as_deref())?;
        let mut tx = session.tx().await?;
        let mut rows = tx
            .documents()
            .portal_page(&scope, after.as_ref(), limit.0 + 1)
            .await?;
        tx.commit().await?;
        let next = more(&mut rows, limit.0).map(|r| r.cursor().encode());
        Ok(Json(DocumentPage {
            items: rows.iter().map(DocumentSummary::from).collect(),
            next,
        }))
    }

    /// One document the contact sees, with its versions.
    #[oai(path = "/documents/:id", method = "get", operation_id = "document")]
    async fn document(
        &self,
        session: PortalSession,
        id: Path<Uuid>,
        account: Query<Option<String>>,
    ) -> Result<Json<DocumentJson>> {
        let mut session = session;
        let (scope, _) = scope(
            &mut session,
            account.0.as_deref(),
            None,
            Permission::DocumentsView,
        )
        .await?;
        let mut tx = session.tx().await?;
        let detail = tx.documents().portal_detail(&scope, id.0).await?;
        tx.commit().await?;
        let detail = detail.ok_or(AppError::NotFound)?;
        Ok(Json(DocumentJson::from(&detail)))
    }

    /// A version's file.
    #[oai(
        path = "/documents/:id/versions/:version/file",
        method = "get",
        operation_id = "document_file"
    )]
    async fn document_file(
        &self,
        session: PortalSession,
        id: Path<Uuid>,
        version: Path<i32>,
        account: Query<Option<String>>,
    ) -> Result<FileOut> {
        let mut session = session;
        let (scope, _) = scope(
            &mut session,
            account.0.as_deref(),
            None,
            Permission::DocumentsView,
        )
        .await?;
        let mut tx = session.tx().await?;
        let detail = tx.documents().portal_detail(&scope, id.0).await?;
        tx.commit().await?;
        let detail = detail.ok_or(AppError::NotFound)?;
        let version = detail.version(version.0).ok_or(AppError::NotFound)?;
        let bytes =
            download::document_bytes(&session.state, scope.tenant().as_uuid(), version.file_id)
                .await?;
        Ok(FileOut::File(
            Binary(bytes),
            download::disposition_of("attachment", &version.file_name),
        ))
    }
}
