//! Who is signed in to a portal. The session keeps a small principal (tenant,
//! contact, portal, session epoch, the account acted for); the extractors check
//! it on every request against the contact's current policy, so a revoked
//! grant, access turned off, an archived contact or a new epoch (sign-out
//! everywhere, a new password) take effect on the next request.

use std::{sync::Arc, time::Duration};

use poem::{
    FromRequest, IntoResponse, Request, RequestBody, http::Method, session::Session, web::Redirect,
};
use portico_authz::{PortalScope, portal::ContactPolicy};
use portico_data::{Actor, By, ContactId, Tenant, TenantTx};
use portico_domain::Portal;
use portico_web::{AppError, AppState, CurrentTenant, observe::RequestId, signin::start_session};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::site::{PortalSite, RequestPath, with_query};

/// What the session remembers about a signed-in contact in one portal.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Principal {
    pub tenant: Uuid,
    pub contact: Uuid,
    pub portal: Portal,
    /// The contact's session epoch when the session started.
    pub epoch: i32,
    /// The account the contact acts for, once chosen.
    pub account: Option<Uuid>,
}

/// Starts a portal session for `principal`: a new session id and CSRF token
/// (see [`start_session`]). A contact who may also use the company's other
/// portal (`other`: its principal there) is signed in to both at once — one
/// identity, one sign-in; otherwise a sign-in of the same contact to the other
/// portal in this browser is kept. Anything else in the session is not.
pub(crate) fn start(
    session: &Session,
    site: PortalSite,
    principal: &Principal,
    other: Option<Principal>,
) {
    let other_site = site.other();
    let keep = other.or_else(|| {
        session
            .get::<Principal>(other_site.session_key())
            .filter(|p| p.tenant == principal.tenant && p.contact == principal.contact)
    });
    start_session(session, site.session_key(), principal);
    if let Some(keep) = keep {
        session.set(other_site.session_key(), keep);
    }
}

/// Whether the session holds a principal for this portal (valid or not).
pub(crate) fn has_principal(session: &Session, site: PortalSite) -> bool {
    session.get::<Principal>(site.session_key()).is_some()
}

/// Waits (briefly) until this instance serves the tenant's policy at
/// `version` or later: the version of a commit reaches the policy cache
/// through a background task, and the next page must already see the change.
pub(crate) async fn settle(state: &AppState, tenant: &Tenant, version: i64) {
    for _ in 0..100 {
        match state.policies.version(tenant).await {
            Ok(known) if known < version => tokio::time::sleep(Duration::from_millis(10)).await,
            _ => return,
        }
    }
}

/// A valid portal session: the signed-in contact of this company, with its
/// access to this portal on and its session epoch current. Without one, a page
/// is sent to the sign-in page (coming back afterwards) and an API call gets
/// 401 problem JSON.
pub struct PortalSession {
    pub state: AppState,
    pub tenant: Tenant,
    pub site: PortalSite,
    pub contact: ContactId,
    /// The contact's policy at the tenant's current policy version.
    pub policy: Arc<ContactPolicy>,
    pub request_id: String,
    session: Session,
    principal: Principal,
}

/// The request's path and query as the browser sent it.
fn request_path(req: &Request) -> Option<&str> {
    req.extensions().get::<RequestPath>().map(|p| p.0.as_str())
}

/// `target`, with the request's page to come back to (GET pages only).
fn coming_back(req: &Request, site: PortalSite, target: String) -> String {
    match site.local_next(request_path(req)) {
        Some(next) if req.method() == Method::GET && next != site.base() => {
            with_query(&target, "next", &next)
        }
        _ => target,
    }
}

/// The refusal of a request without a valid session.
fn sign_in_required(req: &Request, site: PortalSite) -> poem::Error {
    if request_path(req).is_none_or(|p| p.starts_with(&site.path("/api/"))) {
        return AppError::Unauthorized.into();
    }
    let target = coming_back(req, site, site.path("/sign-in"));
    poem::Error::from_response(Redirect::see_other(target).into_response())
}

