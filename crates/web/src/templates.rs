//! Tera templates: the shared layout and error page here, each app adds its own.
//! One engine per language, so templates call `t(key="…")` without passing it.

use std::sync::Arc;

use fluent_templates::FluentLoader;
use portico_domain::Locale;

use crate::i18n::{LOCALES, language_id};

/// Templates owned by this crate: the layout every page extends and the error page.
pub const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../templates/base.html")),
    ("error.html", include_str!("../templates/error.html")),
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
            tera.register_function(
                "t",
                FluentLoader::new(&*LOCALES).with_default_lang(language_id(locale).clone()),
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
