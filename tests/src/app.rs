//! The in-process app and a cookie-keeping client per site.

use std::{collections::HashMap, sync::Mutex};

use poem::{
    EndpointExt,
    endpoint::BoxEndpoint,
    http::{HeaderMap, Method, StatusCode, header},
    test::TestClient,
};
use portico_auth::{RedisHandle, hash_password};
use portico_data::{Actor, NewStaffUser, NewTenant, Tenant};
use portico_domain::{Email, Locale, Slug, StaffRole};
use portico_web::{AppState, WebConfig};

use crate::{TestBackend, TestDb, test_redis};

/// The password every test user gets.
pub const PASSWORD: &str = "correct horse battery staple";

/// The whole app on a fresh database; Redis-backed when running on PostgreSQL.
pub struct TestApp {
    pub db: TestDb,
    pub state: AppState,
    pub redis: Option<RedisHandle>,
    /// The file store's directory, removed with the app.
    pub files_dir: tempfile::TempDir,
    /// Where mail goes as `.eml` files (unless the app was built with SMTP).
    pub mail_dir: tempfile::TempDir,
    client: TestClient<BoxEndpoint<'static>>,
}

impl TestApp {
    /// Builds the app over `db`; the PostgreSQL suite also uses Redis.
    pub async fn new(db: TestDb) -> Self {
        Self::with_config(
            db,
            WebConfig::new(url::Url::parse("http://localhost:8080").expect("url")),
        )
        .await
    }

    /// Builds the app over `db` with a given web configuration.
    pub async fn with_config(db: TestDb, web: WebConfig) -> Self {
        Self::build(db, web, |mail| mail).await
    }

    /// Builds the app with its mail settings changed by `configure` (the
    /// default: `.eml` files in `mail_dir`, the default retries).
    pub async fn with_mail(
        db: TestDb,
        configure: impl FnOnce(portico_mail::MailConfig) -> portico_mail::MailConfig,
    ) -> Self {
        let web = WebConfig::new(url::Url::parse("http://localhost:8080").expect("url"));
        Self::build(db, web, configure).await
    }

    /// Builds the app with mail over SMTP at `smtp_url` (e.g. an [`crate::SmtpSink`]'s).
    pub async fn with_smtp(db: TestDb, smtp_url: &str) -> Self {
        let transport = portico_mail::Transport::smtp(smtp_url).expect("SMTP URL");
        Self::with_mail(db, |mail| portico_mail::MailConfig { transport, ..mail }).await
    }

    /// Builds the app over `db` with sessions and throttles in the Redis at
    /// `redis_url` (e.g. a [`crate::RedisServer`]'s), under a fresh key prefix.
    pub async fn with_redis_url(db: TestDb, redis_url: &str) -> Self {
        let prefix = format!("portico-test-{}", uuid::Uuid::now_v7().simple());
        let redis = RedisHandle::connect(redis_url, &prefix)
            .await
            .unwrap_or_else(|e| panic!("Redis at {redis_url}: {e}"));
        let web = WebConfig::new(url::Url::parse("http://localhost:8080").expect("url"));
        Self::build_with(db, Some(redis), web, |mail| mail).await
    }

    /// A second instance of the app: its own connection pool, Redis connection,
    /// caches and background tasks, over the same database and Redis namespace
    /// (as two deployments behind a load balancer). Nothing in process is shared.
    pub async fn another_instance(&self) -> Self {
        let db = self.db.attach().await;
        let redis = match &self.redis {
            Some(first) => {
                let url = std::env::var("PORTICO_TEST_REDIS_URL").expect("Redis URL");
                Some(
                    RedisHandle::connect(&url, first.prefix())
                        .await
                        .expect("a second Redis connection"),
                )
            }
            None => None,
        };
        let web = self.state.config.clone();
        Self::build_with(db, redis, web, |mail| mail).await
    }

    async fn build(
        db: TestDb,
        web: WebConfig,
        configure: impl FnOnce(portico_mail::MailConfig) -> portico_mail::MailConfig,
    ) -> Self {
        let redis = match db.backend {
            TestBackend::Postgres => test_redis().await,
            TestBackend::Sqlite => None,
        };
        Self::build_with(db, redis, web, configure).await
    }

