//! Form plumbing of the back office: fields described once in Rust and drawn by
//! one template (`admin/fields.html`), translated field errors, and the local
//! "back" address a form returns to.

use portico_domain::FieldErrors;
use portico_web::Lang;
use serde::Serialize;
use serde_json::Value;

/// One option of a `<select>`.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Choice {
    pub value: String,
    pub label: String,
}

impl Choice {
    pub fn new(value: impl ToString, label: impl Into<String>) -> Self {
        Self {
            value: value.to_string(),
            label: label.into(),
        }
    }
}

/// One form control with its label, value and error (every key always present).
#[derive(Debug, Serialize)]
pub(crate) struct Field {
    name: &'static str,
    label: String,
    /// `text`, `email`, `tel`, `url`, `date`, `textarea`, `select`, `checkbox`
    /// or `file`.
    kind: &'static str,
    value: String,
    checked: bool,
    error: Option<String>,
    hint: Option<String>,
    options: Vec<Choice>,
    required: bool,
    maxlength: Option<usize>,
    autocomplete: Option<&'static str>,
    /// The media types a file input accepts.
    accept: Option<&'static str>,
    /// A file input taking several files.
    multiple: bool,
    /// The image a file input currently holds (a stored photo).
    preview: Option<Preview>,
}

/// An image shown above a file input.
#[derive(Debug, Serialize)]
pub(crate) struct Preview {
    src: String,
    alt: String,
}

/// A `<fieldset>` of fields.
#[derive(Debug, Serialize)]
pub(crate) struct Group {
    legend: String,
    fields: Vec<Field>,
}

/// Builds the groups of a form from the submitted values (any serializable
/// struct whose field names are the controls' names) and their errors.
pub(crate) struct FormBuilder<'a> {
    lang: &'a Lang,
    values: Value,
    errors: &'a FieldErrors,
    groups: Vec<Group>,
}

impl<'a> FormBuilder<'a> {
    pub fn new(lang: &'a Lang, values: &impl Serialize, errors: &'a FieldErrors) -> Self {
        Self {
            lang,
            values: serde_json::to_value(values).unwrap_or(Value::Null),
            errors,
            groups: Vec::new(),
        }
    }

    /// Starts a fieldset titled by a message id.
    pub fn group(mut self, legend_id: &str) -> Self {
        self.groups.push(Group {
            legend: self.lang.t(legend_id),
            fields: Vec::new(),
        });
        self
    }

    fn push(mut self, name: &'static str, kind: &'static str, maxlength: Option<usize>) -> Self {
        let raw = self.values.get(name);
        let value = raw.and_then(Value::as_str).unwrap_or_default().to_owned();
        let checked =
            raw.is_some_and(|v| v.as_str().is_some_and(|s| !s.is_empty() && s != "false"));
        let field = Field {
            name,
            label: self.lang.t(&format!("label-{name}")),
            kind,
            value,
            checked,
            error: self.errors.get(name).map(|id| self.lang.t(id)),
            hint: None,
            options: Vec::new(),
            required: false,
            maxlength,
            autocomplete: None,
            accept: None,
            multiple: false,
            preview: None,
        };
        if self.groups.is_empty() {
            self.groups.push(Group {
                legend: String::new(),
                fields: Vec::new(),
            });
        }
        if let Some(group) = self.groups.last_mut() {
            group.fields.push(field);
        }
        self
    }

    fn last(&mut self) -> Option<&mut Field> {
        self.groups.last_mut().and_then(|g| g.fields.last_mut())
    }

    /// A single-line input of an HTML type (`text`, `email`, `tel`, `url`, `date`).
    pub fn input(self, name: &'static str, kind: &'static str, max: usize) -> Self {
        self.push(name, kind, Some(max))
    }

    pub fn text(self, name: &'static str, max: usize) -> Self {
        self.input(name, "text", max)
    }

    pub fn textarea(self, name: &'static str, max: usize) -> Self {
        self.push(name, "textarea", Some(max))
    }

