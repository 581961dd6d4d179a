//! The admin JSON API (`/api/v1`, poem-openapi): customers, suppliers, branches,
//! contacts and links, authenticated by an API key or the staff session, with the
//! OpenAPI document at `/api/v1/openapi.json` and interactive docs at `/api/v1/docs`.
//! Errors are RFC 9457 problem JSON, rendered by the site's error middleware.

mod accounts;
pub(crate) mod auth;
mod contacts;
mod documents;
mod dto;
mod orders;
mod portal;
mod purchases;
mod sales;
mod service;

use poem::{Endpoint, EndpointExt, Route, http::Method};
use poem_openapi::{ApiResponse, OpenApiService, Tags, payload::Json, types::ToJSON};
use portico_authz::{Action, Area};
use portico_domain::AccountKind;
pub(crate) use portico_web::problem::ApiError;
use portico_web::{Access, Api};

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
    /// Customers' invoices, credit notes and payments, pushed by an ERP.
    Sales,
    /// The items catalogue, customers' prices, quotes and orders.
    Orders,
    /// Documents shared with customers and their versions.
    Documents,
    /// Customers' service requests and their threads.
    Service,
    /// Purchase orders placed with suppliers, and the suppliers' answers.
    Purchases,
}

/// Rows per page when a list's `limit` is not given. The parameter declares its
/// bounds (1 to 200): a number outside them is refused with a 400, not clamped.
pub(crate) fn default_limit() -> u64 {
    50
}

/// The API's routes, to be nested at `/api/v1` on a company's site.
pub fn routes() -> Api<impl Endpoint> {
    let service = OpenApiService::new(
        (
            accounts::AccountsApi,
            contacts::ContactsApi,
            portal::PortalApi,
            sales::SalesApi,
            orders::OrdersApi,
            documents::DocumentsApi,
            service::ServiceApi,
            purchases::PurchasesApi,
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
        )
        .operation(Method::PUT, "/goods-receipts", key(Area::Purchases, Write))
        .operation(
            Method::GET,
            "/supplier-invoices",
            key(Area::Purchases, Read),
        )
        .operation(
            Method::GET,
            "/supplier-invoices/:id",
            key(Area::Purchases, Read),
        )
        .operation(
            Method::POST,
            "/supplier-invoices/:id/decision",
            key(Area::Purchases, Write),
        )
        .operation(Method::GET, "/purchase-orders", key(Area::Purchases, Read))
        .operation(Method::PUT, "/purchase-orders", key(Area::Purchases, Write))
        .operation(
            Method::GET,
            "/purchase-orders/:id",
            key(Area::Purchases, Read),
        )
        .operation(
            Method::POST,
            "/purchase-orders/:id/review",
            key(Area::Purchases, Write),
        )
        .operation(
            Method::POST,
            "/purchase-orders/:id/send",
            key(Area::Purchases, Write),
        )
        .operation(
            Method::POST,
            "/purchase-orders/:id/close",
            key(Area::Purchases, Write),
        )
        .operation(
            Method::POST,
            "/purchase-orders/:id/cancel",
            key(Area::Purchases, Write),
        )
        .operation(Method::GET, "/invoices", key(Area::Sales, Read))
        .operation(Method::PUT, "/invoices", key(Area::Sales, Write))
        .operation(Method::GET, "/invoices/:id", key(Area::Sales, Read))
        .operation(Method::GET, "/payments", key(Area::Sales, Read))
        .operation(Method::PUT, "/payments", key(Area::Sales, Write))
        .operation(Method::GET, "/payments/:id", key(Area::Sales, Read))
        .operation(Method::GET, "/items", key(Area::Sales, Read))
        .operation(Method::PUT, "/items", key(Area::Sales, Write))
        .operation(Method::PUT, "/prices", key(Area::Sales, Write))
        .operation(Method::GET, "/quotes", key(Area::Sales, Read))
        .operation(Method::PUT, "/quotes", key(Area::Sales, Write))
        .operation(Method::GET, "/quotes/:id", key(Area::Sales, Read))
        .operation(Method::PUT, "/quotes/:id", key(Area::Sales, Write))
        .operation(Method::POST, "/quotes/:id/send", key(Area::Sales, Write))
        .operation(Method::GET, "/orders", key(Area::Sales, Read))
        .operation(Method::PUT, "/orders", key(Area::Sales, Write))
        .operation(Method::GET, "/orders/:id", key(Area::Sales, Read))
        .operation(Method::POST, "/orders/:id/fulfil", key(Area::Sales, Write))
        .operation(Method::POST, "/orders/:id/cancel", key(Area::Sales, Write))
        .operation(Method::GET, "/documents", key(Area::Sales, Read))
        .operation(Method::POST, "/documents", key(Area::Sales, Write))
        .operation(Method::GET, "/documents/:id", key(Area::Sales, Read))
        .operation(Method::PUT, "/documents/:id", key(Area::Sales, Write))
        .operation(Method::DELETE, "/documents/:id", key(Area::Sales, Write))
        .operation(
            Method::POST,
            "/documents/:id/versions",
            key(Area::Sales, Write),
        )
        .operation(
            Method::GET,
            "/documents/:id/versions/:version/file",
            key(Area::Sales, Read),
        )
        .operation(Method::GET, "/service-requests", key(Area::Sales, Read))
        .operation(Method::POST, "/service-requests", key(Area::Sales, Write))
        .operation(Method::GET, "/service-requests/:id", key(Area::Sales, Read))
        .operation(
            Method::POST,
            "/service-requests/:id/comments",
            key(Area::Sales, Write),
        )
        .operation(
            Method::POST,
            "/service-requests/:id/files",
            key(Area::Sales, Write),
        )
        .operation(
            Method::GET,
            "/service-requests/:id/files/:file_id",
            key(Area::Sales, Read),
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
