//! The portals' shell, one implementation for both the customer portal
//! (`/portal`) and the supplier portal (`/supplier`): password sign-in with
//! throttling and lockout, the emailed one-time sign-in link and password
//! reset, sign-out and sign-out everywhere, accepting an invitation, the
//! contact's session checked against its current policy on
//! every request ([`SignedInContact`], [`PortalSession`]), choosing and
//! switching the account it acts for (deep links carry `?account=`), the home
//! page, the navigation to the areas the grants allow, the contact's own
//! profile, and the JSON API's `me`.
//! Each portal's crate brings its own areas (pages and API) through
//! [`PortalApp`].

mod api;
pub mod api_scope;
mod areas;
mod auth;
mod mailed;
mod pages;
mod password;
mod password_link;
mod profile;
mod session;
mod site;
pub mod view;

use poem::{Endpoint, EndpointExt, get, post};
pub use portico_web::Routes;
use portico_web::{Access, error::WithErrorLayout};

pub use areas::{Area, HomeCards, PortalApp};
pub use pages::area_layout;
pub use session::{PortalSession, SignedInContact};
pub use site::PortalSite;

/// The portals' templates.
pub const TEMPLATES: &[(&str, &str)] = &[
    (
        "portal/layout.html",
        include_str!("../templates/portal/layout.html"),
    ),
    (
        "portal/profile.html",
        include_str!("../templates/portal/profile.html"),
    ),
    (
        "portal/sign_in.html",
        include_str!("../templates/portal/sign_in.html"),
    ),
    (
        "portal/password.html",
        include_str!("../templates/portal/password.html"),
    ),
    (
        "portal/ask_link.html",
        include_str!("../templates/portal/ask_link.html"),
    ),
    (
        "portal/confirm_link.html",
        include_str!("../templates/portal/confirm_link.html"),
    ),
    (
        "portal/message.html",
        include_str!("../templates/portal/message.html"),
    ),
    (
        "portal/accounts.html",
        include_str!("../templates/portal/accounts.html"),
    ),
    (
        "portal/home.html",
        include_str!("../templates/portal/home.html"),
    ),
    (
        "portal/area.html",
        include_str!("../templates/portal/area.html"),
    ),
    (
        "portal/branches.html",
        include_str!("../templates/portal/branches.html"),
    ),
    (
        "portal/branch_filter.html",
        include_str!("../templates/portal/branch_filter.html"),
    ),
    (
        "portal/error.html",
        include_str!("../templates/portal/error.html"),
    ),
];

/// A portal's routes, to be nested under its base path (`/portal` for the
/// customer portal, `/supplier` for the supplier portal): the shell's own, and
/// the areas and API operations `app` registers.
pub fn routes(app: impl PortalApp) -> Routes {
    let portal = app.portal();
    let site = PortalSite::new(portal);
    let route = Routes::new()
        // Visitors get the sign-in form, signed-in contacts their home.
        .at(
            "/",
            Access::Anonymous,
            get(pages::home).data(areas::HomeHook(app.home_cards())),
        )
        .at(
            "/sign-in",
            Access::Anonymous,
            get(auth::sign_in_page).post(auth::sign_in),
        )
        .at(
            "/sign-in/link",
            Access::Anonymous,
            get(mailed::ask_page)
                .post(mailed::ask)
                .data(mailed::Mailed::SignIn),
        )
        .at(
            "/sign-in/link/:token",
            Access::Anonymous,
            get(mailed::confirm_page).post(mailed::confirm),
        )
        .at(
            "/password/forgot",
            Access::Anonymous,
            get(mailed::ask_page)
                .post(mailed::ask)
                .data(mailed::Mailed::Reset),
        )
        .at(
            "/password/reset/:token",
            Access::Anonymous,
            get(password_link::page)
                .post(password_link::choose)
                .data(password_link::PasswordLink::Reset),
        )
        .at(
            "/sign-out",
            Access::PortalSignedIn(portal),
            post(auth::sign_out),
        )
        .at(
            "/sign-out-everywhere",
            Access::PortalSignedIn(portal),
            post(auth::sign_out_everywhere),
        )
        .at(
            "/invitation/:token",
            Access::Anonymous,
            get(password_link::page)
                .post(password_link::choose)
                .data(password_link::PasswordLink::Invitation),
        )
        .at(
            "/accounts",
            Access::PortalSignedIn(portal),
            get(pages::account_picker),
        )
        .at(
            "/profile",
            Access::PortalSignedIn(portal),
            get(profile::page).post(profile::save),
        )
        .at(
            "/accounts/:account",
            Access::PortalSignedIn(portal),
            post(pages::switch_account),
        )
        .nest_api("/api/v1", api::routes(site, app.api(), app.api_access()));
    areas::with_areas(route, &app).wrap(|route| {
        route
            .with(WithErrorLayout(pages::error_layout))
            .data(site)
            .around(move |ep, mut req| async move {
                let path =
                    site::RequestPath::of(site, req.uri().path_and_query().map(|p| p.as_str()));
                req.extensions_mut().insert(path);
                ep.call(req).await
            })
    })
}

#[cfg(test)]
mod tests {
    /// The message ids of an `.ftl` file.
    fn ids(text: &str) -> Vec<&str> {
        let mut ids: Vec<&str> = text
            .lines()
            .filter(|l| !l.starts_with([' ', '#', '.']) && l.contains(" ="))
            .filter_map(|l| l.split(" =").next())
            .collect();
        ids.sort_unstable();
        ids
    }

    #[test]
    fn every_portal_message_exists_in_both_languages() {
        let es = include_str!("../../../crates/web/locales/es/portals.ftl");
        let en = include_str!("../../../crates/web/locales/en/portals.ftl");
        assert_eq!(ids(es), ids(en));
        for portal in portico_domain::Portal::ALL {
            for object in portal.objects() {
                assert!(ids(es).contains(&format!("portal-area-{object}").as_str()));
            }
            for p in portal.permissions() {
                assert!(ids(es).contains(&format!("portal-can-{}", p.action()).as_str()));
            }
        }
    }
}
