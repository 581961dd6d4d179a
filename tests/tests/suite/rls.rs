//! PostgreSQL row-level security, tested with raw SQL as the application role: a
//! transaction bound to tenant A cannot read or write tenant B's rows even
//! without the repositories' own tenant filter. On both backends, every table
//! read from the catalogue carries `tenant_id` unless it is a named platform table.

use portico_domain::{AccountKind, LinkFields};
use portico_tests::builders::Company;
use portico_tests::{TestApp, TestBackend, TestDb, backend_tests};
use sqlx::{Connection, PgConnection, Row, SqliteConnection};

/// The tables that belong to the platform, not to a company: the only ones
/// without `tenant_id`.
const PLATFORM_TABLES: &[&str] = &["tenants", "platform_operators", "_sqlx_migrations"];

backend_tests!(every_table_but_the_platform_tables_has_a_tenant_id);

async fn every_table_but_the_platform_tables_has_a_tenant_id(db: TestDb) {
    let (tables, with_tenant_id) = match db.backend {
        TestBackend::Postgres => {
            let mut conn = PgConnection::connect(&db.url).await.unwrap();
            let tables: Vec<String> = sqlx::query_scalar(
                "SELECT table_name::text FROM information_schema.tables \
                 WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
            )
            .fetch_all(&mut conn)
            .await
            .unwrap();
            let with: Vec<String> = sqlx::query_scalar(
                "SELECT table_name::text FROM information_schema.columns \
                 WHERE table_schema = 'public' AND column_name = 'tenant_id'",
            )
            .fetch_all(&mut conn)
            .await
            .unwrap();
            (tables, with)
        }
        TestBackend::Sqlite => {
            let mut conn = SqliteConnection::connect(&db.url).await.unwrap();
            let tables: Vec<String> = sqlx::query_scalar(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
            )
            .fetch_all(&mut conn)
            .await
            .unwrap();
            let with: Vec<String> = sqlx::query_scalar(
                "SELECT m.name FROM sqlite_master m, pragma_table_info(m.name) c \
                 WHERE m.type = 'table' AND c.name = 'tenant_id'",
            )
            .fetch_all(&mut conn)
            .await
            .unwrap();
            (tables, with)
        }
    };
    assert!(
        tables.len() > 10,
        "the catalogue lists the tables: {tables:?}"
    );
    let without: Vec<&String> = tables
        .iter()
        .filter(|t| !with_tenant_id.contains(t) && !PLATFORM_TABLES.contains(&t.as_str()))
        .collect();
    assert!(
        without.is_empty(),
        "tables without tenant_id (add it, or name them in PLATFORM_TABLES): {without:?}"
    );
    for platform in PLATFORM_TABLES.iter().filter(|t| **t != "_sqlx_migrations") {
        assert!(tables.iter().any(|t| t == platform), "{platform} exists");
    }
}

async fn app_connection(db: &TestDb) -> PgConnection {
    role_connection(db, "portico_app").await
}

async fn role_connection(db: &TestDb, role: &str) -> PgConnection {
    let mut url = url::Url::parse(&db.url).unwrap();
    url.set_username(role).unwrap();
    url.set_password(None).unwrap();
    PgConnection::connect(url.as_str())
        .await
        .unwrap_or_else(|e| panic!("connect as {role}: {e}"))
}

async fn begin_as(conn: &mut PgConnection, tenant: uuid::Uuid) {
    sqlx::query("BEGIN").execute(&mut *conn).await.unwrap();
    sqlx::query("SELECT set_config('portico.tenant_id', $1, true)")
        .bind(tenant.to_string())
        .execute(&mut *conn)
        .await
        .unwrap();
}

