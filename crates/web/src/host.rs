//! Which site a request's `Host` names: the platform (operator console) on the base
//! domain, a tenant on `<slug>.<base domain>`, or nothing we serve.

use portico_domain::Slug;

/// The site a host name addresses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Site {
    /// The base domain: the operator console.
    Platform,
    /// A tenant's sub-domain.
    Tenant(Slug),
    /// A host we do not serve.
    Unknown,
}

/// Classifies a `Host` header value (port ignored, case-insensitive).
pub fn classify(host: &str, base_domain: &str) -> Site {
    let host = host.trim().to_ascii_lowercase();
    let name = if let Some(rest) = host.strip_prefix('[') {
        rest.split(']').next().unwrap_or_default()
    } else {
        host.split(':').next().unwrap_or_default()
    };
    let base = base_domain.to_ascii_lowercase();
    if name == base {
        return Site::Platform;
    }
    match name.strip_suffix(&format!(".{base}")) {
        Some(label) if !label.contains('.') => {
            Slug::parse(label).map_or(Site::Unknown, Site::Tenant)
        }
        _ => Site::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_are_classified_by_the_base_domain() {
        assert_eq!(classify("localhost:8080", "localhost"), Site::Platform);
        assert_eq!(classify("LOCALHOST", "localhost"), Site::Platform);
        assert_eq!(
            classify("demo.localhost:8080", "localhost"),
            Site::Tenant(Slug::parse("demo").unwrap())
        );
        assert_eq!(
            classify("acme.portico.example", "portico.example"),
            Site::Tenant(Slug::parse("acme").unwrap())
        );
        assert_eq!(classify("a.b.localhost", "localhost"), Site::Unknown);
        assert_eq!(classify("evil.example", "localhost"), Site::Unknown);
        assert_eq!(classify("admin.localhost", "localhost"), Site::Unknown);
        assert_eq!(classify("demolocalhost", "localhost"), Site::Unknown);
    }
}
