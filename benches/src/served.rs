//! The real app served in-process for a benchmark, and a keep-alive HTTP
//! client for it: `portico::server` on a loopback port, on a runtime of its
//! own, with production's settings on the benchmark's database; a client per
//! company site that names the site in `Host`, signs in like a browser (the
//! back office or a portal), or sends an API key.

use std::{net::SocketAddr, time::Duration};

use anyhow::{Context, ensure};
use http_body_util::{BodyExt, Full};
use hyper::{Method, Request, body::Bytes, header};
use hyper_util::{
    client::legacy::{Client, connect::HttpConnector},
    rt::TokioExecutor,
};
use portico_data::{Actor, By, Database, Tenant};
use portico_domain::StaffRole;

use crate::generate::BENCH_PASSWORD;

/// The settings the app is started with: production's defaults, on this
/// database, with the company share under test.
pub fn settings(
    url: &str,
    share: u32,
    redis_url: Option<&str>,
    dir: &std::path::Path,
) -> portico::config::Settings {
    portico::config::Settings {
        database_url: url.to_owned(),
        redis_url: redis_url.map(str::to_owned),
        redis_prefix: format!("portico-bench-{}", uuid::Uuid::now_v7().simple()),
        company_connections: share,
        files_dir: dir.join("files").display().to_string(),
        mail_dir: dir.join("mail").display().to_string(),
        ..portico::config::Settings::default()
    }
}

/// The app, served on a loopback port by a runtime of its own.
pub struct Server {
    runtime: tokio::runtime::Runtime,
    pub addr: SocketAddr,
    _dir: tempfile::TempDir,
}

impl Server {
    pub async fn start(url: &str, share: u32, redis_url: Option<&str>) -> anyhow::Result<Self> {
        let dir = tempfile::tempdir()?;
        let settings = settings(url, share, redis_url, dir.path());
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("portico-app")
            .enable_all()
            .build()?;
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let (ready_tx, ready_rx) = tokio::sync::oneshot::channel();
        runtime.spawn(async move {
            let started = async {
                let (db, redis) = portico::app::connect(&settings).await?;
                db.ping().await.context("the database does not answer")?;
                let mail = portico::app::mailer(&settings, db.clone())?;
                let state = portico::app::state(
                    db,
                    redis,
                    portico::app::files(&settings)?,
                    settings.web(),
                    mail,
                )?;
                let listener = tokio::net::TcpListener::from_std(listener)?;
                anyhow::Ok((state, listener))
            }
            .await;
            match started {
                Ok((state, listener)) => {
                    let _ = ready_tx.send(Ok(()));
                    let _ = portico::server::serve(
                        listener,
                        portico::app::endpoint(state),
                        std::future::pending(),
                        Duration::ZERO,
                    )
                    .await;
                }
                Err(error) => {
                    let _ = ready_tx.send(Err(error));
                }
            }
        });
        ready_rx.await.context("the app's runtime stopped")??;
        Ok(Self {
            runtime,
            addr,
            _dir: dir,
        })
    }

    pub fn stop(self) {
        self.runtime.shutdown_background();
    }
}

/// An answer, read whole.
pub struct Reply {
    pub status: u16,
    pub retry_after: bool,
    pub cookies: Vec<String>,
    pub body: Bytes,
}

/// A keep-alive HTTP/1.1 client that names a company's site in `Host`.
#[derive(Clone)]
pub struct Site {
    client: Client<HttpConnector, Full<Bytes>>,
    addr: SocketAddr,
    host: String,
    headers: Vec<(String, String)>,
}

impl Site {
    pub fn new(addr: SocketAddr, slug: &str) -> Self {
        Self {
            client: Client::builder(TokioExecutor::new()).build_http(),
            addr,
            host: format!("{slug}.localhost:8080"),
            headers: Vec::new(),
        }
    }

    pub fn with_header(mut self, name: &str, value: String) -> Self {
        self.headers.push((name.to_owned(), value));
        self
    }

    /// The `Host` the site is named by.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The value of a header this client sends (e.g. its session's `cookie`).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub async fn send(
        &self,
        method: Method,
        path: &str,
        form: Option<String>,
    ) -> anyhow::Result<Reply> {
        let mut request = Request::builder()
            .method(method)
            .uri(format!("http://{}{path}", self.addr))
            .header(header::HOST, &self.host);
        for (name, value) in &self.headers {
            request = request.header(name.as_str(), value.as_str());
        }
        let body = match form {
            Some(form) => {
                request = request.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
                Full::new(Bytes::from(form))
            }
            None => Full::new(Bytes::new()),
        };
        let response = self.client.request(request.body(body)?).await?;
        let status = response.status().as_u16();
        let retry_after = response.headers().contains_key(header::RETRY_AFTER);
        let cookies = response
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok()?.split(';').next().map(str::to_owned))
            .collect();
        let body = response.into_body().collect().await?.to_bytes();
        Ok(Reply {
            status,
            retry_after,
            cookies,
            body,
        })
    }

    pub async fn get(&self, path: &str) -> anyhow::Result<Reply> {
        self.send(Method::GET, path, None).await
    }
}

/// `email` signed in with the benchmark password through the sign-in form at
/// `path` (`/admin/sign-in`, `/portal/sign-in`): the site with its session cookie.
pub async fn signed_in(site: Site, path: &str, email: &str) -> anyhow::Result<Site> {
    let form = site.get(path).await?;
    ensure!(
        form.status == 200,
        "the sign-in page answered {}",
        form.status
    );
    let html = String::from_utf8_lossy(&form.body);
    let marker = "name=\"_csrf\" value=\"";
    let csrf = html
        .split_once(marker)
        .and_then(|(_, rest)| rest.split('"').next())
        .context("a CSRF token on the sign-in page")?
        .to_owned();
    let site = site.with_header("cookie", form.cookies.join("; "));
    let body = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("_csrf", &csrf)
        .append_pair("email", email)
        .append_pair("password", BENCH_PASSWORD)
        .finish();
    let signed = site.send(Method::POST, path, Some(body)).await?;
    ensure!(
        signed.status == 303 && !signed.cookies.is_empty(),
        "signing in as {email} answered {}",
        signed.status
    );
    // The session's cookies replace those of the same name.
    let mut jar: Vec<String> = form.cookies;
    for cookie in signed.cookies {
        let name = cookie.split('=').next().unwrap_or_default().to_owned();
        jar.retain(|c| c.split('=').next() != Some(name.as_str()));
        jar.push(cookie);
    }
    let mut site = site;
    site.headers.retain(|(name, _)| name != "cookie");
    Ok(site.with_header("cookie", jar.join("; ")))
}

/// A new read-only API key of the company.
pub async fn api_key(db: &Database, tenant: &Tenant) -> anyhow::Result<String> {
    let key = portico_admin::api_keys::new_key();
    let mut tx = db.tenant_tx(tenant).await?;
    tx.api_keys()
        .create(
            "portico-bench fairness",
            StaffRole::ReadOnly,
            &key,
            &portico_auth::hash_token(&key),
            By {
                actor: Actor::System,
                request_id: None,
            },
        )
        .await?;
    tx.commit().await?;
    Ok(key)
}
