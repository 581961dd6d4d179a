//! The customer portal benchmark: the release `portico serve` as its own
//! process on the benchmark's PostgreSQL, a portal contact signed in over
//! HTTP, and for each request measured (the invoices list's first and deep
//! page, the receivables ageing, optionally the HTML invoices page) `wrk` at
//! each connection count next to `pgbench` running the SQL the app ran for
//! that request, caught from the server log.

use std::{
    net::{SocketAddr, TcpListener},
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use anyhow::{Context, bail, ensure};
use portico_data::Database;

use crate::{
    generate::Generated,
    portal_data::{self, PortalCustomer},
    portal_load::{self, Http, PgTarget, Pgbench, Quiet, Target},
    portal_report::TARGET_CONNECTIONS,
    portal_sql::{self, Statement},
    served::{Site, signed_in},
};

/// What to run.
#[derive(Debug, Clone)]
pub struct Options {
    /// The customer's sales documents.
    pub invoices: u32,
    /// The deep page's number (reached through the `next` cursors).
    pub deep_page: usize,
    pub connections: Vec<usize>,
    /// The HTML invoices page too (at 8 connections).
    pub html: bool,
    pub seconds: u64,
    pub warmup: u64,
    /// The app's `company_connections` settings compared (0: its default);
    /// each gets an app of its own and every block.
    pub shares: Vec<u32>,
    pub portico: PathBuf,
    pub pgbench: String,
    pub server_log: PathBuf,
    /// Measure when the 1-minute load average is below this…
    pub quiet_below: f64,
    /// …or after waiting this long.
    pub quiet_wait: Duration,
    pub redis_url: Option<String>,
}

/// The requests measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Case {
    FirstPage,
    DeepPage,
    Ageing,
    HtmlFirstPage,
}

impl Case {
    pub fn label(self) -> &'static str {
        match self {
            Case::FirstPage => "invoices, page 1",
            Case::DeepPage => "invoices, deep page",
            Case::Ageing => "receivables ageing",
            Case::HtmlFirstPage => "invoices page 1 (HTML)",
        }
    }
}

/// One measurement block: a connection count, over HTTP and with pgbench.
#[derive(Debug, Clone)]
pub struct Run {
    /// The company's share of the pool the app ran with.
    pub share: u32,
    pub connections: usize,
    pub http: Http,
    pub pg: Pgbench,
    pub quiet: Quiet,
    pub load_end: f64,
}

impl Run {
    /// The app's throughput as a share of PostgreSQL's for the same SQL.
    pub fn ratio(&self) -> f64 {
        self.http.per_second / self.pg.per_second
    }
}

/// One request and its measurements.
#[derive(Debug, Clone)]
pub struct CaseReport {
    pub case: Case,
    pub path: String,
    pub statements: Vec<Statement>,
    pub script: String,
    pub plans: Vec<String>,
    pub runs: Vec<Run>,
}

impl CaseReport {
    pub fn at(&self, share: u32, connections: usize) -> Option<&Run> {
        self.runs
            .iter()
            .find(|r| r.share == share && r.connections == connections)
    }
}

/// A case with its pgbench script (file and `-D` variables).
struct Scripted {
    report: CaseReport,
    file: PathBuf,
    vars: Vec<(String, String)>,
}

/// How the app ran.
#[derive(Debug, Clone)]
pub struct AppSetup {
    pub pool: u32,
    /// The company share when `company_connections` is unset (on this machine).
    pub default_share: u32,
    /// The shares measured, in order.
    pub shares: Vec<u32>,
    pub statement_timeout_ms: u64,
    pub redis: bool,
}

/// Everything the report needs.
#[derive(Debug, Clone)]
pub struct Report {
    pub slug: String,
    pub contacts: usize,
    pub customer: PortalCustomer,
    pub deep_page: usize,
    pub page_size: usize,
    pub seconds: u64,
    pub warmup: u64,
    pub app: AppSetup,
    pub wrk: String,
    pub pgbench: String,
    pub cases: Vec<CaseReport>,
}

/// The app as a child process; killed when dropped.
struct App {
    child: Child,
    addr: SocketAddr,
    log: PathBuf,
}

