//! The admin API's portal access: a contact's access to each portal and its
//! links' grants (roles, individual permissions, branches), the explainer, and
//! the company's portal roles. The same rules and audit as the back-office pages.

use poem_openapi::{
    Enum, Object, OpenApi,
    param::{Path, Query},
    payload::Json,
};
use portico_authz::{Action, Area};
use portico_data::{
    ContactId, DataError, LinkAccess, LinkAccessInput, LinkId, PortalRole, PortalRoleInput,
    TenantTx,
};
use portico_domain::{Portal, orders};
use portico_web::AppError;
use portico_web::text::Text;
use uuid::Uuid;

use super::{ApiTags, Created, Result, auth::Auth, contacts::load};
use crate::{
    commands::{Issuer, portal_access},
    portal_access::{Question, live_policy},
};

/// A portal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub(crate) enum PortalName {
    Customer,
    Supplier,
}

impl From<PortalName> for Portal {
    fn from(p: PortalName) -> Self {
        match p {
            PortalName::Customer => Portal::Customer,
            PortalName::Supplier => Portal::Supplier,
        }
    }
}

impl From<Portal> for PortalName {
    fn from(p: Portal) -> Self {
        match p {
            Portal::Customer => PortalName::Customer,
            Portal::Supplier => PortalName::Supplier,
        }
    }
}

/// A contact's portal access.
#[derive(Debug, Object)]
pub(crate) struct PortalAccessOut {
    pub customer_portal: bool,
    pub supplier_portal: bool,
    /// `none`, `invited`, `active` or `disabled`.
    pub status: String,
    pub links: Vec<LinkAccessOut>,
}

/// One link's grants.
#[derive(Debug, Object)]
pub(crate) struct LinkAccessOut {
    pub link_id: Uuid,
    pub account_id: Uuid,
    pub account_code: String,
    pub account_name: String,
    pub portal: PortalName,
    pub role_ids: Vec<Uuid>,
    /// Individual permissions, `object.action`.
    pub permissions: Vec<String>,
    /// Sees every branch (always true when the account has no branches).
    pub all_branches: bool,
    pub branch_ids: Vec<Uuid>,
    /// Up to what total the contact may accept quotes and authorize orders,
    /// in the company's currency (`null`: no limit).
    #[oai(nullable)]
    pub approval_limit: Option<String>,
}

impl From<&LinkAccess> for LinkAccessOut {
    fn from(l: &LinkAccess) -> Self {
        Self {
            link_id: l.link_id.as_uuid(),
            account_id: l.account_id.as_uuid(),
            account_code: l.account_code.clone(),
            account_name: l.account_name.clone(),
            portal: l.portal.into(),
            role_ids: l.role_ids.clone(),
            permissions: l.permissions.clone(),
            all_branches: l.all_branches,
            branch_ids: l.branch_ids.clone(),
            approval_limit: l.approval_limit.map(|d| d.to_string()),
        }
    }
}

/// Access to one portal on or off.
#[derive(Debug, Object)]
pub(crate) struct AccessToggle {
    pub enabled: bool,
}

/// A link's grants, replacing what it had.
#[derive(Debug, Object)]
pub(crate) struct LinkAccessBody {
    #[oai(default, nullable)]
    pub role_ids: Vec<Uuid>,
    /// `object.action` names of the link's portal.
    #[oai(default, nullable)]
    pub permissions: Vec<Text>,
    /// `false` with `branch_ids` restricts a customer link with branches enabled.
    #[oai(default = "yes", nullable)]
    pub all_branches: bool,
    #[oai(default, nullable)]
    pub branch_ids: Vec<Uuid>,
    /// Up to what total the contact may accept quotes and authorize orders,
    /// in the company's currency, two decimals at most (`"5000.00"`);
    /// absent or `null`: no limit.
    #[oai(nullable, validator(max_length = 20))]
    pub approval_limit: Option<Text>,
}

fn yes() -> bool {
    true
}

/// Why a contact may or may not do something.
#[derive(Debug, Object)]
pub(crate) struct ExplanationOut {
    pub allowed: bool,
    pub steps: Vec<StepOut>,
}

/// One link of the chain.
#[derive(Debug, Object)]
pub(crate) struct StepOut {
    /// `ok`, `no` or `info`.
    pub outcome: String,
    /// A stable code, e.g. `explain-role`.
    pub code: String,
    /// What the step is about (a role, an account, a branch…).
    pub subject: String,
}

/// A portal role.
#[derive(Debug, Object)]
pub(crate) struct PortalRoleOut {
    pub id: Uuid,
    pub portal: PortalName,
    /// Set for the built-in roles.
    #[oai(nullable)]
    pub seed_key: Option<String>,
    pub name_es: String,
    pub name_en: String,
    pub permissions: Vec<String>,
}

impl From<&PortalRole> for PortalRoleOut {
    fn from(r: &PortalRole) -> Self {
        Self {
            id: r.id,
            portal: r.portal.into(),
            seed_key: r.seed_key.clone(),
            name_es: r.name_es.clone(),
            name_en: r.name_en.clone(),
            permissions: r.permissions.clone(),
        }
    }
}

