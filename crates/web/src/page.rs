//! `Ui`: what every HTML handler needs to render a page in the right language,
//! with the tenant, the CSRF token and the request id filled in.

use poem::{FromRequest, Request, RequestBody, session::Session, web::Html};
use portico_data::Tenant;
use serde_json::json;

use crate::{AppError, AppState, CurrentTenant, Lang, csrf, observe::RequestId};

/// The rendering context of one request.
pub struct Ui {
    pub state: AppState,
    pub lang: Lang,
    /// Whether the browser has chosen its language (the switcher's cookie), so
    /// no stored preference may replace that choice.
    pub language_chosen: bool,
    pub tenant: Option<Tenant>,
    pub csrf: String,
    pub path: String,
    pub request_id: String,
    /// A one-time message left by the previous request (a message id).
    pub flash: Option<String>,
}

const FLASH_KEY: &str = "flash";

/// Leaves a message (by id) for the next page the browser shows, e.g. after a
/// redirect: "Contact saved".
pub fn set_flash(session: &Session, message_id: &str) {
    session.set(FLASH_KEY, message_id);
}

/// Separates a flash message's id from the name it is about.
const FLASH_NAME: char = '\u{1f}';

/// Like [`set_flash`], for a message about someone or something by name
/// (`$name` in the message): "Ana Pérez was saved."
pub fn set_flash_named(session: &Session, message_id: &str, name: &str) {
    session.set(FLASH_KEY, format!("{message_id}{FLASH_NAME}{name}"));
}

/// Like [`set_flash`], for a problem the next page should show as an error.
pub fn set_flash_error(session: &Session, message_id: &str) {
    session.set(FLASH_KEY, format!("!{message_id}"));
}

impl<'a> FromRequest<'a> for Ui {
    async fn from_request(req: &'a Request, body: &mut RequestBody) -> poem::Result<Self> {
        let state = req
            .data::<AppState>()
            .cloned()
            .ok_or_else(|| AppError::Internal("application state missing".into()))?;
        let session = <&Session>::from_request(req, body).await?;
        let flash = session.get::<String>(FLASH_KEY);
        if flash.is_some() {
            session.remove(FLASH_KEY);
        }
        Ok(Ui {
            flash,
            state,
            lang: Lang::of(req),
            language_chosen: Lang::chosen(req).is_some(),
            tenant: req.extensions().get::<CurrentTenant>().map(|t| t.0.clone()),
            csrf: csrf::token(session),
            path: req
                .original_uri()
                .path_and_query()
                .map_or("/", |p| p.as_str())
                .to_owned(),
            request_id: req
                .extensions()
                .get::<RequestId>()
                .map(|r| r.0.clone())
                .unwrap_or_default(),
        })
    }
}

impl Ui {
    /// A context holding what the shared layout uses; add the page's own values.
    pub fn context(&self) -> tera::Context {
        let mut ctx = tera::Context::new();
        ctx.insert("lang", self.lang.0.tag());
        ctx.insert("csrf", &self.csrf);
        ctx.insert("path", &self.path);
        ctx.insert("request_id", &self.request_id);
        let (flash_kind, flash_id) = match self.flash.as_deref() {
            Some(id) => match id.strip_prefix('!') {
                Some(error) => ("error", Some(error)),
                None => ("ok", Some(id)),
            },
            None => ("ok", None),
        };
        let flash = flash_id.map(|id| match id.split_once(FLASH_NAME) {
            Some((id, name)) => self.lang.t_args(id, &[("name", name.to_owned().into())]),
            None => self.lang.t(id),
        });
        ctx.insert("flash", &flash);
        ctx.insert("flash_kind", flash_kind);
        ctx.insert(
            "tenant",
            &self.tenant.as_ref().map(|t| {
                json!({
                    "name": t.name(),
                    "slug": t.slug().as_str(),
                    "logo": t.logo_id().map(|id| format!("/logo/{id}")),
                })
            }),
        );
        ctx
    }

    /// Renders a page.
    pub fn render(&self, template: &str, ctx: &tera::Context) -> Result<Html<String>, AppError> {
        Ok(Html(self.state.templates.render(
            self.lang.0,
            template,
            ctx,
        )?))
    }
}
