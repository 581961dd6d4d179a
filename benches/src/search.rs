//! Contact and account search in a generated company (DESIGN.md §8: p95 ≤ 30 ms
//! at 1,000,000 contacts for a term of three characters or more).
//!
//! What is timed: the data layer's list with a search term, as a staff page runs
//! it — `tx.contacts().list(&ContactFilter { search, .. }, after, 50)` and
//! `tx.accounts().list(..)` in an open tenant transaction of the application
//! pool (`portico_app`, row-level security) — the first page and a later page
//! reached through the keyset cursor, for a rare exact email, a rare account
//! code, a common term, a common first name, two 3-character terms, a
//! 2-character term and a term that matches nothing. Each call is the search
//! function (the ids of a rare term) plus the list query. On PostgreSQL the
//! report carries the plans: the list's statement as `portico_app` and the
//! search functions' statements as their owner runs them.

use std::time::{Duration, Instant};

use anyhow::{Context, ensure};
use portico_data::{
    Account, AccountFilter, Contact, ContactFilter, Database, NameCursor, Tenant, TenantTx,
    like_pattern,
};
use portico_domain::AccountKind;
use sqlx::{Connection, PgConnection};

use crate::{
    generate::Generated,
    measure::{Samples, Summary},
};

/// Rows per page, as the staff lists show them.
pub const PAGE: u64 = 50;

/// What to measure.
#[derive(Debug, Clone)]
pub struct Options {
    /// The later page's number (reached through the cursor; 2 or more).
    pub later_page: usize,
    /// Timed runs per case, at most (after a few untimed ones).
    pub samples: usize,
    /// Time spent timing one case, at most (at least `MIN_SAMPLES` runs).
    pub budget: Duration,
    /// Whether to collect the plans (PostgreSQL only).
    pub plans: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            later_page: 10,
            samples: 200,
            budget: Duration::from_secs(15),
            plans: true,
        }
    }
}

/// The fewest timed runs of a case, whatever the budget.
const MIN_SAMPLES: usize = 10;
/// Untimed runs before timing.
const WARMUP: usize = 3;

/// Which list a case searches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum List {
    Contacts,
    /// Customers or suppliers.
    Accounts(AccountKind),
}

impl List {
    pub fn name(self) -> &'static str {
        match self {
            List::Contacts => "contacts",
            List::Accounts(AccountKind::Customer) => "customers",
            List::Accounts(AccountKind::Supplier) => "suppliers",
        }
    }
}

/// A search term and why it is in the benchmark.
#[derive(Debug, Clone)]
pub struct Term {
    pub label: &'static str,
    pub text: String,
}

/// One term on one list: its timings and what it found.
#[derive(Debug, Clone)]
pub struct Case {
    pub term: Term,
    pub list: List,
    /// What the search function answered: `Some(n)` ids (a rare term, n ≤ the
    /// cap), `None` more than the cap (a common term) or no function (SQLite).
    pub function_ids: Option<usize>,
    /// Rows on the first page.
    pub first_rows: usize,
    pub first: Summary,
    /// The later page's number and timings, when the term has that many pages.
    pub later: Option<(usize, usize, Summary)>,
}

/// What the run measured.
#[derive(Debug, Clone)]
pub struct SearchReport {
    pub contacts: usize,
    pub accounts: usize,
    pub created: bool,
    pub generation_seconds: f64,
    pub generation_rows: u64,
    pub cap: usize,
    pub cases: Vec<Case>,
    /// `EXPLAIN (ANALYZE, BUFFERS)` per statement, by name.
    pub plans: Vec<(String, String)>,
}

