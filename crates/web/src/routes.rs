//! The route registry: every app builds its routes with [`Routes`], which keeps
//! the path pattern and the access case of each route it serves (pages and API
//! operations), so the every-page test visits every page, the isolation matrix
//! checks every route, and a route cannot be added without saying who may call it.

use std::collections::BTreeSet;

use poem::{Endpoint, EndpointExt, IntoEndpoint, Route, http::Method};

use crate::{
    access::{Access, ByMethod},
    methods::AllowedMethods,
};

/// One registered route: a path pattern, a method (`None`: every method the
/// endpoint takes) and the access case it needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The path pattern as the site serves it (`/admin/contacts/:id`).
    pub pattern: String,
    /// The method this access case is for; `None` for every method.
    pub method: Option<Method>,
    /// Who may call it.
    pub access: Access,
    /// Whether it is an API operation (JSON, listed in an OpenAPI document).
    pub api: bool,
}

/// A [`Route`] that also lists what it serves: the path pattern of each page
/// and API prefix (`/contacts/:id`), and each route's access case.
#[derive(Default)]
pub struct Routes {
    route: Route,
    patterns: Vec<String>,
    entries: Vec<Entry>,
    /// Each API path pattern with a method it takes (operations and documents).
    api_methods: Vec<(String, Method)>,
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

    /// Serves `ep` at `path`, as [`Route::at`], and lists `path` with the access
    /// case of each of its methods.
    pub fn at<E>(mut self, path: impl Into<String>, access: impl Into<ByMethod>, ep: E) -> Self
    where
        E: IntoEndpoint,
        E::Endpoint: 'static,
    {
        let path = path.into();
        self.route = self.route.at(&path, ep);
        self.entries
            .extend(access.into().cases().iter().map(|(method, access)| Entry {
                pattern: path.clone(),
                method: method.clone(),
                access: *access,
                api: false,
            }));
        self.patterns.push(path);
        self
    }

    /// Serves another app's routes under `prefix`, listing each of them there.
    pub fn nest(mut self, prefix: &str, inner: Routes) -> Self {
        self.patterns
            .extend(inner.patterns.iter().map(|path| join(prefix, path)));
        self.entries
            .extend(inner.entries.into_iter().map(|entry| Entry {
                pattern: join(prefix, &entry.pattern),
                ..entry
            }));
        self.api_methods.extend(
            inner
                .api_methods
                .into_iter()
                .map(|(pattern, method)| (join(prefix, &pattern), method)),
        );
        self.route = self.route.nest(prefix, inner.route);
        self
    }

    /// Serves an API under `prefix`. Its pages are JSON, so only `prefix` is
    /// listed among the patterns; each of its operations and documents is
    /// listed among the entries with its access case.
    pub fn nest_api<E>(mut self, prefix: &str, api: Api<E>) -> Self
    where
        E: IntoEndpoint,
        E::Endpoint: 'static,
    {
        let api = api.check();
        self.patterns.push(prefix.to_owned());
        self.api_methods.extend(
            api.entries
                .iter()
                .filter_map(|entry| Some((join(prefix, &entry.pattern), entry.method.clone()?))),
        );
        self.entries
            .extend(api.entries.into_iter().map(|entry| Entry {
                pattern: join(prefix, &entry.pattern),
                ..entry
            }));
        self.route = self.route.nest(
            prefix,
            api.endpoint
                .into_endpoint()
                .with(crate::body_limit::ApiBodyLimit),
        );
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
            entries: self.entries,
            api_methods: self.api_methods,
        }
    }

    /// The methods each API path takes, as middleware that answers any other
    /// method on those paths with 405 and `Allow`.
    pub fn allowed_methods(&self) -> AllowedMethods {
        let mut table = AllowedMethods::default();
        for (pattern, method) in &self.api_methods {
            table.add(pattern, method.clone());
        }
        table
    }

    /// The methods of each page whose every registration names its method
    /// (`ByMethod`), as middleware would answer any other with 405 and
    /// `Allow`; pages registered for any method are left out.
    pub fn page_methods(&self) -> AllowedMethods {
        let mut table = AllowedMethods::default();
        let pages = self.entries.iter().filter(|e| !e.api);
        for entry in pages.clone() {
            let named = pages
                .clone()
                .filter(|e| e.pattern == entry.pattern)
                .all(|e| e.method.is_some());
            if let (true, Some(method)) = (named, &entry.method) {
                table.add(&entry.pattern, method.clone());
            }
        }
        table
    }

    /// The path pattern of every page and API prefix, in the order they were added.
    pub fn patterns(&self) -> &[String] {
        &self.patterns
    }

    /// Every route with its access case: pages, API operations and documents.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }
}

impl IntoEndpoint for Routes {
    type Endpoint = Route;

    fn into_endpoint(self) -> Route {
        self.route
    }
}

