//! The fairness benchmark: does one company's burst hurt another? The real
//! HTTP app is served in-process on a loopback port over PostgreSQL, with the
//! production settings (pool, each company's share of it, statement timeout);
//! company B's light requests are timed alone, then while company A's many
//! concurrent heavy searches saturate A's share of the pool.
//!
//! The app runs on a runtime of its own (two worker threads, as `portico
//! serve` on two cores); the clients on the caller's. Everything shares the
//! machine's cores with PostgreSQL, so the report also gives how busy the
//! CPUs were in each phase: a company that cannot take more of the pool can
//! still take CPU from the others.

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

use anyhow::{bail, ensure};
use portico_data::{Database, Tenant};

use crate::{
    generate::{self, Generated},
    measure::{CpuTicks, Samples, Summary},
    served::{Reply, Server, Site, api_key, settings, signed_in},
};

/// What to run.
#[derive(Debug, Clone)]
pub struct Options {
    /// Company A, the one with the burst: a generated company of this many contacts.
    pub heavy_contacts: usize,
    /// Company B, the one timed: a generated company of this many contacts.
    pub light_contacts: usize,
    /// A's search term: one whose list walks many rows per page.
    pub heavy_term: String,
    /// A's concurrent clients (more than its share of the pool).
    pub heavy_clients: usize,
    /// The settings compared: how many connections one company may hold
    /// (`company_connections`; 0: the default).
    pub shares: Vec<u32>,
    /// How long B is timed in each phase.
    pub phase: Duration,
    /// How often each of B's clients sends its request.
    pub light_every: Duration,
    /// Redis for sessions and throttles, as in production; `None`: in memory.
    pub redis_url: Option<String>,
}

/// One of B's light requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Light {
    /// `GET /api/v1/contacts?limit=20` with an API key.
    Api,
    /// The back office's contact list page, signed in.
    Page,
}

impl Light {
    pub const ALL: [Light; 2] = [Light::Api, Light::Page];

    pub fn path(self) -> &'static str {
        match self {
            Light::Api => "/api/v1/contacts?limit=20",
            Light::Page => "/admin/contacts",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Light::Api => "API: contacts, 20 rows",
            Light::Page => "staff page: contact list (50 rows)",
        }
    }
}

/// B's timings in one phase.
#[derive(Debug, Clone)]
pub struct LightTimes {
    pub request: Light,
    pub summary: Summary,
    /// Answers other than 200 (none expected).
    pub failures: usize,
}

/// What A's burst got.
#[derive(Debug, Clone, Default)]
pub struct HeavyTally {
    pub served: usize,
    /// 503 answers, and how many of them carried `Retry-After`.
    pub busy: usize,
    pub busy_with_retry_after: usize,
    /// Any other answer, or no answer.
    pub other: usize,
    pub served_times: Summary,
    pub busy_times: Summary,
    pub seconds: f64,
}

/// One phase: B alone, or B during A's burst.
#[derive(Debug, Clone)]
pub struct Phase {
    pub light: Vec<LightTimes>,
    pub heavy: Option<HeavyTally>,
    /// Share of the machine's CPU time that was busy while B was timed.
    pub cpu_busy: f64,
}

/// One setting of the company share, both phases.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// `company_connections` as configured (0: the default).
    pub configured: u32,
    /// The share in effect, and the pool it is a share of.
    pub share: u32,
    pub pool: u32,
    pub idle: Phase,
    pub loaded: Phase,
}

/// Everything the report needs.
#[derive(Debug, Clone)]
pub struct FairnessReport {
    pub heavy: (String, usize),
    pub light: (String, usize),
    pub options: Options,
    /// A's request, and what one takes alone (median of a few).
    pub heavy_path: String,
    pub heavy_alone: Summary,
    pub statement_timeout_ms: u64,
    pub tenant_wait: Duration,
    pub scenarios: Vec<Scenario>,
}

/// The path of A's heavy request.
fn heavy_path(term: &str) -> String {
    let term: String = url::form_urlencoded::byte_serialize(term.as_bytes()).collect();
    format!("/api/v1/contacts?q={term}&limit=50")
}

