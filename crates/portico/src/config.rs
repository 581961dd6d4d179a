//! Configuration: defaults, then an optional TOML file, then `PORTICO_*`
//! environment variables; `DATABASE_URL` and `REDIS_URL` are accepted as they are.

use std::{path::Path, time::Duration};

use figment::{
    Figment,
    providers::{Env, Format, Serialized, Toml},
};
use serde::{Deserialize, Serialize};
use url::Url;

/// Everything Portico can be told.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Settings {
    /// `sqlite://…` (embedded, the default) or `postgres://…` (the table owner,
    /// used for migrations).
    pub database_url: String,
    /// PostgreSQL: the application's own connection (a role that owns no table).
    /// Defaults to `database_url` with the user replaced by `portico_app`.
    pub database_app_url: Option<String>,
    /// PostgreSQL: the connection of operator work (console, CLI). Defaults to
    /// `database_url` with the user replaced by `portico_operator`.
    pub database_operator_url: Option<String>,
    /// Redis for sessions and sign-in throttles; in-process when unset.
    pub redis_url: Option<String>,
    /// The namespace of every Redis key.
    pub redis_prefix: String,
    /// The directory of uploaded files (photos, imports).
    pub files_dir: String,
    /// The address to listen on.
    pub listen: String,
    /// The public URL of the base domain; tenants are `<slug>.<host>`.
    pub public_url: Url,
    /// Log as JSON lines (production).
    pub log_json: bool,
    /// Idle session lifetime, in minutes.
    pub session_minutes: u64,
    /// Failed sign-ins per account before a lockout.
    pub sign_in_max_failures: u32,
    /// How long a lockout lasts, in minutes.
    pub sign_in_lockout_minutes: u64,
    /// Where mail goes as `.eml` files when `smtp_url` is unset.
    pub mail_dir: String,
    /// An SMTP relay, e.g. `smtps://user:pass@smtp.example.com` (TLS) or
    /// `smtp://user:pass@smtp.example.com:587` (STARTTLS); unset: `.eml` files
    /// in `mail_dir`. It holds a password: never log it.
    pub smtp_url: Option<String>,
    /// The sender of every mail.
    pub mail_from: String,
    /// The memory, in MiB, that photo uploads may take to decode at once;
    /// more uploads wait their turn.
    pub photo_decoding_memory_mb: u64,
    /// PostgreSQL: the longest one statement of the application may run, in
    /// milliseconds (0: no bound).
    pub statement_timeout_ms: u64,
    /// How many of the pool's connections one company may hold at once (0:
    /// half the pool, at most this machine's CPU cores); beyond it its
    /// requests answer 503 with `Retry-After`.
    pub company_connections: u32,
    /// The load balancers in front of Portico, as comma-separated networks
    /// (`10.0.0.0/8, fd00::/8`): only from these is `X-Forwarded-For` /
    /// `Forwarded` believed for the client's address.
    pub trusted_proxies: String,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            database_url: "sqlite://data/portico.db".into(),
            database_app_url: None,
            database_operator_url: None,
            redis_url: None,
            redis_prefix: "portico".into(),
            files_dir: "data/files".into(),
            listen: "127.0.0.1:8080".into(),
            public_url: Url::parse("http://localhost:8080").unwrap_or_else(|_| unreachable!()),
            log_json: false,
            session_minutes: 12 * 60,
            sign_in_max_failures: 5,
            sign_in_lockout_minutes: 15,
            mail_dir: "data/mail".into(),
            smtp_url: None,
            mail_from: "Portico <no-reply@localhost>".into(),
            photo_decoding_memory_mb: 1024,
            statement_timeout_ms: 10_000,
            company_connections: 0,
            trusted_proxies: String::new(),
        }
    }
}

