//! The command line: `serve`, `migrate`, `tenant …`, `operator create`, `demo`;
//! with no command, the local development run.

use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand};
use portico_auth::{hash_password, temporary_password};
use portico_data::{
    Actor, Backend, DataError, NewOperator, NewStaffUser, NewTenant, TenantStatus,
    change_tenant_status, provision_tenant,
};
use portico_domain::{Currency, Email, Locale, Slug, StaffRole};

use crate::{
    app,
    config::Settings,
    demo::{
        self, DEMO_BOTH_PORTALS_CONTACT, DEMO_BRANCH_CONTACT, DEMO_CUSTOMER_CONTACT, DEMO_OPERATOR,
        DEMO_OWNER, DEMO_PASSWORD, DEMO_PURCHASING, DEMO_READ_ONLY, DEMO_SALES, DEMO_SLUG,
        DEMO_SUPPLIER_CONTACT,
    },
};

/// Portico: customer and supplier portals for companies.
#[derive(Debug, Parser)]
#[command(name = "portico", version, about)]
pub struct Cli {
    /// A TOML configuration file (default: ./portico.toml when present).
    #[arg(long, global = true, env = "PORTICO_CONFIG")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve every app (migrating first on the embedded database).
    Serve,
    /// Apply pending database migrations.
    Migrate,
    /// Manage companies.
    #[command(subcommand)]
    Tenant(TenantCommand),
    /// Manage platform operators.
    #[command(subcommand)]
    Operator(OperatorCommand),
    /// Manage a company's admin API keys.
    #[command(subcommand, name = "api-key")]
    ApiKey(ApiKeyCommand),
    /// Create the demo company and demo sign-ins if they are missing.
    Demo {
        /// Also on PostgreSQL. The demo accounts share a published password:
        /// never use this on a database that serves real people.
        #[arg(long)]
        allow_postgres: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum TenantCommand {
    /// Create a company and its first administrator (the owner).
    Create(CreateTenant),
    /// List every company.
    List,
    /// Suspend a company: its sites answer "not found" until reactivated.
    Suspend { slug: String },
    /// Reactivate a suspended company.
    Reactivate { slug: String },
}

#[derive(Debug, Args)]
pub struct CreateTenant {
    /// The sub-domain, e.g. `acme` for acme.<base domain>.
    #[arg(long)]
    pub slug: String,
    /// The company's name.
    #[arg(long)]
    pub name: String,
    /// Default language: es or en.
    #[arg(long, default_value = "es")]
    pub locale: String,
    /// ISO 4217 currency code.
    #[arg(long, default_value = "DOP")]
    pub currency: String,
    /// Most contacts the company may keep (no limit when absent).
    #[arg(long)]
    pub max_contacts: Option<i32>,
    /// The first administrator's email.
    #[arg(long)]
    pub admin_email: String,
    /// The first administrator's name.
    #[arg(long)]
    pub admin_name: String,
}

#[derive(Debug, Subcommand)]
pub enum OperatorCommand {
    /// Create a platform operator; prints a generated password.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum ApiKeyCommand {
    /// Create an API key for a company; prints the key (shown once).
    Create {
        /// The company's slug.
        #[arg(long)]
        tenant: String,
        /// What the key is for, e.g. "ERP sync".
        #[arg(long)]
        name: String,
        /// The back-office role the key acts with: admin, sales, purchasing or read_only.
        #[arg(long, default_value = "admin")]
        role: String,
    },
}

/// Runs a parsed command line.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let settings = Settings::load(cli.config.as_deref()).context("loading configuration")?;
    portico_web::observe::init_tracing(settings.log_json);
    match cli.command {
        // `cargo run` with no arguments: migrate, make sure the demo exists, serve.
        None => serve(&settings, true).await,
        Some(Command::Serve) => serve(&settings, false).await,
        Some(Command::Migrate) => {
            let (db, _) = app::connect(&settings).await?;
            db.migrate().await.context("applying migrations")?;
            println!("Migrations applied.");
            Ok(())
        }
        Some(Command::Tenant(command)) => tenant(&settings, command).await,
        Some(Command::Operator(OperatorCommand::Create { email, name })) => {
            let (db, _) = app::connect(&settings).await?;
            let password = temporary_password();
            let mut tx = db.operator_tx().await?;
            let created = tx
                .create_operator(&NewOperator {
                    email: Email::parse(&email).context("--email")?,
                    name,
                    password_hash: hash_password(&password).await?,
                })
                .await;
            match created {
                Err(DataError::Conflict { .. }) => {
                    bail!("an operator with email {email} already exists")
                }
                other => other?,
            };
            tx.commit().await?;
            println!("Operator {email} created. Password (shown once): {password}");
            Ok(())
        }
        Some(Command::ApiKey(ApiKeyCommand::Create { tenant, name, role })) => {
            create_api_key(&settings, &tenant, &name, &role).await
        }
        Some(Command::Demo { allow_postgres }) => {
            let (db, _) = app::connect(&settings).await?;
            if db.backend() == Backend::Postgres && !allow_postgres {
                bail!(
                    "the demo accounts share a published password; on PostgreSQL pass --allow-postgres \
                     if this database is only for demonstrations"
                );
            }
            demo::ensure_demo(&db, &app::files(&settings)?).await?;
            print_sign_ins();
            Ok(())
        }
    }
}

async fn serve(settings: &Settings, with_demo: bool) -> anyhow::Result<()> {
    let (db, redis) = app::connect(settings).await?;
    // Demo accounts share a published password: only ever on the embedded database.
    let with_demo = with_demo && db.backend() == Backend::Sqlite;
    let files = app::files(settings)?;
    if with_demo {
        demo::ensure_demo(&db, &files).await?;
    }
    db.ping().await.context("the database does not answer")?;
    db.check_roles().await?;
    let mail = app::mailer(settings, db.clone())?;
    let state = app::state(db.clone(), redis, files, settings.web(), mail.clone())?;
    mail.start();
    check_mail(&mail);
    portico_admin::start_import_sweeper(db.clone());
    let listener = tokio::net::TcpListener::bind(&settings.listen)
        .await
        .with_context(|| format!("listening on {}", settings.listen))?;
    print_urls(settings);
    if with_demo {
        print_sign_ins();
    }
    crate::server::serve(
        listener,
        app::endpoint(state),
        shutdown_signal(),
        std::time::Duration::from_secs(10),
    )
    .await?;
    mail.shutdown().await;
    db.close().await;
    Ok(())
}

/// Says in the log, without delaying the start, whether the SMTP relay answers;
/// mail waits in the outbox meanwhile either way.
fn check_mail(mail: &portico_mail::Mailer) {
    let transport = mail.transport().clone();
    tokio::spawn(async move {
        match transport.check().await {
            Ok(()) => tracing::info!(transport = %transport.describe(), "mail transport ready"),
            Err(error) => tracing::warn!(
                transport = %transport.describe(), error = %error,
                "the mail transport does not answer; mail waits in the outbox"
            ),
        }
    });
}

/// Ctrl-C or SIGTERM (what container runtimes send) starts a graceful shutdown.
async fn shutdown_signal() {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = terminate => {}
    }
}

