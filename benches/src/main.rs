//! `portico-bench`: Portico's benchmarks. Build it with `--release`.
//!
//! - `portico-bench permissions`: the cost of a portal permission check and of
//!   loading a contact's policy, in generated companies of 10,000 and 1,000,000
//!   contacts, and the memory per cached policy; writes
//!   `docs/benchmarks/permissions.md`.
//! - `portico-bench listing`: a portal list page of a 200,000-record customer
//!   by the per-branch merge helper and by the plain `branch_id = ANY(…)`
//!   query; writes `docs/benchmarks/listing.md`.
//! - `portico-bench search`: contact and account search in a generated company
//!   of 1,000,000 contacts, first and later page, for rare, common and short
//!   terms; writes `docs/benchmarks/search.md`.
//! - `portico-bench fairness`: one company's light requests alone and during
//!   another company's burst of heavy searches, through the real HTTP app;
//!   writes `docs/benchmarks/fairness.md`.
//! - `portico-bench portal`: the customer portal's invoices list (page 1 and
//!   page 400) and receivables ageing of a 200,000-invoice customer, over HTTP
//!   against the release `portico` binary with `wrk`, next to `pgbench` running
//!   the same SQL; writes `docs/benchmarks/portal.md`.
//! - `portico-bench generate --contacts N`: only the data (reused by later runs).

use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};
use portico_bench::{
    fairness, fairness_report, generate, listing, listing_report, measure, permissions, portal,
    portal_report, report, search, search_report,
};
use portico_data::{Backend, Database, DatabaseOptions};
use sqlx::Connection;

/// Counts every allocation, for the memory figures.
#[global_allocator]
static ALLOCATOR: &stats_alloc::StatsAlloc<std::alloc::System> = measure::ALLOCATOR;

