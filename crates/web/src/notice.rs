//! A notice mailed to a customer-portal contact about one of its records (a
//! quote waiting for its decision, an answer to its request): in the
//! contact's language (else the company's), a greeting, what happened, a link
//! into the portal and the company's signature.

use portico_data::{AccountContact, NewMail, Tenant};

use crate::{AppError, AppState, Lang};

/// The language to write to `person` in.
pub fn language(person: &AccountContact, tenant: &Tenant) -> Lang {
    Lang(person.preferred_language.unwrap_or(tenant.locale()))
}

/// What a notice says, already in its reader's language.
pub struct Notice {
    pub subject: String,
    /// What happened, one paragraph each.
    pub body: Vec<String>,
    /// What the link is for.
    pub open: String,
    /// The record's path on the company's site (`/portal/…?account=…`).
    pub path: String,
    /// Why the reader gets it.
    pub why: String,
}

impl Notice {
    /// The mail to `person`, with the greeting, the link and the signature.
    pub fn mail(
        self,
        state: &AppState,
        tenant: &Tenant,
        person: &AccountContact,
        lang: Lang,
    ) -> Result<NewMail, AppError> {
        let link = state
            .config
            .tenant_url(tenant.slug())
            .join(&self.path)
            .map_err(AppError::internal)?;
        let greeting = lang.t_args(
            "portal-mail-greeting",
            &[("name", person.display_name.clone().into())],
        );
        let signature = lang.t_args(
            "portal-mail-signature",
            &[
                ("portal", lang.t("portal-customer-name").into()),
                ("company", tenant.name().to_owned().into()),
            ],
        );
        let paragraphs: Vec<String> = std::iter::once(greeting)
            .chain(self.body)
            .chain([self.open, link.to_string(), self.why, signature])
            .collect();
        Ok(NewMail {
            to: person.email.clone(),
            to_name: Some(person.display_name.clone()),
            subject: self.subject,
            body_text: paragraphs.join("\n\n") + "\n",
            body_html: None,
        })
    }
}
