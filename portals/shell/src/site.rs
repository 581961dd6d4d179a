//! Which portal a request is in: its base path, its name, its session key,
//! and the same-portal paths a sign-in or an account choice may return to.

use portico_domain::Portal;

/// One of the two portals as served on a company's site (request data on
/// every route of the portal).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PortalSite {
    pub portal: Portal,
}

impl PortalSite {
    pub fn new(portal: Portal) -> Self {
        Self { portal }
    }

    /// Where the portal is served: `/portal` or `/supplier`.
    pub fn base(self) -> &'static str {
        match self.portal {
            Portal::Customer => "/portal",
            Portal::Supplier => "/supplier",
        }
    }

    /// A path under the portal, e.g. `path("/sign-in")`.
    pub fn path(self, rest: &str) -> String {
        format!("{}{rest}", self.base())
    }

    /// The message id of the portal's name.
    pub fn name_id(self) -> &'static str {
        match self.portal {
            Portal::Customer => "portal-customer-name",
            Portal::Supplier => "portal-supplier-name",
        }
    }

    /// The company's other portal (the supplier portal for the customer
    /// portal, and the other way round).
    pub fn other(self) -> PortalSite {
        PortalSite::new(match self.portal {
            Portal::Customer => Portal::Supplier,
            Portal::Supplier => Portal::Customer,
        })
    }

    /// Where the session keeps this portal's principal: a browser may be
    /// signed in to both portals of a company at once.
    pub(crate) fn session_key(self) -> &'static str {
        match self.portal {
            Portal::Customer => "portal:customer",
            Portal::Supplier => "portal:supplier",
        }
    }

    /// `next` when it is a page of this portal (never another host, another
    /// app, or a path a browser would normalise into another host).
    pub(crate) fn local_next(self, next: Option<&str>) -> Option<String> {
        let next = next?;
        let base = self.base();
        let inside = next == base
            || next
                .strip_prefix(base)
                .is_some_and(|rest| rest.starts_with('/') || rest.starts_with('?'));
        let clean = !next.starts_with("//")
            && !next
                .chars()
                .any(|c| c == '\\' || c.is_whitespace() || c.is_control());
        (inside && clean).then(|| next.to_owned())
    }
}

/// The path and query of a request as the browser sent it, e.g.
/// `/portal/sales?account=…` (request extension set by the portal's routes:
/// nested routes see only the rest of the path).
#[derive(Debug, Clone)]
pub(crate) struct RequestPath(pub String);

impl RequestPath {
    /// The path and query under `site`, given the request as the portal's own
    /// routes see it (with the base stripped).
    pub(crate) fn of(site: PortalSite, rest: Option<&str>) -> Self {
        let rest = rest.unwrap_or("/");
        let rest = rest.strip_prefix('/').unwrap_or(rest);
        let full = match rest {
            "" => site.base().to_owned(),
            r if r.starts_with('?') => format!("{}{r}", site.base()),
            r => format!("{}/{r}", site.base()),
        };
        Self(full)
    }
}

/// `path?name=value`, with the value encoded.
pub(crate) fn with_query(path: &str, name: &str, value: &str) -> String {
    let value: String = url::form_urlencoded::byte_serialize(value.as_bytes()).collect();
    format!("{path}?{name}={value}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_pages_of_the_same_portal_are_returned_to() {
        let site = PortalSite::new(Portal::Customer);
        assert_eq!(
            site.local_next(Some("/portal/sales?account=1")).as_deref(),
            Some("/portal/sales?account=1")
        );
        assert_eq!(site.local_next(Some("/portal")).as_deref(), Some("/portal"));
        for bad in [
            "/portalx",
            "/supplier/payables",
            "/admin",
            "//evil.example/portal",
            "https://evil.example/portal",
            "/portal/\\evil",
            "/portal/ x",
        ] {
            assert_eq!(site.local_next(Some(bad)), None, "{bad}");
        }
    }
}
