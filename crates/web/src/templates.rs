//! Tera templates: the shared layout and error page here, each app adds its own.
//! One engine per language, so templates call `t(key="…")` without passing it;
//! like [`crate::Lang::t_args`], `t` ends a sentence once after a name that
//! ends in a full stop.

use std::sync::Arc;

use fluent_templates::FluentLoader;
use portico_domain::Locale;
use tera::Function;

use crate::i18n::{LOCALES, language_id, one_full_stop};

/// Templates owned by this crate: the layout every page extends, the bare error
/// page, the error card that apps' error pages include in their layouts and the
/// new-password card (included) of the staff and portal password pages.
pub const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../templates/base.html")),
    (
        "error_card.html",
        include_str!("../templates/error_card.html"),
    ),
    ("error.html", include_str!("../templates/error.html")),
    (
        "new_password.html",
        include_str!("../templates/new_password.html"),
    ),
];

/// The compiled templates, per language.
#[derive(Clone)]
pub struct Templates {
    engines: Arc<Vec<(Locale, tera::Tera)>>,
}

impl Templates {
    /// Compiles this crate's templates plus the given apps' templates.
    pub fn new(app_templates: &[&[(&str, &str)]]) -> Result<Self, tera::Error> {
        let mut engines = Vec::new();
        for locale in Locale::ALL {
            let mut tera = tera::Tera::new();
            let loader =
                FluentLoader::new(&*LOCALES).with_default_lang(language_id(locale).clone());
            tera.register_function(
                "t",
                move |kwargs: tera::Kwargs, state: &tera::State| -> tera::TeraResult<String> {
                    let values: Vec<String> = kwargs
                        .iter()
                        .filter_map(|(_, v)| v.as_str().map(str::to_owned))
                        .collect();
                    let text = loader.call(kwargs, state)?;
                    let text = text.as_str().unwrap_or_default().to_owned();
                    Ok(one_full_stop(text, values.iter().map(String::as_str)))
                },
            );
            tera.add_raw_templates(TEMPLATES.iter().copied())?;
            for set in app_templates {
                tera.add_raw_templates(set.iter().copied())?;
            }
            engines.push((locale, tera));
        }
        Ok(Self {
            engines: Arc::new(engines),
        })
    }

    /// Renders a template in a language.
    pub fn render(
        &self,
        locale: Locale,
        name: &str,
        context: &tera::Context,
    ) -> Result<String, tera::Error> {
        let tera = self
            .engines
            .iter()
            .find(|(l, _)| *l == locale)
            .map(|(_, t)| t)
            .unwrap_or(&self.engines[0].1);
        tera.render(name, context)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_template_ends_a_sentence_once_after_a_name_ending_in_a_full_stop() {
        let templates = Templates::new(&[&[(
            "created.html",
            r#"{{ t(key="operator-tenant-created-title", company=name) }}"#,
        )]])
        .unwrap();
        let mut ctx = tera::Context::new();
        ctx.insert("name", "Acme, S.R.L.");
        assert_eq!(
            templates.render(Locale::Es, "created.html", &ctx).unwrap(),
            "Se creó Acme, S.R.L."
        );
        ctx.insert("name", "Acme");
        assert_eq!(
            templates.render(Locale::Es, "created.html", &ctx).unwrap(),
            "Se creó Acme."
        );
    }
}
