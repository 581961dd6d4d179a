//! The portal benchmark's data: in the generated company, a customer with ten
//! branches gets a few years of sales (invoices, credit notes, the payments
//! and applications that settled them), written by a handful of
//! `generate_series` statements as the table owner; and one of its generated
//! portal contacts who sees three of the branches is the one who signs in.
//!
//! The contact and the customer come from the generator's plan (no row is
//! added to the company's contacts, whose count the other benchmarks check),
//! so a rerun finds the same ones, and the sales by their count.

use std::time::Instant;

use anyhow::{Context, bail, ensure};
use chrono::NaiveDate;
use portico_data::{BranchId, Database};
use portico_domain::{AccountKind, Permission};
use sqlx::{Connection, PgConnection};
use uuid::Uuid;

use crate::generate::{ContactPlan, Generated};

/// The customer's branches (the most the generator gives a customer).
pub const BRANCHES: usize = 10;

/// The branches the contact sees.
pub const GRANTED: usize = 3;

/// Days the sales span, ending today (about two and a half years).
pub const DAYS: u32 = 900;

/// One document in this many is a credit note.
const NOTE_EVERY: u32 = 200;

/// The customer, its contact and its sales.
#[derive(Debug, Clone)]
pub struct PortalCustomer {
    pub account: Uuid,
    pub account_code: String,
    pub branches: Vec<BranchId>,
    /// The branches the contact sees.
    pub visible: Vec<BranchId>,
    /// The contact's number in the generator's plan, and its email.
    pub contact_index: usize,
    pub email: String,
    /// The roles and individual permissions that give it sales and receivables.
    pub grants: Vec<String>,
    pub counts: Counts,
    /// Whether this run wrote the sales (else an earlier run did).
    pub created: bool,
    /// Seconds the writing took (this run).
    pub seconds: f64,
}

/// What the customer's sales hold, in all and as the contact sees them.
#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub struct Counts {
    pub invoices: i64,
    pub credit_notes: i64,
    pub open_documents: i64,
    pub payments: i64,
    pub unapplied_payments: i64,
    pub applications: i64,
    pub first_day: Option<NaiveDate>,
    pub last_day: Option<NaiveDate>,
    pub visible_documents: i64,
    pub visible_open: i64,
    pub visible_unapplied: i64,
}

/// Whether a link's roles and individual permissions give sales and
/// receivables; the names that do.
fn grants(
    roles: &[portico_data::PortalRole],
    role_ids: &[Uuid],
    individual: &[Permission],
) -> Option<Vec<String>> {
    let needed = [Permission::SalesView, Permission::ReceivablesView];
    let mut names = Vec::new();
    let mut covered = [false; 2];
    for role in roles.iter().filter(|r| role_ids.contains(&r.id)) {
        let gives: Vec<bool> = needed
            .iter()
            .map(|p| role.permissions.iter().any(|q| q == p.name()))
            .collect();
        if gives.iter().any(|g| *g) {
            names.push(format!("role {}", role.name_en));
        }
        for (c, g) in covered.iter_mut().zip(gives) {
            *c |= g;
        }
    }
    for (c, p) in covered.iter_mut().zip(needed) {
        if individual.contains(&p) {
            *c = true;
            names.push(format!("permission {}", p.name()));
        }
    }
    covered.iter().all(|c| *c).then_some(names)
}

/// The first contact of the plan with the customer portal only, one link, to
/// a customer of [`BRANCHES`] branches, restricted to [`GRANTED`] of them, whose
/// grants give sales and receivables.
fn pick_contact(
    generated: &Generated,
    roles: &[portico_data::PortalRole],
) -> Option<(ContactPlan, Vec<String>)> {
    let plan = &generated.plan;
    (0..plan.contacts).find_map(|i| {
        let contact = plan.contact(i);
        if !contact.customer_portal || contact.supplier_portal || contact.links.len() != 1 {
            return None;
        }
        let link = &contact.links[0];
        let restricted = link.branches.as_ref().is_some_and(|b| b.len() == GRANTED);
        if link.kind != AccountKind::Customer
            || !restricted
            || plan.account(link.account).branches.len() != BRANCHES
        {
            return None;
        }
        let names = grants(roles, &link.role_ids, &link.permissions)?;
        Some((contact, names))
    })
}