/// A new role: its portal and what it is called and grants.
#[derive(Debug, Object)]
pub(crate) struct NewPortalRoleBody {
    /// The portal whose permissions the role grants; a role keeps its portal.
    pub portal: PortalName,
    #[oai(flatten)]
    pub role: PortalRoleBody,
}

/// A role as written.
#[derive(Debug, Object)]
pub(crate) struct PortalRoleBody {
    pub name_es: Text,
    #[oai(default, nullable)]
    pub name_en: Text,
    #[oai(default, nullable)]
    pub permissions: Vec<Text>,
}

impl From<&PortalRoleBody> for PortalRoleInput {
    fn from(b: &PortalRoleBody) -> Self {
        Self {
            name_es: b.name_es.0.clone(),
            name_en: b.name_en.0.clone(),
            permissions: b.permissions.iter().map(|t| t.0.clone()).collect(),
        }
    }
}

async fn access_out(tx: &mut TenantTx, id: ContactId) -> Result<PortalAccessOut> {
    let contact = tx.contacts().find(id).await?.ok_or(AppError::NotFound)?;
    let links = tx.link_grants().of_contact(id).await?;
    Ok(PortalAccessOut {
        customer_portal: contact.portal.customer,
        supplier_portal: contact.portal.supplier,
        status: contact.portal.status.as_str().to_owned(),
        links: links.iter().map(LinkAccessOut::from).collect(),
    })
}

/// A contact's portal access as it is now (after a command committed).
async fn access_of(caller: &super::auth::Caller, id: ContactId) -> Result<Json<PortalAccessOut>> {
    let mut tx = caller.tx().await?;
    let out = access_out(&mut tx, id).await?;
    tx.commit().await?;
    Ok(Json(out))
}

fn invalid(e: DataError) -> super::ApiError {
    e.into()
}

/// Portal access: per contact, per link, and the company's roles.
pub(crate) struct PortalApi;

#[OpenApi(tag = "ApiTags::Portal")]
impl PortalApi {
    /// A contact's access to the portals and the grants of each of its links.
    #[oai(path = "/contacts/:id/portal-access", method = "get")]
    async fn portal_access(&self, auth: Auth, id: Path<Uuid>) -> Result<Json<PortalAccessOut>> {
        let caller = auth.caller();
        caller.require(Area::Contacts, Action::Read).await?;
        access_of(caller, id.0.into()).await
    }

    /// Turns a contact's access to a portal on or off (on needs a main email).
    #[oai(path = "/contacts/:id/portal-access/:portal", method = "put")]
    async fn set_portal_access(
        &self,
        auth: Auth,
        id: Path<Uuid>,
        portal: Path<PortalName>,
        body: Json<AccessToggle>,
    ) -> Result<Json<PortalAccessOut>> {
        let caller = auth.caller();
        let id = ContactId::from(id.0);
        let on = body.0.enabled;
        portal_access::set_access(&Issuer::api(caller), id, portal.0.into(), on).await?;
        access_of(caller, id).await
    }

    /// Sends a new invitation to a portal the contact has access to but has not
    /// set a password for yet; earlier links stop working.
    #[oai(path = "/contacts/:id/portal-invitation/:portal", method = "post")]
    async fn send_invitation(
        &self,
        auth: Auth,
        id: Path<Uuid>,
        portal: Path<PortalName>,
    ) -> Result<Json<PortalAccessOut>> {
        let caller = auth.caller();
        let id = ContactId::from(id.0);
        portal_access::resend_invitation(&Issuer::api(caller), id, portal.0.into()).await?;
        access_of(caller, id).await
    }

    /// Voids every pending invitation of the contact.
    #[oai(path = "/contacts/:id/portal-invitation", method = "delete")]
    async fn revoke_invitation(&self, auth: Auth, id: Path<Uuid>) -> Result<Json<PortalAccessOut>> {
        let caller = auth.caller();
        let id = ContactId::from(id.0);
        portal_access::revoke_invitations(&Issuer::api(caller), id).await?;
        access_of(caller, id).await
    }

    /// Replaces a link's roles, individual permissions and visible branches.
    #[oai(path = "/links/:id/access", method = "put")]
    async fn set_link_access(
        &self,
        auth: Auth,
        id: Path<Uuid>,
        body: Json<LinkAccessBody>,
    ) -> Result<Json<LinkAccessOut>> {
        let approval_limit =
            orders::parse_limit(body.0.approval_limit.as_ref().map_or("", |l| l.0.as_str()))
                .map_err(|message| {
                    let mut errors = portico_domain::FieldErrors::default();
                    errors.add("approval_limit", message);
                    AppError::Invalid(errors)
                })?;
        let input = LinkAccessInput {
            approval_limit,
            role_ids: body.0.role_ids,
            permissions: body.0.permissions.iter().map(|t| t.0.clone()).collect(),
            all_branches: body.0.all_branches,
            branch_ids: body.0.branch_ids,
        };
        let issuer = Issuer::api(auth.caller());
        let link = LinkId::from(id.0);
        let (_, saved) = portal_access::set_link_access(&issuer, link, &input).await?;
        Ok(Json(LinkAccessOut::from(&saved)))
    }

