//! The one email-and-password sign-in flow of every app (staff, operators and
//! both portals): throttling per account and per client address, lockout answered
//! with `Retry-After`, the same failure message whether or not the account exists,
//! the audit of a success and a fresh session. What differs per kind of user
//! (where its credentials are, what it records, which session it opens and where
//! it goes next) is a [`SignInKind`].

use std::{future::Future, net::IpAddr, time::Duration};

use chrono::{DateTime, Utc};
use poem::{
    Request, Response,
    http::{StatusCode, header},
    session::Session,
};
use portico_auth::{Locked, verify_password};
use portico_domain::Email;

use crate::{AppError, AppState, Ui, client::ClientIp, csrf, observe::request_id};

/// The sign-in form of every app: staff, operators and both portals (a portal
/// also brings where to go next). Not `Debug`: it holds the password.
#[derive(Default, serde::Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub password: String,
    pub next: Option<String>,
}

/// Why the sign-in form comes back: the typed email, the error shown and the status.
pub struct Refusal<'a> {
    pub email: &'a str,
    pub error: String,
    pub status: StatusCode,
}

/// One kind of user that signs in with an email and a password.
pub trait SignInKind: Sync {
    /// What the lookup finds about an account.
    type Credentials: Send + Sync;

    /// The throttle's scope for this kind (e.g. `staff:<tenant>` or `operator`):
    /// attempts in one scope never lock out another.
    fn scope(&self) -> String;

    /// The sign-in form again, refusing an attempt.
    fn form(&self, ui: &Ui, refusal: Refusal<'_>) -> poem::Result<Response>;

    /// The account with this email, if any; leaves no transaction open (the
    /// password check is slow and must not hold a connection).
    fn find(
        &self,
        state: &AppState,
        email: &Email,
    ) -> impl Future<Output = Result<Option<Self::Credentials>, AppError>> + Send;

    /// The password hash to check, `None` when the account may not sign in
    /// (disabled, or without a password): it is refused like a wrong password.
    fn password_hash<'c>(&self, found: &'c Self::Credentials) -> Option<&'c str>;

    /// A lockout stored with the account, still running at `now`.
    fn stored_lock(
        &self,
        _found: &Self::Credentials,
        _now: DateTime<Utc>,
    ) -> Option<DateTime<Utc>> {
        None
    }

    /// Called when a failed attempt locks out an existing account until `until`
    /// (a kind that stores lockouts keeps it).
    fn locked(
        &self,
        _state: &AppState,
        _found: &Self::Credentials,
        _until: DateTime<Utc>,
        _request_id: Option<&str>,
    ) -> impl Future<Output = Result<(), AppError>> + Send {
        async { Ok(()) }
    }

    /// Records a successful sign-in (when, and the audit event).
    fn record(
        &self,
        state: &AppState,
        found: &Self::Credentials,
        request_id: Option<&str>,
    ) -> impl Future<Output = Result<(), AppError>> + Send;

    /// Opens the account's session (with [`start_session`]) and answers where it
    /// goes next.
    fn arrive(
        &self,
        ui: &Ui,
        session: &Session,
        found: Self::Credentials,
    ) -> impl Future<Output = poem::Result<Response>> + Send;
}

/// Signs in with the typed `email` and `password` as a `kind` of user: the
/// answer is the form again (422 on a wrong or unknown account, with the same
/// message either way; 429 with `Retry-After` while locked out) or, on success,
/// whatever [`SignInKind::arrive`] answers.
pub async fn sign_in<K: SignInKind>(
    kind: &K,
    ui: &Ui,
    req: &Request,
    session: &Session,
    email: &str,
    password: &str,
) -> poem::Result<Response> {
    let state = &ui.state;
    let refuse = |id: &str| {
        let refusal = Refusal {
            email,
            error: ui.lang.t(id),
            status: StatusCode::UNPROCESSABLE_ENTITY,
        };
        kind.form(ui, refusal)
    };
    let Ok(parsed) = Email::parse(email) else {
        return refuse("sign-in-email-invalid");
    };
    if password.is_empty() {
        return refuse("sign-in-password-missing");
    }
    let attempt = SignInAttempt::new(&kind.scope(), parsed.as_str(), req);
    if let Err(locked) = attempt.check(state).await? {
        return locked_out(kind, ui, email, locked.retry_after);
    }
    let found = kind.find(state, &parsed).await?;
    let now = Utc::now();
    if let Some(until) = found.as_ref().and_then(|c| kind.stored_lock(c, now)) {
        return locked_out(kind, ui, email, (until - now).to_std().unwrap_or_default());
    }
    let valid = verify_password(password, found.as_ref().and_then(|c| kind.password_hash(c))).await;
    let request_id = request_id(req);
    let found = match found {
        Some(found) if valid => found,
        found => {
            attempt.failed(state).await?;
            if let Some(found) = found
                && let Err(locked) = attempt.check(state).await?
            {
                let until =
                    now + chrono::Duration::from_std(locked.retry_after).unwrap_or_default();
                kind.locked(state, &found, until, request_id).await?;
            }
            tracing::info!(scope = %kind.scope(), "sign-in refused");
            return refuse("sign-in-failed");
        }
    };
    kind.record(state, &found, request_id).await?;
    attempt.succeeded(state).await?;
    kind.arrive(ui, session, found).await
}

