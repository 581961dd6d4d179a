//! The `portico` command line, run in process against each backend: companies and
//! operators are created, listed, suspended and reactivated; bad input and
//! unreachable services are errors, never silent fallbacks.

use clap::Parser;
use portico::cli::{Cli, run};
use portico_data::TenantStatus;
use portico_domain::{Email, Slug};
use portico_tests::{TestDb, backend_tests};

/// Writes a configuration file naming the test database, with files and mail
/// kept in `dir` (never in the checkout), and returns its path.
fn config_for(url: &str, dir: &tempfile::TempDir) -> String {
    let path = dir.path().join("portico.toml");
    let files = dir.path().join("files");
    let mail = dir.path().join("mail");
    std::fs::write(
        &path,
        format!(
            "database_url = \"{url}\"\nfiles_dir = \"{}\"\nmail_dir = \"{}\"\n",
            files.display(),
            mail.display()
        ),
    )
    .unwrap();
    path.display().to_string()
}

async fn portico(config: &str, args: &[&str]) -> anyhow::Result<()> {
    portico_tests::capture_logs();
    let mut argv = vec!["portico", "--config", config];
    argv.extend_from_slice(args);
    run(Cli::try_parse_from(argv)?).await
}

async fn the_cli_manages_companies_and_operators(db: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let config = config_for(&db.url, &dir);
    portico(&config, &["migrate"])
        .await
        .expect("migrate is idempotent");
    let create = [
        "tenant",
        "create",
        "--slug",
        "acme",
        "--name",
        "Acme, S.A. de C.V.",
        "--locale",
        "en",
        "--currency",
        "mxn",
        "--admin-email",
        "Ana@Acme.mx",
        "--admin-name",
        "Ana López",
    ];
    portico(&config, &create).await.expect("tenant create");

    let mut tx = db.db.platform_tx().await.unwrap();
    let acme = tx
        .find_tenant_by_slug(&Slug::parse("acme").unwrap())
        .await
        .unwrap()
        .expect("created");
    drop(tx);
    assert_eq!(
        (acme.name(), acme.currency(), acme.locale().tag()),
        ("Acme, S.A. de C.V.", "MXN", "en")
    );
    let mut tx = db.db.tenant_tx(&acme).await.unwrap();
    let owner = tx
        .staff()
        .find_by_email(&Email::parse("ana@acme.mx").unwrap())
        .await
        .unwrap()
        .expect("owner");
    drop(tx);
    assert_eq!(owner.role, portico_domain::StaffRole::Owner);
    assert!(
        owner.must_change_password,
        "the printed password is one-time: the owner replaces it at the first sign-in"
    );
    assert!(
        owner
            .password_hash
            .as_deref()
            .is_some_and(|h| h.starts_with("$argon2id$"))
    );

    let key = [
        "api-key", "create", "--tenant", "acme", "--name", "ERP", "--role", "sales",
    ];
    portico(&config, &key).await.expect("api-key create");
    let mut tx = db.db.tenant_tx(&acme).await.unwrap();
    let keys = tx.api_keys().list(10).await.unwrap();
    drop(tx);
    assert_eq!(keys.len(), 1);
    assert_eq!(
        (keys[0].name.as_str(), keys[0].role),
        ("ERP", portico_domain::StaffRole::Sales)
    );
    let as_owner = [
        "api-key", "create", "--tenant", "acme", "--name", "x", "--role", "owner",
    ];
    assert!(
        portico(&config, &as_owner).await.is_err(),
        "keys never act as owner"
    );
    let unknown = ["api-key", "create", "--tenant", "nadie", "--name", "x"];
    assert!(portico(&config, &unknown).await.is_err());

    let again = portico(&config, &create)
        .await
        .expect_err("a taken slug is refused");
    assert!(again.to_string().contains("already exists"), "{again}");
    let bad_slug = portico(
        &config,
        &[
            "tenant",
            "create",
            "--slug",
            "Not A Slug",
            "--name",
            "x",
            "--admin-email",
            "a@b.co",
            "--admin-name",
            "A",
        ],
    )
    .await;
    assert!(bad_slug.is_err());
    let bad_currency = portico(
        &config,
        &[
            "tenant",
            "create",
            "--slug",
            "beta",
            "--name",
            "x",
            "--currency",
            "pesos",
            "--admin-email",
            "a@b.co",
            "--admin-name",
            "A",
        ],
    )
    .await;
    assert!(
        bad_currency
            .expect_err("currency")
            .to_string()
            .contains("ISO 4217")
    );

    portico(&config, &["tenant", "list"]).await.expect("list");
    portico(&config, &["tenant", "suspend", "acme"])
        .await
        .expect("suspend");
    let mut tx = db.db.platform_tx().await.unwrap();
    let suspended = tx.find_tenant_by_slug(acme.slug()).await.unwrap().unwrap();
    drop(tx);
    assert_eq!(suspended.status(), TenantStatus::Suspended);
    portico(&config, &["tenant", "reactivate", "acme"])
        .await
        .expect("reactivate");
    let missing = portico(&config, &["tenant", "suspend", "nadie"])
        .await
        .expect_err("unknown company");
    assert!(missing.to_string().contains("no company"), "{missing}");

    let mut tx = db.db.tenant_tx(&acme).await.unwrap();
    let actions: Vec<String> = tx
        .audit()
        .list(10)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    drop(tx);
    assert_eq!(
        actions,
        [
            "tenant.reactivate",
            "tenant.suspend",
            "api_key.create",
            "staff.create",
            "tenant.create"
        ]
    );

    portico(
        &config,
        &[
            "operator",
            "create",
            "--email",
            "ops@portico.do",
            "--name",
            "Ops",
        ],
    )
    .await
    .expect("operator");
    let duplicate = portico(
        &config,
        &[
            "operator",
            "create",
            "--email",
            "OPS@portico.do",
            "--name",
            "Ops",
        ],
    )
    .await;
    assert!(
        duplicate
            .expect_err("duplicate operator")
            .to_string()
            .contains("already exists")
    );
}

