//! The methods each API path takes, from the route registry: a request to an API
//! path with any other method (`TRACE`, `PATCH`, an unknown one…) is answered
//! 405 with the `Allow` header (RFC 9110 §15.5.6) before sessions' CSRF check or
//! authentication see it, so it is never mistaken for a forged form (403).

use std::collections::BTreeSet;

use poem::{Endpoint, Middleware, Request, http::Method};

use crate::AppError;

/// The API paths of a site, each with the methods it takes.
#[derive(Debug, Clone, Default)]
pub struct AllowedMethods {
    paths: Vec<(Vec<Segment>, BTreeSet<Method>)>,
}

/// One segment of a path pattern: literal text or a parameter (`:id`).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(String),
    Parameter,
}

fn segments(pattern: &str) -> Vec<Segment> {
    pattern
        .split('/')
        .map(|s| match s.starts_with(':') {
            true => Segment::Parameter,
            false => Segment::Literal(s.to_owned()),
        })
        .collect()
}

fn matches(pattern: &[Segment], path: &str) -> bool {
    let parts: Vec<&str> = path.split('/').collect();
    parts.len() == pattern.len()
        && pattern
            .iter()
            .zip(parts)
            .all(|(segment, part)| match segment {
                Segment::Literal(text) => text == part,
                Segment::Parameter => !part.is_empty(),
            })
}

impl AllowedMethods {
    /// Adds `method` to the methods `pattern` (`/api/v1/contacts/:id`) takes.
    pub fn add(&mut self, pattern: &str, method: Method) {
        let pattern = segments(pattern);
        match self.paths.iter_mut().find(|(p, _)| *p == pattern) {
            Some((_, methods)) => {
                methods.insert(method);
            }
            None => self.paths.push((pattern, BTreeSet::from([method]))),
        }
    }

    /// The methods `path` takes (`HEAD` wherever `GET` is taken), or `None` when
    /// it is no API path listed here.
    pub fn of(&self, path: &str) -> Option<Vec<Method>> {
        let mut found: Option<BTreeSet<Method>> = None;
        for (pattern, methods) in &self.paths {
            if matches(pattern, path) {
                found
                    .get_or_insert_default()
                    .extend(methods.iter().cloned());
            }
        }
        let mut methods = found?;
        if methods.contains(&Method::GET) {
            methods.insert(Method::HEAD);
        }
        Some(methods.into_iter().collect())
    }
}

impl<E: Endpoint> Middleware<E> for AllowedMethods {
    type Output = AllowedMethodsEndpoint<E>;

    fn transform(&self, ep: E) -> Self::Output {
        AllowedMethodsEndpoint {
            inner: ep,
            methods: self.clone(),
        }
    }
}

/// The endpoint built by [`AllowedMethods`].
pub struct AllowedMethodsEndpoint<E> {
    inner: E,
    methods: AllowedMethods,
}

impl<E: Endpoint> Endpoint for AllowedMethodsEndpoint<E> {
    type Output = E::Output;

    async fn call(&self, req: Request) -> poem::Result<Self::Output> {
        if let Some(allowed) = self.methods.of(req.uri().path())
            && !allowed.contains(req.method())
        {
            return Err(AppError::MethodNotAllowed { allow: allowed }.into());
        }
        self.inner.call(req).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> AllowedMethods {
        let mut table = AllowedMethods::default();
        table.add("/api/v1/contacts", Method::GET);
        table.add("/api/v1/contacts", Method::POST);
        table.add("/api/v1/contacts/:id", Method::GET);
        table.add("/api/v1/contacts/:id", Method::DELETE);
        table
    }

    #[test]
    fn a_listed_path_takes_its_methods_and_head_with_get() {
        let table = table();
        assert_eq!(
            table.of("/api/v1/contacts"),
            Some(vec![Method::GET, Method::HEAD, Method::POST])
        );
        assert_eq!(
            table.of("/api/v1/contacts/4b9c"),
            Some(vec![Method::DELETE, Method::GET, Method::HEAD])
        );
    }

    #[test]
    fn other_paths_are_left_to_routing() {
        let table = table();
        for path in [
            "/api/v1",
            "/api/v1/contacts/",
            "/api/v1/contacts/4b9c/links",
            "/api/v1/contacts//",
            "/admin/contacts",
        ] {
            assert_eq!(table.of(path), None, "{path}");
        }
    }
}
