//! The customer portal, served at `/portal` on a company's site: its areas
//! (sales, receivables, quotes, orders, service requests, documents), served
//! inside the portals' shell (`portico-portal`), which keeps sign-in, sessions
//! and navigation. Sales and receivables show the customer's invoices, credit
//! notes, payments, ageing and statements, on screen and as PDFs; quotes and
//! orders are requested from the catalogue and decided within each contact's
//! approval limit; documents list what the company shares, each with its
//! earlier versions; service requests are opened with files and followed
//! in a thread both sides write in. Whoever may authorize a quote or order
//! left waiting by a step in the portal is told by mail.

mod ageing;
mod api;
mod approvers;
mod documents;
mod documents_api;
mod ordering;
mod orders;
mod orders_api;
mod print;
mod receivables;
mod requesting;
mod sales;
mod service;
mod service_api;

use poem::{get, http::Method, post};
use portico_domain::{Permission, Portal};
use portico_portal::{Area, HomeCards, PortalApp, Routes, view};
use portico_web::{Access, ByMethod};

pub use api::CustomerApi;
pub use documents_api::DocumentsApi;
pub use orders_api::OrdersApi;
pub use service_api::ServiceApi;

/// The customer portal's templates.
pub const TEMPLATES: &[(&str, &str)] = &[
    (
        "customer/invoices.html",
        include_str!("../templates/customer/invoices.html"),
    ),
    (
        "customer/payments.html",
        include_str!("../templates/customer/payments.html"),
    ),
    (
        "customer/invoice.html",
        include_str!("../templates/customer/invoice.html"),
    ),
    (
        "customer/payment.html",
        include_str!("../templates/customer/payment.html"),
    ),
    (
        "customer/receivables.html",
        include_str!("../templates/customer/receivables.html"),
    ),
    (
        "customer/statement.html",
        include_str!("../templates/customer/statement.html"),
    ),
    (
        "customer/home_cards.html",
        include_str!("../templates/customer/home_cards.html"),
    ),
    (
        "customer/statement_form.html",
        include_str!("../templates/customer/statement_form.html"),
    ),
    (
        "customer/orders.html",
        include_str!("../templates/customer/orders.html"),
    ),
    (
        "customer/order.html",
        include_str!("../templates/customer/order.html"),
    ),
    (
        "customer/documents.html",
        include_str!("../templates/customer/documents.html"),
    ),
    (
        "customer/document.html",
        include_str!("../templates/customer/document.html"),
    ),
    (
        "customer/service_requests.html",
        include_str!("../templates/customer/service_requests.html"),
    ),
    (
        "customer/service_request.html",
        include_str!("../templates/customer/service_request.html"),
    ),
    (
        "customer/service_request_new.html",
        include_str!("../templates/customer/service_request_new.html"),
    ),
    (
        "customer/order_new.html",
        include_str!("../templates/customer/order_new.html"),
    ),
];

/// The access case of a customer-portal permission.
fn portal(permission: Permission) -> Access {
    Access::Portal(Portal::Customer, permission)
}

/// The customer portal's part: its areas and their API.
pub struct CustomerPortal;

impl PortalApp for CustomerPortal {
    type Api = (CustomerApi, OrdersApi, DocumentsApi, ServiceApi);

    fn portal(&self) -> Portal {
        Portal::Customer
    }

    fn areas(&self) -> Vec<Area> {
        let sales = Access::Portal(Portal::Customer, Permission::SalesView);
        let receivables = Access::Portal(Portal::Customer, Permission::ReceivablesView);
        let documents_view = portal(Permission::DocumentsView);
        let service_view = portal(Permission::ServiceRequestsView);
        let service_create = portal(Permission::ServiceRequestsCreate);
        vec![
            Area::new(
                "sales",
                Routes::new()
                    .at("/", sales, get(sales::invoices))
                    .at("/payments", sales, get(sales::payments))
                    .at("/invoices/:id", sales, get(sales::invoice))
                    .at("/invoices/:id/pdf", sales, get(print::invoice_pdf))
                    .at("/payments/:id", sales, get(sales::payment)),
            ),
            Area::new(
                "receivables",
                Routes::new()
                    .at("/", receivables, get(receivables::page))
                    .at("/statement", receivables, get(receivables::statement))
                    .at("/statement/pdf", receivables, get(print::statement_pdf)),
            ),
            Area::new(
                "quotes",
                Routes::new()
                    .at(
                        "/",
                        ByMethod::get(portal(Permission::QuotesView))
                            .post(portal(Permission::QuotesCreate)),
                        get(orders::quotes).post(orders::create_quote),
                    )
                    .at(
                        "/new",
                        portal(Permission::QuotesCreate),
                        get(orders::new_quote),
                    )
                    .at("/:id", portal(Permission::QuotesView), get(orders::quote))
                    .at(
                        "/:id/pdf",
                        portal(Permission::QuotesView),
                        get(print::quote_pdf),
                    )
                    .at(
                        "/:id/decision",
                        ByMethod::post_only(portal(Permission::QuotesAuthorize)),
                        post(orders::decide_quote),
                    ),
            ),
            Area::new(
                "orders",
                Routes::new()
                    .at(
                        "/",
                        ByMethod::get(portal(Permission::OrdersView))
                            .post(portal(Permission::OrdersCreate)),
                        get(orders::orders).post(orders::create_order),
                    )
                    .at(
                        "/new",
                        portal(Permission::OrdersCreate),
                        get(orders::new_order),
                    )
                    .at("/:id", portal(Permission::OrdersView), get(orders::order))
                    .at(
                        "/:id/pdf",
                        portal(Permission::OrdersView),
                        get(print::order_pdf),
                    )
                    .at(
                        "/:id/decision",
                        ByMethod::post_only(portal(Permission::OrdersAuthorize)),
                        post(orders::decide_order),
                    )
                    .at(
                        "/:id/again",
                        ByMethod::post_only(portal(Permission::OrdersCreate)),
                        post(orders::again),
                    )
                    .at(
                        "/from-quote/:id",
                        ByMethod::post_only(portal(Permission::OrdersCreate)),
                        post(orders::from_quote),
                    ),
            ),
            Area::new(
                "documents",
                Routes::new()
                    .at("/", documents_view, get(documents::list))
                    .at("/:id", documents_view, get(documents::show))
                    .at(
                        "/:id/versions/:n",
                        documents_view,
                        get(documents::version_file),
                    ),
            ),
            Area::new(
                "service_requests",
                Routes::new()
                    .at(
                        "/",
                        ByMethod::get(service_view).post(service_create),
                        get(service::list).post(service::create),
                    )
                    .at("/new", service_create, get(service::new))
                    .at("/:id", service_view, get(service::show))
                    .at(
                        "/:id/comments",
                        ByMethod::post_only(service_create),
                        post(service::comment),
                    )
                    .at("/:id/files/:file", service_view, get(service::attachment)),
            ),
        ]
    }

