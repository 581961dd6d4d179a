//! The state every request shares: database, Redis, templates, throttles, config,
//! the mail dispatcher.

use std::{sync::Arc, time::Duration};

use portico_auth::{RedisHandle, SignInThrottle};
use portico_data::Database;
use portico_domain::Slug;
use portico_files::FileStore;
use portico_mail::Mailer;
use url::Url;

use crate::{policy::Policies, templates::Templates, tenant::TenantResolver};

/// What the web layer needs to know about where it is served.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// The public URL of the base domain, e.g. `http://localhost:8080`; tenants are
    /// served on `<slug>.<host>` with the same scheme and port.
    pub public_url: Url,
    /// How long an idle session lives.
    pub session_ttl: Duration,
    /// Failed sign-ins per account (and per client address, ×4) before a lockout.
    pub sign_in_max_failures: u32,
    /// The lockout window.
    pub sign_in_window: Duration,
    /// How many contacts' portal policies each instance keeps loaded.
    pub policy_cache_entries: u64,
    /// The memory photo decoding may use at once; uploads beyond it wait
    /// their turn (see [`Inner::photo_decoding`]).
    pub photo_decoding_memory: u64,
    /// How long an upload waits for a decoding turn before the answer is 503.
    pub photo_decoding_wait: Duration,
    /// The proxies whose forwarding headers name the client (see [`crate::client`]).
    pub trusted_proxies: Vec<crate::client::IpNet>,
}

impl WebConfig {
    /// A configuration for the given public URL with default limits.
    pub fn new(public_url: Url) -> Self {
        Self {
            public_url,
            session_ttl: Duration::from_secs(12 * 3600),
            sign_in_max_failures: 5,
            sign_in_window: Duration::from_secs(15 * 60),
            policy_cache_entries: 10_000,
            photo_decoding_memory: 1024 * 1024 * 1024,
            photo_decoding_wait: Duration::from_secs(20),
            trusted_proxies: Vec::new(),
        }
    }

    /// The base domain tenants are sub-domains of.
    pub fn base_domain(&self) -> &str {
        self.public_url.host_str().unwrap_or("localhost")
    }

    /// Cookies get `Secure` (and the `__Host-` prefix) when served over HTTPS.
    pub fn secure_cookies(&self) -> bool {
        self.public_url.scheme() == "https"
    }

    /// The root URL of a tenant's site, e.g. `http://demo.localhost:8080/`.
    pub fn tenant_url(&self, slug: &Slug) -> Url {
        let mut url = self.public_url.clone();
        let host = format!("{}.{}", slug, self.base_domain());
        // A host built from a validated slug and our own base domain is always valid.
        let _ = url.set_host(Some(&host));
        url.set_path("/");
        url
    }
}

/// Shared by every request; cheap to clone.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

/// The parts of the shared state.
pub struct Inner {
    pub db: Database,
    pub redis: Option<RedisHandle>,
    /// Uploaded files (photos, import files).
    pub files: FileStore,
    pub templates: Templates,
    /// Failed sign-ins per account.
    pub throttle: SignInThrottle,
    /// Failed sign-ins per client address (a higher limit, past which attempts
    /// are slowed down, never refused: offices share addresses).
    pub address_throttle: SignInThrottle,
    pub tenants: TenantResolver,
    /// Portal policies, kept current across instances.
    pub policies: Arc<Policies>,
    pub config: WebConfig,
    /// The mail dispatcher: after committing a transaction that enqueued mail,
    /// call `mail.kick(&tenant)`.
    pub mail: Mailer,
    /// Turns to decode a photo: as many as fit in
    /// [`WebConfig::photo_decoding_memory`] (at least one).
    pub photo_decoding: Arc<tokio::sync::Semaphore>,
    /// Turns to typeset a PDF: half the cores (at least one), so that a
    /// burst of long statements leaves the others to every other request.
    pub pdf_rendering: Arc<tokio::sync::Semaphore>,
}

impl AppState {
    /// Assembles the state; the throttle lives in Redis when Redis is configured.
    pub fn new(
        db: Database,
        redis: Option<RedisHandle>,
        files: FileStore,
        templates: Templates,
        config: WebConfig,
        mail: Mailer,
    ) -> Self {
        let make = |max: u32| match &redis {
            Some(handle) => SignInThrottle::redis(handle.clone(), max, config.sign_in_window),
            None => SignInThrottle::in_memory(max, config.sign_in_window),
        };
        let throttle = make(config.sign_in_max_failures);
        let address_throttle = make(config.sign_in_max_failures * 4);
        let tenants = TenantResolver::new(db.clone());
        let policies = Policies::new(db.clone(), redis.clone(), config.policy_cache_entries);
        policies.start();
        // Install the metrics recorder before the first request records anything.
        crate::observe::metrics_handle();
        let turns = (config.photo_decoding_memory / portico_files::PHOTO_PEAK_BYTES).max(1);
        let photo_decoding = Arc::new(tokio::sync::Semaphore::new(
            usize::try_from(turns).unwrap_or(1),
        ));
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        let pdf_rendering = Arc::new(tokio::sync::Semaphore::new((cores / 2).max(1)));
        Self(Arc::new(Inner {
            db,
            redis,
            files,
            templates,
            throttle,
            address_throttle,
            tenants,
            policies,
            config,
            mail,
            photo_decoding,
            pdf_rendering,
        }))
    }
}

impl AppState {
    /// Runs `work` (decoding an uploaded image: CPU-bound and memory-hungry)
    /// on a blocking thread once one of the decoding turns is free; 503 with
    /// `Retry-After` when none comes free within
    /// [`WebConfig::photo_decoding_wait`].
    pub async fn decoding_turn<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, crate::AppError> {
        let turn = tokio::time::timeout(
            self.config.photo_decoding_wait,
            Arc::clone(&self.photo_decoding).acquire_owned(),
        )
        .await
        .map_err(|_| crate::AppError::Unavailable {
            retry_after: std::time::Duration::from_secs(10),
            cause: "every image decoding turn is taken".into(),
        })?
        .map_err(crate::AppError::internal)?;
        tokio::task::spawn_blocking(move || {
            let _turn = turn;
            work()
        })
        .await
        .map_err(crate::AppError::internal)
    }
}

impl std::ops::Deref for AppState {
    type Target = Inner;

    fn deref(&self) -> &Inner {
        &self.0
    }
}
