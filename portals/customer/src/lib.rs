//! The customer portal, served at `/portal` on a company's site: the portals'
//! shell (`portico-portal`) for customer contacts.

use portico_domain::Portal;
use portico_portal::Routes;

/// The portal's routes, to be nested under `/portal`.
pub fn routes() -> Routes {
    portico_portal::routes(Portal::Customer)
}