    async fn build_with(
        db: TestDb,
        redis: Option<RedisHandle>,
        web: WebConfig,
        configure: impl FnOnce(portico_mail::MailConfig) -> portico_mail::MailConfig,
    ) -> Self {
        let files_dir = tempfile::tempdir().expect("files directory");
        let files = portico_files::FileStore::local(files_dir.path()).expect("file store");
        let mail_dir = tempfile::tempdir().expect("mail directory");
        let mail = portico_mail::Mailer::new(
            db.db.clone(),
            configure(portico_mail::MailConfig::new(
                portico_mail::Transport::files(mail_dir.path()).expect("mail folder"),
                portico_mail::parse_from("Portico <no-reply@portico.test>").expect("from"),
            )),
        );
        mail.start();
        let state =
            portico::app::state(db.db.clone(), redis.clone(), files, web, mail).expect("state");
        let ep = portico::app::endpoint(state.clone())
            .map_to_response()
            .boxed();
        Self {
            db,
            state,
            redis,
            files_dir,
            mail_dir,
            client: TestClient::new(ep),
        }
    }

    /// A client that sends `Host: <host>` and keeps cookies, like one browser tab.
    pub fn browser(&self, host: &str) -> Browser<'_> {
        Browser {
            app: self,
            host: host.to_owned(),
            cookies: Mutex::default(),
            headers: Vec::new(),
        }
    }

    /// Creates an active company with an owner `owner@<slug>.test` and returns it.
    pub async fn company(&self, slug: &str) -> Tenant {
        self.company_named(slug, &format!("Empresa {slug}")).await
    }

    /// Creates an active company called `name` with an owner `owner@<slug>.test`.
    pub async fn company_named(&self, slug: &str, name: &str) -> Tenant {
        portico_data::provision_tenant(
            &self.db.db,
            &NewTenant {
                slug: Slug::parse(slug).expect("slug"),
                name: name.to_owned(),
                locale: Locale::Es,
                currency: portico_domain::Currency::parse("DOP").expect("currency"),
                max_contacts: None,
            },
            &NewStaffUser {
                email: Email::parse(&format!("owner@{slug}.test")).expect("email"),
                name: format!("Dueña de {slug}"),
                role: StaffRole::Owner,
                password_hash: Some(hash_password(PASSWORD).await.expect("hash")),
                one_time_password: false,
                locale: None,
            },
            Actor::System,
        )
        .await
        .expect("provision company")
    }

    /// Adds a staff user with [`PASSWORD`] and `role` to a company.
    pub async fn staff(&self, tenant: &Tenant, email: &str, role: StaffRole) {
        let mut tx = self.db.db.tenant_tx(tenant).await.expect("tx");
        tx.staff()
            .create(&NewStaffUser {
                email: Email::parse(email).expect("email"),
                name: format!("Usuario {role}"),
                role,
                password_hash: Some(hash_password(PASSWORD).await.expect("hash")),
                one_time_password: false,
                locale: None,
            })
            .await
            .expect("staff user");
        tx.commit().await.expect("commit");
    }

    /// A browser on `<slug>.localhost:8080` signed in to the back office as `email`.
    pub async fn signed_in(&self, slug: &str, email: &str) -> Browser<'_> {
        let browser = self.browser(&format!("{slug}.localhost:8080"));
        let page = crate::admin_forms::staff_sign_in(&browser, email, PASSWORD).await;
        assert_eq!(page.location(), Some("/admin"), "{email} signs in");
        browser
    }

    /// Serves the app on a real socket (an ephemeral port on the loopback)
    /// with `portico serve`'s server, for clients that do what `TestClient`
    /// cannot, such as closing their connection mid-request. The server stops
    /// when the handle is dropped.
    pub async fn serve(&self) -> ServedApp {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a loopback port");
        self.serve_on(listener)
    }

    /// [`TestApp::serve`] on a listener bound already.
    pub fn serve_on(&self, listener: tokio::net::TcpListener) -> ServedApp {
        let addr = listener.local_addr().expect("its address");
        let endpoint = portico::app::endpoint(self.state.clone());
        let server = tokio::spawn(async move {
            let _ = portico::server::serve(
                listener,
                endpoint,
                std::future::pending(),
                std::time::Duration::ZERO,
            )
            .await;
        });
        ServedApp { addr, server }
    }

    /// Creates a platform operator `ops@portico.test`.
    pub async fn operator(&self) {
        let mut tx = self.db.db.operator_tx().await.expect("tx");
        tx.create_operator(&portico_data::NewOperator {
            email: Email::parse("ops@portico.test").expect("email"),
            name: "Operaciones".into(),
            password_hash: hash_password(PASSWORD).await.expect("hash"),
        })
        .await
        .expect("operator");
        tx.commit().await.expect("commit");
    }
}