/// The terms of a company: two of them read from its rows (an exact email,
/// an account code), the others fixed words of the generator's vocabulary.
async fn terms(
    tx: &mut TenantTx,
    generated: &Generated,
) -> anyhow::Result<(Vec<Term>, AccountKind)> {
    let plan = &generated.plan;
    let contact = tx
        .contacts()
        .find(plan.contact_id(plan.contacts * 3 / 7))
        .await?
        .context("the chosen contact is missing")?;
    let email = contact
        .fields
        .email
        .context("the chosen contact has no email")?;
    let account = tx
        .accounts()
        .find(plan.account_id(plan.accounts * 3 / 7))
        .await?
        .context("the chosen account is missing")?;
    let fixed = |label, text: &str| Term {
        label,
        text: text.to_owned(),
    };
    Ok((
        vec![
            fixed("rare: an exact email", email.as_str()),
            fixed("rare: an account code", &account.fields.code),
            fixed("common: every contact's domain", "correo.do"),
            fixed("common first name (Ana, Mariana, Juana…)", "ana"),
            fixed("3 characters", "mar"),
            fixed("3 characters, less common (digits)", "123"),
            fixed("2 characters", "an"),
            fixed("no match", "xqzw"),
        ],
        account.kind,
    ))
}

/// A page of `list` for `term` after `after`; returns its rows' cursors.
async fn page(
    tx: &mut TenantTx,
    list: List,
    term: &str,
    after: Option<&NameCursor>,
) -> anyhow::Result<Vec<NameCursor>> {
    Ok(match list {
        List::Contacts => tx
            .contacts()
            .list(&contact_filter(term), after, PAGE)
            .await?
            .iter()
            .map(Contact::cursor)
            .collect(),
        List::Accounts(kind) => tx
            .accounts()
            .list(&account_filter(kind, term), after, PAGE)
            .await?
            .iter()
            .map(Account::cursor)
            .collect(),
    })
}

fn contact_filter(term: &str) -> ContactFilter {
    ContactFilter {
        search: Some(term.to_owned()),
        ..ContactFilter::default()
    }
}

fn account_filter(kind: AccountKind, term: &str) -> AccountFilter {
    AccountFilter {
        kind,
        search: Some(term.to_owned()),
        archived: false,
    }
}

/// Times `page` for one case: a few untimed runs, then up to `samples` runs
/// within the time budget.
async fn time(
    tx: &mut TenantTx,
    list: List,
    term: &str,
    after: Option<&NameCursor>,
    options: &Options,
) -> anyhow::Result<Summary> {
    for _ in 0..WARMUP {
        page(tx, list, term, after).await?;
    }
    let mut samples = Samples::with_capacity(options.samples);
    let started = Instant::now();
    while samples.len() < options.samples.max(1)
        && (samples.len() < MIN_SAMPLES || started.elapsed() < options.budget)
    {
        let start = Instant::now();
        let rows = page(tx, list, term, after).await?;
        samples.push(start.elapsed());
        std::hint::black_box(rows);
    }
    Ok(samples.summary())
}

/// The cursor opening page `number` of a case (walking the pages before it),
/// or `None` when the term has fewer pages.
async fn cursor_of_page(
    tx: &mut TenantTx,
    list: List,
    term: &str,
    number: usize,
) -> anyhow::Result<Option<NameCursor>> {
    let mut after = None;
    for _ in 1..number {
        let rows = page(tx, list, term, after.as_ref()).await?;
        if rows.len() < PAGE as usize {
            return Ok(None);
        }
        after = rows.last().cloned();
    }
    // Page `number` must hold a row.
    let rows = page(tx, list, term, after.as_ref()).await?;
    Ok(if rows.is_empty() { None } else { after })
}