impl App {
    fn start(
        options: &Options,
        share: u32,
        owner_url: &str,
        dir: &std::path::Path,
        name: &str,
    ) -> anyhow::Result<Self> {
        let addr = TcpListener::bind("127.0.0.1:0")?.local_addr()?;
        let log = dir.join(format!("{name}.log"));
        let out = std::fs::File::create(&log)?;
        let mut command = Command::new(&options.portico);
        for (key, _) in std::env::vars() {
            if key.starts_with("PORTICO_") || key == "DATABASE_URL" || key == "REDIS_URL" {
                command.env_remove(key);
            }
        }
        command
            .arg("serve")
            .current_dir(dir)
            .env("PORTICO_DATABASE_URL", owner_url)
            .env("PORTICO_LISTEN", addr.to_string())
            .env("PORTICO_LOG_JSON", "true")
            .env("PORTICO_FILES_DIR", dir.join("files"))
            .env("PORTICO_MAIL_DIR", dir.join("mail"))
            .env("PORTICO_COMPANY_CONNECTIONS", share.to_string())
            .stdin(Stdio::null())
            .stdout(out.try_clone()?)
            .stderr(out);
        if let Some(redis) = &options.redis_url {
            command.env("PORTICO_REDIS_URL", redis);
        }
        let child = command
            .spawn()
            .with_context(|| format!("starting {}", options.portico.display()))?;
        Ok(Self { child, addr, log })
    }

