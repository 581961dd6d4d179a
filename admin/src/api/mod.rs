//! The admin JSON API (`/api/v1`, poem-openapi): customers, suppliers, branches,
//! contacts and links, authenticated by an API key or the staff session, with the
//! OpenAPI document at `/api/v1/openapi.json` and interactive docs at `/api/v1/docs`.
//! Errors are RFC 9457 problem JSON, rendered by the site's error middleware.

mod accounts;
pub(crate) mod auth;
mod contacts;
mod dto;
mod portal;

use poem::{Endpoint, EndpointExt, Route};
use poem_openapi::{ApiResponse, OpenApiService, Tags, payload::Json, types::ToJSON};
pub(crate) use portico_web::problem::ApiError;

/// Every operation answers this; errors become problem JSON.
pub(crate) type Result<T> = std::result::Result<T, ApiError>;

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
pub fn routes() -> impl Endpoint {
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
    let spec = service.spec_endpoint();
    let docs = service.swagger_ui();
    Route::new()
        .at("/openapi.json", spec)
        .nest(
            "/docs",
            docs.with(
                poem::middleware::SetHeader::new()
                    .overriding("content-security-policy", portico_web::headers::DOCS_CSP),
            ),
        )
        .nest("/", service)
        .map_to_response()
}
