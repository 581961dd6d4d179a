//! The contact record of DESIGN.md §2: what a form or the API submits, the rules
//! it must satisfy, and the clean values that reach the database.

use std::{fmt, str::FromStr};

use chrono::NaiveDate;
use uuid::Uuid;

use crate::{
    Email, Locale,
    fields::{Checker, FieldErrors, limits},
};

/// Which names a contact must have: a tenant setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequiredFields {
    /// At least one of first names, last names or email (the CRM document).
    #[default]
    AnyOf,
    /// First and last names both (the Contactos document).
    FirstAndLastName,
}

impl RequiredFields {
    pub fn as_str(self) -> &'static str {
        match self {
            RequiredFields::AnyOf => "any_of",
            RequiredFields::FirstAndLastName => "first_and_last_name",
        }
    }
}

impl fmt::Display for RequiredFields {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for RequiredFields {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "any_of" => Ok(RequiredFields::AnyOf),
            "first_and_last_name" => Ok(RequiredFields::FirstAndLastName),
            other => Err(format!("unknown required-fields rule {other:?}")),
        }
    }
}

/// A contact as submitted: every field a string, blank meaning "none".
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct ContactInput {
    pub title_id: String,
    pub first_name: String,
    pub last_name: String,
    pub nickname: String,
    pub position: String,
    pub department: String,
    pub category_id: String,
    pub owner_id: String,
    pub notes: String,
    pub preferences: String,
    pub id_doc_type: String,
    pub id_doc_number: String,
    pub nationality: String,
    pub licence_number: String,
    pub licence_category: String,
    pub licence_expiry: String,
    pub email: String,
    pub personal_email: String,
    pub phone: String,
    pub mobile: String,
    pub fax: String,
    pub facebook_url: String,
    pub linkedin_url: String,
    pub x_url: String,
    pub street: String,
    pub city: String,
    pub state: String,
    pub postal_code: String,
    pub country: String,
    /// A checkbox: present (any value but "false") means opted out.
    pub email_opt_out: Option<String>,
    pub preferred_language: String,
    /// Important dates, one per line: `label: YYYY-MM-DD` (e.g. `Cumpleaños: 1985-04-12`).
    pub important_dates: String,
}

/// A contact's values after validation.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ContactFields {
    pub title_id: Option<Uuid>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub nickname: Option<String>,
    pub position: Option<String>,
    pub department: Option<String>,
    pub category_id: Option<Uuid>,
    pub owner_id: Option<Uuid>,
    pub notes: Option<String>,
    pub preferences: Option<String>,
    pub id_doc_type: Option<String>,
    pub id_doc_number: Option<String>,
    pub nationality: Option<String>,
    pub licence_number: Option<String>,
    pub licence_category: Option<String>,
    pub licence_expiry: Option<NaiveDate>,
    pub email: Option<Email>,
    pub personal_email: Option<Email>,
    pub phone: Option<String>,
    pub mobile: Option<String>,
    pub fax: Option<String>,
    pub facebook_url: Option<String>,
    pub linkedin_url: Option<String>,
    pub x_url: Option<String>,
    pub street: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub postal_code: Option<String>,
    pub country: Option<String>,
    pub email_opt_out: bool,
    pub preferred_language: Option<Locale>,
    pub important_dates: Vec<ImportantDate>,
}

/// A labelled date worth remembering (birthday, anniversary…).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ImportantDate {
    pub label: String,
    pub date: NaiveDate,
}

/// Most important dates a contact keeps.
pub const MAX_IMPORTANT_DATES: usize = 20;

/// Reads `label: YYYY-MM-DD` lines; blank lines are skipped.
fn important_dates(raw: &str) -> Result<Vec<ImportantDate>, &'static str> {
    let mut dates = Vec::new();
    for line in raw.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let (label, date) = line.rsplit_once(':').ok_or("field-dates-invalid")?;
        let label = label.trim();
        if label.is_empty() || label.chars().count() > limits::SHORT {
            return Err("field-dates-invalid");
        }
        let date = NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d")
            .map_err(|_| "field-dates-invalid")?;
        dates.push(ImportantDate {
            label: label.to_owned(),
            date,
        });
    }
    if dates.len() > MAX_IMPORTANT_DATES {
        return Err("field-too-long");
    }
    Ok(dates)
}

/// The `label: YYYY-MM-DD` lines of stored dates, for a form.
pub fn important_dates_text(dates: &[ImportantDate]) -> String {
    dates
        .iter()
        .map(|d| format!("{}: {}", d.label, d.date))
        .collect::<Vec<_>>()
        .join("\n")
}