async fn the_demo_command_is_idempotent(db: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let config = config_for(&db.url, &dir);
    if db.backend == portico_tests::TestBackend::Postgres {
        let refused = portico(&config, &["demo"])
            .await
            .expect_err("no demo accounts on PostgreSQL by default");
        assert!(
            refused.to_string().contains("--allow-postgres"),
            "{refused}"
        );
    }
    let demo: &[&str] = match db.backend {
        portico_tests::TestBackend::Postgres => &["demo", "--allow-postgres"],
        portico_tests::TestBackend::Sqlite => &["demo"],
    };
    portico(&config, demo).await.expect("demo");
    portico(&config, demo)
        .await
        .expect("demo again changes nothing");
    let mut tx = db.db.operator_tx().await.unwrap();
    let tenants = tx.list_tenants().await.unwrap();
    assert_eq!(tenants.len(), 1);
    assert_eq!(tenants[0].slug().as_str(), "demo");
    let operator = tx
        .find_operator_by_email(&Email::parse(portico::demo::DEMO_OPERATOR).unwrap())
        .await
        .unwrap();
    assert!(operator.is_some());
    drop(tx);
    let mut tx = db.db.tenant_tx(&tenants[0]).await.unwrap();
    assert_eq!(tx.staff().list(None, 10).await.unwrap().len(), 4);
    let contacts = tx
        .contacts()
        .list(&Default::default(), None, 100)
        .await
        .unwrap();
    assert_eq!(contacts.len(), 12, "the demo directory is seeded once");
    let portal = portico_data::ContactFilter {
        portal: Some(portico_data::PortalFilter::Active),
        ..Default::default()
    };
    let active = tx.contacts().list(&portal, None, 100).await.unwrap();
    let mut emails: Vec<&str> = active
        .iter()
        .filter_map(|c| c.fields.email.as_ref().map(|e| e.as_str()))
        .collect();
    emails.sort();
    assert_eq!(
        emails,
        [
            portico::demo::DEMO_SUPPLIER_CONTACT,
            portico::demo::DEMO_CUSTOMER_CONTACT,
            portico::demo::DEMO_BRANCH_CONTACT,
            portico::demo::DEMO_BOTH_PORTALS_CONTACT,
        ],
        "four demo contacts can sign in to a portal"
    );
}

backend_tests!(
    the_cli_manages_companies_and_operators,
    the_demo_command_is_idempotent
);

#[tokio::test]
async fn a_configured_postgres_or_redis_that_does_not_answer_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("portico.toml");
    std::fs::write(
        &path,
        "database_url = \"postgres://postgres@127.0.0.1:9/portico\"\n",
    )
    .unwrap();
    let error = portico(path.to_str().unwrap(), &["serve"])
        .await
        .expect_err("no PostgreSQL on port 9");
    assert!(format!("{error:#}").contains("database"), "{error:#}");

    let sqlite = dir.path().join("portico.db");
    std::fs::write(
        &path,
        format!(
            "database_url = \"sqlite://{}\"\nredis_url = \"redis://127.0.0.1:9\"\n",
            sqlite.display()
        ),
    )
    .unwrap();
    let error = portico(path.to_str().unwrap(), &["serve"])
        .await
        .expect_err("no Redis on port 9");
    assert!(format!("{error:#}").contains("Redis"), "{error:#}");
}