#[tokio::test]
async fn row_level_security_hides_and_protects_other_tenants_rows_from_raw_sql() {
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    let app = TestApp::new(db).await;
    let a = app.company("alfa").await.id().as_uuid();
    let b = app.company("beta").await.id().as_uuid();
    let mut conn = app_connection(&app.db).await;

    begin_as(&mut conn, a).await;
    let emails: Vec<String> = sqlx::query_scalar("SELECT email FROM staff_users")
        .fetch_all(&mut conn)
        .await
        .unwrap();
    assert_eq!(emails, ["owner@alfa.test"]);
    let b_rows: i64 = sqlx::query_scalar("SELECT count(*) FROM staff_users WHERE tenant_id = $1")
        .bind(b)
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(b_rows, 0);
    let b_events: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_events WHERE tenant_id = $1")
            .bind(b)
            .fetch_one(&mut conn)
            .await
            .unwrap();
    assert_eq!(b_events, 0);
    for table in [
        "accounts",
        "contacts",
        "contact_links",
        "contact_titles",
        "branches",
    ] {
        let rows: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT count(*) FROM {table} WHERE tenant_id = $1"
        )))
        .bind(b)
        .fetch_one(&mut conn)
        .await
        .unwrap();
        assert_eq!(rows, 0, "{table}: no rows of beta");
    }
    let own_titles: i64 = sqlx::query_scalar("SELECT count(*) FROM contact_titles")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(own_titles, 7, "alfa sees its own seeded titles only");
    let updated = sqlx::query("UPDATE staff_users SET name = 'pwned' WHERE tenant_id = $1")
        .bind(b)
        .execute(&mut conn)
        .await
        .unwrap();
    assert_eq!(updated.rows_affected(), 0);
    let insert_into_b = sqlx::query(
        "INSERT INTO staff_users (tenant_id, id, email, name, role, status, created_at, updated_at) \
         VALUES ($1, gen_random_uuid(), 'intruso@x.do', 'Intruso', 'owner', 'active', now(), now())",
    )
    .bind(b)
    .execute(&mut conn)
    .await;
    let error = insert_into_b.expect_err("inserting into another tenant must fail");
    assert!(error.to_string().contains("row-level security"), "{error}");
    sqlx::query("ROLLBACK").execute(&mut conn).await.unwrap();

    // The audit log is append-only for the application.
    begin_as(&mut conn, a).await;
    let delete = sqlx::query("DELETE FROM audit_events")
        .execute(&mut conn)
        .await;
    assert!(
        delete
            .expect_err("delete must be refused")
            .to_string()
            .contains("permission denied")
    );
    sqlx::query("ROLLBACK").execute(&mut conn).await.unwrap();

    // Without a tenant setting nothing is visible; the setting does not outlive its transaction.
    begin_as(&mut conn, a).await;
    sqlx::query("COMMIT").execute(&mut conn).await.unwrap();
    let visible: i64 = sqlx::query_scalar("SELECT count(*) FROM staff_users")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(visible, 0);
}

/// The owner functions that search across row-level security (migrations
/// 0009–0012) answer only the transaction's company, and nothing without one.
#[tokio::test]
async fn the_search_functions_answer_only_the_transactions_company() {
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    let app = TestApp::new(db).await;
    let mut ids = Vec::new();
    for slug in ["alfa", "beta"] {
        let company = Company::new(&app, slug).await;
        let contact = company
            .contact("Ana", "Gemela", &format!("ana@{slug}.test"))
            .await;
        let account = company
            .account(AccountKind::Customer, "C-1", "Farmacia Gemela")
            .await;
        company
            .link_with(contact, account, &LinkFields::default())
            .await;
        ids.push((
            company.tenant.id().as_uuid(),
            contact.as_uuid(),
            account.as_uuid(),
        ));
    }
    let mut conn = app_connection(&app.db).await;
    for (tenant, contact, account) in &ids {
        begin_as(&mut conn, *tenant).await;
        for function in [
            "portico_contact_matches('%gemela%', 10)",
            "portico_linked_contact_matches('%farmacia gemela%', 10)",
        ] {
            let found: Vec<uuid::Uuid> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                "SELECT DISTINCT m FROM {function} AS m"
            )))
            .fetch_all(&mut conn)
            .await
            .unwrap();
            assert_eq!(found, [*contact], "{function}");
        }
        let accounts: Vec<uuid::Uuid> = sqlx::query_scalar(
            "SELECT m FROM portico_account_matches('customer', '%gemela%', 10) AS m",
        )
        .fetch_all(&mut conn)
        .await
        .unwrap();
        assert_eq!(accounts, [*account]);
        sqlx::query("ROLLBACK").execute(&mut conn).await.unwrap();
    }
    let none: Vec<uuid::Uuid> =
        sqlx::query_scalar("SELECT m FROM portico_linked_contact_matches('%gemela%', 10) AS m")
            .fetch_all(&mut conn)
            .await
            .unwrap();
    assert!(none.is_empty(), "no company, no answer");
}