/// An OpenAPI service with the access case of each of its operations, read
/// against the service's own document: [`Routes::nest_api`] refuses (panics on)
/// an operation the document has and the list lacks, or the reverse.
pub struct Api<E> {
    endpoint: E,
    operations: BTreeSet<(Method, String)>,
    entries: Vec<Entry>,
}

impl<E> Api<E> {
    /// The API served by `endpoint`, whose OpenAPI document is `spec` (the JSON
    /// of `OpenApiService::spec`).
    pub fn new(endpoint: E, spec: &str) -> Self {
        Self {
            endpoint,
            operations: operations(spec),
            entries: Vec::new(),
        }
    }

    /// The operation `method path` (as the document names it, `/contacts/:id`)
    /// needs `access`.
    pub fn operation(mut self, method: Method, path: &str, access: Access) -> Self {
        self.entries.push(Entry {
            pattern: path.to_owned(),
            method: Some(method),
            access,
            api: true,
        });
        self
    }

    /// A document anyone may read at `path` (`/openapi.json`).
    pub fn document(mut self, path: &str) -> Self {
        self.entries.push(Entry {
            pattern: path.to_owned(),
            method: Some(Method::GET),
            access: Access::Anonymous,
            api: false,
        });
        self
    }

    /// This API, if every operation of its document is listed with an access case
    /// and every listed operation is in the document.
    ///
    /// Panics naming the operations that differ: a programming error, found by
    /// every test that builds the app.
    fn check(self) -> Self {
        let listed: BTreeSet<(Method, String)> = self
            .entries
            .iter()
            .filter(|e| e.api)
            .filter_map(|e| Some((e.method.clone()?, e.pattern.clone())))
            .collect();
        let unlisted: Vec<_> = self.operations.difference(&listed).collect();
        let unknown: Vec<_> = listed.difference(&self.operations).collect();
        assert!(
            unlisted.is_empty() && unknown.is_empty(),
            "API operations without an access case: {unlisted:?}; listed but not in the document: {unknown:?}"
        );
        self
    }
}

/// The (method, path pattern) of every operation in an OpenAPI document, with
/// `{id}` written `:id` as the router does.
fn operations(spec: &str) -> BTreeSet<(Method, String)> {
    let spec: serde_json::Value = serde_json::from_str(spec).expect("an OpenAPI document");
    let mut out = BTreeSet::new();
    let Some(paths) = spec["paths"].as_object() else {
        return out;
    };
    for (path, item) in paths {
        let pattern = path
            .split('/')
            .map(|segment| match segment.strip_prefix('{') {
                Some(name) => format!(":{}", name.trim_end_matches('}')),
                None => segment.to_owned(),
            })
            .collect::<Vec<_>>()
            .join("/");
        for method in item.as_object().into_iter().flat_map(|m| m.keys()) {
            if let Ok(method) = Method::from_bytes(method.to_ascii_uppercase().as_bytes()) {
                out.insert((method, pattern.clone()));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_routes_are_listed_under_their_prefix() {
        let inner = Routes::new()
            .at("/", Access::StaffSignedIn, poem::get(ok))
            .at(
                "/:id",
                ByMethod::get(Access::StaffSignedIn).post(Access::Operator),
                poem::get(ok).post(ok),
            );
        let spec = r#"{"paths": {"/things/{id}": {"get": {}}}}"#;
        let api =
            Api::new(Route::new(), spec).operation(Method::GET, "/things/:id", Access::Anonymous);
        let routes = Routes::new()
            .at("/", Access::Anonymous, poem::get(ok))
            .nest("/admin", inner.wrap(|r| r))
            .nest_api("/api/v1", api);
        assert_eq!(routes.patterns(), ["/", "/admin", "/admin/:id", "/api/v1"]);
        let listed: Vec<_> = routes
            .entries()
            .iter()
            .map(|e| (e.pattern.as_str(), e.method.clone(), e.access))
            .collect();
        assert_eq!(
            listed,
            [
                ("/", None, Access::Anonymous),
                ("/admin", None, Access::StaffSignedIn),
                ("/admin/:id", Some(Method::GET), Access::StaffSignedIn),
                ("/admin/:id", Some(Method::POST), Access::Operator),
                ("/api/v1/things/:id", Some(Method::GET), Access::Anonymous),
            ]
        );
    }

    #[test]
    #[should_panic(expected = "API operations without an access case")]
    fn an_api_operation_without_an_access_case_is_refused() {
        let spec = r#"{"paths": {"/things": {"get": {}, "post": {}}}}"#;
        let api = Api::new(Route::new(), spec).operation(Method::GET, "/things", Access::Anonymous);
        let _ = Routes::new().nest_api("/api", api);
    }

    #[poem::handler]
    fn ok() -> &'static str {
        "ok"
    }
}