fn print_urls(settings: &Settings) {
    let web = settings.web();
    let demo = Slug::parse(DEMO_SLUG).map(|slug| web.tenant_url(&slug));
    println!();
    println!("Portico is listening on {}", settings.listen);
    println!("  Operator console   {}", web.public_url);
    if let Ok(demo) = demo {
        println!("  Back office        {}admin", demo);
        println!("  Customer portal    {}portal", demo);
        println!("  Supplier portal    {}supplier", demo);
    }
    println!(
        "  Health / metrics   {}healthz  {}metrics",
        web.public_url, web.public_url
    );
}

fn print_sign_ins() {
    println!();
    println!("Demo sign-ins (password {DEMO_PASSWORD}):");
    println!("  Back office owner      {DEMO_OWNER}");
    println!("  Back office sales      {DEMO_SALES}");
    println!("  Back office purchasing {DEMO_PURCHASING}");
    println!("  Back office read-only  {DEMO_READ_ONLY}");
    println!(
        "  Customer portal        {DEMO_CUSTOMER_CONTACT} (every branch), {DEMO_BRANCH_CONTACT} (one branch)"
    );
    println!("  Supplier portal        {DEMO_SUPPLIER_CONTACT}");
    println!("  Both portals           {DEMO_BOTH_PORTALS_CONTACT} (one sign-in, a switch)");
    println!("  Operator console       {DEMO_OPERATOR}");
    println!();
}