/// The app served on a socket by [`TestApp::serve`].
pub struct ServedApp {
    /// Where it listens.
    pub addr: std::net::SocketAddr,
    server: tokio::task::JoinHandle<()>,
}

impl ServedApp {
    /// Stops the server (as dropping the handle does).
    pub fn abort(&self) {
        self.server.abort();
    }
}

impl Drop for ServedApp {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// What a request carries.
enum Body<'a> {
    Form(Option<&'a [(&'a str, &'a str)]>),
    Json(Option<serde_json::Value>),
    /// A body of the given content type, sent as is.
    Raw(String, Vec<u8>),
}

/// A file for [`Browser::post_multipart`].
#[derive(Debug, Clone)]
pub struct FilePart<'a> {
    /// The form field.
    pub field: &'a str,
    pub file_name: &'a str,
    pub content_type: &'a str,
    pub bytes: &'a [u8],
}

/// A response, read whole.
#[derive(Debug)]
pub struct Page {
    pub status: StatusCode,
    pub headers: HeaderMap,
    /// The body as text (lossy for binary bodies; see `bytes`).
    pub body: String,
    pub bytes: Vec<u8>,
}

impl Page {
    /// The `Location` header of a redirect.
    pub fn location(&self) -> Option<&str> {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
    }

    /// The form's CSRF token on this page.
    pub fn csrf(&self) -> String {
        csrf_in(&self.body).expect("page has a CSRF token")
    }

    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|_| panic!("JSON: {}", self.body))
    }

    /// The body of an RFC 9457 problem answer of `status`.
    pub fn problem(&self, status: StatusCode) -> serde_json::Value {
        assert_eq!(self.status, status, "{}", self.body);
        assert_eq!(
            self.headers
                .get(header::CONTENT_TYPE)
                .expect("a content type"),
            "application/problem+json"
        );
        self.json()
    }
}

/// The value of the first `_csrf` hidden field in some HTML.
pub fn csrf_in(html: &str) -> Option<String> {
    let at = html.find("name=\"_csrf\" value=\"")? + "name=\"_csrf\" value=\"".len();
    Some(html[at..].split('"').next()?.to_owned())
}

/// One site's client with a cookie jar.
pub struct Browser<'a> {
    app: &'a TestApp,
    host: String,
    cookies: Mutex<HashMap<String, String>>,
    headers: Vec<(String, String)>,
}

