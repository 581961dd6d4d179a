//! The portal list helper (`RecordTable::portal_page`, DESIGN.md §3) against the
//! plain `branch_id = ANY(…)` query it replaces, on one big customer.
//!
//! The data: a company `bench-listing-<N>-<B>` with one customer of B branches
//! and N records in a record table of the benchmark's own (`bench_records`,
//! shaped, indexed, granted and protected by row-level security as the record
//! tables will be), filled by one `generate_series` statement; one contact of
//! that customer sees a few of its branches. A rerun finds the company and its
//! rows and reuses them.
//!
//! What is timed, as the application role under RLS: the first page and a deep
//! page (through the keyset cursor) of what the contact sees, each by the
//! helper and by the plain query, inside an open tenant transaction (the query
//! alone); and the helper's first page as a request runs it (BEGIN with the
//! tenant setting, the query, COMMIT). Before timing, both queries' pages are
//! checked against each other and against the scope.

use std::{str::FromStr, time::Instant};

use anyhow::{Context, bail, ensure};
use chrono::NaiveDate;
use portico_authz::PortalScope;
use portico_data::{
    BranchId, Database, DateCursor, LinkId, NewStaffUser, NewTenant, RecordKey, RecordTable,
    Tenant,
    bench_seed::{SeedAccount, SeedBranch, SeedContact, SeedLink, create_seed_tenant},
};
use portico_domain::{
    AccountFields, AccountKind, BranchScope, ContactFields, Currency, Email, Locale, Permission,
    Portal, Slug, StaffRole,
};
use portico_web::policy::Policies;
use sea_query::PostgresQueryBuilder;
use sqlx::{Connection, PgConnection, postgres::PgConnectOptions};
use uuid::Uuid;

use crate::{
    generate::BENCH_PASSWORD,
    measure::{Samples, Summary},
};

/// The application's PostgreSQL role (`portico_data`'s, created by the migrations).
const APP_ROLE: &str = "portico_app";
/// The benchmark's record table.
pub const TABLE: &str = "bench_records";
/// Its date column.
const DATE: &str = "issued_on";
/// Rows per page, as the portal lists show them.
pub const PAGE: u64 = 50;
/// Days the records' dates spread over (newest first from `NEWEST`).
const DAYS: i64 = 1_095;
const NEWEST: &str = "2026-06-30";
/// Share of account-level records (no branch), in percent.
pub const ACCOUNT_LEVEL_PERCENT: i32 = 5;

/// What to build and measure.
#[derive(Debug, Clone)]
pub struct Options {
    /// Records of the customer.
    pub records: usize,
    /// Branches of the customer.
    pub branches: usize,
    /// Branches the contact sees.
    pub granted: usize,
    /// The deep page's number (1 is the first page).
    pub deep_page: usize,
    /// Timed runs per case (after as many untimed warm-up runs, up to 100).
    pub samples: usize,
}

/// What the run found and measured.
#[derive(Debug, Clone)]
pub struct ListingReport {
    pub records: usize,
    pub branches: usize,
    pub granted: usize,
    /// Records the contact sees (its branches' and the account-level ones).
    pub visible: usize,
    pub deep_page: usize,
    /// `true` when the data was written by this run.
    pub created: bool,
    /// Seconds the fill took (this run's), with the vacuum and statistics.
    pub fill_seconds: Option<f64>,
    pub table_bytes: i64,
    pub index_bytes: i64,
    pub helper_first: Summary,
    pub helper_deep: Summary,
    pub naive_first: Summary,
    pub naive_deep: Summary,
    pub helper_request: Summary,
    pub naive_request: Summary,
    /// The helper's pages without the account-level index.
    pub helper_first_branch_index_only: Summary,
    pub helper_deep_branch_index_only: Summary,
    /// The plain query's first page without it (the planner may choose
    /// another plan).
    pub naive_first_branch_index_only: Summary,
    /// `EXPLAIN (ANALYZE, BUFFERS)` of each query's first and deep page.
    pub plans: Vec<(String, String)>,
}