/// The application's role reads the registry but cannot see operators, create
/// companies, or change another company's row or its status; operator work has
/// its own role that can.
#[tokio::test]
async fn only_the_operators_role_reaches_operators_and_writes_the_registry() {
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    let app = TestApp::new(db).await;
    app.operator().await;
    let a = app.company("alfa").await.id().as_uuid();
    let b = app.company("beta").await.id().as_uuid();
    let mut conn = app_connection(&app.db).await;
    let refused = |result: Result<sqlx::postgres::PgQueryResult, sqlx::Error>, what: &str| {
        let error = result.expect_err(what).to_string();
        assert!(error.contains("permission denied"), "{what}: {error}");
    };

    begin_as(&mut conn, a).await;
    let hashes = sqlx::query("SELECT password_hash FROM platform_operators")
        .execute(&mut conn)
        .await;
    refused(hashes, "reading operators' password hashes");
    sqlx::query("ROLLBACK").execute(&mut conn).await.unwrap();
    begin_as(&mut conn, a).await;
    let slugs: Vec<String> = sqlx::query_scalar("SELECT slug FROM tenants ORDER BY slug")
        .fetch_all(&mut conn)
        .await
        .unwrap();
    assert_eq!(slugs, ["alfa", "beta"], "the registry is readable");
    let own = sqlx::query("UPDATE tenants SET policy_version = policy_version + 1 WHERE id = $1")
        .bind(a)
        .execute(&mut conn)
        .await
        .unwrap();
    assert_eq!(own.rows_affected(), 1, "a company changes its own settings");
    let other = sqlx::query("UPDATE tenants SET contact_required = 'none' WHERE id = $1")
        .bind(b)
        .execute(&mut conn)
        .await
        .unwrap();
    assert_eq!(
        other.rows_affected(),
        0,
        "another company's row is out of reach"
    );
    let status = sqlx::query("UPDATE tenants SET status = 'suspended' WHERE id = $1")
        .bind(a)
        .execute(&mut conn)
        .await;
    refused(status, "changing its own status");
    sqlx::query("ROLLBACK").execute(&mut conn).await.unwrap();
    let create = sqlx::query(
        "INSERT INTO tenants (id, slug, name, locale, currency, status, created_at, updated_at) \
         VALUES (gen_random_uuid(), 'intrusa', 'Intrusa', 'es', 'DOP', 'active', now(), now())",
    )
    .execute(&mut conn)
    .await;
    refused(create, "creating a company");

    let mut operator = role_connection(&app.db, "portico_operator").await;
    let emails: Vec<String> = sqlx::query_scalar("SELECT email FROM platform_operators")
        .fetch_all(&mut operator)
        .await
        .unwrap();
    assert_eq!(emails, ["ops@portico.test"]);
    let suspended = sqlx::query("UPDATE tenants SET status = 'suspended' WHERE id = $1")
        .bind(b)
        .execute(&mut operator)
        .await
        .unwrap();
    assert_eq!(suspended.rows_affected(), 1, "operators change any company");

    // Start-up refuses an application role that can read the operators.
    let mut owner = PgConnection::connect(&app.db.url).await.unwrap();
    sqlx::query("GRANT SELECT ON platform_operators TO portico_app")
        .execute(&mut owner)
        .await
        .unwrap();
    let refusal = app
        .db
        .db
        .check_roles()
        .await
        .expect_err("refused")
        .to_string();
    sqlx::query("REVOKE SELECT ON platform_operators FROM portico_app")
        .execute(&mut owner)
        .await
        .unwrap();
    assert!(refusal.contains("can read platform_operators"), "{refusal}");
    app.db
        .db
        .check_roles()
        .await
        .expect("the migrated roles pass");
}

