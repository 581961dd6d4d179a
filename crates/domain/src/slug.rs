//! A tenant's slug: the sub-domain its people reach it by.

use std::fmt;

/// Names that can never be a tenant slug because they name the platform itself.
const RESERVED: &[&str] = &[
    "admin", "api", "app", "www", "mail", "static", "assets", "portal", "supplier", "operator",
    "status", "metrics", "healthz", "readyz",
];

/// Why a string is not an acceptable slug.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SlugError {
    #[error("a slug has 2 to 40 characters")]
    Length,
    #[error("a slug has only lower-case letters, digits and inner hyphens")]
    Characters,
    #[error("this slug is reserved")]
    Reserved,
}

/// A DNS label usable as `<slug>.<base domain>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct Slug(String);

impl Slug {
    /// Parses a slug; input is trimmed and lower-cased first.
    pub fn parse(raw: &str) -> Result<Self, SlugError> {
        let value = raw.trim().to_ascii_lowercase();
        if !(2..=40).contains(&value.len()) {
            return Err(SlugError::Length);
        }
        let chars_ok = value
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !chars_ok || value.starts_with('-') || value.ends_with('-') {
            return Err(SlugError::Characters);
        }
        if RESERVED.contains(&value.as_str()) {
            return Err(SlugError::Reserved);
        }
        Ok(Self(value))
    }

    /// The slug text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_slugs_are_normalised() {
        assert_eq!(Slug::parse(" Acme-DO ").unwrap().as_str(), "acme-do");
    }

    #[test]
    fn invalid_slugs_are_rejected_with_a_reason() {
        assert_eq!(Slug::parse("a"), Err(SlugError::Length));
        assert_eq!(Slug::parse("acme_do"), Err(SlugError::Characters));
        assert_eq!(Slug::parse("-acme"), Err(SlugError::Characters));
        assert_eq!(Slug::parse("admin"), Err(SlugError::Reserved));
    }
}