/// Times one light request for `phase`, sent every `every` (a person or an
/// integration at work, not a load test of its own: the next request waits
/// for the previous one's answer when that takes longer).
async fn light_client(site: Site, request: Light, phase: Duration, every: Duration) -> LightTimes {
    let mut samples = Samples::with_capacity(4096);
    let mut failures = 0;
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let end = Instant::now() + phase;
    while Instant::now() < end {
        ticks.tick().await;
        let start = Instant::now();
        let reply = site.get(request.path()).await;
        samples.push(start.elapsed());
        if !matches!(reply, Ok(Reply { status: 200, .. })) {
            failures += 1;
        }
    }
    LightTimes {
        request,
        summary: samples.summary(),
        failures,
    }
}

/// B's light requests, each from its own client, side by side.
async fn time_light(
    sites: &[(Light, Site)],
    phase: Duration,
    every: Duration,
) -> anyhow::Result<Phase> {
    let cpu = CpuTicks::now();
    let clients: Vec<_> = sites
        .iter()
        .map(|(request, site)| tokio::spawn(light_client(site.clone(), *request, phase, every)))
        .collect();
    let mut light = Vec::new();
    for client in clients {
        light.push(client.await?);
    }
    Ok(Phase {
        light,
        heavy: None,
        cpu_busy: cpu.busy_since(),
    })
}

/// One of A's clients: the heavy request again and again until told to stop,
/// retrying at once when refused (a burst does not wait politely).
async fn heavy_client(
    site: Site,
    path: String,
    stop: Arc<AtomicBool>,
) -> (HeavyTally, Samples, Samples) {
    let mut tally = HeavyTally::default();
    let (mut served, mut busy) = (Samples::default(), Samples::default());
    while !stop.load(Ordering::Relaxed) {
        let start = Instant::now();
        match site.get(&path).await {
            Ok(reply) if reply.status == 200 => {
                served.push(start.elapsed());
                tally.served += 1;
            }
            Ok(reply) if reply.status == 503 => {
                busy.push(start.elapsed());
                tally.busy += 1;
                tally.busy_with_retry_after += usize::from(reply.retry_after);
            }
            _ => tally.other += 1,
        }
    }
    (tally, served, busy)
}

/// Both phases for one share setting.
async fn scenario(
    url: &str,
    configured: u32,
    options: &Options,
    companies: (&Generated, &Generated),
    keys: (&str, &str),
) -> anyhow::Result<Scenario> {
    let (heavy, light) = companies;
    let server = Server::start(url, configured, options.redis_url.as_deref()).await?;
    let settings = settings(url, configured, None, std::path::Path::new("."));
    let database = settings.database();
    let pool = database.max_connections;
    let share = database
        .tenant_share
        .unwrap_or_else(|| portico_data::default_tenant_share(pool))
        .max(1);
    let result = async {
        let a = Site::new(server.addr, heavy.tenant.slug().as_str())
            .with_header("authorization", format!("Bearer {}", keys.0));
        let b_api = Site::new(server.addr, light.tenant.slug().as_str())
            .with_header("authorization", format!("Bearer {}", keys.1));
        let b_page = signed_in(
            Site::new(server.addr, light.tenant.slug().as_str()),
            "/admin/sign-in",
            &format!("owner@{}.bench", light.tenant.slug().as_str()),
        )
        .await?;
        let sites = [(Light::Api, b_api), (Light::Page, b_page)];
        let path = heavy_path(&options.heavy_term);
        // Warm up: the app's caches, the connections, the pages PostgreSQL reads.
        for _ in 0..share.max(4) {
            let reply = a.get(&path).await?;
            ensure!(reply.status == 200, "A's request answered {}", reply.status);
        }
        time_light(&sites, Duration::from_secs(2), options.light_every).await?;

        eprintln!("  share {share}: B alone");
        let idle = time_light(&sites, options.phase, options.light_every).await?;

        eprintln!(
            "  share {share}: B during A's burst of {} clients",
            options.heavy_clients
        );
        let stop = Arc::new(AtomicBool::new(false));
        let started = Instant::now();
        let burst: Vec<_> = (0..options.heavy_clients)
            .map(|_| tokio::spawn(heavy_client(a.clone(), path.clone(), Arc::clone(&stop))))
            .collect();
        // Long enough for the share to fill and the first refusals (after
        // the wait for a turn) to come back.
        let settle = Duration::from_secs(3);
        tokio::time::sleep(settle).await;
        let mut loaded = time_light(&sites, options.phase, options.light_every).await?;
        stop.store(true, Ordering::Relaxed);
        let mut tally = HeavyTally::default();
        let (mut served, mut busy) = (Samples::default(), Samples::default());
        for client in burst {
            let (t, s, b) = client.await?;
            tally.served += t.served;
            tally.busy += t.busy;
            tally.busy_with_retry_after += t.busy_with_retry_after;
            tally.other += t.other;
            served.extend(&s);
            busy.extend(&b);
        }
        tally.served_times = served.summary();
        tally.busy_times = busy.summary();
        tally.seconds = started.elapsed().as_secs_f64();
        loaded.heavy = Some(tally);
        anyhow::Ok((idle, loaded))
    }
    .await;
    server.stop();
    let (idle, loaded) = result?;
    Ok(Scenario {
        configured,
        share,
        pool,
        idle,
        loaded,
    })
}