#[tokio::test]
async fn the_application_role_owns_nothing_and_every_tenant_table_forces_rls() {
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    let mut conn = PgConnection::connect(&db.url).await.unwrap();
    let rows = sqlx::query(
        "SELECT c.relname::text AS name, c.relrowsecurity, c.relforcerowsecurity, pg_get_userbyid(c.relowner)::text AS owner \
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname <> '_sqlx_migrations'",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    let has_tenant_id: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'tenant_id'",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    assert!(!has_tenant_id.is_empty());
    for row in rows {
        let name: String = row.get("name");
        let owner: String = row.get("owner");
        assert_ne!(
            owner, "portico_app",
            "{name} must not be owned by the application role"
        );
        if has_tenant_id.contains(&name) {
            assert!(
                row.get::<bool, _>("relrowsecurity"),
                "{name} has RLS enabled"
            );
            assert!(
                row.get::<bool, _>("relforcerowsecurity"),
                "{name} forces RLS"
            );
        }
    }
}

/// Start-up refuses an application role that row-level security would not
/// hold: a superuser, a role with BYPASSRLS, or one that owns a table.
#[tokio::test]
async fn the_app_refuses_a_database_role_that_rls_would_not_hold() {
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    // The migrated application role is fine.
    db.db
        .check_roles()
        .await
        .expect("portico_app and portico_operator own nothing");

    let mut owner = PgConnection::connect(&db.url).await.unwrap();
    let suffix = uuid::Uuid::now_v7().simple().to_string();
    let attach = |role: String| {
        let owner_url = db.url.clone();
        async move {
            let mut url = url::Url::parse(&owner_url).unwrap();
            url.set_username(&role).unwrap();
            url.set_password(None).unwrap();
            let mut options = portico_data::DatabaseOptions::new(owner_url);
            options.app_url = Some(url.to_string());
            portico_data::Database::connect(&options).await.unwrap()
        }
    };
    for (kind, grant) in [
        ("superuser", "SUPERUSER"),
        ("bypass", "BYPASSRLS"),
        ("owner", ""),
    ] {
        let role = format!("portico_t_{kind}_{suffix}");
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "CREATE ROLE {role} LOGIN {grant}"
        )))
        .execute(&mut owner)
        .await
        .unwrap();
        if kind == "owner" {
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                "CREATE TABLE t_{suffix} (id int); ALTER TABLE t_{suffix} OWNER TO {role}"
            )))
            .execute(&mut owner)
            .await
            .unwrap();
        }
        let refused = attach(role.clone())
            .await
            .check_roles()
            .await
            .expect_err(kind)
            .to_string();
        assert!(refused.contains(&role), "{refused}");
        let why = match kind {
            "superuser" => "superuser",
            "bypass" => "BYPASSRLS",
            _ => "owns 1 tables",
        };
        assert!(refused.contains(why), "{refused}");
    }
    // The roles are cluster-wide: they go with the test.
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "DROP TABLE t_{suffix}; DROP ROLE portico_t_superuser_{suffix}; \
         DROP ROLE portico_t_bypass_{suffix}; DROP ROLE portico_t_owner_{suffix}"
    )))
    .execute(&mut owner)
    .await
    .unwrap();
}
