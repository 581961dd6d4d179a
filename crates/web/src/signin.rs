//! The parts of a password sign-in every app shares: throttling per account and
//! per client address with temporary lockout, and starting a fresh session.

use std::net::IpAddr;

use poem::{Request, session::Session};
use portico_auth::Locked;

use crate::{AppError, AppState, csrf};

/// One sign-in attempt's throttle keys.
pub struct SignInAttempt {
    account_key: String,
    address_key: Option<String>,
}

impl SignInAttempt {
    /// Keys for `scope` (e.g. `staff:<tenant>` or `operator`), the typed email and
    /// the client's address.
    pub fn new(scope: &str, email: &str, req: &Request) -> Self {
        let address: Option<IpAddr> = req.remote_addr().as_socket_addr().map(|a| a.ip());
        Self {
            account_key: format!("{scope}:{}", email.trim().to_lowercase()),
            address_key: address.map(|ip| format!("{scope}:ip:{ip}")),
        }
    }

    /// `Err(Locked)` while the account or the address is locked out.
    pub async fn check(&self, state: &AppState) -> Result<Result<(), Locked>, AppError> {
        if let Err(locked) = state.throttle.check(&self.account_key).await? {
            return Ok(Err(locked));
        }
        if let Some(key) = &self.address_key
            && let Err(locked) = state.address_throttle.check(key).await?
        {
            return Ok(Err(locked));
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