    /// Waits for `/healthz` to answer.
    async fn ready(&mut self, slug: &str) -> anyhow::Result<()> {
        let site = Site::new(self.addr, slug);
        let started = Instant::now();
        loop {
            if let Ok(reply) = site.get("/healthz").await
                && reply.status == 200
            {
                return Ok(());
            }
            if let Some(status) = self.child.try_wait()? {
                let log = std::fs::read_to_string(&self.log).unwrap_or_default();
                bail!("portico serve exited ({status}):\n{log}");
            }
            ensure!(
                started.elapsed() < Duration::from_secs(60),
                "portico serve did not answer within 60 s"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for App {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The API's invoices list.
const INVOICES: &str = "/portal/api/v1/invoices";

/// The API's page size when none is asked for (the pages' too).
const PAGE_SIZE: usize = 50;

/// The contact signed in, and the path of each case (the deep page's cursor
/// found by walking the `next` cursors from the first page).
async fn sign_in(
    addr: SocketAddr,
    slug: &str,
    customer: &PortalCustomer,
    cases: &[Case],
    deep_page: usize,
) -> anyhow::Result<(Site, Vec<String>)> {
    let site = signed_in(Site::new(addr, slug), "/portal/sign-in", &customer.email).await?;
    let mut cursor = None::<String>;
    for page in 1..deep_page {
        let path = match &cursor {
            Some(after) => format!("{INVOICES}?after={after}"),
            None => INVOICES.to_owned(),
        };
        let reply = site.get(&path).await?;
        ensure!(reply.status == 200, "{path} answered {}", reply.status);
        let page_json: serde_json::Value = serde_json::from_slice(&reply.body)?;
        let items = page_json["items"].as_array().map_or(0, Vec::len);
        ensure!(items == PAGE_SIZE, "page {page} has {items} invoices");
        cursor = page_json["next"].as_str().map(str::to_owned);
        ensure!(cursor.is_some(), "page {page} is the last one");
    }
    let paths = cases
        .iter()
        .map(|case| match case {
            Case::FirstPage => INVOICES.to_owned(),
            Case::DeepPage => format!("{INVOICES}?after={}", cursor.as_deref().unwrap_or_default()),
            Case::Ageing => "/portal/api/v1/receivables".to_owned(),
            Case::HtmlFirstPage => "/portal/sales/".to_owned(),
        })
        .collect::<Vec<_>>();
    for (case, path) in cases.iter().zip(&paths) {
        let reply = site.get(path).await?;
        ensure!(
            reply.status == 200,
            "{} ({path}) answered {}",
            case.label(),
            reply.status
        );
        if matches!(case, Case::FirstPage | Case::DeepPage) {
            let json: serde_json::Value = serde_json::from_slice(&reply.body)?;
            let items = json["items"].as_array().map_or(0, Vec::len);
            ensure!(items == PAGE_SIZE, "{path}: {items} invoices");
        }
    }
    Ok((site, paths))
}

/// The statements of one request of each path, from the server log: two
/// requests caught after a first one (which fills the app's caches), and the
/// transactions both ran (so that a background task's are left out).
async fn capture(
    site: &Site,
    paths: &[String],
    server_log: &std::path::Path,
) -> anyhow::Result<Vec<Vec<Statement>>> {
    let mut out = Vec::new();
    for path in paths {
        site.get(path).await?;
        let mut runs = Vec::new();
        for _ in 0..2 {
            tokio::time::sleep(Duration::from_millis(200)).await;
            let from = portal_sql::log_end(server_log)?;
            let reply = site.get(path).await?;
            ensure!(reply.status == 200, "{path} answered {}", reply.status);
            tokio::time::sleep(Duration::from_millis(200)).await;
            runs.push(portal_sql::read_log(server_log, from)?);
        }
        let statements = portal_sql::common(&runs[0], &runs[1]);
        ensure!(
            statements
                .first()
                .is_some_and(|s| s.simple && s.sql.starts_with("BEGIN")),
            "no statements of {path} in {} (is it the server's log?)",
            server_log.display()
        );
        out.push(statements);
    }
    Ok(out)
}

/// The app's connection URL: the owner's with the application's role.
fn app_url(owner_url: &str) -> anyhow::Result<url::Url> {
    let mut url = url::Url::parse(owner_url)?;
    url.set_username(portico_data::APP_ROLE)
        .map_err(|()| anyhow::anyhow!("a URL without a user"))?;
    url.set_password(None)
        .map_err(|()| anyhow::anyhow!("a URL without a password"))?;
    Ok(url)
}

/// The time of day, for progress lines.
fn now() -> String {
    chrono::Utc::now().format("%H:%M:%S").to_string()
}

/// For each share, on an app of its own: each case at each connection count
/// (the HTML page at 8 only): the wait for a quiet machine, then wrk, then
/// pgbench, each after a warm-up; into `reports`.
async fn timed(
    options: &Options,
    owner_url: &str,
    slug: &str,
    customer: &PortalCustomer,
    pg: &PgTarget,
    reports: &mut [Scripted],
    dir: &std::path::Path,
) -> anyhow::Result<()> {
    let cases: Vec<Case> = reports.iter().map(|s| s.report.case).collect();
    for &configured in &options.shares {
        let share = effective_share(owner_url, configured);
        let mut app = App::start(
            options,
            configured,
            owner_url,
            dir,
            &format!("share-{share}"),
        )?;
        app.ready(slug).await?;
        let (site, _) = sign_in(app.addr, slug, customer, &cases, options.deep_page).await?;
        let cookie = site
            .header("cookie")
            .context("a session cookie")?
            .to_owned();
        let host = site.host().to_owned();
        for Scripted { report, file, vars } in reports.iter_mut() {
            let counts: Vec<usize> = if report.case == Case::HtmlFirstPage {
                vec![TARGET_CONNECTIONS]
            } else {
                options.connections.clone()
            };
            for connections in counts {
                eprintln!(
                    "  {} share {share}: {} at {connections} connections",
                    now(),
                    report.case.label()
                );
                let quiet = portal_load::wait_for_quiet(options.quiet_below, options.quiet_wait);
                let url = format!("http://{}{}", app.addr, report.path);
                let headers = [("Host", host.as_str()), ("Cookie", cookie.as_str())];
                let warm = Target {
                    connections,
                    seconds: options.warmup,
                };
                let timed = Target {
                    connections,
                    seconds: options.seconds,
                };
                eprintln!("    {} wrk", now());
                portal_load::wrk(&warm, &url, &headers)?;
                let http = portal_load::wrk(&timed, &url, &headers)?;
                eprintln!("    {} pgbench", now());
                portal_load::pgbench(pg, &warm, file, vars, dir)?;
                let pgbench = portal_load::pgbench(pg, &timed, file, vars, dir)?;
                let run = Run {
                    share,
                    connections,
                    http,
                    pg: pgbench,
                    quiet,
                    load_end: portal_load::load(),
                };
                eprintln!(
                    "    HTTP {:.0}/s p50 {:.2} ms p99 {:.2} ms ({} errors, {:.1} s); \
                     pgbench {:.0}/s avg {:.2} ms; {:.0} %",
                    run.http.per_second,
                    run.http.p50,
                    run.http.p99,
                    run.http.errors,
                    run.http.seconds,
                    run.pg.per_second,
                    run.pg.average,
                    run.ratio() * 100.0
                );
                report.runs.push(run);
            }
        }
    }
    Ok(())
}

/// The app's settings with `company_connections` set to `configured`.
fn settings(owner_url: &str, configured: u32) -> portico::config::Settings {
    portico::config::Settings {
        database_url: owner_url.to_owned(),
        company_connections: configured,
        ..portico::config::Settings::default()
    }
}

/// The company share the app takes from `company_connections` = `configured`.
fn effective_share(owner_url: &str, configured: u32) -> u32 {
    let options = settings(owner_url, configured).database();
    options
        .tenant_share
        .unwrap_or_else(|| portico_data::default_tenant_share(options.max_connections))
}

/// Measures, writing the customer's sales first when an earlier run did not.
pub async fn measure(
    db: &Database,
    owner_url: &str,
    generated: &Generated,
    options: &Options,
) -> anyhow::Result<Report> {
    let customer = portal_data::ensure(db, owner_url, generated, options.invoices).await?;
    let slug = generated.tenant.slug().as_str().to_owned();
    eprintln!(
        "  customer {} ({} documents); contact #{} {} sees {} of {} branches",
        customer.account_code,
        customer.counts.invoices + customer.counts.credit_notes,
        customer.contact_index,
        customer.email,
        customer.visible.len(),
        customer.branches.len()
    );
    let app_url = app_url(owner_url)?;
    let database = app_url.path().trim_start_matches('/').to_owned();
    let mut cases = vec![Case::FirstPage, Case::DeepPage, Case::Ageing];
    if options.html {
        cases.push(Case::HtmlFirstPage);
    }
    let dir = tempfile::tempdir()?;

    // The SQL of each request, from an app whose connections log it.
    eprintln!("  catching each request's SQL in the server log");
    portal_sql::log_statements(owner_url, &database, true).await?;
    let caught = async {
        let mut app = App::start(options, 0, owner_url, dir.path(), "capture")?;
        app.ready(&slug).await?;
        let (site, paths) = sign_in(app.addr, &slug, &customer, &cases, options.deep_page).await?;
        let statements = capture(&site, &paths, &options.server_log).await?;
        anyhow::Ok((paths, statements))
    }
    .await;
    portal_sql::log_statements(owner_url, &database, false).await?;
    let (paths, statements) = caught?;

    let pg = PgTarget {
        program: options.pgbench.clone(),
        url: app_url.clone(),
    };
    let tenant = generated.tenant.id().as_uuid();
    let mut reports = Vec::new();
    for ((case, path), statements) in cases.iter().zip(paths).zip(statements) {
        let (script, vars) = portal_sql::pgbench_script(&statements);
        let file = dir.path().join(format!("{case:?}.sql"));
        std::fs::write(&file, &script)?;
        portal_load::pgbench_once(&pg, &file, &vars)
            .with_context(|| format!("the pgbench script of {}:\n{script}", case.label()))?;
        let mut plans = Vec::new();
        if *case != Case::HtmlFirstPage {
            for (at, statement) in statements.iter().enumerate() {
                if statement.reads_sales() {
                    let settings = portal_sql::settings_before(&statements, at);
                    plans.push(
                        portal_sql::plan(app_url.as_str(), tenant, &settings, statement).await?,
                    );
                }
            }
        }
        reports.push(Scripted {
            report: CaseReport {
                case: *case,
                path,
                statements,
                script,
                plans,
                runs: Vec::new(),
            },
            file,
            vars,
        });
    }

    // The measurements, on a fresh app whose connections log nothing.
    let measured = timed(
        options,
        owner_url,
        &slug,
        &customer,
        &pg,
        &mut reports,
        dir.path(),
    )
    .await;
    let failed = reports
        .iter()
        .any(|s| s.report.runs.iter().any(|run| run.http.errors > 0));
    if measured.is_err() || failed {
        let kept = dir.keep();
        eprintln!(
            "  the app's log and the scripts are kept in {}",
            kept.display()
        );
    }
    measured?;

    let settings = settings(owner_url, 0);
    let pool = settings.database().max_connections;
    Ok(Report {
        slug,
        contacts: generated.plan.contacts,
        customer,
        deep_page: options.deep_page,
        page_size: PAGE_SIZE,
        seconds: options.seconds,
        warmup: options.warmup,
        app: AppSetup {
            pool,
            default_share: effective_share(owner_url, 0),
            shares: options
                .shares
                .iter()
                .map(|&s| effective_share(owner_url, s))
                .collect(),
            statement_timeout_ms: settings.statement_timeout_ms,
            redis: options.redis_url.is_some(),
        },
        wrk: portal_load::version("wrk", "--version"),
        pgbench: portal_load::version(&options.pgbench, "--version"),
        cases: reports.into_iter().map(|s| s.report).collect(),
    })
}