impl ContactInput {
    /// Checks every field and the tenant's required-fields rule; all problems at once.
    pub fn validate(&self, rule: RequiredFields) -> Result<ContactFields, FieldErrors> {
        let mut c = Checker::default();
        let fields = ContactFields {
            title_id: c.reference("title_id", &self.title_id),
            first_name: c.text("first_name", &self.first_name, limits::NAME),
            last_name: c.text("last_name", &self.last_name, limits::NAME),
            nickname: c.text("nickname", &self.nickname, limits::NAME),
            position: c.text("position", &self.position, limits::TEXT),
            department: c.text("department", &self.department, limits::TEXT),
            category_id: c.reference("category_id", &self.category_id),
            owner_id: c.reference("owner_id", &self.owner_id),
            notes: c.text("notes", &self.notes, limits::LONG_TEXT),
            preferences: c.text("preferences", &self.preferences, limits::LONG_TEXT),
            id_doc_type: c.text("id_doc_type", &self.id_doc_type, limits::SHORT),
            id_doc_number: c.text("id_doc_number", &self.id_doc_number, limits::SHORT),
            nationality: c.country("nationality", &self.nationality),
            licence_number: c.text("licence_number", &self.licence_number, limits::SHORT),
            licence_category: c.text("licence_category", &self.licence_category, limits::SHORT),
            licence_expiry: c.date("licence_expiry", &self.licence_expiry),
            email: c.email("email", &self.email),
            personal_email: c.email("personal_email", &self.personal_email),
            phone: c.phone("phone", &self.phone),
            mobile: c.phone("mobile", &self.mobile),
            fax: c.phone("fax", &self.fax),
            facebook_url: c.url_on(
                "facebook_url",
                &self.facebook_url,
                &["facebook.com", "fb.com"],
            ),
            linkedin_url: c.url_on("linkedin_url", &self.linkedin_url, &["linkedin.com"]),
            x_url: c.url_on("x_url", &self.x_url, &["x.com", "twitter.com"]),
            street: c.text("street", &self.street, limits::TEXT * 2),
            city: c.text("city", &self.city, limits::NAME),
            state: c.text("state", &self.state, limits::NAME),
            postal_code: c.text("postal_code", &self.postal_code, limits::SHORT / 2),
            country: c.country("country", &self.country),
            email_opt_out: self
                .email_opt_out
                .as_deref()
                .is_some_and(|v| !v.is_empty() && v != "false"),
            preferred_language: match self.preferred_language.trim() {
                "" => None,
                tag => Locale::from_tag(tag).or_else(|| {
                    c.errors.add("preferred_language", "field-choice-invalid");
                    None
                }),
            },
            important_dates: important_dates(&self.important_dates).unwrap_or_else(|message| {
                c.errors.add("important_dates", message);
                Vec::new()
            }),
        };
        // The required-fields rule only speaks when the fields themselves were fine.
        let blank =
            |field: &str, value: &Option<String>| value.is_none() && c.errors.get(field).is_none();
        let (first, last) = (
            blank("first_name", &fields.first_name),
            blank("last_name", &fields.last_name),
        );
        match rule {
            RequiredFields::AnyOf => {
                if first && last && fields.email.is_none() && c.errors.get("email").is_none() {
                    c.errors.add("first_name", "contact-name-or-email-required");
                }
            }
            RequiredFields::FirstAndLastName => {
                if first {
                    c.errors.add("first_name", "field-required");
                }
                if last {
                    c.errors.add("last_name", "field-required");
                }
            }
        }
        c.errors.finish(fields)
    }
}

impl From<&ContactFields> for ContactInput {
    /// The values of a stored contact as a form shows them.
    fn from(f: &ContactFields) -> Self {
        let s = |v: &Option<String>| v.clone().unwrap_or_default();
        let id = |v: Option<Uuid>| v.map(|u| u.to_string()).unwrap_or_default();
        let email = |v: &Option<crate::Email>| {
            v.as_ref()
                .map(|e| e.as_str().to_owned())
                .unwrap_or_default()
        };
        ContactInput {
            title_id: id(f.title_id),
            first_name: s(&f.first_name),
            last_name: s(&f.last_name),
            nickname: s(&f.nickname),
            position: s(&f.position),
            department: s(&f.department),
            category_id: id(f.category_id),
            owner_id: id(f.owner_id),
            notes: s(&f.notes),
            preferences: s(&f.preferences),
            id_doc_type: s(&f.id_doc_type),
            id_doc_number: s(&f.id_doc_number),
            nationality: s(&f.nationality),
            licence_number: s(&f.licence_number),
            licence_category: s(&f.licence_category),
            licence_expiry: f.licence_expiry.map(|d| d.to_string()).unwrap_or_default(),
            email: email(&f.email),
            personal_email: email(&f.personal_email),
            phone: s(&f.phone),
            mobile: s(&f.mobile),
            fax: s(&f.fax),
            facebook_url: s(&f.facebook_url),
            linkedin_url: s(&f.linkedin_url),
            x_url: s(&f.x_url),
            street: s(&f.street),
            city: s(&f.city),
            state: s(&f.state),
            postal_code: s(&f.postal_code),
            country: s(&f.country),
            email_opt_out: f.email_opt_out.then(|| "on".into()),
            preferred_language: f
                .preferred_language
                .map(|l| l.tag().to_owned())
                .unwrap_or_default(),
            important_dates: crate::important_dates_text(&f.important_dates),
        }
    }
}