/// A fixed id for the `k`th thing of kind `what` of the benchmark company (so a
/// rerun knows the ids without asking): a UUIDv7 with fixed random bits.
fn fixed_id(what: u8, k: u32) -> Uuid {
    let mut bytes = [0u8; 10];
    bytes[0] = what;
    bytes[1..5].copy_from_slice(&k.to_be_bytes());
    bytes[5..].copy_from_slice(b"bench");
    uuid::Builder::from_unix_timestamp_millis(1_767_225_600_000 + u64::from(what), &bytes)
        .into_uuid()
}

const ACCOUNT: u8 = 1;
const BRANCH: u8 = 2;
const CONTACT: u8 = 3;
const LINK: u8 = 4;

/// The company's fixed ids.
struct Ids {
    account: Uuid,
    branches: Vec<Uuid>,
    /// The branches the contact sees: spread over the list.
    granted: Vec<Uuid>,
    contact: Uuid,
    link: Uuid,
}

impl Ids {
    fn new(options: &Options) -> Self {
        let branches: Vec<Uuid> = (0..options.branches as u32)
            .map(|k| fixed_id(BRANCH, k))
            .collect();
        let step = (options.branches / options.granted.max(1)).max(1);
        let granted = branches
            .iter()
            .step_by(step)
            .take(options.granted)
            .copied()
            .collect();
        Self {
            account: fixed_id(ACCOUNT, 0),
            branches,
            granted,
            contact: fixed_id(CONTACT, 0),
            link: fixed_id(LINK, 0),
        }
    }
}

/// Creates the database of `url` when it does not exist yet (connecting to the
/// server's `postgres` database as the same user).
pub async fn ensure_database(url: &str) -> anyhow::Result<()> {
    let options = PgConnectOptions::from_str(url)?;
    let name = options
        .get_database()
        .context("the database URL names no database")?
        .to_owned();
    ensure!(
        name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'),
        "database name {name:?}: letters, digits and _ only"
    );
    let mut conn = PgConnection::connect_with(&options.clone().database("postgres")).await?;
    let exists: Option<(i32,)> = sqlx::query_as("SELECT 1 FROM pg_database WHERE datname = $1")
        .bind(&name)
        .fetch_optional(&mut conn)
        .await?;
    if exists.is_none() {
        eprintln!("creating database {name}");
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut conn)
            .await?;
    }
    conn.close().await?;
    Ok(())
}

/// The company's slug for these options.
fn slug(options: &Options) -> anyhow::Result<Slug> {
    Ok(Slug::parse(&format!(
        "bench-listing-{}-{}",
        options.records, options.branches
    ))?)
}

