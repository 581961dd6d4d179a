//! The customer portal's API for documents, mirroring the Documents area:
//! the same scope and branch narrowing, the same SQL. A version's file is
//! answered as raw bytes; the version's `content_type` says what they are.

use poem_openapi::{
    OpenApi,
    param::{Path, Query},
    payload::Json,
};
use portico_domain::Permission;
use portico_files::FileKey;
use portico_portal::PortalSession;
use portico_web::{
    AppError,
    documents_json::{DocumentJson, DocumentPage, DocumentSummary},
    download::{self, FileOut},
    problem::ApiError,
};
use uuid::Uuid;

use crate::api::{cursor, default_limit, more, scope};

type Result<T> = std::result::Result<T, ApiError>;

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
        let found = tx
            .documents()
            .portal_version(&scope, id.0, version.0)
            .await?;
        tx.commit().await?;
        let found = found.ok_or(AppError::NotFound)?;
        let key = FileKey::document(scope.tenant().as_uuid(), found.file_id);
        let bytes = download::stored(&session.state, &key).await?;
        Ok(FileOut::named(bytes, &found.file_name))
    }
}
