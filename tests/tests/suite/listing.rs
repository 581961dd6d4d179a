//! The portal list helper on both backends, over a record table of the test's
//! own (no record table exists yet): a scope sees its tenant's rows of its
//! account, of its branches and account-level ones, never a hidden branch's or
//! another tenant's, and pages walk the whole set newest first, ties on date
//! broken by id, with no duplicate and no gap.

use chrono::NaiveDate;
use portico_authz::{
    PortalScope,
    portal::{ContactPolicy, LinkGrant, PolicyInput},
};
use portico_data::{DateCursor, RecordKey, RecordTable, Tenant};
use portico_domain::{BranchScope, Permission, Portal};
use portico_tests::{TestApp, TestBackend, TestDb, backend_tests};
use sqlx::{Connection, PgConnection, SqliteConnection};
use uuid::Uuid;

backend_tests!(
    a_portal_page_shows_the_scope_and_nothing_else,
    pages_walk_the_whole_set_in_order
);

const TABLE: &str = "probe_records";

/// One row of the probe table.
#[derive(Debug, Clone, Copy)]
struct Probe {
    tenant: Uuid,
    account: Uuid,
    branch: Option<Uuid>,
    date: NaiveDate,
    id: Uuid,
}

/// Creates the probe table, shaped like the future record tables, and fills it.
async fn create(db: &TestDb, rows: &[Probe]) {
    let (uuid, date, values) = match db.backend {
        TestBackend::Postgres => ("UUID", "DATE", "$1, $2, $3, $4, $5"),
        TestBackend::Sqlite => ("BLOB", "TEXT", "?, ?, ?, ?, ?"),
    };
    let mut ddl = vec![
        format!(
            "CREATE TABLE {TABLE} (tenant_id {uuid} NOT NULL, id {uuid} NOT NULL, \
             account_id {uuid} NOT NULL, branch_id {uuid}, issued_on {date} NOT NULL, \
             title TEXT NOT NULL, PRIMARY KEY (tenant_id, id))"
        ),
        format!(
            "CREATE INDEX probe_records_page ON {TABLE} \
             (tenant_id, account_id, branch_id, issued_on DESC, id DESC)"
        ),
    ];
    if db.backend == TestBackend::Postgres {
        // As the record tables will be: read by the application's role, under
        // row-level security.
        ddl.extend([
            format!("GRANT SELECT ON {TABLE} TO portico_app"),
            format!("ALTER TABLE {TABLE} ENABLE ROW LEVEL SECURITY"),
            format!("ALTER TABLE {TABLE} FORCE ROW LEVEL SECURITY"),
            format!(
                "CREATE POLICY tenant_isolation ON {TABLE} USING \
                 (tenant_id = NULLIF(current_setting('portico.tenant_id', true), '')::uuid)"
            ),
        ]);
    }
    let insert = format!(
        "INSERT INTO {TABLE} (tenant_id, id, account_id, branch_id, issued_on, title) \
         VALUES ({values}, 'probe')"
    );
    macro_rules! run {
        ($conn:expr) => {{
            let mut conn = $conn;
            for statement in &ddl {
                sqlx::query(sqlx::AssertSqlSafe(statement.clone()))
                    .execute(&mut conn)
                    .await
                    .expect("create the probe table");
            }
            for row in rows {
                sqlx::query(sqlx::AssertSqlSafe(insert.clone()))
                    .bind(row.tenant)
                    .bind(row.id)
                    .bind(row.account)
                    .bind(row.branch)
                    .bind(row.date)
                    .execute(&mut conn)
                    .await
                    .expect("insert a probe row");
            }
            conn.close().await.expect("close");
        }};
    }
    match db.backend {
        TestBackend::Postgres => run!(PgConnection::connect(&db.url).await.expect("connect")),
        TestBackend::Sqlite => run!(SqliteConnection::connect(&db.url).await.expect("connect")),
    }
}

/// A scope for `account` in `tenant`, as the portal policy grants it.
async fn scope(tenant: Uuid, account: Uuid, branches: BranchScope) -> PortalScope {
    let policy = ContactPolicy::build(PolicyInput {
        tenant,
        contact: Uuid::now_v7(),
        session_epoch: 0,
        customer_portal: true,
        supplier_portal: false,
        links: vec![LinkGrant {
            account,
            portal: Portal::Customer,
            account_name: "Farmacia Carol".into(),
            roles: vec![],
            permissions: vec![Permission::SalesView],
            branches,
        }],
    })
    .await
    .expect("policy");
    policy.scope(Portal::Customer, account).expect("a scope")
}

/// The rows a scope should see, newest first, ties by id.
fn expected(rows: &[Probe], scope: &PortalScope) -> Vec<Uuid> {
    let mut seen: Vec<&Probe> = rows
        .iter()
        .filter(|r| {
            r.tenant == scope.tenant().as_uuid()
                && r.account == scope.account().as_uuid()
                && match (scope.branches(), r.branch) {
                    (BranchScope::All, _) | (_, None) => true,
                    (BranchScope::Only(ids), Some(b)) => ids.iter().any(|i| i.as_uuid() == b),
                }
        })
        .collect();
    seen.sort_by_key(|r| std::cmp::Reverse((r.date, r.id)));
    seen.into_iter().map(|r| r.id).collect()
}

