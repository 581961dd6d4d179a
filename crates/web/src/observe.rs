//! Observability: a request id and tenant on every log line, request latency per
//! route in Prometheus, and the health endpoints.

use std::{sync::OnceLock, time::Instant};

use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use poem::{
    Endpoint, IntoResponse, Middleware, Request, Response, handler,
    http::{HeaderValue, StatusCode},
    web::Data,
};
use tracing::Instrument;
use uuid::Uuid;

use crate::AppState;

/// The request's id: the caller's `X-Request-Id` when sane, else a new UUIDv7.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// The id of `req`, for audit events.
pub fn request_id(req: &poem::Request) -> Option<&str> {
    req.extensions().get::<RequestId>().map(|r| r.0.as_str())
}

const REQUEST_ID_HEADER: &str = "x-request-id";

/// Sets up logging: JSON lines when asked (production), human-readable otherwise.
/// `RUST_LOG` filters (default `info`).
pub fn init_tracing(json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false);
    let _ = if json {
        builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .try_init()
    } else {
        builder.try_init()
    };
}

/// The process-wide Prometheus recorder, installed on first use.
pub fn metrics_handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new().build_recorder();
        let handle = recorder.handle();
        // Another recorder may already be installed (tests); ours still renders.
        let _ = ::metrics::set_global_recorder(recorder);
        handle
    })
}

/// Wraps each request in a span with its id, method and path (the site router
/// records the tenant), logs its outcome and records its latency.
pub struct Observe;

impl<E: Endpoint> Middleware<E> for Observe {
    type Output = ObserveEndpoint<E>;

    fn transform(&self, ep: E) -> Self::Output {
        ObserveEndpoint(ep)
    }
}

/// The endpoint built by [`Observe`].
pub struct ObserveEndpoint<E>(E);

impl<E: Endpoint> Endpoint for ObserveEndpoint<E> {
    type Output = Response;

    async fn call(&self, mut req: Request) -> poem::Result<Response> {
        let started = Instant::now();
        let request_id = req
            .headers()
            .get(REQUEST_ID_HEADER)
            .and_then(|v| v.to_str().ok())
            .filter(|v| {
                !v.is_empty()
                    && v.len() <= 64
                    && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            })
            .map(str::to_owned)
            .unwrap_or_else(|| Uuid::now_v7().to_string());
        req.extensions_mut().insert(RequestId(request_id.clone()));
        let method = req.method().to_string();
        let route = route_label(req.uri().path());
        let span = tracing::info_span!(
            "request",
            request_id = %request_id,
            method = %method,
            path = %redacted_path(req.uri().path()),
            tenant = tracing::field::Empty,
        );
        let result = self.0.call(req).instrument(span.clone()).await;
        let mut resp = match result {
            Ok(resp) => resp.into_response(),
            Err(error) => error.into_response(),
        };
        let status = resp.status();
        let elapsed = started.elapsed();
        let route = if status == StatusCode::NOT_FOUND {
            "unmatched".to_owned()
        } else {
            route
        };
        ::metrics::histogram!(
            "http_request_duration_seconds",
            "method" => method,
            "route" => route,
            "status" => status.as_u16().to_string(),
        )
        .record(elapsed.as_secs_f64());
        span.in_scope(|| {
            tracing::info!(
                status = status.as_u16(),
                latency_ms = elapsed.as_secs_f64() * 1000.0,
                "request done"
            );
        });
        if let Ok(value) = HeaderValue::from_str(&request_id) {
            resp.headers_mut().insert(REQUEST_ID_HEADER, value);
        }
        Ok(resp)
    }
}

/// A low-cardinality route label: ids and numbers in the path become `{id}`,
/// secret tokens `{token}`.
pub fn route_label(path: &str) -> String {
    let segments: Vec<&str> = path
        .split('/')
        .map(|segment| {
            let is_id = Uuid::parse_str(segment).is_ok()
                || (!segment.is_empty() && segment.chars().all(|c| c.is_ascii_digit()));
            if is_token(segment) {
                "{token}"
            } else if is_id {
                "{id}"
            } else {
                segment
            }
        })
        .collect();
    segments.join("/")
}

/// Whether a path segment looks like a secret token (an invitation or
/// sign-in link's `random_token`: long hexadecimal), which is never logged.
fn is_token(segment: &str) -> bool {
    segment.len() >= 40 && segment.chars().all(|c| c.is_ascii_hexdigit())
}

/// The path as logged: secret tokens become `{token}`, ids stay.
pub fn redacted_path(path: &str) -> String {
    path.split('/')
        .map(|segment| {
            if is_token(segment) {
                "{token}"
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Liveness: the process answers.
#[handler]
pub fn healthz() -> &'static str {
    "ok"
}

/// Readiness: the database (and Redis, when configured) answer.
#[handler]
pub async fn readyz(state: Data<&AppState>) -> Response {
    let database = state.db.ping().await.map_err(|e| e.to_string());
    let redis = match &state.redis {
        Some(redis) => Some(redis.ping().await.map_err(|e| e.to_string())),
        None => None,
    };
    let ready = database.is_ok() && redis.as_ref().is_none_or(Result::is_ok);
    if let Err(error) = &database {
        tracing::warn!(error, "readiness: database unavailable");
    }
    if let Some(Err(error)) = &redis {
        tracing::warn!(error, "readiness: redis unavailable");
    }
    let body = serde_json::json!({
        "status": if ready { "ready" } else { "unavailable" },
        "database": if database.is_ok() { "ok" } else { "unavailable" },
        "redis": match redis { None => "not configured", Some(Ok(())) => "ok", Some(Err(_)) => "unavailable" },
    });
    Response::builder()
        .status(if ready {
            StatusCode::OK
        } else {
            StatusCode::SERVICE_UNAVAILABLE
        })
        .content_type("application/json")
        .body(body.to_string())
}

/// Prometheus text exposition.
#[handler]
pub fn prometheus() -> Response {
    Response::builder()
        .content_type("text/plain; version=0.0.4")
        .body(metrics_handle().render())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_in_paths_are_folded_into_the_route_label() {
        assert_eq!(
            route_label("/admin/staff/0192f1a0-7c4e-7b3a-9d2f-1a2b3c4d5e6f/edit"),
            "/admin/staff/{id}/edit"
        );
        assert_eq!(route_label("/portal/invoices/123"), "/portal/invoices/{id}");
        assert_eq!(route_label("/admin"), "/admin");
    }

    #[test]
    fn secret_tokens_in_paths_are_never_logged_nor_labels() {
        let token = portico_auth::random_token();
        let path = format!("/portal/invitation/{token}");
        assert_eq!(route_label(&path), "/portal/invitation/{token}");
        assert_eq!(redacted_path(&path), "/portal/invitation/{token}");
        let id = "/admin/staff/0192f1a0-7c4e-7b3a-9d2f-1a2b3c4d5e6f";
        assert_eq!(redacted_path(id), id, "ids stay in logs");
    }
}