/// A query parameter of the request.
fn query_param(req: &Request, name: &str) -> Option<String> {
    url::form_urlencoded::parse(req.uri().query().unwrap_or_default().as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

impl<'a> FromRequest<'a> for PortalSession {
    async fn from_request(req: &'a Request, body: &mut RequestBody) -> poem::Result<Self> {
        let site = *req
            .data::<PortalSite>()
            .ok_or_else(|| AppError::Internal("portal site missing".into()))?;
        let state = req
            .data::<AppState>()
            .cloned()
            .ok_or_else(|| AppError::Internal("application state missing".into()))?;
        let tenant = CurrentTenant::from_request(req, body).await?.0;
        let session = <&Session>::from_request(req, body).await?.clone();
        let Some(principal) = session.get::<Principal>(site.session_key()) else {
            return Err(sign_in_required(req, site));
        };
        // A session started on another company's site (or the other portal) is
        // never accepted here; it is left alone for the site it belongs to.
        if principal.tenant != tenant.id().as_uuid() || principal.portal != site.portal {
            return Err(sign_in_required(req, site));
        }
        let contact = ContactId::from(principal.contact);
        let policy = state.policies.policy(&tenant, contact).await?;
        // Epochs only grow. A session older than the contact's epoch is over; a
        // newer one means this instance has not yet learnt the version that
        // carries it (a change committed an instant ago), which is no laxer
        // than serving that version's predecessor a moment longer.
        let policy =
            policy.filter(|p| p.has_portal(site.portal) && principal.epoch >= p.session_epoch());
        let Some(policy) = policy else {
            session.remove(site.session_key());
            return Err(sign_in_required(req, site));
        };
        let request_id = req
            .extensions()
            .get::<RequestId>()
            .map(|r| r.0.clone())
            .unwrap_or_default();
        Ok(PortalSession {
            state,
            tenant,
            site,
            contact,
            policy,
            request_id,
            session,
            principal,
        })
    }
}

impl PortalSession {
    pub fn portal(&self) -> Portal {
        self.site.portal
    }

    /// The accounts the contact may act for in this portal, by name.
    pub fn accounts(&self) -> Vec<(Uuid, &str)> {
        self.policy.accounts(self.site.portal)
    }

    /// The account the session acts for, as last chosen (it may have been
    /// revoked since: [`Self::resolve`] checks).
    pub fn chosen_account(&self) -> Option<Uuid> {
        self.principal.account
    }

    /// Who the audit log names for what this contact does.
    pub fn by(&self) -> By<'_> {
        By {
            actor: Actor::Contact(self.contact),
            request_id: Some(&self.request_id),
        }
    }

    /// A transaction on the contact's company.
    pub async fn tx(&self) -> Result<TenantTx, AppError> {
        Ok(self.state.db.tenant_tx(&self.tenant).await?)
    }

    /// Acts for `account` from now on, when the contact may; `None` (and no
    /// change) when it may not act for it, whatever the reason.
    pub fn act_for(&mut self, account: Uuid) -> Option<PortalScope> {
        let scope = self.policy.scope(self.site.portal, account)?;
        if self.principal.account != Some(account) {
            self.principal.account = Some(account);
            self.session.set(self.site.session_key(), &self.principal);
        }
        Some(scope)
    }

    /// The scope of the account this request acts for: the one a deep link
    /// names (`?account=`; switched to when `remember`), else the one chosen
    /// before while the contact still may act for it, else the contact's only
    /// account. `None` when there is no such account (several to choose from,
    /// or none). A deep link to an account the contact may not act for, of
    /// this company or another, is "not found".
    pub fn resolve(
        &mut self,
        requested: Option<&str>,
        remember: bool,
    ) -> Result<Option<PortalScope>, AppError> {
        let portal = self.site.portal;
        if let Some(requested) = requested {
            let id = Uuid::parse_str(requested.trim()).map_err(|_| AppError::NotFound)?;
            return if remember {
                self.act_for(id).map(Some).ok_or(AppError::NotFound)
            } else {
                self.policy
                    .scope(portal, id)
                    .map(Some)
                    .ok_or(AppError::NotFound)
            };
        }
        if let Some(scope) = self
            .principal
            .account
            .and_then(|id| self.policy.scope(portal, id))
        {
            return Ok(Some(scope));
        }
        let only = match self.accounts().as_slice() {
            [(id, _)] => Some(*id),
            _ => None,
        };
        Ok(match only {
            Some(id) if remember => self.act_for(id),
            Some(id) => self.policy.scope(portal, id),
            None => None,
        })
    }
}

/// A signed-in contact acting for an account of this portal, with what it may
/// see and do there. A deep link's `?account=` switches the account (404 when
/// the contact may not act for it). Without a chosen account the browser is
/// sent to the account picker, and without a valid session to the sign-in page.
pub struct SignedInContact {
    pub session: PortalSession,
    pub scope: PortalScope,
}

impl<'a> FromRequest<'a> for SignedInContact {
    async fn from_request(req: &'a Request, body: &mut RequestBody) -> poem::Result<Self> {
        let mut session = PortalSession::from_request(req, body).await?;
        let requested = query_param(req, "account");
        match session.resolve(requested.as_deref(), true)? {
            Some(scope) => Ok(SignedInContact { session, scope }),
            None => {
                let site = session.site;
                let target = coming_back(req, site, site.path("/accounts"));
                Err(poem::Error::from_response(
                    Redirect::see_other(target).into_response(),
                ))
            }
        }
    }
}