async fn tenant(settings: &Settings, command: TenantCommand) -> anyhow::Result<()> {
    let (db, _) = app::connect(settings).await?;
    match command {
        TenantCommand::Create(args) => {
            let slug =
                Slug::parse(&args.slug).with_context(|| format!("--slug {:?}", args.slug))?;
            let locale = Locale::from_tag(&args.locale).context("--locale must be es or en")?;
            let currency = Currency::parse(&args.currency)
                .context("--currency must be an ISO 4217 code such as DOP, MXN, COP or USD")?;
            let password = temporary_password();
            let created = provision_tenant(
                &db,
                &NewTenant {
                    slug: slug.clone(),
                    name: args.name,
                    locale,
                    currency,
                    max_contacts: args.max_contacts,
                },
                &NewStaffUser {
                    email: Email::parse(&args.admin_email).context("--admin-email")?,
                    name: args.admin_name,
                    role: StaffRole::Owner,
                    password_hash: Some(hash_password(&password).await?),
                    one_time_password: true,
                    locale: Some(locale),
                },
                Actor::System,
            )
            .await;
            let tenant = match created {
                Err(DataError::Conflict { .. }) => {
                    bail!("a company with slug {slug} already exists")
                }
                other => other?,
            };
            let url = settings.web().tenant_url(tenant.slug());
            println!("Company {} created at {url}", tenant.name());
            println!(
                "Owner {} — one-time password (shown once; changed at the first sign-in): {password}",
                args.admin_email
            );
            println!("Back office: {url}admin");
        }
        TenantCommand::List => {
            let mut tx = db.platform_tx().await?;
            let tenants = tx.list_tenants().await?;
            tx.commit().await?;
            if tenants.is_empty() {
                println!("No companies yet.");
            }
            for t in tenants {
                let status = match t.status() {
                    TenantStatus::Active => "active",
                    TenantStatus::Suspended => "suspended",
                };
                println!(
                    "{:<20} {:<10} {:<3} {:<4} {}",
                    t.slug(),
                    status,
                    t.locale(),
                    t.currency(),
                    t.name()
                );
            }
        }
        TenantCommand::Suspend { slug } => set_status(&db, &slug, TenantStatus::Suspended).await?,
        TenantCommand::Reactivate { slug } => set_status(&db, &slug, TenantStatus::Active).await?,
    }
    Ok(())
}

async fn set_status(
    db: &portico_data::Database,
    slug: &str,
    status: TenantStatus,
) -> anyhow::Result<()> {
    let slug = Slug::parse(slug).with_context(|| format!("{slug:?} is not a valid slug"))?;
    let Some(tenant) = change_tenant_status(db, &slug, status, Actor::System, None).await? else {
        bail!("no company has the slug {slug}");
    };
    println!(
        "{} is now {}",
        tenant.name(),
        if status == TenantStatus::Active {
            "active"
        } else {
            "suspended"
        }
    );
    Ok(())
}

async fn create_api_key(
    settings: &Settings,
    slug: &str,
    name: &str,
    role: &str,
) -> anyhow::Result<()> {
    let role: StaffRole = role.parse()?;
    if role == StaffRole::Owner {
        bail!("an API key cannot act as owner; use admin");
    }
    let name = name.trim();
    if name.is_empty() {
        bail!("--name must not be blank");
    }
    let slug = Slug::parse(slug).with_context(|| format!("{slug:?} is not a valid slug"))?;
    let (db, _) = app::connect(settings).await?;
    let mut platform = db.platform_tx().await?;
    let Some(tenant) = platform.find_tenant_by_slug(&slug).await? else {
        bail!("no company has the slug {slug}");
    };
    let mut tx = platform.into_tenant(&tenant).await?;
    let key = portico_admin::api_keys::new_key();
    let by = portico_data::By {
        actor: Actor::System,
        request_id: None,
    };
    tx.api_keys()
        .create(name, role, &key, &portico_auth::hash_token(&key), by)
        .await?;
    tx.commit().await?;
    println!("API key {name:?} ({role}) for {}:", tenant.name());
    println!("{key}");
    println!("Send it as \"Authorization: Bearer <key>\". It is shown only once.");
    Ok(())
}