/// Finds the company, or creates it with its customer, branches and contact.
async fn ensure_company(db: &Database, options: &Options, ids: &Ids) -> anyhow::Result<Tenant> {
    let slug = slug(options)?;
    let mut platform = db.platform_tx().await?;
    let existing = platform.find_tenant_by_slug(&slug).await?;
    platform.commit().await?;
    if let Some(tenant) = existing {
        return Ok(tenant);
    }
    eprintln!("creating company {slug}");
    let password_hash = portico_auth::hash_password(BENCH_PASSWORD).await?;
    let (tenant, mut tx) = create_seed_tenant(
        db,
        &NewTenant {
            slug: slug.clone(),
            name: format!("Benchmark listas {} registros", options.records),
            locale: Locale::Es,
            currency: Currency::parse("DOP")?,
            max_contacts: None,
        },
        &NewStaffUser {
            email: Email::parse(&format!("owner@{slug}.bench"))?,
            name: "Benchmark Owner".into(),
            role: StaffRole::Owner,
            password_hash: Some(password_hash.clone()),
            one_time_password: false,
            locale: None,
        },
    )
    .await
    .context("creating the benchmark company")?;
    let account = ids.account.into();
    tx.bench_seed()
        .accounts(&[SeedAccount {
            id: account,
            kind: AccountKind::Customer,
            fields: AccountFields {
                code: "C0000001".into(),
                name: "Farmacia Grande, SRL".into(),
                branches_enabled: true,
                ..AccountFields::default()
            },
        }])
        .await?;
    let branches: Vec<SeedBranch> = ids
        .branches
        .iter()
        .enumerate()
        .map(|(k, id)| SeedBranch {
            id: (*id).into(),
            account,
            code: format!("S{:02}", k + 1),
            name: format!("Sucursal {}", k + 1),
            city: None,
        })
        .collect();
    tx.bench_seed().branches(&branches).await?;
    tx.bench_seed()
        .contacts(
            &[SeedContact {
                id: ids.contact.into(),
                fields: ContactFields {
                    first_name: Some("Carolina".into()),
                    last_name: Some("Listas".into()),
                    email: Some(Email::parse("carolina.listas@correo.do")?),
                    ..ContactFields::default()
                },
                customer_portal: true,
                supplier_portal: false,
            }],
            Some(&password_hash),
        )
        .await?;
    tx.bench_seed()
        .links(&[SeedLink {
            id: LinkId::from(ids.link),
            contact: ids.contact.into(),
            account,
            kind: AccountKind::Customer,
            position: None,
            is_primary: true,
            all_branches: false,
            role_ids: Vec::new(),
            permissions: vec![Permission::SalesView.name().to_owned()],
            branch_ids: ids.granted.iter().map(|b| BranchId::from(*b)).collect(),
        }])
        .await?;
    tx.commit().await?;
    Ok(tenant)
}

/// The second index the helper needs: the account-level rows of an account,
/// newest first. The `(…, branch_id, date, id)` index serves the branch arms
/// in order, but not the `branch_id IS NULL` arm: PostgreSQL (15 here) does
/// not treat `IS NULL` as fixing the column for the sort order, so without
/// this partial index that arm reads every account-level row and sorts them.
const ACCOUNT_LEVEL_INDEX: &str = "CREATE INDEX bench_records_account_level ON bench_records \
     (tenant_id, account_id, issued_on DESC, id DESC) WHERE branch_id IS NULL";

