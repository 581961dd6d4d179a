//! The supplier portal, served at `/supplier` on a company's site: its areas
//! (purchase orders, supplier invoices, payables, documents), served
//! inside the portals' shell (`portico-portal`), which keeps sign-in, sessions
//! and navigation.

use portico_domain::Portal;
use portico_portal::{Area, PortalApp, Routes};

/// The supplier portal's part: its areas and their API.
pub struct SupplierPortal;

impl PortalApp for SupplierPortal {
    type Api = ();

    fn portal(&self) -> Portal {
        Portal::Supplier
    }

    /// Every area is still an empty state; each gets its records with the
    /// supplier portal's issue.
    fn areas(&self) -> Vec<Area> {
        Portal::Supplier
            .objects()
            .into_iter()
            .map(|object| Area::empty(Portal::Supplier, object))
            .collect()
    }

    fn api(&self) {}
}

/// The portal's routes, to be nested under `/supplier`.
pub fn routes() -> Routes {
    portico_portal::routes(SupplierPortal)
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_area_of_the_customer_portal_is_served() {
        let routes = super::routes();
        for object in portico_domain::Portal::Supplier.objects() {
            assert!(
                routes.patterns().contains(&format!("/{object}")),
                "{object}"
            );
        }
    }
}