    /// Why a contact may or may not do `permission` (`object.action`) for the
    /// account of `link`, and in `branch` for a branch-bound record. With
    /// `document` (a quote's or order's number of that account): whether it
    /// may authorize that one — its kind's permission in its branch, then
    /// whether it waits for a decision, the company's four-eyes rule and the
    /// link's approval limit against its total.
    #[oai(path = "/contacts/:id/access/explain", method = "get")]
    async fn explain(
        &self,
        auth: Auth,
        id: Path<Uuid>,
        link: Query<Uuid>,
        #[oai(default)] permission: Query<String>,
        branch: Query<Option<Uuid>>,
        #[oai(validator(max_length = 50))] document: Query<Option<String>>,
    ) -> Result<Json<ExplanationOut>> {
        let caller = auth.caller();
        caller.require(Area::Contacts, Action::Read).await?;
        let mut tx = caller.tx().await?;
        let contact = load(&mut tx, id.0).await?;
        let links = tx.link_grants().of_contact(contact.id).await?;
        let branch = branch.0.map(|id| id.to_string()).unwrap_or_default();
        let question = Question::ask(
            &mut tx,
            &links,
            &link.0.to_string(),
            &permission.0,
            &branch,
            document.0.as_deref().unwrap_or_default(),
        )
        .await
        .map_err(AppError::Invalid)?;
        let policy = live_policy(&mut tx, contact.id).await?;
        tx.commit().await?;
        let explanation = question.answer(policy.as_ref());
        Ok(Json(ExplanationOut {
            allowed: explanation.allowed,
            steps: explanation
                .steps
                .into_iter()
                .map(|s| StepOut {
                    outcome: s.outcome.to_owned(),
                    code: s.message.to_owned(),
                    subject: s.subject,
                })
                .collect(),
        }))
    }

    /// The company's portal roles, built-in and its own.
    #[oai(path = "/portal-roles", method = "get")]
    async fn portal_roles(&self, auth: Auth) -> Result<Json<Vec<PortalRoleOut>>> {
        let caller = auth.caller();
        caller.require(Area::Contacts, Action::Read).await?;
        let mut tx = caller.tx().await?;
        let roles = tx.portal_roles().list(None).await?;
        tx.commit().await?;
        Ok(Json(roles.iter().map(PortalRoleOut::from).collect()))
    }

    /// Adds a role to a portal.
    #[oai(path = "/portal-roles", method = "post")]
    async fn create_portal_role(
        &self,
        auth: Auth,
        body: Json<NewPortalRoleBody>,
    ) -> Result<Created<PortalRoleOut>> {
        let caller = auth.caller();
        caller.require(Area::Settings, Action::Write).await?;
        let mut tx = caller.tx().await?;
        let id = tx
            .portal_roles()
            .create(body.0.portal.into(), &(&body.0.role).into(), caller.by())
            .await
            .map_err(invalid)?;
        let role = tx
            .portal_roles()
            .find(id)
            .await?
            .ok_or(AppError::NotFound)?;
        tx.commit().await?;
        Ok(Created::Created(Json(PortalRoleOut::from(&role))))
    }

    /// Renames a role and replaces its permissions.
    #[oai(path = "/portal-roles/:id", method = "put")]
    async fn update_portal_role(
        &self,
        auth: Auth,
        id: Path<Uuid>,
        body: Json<PortalRoleBody>,
    ) -> Result<Json<PortalRoleOut>> {
        let caller = auth.caller();
        caller.require(Area::Settings, Action::Write).await?;
        let mut tx = caller.tx().await?;
        if !tx
            .portal_roles()
            .update(id.0, &(&body.0).into(), caller.by())
            .await
            .map_err(invalid)?
        {
            return Err(AppError::NotFound.into());
        }
        let role = tx
            .portal_roles()
            .find(id.0)
            .await?
            .ok_or(AppError::NotFound)?;
        tx.commit().await?;
        Ok(Json(PortalRoleOut::from(&role)))
    }

    /// Deletes a role; the links that held it lose its permissions at once.
    #[oai(path = "/portal-roles/:id", method = "delete")]
    async fn delete_portal_role(&self, auth: Auth, id: Path<Uuid>) -> Result<Json<PortalRoleOut>> {
        let caller = auth.caller();
        caller.require(Area::Settings, Action::Write).await?;
        let mut tx = caller.tx().await?;
        let role = tx
            .portal_roles()
            .find(id.0)
            .await?
            .ok_or(AppError::NotFound)?;
        tx.portal_roles().delete(id.0, caller.by()).await?;
        tx.commit().await?;
        Ok(Json(PortalRoleOut::from(&role)))
    }
}
