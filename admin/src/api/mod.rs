//! The admin JSON API (`/api/v1`, poem-openapi): customers, suppliers, branches,
//! contacts and links, authenticated by an API key or the staff session, with the
//! OpenAPI document at `/api/v1/openapi.json` and interactive docs at `/api/v1/docs`.
//! Errors are RFC 9457 problem JSON, rendered by the site's error middleware.

mod accounts;
mod auth;
mod contacts;
mod dto;
mod portal;

use poem::{Endpoint, EndpointExt, Route, http::Method};
use poem_openapi::{
    ApiResponse, Object, OpenApiService, Tags,
    payload::Json,
    registry::{MetaMediaType, MetaResponse, MetaResponses, Registry},
    types::{ToJSON, Type},
};
use portico_authz::{Action, Area};
use portico_domain::AccountKind;
use portico_web::{Access, Api, AppError};

/// Every operation answers this; errors become problem JSON.
pub(crate) type Result<T> = std::result::Result<T, ApiError>;

/// An error of an API operation, answered as RFC 9457 problem JSON by the site's
/// error middleware.
#[derive(Debug)]
pub(crate) struct ApiError(AppError);

impl From<AppError> for ApiError {
    fn from(error: AppError) -> Self {
        ApiError(error)
    }
}

impl From<portico_data::DataError> for ApiError {
    fn from(error: portico_data::DataError) -> Self {
        ApiError(error.into())
    }
}

impl From<ApiError> for poem::Error {
    fn from(error: ApiError) -> Self {
        error.0.into()
    }
}

/// RFC 9457 problem details, as every error is answered.
#[derive(Debug, Object)]
#[allow(dead_code)]
pub(crate) struct Problem {
    #[oai(rename = "type")]
    kind: String,
    title: String,
    status: u16,
    detail: String,
    instance: String,
    request_id: Option<String>,
    /// 422: each field's problem.
    errors: Option<Vec<FieldProblem>>,
    /// 409 on adding a contact: the contact that already has the email.
    existing_contact_id: Option<uuid::Uuid>,
}

/// One field's problem in a 422 answer.
#[derive(Debug, Object)]
#[allow(dead_code)]
pub(crate) struct FieldProblem {
    field: String,
    /// A stable code, e.g. `field-email-invalid`.
    code: String,
    /// The message in the caller's language (Accept-Language).
    message: String,
}

impl ApiResponse for ApiError {
    fn meta() -> MetaResponses {
        let problem = |status, description| MetaResponse {
            description,
            status: Some(status),
            status_range: None,
            content: vec![MetaMediaType {
                content_type: "application/problem+json",
                schema: Problem::schema_ref(),
            }],
            headers: vec![],
        };
        MetaResponses {
            responses: vec![
                problem(400, "The request is malformed."),
                problem(401, "No valid API key or session."),
                problem(403, "The caller's role does not allow this."),
                problem(404, "No such record in this company."),
                problem(
                    409,
                    "A contact with that email exists (`existing_contact_id`).",
                ),
                problem(422, "Some fields are invalid (`errors`)."),
            ],
        }
    }

    fn register(registry: &mut Registry) {
        Problem::register(registry);
    }
}

/// A created resource.
#[derive(ApiResponse)]
pub(crate) enum Created<T: ToJSON> {
    #[oai(status = 201)]
    Created(Json<T>),
}

#[derive(Tags)]
pub(crate) enum ApiTags {
    /// Customers, suppliers and customer branches.
    Accounts,
    /// Contacts and their links to customers and suppliers.
    Contacts,
    /// Contacts' access to the portals: per portal, per link, and portal roles.
    Portal,
}

/// Rows per page: 50 by default, 1 to 200.
pub(crate) fn page_size(limit: Option<u64>) -> u64 {
    limit.unwrap_or(50).clamp(1, 200)
}

/// The API's routes, to be nested at `/api/v1` on a company's site.
pub fn routes() -> Api<impl Endpoint> {
    let service = OpenApiService::new(
        (
            accounts::AccountsApi,
            contacts::ContactsApi,
            portal::PortalApi,
        ),
        "Portico admin API",
        env!("CARGO_PKG_VERSION"),
    )
    .description(
        "The back office's data for programs: customers, suppliers, branches and contacts \
         of the company on this host. Authenticate with `Authorization: Bearer <key>` \
         (keys are created on the back office's API page) or, from the back office, \
         with the session cookie and the `X-CSRF-Token` header. Errors are RFC 9457 \
         problem details.",
    )
    .server("/api/v1");
    let spec = service.spec();
    let docs = service.swagger_ui();
    let endpoint = Route::new()
        .at("/openapi.json", service.spec_endpoint())
        .nest(
            "/docs",
            docs.with(
                poem::middleware::SetHeader::new()
                    .overriding("content-security-policy", portico_web::headers::DOCS_CSP),
            ),
        )
        .nest("/", service)
        .map_to_response();
    operations(Api::new(endpoint, &spec))
}

