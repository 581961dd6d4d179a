//! The one error type at the web edge, and the middleware that turns any error into
//! a translated HTML page or RFC 9457 problem JSON ([`crate::problem::Problem`]). 5xx causes are logged, never shown.
//! Inside an app a person is signed in to, the app's [`ErrorLayout`] keeps its
//! navigation around the error.

use std::{future::Future, time::Duration};

use crate::{
    AppState, Lang,
    observe::RequestId,
    problem::{FieldProblem, Problem},
};
use poem::{
    Endpoint, IntoResponse, Middleware, Request, Response,
    error::ResponseError,
    http::{StatusCode, header},
};

/// How long a client should wait before retrying when the database is busy.
const UNAVAILABLE_RETRY: Duration = Duration::from_secs(5);

/// What can go wrong in a request, as users and API clients are told it.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    /// The host names no active tenant.
    #[error("company not found")]
    TenantNotFound,
    #[error("sign-in required")]
    Unauthorized,
    #[error("forbidden")]
    Forbidden,
    /// The form's CSRF token was missing or wrong.
    #[error("the form expired")]
    CsrfRejected,
    #[error("too many attempts")]
    TooManyRequests { retry_after: Duration },
    /// Input that cannot be accepted; the message id says why.
    #[error("bad request: {0}")]
    BadRequest(&'static str),
    /// Submitted values that break field rules; API clients get every field's error.
    #[error("invalid fields")]
    Invalid(portico_domain::FieldErrors),
    /// A contact with the same main email exists; API clients get its id to link it.
    #[error("duplicate contact")]
    Duplicate { existing: uuid::Uuid },
    /// The record's current state does not allow the request (409); the
    /// message id says why.
    #[error("conflict with the current state: {0}")]
    StateConflict(&'static str),
    /// A unique key of the database refused the value of `field` (409).
    #[error("a value of {field} is taken")]
    Conflict { field: String },
    /// The database gave no connection in time, or another bounded resource
    /// no turn (503, retry after `retry_after`).
    #[error("service unavailable")]
    Unavailable {
        retry_after: Duration,
        #[source]
        cause: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The path does not take the request's method (405); `allow` lists the
    /// methods it takes, answered in the `Allow` header.
    #[error("method not allowed")]
    MethodNotAllowed { allow: Vec<poem::http::Method> },
    /// A request body over the route's limit (413); `limit` in bytes.
    #[error("the request body is larger than {limit} bytes")]
    TooLarge { limit: usize },
    /// Anything unexpected; logged with its cause chain, shown as a generic 500.
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl AppError {
    /// Wraps an unexpected failure.
    pub fn internal(error: impl std::error::Error + Send + Sync + 'static) -> Self {
        AppError::Internal(Box::new(error))
    }

    /// The message ids of the title and detail users see.
    fn message_ids(&self) -> (&'static str, &'static str) {
        match self {
            AppError::NotFound => ("error-not-found", "error-not-found-detail"),
            AppError::TenantNotFound => ("error-tenant-not-found", "error-tenant-not-found-detail"),
            AppError::Unauthorized => ("error-unauthorized", "error-unauthorized-detail"),
            AppError::Forbidden => ("error-forbidden", "error-forbidden-detail"),
            AppError::CsrfRejected => ("error-csrf", "error-csrf-detail"),
            AppError::TooManyRequests { .. } => ("error-too-many", "error-too-many-detail"),
            AppError::BadRequest(detail) => ("error-bad-request", detail),
            AppError::Invalid(_) => ("error-invalid", "form-has-errors"),
            AppError::Duplicate { .. } => ("duplicate-title", "duplicate-api-detail"),
            AppError::Conflict { .. } => ("error-conflict", "error-conflict-detail"),
            AppError::StateConflict(detail) => ("error-state", detail),
            AppError::Unavailable { .. } => ("error-unavailable", "error-unavailable-detail"),
            AppError::MethodNotAllowed { .. } => ("error-method", "error-method-detail"),
            AppError::TooLarge { .. } => ("error-too-large", "error-too-large-detail"),
            AppError::Internal(_) => ("error-internal", "error-internal-detail"),
        }
    }
}

impl ResponseError for AppError {
    fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound | AppError::TenantNotFound => StatusCode::NOT_FOUND,
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Forbidden | AppError::CsrfRejected => StatusCode::FORBIDDEN,
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Duplicate { .. } | AppError::Conflict { .. } | AppError::StateConflict(_) => {
                StatusCode::CONFLICT
            }
            AppError::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
            AppError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            AppError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl From<portico_data::DataError> for AppError {
    fn from(error: portico_data::DataError) -> Self {
        match error {
            portico_data::DataError::Invalid(errors) => AppError::Invalid(errors),
            portico_data::DataError::ControlCharacter => {
                AppError::BadRequest("input-control-characters")
            }
            conflict @ portico_data::DataError::Conflict { .. } => AppError::Conflict {
                field: conflict.conflict_field().unwrap_or_default().to_owned(),
            },
            cause @ (portico_data::DataError::Unavailable(_)
            | portico_data::DataError::TenantBusy
            | portico_data::DataError::TimedOut(_)) => AppError::Unavailable {
                retry_after: UNAVAILABLE_RETRY,
                cause: Box::new(cause),
            },
            other => AppError::internal(other),
        }
    }
}

impl From<portico_authz::PolicyError> for AppError {
    fn from(e: portico_authz::PolicyError) -> Self {
        AppError::internal(e)
    }
}

impl From<tera::Error> for AppError {
    fn from(error: tera::Error) -> Self {
        AppError::internal(error)
    }
}

/// Redis out of reach is 503 with the circuit's `Retry-After`; a command Redis
/// understood and refused is a bug (500).
impl From<portico_auth::RedisFailure> for AppError {
    fn from(failure: portico_auth::RedisFailure) -> Self {
        if failure.is_outage() {
            AppError::Unavailable {
                retry_after: failure.retry_after(),
                cause: Box::new(failure),
            }
        } else {
            AppError::internal(failure)
        }
    }
}

/// A throttle that cannot count refuses the sign-in (503), never lets it through.
impl From<portico_auth::ThrottleError> for AppError {
    fn from(error: portico_auth::ThrottleError) -> Self {
        AppError::from(error.0)
    }
}

/// Renders every error leaving the inner endpoint.
pub struct ErrorPages;

impl<E: Endpoint> Middleware<E> for ErrorPages {
    type Output = ErrorPagesEndpoint<E>;

    fn transform(&self, ep: E) -> Self::Output {
        ErrorPagesEndpoint(ep)
    }
}

/// The endpoint built by [`ErrorPages`].
pub struct ErrorPagesEndpoint<E>(E);

impl<E: Endpoint> Endpoint for ErrorPagesEndpoint<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> poem::Result<Response> {
        let lang = Lang::of(&req);
        let wants_json = wants_json(&req);
        let path = req.uri().path().to_owned();
        let request_id = req.extensions().get::<RequestId>().cloned();
        let state = req.data::<AppState>().cloned();
        let error = match self.0.call(req).await {
            Ok(resp) => return Ok(resp.into_response()),
            Err(error) => error,
        };
        let status = error.status();
        if status.is_redirection() {
            return Ok(error.into_response());
        }
        let app_error = error.downcast_ref::<AppError>();
        let (title_id, detail_id) = match app_error {
            Some(app_error) => app_error.message_ids(),
            None => generic_message_ids(status),
        };
        if status.is_server_error() {
            let cause = app_error
                .and_then(|e| std::error::Error::source(e))
                .map(error_chain)
                .unwrap_or_else(|| error.to_string());
            tracing::error!(%status, cause, "request failed");
        }
        let retry_after = match app_error {
            Some(
                AppError::TooManyRequests { retry_after }
                | AppError::Unavailable { retry_after, .. },
            ) => Some(retry_after.as_secs().max(1)),
            _ => None,
        };
        let title = lang.t(title_id);
        let detail = match app_error {
            Some(AppError::Conflict { field }) => {
                lang.t_args(detail_id, &[("field", field.clone().into())])
            }
            Some(AppError::TooLarge { limit }) => {
                let size = format!("{} KiB", limit.div_ceil(1024));
                lang.t_args(detail_id, &[("size", size.into())])
            }
            // A body or parameter that does not match the API's document says
            // where: the reason names the expected type or bound and the value.
            None => {
                use poem_openapi::error::{ParseParamError, ParseRequestPayloadError};
                if let Some(payload) = error.downcast_ref::<ParseRequestPayloadError>() {
                    lang.t_args(
                        "error-payload-detail",
                        &[("reason", payload.reason.clone().into())],
                    )
                } else if let Some(param) = error.downcast_ref::<ParseParamError>() {
                    lang.t_args(
                        "error-param-detail",
                        &[
                            ("name", param.name.into()),
                            ("reason", param.reason.clone().into()),
                        ],
                    )
                } else {
                    lang.t(detail_id)
                }
            }
            _ => lang.t(detail_id),
        };
        let request_id = request_id.map(|r| r.0);
        let mut resp = if wants_json {
            let problem = Problem {
                kind: format!(
                    "https://portico.dev/problems/{}",
                    title_id.trim_start_matches("error-")
                ),
                title,
                status: status.as_u16(),
                detail,
                instance: path,
                request_id,
                errors: app_error.and_then(|e| field_problems(e, lang)),
                code: match app_error {
                    Some(AppError::StateConflict(code)) => Some((*code).to_owned()),
                    _ => None,
                },
                existing_contact_id: match app_error {
                    Some(AppError::Duplicate { existing }) => Some(*existing),
                    _ => None,
                },
            };
            Response::builder()
                .status(status)
                .content_type("application/problem+json")
                .body(serde_json::to_string(&problem).unwrap_or_default())
        } else {
            let html = state.and_then(|state| {
                let (template, mut ctx) = match error.data::<ErrorLayout>() {
                    Some(layout) => (layout.template, layout.context.clone()),
                    None => ("error.html", tera::Context::new()),
                };
                ctx.insert("lang", lang.0.tag());
                ctx.insert("status", &status.as_u16());
                ctx.insert("title", &title);
                ctx.insert("detail", &detail);
                ctx.insert("request_id", &request_id);
                state.templates.render(lang.0, template, &ctx).ok()
            });
            Response::builder()
                .status(status)
                .content_type("text/html; charset=utf-8")
                .body(html.unwrap_or_else(|| format!("{title}: {detail}")))
        };
        if let Some(secs) = retry_after
            && let Ok(value) = secs.to_string().parse()
        {
            resp.headers_mut().insert(header::RETRY_AFTER, value);
        }
        if let Some(AppError::MethodNotAllowed { allow }) = app_error {
            let allow: Vec<&str> = allow.iter().map(|m| m.as_str()).collect();
            if let Ok(value) = allow.join(", ").parse() {
                resp.headers_mut().insert(header::ALLOW, value);
            }
        }
        Ok(resp)
    }
}

/// The fields named by a 409 or 422 answer, each with its code and message.
fn field_problems(error: &AppError, lang: Lang) -> Option<Vec<FieldProblem>> {
    let problem = |field: &str, code: &str| FieldProblem {
        field: field.to_owned(),
        code: code.to_owned(),
        message: lang.t(code),
    };
    match error {
        AppError::Invalid(errors) => Some(
            errors
                .0
                .iter()
                .map(|e| problem(&e.path(), e.message))
                .collect(),
        ),
        AppError::Conflict { field } => Some(vec![problem(field, "field-value-taken")]),
        _ => None,
    }
}

/// The page an app shows its errors in for a signed-in person: the app's own
/// error template (its layout, with the navigation and the language switcher)
/// and the layout's values. [`ErrorPages`] adds the error's status, title and
/// detail; the template shows them by including `error_card.html`.
#[derive(Clone)]
pub struct ErrorLayout {
    pub template: &'static str,
    pub context: tera::Context,
}

/// Middleware for an app's routes: when a page (not an API call) fails with a
/// 4xx error, `layout` is asked, with a copy of the request (its method, URI,
/// headers, session and other extensions), for the [`ErrorLayout`] of whoever
/// is signed in; `None` (nobody, or it cannot be known) keeps the bare page.
pub struct WithErrorLayout<F>(pub F);

impl<E, F, Fut> Middleware<E> for WithErrorLayout<F>
where
    E: Endpoint,
    F: Fn(Request) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Option<ErrorLayout>> + Send,
{
    type Output = WithErrorLayoutEndpoint<E, F>;

    fn transform(&self, ep: E) -> Self::Output {
        WithErrorLayoutEndpoint {
            inner: ep,
            layout: self.0.clone(),
        }
    }
}

/// The endpoint built by [`WithErrorLayout`].
pub struct WithErrorLayoutEndpoint<E, F> {
    inner: E,
    layout: F,
}

impl<E, F, Fut> Endpoint for WithErrorLayoutEndpoint<E, F>
where
    E: Endpoint,
    F: Fn(Request) -> Fut + Send + Sync,
    Fut: Future<Output = Option<ErrorLayout>> + Send,
{
    type Output = E::Output;

    async fn call(&self, req: Request) -> poem::Result<Self::Output> {
        if wants_json(&req) {
            return self.inner.call(req).await;
        }
        let mut copy = Request::builder()
            .method(req.method().clone())
            .uri(req.original_uri().clone())
            .finish();
        *copy.headers_mut() = req.headers().clone();
        *copy.extensions_mut() = req.extensions().clone();
        let mut error = match self.inner.call(req).await {
            Ok(output) => return Ok(output),
            Err(error) => error,
        };
        if error.status().is_client_error()
            && let Some(layout) = (self.layout)(copy).await
        {
            error.set_data(layout);
        }
        Err(error)
    }
}

/// JSON for API paths and clients that ask for JSON but not HTML.
fn wants_json(req: &Request) -> bool {
    let accept = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    req.uri().path().contains("/api/")
        || ((accept.contains("json")) && !accept.contains("text/html"))
}

fn generic_message_ids(status: StatusCode) -> (&'static str, &'static str) {
    match status {
        StatusCode::NOT_FOUND => ("error-not-found", "error-not-found-detail"),
        StatusCode::METHOD_NOT_ALLOWED => ("error-method", "error-method-detail"),
        StatusCode::UNAUTHORIZED => ("error-unauthorized", "error-unauthorized-detail"),
        StatusCode::FORBIDDEN => ("error-forbidden", "error-forbidden-detail"),
        s if s.is_client_error() => ("error-bad-request", "error-bad-request-detail"),
        _ => ("error-internal", "error-internal-detail"),
    }
}

fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