#[derive(Debug, Parser)]
#[command(name = "portico-bench", about = "Portico's benchmarks")]
struct Cli {
    /// The database (PostgreSQL, the production backend: an owner URL; it is
    /// created when missing and migrated first). The generated data stays
    /// there for later runs. Default: `portico_bench` on the local server, and
    /// `portico_bench_listing` for `listing`.
    #[arg(long, global = true, env = "PORTICO_BENCH_DATABASE_URL")]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Permission checks and policy loads; writes a markdown report.
    Permissions {
        /// Company sizes, in contacts.
        #[arg(long, value_delimiter = ',', default_value = "10000,1000000")]
        contacts: Vec<usize>,
        /// Cold policy loads timed per company (each a different contact).
        #[arg(long, default_value_t = 2_000)]
        loads: usize,
        /// Permission checks timed per case (allowed, denied).
        #[arg(long, default_value_t = 200_000)]
        checks: usize,
        /// Policies built and held for the memory figure.
        #[arg(long, default_value_t = 10_000)]
        memory_entries: usize,
        /// Where to write the markdown report (`-` for nowhere).
        #[arg(long, default_value = "docs/benchmarks/permissions.md")]
        out: PathBuf,
    },
    /// A portal list page: the per-branch merge helper against the plain
    /// `branch_id = ANY(…)` query, first and deep page; writes a markdown report.
    Listing {
        /// Records of the customer.
        #[arg(long, default_value_t = 200_000)]
        records: usize,
        /// Branches of the customer.
        #[arg(long, default_value_t = 40)]
        branches: usize,
        /// Branches the contact sees.
        #[arg(long, default_value_t = 3)]
        granted: usize,
        /// The deep page's number (reached through the cursor).
        #[arg(long, default_value_t = 400)]
        deep_page: usize,
        /// Timed runs per case.
        #[arg(long, default_value_t = 1_000)]
        samples: usize,
        /// Where to write the markdown report (`-` for nowhere).
        #[arg(long, default_value = "docs/benchmarks/listing.md")]
        out: PathBuf,
    },
    /// Contact and account search (rare, common and short terms), first and a
    /// later page; writes a markdown report.
    Search {
        /// Company size, in contacts.
        #[arg(long, default_value_t = 1_000_000)]
        contacts: usize,
        /// The later page's number (reached through the cursor).
        #[arg(long, default_value_t = 10)]
        later_page: usize,
        /// Timed runs per case, at most.
        #[arg(long, default_value_t = 200)]
        samples: usize,
        /// Seconds spent timing one case, at most (at least 10 runs).
        #[arg(long, default_value_t = 15)]
        budget: u64,
        /// Where to write the markdown report (`-` for nowhere).
        #[arg(long, default_value = "docs/benchmarks/search.md")]
        out: PathBuf,
    },
    /// One company's light requests alone and during another company's burst
    /// of heavy searches, through the real HTTP app; writes a markdown report.
    Fairness {
        /// Company A (the burst): a generated company of this many contacts.
        #[arg(long, default_value_t = 1_000_000)]
        heavy_contacts: usize,
        /// Company B (timed): a generated company of this many contacts.
        #[arg(long, default_value_t = 2_000)]
        light_contacts: usize,
        /// A's search term (one whose list walks many rows per page).
        #[arg(long, default_value = "123")]
        term: String,
        /// A's concurrent clients.
        #[arg(long, default_value_t = 64)]
        heavy_clients: usize,
        /// The company shares compared (`company_connections`; 0: the
        /// default).
        #[arg(long, value_delimiter = ',', default_value = "8,0")]
        shares: Vec<u32>,
        /// Seconds B is timed in each phase.
        #[arg(long, default_value_t = 30)]
        seconds: u64,
        /// Milliseconds between two requests of each of B's clients.
        #[arg(long, default_value_t = 25)]
        every_ms: u64,
        /// Redis for sessions and throttles (as in production); unset: in memory.
        #[arg(long, env = "PORTICO_BENCH_REDIS_URL")]
        redis_url: Option<String>,
        /// Where to write the markdown report (`-` for nowhere).
        #[arg(long, default_value = "docs/benchmarks/fairness.md")]
        out: PathBuf,
    },
    /// The customer portal over HTTP (the release `portico serve` under `wrk`)
    /// next to pgbench running the same SQL: the invoices list's first and
    /// deep page and the receivables ageing; writes a markdown report.
    Portal {
        /// The company: a generated company of this many contacts.
        #[arg(long, default_value_t = 1_000_000)]
        contacts: usize,
        /// The customer's sales documents (invoices and credit notes).
        #[arg(long, default_value_t = 200_000)]
        invoices: u32,
        /// The deep page's number (reached through the `next` cursors).
        #[arg(long, default_value_t = 400)]
        deep_page: usize,
        /// Connection counts (wrk's and pgbench's).
        #[arg(long, value_delimiter = ',', default_value = "1,8,32")]
        connections: Vec<usize>,
        /// Seconds timed per run (each after a warm-up).
        #[arg(long, default_value_t = 20)]
        seconds: u64,
        /// Seconds of warm-up before each timed run.
        #[arg(long, default_value_t = 5)]
        warmup: u64,
        /// Leave out the HTML invoices page (measured at 8 connections).
        #[arg(long)]
        no_html: bool,
        /// The app's `company_connections` settings compared, each on an app
        /// of its own (0: its default, half the pool and at most half the
        /// CPU cores).
        #[arg(long, value_delimiter = ',', default_value = "0,8")]
        shares: Vec<u32>,
        /// The `portico` binary (default: next to this one, built with it).
        #[arg(long)]
        portico: Option<PathBuf>,
        #[arg(long, default_value = "/usr/lib/postgresql/15/bin/pgbench")]
        pgbench: String,
        /// PostgreSQL's log file (where the app's statements are caught).
        #[arg(long, default_value = "/var/log/postgresql/postgresql-15-main.log")]
        server_log: PathBuf,
        /// Measure when the 1-minute load average is below this…
        #[arg(long, default_value_t = 1.0)]
        quiet_below: f64,
        /// …or after waiting this many seconds for it.
        #[arg(long, default_value_t = 900)]
        quiet_wait: u64,
        /// Redis for the app's sessions; unset: in the app's memory.
        #[arg(long, env = "PORTICO_BENCH_REDIS_URL")]
        redis_url: Option<String>,
        /// Where to write the markdown report (`-` for nowhere).
        #[arg(long, default_value = "docs/benchmarks/portal.md")]
        out: PathBuf,
    },
    /// Generates (or finds) the benchmark company of N contacts.
    Generate {
        #[arg(long)]
        contacts: usize,
    },
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(run(cli))
}