/// What one heavy request takes alone, through the data layer (no HTTP): a
/// few runs, to say how heavy it is.
async fn heavy_alone(db: &Database, tenant: &Tenant, term: &str) -> anyhow::Result<Summary> {
    let mut samples = Samples::default();
    let filter = portico_data::ContactFilter {
        search: Some(term.to_owned()),
        ..Default::default()
    };
    for run in 0..13 {
        let start = Instant::now();
        let mut tx = db.tenant_tx(tenant).await?;
        let rows = tx.contacts().list(&filter, None, 51).await?;
        tx.commit().await?;
        if run >= 3 {
            samples.push(start.elapsed());
        }
        if rows.is_empty() {
            bail!(
                "the heavy term {term:?} finds nothing in {}",
                tenant.slug().as_str()
            );
        }
    }
    Ok(samples.summary())
}

/// Runs the benchmark on the database at `url` (an owner URL; `db` a handle on it).
pub async fn measure(
    db: &Database,
    url: &str,
    options: &Options,
) -> anyhow::Result<FairnessReport> {
    ensure!(
        options.heavy_contacts != options.light_contacts,
        "A and B must be two companies (two different sizes)"
    );
    let heavy_spec = generate::Spec::new(options.heavy_contacts)?;
    let light_spec = generate::Spec::new(options.light_contacts)?;
    eprintln!("{}: finding or generating company A", heavy_spec.slug);
    let heavy = generate::ensure_tenant(db, &heavy_spec, true).await?;
    eprintln!("{}: finding or generating company B", light_spec.slug);
    let light = generate::ensure_tenant(db, &light_spec, true).await?;
    let keys = (
        api_key(db, &heavy.tenant).await?,
        api_key(db, &light.tenant).await?,
    );
    let heavy_alone = heavy_alone(db, &heavy.tenant, &options.heavy_term).await?;
    let production = portico::config::Settings::default();
    let mut scenarios = Vec::new();
    for &configured in &options.shares {
        scenarios.push(
            scenario(
                url,
                configured,
                options,
                (&heavy, &light),
                (&keys.0, &keys.1),
            )
            .await?,
        );
    }
    Ok(FairnessReport {
        heavy: (heavy_spec.slug.as_str().to_owned(), options.heavy_contacts),
        light: (light_spec.slug.as_str().to_owned(), options.light_contacts),
        options: options.clone(),
        heavy_path: heavy_path(&options.heavy_term),
        heavy_alone,
        statement_timeout_ms: production.statement_timeout_ms,
        tenant_wait: production.database().tenant_wait,
        scenarios,
    })
}