/// Creates the record table when it is missing: keyed `(tenant_id, id)`, the
/// indexes the helper reads (one range per account and branch, newest first,
/// and the account-level rows newest first), read by the application's role
/// under row-level security.
async fn ensure_table(conn: &mut PgConnection) -> anyhow::Result<()> {
    let (exists,): (bool,) = sqlx::query_as("SELECT to_regclass($1) IS NOT NULL")
        .bind(TABLE)
        .fetch_one(&mut *conn)
        .await?;
    if exists {
        // A table of an earlier run may lack the account-level index.
        sqlx::raw_sql(sqlx::AssertSqlSafe(
            ACCOUNT_LEVEL_INDEX.replace("CREATE INDEX", "CREATE INDEX IF NOT EXISTS"),
        ))
        .execute(&mut *conn)
        .await?;
        return Ok(());
    }
    let ddl = format!(
        "CREATE TABLE {TABLE} (tenant_id UUID NOT NULL, id UUID NOT NULL, \
           account_id UUID NOT NULL, branch_id UUID, {DATE} DATE NOT NULL, \
           number TEXT NOT NULL, total NUMERIC(14, 2) NOT NULL, \
           PRIMARY KEY (tenant_id, id));
         CREATE INDEX {TABLE}_page ON {TABLE} \
           (tenant_id, account_id, branch_id, {DATE} DESC, id DESC);
         {ACCOUNT_LEVEL_INDEX};
         GRANT SELECT ON {TABLE} TO portico_app;
         ALTER TABLE {TABLE} ENABLE ROW LEVEL SECURITY;
         ALTER TABLE {TABLE} FORCE ROW LEVEL SECURITY;
         CREATE POLICY tenant_isolation ON {TABLE} USING \
           (tenant_id = NULLIF(current_setting('portico.tenant_id', true), '')::uuid);"
    );
    let mut tx = conn.begin().await?;
    sqlx::raw_sql(sqlx::AssertSqlSafe(ddl))
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Fills the customer with `records` records in one statement, when it does
/// not hold exactly that many; returns the seconds it took (with the vacuum).
async fn ensure_records(
    conn: &mut PgConnection,
    tenant: &Tenant,
    options: &Options,
    ids: &Ids,
) -> anyhow::Result<Option<f64>> {
    let tenant_id = tenant.id().as_uuid();
    let mut tx = conn.begin().await?;
    // As the owner, yet under the table's forced RLS when not a superuser.
    sqlx::query("SELECT set_config('portico.tenant_id', $1, true)")
        .bind(tenant_id.hyphenated().to_string())
        .execute(&mut *tx)
        .await?;
    let (count,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT count(*) FROM {TABLE} WHERE tenant_id = $1 AND account_id = $2"
    )))
    .bind(tenant_id)
    .bind(ids.account)
    .fetch_one(&mut *tx)
    .await?;
    if count == options.records as i64 {
        tx.commit().await?;
        return Ok(None);
    }
    eprintln!(
        "writing {} records over {} branches",
        options.records, options.branches
    );
    let started = Instant::now();
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DELETE FROM {TABLE} WHERE tenant_id = $1"
    )))
    .bind(tenant_id)
    .execute(&mut *tx)
    .await?;
    // h: a fixed pseudo-random number per record; it picks account-level or a
    // branch (evenly), and the amount. Dates fall evenly over DAYS days, so
    // many records share a date (ties broken by id).
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO {TABLE} (tenant_id, id, account_id, branch_id, {DATE}, number, total)
         SELECT $1, md5($1::text || '/' || g)::uuid, $2,
                CASE WHEN h % 100 < $4 THEN NULL
                     ELSE ($3::uuid[])[1 + (h / 100) % cardinality($3::uuid[])] END,
                DATE '{NEWEST}' - (g::bigint * {DAYS} / $5)::int,
                'FAC-' || lpad(g::text, 7, '0'),
                (h % 10000000) / 100.0
         FROM (SELECT g, hashint4(g)::bigint & 2147483647 AS h
               FROM generate_series(1, $5) AS g) AS s"
    )))
    .bind(tenant_id)
    .bind(ids.account)
    .bind(&ids.branches)
    .bind(ACCOUNT_LEVEL_PERCENT)
    .bind(options.records as i32)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("VACUUM (ANALYZE) {TABLE}")))
        .execute(&mut *conn)
        .await?;
    Ok(Some(started.elapsed().as_secs_f64()))
}

/// The plain query the helper replaces: every visible row of the account,
/// sorted, cut at a page.
fn naive_sql(after: bool) -> String {
    format!(
        "SELECT id, {DATE} AS date, branch_id FROM {TABLE} \
         WHERE tenant_id = $1 AND account_id = $2 \
           AND (branch_id = ANY($3) OR branch_id IS NULL){} \
         ORDER BY {DATE} DESC, id DESC LIMIT {PAGE}",
        if after {
            format!(" AND ({DATE}, id) < ($4, $5)")
        } else {
            String::new()
        }
    )
}

/// A connection as the application role (no transaction open).
pub(crate) async fn app_connection(owner_url: &str) -> anyhow::Result<PgConnection> {
    let options = PgConnectOptions::from_str(owner_url)?.username(APP_ROLE);
    Ok(PgConnection::connect_with(&options).await?)
}

/// An application-role connection with a tenant transaction open.
struct AppConn {
    conn: PgConnection,
}

impl AppConn {
    async fn open(owner_url: &str, tenant: &Tenant) -> anyhow::Result<Self> {
        let options = PgConnectOptions::from_str(owner_url)?.username(APP_ROLE);
        let mut conn = PgConnection::connect_with(&options).await?;
        begin(&mut conn, tenant).await?;
        Ok(Self { conn })
    }