/// The number of ids the search function returns for a case (as the data
/// layer asks it, with the cap), `None` past the cap.
async fn function_ids(
    owner: &mut PgConnection,
    tenant: &Tenant,
    list: List,
    term: &str,
    cap: usize,
) -> anyhow::Result<Option<usize>> {
    let Some(pattern) = like_pattern(term) else {
        return Ok(Some(0));
    };
    let mut tx = owner.begin().await?;
    set_tenant(&mut tx, tenant).await?;
    let (n,): (i64,) = match list {
        List::Contacts => {
            sqlx::query_as("SELECT count(*) FROM portico_contact_matches($1, $2)")
                .bind(&pattern)
                .bind(cap as i32)
                .fetch_one(&mut *tx)
                .await?
        }
        List::Accounts(kind) => {
            sqlx::query_as("SELECT count(*) FROM portico_account_matches($1, $2, $3)")
                .bind(kind.as_str())
                .bind(&pattern)
                .bind(cap as i32)
                .fetch_one(&mut *tx)
                .await?
        }
    };
    tx.commit().await?;
    let n = n as usize;
    Ok((n <= cap).then_some(n))
}

async fn set_tenant(conn: &mut PgConnection, tenant: &Tenant) -> anyhow::Result<()> {
    sqlx::query("SELECT set_config('portico.tenant_id', $1, true)")
        .bind(tenant.id().as_uuid().hyphenated().to_string())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Measures every term on the contacts and on the accounts list of a
/// generated company. `owner_url` (PostgreSQL only) is for the plans and the
/// search functions' answers.
pub async fn measure(
    db: &Database,
    owner_url: Option<&str>,
    generated: &Generated,
    options: &Options,
) -> anyhow::Result<SearchReport> {
    ensure!(options.later_page >= 2, "the later page is page 2 or later");
    let tenant = &generated.tenant;
    let mut tx = db.tenant_tx(tenant).await?;
    let (terms, code_kind) = terms(&mut tx, generated).await?;
    let cap = portico_data::SEARCH_CAP as usize;
    let mut owner = match owner_url {
        Some(url) => Some(PgConnection::connect(url).await?),
        None => None,
    };
    let mut cases = Vec::new();
    for term in &terms {
        // The code's account is of one kind; the other terms are tried on customers.
        let kind = if term.label.contains("account code") {
            code_kind
        } else {
            AccountKind::Customer
        };
        for list in [List::Contacts, List::Accounts(kind)] {
            eprintln!("timing {:?} on {}", term.text, list.name());
            let first_rows = page(&mut tx, list, &term.text, None).await?.len();
            let first = time(&mut tx, list, &term.text, None, options).await?;
            let later = match cursor_of_page(&mut tx, list, &term.text, options.later_page).await? {
                Some(after) => {
                    let rows = page(&mut tx, list, &term.text, Some(&after)).await?.len();
                    let summary = time(&mut tx, list, &term.text, Some(&after), options).await?;
                    Some((options.later_page, rows, summary))
                }
                None => None,
            };
            let function_ids = match owner.as_mut() {
                Some(owner) => function_ids(owner, tenant, list, &term.text, cap).await?,
                None => None,
            };
            cases.push(Case {
                term: term.clone(),
                list,
                function_ids,
                first_rows,
                first,
                later,
            });
        }
    }
    tx.commit().await?;

    let mut plans = Vec::new();
    if let (Some(owner), Some(url), true) = (owner.as_mut(), owner_url, options.plans) {
        let mut app = crate::listing::app_connection(url).await?;
        for case in &cases {
            plans.extend(case_plans(db, owner, &mut app, tenant, case).await?);
        }
        app.close().await?;
    }
    if let Some(owner) = owner {
        owner.close().await?;
    }
    Ok(SearchReport {
        contacts: generated.plan.contacts,
        accounts: generated.plan.accounts,
        created: generated.created,
        generation_seconds: generated.seconds,
        generation_rows: generated.rows,
        cap,
        cases,
        plans,
    })
}

/// The plans of a case's first page: the search function's statement (as its
/// owner runs it, a generic plan) and the list's statement as `portico_app`.
async fn case_plans(
    db: &Database,
    owner: &mut PgConnection,
    app: &mut PgConnection,
    tenant: &Tenant,
    case: &Case,
) -> anyhow::Result<Vec<(String, String)>> {
    let term = &case.term.text;
    let pattern = like_pattern(term).context("a blank term")?;
    let mut tx = db.tenant_tx(tenant).await?;
    let sql = match case.list {
        List::Contacts => {
            tx.contacts()
                .list_sql(&contact_filter(term), None, PAGE)
                .await?
        }
        List::Accounts(kind) => {
            tx.accounts()
                .list_sql(&account_filter(kind, term), None, PAGE)
                .await?
        }
    };
    tx.commit().await?;
    let function = match case.list {
        List::Contacts => "portico_contact_matches",
        List::Accounts(_) => "portico_account_matches",
    };
    let name = format!("{:?} on {}", term, case.list.name());
    let function_plan = explain_function(owner, tenant, case.list, &pattern).await?;
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "BEGIN; SELECT set_config('portico.tenant_id', '{}', true)",
        tenant.id().as_uuid().hyphenated()
    )))
    .execute(&mut *app)
    .await?;
    let list_plan = crate::listing::explain(app, &sql).await?;
    sqlx::raw_sql("COMMIT").execute(&mut *app).await?;
    let mut plans = vec![(
        format!("{name}: `{function}` (its statement, as the owner)"),
        function_plan,
    )];
    // A common term on contacts: the list asked for the contacts of matching
    // accounts too (migration 0012).
    if case.list == List::Contacts && case.function_ids.is_none() {
        plans.push((
            format!("{name}: `portico_linked_contact_matches` (its statement, as the owner)"),
            explain_linked(owner, tenant, &pattern).await?,
        ));
    }
    plans.push((
        format!("{name}: the list's statement, page 1, as `portico_app`"),
        list_plan,
    ));
    Ok(plans)
}

