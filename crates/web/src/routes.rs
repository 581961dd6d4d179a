//! The route registry: every app builds its routes with [`Routes`], which keeps
//! the path pattern of each route it serves, so the every-page test visits every
//! page of every app and a new page cannot be left out of it.

use poem::{Endpoint, IntoEndpoint, Route};

/// A [`Route`] that also lists the path patterns it serves (`/contacts/:id`).
#[derive(Default)]
pub struct Routes {
    route: Route,
    patterns: Vec<String>,
}

/// `prefix` followed by `path`, as a nested route sees it (`/admin` + `/` is
/// `/admin`).
fn join(prefix: &str, path: &str) -> String {
    let prefix = prefix.trim_end_matches('/');
    match path.trim_start_matches('/') {
        "" if prefix.is_empty() => "/".to_owned(),
        "" => prefix.to_owned(),
        rest => format!("{prefix}/{rest}"),
    }
}

impl Routes {
    pub fn new() -> Self {
        Self::default()
    }

    /// Serves `ep` at `path`, as [`Route::at`], and lists `path`.
    pub fn at<E>(mut self, path: impl Into<String>, ep: E) -> Self
    where
        E: IntoEndpoint,
        E::Endpoint: 'static,
    {
        let path = path.into();
        self.route = self.route.at(&path, ep);
        self.patterns.push(path);
        self
    }

    /// Serves another app's routes under `prefix`, listing each of them there.
    pub fn nest(mut self, prefix: &str, inner: Routes) -> Self {
        self.patterns
            .extend(inner.patterns.iter().map(|path| join(prefix, path)));
        self.route = self.route.nest(prefix, inner.route);
        self
    }

    /// Serves an API under `prefix`. Its operations are JSON, listed in its own
    /// OpenAPI document, so only `prefix` itself is listed here.
    pub fn nest_api<E>(mut self, prefix: &str, api: E) -> Self
    where
        E: IntoEndpoint,
        E::Endpoint: 'static,
    {
        self.patterns.push(prefix.to_owned());
        self.route = self.route.nest(prefix, api);
        self
    }

    /// Puts these routes behind middleware (`data`, `around`…), keeping the list.
    pub fn wrap<E>(self, wrap: impl FnOnce(Route) -> E) -> Self
    where
        E: Endpoint + 'static,
    {
        Self {
            route: Route::new().nest("/", wrap(self.route)),
            patterns: self.patterns,
        }
    }

    /// The path pattern of every route, in the order they were added.
    pub fn patterns(&self) -> &[String] {
        &self.patterns
    }
}

impl IntoEndpoint for Routes {
    type Endpoint = Route;

    fn into_endpoint(self) -> Route {
        self.route
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_routes_are_listed_under_their_prefix() {
        let inner = Routes::new()
            .at("/", poem::get(ok))
            .at("/:id", poem::get(ok));
        let routes = Routes::new()
            .at("/", poem::get(ok))
            .nest("/admin", inner.wrap(|r| r))
            .nest_api("/api/v1", Route::new());
        assert_eq!(routes.patterns(), ["/", "/admin", "/admin/:id", "/api/v1"]);
    }

    #[poem::handler]
    fn ok() -> &'static str {
        "ok"
    }
}
