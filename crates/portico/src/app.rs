//! Wiring: services from settings, and every app in one endpoint.

use anyhow::Context;
use poem::{Endpoint, get, handler, web::Redirect};
use portico_auth::RedisHandle;
use portico_data::{Backend, Database};
use portico_files::FileStore;
use portico_mail::{MailConfig, Mailer, Transport};
use portico_web::{Access, AppState, Routes, WebConfig, templates::Templates};

use crate::config::Settings;

/// Every template of every app.
pub fn templates() -> anyhow::Result<Templates> {
    Templates::new(&[
        portico_admin::TEMPLATES,
        portico_operator::TEMPLATES,
        portico_portal::TEMPLATES,
        portico_customer_portal::TEMPLATES,
        portico_supplier_portal::TEMPLATES,
    ])
    .context("compiling templates")
}

/// Connects to the configured database and Redis. A configured service that does
/// not answer is an error: there is no silent fallback.
pub async fn connect(settings: &Settings) -> anyhow::Result<(Database, Option<RedisHandle>)> {
    if let Some(path) = settings.database_url.strip_prefix("sqlite://")
        && let Some(dir) = std::path::Path::new(path.split('?').next().unwrap_or(path)).parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let db = Database::connect(&settings.database())
        .await
        .context("connecting to the database")?;
    // The embedded database is the user's own file: every command migrates it
    // first, so `portico tenant create` works on a fresh folder. PostgreSQL is
    // migrated only by `portico migrate`, as its owner decides.
    if db.backend() == Backend::Sqlite {
        db.migrate().await.context("applying migrations")?;
    }
    let redis = match &settings.redis_url {
        Some(url) => Some(
            RedisHandle::connect(url, &settings.redis_prefix)
                .await
                .context("connecting to Redis (REDIS_URL)")?,
        ),
        None => None,
    };
    Ok((db, redis))
}

/// The shared state for the apps.
pub fn state(
    db: Database,
    redis: Option<RedisHandle>,
    files: FileStore,
    web: WebConfig,
    mail: Mailer,
) -> anyhow::Result<AppState> {
    Ok(AppState::new(db, redis, files, templates()?, web, mail))
}

/// The configured file store (a local directory, created when missing).
pub fn files(settings: &Settings) -> anyhow::Result<FileStore> {
    FileStore::local(std::path::Path::new(&settings.files_dir)).context("opening the file store")
}

/// Every app: the operator console on the base domain; the back office, the
/// customer portal and the supplier portal on each tenant's sub-domain.
pub fn endpoint(state: AppState) -> impl Endpoint {
    portico_web::site::build(state, platform_site(), tenant_site())
}

/// The base domain's routes: the operator console.
pub fn platform_site() -> Routes {
    portico_operator::routes()
}

/// A company's site: the back office, its API and the two portals.
pub fn tenant_site() -> Routes {
    Routes::new()
        .at("/", Access::Anonymous, get(tenant_root))
        .at(
            "/logo/:id",
            Access::Anonymous,
            get(portico_web::logo::serve),
        )
        .nest("/admin", portico_admin::routes())
        .nest_api("/api/v1", portico_admin::api::routes())
        .nest("/portal", portico_customer_portal::routes())
        .nest("/supplier", portico_supplier_portal::routes())
}

/// A tenant's bare address leads to the customer portal, where most people go.
#[handler]
fn tenant_root() -> Redirect {
    Redirect::see_other("/portal")
}

/// The mail dispatcher for the configured transport: SMTP when `smtp_url` is set
/// (an unusable URL is an error, never a silent fall back to files), otherwise
/// `.eml` files in `mail_dir`. Not started; call [`Mailer::start`]. Needs a Tokio
/// runtime.
pub fn mailer(settings: &Settings, db: Database) -> anyhow::Result<Mailer> {
    let transport = match &settings.smtp_url {
        Some(url) => Transport::smtp(url).context("smtp_url")?,
        None => Transport::files(&settings.mail_dir).context("mail_dir")?,
    };
    let from = portico_mail::parse_from(&settings.mail_from).context("mail_from")?;
    Ok(Mailer::new(db, MailConfig::new(transport, from)))
}