async fn connect(url: &str) -> anyhow::Result<Database> {
    let mut options = DatabaseOptions::new(url);
    options.max_connections = 4;
    let db = Database::connect(&options)
        .await
        .with_context(|| format!("connecting to {url}"))?;
    db.migrate().await.context("migrating the database")?;
    db.ping().await?;
    Ok(db)
}

/// The server's version; after a generation, a vacuum with fresh planner
/// statistics, so reads find the steady state of a database in service (hint
/// bits set, visibility map and statistics current), not a bulk load's aftermath.
async fn postgres(url: &str, analyze: bool) -> anyhow::Result<String> {
    let mut conn = sqlx::PgConnection::connect(url).await?;
    if analyze {
        for table in [
            "accounts",
            "branches",
            "contacts",
            "contact_links",
            "link_roles",
            "link_permissions",
            "link_branches",
            "portal_roles",
            "portal_role_permissions",
        ] {
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!("VACUUM (ANALYZE) {table}")))
                .execute(&mut conn)
                .await?;
        }
    }
    let (version,): (String,) = sqlx::query_as("SELECT version()")
        .fetch_one(&mut conn)
        .await?;
    conn.close().await?;
    Ok(version.split(" on ").next().unwrap_or(&version).to_owned())
}

/// Writes a report, creating its folder.
fn write_report(out: &std::path::Path, text: &str) -> anyhow::Result<()> {
    if out.as_os_str() == "-" {
        return Ok(());
    }
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(out, text).with_context(|| format!("writing {}", out.display()))?;
    println!("Report written to {}", out.display());
    Ok(())
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let database = match &cli.command {
        Command::Listing { .. } => "portico_bench_listing",
        _ => "portico_bench",
    };
    let url = cli
        .database_url
        .clone()
        .unwrap_or_else(|| format!("postgres://postgres@127.0.0.1:5432/{database}"));
    if url.starts_with("postgres") {
        listing::ensure_database(&url).await?;
    }
    let db = connect(&url).await?;
    let pg = db.backend() == Backend::Postgres;
    match cli.command {
        Command::Listing {
            records,
            branches,
            granted,
            deep_page,
            samples,
            out,
        } => {
            anyhow::ensure!(pg, "the listing benchmark runs on PostgreSQL");
            let options = listing::Options {
                records,
                branches,
                granted,
                deep_page,
                samples,
            };
            let load_at_start = measure::load_average();
            let report = listing::measure(&db, &url, &options).await?;
            let machine = report::Machine::detect(postgres(&url, false).await?, load_at_start);
            println!("{}", listing_report::terminal(&machine, &report));
            write_report(&out, &listing_report::markdown(&machine, &report))
        }
        Command::Search {
            contacts,
            later_page,
            samples,
            budget,
            out,
        } => {
            let options = search::Options {
                later_page,
                samples,
                budget: std::time::Duration::from_secs(budget),
                plans: true,
            };
            let load_at_start = measure::load_average();
            let spec = generate::Spec::new(contacts)?;
            eprintln!("{}: finding or generating the company", spec.slug);
            let generated = generate::ensure_tenant(&db, &spec, true).await?;
            if generated.created && pg {
                postgres(&url, true).await?;
            }
            let owner = pg.then_some(url.as_str());
            let report = search::measure(&db, owner, &generated, &options).await?;
            let database = if pg {
                postgres(&url, false).await?
            } else {
                "SQLite".into()
            };
            let machine = report::Machine::detect(database, load_at_start);
            println!("{}", search_report::terminal(&machine, &report));
            write_report(
                &out,
                &search_report::markdown(&machine, &report, search_report::READING),
            )
        }
        Command::Fairness {
            heavy_contacts,
            light_contacts,
            term,
            heavy_clients,
            shares,
            seconds,
            every_ms,
            redis_url,
            out,
        } => {
            anyhow::ensure!(pg, "the fairness benchmark runs on PostgreSQL");
            let options = fairness::Options {
                heavy_contacts,
                light_contacts,
                heavy_term: term,
                heavy_clients,
                shares,
                phase: std::time::Duration::from_secs(seconds),
                light_every: std::time::Duration::from_millis(every_ms),
                redis_url,
            };
            let load_at_start = measure::load_average();
            for n in [heavy_contacts, light_contacts] {
                let spec = generate::Spec::new(n)?;
                eprintln!("{}: finding or generating the company", spec.slug);
                if generate::ensure_tenant(&db, &spec, true).await?.created {
                    postgres(&url, true).await?;
                }
            }
            let report = fairness::measure(&db, &url, &options).await?;
            let machine = report::Machine::detect(postgres(&url, false).await?, load_at_start);
            println!("{}", fairness_report::terminal(&machine, &report));
            write_report(
                &out,
                &fairness_report::markdown(&machine, &report, fairness_report::READING),
            )
        }
        Command::Portal {
            contacts,
            invoices,
            deep_page,
            connections,
            seconds,
            warmup,
            no_html,
            shares,
            portico,
            pgbench,
            server_log,
            quiet_below,
            quiet_wait,
            redis_url,
            out,
        } => {
            anyhow::ensure!(pg, "the portal benchmark runs on PostgreSQL");
            let portico = match portico {
                Some(path) => path,
                None => std::env::current_exe()?.with_file_name("portico"),
            };
            let options = portal::Options {
                invoices,
                deep_page,
                connections,
                html: !no_html,
                seconds,
                warmup,
                shares,
                portico,
                pgbench,
                server_log,
                quiet_below,
                quiet_wait: std::time::Duration::from_secs(quiet_wait),
                redis_url,
            };
            let load_at_start = measure::load_average();
            let spec = generate::Spec::new(contacts)?;
            eprintln!("{}: finding or generating the company", spec.slug);
            let generated = generate::ensure_tenant(&db, &spec, true).await?;
            if generated.created {
                postgres(&url, true).await?;
            }
            let report = portal::measure(&db, &url, &generated, &options).await?;
            let machine = report::Machine::detect(postgres(&url, false).await?, load_at_start);
            println!("{}", portal_report::terminal(&report));
            write_report(
                &out,
                &portal_report::markdown(&machine, &report, portal_report::READING),
            )
        }
        Command::Generate { contacts } => {
            let spec = generate::Spec::new(contacts)?;
            let generated = generate::ensure_tenant(&db, &spec, true).await?;
            if generated.created && pg {
                postgres(&url, true).await?;
            }
            println!(
                "{}: {} ({} contacts, {} accounts, {} branches{})",
                spec.slug,
                if generated.created {
                    "generated"
                } else {
                    "already there"
                },
                generated.plan.contacts,
                generated.plan.accounts,
                generated.plan.branches(),
                if generated.created {
                    format!("; {} rows in {:.1} s", generated.rows, generated.seconds)
                } else {
                    String::new()
                }
            );
            Ok(())
        }
        Command::Permissions {
            contacts,
            loads,
            checks,
            memory_entries,
            out,
        } => {
            let options = permissions::Options {
                loads,
                checks,
                memory_entries,
                ..permissions::Options::default()
            };
            let load_at_start = measure::load_average();
            let mut reports = Vec::new();
            for n in contacts {
                let spec = generate::Spec::new(n)?;
                eprintln!("{}: finding or generating the company", spec.slug);
                let generated = generate::ensure_tenant(&db, &spec, true).await?;
                if generated.created && pg {
                    postgres(&url, true).await?;
                }
                eprintln!("{}: measuring", spec.slug);
                reports.push(permissions::measure(&db, &generated, &options, true).await?);
            }
            let database = if pg {
                postgres(&url, false).await?
            } else {
                "SQLite".into()
            };
            let machine = report::Machine::detect(database, load_at_start);
            println!("{}", report::terminal(&machine, &reports));
            write_report(&out, &report::markdown(&machine, &reports))
        }
    }
}