/// Every page of what `scope` sees, `page` rows at a time, each cursor passed
/// through its text as a client would.
async fn walk(db: &TestDb, tenant: &Tenant, scope: &PortalScope, page: u64) -> Vec<RecordKey> {
    let table = RecordTable::new(TABLE, "issued_on");
    let mut all = Vec::new();
    let mut after: Option<DateCursor> = None;
    loop {
        let mut tx = db.db.tenant_tx(tenant).await.expect("tx");
        let mut rows = tx
            .portal_scope()
            .portal_page_keys(&table, scope, after.as_ref(), page + 1)
            .await
            .expect("a page");
        tx.commit().await.expect("commit");
        let more = rows.len() as u64 > page;
        rows.truncate(page as usize);
        all.extend(rows.iter().copied());
        match rows.last() {
            Some(last) if more => {
                after = Some(DateCursor::decode(&last.cursor().encode()).expect("cursor"));
            }
            _ => return all,
        }
    }
}

fn ids(keys: &[RecordKey]) -> Vec<Uuid> {
    keys.iter().map(|k| k.id).collect()
}

/// Tenant A's customer with three branches and rows on each, account-level
/// rows, another account's rows, and tenant B's rows under the same account id.
struct Fixture {
    app: TestApp,
    alfa: Tenant,
    beta: Tenant,
    account: Uuid,
    branches: [Uuid; 3],
    rows: Vec<Probe>,
}

async fn fixture(db: TestDb) -> Fixture {
    let app = TestApp::new(db).await;
    let alfa = app.company("alfa").await;
    let beta = app.company("beta").await;
    let (a, b) = (alfa.id().as_uuid(), beta.id().as_uuid());
    let account = Uuid::now_v7();
    let other = Uuid::now_v7();
    let branches = [Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7()];
    let day = |n: u64| NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + chrono::Days::new(n % 4);
    let mut rows = Vec::new();
    let mut add = |tenant, account, branch, n| {
        rows.push(Probe {
            tenant,
            account,
            branch,
            date: day(n),
            id: Uuid::now_v7(),
        });
    };
    for n in 0..9 {
        add(a, account, Some(branches[0]), n);
        add(a, account, Some(branches[1]), n + 1);
        add(a, account, Some(branches[2]), n + 2);
        add(a, account, None, n + 3);
        add(a, other, Some(branches[0]), n);
        add(b, account, Some(branches[0]), n);
        add(b, account, None, n);
    }
    create(&app.db, &rows).await;
    Fixture {
        app,
        alfa,
        beta,
        account,
        branches,
        rows,
    }
}

async fn a_portal_page_shows_the_scope_and_nothing_else(db: TestDb) {
    let f = fixture(db).await;
    let (a, b) = (f.alfa.id().as_uuid(), f.beta.id().as_uuid());
    let [norte, sur, _] = f.branches;
    let only = BranchScope::Only(vec![norte.into(), sur.into()]);

    let two = scope(a, f.account, only.clone()).await;
    let seen = walk(&f.app.db, &f.alfa, &two, 100).await;
    assert_eq!(ids(&seen), expected(&f.rows, &two));
    assert_eq!(seen.len(), 9 * 3, "two branches and account-level rows");
    assert!(
        seen.iter()
            .all(|k| k.branch_id.is_none_or(|b| b == norte || b == sur)),
        "no hidden branch's row"
    );
    assert!(
        seen.iter().any(|k| k.branch_id.is_none()),
        "account-level rows"
    );

    let none = scope(a, f.account, BranchScope::Only(vec![])).await;
    let seen = walk(&f.app.db, &f.alfa, &none, 100).await;
    assert!(!seen.is_empty() && seen.iter().all(|k| k.branch_id.is_none()));
    assert_eq!(ids(&seen), expected(&f.rows, &none));

    let all = scope(a, f.account, BranchScope::All).await;
    let seen = walk(&f.app.db, &f.alfa, &all, 100).await;
    assert_eq!(seen.len(), 9 * 4, "every branch, never another account's");
    assert_eq!(ids(&seen), expected(&f.rows, &all));

    let beta_scope = scope(b, f.account, BranchScope::All).await;
    assert!(
        walk(&f.app.db, &f.alfa, &beta_scope, 100).await.is_empty(),
        "another tenant's scope sees nothing in this tenant's transaction"
    );
    let seen = walk(&f.app.db, &f.beta, &beta_scope, 100).await;
    assert_eq!(ids(&seen), expected(&f.rows, &beta_scope));
    assert_eq!(seen.len(), 9 * 2, "beta's own rows only");
    let alfa_in_beta = scope(a, f.account, only).await;
    assert!(
        walk(&f.app.db, &f.beta, &alfa_in_beta, 100)
            .await
            .is_empty()
    );
}

async fn pages_walk_the_whole_set_in_order(db: TestDb) {
    let f = fixture(db).await;
    let a = f.alfa.id().as_uuid();
    let [norte, _, este] = f.branches;
    for branches in [
        BranchScope::Only(vec![norte.into(), este.into()]),
        BranchScope::All,
    ] {
        let scope = scope(a, f.account, branches).await;
        let whole = expected(&f.rows, &scope);
        for page in [1, 4, 7, 100] {
            let seen = walk(&f.app.db, &f.alfa, &scope, page).await;
            assert_eq!(
                ids(&seen),
                whole,
                "pages of {page}: in order, no gap, no duplicate"
            );
            assert!(
                seen.windows(2)
                    .all(|w| (w[0].date, w[0].id) > (w[1].date, w[1].id)),
                "newest first, ties on date by id"
            );
        }
    }
}