    pub fn select(mut self, name: &'static str, options: Vec<Choice>) -> Self {
        self = self.push(name, "select", None);
        if let Some(field) = self.last() {
            field.options = options;
        }
        self
    }

    pub fn checkbox(self, name: &'static str) -> Self {
        self.push(name, "checkbox", None)
    }

    /// A file input accepting the given media types (the form must be multipart).
    pub fn file(mut self, name: &'static str, accept: &'static str) -> Self {
        self = self.push(name, "file", None);
        if let Some(field) = self.last() {
            field.accept = Some(accept);
        }
        self
    }

    /// Lets the last file input take several files.
    pub fn multiple(mut self) -> Self {
        if let Some(field) = self.last() {
            field.multiple = true;
        }
        self
    }

    /// Shows an image (what the last file input currently holds) with its alt text.
    pub fn preview(mut self, src: String, alt: String) -> Self {
        if let Some(field) = self.last() {
            field.preview = Some(Preview { src, alt });
        }
        self
    }

    /// Marks the last field required.
    pub fn required(self) -> Self {
        self.required_if(true)
    }

    /// Marks the last field required when `required` holds (a company's rule).
    pub fn required_if(mut self, required: bool) -> Self {
        if let Some(field) = self.last() {
            field.required = required;
        }
        self
    }

    /// Adds a hint (message id) under the last field.
    pub fn hint(mut self, hint_id: &str) -> Self {
        let hint = self.lang.t(hint_id);
        if let Some(field) = self.last() {
            field.hint = Some(hint);
        }
        self
    }

    /// Sets the hint of the last field to a text already translated (one with
    /// arguments).
    pub fn hint_text(mut self, hint: String) -> Self {
        if let Some(field) = self.last() {
            field.hint = Some(hint);
        }
        self
    }

    /// Sets the browser's autofill hint of the last field.
    pub fn autocomplete(mut self, token: &'static str) -> Self {
        if let Some(field) = self.last() {
            field.autocomplete = Some(token);
        }
        self
    }

    pub fn build(self) -> Vec<Group> {
        self.groups
    }
}

/// A `back` address a form may return to: a path inside the back office only.
pub(crate) fn safe_back(raw: Option<&str>) -> Option<String> {
    let raw = raw?.trim();
    let ok = (raw == "/admin" || raw.starts_with("/admin/") || raw.starts_with("/admin?"))
        && !raw.contains("//")
        && !raw.contains('\\')
        && !raw.chars().any(char::is_control);
    ok.then(|| raw.to_owned())
}

/// Every country (ISO 3166-1), named and sorted in the reader's language.
pub(crate) fn country_choices(lang: &Lang) -> Vec<Choice> {
    portico_domain::iso::countries(lang.0)
        .into_iter()
        .map(|c| Choice::new(c.code, c.name(lang.0)))
        .collect()
}

/// A country code's name in the reader's language (the code itself if unknown).
pub(crate) fn country_name(lang: &Lang, code: Option<&str>) -> Option<String> {
    let code = code?;
    Some(
        portico_domain::iso::country(code)
            .map_or(code, |c| c.name(lang.0))
            .to_owned(),
    )
}

/// The choices of a yes/no/any filter.
pub(crate) fn tri_state(lang: &Lang) -> Vec<Choice> {
    vec![
        Choice::new("yes", lang.t("yes")),
        Choice::new("no", lang.t("no")),
    ]
}

#[cfg(test)]
mod tests {
    use super::safe_back;

    #[test]
    fn back_addresses_stay_in_the_back_office() {
        assert_eq!(
            safe_back(Some("/admin/customers?q=x")).as_deref(),
            Some("/admin/customers?q=x")
        );
        for bad in [
            "https://evil.example",
            "//evil.example",
            "/admin//x",
            "/administrator",
            "/portal",
        ] {
            assert_eq!(safe_back(Some(bad)), None, "{bad}");
        }
    }
}
