//! The customer portal, served at `/portal` on a company's site: its areas
//! (sales, receivables, quotes, orders, service requests, documents), served
//! inside the portals' shell (`portico-portal`), which keeps sign-in, sessions
//! and navigation. Sales and receivables show the customer's invoices, credit
//! notes, payments, ageing and statements, on screen and as PDFs; the other
//! areas are still empty states.

mod ageing;
mod api;
mod print;
mod receivables;
mod sales;
mod view;

use poem::{get, http::Method};
use portico_domain::{Permission, Portal};
use portico_portal::{Area, HomeCards, PortalApp, Routes};
use portico_web::Access;

pub use api::CustomerApi;

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
        "customer/branch_filter.html",
        include_str!("../templates/customer/branch_filter.html"),
    ),
    (
        "customer/statement_form.html",
        include_str!("../templates/customer/statement_form.html"),
    ),
];

/// The customer portal's part: its areas and their API.
pub struct CustomerPortal;

impl PortalApp for CustomerPortal {
    type Api = CustomerApi;

    fn portal(&self) -> Portal {
        Portal::Customer
    }

    fn areas(&self) -> Vec<Area> {
        let sales = Access::Portal(Portal::Customer, Permission::SalesView);
        let receivables = Access::Portal(Portal::Customer, Permission::ReceivablesView);
        let mut areas = vec![
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
        ];
        areas.extend(
            Portal::Customer
                .objects()
                .into_iter()
                .filter(|o| !["sales", "receivables"].contains(o))
                .map(|object| Area::empty(Portal::Customer, object)),
        );
        areas
    }

    fn api(&self) -> CustomerApi {
        CustomerApi
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