impl Settings {
    /// Loads the layered configuration. An explicit `file` must exist; otherwise
    /// `portico.toml` in the working directory is read when present.
    pub fn load(file: Option<&Path>) -> Result<Self, Box<figment::Error>> {
        let mut figment = Figment::from(Serialized::defaults(Settings::default()));
        match file {
            Some(path) => {
                if !path.exists() {
                    return Err(Box::new(figment::Error::from(format!(
                        "configuration file {} not found",
                        path.display()
                    ))));
                }
                figment = figment.merge(Toml::file(path));
            }
            None => figment = figment.merge(Toml::file("portico.toml")),
        }
        let settings: Self = figment
            .merge(Env::prefixed("PORTICO_"))
            .merge(Env::raw().only(&["DATABASE_URL", "REDIS_URL"]))
            .extract()
            .map_err(Box::new)?;
        settings
            .proxies()
            .map_err(|e| Box::new(figment::Error::from(format!("trusted_proxies: {e}"))))?;
        Ok(settings)
    }

    /// The trusted proxies' networks.
    fn proxies(&self) -> Result<Vec<portico_web::client::IpNet>, String> {
        self.trusted_proxies
            .split(',')
            .filter(|n| !n.trim().is_empty())
            .map(portico_web::client::IpNet::parse)
            .collect()
    }

    /// How to reach the database.
    pub fn database(&self) -> portico_data::DatabaseOptions {
        let mut options = portico_data::DatabaseOptions::new(self.database_url.clone());
        options.app_url = self.database_app_url.clone();
        options.operator_url = self.database_operator_url.clone();
        options.statement_timeout = (self.statement_timeout_ms > 0)
            .then(|| Duration::from_millis(self.statement_timeout_ms));
        options.tenant_share = (self.company_connections > 0).then_some(self.company_connections);
        options
    }

    /// The web layer's part of the settings.
    pub fn web(&self) -> portico_web::WebConfig {
        let mut web = portico_web::WebConfig::new(self.public_url.clone());
        web.session_ttl = Duration::from_secs(self.session_minutes.max(1) * 60);
        web.sign_in_max_failures = self.sign_in_max_failures.max(1);
        web.sign_in_window = Duration::from_secs(self.sign_in_lockout_minutes.max(1) * 60);
        web.photo_decoding_memory = self.photo_decoding_memory_mb.saturating_mul(1024 * 1024);
        // Checked when the settings were loaded.
        web.trusted_proxies = self.proxies().unwrap_or_default();
        web
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[allow(clippy::result_large_err)]
    fn environment_overrides_the_file_which_overrides_defaults() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "portico.toml",
                "listen = \"0.0.0.0:9000\"\nredis_prefix = \"from-file\"\n",
            )?;
            jail.set_env("PORTICO_REDIS_PREFIX", "from-env");
            jail.set_env("DATABASE_URL", "postgres://postgres@127.0.0.1/portico");
            let settings = Settings::load(None).map_err(|e| *e)?;
            assert_eq!(settings.listen, "0.0.0.0:9000");
            assert_eq!(settings.redis_prefix, "from-env");
            assert_eq!(
                settings.database_url,
                "postgres://postgres@127.0.0.1/portico"
            );
            assert_eq!(settings.redis_url, None);
            Ok(())
        });
    }

    #[test]
    #[allow(clippy::result_large_err)]
    fn trusted_proxies_are_networks_or_start_up_stops() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("PORTICO_TRUSTED_PROXIES", "10.0.0.0/8, fd00::/8");
            let settings = Settings::load(None).map_err(|e| *e)?;
            assert_eq!(settings.web().trusted_proxies.len(), 2);
            jail.set_env("PORTICO_TRUSTED_PROXIES", "10.0.0.0/8, balanceador");
            let error = Settings::load(None).expect_err("an invalid network");
            assert!(error.to_string().contains("balanceador"), "{error}");
            Ok(())
        });
    }

    #[test]
    fn a_missing_explicit_file_is_an_error() {
        assert!(Settings::load(Some(Path::new("/nonexistent/portico.toml"))).is_err());
    }
}
