//! The customer portal's API for service requests, mirroring the Service
//! requests area: the same scope and branch narrowing, the same commands
//! (`requesting`). A file is sent as the raw body of its own call and
//! becomes an entry of the thread; a closed request answers 409
//! `service-closed`.

use bytes::Bytes;
use poem_openapi::{
    ApiResponse, Object, OpenApi,
    param::{Path, Query},
    payload::{Binary, Json},
};
use portico_domain::{Permission, service::RequestInput};
use portico_files::FileKey;
use portico_portal::{PortalSession, SignedInContact};
use portico_web::{
    AppError,
    download::{self, FileOut},
    problem::ApiError,
    service_json::{PriorityJson, RequestJson, RequestPage, RequestSummary},
    text::Text,
};
use uuid::Uuid;

use crate::api::{cursor, default_limit, more, scope};
use crate::requesting;

type Result<T> = std::result::Result<T, ApiError>;

/// A request to open.
#[derive(Debug, Clone, Object)]
pub(crate) struct RequestBody {
    pub subject: Text,
    pub description: Text,
    /// `normal` when absent.
    #[oai(nullable)]
    pub priority: Option<PriorityJson>,
    /// One of the branches the contact sees; absent or `null`: the account.
    #[oai(nullable)]
    pub branch_id: Option<Uuid>,
}

/// An answer in a request's thread.
#[derive(Debug, Clone, Object)]
pub(crate) struct CommentBody {
    pub body: Text,
}

/// A request opened.
#[derive(ApiResponse)]
pub(crate) enum Opened {
    #[oai(status = 201)]
    Created(Json<RequestJson>),
}

/// The contact acting for the account asked for, whatever it may do there
/// (the commands check the grant after finding the request).
fn acting(
    mut session: PortalSession,
    account: Option<&str>,
) -> std::result::Result<SignedInContact, AppError> {
    let scope = session
        .resolve(account, false)?
        .ok_or(AppError::BadRequest("customer-api-account-required"))?;
    Ok(SignedInContact { session, scope })
}

async fn read(me: &SignedInContact, id: Uuid) -> Result<Json<RequestJson>> {
    let mut session_tx = me.session.tx().await?;
    let detail = session_tx
        .service_requests()
        .portal_detail(&me.scope, id)
        .await?;
    session_tx.commit().await?;
    let detail = detail.ok_or(AppError::NotFound)?;
    Ok(Json(RequestJson::from(&detail)))
}

/// The service requests the company's customer opens.
pub struct ServiceApi;

#[OpenApi]
impl ServiceApi {
    /// The requests the contact sees, newest first.
    #[oai(
        path = "/service-requests",
        method = "get",
        operation_id = "service_requests"
    )]
    async fn list(
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
    ) -> Result<Json<RequestPage>> {
        let mut session = session;
        let (scope, _) = scope(
            &mut session,
            account.0.as_deref(),
            branch.0,
            Permission::ServiceRequestsView,
        )
        .await?;
        let after = cursor(after.0.as_deref())?;
        let mut tx = session.tx().await?;
        let mut rows = tx
            .service_requests()
            .portal_page(&scope, after.as_ref(), limit.0 + 1)
            .await?;
        tx.commit().await?;
        let next = more(&mut rows, limit.0).map(|r| r.cursor().encode());
        Ok(Json(RequestPage {
            items: rows.iter().map(RequestSummary::from).collect(),
            next,
        }))
    }

    /// Opens a request (files follow with `POST …/files`).
    #[oai(
        path = "/service-requests",
        method = "post",
        operation_id = "open_service_request"
    )]
    async fn open(
        &self,
        session: PortalSession,
        account: Query<Option<String>>,
        body: Json<RequestBody>,
    ) -> Result<Opened> {
        let me = acting(session, account.0.as_deref())?;
        let input = RequestInput {
            subject: body.0.subject.0.clone(),
            description: body.0.description.0.clone(),
            priority: body
                .0
                .priority
                .map(|p| {
                    portico_domain::service::Priority::from(p)
                        .as_str()
                        .to_owned()
                })
                .unwrap_or_default(),
            branch: body.0.branch_id,
        };
        let row = requesting::open(&me, &input, &[]).await?;
        let Json(json) = read(&me, row.id).await?;
        Ok(Opened::Created(Json(json)))
    }

    /// One request the contact sees, with its thread and files.
    #[oai(
        path = "/service-requests/:id",
        method = "get",
        operation_id = "service_request"
    )]
    async fn one(
        &self,
        session: PortalSession,
        id: Path<Uuid>,
        account: Query<Option<String>>,
    ) -> Result<Json<RequestJson>> {
        let mut session = session;
        let (scope, _) = scope(
            &mut session,
            account.0.as_deref(),
            None,
            Permission::ServiceRequestsView,
        )
        .await?;
        read(&SignedInContact { session, scope }, id.0).await
    }

    /// Writes in a request's thread.
    #[oai(
        path = "/service-requests/:id/comments",
        method = "post",
        operation_id = "comment_service_request"
    )]
    async fn comment(
        &self,
        session: PortalSession,
        id: Path<Uuid>,
        account: Query<Option<String>>,
        body: Json<CommentBody>,
    ) -> Result<Json<RequestJson>> {
        let me = acting(session, account.0.as_deref())?;
        requesting::comment(&me, id.0, &body.0.body.0, &[]).await?;
        read(&me, id.0).await
    }

    /// Sends a file to a request's thread: the file itself as the body (at
    /// most 20 MiB; the types of shared documents).
    #[oai(
        path = "/service-requests/:id/files",
        method = "post",
        operation_id = "send_service_request_file"
    )]
    async fn send_file(
        &self,
        session: PortalSession,
        id: Path<Uuid>,
        account: Query<Option<String>>,
        /// The file's name; `document` when absent.
        #[oai(validator(max_length = 200))]
        file_name: Query<Option<String>>,
        body: Binary<Bytes>,
    ) -> Result<Json<RequestJson>> {
        let me = acting(session, account.0.as_deref())?;
        let name = file_name.0.as_deref().unwrap_or("document");
        requesting::comment(&me, id.0, "", &[(name, body.0)]).await?;
        read(&me, id.0).await
    }

    /// A file of a request.
    #[oai(
        path = "/service-requests/:id/files/:file_id",
        method = "get",
        operation_id = "service_request_file"
    )]
    async fn file(
        &self,
        session: PortalSession,
        id: Path<Uuid>,
        file_id: Path<Uuid>,
        account: Query<Option<String>>,
    ) -> Result<FileOut> {
        let mut session = session;
        let (scope, _) = scope(
            &mut session,
            account.0.as_deref(),
            None,
            Permission::ServiceRequestsView,
        )
        .await?;
        let mut tx = session.tx().await?;
        let found = tx
            .service_requests()
            .portal_attachment(&scope, id.0, file_id.0)
            .await?;
        tx.commit().await?;
        let found = found.ok_or(AppError::NotFound)?;
        let key = FileKey::attachment(scope.tenant().as_uuid(), found.file_id);
        let bytes = download::stored(&session.state, &key).await?;
        Ok(FileOut::named(bytes, &found.file_name))
    }
}
