//! Spanish (default) and English: the message catalogues and how a request's
//! language is chosen (the user's choice, else `Accept-Language`, else the
//! tenant's language, else Spanish).

use std::{borrow::Cow, collections::HashMap, sync::LazyLock};

use fluent_templates::{LanguageIdentifier, Loader, fluent_bundle::FluentValue};
use poem::{FromRequest, Request, RequestBody, http::header};
use portico_domain::Locale;

use crate::CurrentTenant;

// Every message Portico shows, per language, compiled into the binary.
fluent_templates::static_loader! {
    pub static LOCALES = {
        locales: "./locales",
        fallback_language: "es",
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// The cookie that remembers a person's language choice.
pub const LANG_COOKIE: &str = "portico_lang";

/// Adds the `Set-Cookie` that remembers `locale` for a year to a response.
pub fn remember_language(resp: &mut poem::Response, locale: Locale, secure: bool) {
    let secure = if secure { "; Secure" } else { "" };
    let cookie = format!(
        "{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly{secure}",
        locale.tag()
    );
    // A tag is ASCII letters, so the header value is always valid.
    if let Ok(value) = cookie.parse() {
        resp.headers_mut().append(header::SET_COOKIE, value);
    }
}

static IDS: LazyLock<[(Locale, LanguageIdentifier); 2]> =
    LazyLock::new(|| Locale::ALL.map(|l| (l, l.tag().parse().unwrap_or_default())));

/// The fluent language id of a locale.
pub fn language_id(locale: Locale) -> &'static LanguageIdentifier {
    IDS.iter()
        .find(|(l, _)| *l == locale)
        .map(|(_, id)| id)
        .unwrap_or(&IDS[0].1)
}

/// The language a request is answered in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lang(pub Locale);

impl Lang {
    /// The language the browser chose with the switcher, if it did.
    pub fn chosen(req: &Request) -> Option<Locale> {
        cookie_value(req, LANG_COOKIE).and_then(|v| Locale::from_tag(&v))
    }

    /// Chooses the language for a request.
    pub fn of(req: &Request) -> Self {
        let chosen = Self::chosen(req);
        let accepted = || {
            req.headers()
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Locale::from_accept_language)
        };
        let tenant = || {
            req.extensions()
                .get::<CurrentTenant>()
                .map(|t| t.0.locale())
        };
        Lang(chosen.or_else(accepted).or_else(tenant).unwrap_or_default())
    }

    /// The message with this id.
    pub fn t(self, id: &str) -> String {
        LOCALES.lookup(language_id(self.0), id)
    }

    /// The message with this id, or `None` when there is none (for ids built
    /// from data, which must never be shown raw).
    pub fn try_t(self, id: &str) -> Option<String> {
        LOCALES.try_lookup(language_id(self.0), id)
    }

    /// The message with this id and arguments, or `None` when there is none.
    pub fn try_t_args(
        self,
        id: &str,
        args: &[(&'static str, FluentValue<'static>)],
    ) -> Option<String> {
        LOCALES.try_lookup_with_args(language_id(self.0), id, &fluent_args(args))
    }

    /// The message with this id and arguments.
    pub fn t_args(self, id: &str, args: &[(&'static str, FluentValue<'static>)]) -> String {
        let args = fluent_args(args);
        let text = LOCALES.lookup_with_args(language_id(self.0), id, &args);
        one_full_stop(
            text,
            args.values().filter_map(|v| match v {
                FluentValue::String(s) => Some(s.as_ref()),
                _ => None,
            }),
        )
    }
}

fn fluent_args(
    args: &[(&'static str, FluentValue<'static>)],
) -> HashMap<Cow<'static, str>, FluentValue<'static>> {
    args.iter()
        .map(|(k, v)| (Cow::Borrowed(*k), v.clone()))
        .collect()
}

/// A message whose argument ends in a full stop ("Acme, S.R.L.") just before
/// the sentence's own full stop would read "S.R.L.."; it keeps one.
pub fn one_full_stop<'a>(mut text: String, values: impl IntoIterator<Item = &'a str>) -> String {
    for value in values {
        if value.ends_with('.') && !value.trim_end_matches('.').is_empty() {
            text = text.replace(&format!("{value}."), value);
        }
    }
    text
}

