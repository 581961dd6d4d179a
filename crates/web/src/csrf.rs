//! CSRF protection for every form: a random token kept in the session, embedded
//! in each form as `_csrf` (or sent as `X-CSRF-Token`), checked by middleware on
//! every unsafe request so no handler can forget it.

use poem::{Body, Endpoint, Middleware, Request, RequestBody, http::Method, session::Session};
use portico_auth::random_token;

use crate::{AppError, upload::read_multipart};

const SESSION_KEY: &str = "csrf";
/// The form field carrying the token.
pub const FIELD: &str = "_csrf";
/// The header carrying the token (for scripts).
pub const HEADER: &str = "x-csrf-token";

/// The session's token, created on first use.
pub fn token(session: &Session) -> String {
    match session.get::<String>(SESSION_KEY) {
        Some(token) => token,
        None => rotate(session),
    }
}

/// Replaces the session's token (at sign-in and sign-out).
pub fn rotate(session: &Session) -> String {
    let token = random_token();
    session.set(SESSION_KEY, &token);
    token
}

fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Rejects unsafe requests whose token does not match the session's.
pub struct CsrfGuard;

impl<E: Endpoint> Middleware<E> for CsrfGuard {
    type Output = CsrfGuardEndpoint<E>;

    fn transform(&self, ep: E) -> Self::Output {
        CsrfGuardEndpoint(ep)
    }
}

/// Whether `submitted` is the session's CSRF token (for API calls made with the
/// session cookie, which send it in the `x-csrf-token` header).
pub fn matches(session: &Session, submitted: &str) -> bool {
    session
        .get::<String>(SESSION_KEY)
        .is_some_and(|expected| same(&expected, submitted))
}

/// The `_csrf` field of a urlencoded or multipart body. A urlencoded body is
/// read within `site::MAX_BODY` and put back for the handler; a multipart one
/// is read as it streams (see [`crate::upload`]) and left, read, for the
/// handler's [`crate::FormWithFiles`].
async fn form_token(req: &mut Request) -> poem::Result<Option<String>> {
    let content_type = req.content_type().unwrap_or_default().to_owned();
    if content_type.starts_with("multipart/form-data") {
        let mut body = RequestBody::new(req.take_body());
        let read = read_multipart(req, &mut body).await?;
        let token = read
            .pairs
            .iter()
            .find(|(k, _)| k == FIELD)
            .map(|(_, v)| v.clone());
        req.extensions_mut().insert(read);
        return Ok(token);
    }
    if !content_type.starts_with("application/x-www-form-urlencoded") {
        return Ok(None);
    }
    let bytes = req
        .take_body()
        .into_bytes_limit(crate::site::MAX_BODY)
        .await
        .map_err(|_| AppError::BadRequest("error-bad-request-detail"))?;
    req.set_body(Body::from(bytes.clone()));
    Ok(url::form_urlencoded::parse(&bytes)
        .find(|(k, _)| k == FIELD)
        .map(|(_, v)| v.into_owned()))
}

/// The endpoint built by [`CsrfGuard`].
pub struct CsrfGuardEndpoint<E>(E);

impl<E: Endpoint> Endpoint for CsrfGuardEndpoint<E> {
    type Output = E::Output;

    async fn call(&self, mut req: Request) -> poem::Result<Self::Output> {
        // On the API only: a bearer key is never sent by a browser on its own (no
        // CORS here), and the API authenticates such a request by the key alone,
        // never the cookie. Every other path keeps its CSRF check.
        let bearer = req.uri().path().starts_with("/api/")
            && req
                .headers()
                .get(poem::http::header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with("Bearer "));
        if bearer || matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
            return self.0.call(req).await;
        }
        let expected = req
            .extensions()
            .get::<Session>()
            .and_then(|s| s.get::<String>(SESSION_KEY));
        let mut submitted = req
            .headers()
            .get(HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        if expected.is_none() {
            // No session token: nothing could match, so read no body.
            return Err(AppError::CsrfRejected.into());
        }
        if submitted.is_none() {
            submitted = form_token(&mut req).await?;
        }
        match (expected, submitted) {
            (Some(expected), Some(submitted)) if same(&expected, &submitted) => {
                self.0.call(req).await
            }
            _ => Err(AppError::CsrfRejected.into()),
        }
    }
}
