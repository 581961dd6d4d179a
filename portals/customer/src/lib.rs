//! The customer portal, served at `/portal` on a tenant's site. This foundation serves
//! its landing page; sign-in and the granted areas come with the portal issues.

use poem::{Endpoint, Route, get, handler, web::Html};
use portico_web::{AppError, Ui};

/// The portal's routes, to be nested under `/portal`.
pub fn routes() -> impl Endpoint {
    Route::new().at("/", get(landing))
}

#[handler]
fn landing(ui: Ui) -> Result<Html<String>, AppError> {
    ui.portal_landing("portal-customer-name", "/portal")
}
