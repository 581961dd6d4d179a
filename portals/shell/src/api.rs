//! The portal's JSON API (`{base}/api/v1`, poem-openapi), authenticated by the
//! portal session: `GET /me`, the contact's own profile (`GET`/`PUT
//! /profile`, as the profile page) and each portal's areas, with the OpenAPI
//! document at `/openapi.json`. Errors are RFC 9457 problem JSON, rendered by the site's
//! error middleware (401 without a valid session).

use poem::{Endpoint, EndpointExt, Route, http::Method};
use poem_openapi::{Enum, Object, OpenApi, OpenApiService, param::Query, payload::Json};
use portico_domain::{BranchScope, Portal, contact_profile::ContactProfileInput};
use portico_web::{Access, Api, AppError, problem::ApiError};
use uuid::Uuid;

use crate::{session::PortalSession, site::PortalSite};

/// A portal.
#[derive(Debug, Enum)]
#[oai(rename_all = "snake_case")]
pub(crate) enum PortalName {
    Customer,
    Supplier,
}

/// The signed-in contact.
#[derive(Debug, Object)]
pub(crate) struct MeContact {
    id: Uuid,
    name: String,
    #[oai(nullable)]
    email: Option<String>,
}

/// A customer or supplier the contact acts for.
#[derive(Debug, Object)]
pub(crate) struct MeAccount {
    id: Uuid,
    code: String,
    name: String,
}

/// A branch of the account.
#[derive(Debug, Object)]
pub(crate) struct MeBranch {
    id: Uuid,
    code: String,
    name: String,
}

/// The branches the contact sees in the account.
#[derive(Debug, Object)]
pub(crate) struct MeBranches {
    /// Every branch (also those added later); `false`: only `list`.
    all: bool,
    /// The visible branches, by name (every branch when `all`; empty for an
    /// account without branches).
    list: Vec<MeBranch>,
}

/// Who is signed in, for which account, and what it may do there.
#[derive(Debug, Object)]
pub(crate) struct Me {
    contact: MeContact,
    portal: PortalName,
    /// The account the contact acts for; `null` while it has several and has
    /// chosen none.
    #[oai(nullable)]
    account: Option<MeAccount>,
    /// The other accounts it may switch to, by name.
    other_accounts: Vec<MeAccount>,
    /// Granted permissions for the account (`object.action`), in display order.
    permissions: Vec<String>,
    branches: MeBranches,
}

/// The `me` operation, for one portal.
pub(crate) struct MeApi;

#[OpenApi]
impl MeApi {
    /// The signed-in contact, the account it acts for (the `account` asked for,
    /// else its current one), the other accounts it may switch to, its
    /// permissions there and the branches it sees.
    #[oai(path = "/me", method = "get", operation_id = "me")]
    async fn me(
        &self,
        session: PortalSession,
        /// An account id to report on instead of the current one (the session
        /// does not switch to it).
        account: Query<Option<String>>,
    ) -> Result<Json<Me>, ApiError> {
        let mut session = session;
        let scope = session.resolve(account.0.as_deref(), false)?;
        let ids: Vec<Uuid> = session.accounts().iter().map(|(id, _)| *id).collect();
        let mut tx = session.tx().await?;
        let contact = tx.contacts().find(session.contact).await?;
        let accounts = tx.portal_scope().accounts(session.portal(), &ids).await?;
        let branches = match &scope {
            Some(scope) => tx.portal_scope().visible_branches(scope).await?,
            None => Vec::new(),
        };
        tx.commit().await?;
        let contact = contact.ok_or(AppError::Unauthorized)?;
        let current = scope.as_ref().map(|s| s.account().as_uuid());
        let dto = |a: &portico_data::PortalAccount| MeAccount {
            id: a.id.as_uuid(),
            code: a.code.clone(),
            name: a.name.clone(),
        };
        Ok(Json(Me {
            contact: MeContact {
                id: contact.id.as_uuid(),
                name: contact.display_name,
                email: contact.fields.email.map(|e| e.as_str().to_owned()),
            },
            portal: match session.portal() {
                Portal::Customer => PortalName::Customer,
                Portal::Supplier => PortalName::Supplier,
            },
            account: accounts
                .iter()
                .find(|a| Some(a.id.as_uuid()) == current)
                .map(dto),
            other_accounts: accounts
                .iter()
                .filter(|a| Some(a.id.as_uuid()) != current)
                .map(dto)
                .collect(),
            permissions: scope
                .as_ref()
                .map(|s| {
                    s.permissions()
                        .iter()
                        .map(|p| p.name().to_owned())
                        .collect()
                })
                .unwrap_or_default(),
            branches: MeBranches {
                all: scope
                    .as_ref()
                    .is_some_and(|s| s.branches() == &BranchScope::All),
                list: branches
                    .into_iter()
                    .map(|b| MeBranch {
                        id: b.id.as_uuid(),
                        code: b.code,
                        name: b.name,
                    })
                    .collect(),
            },
        }))
    }
}

