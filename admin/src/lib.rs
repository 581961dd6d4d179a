//! The back office (`/admin`): staff sign-in and sign-out, the home page and the
//! staff list. Later issues add customers, suppliers and contacts here.

mod auth;
mod pages;

use poem::{Endpoint, Route, get};

pub use auth::SignedInStaff;

/// The back office's templates.
pub const TEMPLATES: &[(&str, &str)] = &[
    (
        "admin/layout.html",
        include_str!("../templates/admin/layout.html"),
    ),
    (
        "admin/sign_in.html",
        include_str!("../templates/admin/sign_in.html"),
    ),
    (
        "admin/home.html",
        include_str!("../templates/admin/home.html"),
    ),
    (
        "admin/staff.html",
        include_str!("../templates/admin/staff.html"),
    ),
];

/// The back office's routes, to be nested under `/admin` on a tenant's site.
pub fn routes() -> impl Endpoint {
    Route::new()
        .at("/", get(pages::home))
        .at("/sign-in", get(auth::sign_in_page).post(auth::sign_in))
        .at("/sign-out", poem::post(auth::sign_out))
        .at("/staff", get(pages::staff_list))
}
