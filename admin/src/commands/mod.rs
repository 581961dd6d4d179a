//! The back office's commands: each change a staff user or an API key can make
//! exists once here, shaped validate → authorize → write in one transaction →
//! audit → commit → wake the mailer. The page handlers and the admin API's
//! handlers only parse their input into these calls and render what they return.

pub(crate) mod accounts;
pub(crate) mod company;
pub(crate) mod contacts;
pub(crate) mod documents;
pub(crate) mod links;
pub(crate) mod orders;
pub(crate) mod portal_access;
pub(crate) mod purchases;
pub(crate) mod sales;
pub(crate) mod service;

use portico_authz::{Action, Area};
use portico_data::{Actor, By, Tenant, TenantTx};
use portico_domain::{AccountKind, StaffRole};
use portico_web::{AppError, AppState, Ui};

use crate::{SignedInStaff, access::policy, api::auth::Caller};

/// Who issues a command: the company, the back-office role it acts with, and
/// whom the audit log names. A signed-in staff user and an API caller are both one.
#[derive(Clone, Copy)]
pub(crate) struct Issuer<'a> {
    pub state: &'a AppState,
    pub tenant: &'a Tenant,
    pub role: StaffRole,
    pub by: By<'a>,
}

impl<'a> Issuer<'a> {
    /// A signed-in staff user, on the page `ui` serves.
    pub(crate) fn staff(staff: &'a SignedInStaff, ui: &'a Ui) -> Self {
        Self {
            state: &ui.state,
            tenant: &staff.tenant.0,
            role: staff.user.role,
            by: By {
                actor: Actor::Staff(staff.user.id),
                request_id: Some(&ui.request_id),
            },
        }
    }

    /// An admin API caller (a key or a staff user's session).
    pub(crate) fn api(caller: &'a Caller) -> Self {
        Self {
            state: &caller.state,
            tenant: &caller.tenant,
            role: caller.role,
            by: caller.by(),
        }
    }

    /// A transaction on the issuer's company.
    pub(crate) async fn tx(&self) -> Result<TenantTx, AppError> {
        Ok(self.state.db.tenant_tx(self.tenant).await?)
    }

    /// Refuses (403) unless the issuer's role may do `action` in `area`.
    pub(crate) async fn require(&self, area: Area, action: Action) -> Result<(), AppError> {
        if policy().await?.allows(self.role, area, action) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// Refuses (403) unless the issuer may change a contact linked to accounts
    /// of `kinds` (write on the contacts of every kind, or on contacts when none).
    pub(crate) async fn require_contact(&self, kinds: &[AccountKind]) -> Result<(), AppError> {
        if policy().await?.may_edit_contact(self.role, kinds) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// Wakes the mailer for what a committed command queued.
    pub(crate) fn wake_mailer(&self) {
        self.state.mail.kick(self.tenant);
    }
}