/// Finds the customer and contact in the generated company, and writes the
/// customer's `documents` invoices and credit notes (with their lines,
/// payments and applications) unless an earlier run did. `owner_url`: the
/// table owner.
pub async fn ensure(
    db: &Database,
    owner_url: &str,
    generated: &Generated,
    documents: u32,
) -> anyhow::Result<PortalCustomer> {
    let mut tx = db.tenant_tx(&generated.tenant).await?;
    let roles = tx.portal_roles().list(None).await?;
    tx.commit().await?;
    let (contact, grants) = pick_contact(generated, &roles)
        .context("no generated contact sees 3 of 10 branches with sales and receivables")?;
    let link = &contact.links[0];
    let account = generated.plan.account(link.account);
    let visible = link.branches.clone().unwrap_or_default();
    let tenant = generated.tenant.id().as_uuid();

    let mut conn = PgConnection::connect(owner_url).await?;
    let (email, account_code): (Option<String>, String) = sqlx::query_as(
        "SELECT c.email, a.code FROM contacts c, accounts a \
         WHERE c.tenant_id = $1 AND c.id = $2 AND a.tenant_id = $1 AND a.id = $3",
    )
    .bind(tenant)
    .bind(contact.id.as_uuid())
    .bind(account.id.as_uuid())
    .fetch_one(&mut conn)
    .await
    .context("reading the contact's email")?;
    let email = email.context("the contact has no email")?;

    let (existing,): (i64,) =
        sqlx::query_as("SELECT count(*) FROM invoices WHERE tenant_id = $1 AND account_id = $2")
            .bind(tenant)
            .bind(account.id.as_uuid())
            .fetch_one(&mut conn)
            .await?;
    let started = Instant::now();
    let created = match existing {
        0 => {
            eprintln!(
                "  writing {documents} sales documents of customer {account_code} (as the owner)"
            );
            let branches: Vec<Uuid> = account.branches.iter().map(BranchId::as_uuid).collect();
            write_sales(
                &mut conn,
                tenant,
                account.id.as_uuid(),
                &branches,
                documents,
                generated.tenant.currency(),
            )
            .await?;
            for table in ["invoices", "invoice_lines", "payments", "applications"] {
                sqlx::raw_sql(sqlx::AssertSqlSafe(format!("VACUUM (ANALYZE) {table}")))
                    .execute(&mut conn)
                    .await?;
            }
            true
        }
        n if n == i64::from(documents) => false,
        n => bail!(
            "customer {account_code} has {n} sales documents, not {documents}: pass --invoices {n}, \
             or delete them to write new ones"
        ),
    };
    let seconds = started.elapsed().as_secs_f64();
    let visible_ids: Vec<Uuid> = visible.iter().map(BranchId::as_uuid).collect();
    let counts: Counts = sqlx::query_as(COUNTS)
        .bind(tenant)
        .bind(account.id.as_uuid())
        .bind(&visible_ids)
        .fetch_one(&mut conn)
        .await?;
    conn.close().await?;
    ensure!(
        counts.invoices + counts.credit_notes == i64::from(documents),
        "the customer's documents are not the benchmark's"
    );
    Ok(PortalCustomer {
        account: account.id.as_uuid(),
        account_code,
        branches: account.branches,
        visible,
        contact_index: contact.index,
        email,
        grants,
        counts,
        created,
        seconds,
    })
}

