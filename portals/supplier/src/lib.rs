//! The supplier portal, served at `/supplier` on a company's site: its areas
//! (purchase orders, supplier invoices, payables, documents), served inside
//! the portals' shell (`portico-portal`), which keeps sign-in, sessions and
//! navigation. Purchase orders are listed, read, printed and acknowledged
//! line by line; invoices are made from them, pre-matched and submitted;
//! the other areas are still empty states.

mod acknowledging;
mod api;
mod invoices;
mod invoicing;
mod purchase_orders;

use poem::{get, http::Method, post};
use portico_domain::{Permission, Portal};
use portico_portal::{Area, HomeCards, PortalApp, Routes};
use portico_web::{Access, ByMethod};

pub use api::SupplierApi;

/// The supplier portal's templates.
pub const TEMPLATES: &[(&str, &str)] = &[
    (
        "supplier/purchase_orders.html",
        include_str!("../templates/supplier/purchase_orders.html"),
    ),
    (
        "supplier/purchase_order.html",
        include_str!("../templates/supplier/purchase_order.html"),
    ),
    (
        "supplier/invoices.html",
        include_str!("../templates/supplier/invoices.html"),
    ),
    (
        "supplier/invoice_new.html",
        include_str!("../templates/supplier/invoice_new.html"),
    ),
    (
        "supplier/invoice.html",
        include_str!("../templates/supplier/invoice.html"),
    ),
    (
        "supplier/home_cards.html",
        include_str!("../templates/supplier/home_cards.html"),
    ),
];

/// The access case of a supplier-portal permission.
fn portal(permission: Permission) -> Access {
    Access::Portal(Portal::Supplier, permission)
}

/// The supplier portal's part: its areas and their API.
pub struct SupplierPortal;

impl PortalApp for SupplierPortal {
    type Api = SupplierApi;

    fn portal(&self) -> Portal {
        Portal::Supplier
    }

    /// Purchase orders and invoices have their records; the other areas are
    /// still empty states, each to get its records with the supplier
    /// portal's issue.
    fn areas(&self) -> Vec<Area> {
        let view = portal(Permission::PurchaseOrdersView);
        let invoices = portal(Permission::SupplierInvoicesView);
        let create = portal(Permission::SupplierInvoicesCreate);
        let mut areas = vec![
            Area::new(
                "purchase_orders",
                Routes::new()
                    .at("/", view, get(purchase_orders::list))
                    .at("/:id", view, get(purchase_orders::show))
                    .at("/:id/pdf", view, get(purchase_orders::pdf))
                    .at(
                        "/:id/acknowledgement",
                        ByMethod::post_only(portal(Permission::PurchaseOrdersAcknowledge)),
                        post(purchase_orders::acknowledge),
                    ),
            ),
            Area::new(
                "supplier_invoices",
                Routes::new()
                    .at("/", invoices, get(invoices::list))
                    .at("/new", create, get(invoices::new).post(invoices::create))
                    .at("/:id", invoices, get(invoices::show)),
            ),
        ];
        areas.extend(
            Portal::Supplier
                .objects()
                .into_iter()
                .filter(|object| !["purchase_orders", "supplier_invoices"].contains(object))
                .map(|object| Area::empty(Portal::Supplier, object)),
        );
        areas
    }

    fn api(&self) -> SupplierApi {
        SupplierApi
    }

    fn api_access(&self) -> Vec<(Method, &'static str, Access)> {
        vec![
            (
                Method::GET,
                "/purchase-orders",
                portal(Permission::PurchaseOrdersView),
            ),
            (
                Method::GET,
                "/purchase-orders/:id",
                portal(Permission::PurchaseOrdersView),
            ),
            (
                Method::POST,
                "/purchase-orders/:id/acknowledgement",
                portal(Permission::PurchaseOrdersAcknowledge),
            ),
            (
                Method::GET,
                "/supplier-invoices",
                portal(Permission::SupplierInvoicesView),
            ),
            (
                Method::GET,
                "/supplier-invoices/:id",
                portal(Permission::SupplierInvoicesView),
            ),
            (
                Method::POST,
                "/supplier-invoice-checks",
                portal(Permission::SupplierInvoicesCreate),
            ),
            (
                Method::POST,
                "/supplier-invoices",
                portal(Permission::SupplierInvoicesCreate),
            ),
        ]
    }

    fn home_cards(&self) -> Option<HomeCards> {
        Some(purchase_orders::home_cards)
    }
}

/// The portal's routes, to be nested under `/supplier`.
pub fn routes() -> Routes {
    portico_portal::routes(SupplierPortal)
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_area_of_the_supplier_portal_is_served() {
        let routes = super::routes();
        for object in portico_domain::Portal::Supplier.objects() {
            assert!(
                routes.patterns().contains(&format!("/{object}")),
                "{object}"
            );
        }
    }
}
