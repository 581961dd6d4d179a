//! The customer portal, served at `/portal` on a company's site: its areas
//! (sales, receivables, quotes, orders, service requests, documents), served
//! inside the portals' shell (`portico-portal`), which keeps sign-in, sessions
//! and navigation.

use portico_domain::Portal;
use portico_portal::{Area, PortalApp, Routes};

/// The customer portal's part: its areas and their API.
pub struct CustomerPortal;

impl PortalApp for CustomerPortal {
    type Api = ();

    fn portal(&self) -> Portal {
        Portal::Customer
    }

    /// Every area is still an empty state; each gets its records with the
    /// customer portal's issue.
    fn areas(&self) -> Vec<Area> {
        Portal::Customer
            .objects()
            .into_iter()
            .map(|object| Area::empty(Portal::Customer, object))
            .collect()
    }

    fn api(&self) {}
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