/// The access case of each operation: a staff session or an API key whose role
/// may do the action in the area.
fn operations<E>(api: Api<E>) -> Api<E> {
    use Action::{Read, Write};
    let key = Access::staff_or_key;
    let mut api = api
        .document("/openapi.json")
        .document("/docs")
        .operation(Method::GET, "/contacts", key(Area::Contacts, Read))
        .operation(Method::POST, "/contacts", key(Area::Contacts, Write))
        .operation(Method::GET, "/contacts/:id", key(Area::Contacts, Read))
        .operation(Method::PUT, "/contacts/:id", key(Area::Contacts, Write))
        .operation(Method::DELETE, "/contacts/:id", key(Area::Contacts, Write))
        .operation(
            Method::POST,
            "/contacts/:id/archive",
            key(Area::Contacts, Write),
        )
        .operation(
            Method::POST,
            "/contacts/:id/restore",
            key(Area::Contacts, Write),
        )
        .operation(Method::GET, "/contacts/:id/history", key(Area::Audit, Read))
        .operation(
            Method::POST,
            "/contacts/:id/links",
            key(Area::Contacts, Write),
        )
        .operation(Method::PUT, "/links/:id", key(Area::Contacts, Write))
        .operation(Method::DELETE, "/links/:id", key(Area::Contacts, Write))
        .operation(
            Method::GET,
            "/contacts/:id/photo",
            key(Area::Contacts, Read),
        )
        .operation(
            Method::PUT,
            "/contacts/:id/photo",
            key(Area::Contacts, Write),
        )
        .operation(
            Method::DELETE,
            "/contacts/:id/photo",
            key(Area::Contacts, Write),
        )
        .operation(
            Method::GET,
            "/contacts/:id/portal-access",
            key(Area::Contacts, Read),
        )
        .operation(
            Method::PUT,
            "/contacts/:id/portal-access/:portal",
            key(Area::Contacts, Write),
        )
        .operation(
            Method::POST,
            "/contacts/:id/portal-invitation/:portal",
            key(Area::Contacts, Write),
        )
        .operation(
            Method::DELETE,
            "/contacts/:id/portal-invitation",
            key(Area::Contacts, Write),
        )
        .operation(Method::PUT, "/links/:id/access", key(Area::Contacts, Write))
        .operation(
            Method::GET,
            "/contacts/:id/access/explain",
            key(Area::Contacts, Read),
        )
        .operation(Method::GET, "/portal-roles", key(Area::Contacts, Read))
        .operation(Method::POST, "/portal-roles", key(Area::Settings, Write))
        .operation(Method::PUT, "/portal-roles/:id", key(Area::Settings, Write))
        .operation(
            Method::DELETE,
            "/portal-roles/:id",
            key(Area::Settings, Write),
        )
        .operation(
            Method::GET,
            "/customers/:id/branches",
            key(Area::Customers, Read),
        )
        .operation(
            Method::POST,
            "/customers/:id/branches",
            key(Area::Customers, Write),
        )
        .operation(
            Method::PUT,
            "/customers/:id/branches/:branch_id",
            key(Area::Customers, Write),
        );
    for kind in [AccountKind::Customer, AccountKind::Supplier] {
        let area = Area::accounts(kind);
        let path = |rest: &str| format!("/{}{rest}", kind.plural());
        api = api
            .operation(Method::GET, &path(""), key(area, Read))
            .operation(Method::POST, &path(""), key(area, Write))
            .operation(Method::GET, &path("/:id"), key(area, Read))
            .operation(Method::PUT, &path("/:id"), key(area, Write))
            .operation(Method::POST, &path("/:id/archive"), key(area, Write))
            .operation(Method::POST, &path("/:id/restore"), key(area, Write))
            .operation(Method::GET, &path("/:id/history"), key(area, Read))
            .operation(
                Method::POST,
                &path("/:id/contacts"),
                key(Area::contacts_of(kind), Write),
            );
    }
    api
}
