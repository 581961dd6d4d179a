//! The hook through which each portal's crate contributes its own records: a
//! [`PortalApp`] names its portal, the pages of each area (nested by the shell
//! at `{base}/{object}`) and the API operations of its areas (served next to the
//! shell's `me` at `{base}/api/v1`). The shell keeps sign-in, sessions, the
//! account choice and the navigation, and refuses an area's pages to a contact
//! whose scope grants nothing on it before any of the area's handlers runs.

use std::{future::Future, pin::Pin};

use poem::{Endpoint, EndpointExt, FromRequest, get, http::Method};
use poem_openapi::OpenApi;
use portico_domain::{Permission, Portal};
use portico_web::{Access, AppError, Routes, Ui, methods::AllowedMethods};

use crate::{pages, session::SignedInContact};

/// One area of a portal: its object (`quotes`, `purchase_orders`…) and its pages,
/// whose paths are relative to the area (`/` is the area's list).
pub struct Area {
    object: &'static str,
    pages: Routes,
}

impl Area {
    /// The area of `object` with these pages.
    pub fn new(object: &'static str, pages: Routes) -> Self {
        Self { object, pages }
    }

    /// An area of `portal` whose records have not been built yet: one page,
    /// for contacts who may view the object, that says what they may do there.
    ///
    /// # Panics
    /// When `object` has no view permission in `portal`.
    pub fn empty(portal: Portal, object: &'static str) -> Self {
        let view = Permission::parse(portal, &format!("{object}.view"))
            .expect("every area of a portal can be viewed");
        Self::new(
            object,
            Routes::new().at(
                "/",
                Access::Portal(portal, view),
                get(pages::area).data(pages::AreaObject(object)),
            ),
        )
    }

    /// The object this area serves.
    pub fn object(&self) -> &'static str {
        self.object
    }
}

/// Cards a portal's crate adds to the home page of a signed-in contact,
/// rendered as HTML (the customer portal: what the customer owes), or nothing.
pub type HomeCards =
    for<'a> fn(
        &'a Ui,
        &'a SignedInContact,
    ) -> Pin<Box<dyn Future<Output = Result<Option<String>, AppError>> + Send + 'a>>;

/// The home page's cards hook (route data).
#[derive(Clone, Copy)]
pub(crate) struct HomeHook(pub Option<HomeCards>);

/// What one portal's crate registers with the shell.
pub trait PortalApp {
    /// The API operations of the portal's areas; `()` for none.
    type Api: OpenApi + 'static;

    /// The portal this crate serves.
    fn portal(&self) -> Portal;

    /// The portal's areas, one per object of the portal, in any order (the
    /// navigation follows the portal's display order).
    fn areas(&self) -> Vec<Area>;

    /// The API operations of the portal's areas.
    fn api(&self) -> Self::Api;

    /// The access case of each of the API's operations (method and path under
    /// `{base}/api/v1`), for the route registry.
    fn api_access(&self) -> Vec<(Method, &'static str, Access)> {
        Vec::new()
    }

    /// What the portal adds to the home page; nothing by default.
    fn home_cards(&self) -> Option<HomeCards> {
        None
    }
}

/// `routes` with the areas of `app`, each nested at `/{object}` behind the
/// check that the contact's scope grants something on it.
///
/// # Panics
/// When an area is not one of the portal's objects, is registered twice, or an
/// object of the portal has no area: a programming error, caught at start-up
/// (and by each portal crate's tests).
pub(crate) fn with_areas(mut routes: Routes, app: &impl PortalApp) -> Routes {
    let portal = app.portal();
    let areas = app.areas();
    let mut registered: Vec<&'static str> = areas.iter().map(Area::object).collect();
    registered.sort_unstable();
    let mut expected = portal.objects();
    expected.sort_unstable();
    assert_eq!(
        registered, expected,
        "the {portal} portal must register exactly one area per object"
    );
    for area in areas {
        let object = area.object;
        let methods = area.pages.page_methods();
        routes = routes.nest(
            &format!("/{object}"),
            area.pages.wrap(move |route| {
                route.around(move |ep, req| granted(ep, req, object, methods.clone()))
            }),
        );
    }
    routes
}

/// Runs `ep` only for a signed-in contact whose scope grants some action on
/// `object` (403 on the portal's error page otherwise); a method the page does
/// not take is 405 first, for anyone.
async fn granted<E: Endpoint>(
    ep: E,
    req: poem::Request,
    object: &'static str,
    methods: AllowedMethods,
) -> poem::Result<poem::Response> {
    if let Some(allow) = methods.of(req.uri().path())
        && !allow.contains(req.method())
    {
        return Err(AppError::MethodNotAllowed { allow }.into());
    }
    let me = SignedInContact::from_request_without_body(&req).await?;
    if !me.scope.objects().contains(&object) {
        return Err(AppError::Forbidden.into());
    }
    Ok(poem::IntoResponse::into_response(ep.call(req).await?))
}
