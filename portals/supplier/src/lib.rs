//! The supplier portal, served at `/supplier` on a company's site: the portals'
//! shell (`portico-portal`) for supplier contacts.

use portico_domain::Portal;
use portico_portal::Routes;

/// The portal's routes, to be nested under `/supplier`.
pub fn routes() -> Routes {
    portico_portal::routes(Portal::Supplier)
}
