//! The operator console, served on the base domain: operator sign-in and the list
//! of companies with suspend and reactivate.

mod auth;
mod tenants;

use poem::{Endpoint, Route, get, post};

/// The console's templates.
pub const TEMPLATES: &[(&str, &str)] = &[
    (
        "operator/layout.html",
        include_str!("../templates/operator/layout.html"),
    ),
    (
        "operator/sign_in.html",
        include_str!("../templates/operator/sign_in.html"),
    ),
    (
        "operator/tenants.html",
        include_str!("../templates/operator/tenants.html"),
    ),
];

/// The console's routes, served at the root of the base domain.
pub fn routes() -> impl Endpoint {
    Route::new()
        .at("/", get(tenants::list))
        .at("/sign-in", get(auth::sign_in_page).post(auth::sign_in))
        .at("/sign-out", post(auth::sign_out))
        .at("/tenants/:slug/suspend", post(tenants::suspend))
        .at("/tenants/:slug/reactivate", post(tenants::reactivate))
}
