//! Assembles the served endpoint: health and metrics on any host, the operator
//! console on the base domain, the tenant apps on `<slug>.<base domain>`, each
//! site with sessions and CSRF, all behind error pages, security headers and
//! request observation.

use poem::{
    Endpoint, EndpointExt, IntoEndpoint, IntoResponse, Request, Response, Route,
    endpoint::BoxEndpoint,
    handler,
    http::header,
    middleware::CatchPanic,
    post,
    web::{Data, Form, Redirect},
};
use portico_domain::Locale;
use serde::Deserialize;

use crate::{
    AppError, AppState, CurrentTenant, Routes,
    client::ClientAddress,
    csrf::CsrfGuard,
    error::ErrorPages,
    headers::security_headers,
    host::{Site, classify},
    i18n::remember_language,
    observe::{Observe, healthz, prometheus, readyz},
    session::with_sessions,
};

/// The largest urlencoded form body the CSRF guard reads.
pub const MAX_BODY: usize = 64 * 1024;
/// The largest `multipart/form-data` body (a form with files) it reads; each
/// upload then has its own, smaller or equal, limit.
pub const MAX_UPLOAD: usize = 20 * 1024 * 1024;

/// The stylesheet every page links.
const STYLESHEET: &str = include_str!("../assets/portico.css");

/// Builds the whole served endpoint from the platform app and the tenant app.
pub fn build(state: AppState, platform: Routes, tenant: Routes) -> impl Endpoint {
    let site = SiteRouter {
        platform: site_stack(platform, &state),
        tenant: site_stack(tenant, &state),
    };
    let https = state.config.secure_cookies();
    let trusted = state.config.trusted_proxies.clone();
    Route::new()
        .at("/healthz", healthz)
        .at("/readyz", readyz)
        .at("/metrics", prometheus)
        .at("/assets/portico.css", stylesheet)
        .nest("/", site.after(no_store_unless_said))
        .with(ErrorPages)
        .with(CatchPanic::new())
        .data(state)
        .with(security_headers(https))
        .with(ClientAddress::new(trusted))
        .with(Observe)
}

/// One site's stack: its routes behind CSRF, an API path's unknown method
/// answered 405 before that, errors rendered inside the session layer (so a
/// purge on a redirect is saved), then sessions.
fn site_stack(app: Routes, state: &AppState) -> BoxEndpoint<'static> {
    let methods = app.allowed_methods();
    with_sessions(
        site_routes(app.into_endpoint())
            .with(methods)
            .with(ErrorPages),
        &state.config,
        state.redis.clone(),
    )
    .map_to_response()
    .boxed()
}

/// Routes every site has, around the site's own app, behind the CSRF guard.
fn site_routes(app: impl Endpoint + 'static) -> impl Endpoint {
    Route::new()
        .at("/lang", post(set_language))
        .nest("/", app)
        .with(CsrfGuard)
}

/// Dispatches on the `Host` header.
struct SiteRouter {
    platform: BoxEndpoint<'static>,
    tenant: BoxEndpoint<'static>,
}

impl Endpoint for SiteRouter {
    type Output = Response;

    async fn call(&self, mut req: Request) -> poem::Result<Response> {
        let state = req
            .data::<AppState>()
            .cloned()
            .ok_or_else(|| AppError::Internal("application state missing".into()))?;
        let host = req
            .headers()
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .or_else(|| req.uri().host())
            .unwrap_or_default()
            .to_owned();
        match classify(&host, state.config.base_domain()) {
            Site::Platform => self.platform.call(req).await,
            Site::Tenant(slug) => {
                let tenant = state.tenants.resolve(&slug).await.map_err(AppError::from)?;
                let Some(tenant) = tenant.filter(|t| t.is_active()) else {
                    return Err(AppError::TenantNotFound.into());
                };
                tracing::Span::current().record("tenant", slug.as_str());
                req.extensions_mut().insert(CurrentTenant(tenant));
                self.tenant.call(req).await
            }
            Site::Unknown => Err(AppError::TenantNotFound.into()),
        }
    }
}

/// Pages and API answers are never stored by browsers or proxies, unless a
/// route says how its answer may be cached (a company's logo: for good).
async fn no_store_unless_said(response: poem::Result<Response>) -> poem::Result<Response> {
    let mut response = response?;
    if !response.headers().contains_key(header::CACHE_CONTROL) {
        response.headers_mut().insert(
            header::CACHE_CONTROL,
            poem::http::HeaderValue::from_static("no-store"),
        );
    }
    Ok(response)
}

#[handler]
fn stylesheet() -> Response {
    Response::builder()
        .content_type("text/css; charset=utf-8")
        .header(header::CACHE_CONTROL, "public, max-age=3600")
        .body(STYLESHEET)
}

#[derive(Deserialize)]
struct LanguageForm {
    lang: String,
    next: Option<String>,
}

/// Remembers the chosen language in a cookie and goes back to the page.
#[handler]
fn set_language(state: Data<&AppState>, Form(form): Form<LanguageForm>) -> poem::Result<Response> {
    let locale =
        Locale::from_tag(&form.lang).ok_or(AppError::BadRequest("error-bad-request-detail"))?;
    let next = form
        .next
        .filter(|n| is_local_path(n))
        .unwrap_or_else(|| "/".to_owned());
    let mut resp = Redirect::see_other(next).into_response();
    remember_language(&mut resp, locale, state.config.secure_cookies());
    Ok(resp)
}

/// Only same-site paths are redirect targets (no `//host`, backslash or
/// whitespace tricks that browsers normalise into another host).
fn is_local_path(path: &str) -> bool {
    path.starts_with('/')
        && !path.starts_with("//")
        && !path
            .chars()
            .any(|c| c == '\\' || c.is_whitespace() || c.is_control())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_redirect_targets() {
        assert!(is_local_path("/admin"));
        assert!(!is_local_path("//evil.example"));
        assert!(!is_local_path("/\\evil.example"));
        assert!(!is_local_path("https://evil.example"));
        assert!(!is_local_path("/\t/evil.example"));
        assert!(!is_local_path("/\t/evil.example"));
    }
}