impl ContactFields {
    /// The name people read: "first last", else the nickname, else the email.
    pub fn display_name(&self) -> String {
        let name = [self.first_name.as_deref(), self.last_name.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        if !name.is_empty() {
            name
        } else if let Some(nick) = &self.nickname {
            nick.clone()
        } else {
            self.email
                .as_ref()
                .map(|e| e.as_str().to_owned())
                .unwrap_or_default()
        }
    }

    /// What the list's search matches: names, emails and phone numbers, lower-cased;
    /// phone numbers also as bare digits so "8095550123" finds "+1 809 555 0123".
    pub fn search_text(&self) -> String {
        let mut parts: Vec<String> = [
            &self.first_name,
            &self.last_name,
            &self.nickname,
            &self.phone,
            &self.mobile,
        ]
        .into_iter()
        .flatten()
        .map(|s| crate::fold(s))
        .collect();
        parts.extend(
            [&self.email, &self.personal_email]
                .into_iter()
                .flatten()
                .map(|e| e.as_str().to_owned()),
        );
        parts.extend(
            [&self.phone, &self.mobile]
                .into_iter()
                .flatten()
                .map(|p| p.chars().filter(char::is_ascii_digit).collect::<String>()),
        );
        parts.join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(first: &str, last: &str, email: &str) -> ContactInput {
        ContactInput {
            first_name: first.into(),
            last_name: last.into(),
            email: email.into(),
            ..ContactInput::default()
        }
    }

    #[test]
    fn any_of_needs_one_name_or_an_email() {
        let rule = RequiredFields::AnyOf;
        assert!(input("", "", "ana@example.do").validate(rule).is_ok());
        assert!(input("Ana", "", "").validate(rule).is_ok());
        let errors = input(" ", "", "").validate(rule).unwrap_err();
        assert_eq!(
            errors.get("first_name"),
            Some("contact-name-or-email-required")
        );
    }

    #[test]
    fn first_and_last_name_needs_both() {
        let rule = RequiredFields::FirstAndLastName;
        let errors = input("Ana", "", "ana@example.do")
            .validate(rule)
            .unwrap_err();
        assert_eq!(errors.get("last_name"), Some("field-required"));
        assert_eq!(errors.get("first_name"), None);
        assert!(input("Ana", "Peña", "").validate(rule).is_ok());
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let mut bad = input("Ana", "Peña", "not-an-email");
        bad.mobile = "abc".into();
        bad.x_url = "https://facebook.com/ana".into();
        bad.licence_expiry = "31/12/2026".into();
        let errors = bad.validate(RequiredFields::AnyOf).unwrap_err();
        assert_eq!(errors.get("email"), Some("field-email-invalid"));
        assert_eq!(errors.get("mobile"), Some("field-phone-invalid"));
        assert_eq!(errors.get("x_url"), Some("field-url-host"));
        assert_eq!(errors.get("licence_expiry"), Some("field-date-invalid"));
    }

    #[test]
    fn important_dates_are_label_and_iso_date_lines() {
        let mut ok = input("Ana", "", "");
        ok.important_dates = "Cumpleaños: 1985-04-12\n\n Aniversario : 2010-06-01 ".into();
        let fields = ok.validate(RequiredFields::AnyOf).unwrap();
        assert_eq!(fields.important_dates.len(), 2);
        assert_eq!(fields.important_dates[1].label, "Aniversario");
        assert_eq!(
            important_dates_text(&fields.important_dates),
            "Cumpleaños: 1985-04-12\nAniversario: 2010-06-01"
        );
        let mut bad = input("Ana", "", "");
        bad.important_dates = "Cumpleaños 12/04/1985".into();
        let errors = bad.validate(RequiredFields::AnyOf).unwrap_err();
        assert_eq!(errors.get("important_dates"), Some("field-dates-invalid"));
    }

    #[test]
    fn display_and_search_text() {
        let mut ok = input("María", "Peña", "MARIA@Example.do")
            .validate(RequiredFields::AnyOf)
            .unwrap();
        assert_eq!(ok.display_name(), "María Peña");
        ok.mobile = Some("+1 809 555 0123".into());
        let text = ok.search_text();
        assert!(text.contains("maria pena"), "names are folded: {text}");
        assert!(text.contains("maria@example.do"));
        assert!(text.contains("18095550123"));
    }
}

/// A contact's link to a customer or supplier, as submitted.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct LinkInput {
    /// The contact's position in that organisation.
    pub link_position: String,
    /// A checkbox: the account's primary contact.
    pub is_primary: Option<String>,
}

/// A link's values after validation.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct LinkFields {
    pub position: Option<String>,
    pub is_primary: bool,
}

impl LinkInput {
    pub fn validate(&self) -> Result<LinkFields, FieldErrors> {
        let mut c = Checker::default();
        let fields = LinkFields {
            position: c.text("link_position", &self.link_position, limits::TEXT),
            is_primary: self
                .is_primary
                .as_deref()
                .is_some_and(|v| !v.is_empty() && v != "false"),
        };
        c.errors.finish(fields)
    }
}