impl<'a> FromRequest<'a> for Lang {
    async fn from_request(req: &'a Request, _body: &mut RequestBody) -> poem::Result<Self> {
        Ok(Lang::of(req))
    }
}

/// A cookie's value read straight from the `Cookie` header (works outside the
/// cookie-jar middleware, e.g. while rendering an error).
pub fn cookie_value(req: &Request, name: &str) -> Option<String> {
    req.headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The message ids of every `.ftl` file of a language's folder, by file name.
    fn ids_per_file(locale: &str) -> std::collections::BTreeMap<String, Vec<String>> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("locales")
            .join(locale);
        let mut files = std::collections::BTreeMap::new();
        for entry in std::fs::read_dir(&dir).expect("locale folder") {
            let path = entry.expect("entry").path();
            if path.extension().and_then(|e| e.to_str()) != Some("ftl") {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("ftl file");
            let mut ids: Vec<String> = text
                .lines()
                .filter(|l| !l.starts_with([' ', '#', '.']) && l.contains(" ="))
                .map(|l| l.split(" =").next().unwrap_or_default().to_owned())
                .collect();
            ids.sort();
            let name = path.file_name().unwrap_or_default().to_string_lossy();
            files.insert(name.into_owned(), ids);
        }
        files
    }

    #[test]
    fn every_message_exists_in_both_languages() {
        let es = ids_per_file("es");
        let en = ids_per_file("en");
        assert_eq!(
            es.keys().collect::<Vec<_>>(),
            en.keys().collect::<Vec<_>>(),
            "the same files in es and en"
        );
        for (file, ids) in &es {
            assert_eq!(ids, &en[file], "the same ids in es/{file} and en/{file}");
        }
        let all: Vec<&String> = es.values().flatten().collect();
        let unique: std::collections::BTreeSet<&String> = all.iter().copied().collect();
        assert_eq!(all.len(), unique.len(), "no id is defined twice");
        assert!(all.len() > 20);
    }

    #[test]
    fn no_message_variable_has_an_underscore() {
        // Templates call `t(key=…, max_mb=…)`, and the tera function passes its
        // arguments in kebab case (`max-mb`): a `$max_mb` would never be set.
        for locale in Locale::ALL {
            let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("locales")
                .join(locale.tag());
            for entry in std::fs::read_dir(&dir).expect("locale folder") {
                let path = entry.expect("entry").path();
                let text = std::fs::read_to_string(&path).expect("ftl file");
                for variable in text.split('$').skip(1) {
                    let name: String = variable
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
                        .collect();
                    assert!(!name.contains('_'), "${name} in {}", path.display());
                }
            }
        }
    }

    #[test]
    fn every_layout_message_exists_in_both_languages() {
        let ids = |text: &str| -> Vec<String> {
            let mut ids: Vec<String> = text
                .lines()
                .filter(|l| !l.starts_with([' ', '#', '.']) && l.contains(" ="))
                .map(|l| l.split(" =").next().unwrap_or_default().to_owned())
                .collect();
            ids.sort();
            ids
        };
        let es = ids(include_str!("../locales/es/ui.ftl"));
        assert_eq!(es, ids(include_str!("../locales/en/ui.ftl")));
        assert!(es.contains(&"ui-menu".to_owned()));
    }

    #[test]
    fn a_name_ending_in_a_full_stop_ends_the_sentence_once() {
        let company = FluentValue::from("Farmacia Carol, S.R.L.".to_owned());
        for lang in [Lang(Locale::Es), Lang(Locale::En)] {
            let text = lang.t_args("portal-invitation-hint", &[("company", company.clone())]);
            assert!(text.contains("S.R.L. "), "{text}");
            assert!(!text.contains(".."), "{text}");
        }
        assert_eq!(
            one_full_stop("Se creó Acme S.A.. Listo...".into(), ["Acme S.A."]),
            "Se creó Acme S.A. Listo..."
        );
    }

    #[test]
    fn messages_are_translated() {
        assert_eq!(Lang(Locale::Es).t("sign-in"), "Iniciar sesión");
        assert_eq!(Lang(Locale::En).t("sign-in"), "Sign in");
    }
}
