//! The access case of a route: who may call it, as the route registry lists it
//! next to the route, so the isolation tests know whom to refuse on every route.

use poem::http::Method;
use portico_authz::{Action, Area};
use portico_domain::{Permission, Portal};

/// Who may call a route. The handler enforces it; the registry states it, and the
/// isolation matrix (`tests/tests/suite/isolation.rs`) checks that both agree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone: sign-in pages, emailed links, the API documents.
    Anonymous,
    /// Any signed-in staff user, whatever the role (home, profile).
    StaffSignedIn,
    /// A signed-in staff user whose role may do `Action` in `Area`.
    Staff(Area, Action),
    /// A staff session or an API key whose role may do `Action` in `Area`.
    StaffOrKey(Area, Action),
    /// A contact signed in to the portal, whatever its permissions.
    PortalSignedIn(Portal),
    /// A contact signed in to the portal with this permission on the account it
    /// acts for.
    Portal(Portal, Permission),
    /// A platform operator.
    Operator,
}

impl Access {
    /// A staff user whose role may do `action` in `area`.
    pub const fn staff(area: Area, action: Action) -> Self {
        Access::Staff(area, action)
    }

    /// A staff session or an API key whose role may do `action` in `area`.
    pub const fn staff_or_key(area: Area, action: Action) -> Self {
        Access::StaffOrKey(area, action)
    }
}

/// The access case of each method of a route: one for every method, or one per
/// method where they differ (`ByMethod::get(read).post(write)`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ByMethod(Vec<(Option<Method>, Access)>);

impl ByMethod {
    /// GET (and HEAD) need `access`.
    pub fn get(access: Access) -> Self {
        Self(vec![(Some(Method::GET), access)])
    }

    /// Only POST, needing `access` (a form's action): other methods are 405.
    pub fn post_only(access: Access) -> Self {
        Self(vec![(Some(Method::POST), access)])
    }

    /// POST needs `access` too.
    pub fn post(mut self, access: Access) -> Self {
        self.0.push((Some(Method::POST), access));
        self
    }

    /// Each method and its access case; `None` stands for every method.
    pub fn cases(&self) -> &[(Option<Method>, Access)] {
        &self.0
    }
}

impl From<Access> for ByMethod {
    fn from(access: Access) -> Self {
        Self(vec![(None, access)])
    }
}
