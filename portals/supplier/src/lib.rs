//! The supplier portal, served at `/supplier` on a company's site: the portals'
//! shell (`portico-portal`) for supplier contacts.

use poem::Endpoint;
use portico_domain::Portal;

/// The portal's routes, to be nested under `/supplier`.
pub fn routes() -> impl Endpoint {
    portico_portal::routes(Portal::Supplier)
}