/// The contact's own profile: phones, address and language (blank: `null`).
#[derive(Debug, Object)]
pub(crate) struct ProfileJson {
    #[oai(nullable)]
    phone: Option<String>,
    #[oai(nullable)]
    mobile: Option<String>,
    #[oai(nullable)]
    street: Option<String>,
    #[oai(nullable)]
    city: Option<String>,
    #[oai(nullable)]
    state: Option<String>,
    #[oai(nullable)]
    postal_code: Option<String>,
    /// ISO 3166-1 alpha-2 (`DO`).
    #[oai(nullable)]
    country: Option<String>,
    /// `es` or `en`.
    #[oai(nullable)]
    preferred_language: Option<String>,
}

impl From<ContactProfileInput> for ProfileJson {
    fn from(p: ContactProfileInput) -> Self {
        let some = |v: String| (!v.is_empty()).then_some(v);
        ProfileJson {
            phone: some(p.phone),
            mobile: some(p.mobile),
            street: some(p.street),
            city: some(p.city),
            state: some(p.state),
            postal_code: some(p.postal_code),
            country: some(p.country),
            preferred_language: some(p.preferred_language),
        }
    }
}

impl From<ProfileJson> for ContactProfileInput {
    fn from(p: ProfileJson) -> Self {
        ContactProfileInput {
            phone: p.phone.unwrap_or_default(),
            mobile: p.mobile.unwrap_or_default(),
            street: p.street.unwrap_or_default(),
            city: p.city.unwrap_or_default(),
            state: p.state.unwrap_or_default(),
            postal_code: p.postal_code.unwrap_or_default(),
            country: p.country.unwrap_or_default(),
            preferred_language: p.preferred_language.unwrap_or_default(),
        }
    }
}

/// The contact's own profile, for one portal.
pub(crate) struct ProfileApi;

#[OpenApi]
impl ProfileApi {
    /// The signed-in contact's phones, address and language.
    #[oai(path = "/profile", method = "get", operation_id = "profile")]
    async fn profile(&self, session: PortalSession) -> Result<Json<ProfileJson>, ApiError> {
        let mut tx = session.tx().await?;
        let contact = tx.contacts().find(session.contact).await?;
        tx.commit().await?;
        let contact = contact.ok_or(AppError::Unauthorized)?;
        Ok(Json(ContactProfileInput::from(&contact.fields).into()))
    }

    /// Replaces the contact's phones, address and language (what is absent or
    /// `null` becomes blank), checked as the profile page checks them; the
    /// profile as saved. Name, email and access stay the company's.
    #[oai(path = "/profile", method = "put", operation_id = "set_profile")]
    async fn set_profile(
        &self,
        session: PortalSession,
        body: Json<ProfileJson>,
    ) -> Result<Json<ProfileJson>, ApiError> {
        let input = ContactProfileInput::from(body.0);
        crate::profile::save_profile(&session, &input).await?;
        self.profile(session).await
    }
}

/// The API's routes, to be nested at `{base}/api/v1`: the shell's `me` and the
/// operations of the portal's areas.
pub(crate) fn routes(
    site: PortalSite,
    areas: impl OpenApi + 'static,
    areas_access: Vec<(Method, &'static str, Access)>,
) -> Api<impl Endpoint> {
    let title = match site.portal {
        Portal::Customer => "Portico customer portal API",
        Portal::Supplier => "Portico supplier portal API",
    };
    let service = OpenApiService::new((MeApi, ProfileApi, areas), title, env!("CARGO_PKG_VERSION"))
        .description(
            "The portal's data for the signed-in contact of the company on this host, \
             authenticated by the portal session cookie. Errors are RFC 9457 problem details.",
        )
        .server(site.path("/api/v1"));
    let spec = service.spec();
    let endpoint = Route::new()
        .at("/openapi.json", service.spec_endpoint())
        .nest("/", service)
        .map_to_response();
    areas_access.into_iter().fold(
        Api::new(endpoint, &spec)
            .document("/openapi.json")
            .operation(Method::GET, "/me", Access::PortalSignedIn(site.portal))
            .operation(Method::GET, "/profile", Access::PortalSignedIn(site.portal))
            .operation(Method::PUT, "/profile", Access::PortalSignedIn(site.portal)),
        |api, (method, path, access)| api.operation(method, path, access),
    )
}