    async fn naive(
        &mut self,
        tenant: &Tenant,
        scope: &PortalScope,
        after: Option<&DateCursor>,
    ) -> anyhow::Result<Vec<RecordKey>> {
        let branches = granted(scope)?;
        let sql = naive_sql(after.is_some());
        let mut query = sqlx::query_as::<_, RecordKey>(sqlx::AssertSqlSafe(sql))
            .bind(tenant.id().as_uuid())
            .bind(scope.account().as_uuid())
            .bind(branches);
        if let Some(cursor) = after {
            query = query.bind(cursor.date).bind(cursor.id);
        }
        Ok(query.fetch_all(&mut self.conn).await?)
    }
}

async fn begin(conn: &mut PgConnection, tenant: &Tenant) -> anyhow::Result<()> {
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "BEGIN; SELECT set_config('portico.tenant_id', '{}', true)",
        tenant.id().as_uuid().hyphenated()
    )))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The branch ids a scope restricts to (the benchmark's contact has a list).
fn granted(scope: &PortalScope) -> anyhow::Result<Vec<Uuid>> {
    match scope.branches() {
        BranchScope::Only(ids) => Ok(ids.iter().map(BranchId::as_uuid).collect()),
        BranchScope::All => bail!("the benchmark contact sees every branch"),
    }
}

/// One helper page in an open tenant transaction (`limit` = a page and one).
async fn helper(
    tx: &mut portico_data::TenantTx,
    table: &RecordTable,
    scope: &PortalScope,
    after: Option<&DateCursor>,
) -> anyhow::Result<Vec<RecordKey>> {
    Ok(tx
        .portal_scope()
        .portal_page_keys(table, scope, after, PAGE + 1)
        .await?)
}

/// Times `samples` runs of `run` after `min(samples, 100)` untimed ones.
macro_rules! timed {
    ($samples:expr, $run:expr) => {{
        for _ in 0..$samples.min(100) {
            $run;
        }
        let mut samples = Samples::with_capacity($samples);
        for _ in 0..$samples {
            let start = Instant::now();
            let rows = $run;
            samples.push(start.elapsed());
            std::hint::black_box(rows);
        }
        samples.summary()
    }};
}

/// Builds (or finds) the data, checks both queries, and times them.
pub async fn measure(
    db: &Database,
    owner_url: &str,
    options: &Options,
) -> anyhow::Result<ListingReport> {
    ensure!(
        options.granted >= 1 && options.granted <= options.branches,
        "the contact sees between 1 and {} branches",
        options.branches
    );
    ensure!(options.deep_page >= 2, "the deep page is page 2 or later");
    let ids = Ids::new(options);
    let tenant = ensure_company(db, options, &ids).await?;
    let mut owner = PgConnection::connect(owner_url).await?;
    ensure_table(&mut owner).await?;
    let fill_seconds = ensure_records(&mut owner, &tenant, options, &ids).await?;

    // The contact's scope, from its policy (the rows written above).
    let policies = Policies::new(db.clone(), None, 16);
    let policy = policies
        .policy(&tenant, ids.contact.into())
        .await?
        .context("the benchmark contact has no policy")?;
    let scope = policy
        .scope(Portal::Customer, ids.account)
        .context("the contact has no scope on its customer")?;
    let mut seen = granted(&scope)?;
    seen.sort();
    let mut want = ids.granted.clone();
    want.sort();
    ensure!(seen == want, "the scope's branches are not the link's");

    // What the contact sees, and the cursor that opens the deep page.
    let tenant_id = tenant.id().as_uuid();
    let mut tx = owner.begin().await?;
    sqlx::query("SELECT set_config('portico.tenant_id', $1, true)")
        .bind(tenant_id.hyphenated().to_string())
        .execute(&mut *tx)
        .await?;
    let visible_where = format!(
        "FROM {TABLE} WHERE tenant_id = $1 AND account_id = $2 \
         AND (branch_id = ANY($3) OR branch_id IS NULL)"
    );
    let (visible,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT count(*) {visible_where}"
    )))
    .bind(tenant_id)
    .bind(ids.account)
    .bind(&ids.granted)
    .fetch_one(&mut *tx)
    .await?;
    let pages = (visible as u64).div_ceil(PAGE) as usize;
    ensure!(
        pages >= 2,
        "only {visible} visible records: not enough for a deep page"
    );
    let deep_page = options.deep_page.min(pages);
    let offset = (deep_page as i64 - 1) * PAGE as i64 - 1;
    let page_sql = |offset: i64, limit: u64| {
        format!(
            "SELECT id, {DATE} AS date, branch_id {visible_where} \
             ORDER BY {DATE} DESC, id DESC OFFSET {offset} LIMIT {limit}"
        )
    };
    let before_deep: RecordKey = sqlx::query_as(sqlx::AssertSqlSafe(page_sql(offset, 1)))
        .bind(tenant_id)
        .bind(ids.account)
        .bind(&ids.granted)
        .fetch_one(&mut *tx)
        .await?;
    let expected_first: Vec<RecordKey> = sqlx::query_as(sqlx::AssertSqlSafe(page_sql(0, PAGE)))
        .bind(tenant_id)
        .bind(ids.account)
        .bind(&ids.granted)
        .fetch_all(&mut *tx)
        .await?;
    let expected_deep: Vec<RecordKey> =
        sqlx::query_as(sqlx::AssertSqlSafe(page_sql(offset + 1, PAGE)))
            .bind(tenant_id)
            .bind(ids.account)
            .bind(&ids.granted)
            .fetch_all(&mut *tx)
            .await?;
    let sizes = sqlx::query_as::<_, (i64, i64)>(
        "SELECT pg_table_size($1::regclass), pg_indexes_size($1::regclass)",
    )
    .bind(TABLE)
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    let deep = before_deep.cursor();

    // Both queries, as the application role, answer the same pages.
    let table = RecordTable::new(TABLE, DATE);
    let mut app = AppConn::open(owner_url, &tenant).await?;
    let mut tx = db.tenant_tx(&tenant).await?;
    for (after, expected) in [(None, &expected_first), (Some(&deep), &expected_deep)] {
        let mut page = helper(&mut tx, &table, &scope, after).await?;
        ensure!(
            page.len() as u64 <= PAGE + 1,
            "the helper's page is too long"
        );
        page.truncate(PAGE as usize);
        ensure!(
            &page == expected,
            "the helper's page is not the expected one"
        );
        let naive = app.naive(&tenant, &scope, after).await?;
        ensure!(&naive == expected, "the plain query's page differs");
    }

    eprintln!("timing {} runs per case", options.samples);
    let n = options.samples;
    let helper_first = timed!(n, helper(&mut tx, &table, &scope, None).await?);
    let helper_deep = timed!(n, helper(&mut tx, &table, &scope, Some(&deep)).await?);
    let naive_first = timed!(n, app.naive(&tenant, &scope, None).await?);
    let naive_deep = timed!(n, app.naive(&tenant, &scope, Some(&deep)).await?);
    tx.commit().await?;

    // As a request runs it: a transaction of its own.
    let helper_request = timed!(n, {
        let mut tx = db.tenant_tx(&tenant).await?;
        let rows = helper(&mut tx, &table, &scope, None).await?;
        tx.commit().await?;
        rows
    });
    sqlx::raw_sql("COMMIT").execute(&mut app.conn).await?;
    let naive_request = timed!(n, {
        begin(&mut app.conn, &tenant).await?;
        let rows = app.naive(&tenant, &scope, None).await?;
        sqlx::raw_sql("COMMIT").execute(&mut app.conn).await?;
        rows
    });

    // The plans, as the application role sees them.
    begin(&mut app.conn, &tenant).await?;
    let mut plans = Vec::new();
    for (name, after) in [("first page", None), ("deep page", Some(&deep))] {
        let helper_sql = table
            .portal_page(&scope, after, PAGE + 1)
            .to_string(PostgresQueryBuilder);
        plans.push((
            format!("helper, {name}"),
            explain(&mut app.conn, &helper_sql).await?,
        ));
        let naive = inline_naive(&tenant, &scope, after)?;
        plans.push((
            format!("plain query, {name}"),
            explain(&mut app.conn, &naive).await?,
        ));
    }
    sqlx::raw_sql("COMMIT").execute(&mut app.conn).await?;

    // The helper again without the account-level index (then put back): what
    // a record table with only the branch index costs.
    sqlx::raw_sql("DROP INDEX bench_records_account_level")
        .execute(&mut owner)
        .await?;
    let mut tx = db.tenant_tx(&tenant).await?;
    let helper_first_branch_index_only = timed!(n, helper(&mut tx, &table, &scope, None).await?);
    let helper_deep_branch_index_only =
        timed!(n, helper(&mut tx, &table, &scope, Some(&deep)).await?);
    tx.commit().await?;
    begin(&mut app.conn, &tenant).await?;
    let naive_first_branch_index_only = timed!(n, app.naive(&tenant, &scope, None).await?);
    let helper_sql = table
        .portal_page(&scope, None, PAGE + 1)
        .to_string(PostgresQueryBuilder);
    plans.push((
        "helper, first page, without the account-level index".into(),
        explain(&mut app.conn, &helper_sql).await?,
    ));
    plans.push((
        "plain query, first page, without the account-level index".into(),
        explain(&mut app.conn, &inline_naive(&tenant, &scope, None)?).await?,
    ));
    sqlx::raw_sql("COMMIT").execute(&mut app.conn).await?;
    sqlx::raw_sql(ACCOUNT_LEVEL_INDEX)
        .execute(&mut owner)
        .await?;
    app.conn.close().await?;
    owner.close().await?;

    Ok(ListingReport {
        records: options.records,
        branches: options.branches,
        granted: options.granted,
        visible: visible as usize,
        deep_page,
        created: fill_seconds.is_some(),
        fill_seconds,
        table_bytes: sizes.0,
        index_bytes: sizes.1,
        helper_first,
        helper_deep,
        naive_first,
        naive_deep,
        helper_request,
        naive_request,
        helper_first_branch_index_only,
        helper_deep_branch_index_only,
        naive_first_branch_index_only,
        plans,
    })
}

