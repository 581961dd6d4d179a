//! The operator console, served on the base domain: operator sign-in, the list of
//! companies, creating a company with its owner, suspend and reactivate.

mod auth;
mod onboarding;
mod tenants;

use poem::{get, post};
use portico_web::{Access, Routes};

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
    (
        "operator/new_tenant.html",
        include_str!("../templates/operator/new_tenant.html"),
    ),
    (
        "operator/tenant_created.html",
        include_str!("../templates/operator/tenant_created.html"),
    ),
];

/// The console's routes, served at the root of the base domain.
pub fn routes() -> Routes {
    Routes::new()
        .at("/", Access::Operator, get(tenants::list))
        .at(
            "/sign-in",
            Access::Anonymous,
            get(auth::sign_in_page).post(auth::sign_in),
        )
        .at("/sign-out", Access::Operator, post(auth::sign_out))
        .at(
            "/tenants/new",
            Access::Operator,
            get(onboarding::new_company),
        )
        .at(
            "/tenants",
            Access::Operator,
            post(onboarding::create_company),
        )
        .at(
            "/tenants/:slug/suspend",
            Access::Operator,
            post(tenants::suspend),
        )
        .at(
            "/tenants/:slug/reactivate",
            Access::Operator,
            post(tenants::reactivate),
        )
}
