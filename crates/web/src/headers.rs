//! Security headers on every response.

use poem::{Endpoint, IntoResponse, Middleware, Request, Response, http::HeaderValue};

/// CSP without inline scripts or styles, no framing, no sniffing.
pub const STRICT_CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; \
    script-src 'self'; object-src 'none'; frame-ancestors 'none'; form-action 'self'; \
    base-uri 'none'";

/// The CSP of the API's interactive docs page, whose bundled Swagger UI runs inline
/// scripts and styles; everything else stays as strict.
pub const DOCS_CSP: &str = "default-src 'self'; img-src 'self' data:; \
    style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-inline'; object-src 'none'; \
    frame-ancestors 'none'; form-action 'self'; base-uri 'none'";

/// Adds the security headers to every response that has not set its own (only
/// the API docs page sets a CSP of its own); HSTS over HTTPS.
pub fn security_headers(https: bool) -> SecurityHeaders {
    SecurityHeaders { https }
}

/// The middleware built by [`security_headers`].
pub struct SecurityHeaders {
    https: bool,
}

impl<E: Endpoint> Middleware<E> for SecurityHeaders {
    type Output = SecurityHeadersEndpoint<E>;

    fn transform(&self, ep: E) -> Self::Output {
        SecurityHeadersEndpoint {
            inner: ep,
            https: self.https,
        }
    }
}

/// The endpoint built by [`SecurityHeaders`].
pub struct SecurityHeadersEndpoint<E> {
    inner: E,
    https: bool,
}

impl<E: Endpoint> Endpoint for SecurityHeadersEndpoint<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> poem::Result<Response> {
        let mut resp = self.inner.call(req).await?.into_response();
        let headers = resp.headers_mut();
        let mut set = |name: &'static str, value: &'static str| {
            headers
                .entry(name)
                .or_insert(HeaderValue::from_static(value));
        };
        set("content-security-policy", STRICT_CSP);
        set("x-frame-options", "DENY");
        set("x-content-type-options", "nosniff");
        set("referrer-policy", "same-origin");
        set(
            "permissions-policy",
            "camera=(), microphone=(), geolocation=()",
        );
        if self.https {
            set(
                "strict-transport-security",
                "max-age=31536000; includeSubDomains",
            );
        }
        Ok(resp)
    }
}
