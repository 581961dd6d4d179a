//! Field-level validation shared by every form and API that edits records:
//! each check turns one raw input into a clean value or a message id on that field.

use crate::Email;

/// Lower case without accents (á→a, ñ→n, ü→u, ç→c…): how names are searched and
/// sorted, so that "pena" finds "Peña" and "Ángel" sorts with the a's on every
/// backend (SQLite compares bytes; PostgreSQL's collation varies).
pub fn fold(text: &str) -> String {
    text.chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'á' | 'à' | 'â' | 'ä' | 'ã' | 'å' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'í' | 'ì' | 'î' | 'ï' => 'i',
            'ó' | 'ò' | 'ô' | 'ö' | 'õ' => 'o',
            'ú' | 'ù' | 'û' | 'ü' => 'u',
            'ñ' => 'n',
            'ç' => 'c',
            'ý' | 'ÿ' => 'y',
            other => other,
        })
        .collect()
}

/// `text` with each control character (NUL and the like) replaced by `�`:
/// refused input shown back, or kept in a report, as it can be stored.
pub fn visible(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { '\u{fffd}' } else { c })
        .collect()
}

/// One problem with one field: the field's name and a translatable message id.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    pub field: &'static str,
    pub message: &'static str,
    /// Where the field is when the input holds several records or lines
    /// (`records[3].lines[0]`); `None` for a form's or a body's own fields.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub within: Option<String>,
}

impl FieldError {
    /// The field's full path: `records[3].lines[0].quantity`, or `quantity`.
    pub fn path(&self) -> String {
        match &self.within {
            Some(within) => format!("{within}.{}", self.field),
            None => self.field.to_owned(),
        }
    }
}

/// The problems found in one submission, in field order.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[serde(transparent)]
pub struct FieldErrors(pub Vec<FieldError>);

impl FieldErrors {
    pub fn add(&mut self, field: &'static str, message: &'static str) {
        self.0.push(FieldError {
            field,
            message,
            within: None,
        });
    }

    /// `other`'s errors placed under `prefix` (`records[3]`, then
    /// `records[3].lines[0]` for a line's).
    pub fn nest(&mut self, prefix: &str, other: FieldErrors) {
        self.0.extend(other.0.into_iter().map(|e| FieldError {
            within: Some(match e.within {
                Some(inner) => format!("{prefix}.{inner}"),
                None => prefix.to_owned(),
            }),
            ..e
        }));
    }

    /// `other`'s errors, on the same level as these.
    pub fn append(&mut self, other: FieldErrors) {
        self.0.extend(other.0);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The message for a field, if it has one.
    pub fn get(&self, field: &str) -> Option<&'static str> {
        self.0
            .iter()
            .find(|e| e.within.is_none() && e.field == field)
            .map(|e| e.message)
    }

    /// `Ok(value)` when nothing was found, else the errors.
    pub fn finish<T>(self, value: T) -> Result<T, FieldErrors> {
        if self.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }
}

/// Upper bounds on lengths, in characters.
pub mod limits {
    pub const NAME: usize = 100;
    pub const SHORT: usize = 50;
    pub const TEXT: usize = 200;
    pub const LONG_TEXT: usize = 4000;
    pub const URL: usize = 500;
}

/// Collects cleaned values and the errors met while cleaning them.
#[derive(Debug, Default)]
pub struct Checker {
    pub errors: FieldErrors,
}

impl Checker {
    /// Trimmed text, `None` when blank; longer than `max` characters is an error.
    /// Control characters (NUL and the like, which no keyboard types) are an
    /// error, but tabs and line breaks in long texts are not.
    pub fn text(&mut self, field: &'static str, raw: &str, max: usize) -> Option<String> {
        let value = raw.trim();
        if value.is_empty() {
            return None;
        }
        let allowed = |c: char| max >= limits::LONG_TEXT && matches!(c, '\t' | '\n' | '\r');
        if value.chars().any(|c| c.is_control() && !allowed(c)) {
            self.errors.add(field, "field-control-characters");
            return None;
        }
        if value.chars().count() > max {
            self.errors.add(field, "field-too-long");
            return None;
        }
        Some(value.to_owned())
    }

    /// Like [`Checker::text`], but blank is an error.
    pub fn required(&mut self, field: &'static str, raw: &str, max: usize) -> String {
        let value = self.text(field, raw, max);
        if value.is_none() && self.errors.get(field).is_none() {
            self.errors.add(field, "field-required");
        }
        value.unwrap_or_default()
    }

    /// An optional email address, normalised to lower case.
    pub fn email(&mut self, field: &'static str, raw: &str) -> Option<Email> {
        if raw.trim().is_empty() {
            return None;
        }
        match Email::parse(raw) {
            Ok(email) => Some(email),
            Err(_) => {
                self.errors.add(field, "field-email-invalid");
                None
            }
        }
    }

    /// An optional phone number: digits with the usual separators, 6 to 15 digits,
    /// an optional leading `+` and an optional extension (`ext 12`, `x12`).
    pub fn phone(&mut self, field: &'static str, raw: &str) -> Option<String> {
        let value = self.text(field, raw, limits::SHORT)?;
        let lower = value.to_lowercase();
        let (number, extension) = match lower.split_once("ext").or_else(|| lower.split_once('x')) {
            Some((number, ext)) => (number.to_owned(), Some(ext.trim_start_matches('.').trim())),
            None => (lower.clone(), None),
        };
        let number = number.trim();
        let body = number.strip_prefix('+').unwrap_or(number);
        let digits = body.chars().filter(char::is_ascii_digit).count();
        let shape_ok = body
            .chars()
            .all(|c| c.is_ascii_digit() || " -().".contains(c))
            && (6..=15).contains(&digits)
            && extension.is_none_or(|e| {
                !e.is_empty() && e.len() <= 6 && e.chars().all(|c| c.is_ascii_digit())
            });
        if shape_ok {
            Some(value)
        } else {
            self.errors.add(field, "field-phone-invalid");
            None
        }
    }

