//! The customer portal, served at `/portal` on a company's site: the portals'
//! shell (`portico-portal`) for customer contacts.

use poem::Endpoint;
use portico_domain::Portal;

/// The portal's routes, to be nested under `/portal`.
pub fn routes() -> impl Endpoint {
    portico_portal::routes(Portal::Customer)
}