    fn api(&self) -> (CustomerApi, OrdersApi, DocumentsApi, ServiceApi) {
        (CustomerApi, OrdersApi, DocumentsApi, ServiceApi)
    }

    fn api_access(&self) -> Vec<(Method, &'static str, Access)> {
        let sales = Access::Portal(Portal::Customer, Permission::SalesView);
        let receivables = Access::Portal(Portal::Customer, Permission::ReceivablesView);
        vec![
            (Method::GET, "/invoices", sales),
            (Method::GET, "/invoices/:id", sales),
            (Method::GET, "/payments", sales),
            (Method::GET, "/payments/:id", sales),
            (Method::GET, "/receivables", receivables),
            (Method::GET, "/receivables/open-items", receivables),
            (Method::GET, "/receivables/statement", receivables),
            (
                Method::GET,
                "/quotes/catalogue",
                portal(Permission::QuotesCreate),
            ),
            (
                Method::GET,
                "/orders/catalogue",
                portal(Permission::OrdersCreate),
            ),
            (
                Method::GET,
                "/quotes/waiting",
                portal(Permission::QuotesAuthorize),
            ),
            (
                Method::GET,
                "/orders/waiting",
                portal(Permission::OrdersAuthorize),
            ),
            (Method::GET, "/quotes", portal(Permission::QuotesView)),
            (Method::POST, "/quotes", portal(Permission::QuotesCreate)),
            (Method::GET, "/quotes/:id", portal(Permission::QuotesView)),
            (
                Method::POST,
                "/quotes/:id/decision",
                portal(Permission::QuotesAuthorize),
            ),
            (Method::GET, "/orders", portal(Permission::OrdersView)),
            (Method::POST, "/orders", portal(Permission::OrdersCreate)),
            (Method::GET, "/orders/:id", portal(Permission::OrdersView)),
            (
                Method::POST,
                "/orders/:id/decision",
                portal(Permission::OrdersAuthorize),
            ),
            (
                Method::POST,
                "/orders/from-quote/:id",
                portal(Permission::OrdersCreate),
            ),
            (
                Method::POST,
                "/orders/:id/again",
                portal(Permission::OrdersCreate),
            ),
            (Method::GET, "/documents", portal(Permission::DocumentsView)),
            (
                Method::GET,
                "/documents/:id",
                portal(Permission::DocumentsView),
            ),
            (
                Method::GET,
                "/documents/:id/versions/:version/file",
                portal(Permission::DocumentsView),
            ),
            (
                Method::GET,
                "/service-requests",
                portal(Permission::ServiceRequestsView),
            ),
            (
                Method::POST,
                "/service-requests",
                portal(Permission::ServiceRequestsCreate),
            ),
            (
                Method::GET,
                "/service-requests/:id",
                portal(Permission::ServiceRequestsView),
            ),
            (
                Method::POST,
                "/service-requests/:id/comments",
                portal(Permission::ServiceRequestsCreate),
            ),
            (
                Method::POST,
                "/service-requests/:id/files",
                portal(Permission::ServiceRequestsCreate),
            ),
            (
                Method::GET,
                "/service-requests/:id/files/:file_id",
                portal(Permission::ServiceRequestsView),
            ),
        ]
    }

    fn home_cards(&self) -> Option<HomeCards> {
        Some(receivables::home_cards)
    }
}

/// The portal's routes, to be nested under `/portal`.
pub fn routes() -> Routes {
    portico_portal::routes(CustomerPortal)
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_area_of_the_customer_portal_is_served() {
        let routes = super::routes();
        for object in portico_domain::Portal::Customer.objects() {
            assert!(
                routes.patterns().contains(&format!("/{object}")),
                "{object}"
            );
        }
    }
}