/// The documents, one row each, with what settles them: spread evenly over
/// [`DAYS`] days up to today and over the branches; one in [`NOTE_EVERY`] a
/// credit note (applied to the same branch's invoice ten documents earlier
/// once it is 60 days old); invoices mostly paid after 90 days, about half
/// paid (or half paid) between 30 and 90, mostly open before. Amounts in
/// cents; 18% tax.
const DOCUMENTS: &str = "
CREATE TEMP TABLE portal_documents ON COMMIT DROP AS
WITH base AS (
    SELECT i,
           md5('bench-portal-' || i)::uuid AS id,
           ($1::uuid[])[1 + i % cardinality($1::uuid[])] AS branch_id,
           $3::date - ($4 - 1) + ((i - 1)::bigint * $4 / $2)::int AS issued_on,
           i % $5 = 0 AS credit_note,
           abs(hashtext('bench-portal-' || i)::bigint) AS h
    FROM generate_series(1, $2) AS i
), priced AS (
    SELECT *, subtotal_cents + tax_cents AS total_cents, $3::date - issued_on AS age
    FROM (SELECT *, (subtotal_cents * 18 + 50) / 100 AS tax_cents
          FROM (SELECT *, CASE WHEN credit_note THEN 5000 + h % 90000
                               ELSE 100000 + h % 4900000 END AS subtotal_cents
                FROM base) s) t
), credited AS (
    SELECT d.*, COALESCE(n.total_cents, 0) AS credit_cents, n.id AS note_id
    FROM priced d
    LEFT JOIN priced n ON n.i = d.i + 10 AND n.credit_note AND n.age > 60 AND NOT d.credit_note
), settled AS (
    SELECT *, CASE
        WHEN credit_note THEN 'note'
        WHEN age > 90 THEN CASE WHEN (h / 100) % 100 < 2 THEN 'open'
                                WHEN (h / 100) % 100 < 4 THEN 'half' ELSE 'paid' END
        WHEN age > 30 THEN CASE WHEN (h / 100) % 100 < 50 THEN 'paid'
                                WHEN (h / 100) % 100 < 70 THEN 'half' ELSE 'open' END
        ELSE CASE WHEN (h / 100) % 100 < 15 THEN 'paid' ELSE 'open' END
    END AS status
    FROM credited
)
SELECT *, CASE status WHEN 'paid' THEN total_cents - credit_cents
                      WHEN 'half' THEN (total_cents - credit_cents) / 2
                      ELSE 0 END AS paid_cents,
       CASE WHEN i % 97 = 0 THEN 50000 ELSE 0 END AS unapplied_cents
FROM settled";

const INVOICES: &str = "
INSERT INTO invoices (tenant_id, id, account_id, branch_id, kind, number, external_ref,
    issued_on, due_on, currency, subtotal, tax, total, balance, notes, digest,
    created_at, updated_at)
SELECT $1, id, $2, branch_id,
       CASE WHEN credit_note THEN 'credit_note' ELSE 'invoice' END,
       CASE WHEN credit_note THEN 'B04' ELSE 'B01' END || lpad(i::text, 8, '0'),
       'bench-portal-' || i,
       issued_on, issued_on + CASE WHEN credit_note THEN 0 ELSE 30 END, $3,
       subtotal_cents * 100, tax_cents * 100, total_cents * 100,
       CASE WHEN credit_note THEN CASE WHEN age > 60 THEN 0 ELSE total_cents * 100 END
            ELSE (total_cents - credit_cents - paid_cents) * 100 END,
       NULL, md5('bench-portal-' || i || '/' || total_cents),
       (issued_on + time '09:00')::timestamptz, (issued_on + time '09:00')::timestamptz
FROM portal_documents";

const LINES: &str = "
INSERT INTO invoice_lines (tenant_id, invoice_id, position, item_code, description,
    quantity, unit_price, tax_rate, net, tax)
SELECT $1, id, 1, 'MERC-' || lpad((1 + h % 50)::text, 3, '0'),
       CASE WHEN credit_note THEN 'Devolución de mercancía' ELSE 'Mercancía según pedido' END,
       10000, subtotal_cents * 100, 180000, subtotal_cents * 100, tax_cents * 100
FROM portal_documents";

const PAYMENTS: &str = "
INSERT INTO payments (tenant_id, id, account_id, branch_id, number, external_ref,
    received_on, currency, method, reference, digest, amount, unapplied, created_at, updated_at)
SELECT $1, md5('bench-portal-payment-' || i)::uuid, $2, branch_id,
       'RC' || lpad(i::text, 8, '0'), 'bench-portal-payment-' || i,
       received_on, $3, method,
       CASE WHEN method = 'cash' THEN NULL ELSE 'REF-' || i END,
       md5('bench-portal-payment-' || i || '/' || paid_cents),
       (paid_cents + unapplied_cents) * 100, unapplied_cents * 100,
       (received_on + time '15:00')::timestamptz, (received_on + time '15:00')::timestamptz