/// The plain query with its values written in (ids and dates we generated).
fn inline_naive(
    tenant: &Tenant,
    scope: &PortalScope,
    after: Option<&DateCursor>,
) -> anyhow::Result<String> {
    let branches = granted(scope)?
        .iter()
        .map(|b| format!("'{b}'"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut sql = naive_sql(after.is_some())
        .replace("$1", &format!("'{}'", tenant.id().as_uuid()))
        .replace("$2", &format!("'{}'", scope.account().as_uuid()))
        .replace("$3", &format!("ARRAY[{branches}]::uuid[]"));
    if let Some(cursor) = after {
        sql = sql
            .replace("$4", &format!("DATE '{}'", cursor.date))
            .replace("$5", &format!("'{}'::uuid", cursor.id));
    }
    Ok(sql)
}

/// `EXPLAIN (ANALYZE, BUFFERS)` of a statement, run twice (the second, warm).
pub(crate) async fn explain(conn: &mut PgConnection, sql: &str) -> anyhow::Result<String> {
    let statement = format!("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) {sql}");
    let mut lines = Vec::new();
    for _ in 0..2 {
        lines = sqlx::query_as::<_, (String,)>(sqlx::AssertSqlSafe(statement.clone()))
            .fetch_all(&mut *conn)
            .await?;
    }
    Ok(lines
        .into_iter()
        .map(|(l,)| l)
        .collect::<Vec<_>>()
        .join("\n"))
}

/// The date the newest records carry (for the report).
pub fn newest() -> NaiveDate {
    NaiveDate::parse_from_str(NEWEST, "%Y-%m-%d").unwrap_or_default()
}

/// Days the records' dates spread over (for the report).
pub fn days() -> i64 {
    DAYS
}
