//! The size limit of API request bodies: a JSON body may hold at most
//! [`MAX_JSON`], an uploaded file (`image/*`, `application/octet-stream`) at
//! most [`crate::site::MAX_UPLOAD`], a bulk upsert at most [`MAX_BULK_JSON`] (the route then applies its own, smaller
//! limit with a field error). A larger body answers 413 as problem JSON,
//! refused by its `Content-Length` before it is read, or as soon as a body
//! without one passes the limit.

use poem::{
    Body, Endpoint, IntoResponse, Middleware, Request, Response,
    http::{Method, header},
};

use crate::AppError;

/// The largest JSON body an API operation reads.
pub const MAX_JSON: usize = 1024 * 1024;

/// The largest JSON body of a bulk upsert (`PUT` of a whole collection: a
/// thousand invoices with their lines).
pub const MAX_BULK_JSON: usize = 16 * 1024 * 1024;

/// The collections whose `PUT` is a bulk upsert.
const BULK: [&str; 2] = ["/invoices", "/payments"];

/// The limit of a body of `content_type` sent to `path` with `method`.
fn limit_for(method: &Method, path: &str, content_type: Option<&str>) -> usize {
    match content_type {
        Some(t) if t.starts_with("image/") || t.starts_with("application/octet-stream") => {
            crate::site::MAX_UPLOAD
        }
        _ if method == Method::PUT && BULK.iter().any(|b| path.ends_with(b)) => MAX_BULK_JSON,
        _ => MAX_JSON,
    }
}

/// Middleware that bounds API request bodies (see the module documentation).
pub struct ApiBodyLimit;

impl<E: Endpoint> Middleware<E> for ApiBodyLimit {
    type Output = ApiBodyLimitEndpoint<E>;

    fn transform(&self, ep: E) -> Self::Output {
        ApiBodyLimitEndpoint(ep)
    }
}

/// The endpoint built by [`ApiBodyLimit`].
pub struct ApiBodyLimitEndpoint<E>(E);

impl<E: Endpoint> Endpoint for ApiBodyLimitEndpoint<E> {
    type Output = Response;

    async fn call(&self, mut req: Request) -> poem::Result<Response> {
        let limit = limit_for(req.method(), req.uri().path(), req.content_type());
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|n| n > limit as u64) {
            return Err(AppError::TooLarge { limit }.into());
        }
        let bytes = req
            .take_body()
            .into_bytes_limit(limit)
            .await
            .map_err(|_| AppError::TooLarge { limit })?;
        req.set_body(Body::from(bytes));
        self.0.call(req).await.map(IntoResponse::into_response)
    }
}
