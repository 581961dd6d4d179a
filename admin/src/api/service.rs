//! `/api/v1/service-requests`: customers' service requests for programs — a
//! help-desk tool opens them for a customer, reads them with their threads,
//! answers, sends files and moves them between states, through the same
//! commands as the pages.

use bytes::Bytes;
use poem_openapi::{
    ApiResponse, Object, OpenApi,
    param::{Path, Query},
    payload::{Binary, Json},
};
use portico_authz::{Action, Area};
use portico_domain::service::{CommentInput, Priority, RequestInput, RequestStatus};
use portico_files::FileKey;
use portico_web::{
    AppError,
    download::{self, FileOut},
    service_json::{PriorityJson, RequestJson, RequestPage, RequestStatusJson, RequestSummary},
    text::Text,
};
use uuid::Uuid;

use super::{
    ApiTags, Result,
    auth::Auth,
    sales::{cursor, more},
};
use crate::commands::{Issuer, service};

/// An entry of the company's in a request's thread: an answer, a change of
/// state, or both.
#[derive(Debug, Clone, Object)]
pub(crate) struct AnswerBody {
    #[oai(nullable)]
    pub body: Option<Text>,
    /// The state the request moves to; absent: unchanged.
    #[oai(nullable)]
    pub status: Option<RequestStatusJson>,
}

/// A request opened for a customer.
#[derive(Debug, Clone, Object)]
pub(crate) struct OpenBody {
    pub customer_id: Uuid,
    pub subject: Text,
    pub description: Text,
    /// `normal` when absent.
    #[oai(nullable)]
    pub priority: Option<PriorityJson>,
    /// One of the customer's branches; absent or `null`: the customer itself.
    #[oai(nullable)]
    pub branch_id: Option<Uuid>,
}

/// A request opened.
#[derive(ApiResponse)]
pub(crate) enum Opened {
    #[oai(status = 201)]
    Created(Json<RequestJson>),
}

/// Customers' service requests.
pub(crate) struct ServiceApi;

async fn one(auth: &Auth, id: Uuid) -> Result<Json<RequestJson>> {
    let caller = auth.caller();
    caller.require(Area::Sales, Action::Read).await?;
    let mut tx = caller.tx().await?;
    let detail = tx
        .service_requests()
        .detail(id)
        .await?
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(Json(RequestJson::from(&detail)))
}

#[OpenApi(tag = "ApiTags::Service")]
impl ServiceApi {
    /// Lists requests, newest first: the open ones (neither resolved nor
    /// closed), or all with `all=true`.
    #[oai(path = "/service-requests", method = "get")]
    async fn list_service_requests(
        &self,
        auth: Auth,
        /// Only this customer's.
        customer_id: Query<Option<Uuid>>,
        /// Resolved and closed ones too.
        #[oai(default)]
        all: Query<bool>,
        /// The `next` value of the previous page.
        #[oai(validator(pattern = r"^00[0-4][0-9a-f]{37}$"))]
        after: Query<Option<String>>,
        /// Rows per page, 1 to 200 (50 by default); any other number is a 400.
        #[oai(
            default = "super::default_limit",
            validator(minimum(value = "1"), maximum(value = "200"))
        )]
        limit: Query<u64>,
    ) -> Result<Json<RequestPage>> {
        let caller = auth.caller();
        caller.require(Area::Sales, Action::Read).await?;
        let after = cursor(after.0.as_deref())?;
        let mut tx = caller.tx().await?;
        let mut rows = tx
            .service_requests()
            .list(
                customer_id.0.map(Into::into),
                !all.0,
                after.as_ref(),
                limit.0 + 1,
            )
            .await?;
        tx.commit().await?;
        let next = more(&mut rows, limit.0).map(|r| r.cursor().encode());
        Ok(Json(RequestPage {
            items: rows.iter().map(RequestSummary::from).collect(),
            next,
        }))
    }

    /// Opens a request for a customer (a help desk taking a call, an ERP):
    /// its customer sees it in the portal as any other. Files follow with
    /// `POST …/files`; 422 naming each bad field (`account` for an id that is
    /// not one of the company's customers).
    #[oai(path = "/service-requests", method = "post")]
    async fn open_service_request(&self, auth: Auth, body: Json<OpenBody>) -> Result<Opened> {
        let input = RequestInput {
            subject: body.0.subject.0.clone(),
            description: body.0.description.0.clone(),
            priority: body
                .0
                .priority
                .map(|p| Priority::from(p).as_str().to_owned())
                .unwrap_or_default(),
            branch: body.0.branch_id,
        };
        let row = service::open(
            &Issuer::api(auth.caller()),
            Some(body.0.customer_id.into()),
            &input,
            &[],
        )
        .await?;
        let Json(json) = one(&auth, row.id).await?;
        Ok(Opened::Created(Json(json)))
    }

    /// Reads a request with its thread and files.
    #[oai(path = "/service-requests/:id", method = "get")]
    async fn get_service_request(&self, auth: Auth, id: Path<Uuid>) -> Result<Json<RequestJson>> {
        one(&auth, id.0).await
    }

    /// Answers in a request's thread and/or moves it to another state (the
    /// company's first entry is its first answer). 422 when neither is given.
    #[oai(path = "/service-requests/:id/comments", method = "post")]
    async fn answer_service_request(
        &self,
        auth: Auth,
        id: Path<Uuid>,
        body: Json<AnswerBody>,
    ) -> Result<Json<RequestJson>> {
        let input = CommentInput {
            body: body.0.body.map(|b| b.0).unwrap_or_default(),
            status: body
                .0
                .status
                .map(|s| RequestStatus::from(s).as_str().to_owned())
                .unwrap_or_default(),
        };
        service::answer(&Issuer::api(auth.caller()), id.0, &input, &[]).await?;
        one(&auth, id.0).await
    }

    /// Sends a file to a request's thread: the file itself as the body (at
    /// most 20 MiB; the types of shared documents). 422 with `errors` on
    /// `files` for an empty or unaccepted file.
    #[oai(path = "/service-requests/:id/files", method = "post")]
    async fn send_service_request_file(
        &self,
        auth: Auth,
        id: Path<Uuid>,
        /// The file's name; `document` when absent.
        #[oai(validator(max_length = 200))]
        file_name: Query<Option<String>>,
        body: Binary<Bytes>,
    ) -> Result<Json<RequestJson>> {
        let name = file_name.0.as_deref().unwrap_or("document");
        service::answer(
            &Issuer::api(auth.caller()),
            id.0,
            &CommentInput::default(),
            &[(name, body.0)],
        )
        .await?;
        one(&auth, id.0).await
    }

    /// Downloads a file of a request.
    #[oai(path = "/service-requests/:id/files/:file_id", method = "get")]
    async fn service_request_file(
        &self,
        auth: Auth,
        id: Path<Uuid>,
        file_id: Path<Uuid>,
    ) -> Result<FileOut> {
        let caller = auth.caller();
        caller.require(Area::Sales, Action::Read).await?;
        let mut tx = caller.tx().await?;
        let found = tx.service_requests().attachment(id.0, file_id.0).await?;
        tx.commit().await?;
        let found = found.ok_or(AppError::NotFound)?;
        let key = FileKey::attachment(caller.tenant.id().as_uuid(), found.file_id);
        let bytes = download::stored(&caller.state, &key).await?;
        Ok(FileOut::named(bytes, &found.file_name))
    }
}
