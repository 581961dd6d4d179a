//! The one RFC 9457 problem type every JSON answer of an error takes (the admin
//! API, the portal API and any JSON client of a page), and the error type API
//! operations return so that poem-openapi documents it.

use poem_openapi::{
    ApiResponse, Object,
    registry::{MetaMediaType, MetaResponse, MetaResponses, Registry},
    types::Type,
};
use serde::Serialize;

use crate::AppError;

/// RFC 9457 problem details, as every error is answered.
#[derive(Debug, Object, Serialize)]
pub struct Problem {
    /// A URI naming the kind of problem, e.g. `https://portico.dev/problems/not-found`.
    #[oai(rename = "type")]
    #[serde(rename = "type")]
    pub kind: String,
    /// The kind of problem, in the caller's language (Accept-Language).
    pub title: String,
    pub status: u16,
    /// What went wrong this time, in the caller's language.
    pub detail: String,
    /// The request's path.
    pub instance: String,
    /// The reference the logs keep this request under.
    #[oai(nullable)]
    pub request_id: Option<String>,
    /// 409 and 422: each field's problem.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<FieldProblem>>,
    /// 409 when the record's state refuses the request: a stable code of why
    /// (e.g. `orders-refused-limit`, `orders-not-open`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// 409 on adding a contact: the contact that already has the email.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub existing_contact_id: Option<uuid::Uuid>,
}

/// One field's problem in a 409 or 422 answer.
#[derive(Debug, Object, Serialize)]
pub struct FieldProblem {
    pub field: String,
    /// A stable code, e.g. `field-email-invalid`.
    pub code: String,
    /// The message in the caller's language (Accept-Language).
    pub message: String,
}

/// An error of an API operation, answered as RFC 9457 problem JSON by the site's
/// error middleware ([`crate::error::ErrorPages`]).
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(error: AppError) -> Self {
        ApiError(error)
    }
}

impl From<portico_data::DataError> for ApiError {
    fn from(error: portico_data::DataError) -> Self {
        ApiError(error.into())
    }
}

impl From<ApiError> for poem::Error {
    fn from(error: ApiError) -> Self {
        error.0.into()
    }
}

impl ApiResponse for ApiError {
    fn meta() -> MetaResponses {
        let problem = |status, description| MetaResponse {
            description,
            status: Some(status),
            status_range: None,
            content: vec![MetaMediaType {
                content_type: "application/problem+json",
                schema: Problem::schema_ref(),
            }],
            headers: vec![],
        };
        MetaResponses {
            responses: vec![
                problem(400, "The request is malformed."),
                problem(401, "No valid API key or session."),
                problem(403, "The caller may not do this."),
                problem(404, "No such record for this caller."),
                problem(
                    405,
                    "The path does not take this method; `Allow` lists those it takes.",
                ),
                problem(
                    409,
                    "A value is already taken (`errors` names the field); on adding a \
                     contact, the contact that has the email (`existing_contact_id`).",
                ),
                problem(
                    413,
                    "The body is over the limit (JSON: 1 MiB; a bulk upsert: 16 MiB; an upload: 20 MiB).",
                ),
                problem(415, "The body is not of a media type the operation takes."),
                problem(422, "Some fields are invalid (`errors`)."),
                problem(
                    503,
                    "The service is busy; retry after the `Retry-After` seconds.",
                ),
            ],
        }
    }

    fn register(registry: &mut Registry) {
        Problem::register(registry);
    }
}