FROM (SELECT *, LEAST(issued_on + 10 + (h % 40)::int, $4::date) AS received_on,
             (ARRAY['transfer', 'check', 'card', 'cash'])[1 + (h % 4)::int] AS method
      FROM portal_documents WHERE paid_cents > 0) p";

const APPLICATIONS: &str = "
INSERT INTO applications (tenant_id, source_id, invoice_id, amount)
SELECT $1, md5('bench-portal-payment-' || i)::uuid, id, paid_cents * 100
FROM portal_documents WHERE paid_cents > 0
UNION ALL
SELECT $1, note_id, id, credit_cents * 100
FROM portal_documents WHERE note_id IS NOT NULL";

const COUNTS: &str = "
SELECT
    (SELECT count(*) FROM invoices WHERE tenant_id = $1 AND account_id = $2 AND kind = 'invoice') AS invoices,
    (SELECT count(*) FROM invoices WHERE tenant_id = $1 AND account_id = $2 AND kind = 'credit_note') AS credit_notes,
    (SELECT count(*) FROM invoices WHERE tenant_id = $1 AND account_id = $2 AND balance > 0) AS open_documents,
    (SELECT count(*) FROM payments WHERE tenant_id = $1 AND account_id = $2) AS payments,
    (SELECT count(*) FROM payments WHERE tenant_id = $1 AND account_id = $2 AND unapplied > 0) AS unapplied_payments,
    (SELECT count(*) FROM applications a JOIN invoices i ON i.tenant_id = a.tenant_id AND i.id = a.invoice_id
      WHERE a.tenant_id = $1 AND i.account_id = $2) AS applications,
    (SELECT min(issued_on) FROM invoices WHERE tenant_id = $1 AND account_id = $2) AS first_day,
    (SELECT max(issued_on) FROM invoices WHERE tenant_id = $1 AND account_id = $2) AS last_day,
    (SELECT count(*) FROM invoices WHERE tenant_id = $1 AND account_id = $2
      AND (branch_id IS NULL OR branch_id = ANY($3))) AS visible_documents,
    (SELECT count(*) FROM invoices WHERE tenant_id = $1 AND account_id = $2 AND balance > 0
      AND (branch_id IS NULL OR branch_id = ANY($3))) AS visible_open,
    (SELECT count(*) FROM payments WHERE tenant_id = $1 AND account_id = $2 AND unapplied > 0
      AND (branch_id IS NULL OR branch_id = ANY($3))) AS visible_unapplied";

/// Writes the sales in one transaction, set for the tenant (so that it also
/// works for an owner that row-level security holds).
async fn write_sales(
    conn: &mut PgConnection,
    tenant: Uuid,
    account: Uuid,
    branches: &[Uuid],
    documents: u32,
    currency: &str,
) -> anyhow::Result<()> {
    let today = chrono::Utc::now().date_naive();
    let documents = i32::try_from(documents)?;
    let mut tx = conn.begin().await?;
    sqlx::query("SELECT set_config('portico.tenant_id', $1, true)")
        .bind(tenant.to_string())
        .execute(&mut *tx)
        .await?;
    sqlx::query(DOCUMENTS)
        .bind(branches)
        .bind(documents)
        .bind(today)
        .bind(i32::try_from(DAYS)?)
        .bind(i32::try_from(NOTE_EVERY)?)
        .execute(&mut *tx)
        .await
        .context("computing the documents")?;
    sqlx::query(INVOICES)
        .bind(tenant)
        .bind(account)
        .bind(currency)
        .execute(&mut *tx)
        .await
        .context("writing the invoices")?;
    sqlx::query(LINES)
        .bind(tenant)
        .execute(&mut *tx)
        .await
        .context("writing the lines")?;
    sqlx::query(PAYMENTS)
        .bind(tenant)
        .bind(account)
        .bind(currency)
        .bind(today)
        .execute(&mut *tx)
        .await
        .context("writing the payments")?;
    sqlx::query(APPLICATIONS)
        .bind(tenant)
        .execute(&mut *tx)
        .await
        .context("writing the applications")?;
    tx.commit().await?;
    Ok(())
}