    /// An optional `http(s)` URL whose host is one of `hosts` or a subdomain of one.
    pub fn url_on(&mut self, field: &'static str, raw: &str, hosts: &[&str]) -> Option<String> {
        let value = self.text(field, raw, limits::URL)?;
        let with_scheme = if value.contains("://") {
            value
        } else {
            format!("https://{value}")
        };
        let Ok(url) = url::Url::parse(&with_scheme) else {
            self.errors.add(field, "field-url-invalid");
            return None;
        };
        if !matches!(url.scheme(), "http" | "https") {
            self.errors.add(field, "field-url-invalid");
            return None;
        }
        let host = url.host_str().unwrap_or_default();
        let allowed = hosts
            .iter()
            .any(|h| host == *h || host.ends_with(&format!(".{h}")));
        if allowed && url.path().len() > 1 {
            Some(url.to_string())
        } else {
            self.errors.add(field, "field-url-host");
            None
        }
    }

    /// An optional ISO 3166-1 alpha-2 country code, upper-cased.
    pub fn country(&mut self, field: &'static str, raw: &str) -> Option<String> {
        let value = raw.trim().to_uppercase();
        if value.is_empty() {
            return None;
        }
        if crate::iso::country(&value).is_some() {
            Some(value)
        } else {
            self.errors.add(field, "field-country-invalid");
            None
        }
    }

    /// An optional calendar date, `YYYY-MM-DD` as HTML date inputs send it.
    pub fn date(&mut self, field: &'static str, raw: &str) -> Option<chrono::NaiveDate> {
        let value = raw.trim();
        if value.is_empty() {
            return None;
        }
        match chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d") {
            Ok(date) => Some(date),
            Err(_) => {
                self.errors.add(field, "field-date-invalid");
                None
            }
        }
    }

    /// An optional id chosen from a list (a `<select>`): a UUID.
    pub fn reference(&mut self, field: &'static str, raw: &str) -> Option<uuid::Uuid> {
        let value = raw.trim();
        if value.is_empty() {
            return None;
        }
        match uuid::Uuid::parse_str(value) {
            Ok(id) => Some(id),
            Err(_) => {
                self.errors.add(field, "field-choice-invalid");
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_drops_case_and_accents() {
        assert_eq!(fold("Ángel Núñez Güemes"), "angel nunez guemes");
        assert!(fold("Ángel") < fold("Zoila"));
    }

    #[test]
    fn control_characters_are_refused_but_line_breaks_in_long_texts_are_not() {
        let mut c = Checker::default();
        assert_eq!(c.text("name", "Ana\u{0}", limits::NAME), None);
        assert_eq!(c.errors.get("name"), Some("field-control-characters"));
        assert_eq!(c.required("city", "San\u{7}tiago", limits::TEXT), "");
        assert_eq!(c.errors.get("city"), Some("field-control-characters"));
        assert_eq!(c.text("title", "a\nb", limits::TEXT), None);
        assert_eq!(
            c.text("notes", "uno\r\n\tdos", limits::LONG_TEXT),
            Some("uno\r\n\tdos".into())
        );
        assert_eq!(c.text("notes", "uno\u{0}", limits::LONG_TEXT), None);
        assert_eq!(c.errors.get("notes"), Some("field-control-characters"));
        assert_eq!(visible("a\u{0}b\nc"), "a\u{fffd}b\u{fffd}c");
    }

    #[test]
    fn phones_accept_common_shapes_and_reject_letters() {
        let mut c = Checker::default();
        assert_eq!(
            c.phone("phone", " +1 809 555 0123 "),
            Some("+1 809 555 0123".into())
        );
        assert!(c.phone("phone", "+52 (55) 5555-0123 ext 12").is_some());
        assert!(c.errors.is_empty());
        assert_eq!(c.phone("mobile", "call me"), None);
        assert_eq!(c.phone("fax", "12"), None);
        assert_eq!(c.errors.get("mobile"), Some("field-phone-invalid"));
        assert_eq!(c.errors.get("fax"), Some("field-phone-invalid"));
    }

    #[test]
    fn social_urls_must_be_on_their_network() {
        let mut c = Checker::default();
        let li = ["linkedin.com"];
        assert_eq!(
            c.url_on("linkedin", "www.linkedin.com/in/maria", &li),
            Some("https://www.linkedin.com/in/maria".into())
        );
        assert_eq!(
            c.url_on("x", "https://evil.example/linkedin.com", &li),
            None
        );
        assert_eq!(c.url_on("a", "https://notlinkedin.com/in/x", &li), None);
        assert_eq!(c.url_on("b", "javascript:alert(1)", &li), None);
        assert_eq!(c.errors.get("x"), Some("field-url-host"));
        assert_eq!(c.errors.get("a"), Some("field-url-host"));
        assert!(c.errors.get("b").is_some());
    }

    #[test]
    fn lengths_countries_and_required_values() {
        let mut c = Checker::default();
        assert_eq!(c.text("n", &"x".repeat(101), limits::NAME), None);
        assert_eq!(c.required("code", "  ", limits::SHORT), "");
        assert_eq!(c.country("country", "do"), Some("DO".into()));
        assert_eq!(c.country("nationality", "XX"), None);
        assert_eq!(c.errors.get("n"), Some("field-too-long"));
        assert_eq!(c.errors.get("code"), Some("field-required"));
        assert_eq!(c.errors.get("nationality"), Some("field-country-invalid"));
    }
}
