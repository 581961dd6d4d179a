//! Who calls the admin API: a program with a per-tenant key (`Authorization:
//! Bearer <key>`) or a signed-in staff user's browser (session cookie plus the
//! `X-CSRF-Token` header). Either way the caller acts with a back-office role.

use poem::{FromRequest, Request, session::Session};
use poem_openapi::{
    SecurityScheme,
    auth::{ApiKey, Bearer},
};
use portico_auth::hash_token;
use portico_authz::{Action, Area};
use portico_data::{Actor, By, Tenant, TenantTx};
use portico_domain::StaffRole;
use portico_web::{AppError, AppState, CurrentTenant, csrf, observe::RequestId};

use crate::{SignedInStaff, access::policy};

/// An authenticated caller of the host's company.
pub(crate) struct Caller {
    pub state: AppState,
    pub tenant: Tenant,
    pub role: StaffRole,
    pub actor: Actor,
    pub request_id: String,
}

impl Caller {
    fn base(req: &Request) -> Result<(AppState, Tenant, String), AppError> {
        let state = req
            .data::<AppState>()
            .cloned()
            .ok_or_else(|| AppError::Internal("application state missing".into()))?;
        let tenant = req
            .extensions()
            .get::<CurrentTenant>()
            .map(|t| t.0.clone())
            .ok_or(AppError::TenantNotFound)?;
        let request_id = req
            .extensions()
            .get::<RequestId>()
            .map(|r| r.0.clone())
            .unwrap_or_default();
        Ok((state, tenant, request_id))
    }

    /// Who the audit log names.
    pub fn by(&self) -> By<'_> {
        By {
            actor: self.actor,
            request_id: Some(&self.request_id),
        }
    }

    /// A transaction on the caller's company.
    pub async fn tx(&self) -> Result<TenantTx, AppError> {
        Ok(self.state.db.tenant_tx(&self.tenant).await?)
    }

    /// Refuses (403) unless the caller's role may do `action` in `area`.
    pub async fn require(&self, area: Area, action: Action) -> Result<(), AppError> {
        if policy().await?.allows(self.role, area, action) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }
}

async fn key_caller(req: &Request, bearer: Bearer) -> poem::Result<Caller> {
    let (state, tenant, request_id) = Caller::base(req)?;
    let mut tx = state.db.tenant_tx(&tenant).await.map_err(AppError::from)?;
    let key = tx
        .api_keys()
        .use_key(&hash_token(&bearer.token))
        .await
        .map_err(AppError::from)?;
    tx.commit().await.map_err(AppError::from)?;
    let key = key.ok_or(AppError::Unauthorized)?;
    Ok(Caller {
        state,
        tenant,
        role: key.role,
        actor: Actor::ApiKey(key.id),
        request_id,
    })
}

async fn session_caller(req: &Request, token: ApiKey) -> poem::Result<Caller> {
    let (state, tenant, request_id) = Caller::base(req)?;
    let session = req
        .extensions()
        .get::<Session>()
        .ok_or(AppError::Unauthorized)?;
    if !csrf::matches(session, &token.key) {
        return Err(AppError::Unauthorized.into());
    }
    let staff = SignedInStaff::from_request_without_body(req)
        .await
        .map_err(|_| AppError::Unauthorized)?;
    Ok(Caller {
        state,
        tenant,
        role: staff.user.role,
        actor: Actor::Staff(staff.user.id),
        request_id,
    })
}

/// A per-tenant API key, created on the back office's API page or with
/// `portico api-key create`.
#[derive(SecurityScheme)]
#[oai(ty = "bearer", checker = "key_caller")]
pub(crate) struct KeyAuth(Caller);

/// A signed-in staff user's session cookie, with the page's CSRF token.
#[derive(SecurityScheme)]
#[oai(
    ty = "api_key",
    key_in = "header",
    key_name = "X-CSRF-Token",
    checker = "session_caller"
)]
pub(crate) struct SessionAuth(Caller);

/// Either way of calling the API. The key is tried last: when both fail, the
/// last failure is the answer, so a key lookup the database could not serve
/// (503) is not hidden behind the missing session's 401.
#[derive(SecurityScheme)]
pub(crate) enum Auth {
    Session(SessionAuth),
    Key(KeyAuth),
}

impl Auth {
    pub fn caller(&self) -> &Caller {
        match self {
            Auth::Key(k) => &k.0,
            Auth::Session(s) => &s.0,
        }
    }
}