/// The form while an account or address is locked out: 429 with `Retry-After`.
fn locked_out<K: SignInKind>(
    kind: &K,
    ui: &Ui,
    email: &str,
    retry_after: Duration,
) -> poem::Result<Response> {
    let message = ui.lang.t_args(
        "sign-in-locked",
        &[("minutes", minutes_left(Locked { retry_after }).into())],
    );
    let refusal = Refusal {
        email,
        error: message,
        status: StatusCode::TOO_MANY_REQUESTS,
    };
    let resp = kind.form(ui, refusal)?;
    Ok(with_retry_after(resp, retry_after))
}

/// `resp` with a `Retry-After` header of `retry_after` (at least one second).
pub fn with_retry_after(mut resp: Response, retry_after: Duration) -> Response {
    if let Ok(value) = retry_after.as_secs().max(1).to_string().parse() {
        resp.headers_mut().insert(header::RETRY_AFTER, value);
    }
    resp
}

/// How long each attempt from an address past its limit waits.
pub const ADDRESS_SLOWDOWN: Duration = Duration::from_secs(2);

/// One sign-in attempt's throttle keys (also used by the pages that mail
/// links or check a current password).
pub struct SignInAttempt {
    account_key: String,
    address_key: Option<String>,
}

impl SignInAttempt {
    /// Keys for `scope` (e.g. `staff:<tenant>` or `operator`), the typed email and
    /// the client's address (see [`crate::client`]: behind a trusted proxy, the
    /// forwarded one; an IPv6 client's /64).
    pub fn new(scope: &str, email: &str, req: &Request) -> Self {
        let client = req.extensions().get::<ClientIp>().copied().or_else(|| {
            let socket: Option<IpAddr> = req.remote_addr().as_socket_addr().map(|a| a.ip());
            socket.map(ClientIp)
        });
        Self {
            account_key: format!("{scope}:{}", email.trim().to_lowercase()),
            address_key: client.map(|ip| format!("{scope}:ip:{}", ip.key())),
        }
    }

    /// `Err(Locked)` while the account is locked out. An address past its
    /// limit is slowed down ([`ADDRESS_SLOWDOWN`] per attempt), never locked
    /// out: a whole office behind one address must still be able to sign in.
    pub async fn check(&self, state: &AppState) -> Result<Result<(), Locked>, AppError> {
        if let Err(locked) = state.throttle.check(&self.account_key).await? {
            return Ok(Err(locked));
        }
        if let Some(key) = &self.address_key
            && state.address_throttle.check(key).await?.is_err()
        {
            tokio::time::sleep(ADDRESS_SLOWDOWN).await;
        }
        Ok(Ok(()))
    }

    /// Counts a failed attempt against the account and the address.
    pub async fn failed(&self, state: &AppState) -> Result<(), AppError> {
        state.throttle.record_failure(&self.account_key).await?;
        if let Some(key) = &self.address_key {
            state.address_throttle.record_failure(key).await?;
        }
        Ok(())
    }

    /// Forgets the account's failures after a success.
    pub async fn succeeded(&self, state: &AppState) -> Result<(), AppError> {
        state.throttle.clear(&self.account_key).await?;
        Ok(())
    }
}

/// Whole minutes until a lockout ends, at least one.
pub fn minutes_left(locked: Locked) -> u64 {
    locked.retry_after.as_secs().div_ceil(60).max(1)
}

/// Starts an authenticated session: a new session id (the old one is dropped,
/// defeating fixation), a new CSRF token, and the signed-in principal.
pub fn start_session(session: &Session, key: &str, principal: &impl serde::Serialize) {
    session.clear();
    session.set(key, principal);
    csrf::rotate(session);
    session.renew();
}