impl Browser<'_> {
    /// Sends this header on every request.
    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// The cookie jar's current value for a cookie.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.cookies.lock().expect("jar").get(name).cloned()
    }

    /// Replaces the jar (to replay a stolen or stale cookie).
    pub fn set_cookie(&self, name: &str, value: &str) {
        self.cookies
            .lock()
            .expect("jar")
            .insert(name.to_owned(), value.to_owned());
    }

    pub async fn get(&self, path: &str) -> Page {
        self.send(Method::GET, path, None).await
    }

    /// Posts a form as given (add `_csrf` yourself, or use [`Browser::submit`]).
    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> Page {
        self.send(Method::POST, path, Some(form)).await
    }

    /// Sends a JSON body (API calls); `None` sends no body.
    pub async fn json(&self, method: Method, path: &str, body: Option<serde_json::Value>) -> Page {
        self.send_body(method, path, Body::Json(body)).await
    }

    /// Creates a customer or supplier (`plural`: `customers` or `suppliers`)
    /// through its form and returns its record path.
    pub async fn create_account(&self, plural: &str, code: &str, name: &str) -> String {
        let page = self
            .submit(
                &format!("/admin/{plural}/new"),
                &format!("/admin/{plural}"),
                &[
                    ("code", code),
                    ("name", name),
                    ("tax_id", "1-01-00000-1"),
                    ("city", "Santo Domingo"),
                ],
            )
            .await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
        page.location().expect("record").to_owned()
    }

    /// Posts a `multipart/form-data` body built by hand, as a browser sends a form
    /// with files (add `_csrf` to `fields` yourself).
    pub async fn post_multipart(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        files: &[FilePart<'_>],
    ) -> Page {
        const BOUNDARY: &str = "----PorticoTestBoundary7MA4YWxkTrZu0gW";
        let mut body = Vec::new();
        for (name, value) in fields {
            body.extend_from_slice(
                format!(
                    "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
                )
                .as_bytes(),
            );
        }
        for file in files {
            body.extend_from_slice(
                format!(
                    "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{}\"; filename=\"{}\"\r\nContent-Type: {}\r\n\r\n",
                    file.field, file.file_name, file.content_type
                )
                .as_bytes(),
            );
            body.extend_from_slice(file.bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
        let content_type = format!("multipart/form-data; boundary={BOUNDARY}");
        self.send_body(Method::POST, path, Body::Raw(content_type, body))
            .await
    }

    /// Sends `bytes` as the body with the given content type (API uploads).
    pub async fn raw(&self, method: Method, path: &str, content_type: &str, bytes: &[u8]) -> Page {
        self.send_body(
            method,
            path,
            Body::Raw(content_type.to_owned(), bytes.to_vec()),
        )
        .await
    }

    /// Loads `page_path`, then posts the form to `action` with that page's CSRF token.
    pub async fn submit(&self, page_path: &str, action: &str, form: &[(&str, &str)]) -> Page {
        let page = self.get(page_path).await;
        let token = page.csrf();
        let mut fields: Vec<(&str, &str)> = vec![("_csrf", token.as_str())];
        fields.extend_from_slice(form);
        self.post(action, &fields).await
    }

    async fn send(&self, method: Method, path: &str, form: Option<&[(&str, &str)]>) -> Page {
        self.send_body(method, path, Body::Form(form)).await
    }

    async fn send_body(&self, method: Method, path: &str, body: Body<'_>) -> Page {
        let mut request = self
            .app
            .client
            .request(method, path)
            .header(header::HOST, self.host.as_str());
        for (name, value) in &self.headers {
            request = request.header(name.as_str(), value.as_str());
        }
        let cookie_header = {
            let jar = self.cookies.lock().expect("jar");
            jar.iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; ")
        };
        if !cookie_header.is_empty() {
            request = request.header(header::COOKIE, cookie_header);
        }
        match body {
            Body::Form(Some(form)) => {
                request = request.form(
                    &form
                        .iter()
                        .map(|(k, v)| (k.to_string(), v.to_string()))
                        .collect::<Vec<_>>(),
                );
            }
            Body::Json(Some(json)) => request = request.body_json(&json),
            Body::Raw(content_type, bytes) => {
                request = request.content_type(content_type).body(bytes);
            }
            Body::Form(None) | Body::Json(None) => {}
        }
        let resp = request.send().await.0;
        let status = resp.status();
        let headers = resp.headers().clone();
        for set_cookie in headers.get_all(header::SET_COOKIE) {
            let Ok(text) = set_cookie.to_str() else {
                continue;
            };
            let Some((name, rest)) = text.split_once('=') else {
                continue;
            };
            let value = rest.split(';').next().unwrap_or_default();
            let expired = text.contains("Max-Age=0") || value.is_empty();
            let mut jar = self.cookies.lock().expect("jar");
            if expired {
                jar.remove(name);
            } else {
                jar.insert(name.to_owned(), value.to_owned());
            }
        }
        let bytes = resp.into_body().into_vec().await.unwrap_or_default();
        Page {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            bytes,
        }
    }
}

impl std::fmt::Debug for TestApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestApp")
            .field("backend", &self.db.backend)
            .finish()
    }
}