/// [`explain_function`] for the contacts of matching accounts (migration 0012).
async fn explain_linked(
    owner: &mut PgConnection,
    tenant: &Tenant,
    pattern: &str,
) -> anyhow::Result<String> {
    let mut tx = owner.begin().await?;
    set_tenant(&mut tx, tenant).await?;
    let (sql,): (String,) = sqlx::query_as("SELECT portico_linked_contact_matches_sql($1, $2)")
        .bind(pattern)
        .bind(portico_data::LINKED_CAP)
        .fetch_one(&mut *tx)
        .await?;
    explain_as_function(tx, &sql).await
}

/// Explains a search function's statement in `tx` (the owner's, tenant set)
/// as the function runs it: not in parallel.
async fn explain_as_function(
    mut tx: sqlx::Transaction<'_, sqlx::Postgres>,
    sql: &str,
) -> anyhow::Result<String> {
    sqlx::raw_sql("SET LOCAL max_parallel_workers_per_gather = 0")
        .execute(&mut *tx)
        .await?;
    let plan = crate::listing::explain(&mut tx, sql).await?;
    tx.commit().await?;
    Ok(plan)
}

/// `EXPLAIN (ANALYZE, BUFFERS)` of the statement a search function runs: the
/// text its `…_sql` twin builds (values written in, migration 0010), run as
/// the function runs it — as the owner, with the tenant set, not in parallel.
async fn explain_function(
    owner: &mut PgConnection,
    tenant: &Tenant,
    list: List,
    pattern: &str,
) -> anyhow::Result<String> {
    let mut tx = owner.begin().await?;
    set_tenant(&mut tx, tenant).await?;
    let cap = portico_data::SEARCH_CAP;
    let (sql,): (String,) = match list {
        List::Contacts => {
            sqlx::query_as("SELECT portico_contact_matches_sql($1, $2)")
                .bind(pattern)
                .bind(cap)
                .fetch_one(&mut *tx)
                .await?
        }
        List::Accounts(kind) => {
            sqlx::query_as("SELECT portico_account_matches_sql($1, $2, $3)")
                .bind(kind.as_str())
                .bind(pattern)
                .bind(cap)
                .fetch_one(&mut *tx)
                .await?
        }
    };
    explain_as_function(tx, &sql).await
}
