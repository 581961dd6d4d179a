//! The cost of a portal permission check and of loading the policy a contact
//! needs, in one generated company, plus the memory a cached policy holds.
//!
//! What is timed, over contacts drawn at random across the company (among
//! those with portal access, the only ones that load a policy):
//! - a check on a loaded policy (`ContactPolicy::allows`), allowed and denied;
//! - a request's cached path: `Policies::policy` hitting the cache, then a check;
//! - the uncached path: the rows (`TenantTx::contact_policy_rows` in its own
//!   transaction), the build (`ContactPolicy::build`), and the whole
//!   `Policies::policy` on a cold cache (round trips included).

use std::{
    collections::HashSet,
    hint::black_box,
    sync::Arc,
    time::{Duration, Instant},
};

use anyhow::{Context, ensure};
use portico_authz::portal::{ContactPolicy, PolicyCache, PolicyInput, PolicyLines};
use portico_data::{ContactId, Database, Tenant};
use portico_domain::{Permission, Portal};
use portico_web::policy::{Policies, policy_input};
use uuid::Uuid;

use crate::{
    generate::{ContactPlan, Generated, Plan},
    measure::{Heap, Samples, Summary, rss},
};

/// How much to measure.
#[derive(Debug, Clone)]
pub struct Options {
    /// Cold policy loads timed (each a different contact).
    pub loads: usize,
    /// Loads run first and not timed.
    pub warmup: usize,
    /// Permission checks timed, per case (allowed, denied).
    pub checks: usize,
    /// Policies built and held for the memory figure.
    pub memory_entries: usize,
    /// Seeds the random draw of contacts.
    pub seed: u64,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            loads: 2_000,
            warmup: 200,
            checks: 200_000,
            memory_entries: 10_000,
            seed: 2026,
        }
    }
}

/// The distribution of one count over the measured policies.
#[derive(Debug, Clone, Copy, Default)]
pub struct Count {
    pub mean: f64,
    pub min: usize,
    pub max: usize,
}

impl Count {
    fn of(values: impl Iterator<Item = usize>) -> Self {
        let values: Vec<usize> = values.collect();
        Count {
            mean: values.iter().sum::<usize>() as f64 / values.len().max(1) as f64,
            min: values.iter().copied().min().unwrap_or(0),
            max: values.iter().copied().max().unwrap_or(0),
        }
    }
}

/// The size of the policies measured, in casbin lines and links.
#[derive(Debug, Clone, Copy, Default)]
pub struct Lines {
    pub p: Count,
    pub g: Count,
    pub g2: Count,
    pub links: Count,
}

/// Memory held per cached policy.
#[derive(Debug, Clone, Copy, Default)]
pub struct Memory {
    pub entries: usize,
    /// Bytes held per `ContactPolicy` (enforcer, model, its copy of the input).
    pub policy_bytes: f64,
    /// Allocations made per build.
    pub policy_allocations: f64,
    /// Bytes held per policy with no lines (the enforcer's fixed cost).
    pub empty_bytes: f64,
    /// Bytes held per entry of a `PolicyCache` (the policy plus the cache's own).
    pub cached_bytes: f64,
    /// Resident set growth per policy held, as the OS sees it (cross-check).
    pub rss_bytes: Option<f64>,
}

/// Everything measured in one company.
#[derive(Debug, Clone)]
pub struct SizeReport {
    pub contacts: usize,
    pub accounts: usize,
    pub branches: usize,
    pub created: bool,
    pub generation_seconds: f64,
    pub rows: u64,
    /// Contacts with portal access among those drawn (share of the draw).
    pub portal_share: f64,
    pub check_allowed: Summary,
    pub check_denied: Summary,
    pub cached_request: Summary,
    pub fetch_rows: Summary,
    pub build: Summary,
    /// The build of a policy with no lines (what every build pays).
    pub build_empty: Summary,
    pub load_cold: Summary,
    pub lines: Lines,
    pub memory: Option<Memory>,
}

/// Draws distinct contacts with portal access at random across the company.
fn draw(plan: &Plan, want: usize, seed: u64) -> (Vec<ContactPlan>, f64) {
    let mut state = seed ^ (plan.contacts as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut seen = HashSet::new();
    let mut picked = Vec::with_capacity(want);
    let (mut drawn, mut with_portal) = (0usize, 0usize);
    let attempts = plan.contacts.saturating_mul(4).max(1_000);
    while picked.len() < want && drawn < attempts {
        let i = (next() % plan.contacts as u64) as usize;
        drawn += 1;
        if !seen.insert(i) {
            continue;
        }
        let contact = plan.contact(i);
        if contact.has_portal() {
            with_portal += 1;
            picked.push(contact);
        }
    }
    (picked, with_portal as f64 / seen.len().max(1) as f64)
}

/// One permission question with its known answer.
struct Case {
    policy: usize,
    portal: Portal,
    account: Uuid,
    permission: Permission,
}

/// Measures one generated company.
pub async fn measure(
    db: &Database,
    generated: &Generated,
    options: &Options,
    progress: bool,
) -> anyhow::Result<SizeReport> {
    let plan = &generated.plan;
    let tenant = &generated.tenant;
    let say = |what: &str| {
        if progress {
            eprintln!("  {what}");
        }
    };
    let want = (options.warmup + options.loads).max(options.memory_entries);
    let (sample, portal_share) = draw(plan, want, options.seed);
    ensure!(
        !sample.is_empty(),
        "no contact with portal access to measure"
    );
    let warmup = options.warmup.min(sample.len() / 10);
    let timed = &sample[warmup..(warmup + options.loads).min(sample.len())];

    // The uncached path, whole: each timed contact is loaded once, on a cache
    // that never held it; the tenant's version is already known (as it is for
    // every request after an instance's first).
    say("loading policies on a cold cache");
    let policies = Policies::new(db.clone(), None, 1_000_000);
    policies.version(tenant).await?;
    for contact in &sample[..warmup] {
        policies.policy(tenant, contact.id).await?;
    }
    let mut load_cold = Samples::with_capacity(timed.len());
    let mut loaded: Vec<Arc<ContactPolicy>> = Vec::with_capacity(timed.len());
    for contact in timed {
        let start = Instant::now();
        let policy = policies.policy(tenant, contact.id).await?;
        load_cold.push(start.elapsed());
        loaded.push(policy.context("a generated contact has no policy")?);
    }

    // Its two halves: the rows (a transaction of their own) and the build.
    say("fetching rows and building policies");
    let mut fetch_rows = Samples::with_capacity(timed.len());
    let mut inputs: Vec<PolicyInput> = Vec::with_capacity(timed.len());
    for contact in timed {
        let start = Instant::now();
        let input = fetch_input(db, tenant, contact.id).await?;
        fetch_rows.push(start.elapsed());
        inputs.push(input);
    }
    let mut build = Samples::with_capacity(inputs.len());
    for input in &inputs {
        let input = input.clone();
        let start = Instant::now();
        let policy = ContactPolicy::build(input).await?;
        build.push(start.elapsed());
        drop(black_box(policy));
    }

    // What every build pays: a policy with no lines.
    let empty = |contact: Uuid| PolicyInput {
        tenant: tenant.id().as_uuid(),
        contact,
        session_epoch: 0,
        customer_portal: true,
        supplier_portal: true,
        links: Vec::new(),
    };
    let mut build_empty = Samples::with_capacity(timed.len());
    for contact in timed {
        let input = empty(contact.id.as_uuid());
        let start = Instant::now();
        let policy = ContactPolicy::build(input).await?;
        build_empty.push(start.elapsed());
        drop(black_box(policy));
    }

    // Checks on loaded policies, allowed and denied; each answer is checked
    // against the grants the rows hold.
    say("checking permissions");
    let mut allowed_cases = Vec::new();
    let mut denied_cases = Vec::new();
    for (k, contact) in timed.iter().enumerate() {
        let (yes, no) = questions(contact, &loaded[k], k);
        allowed_cases.extend(yes);
        denied_cases.extend(no);
    }
    ensure!(
        !allowed_cases.is_empty() && !denied_cases.is_empty(),
        "no permission question to ask"
    );
    let check_allowed = time_checks(&loaded, &allowed_cases, options.checks, true)?;
    let check_denied = time_checks(&loaded, &denied_cases, options.checks, false)?;

    // A request's cached path: the policy from the cache, then one check.
    let mut cached_request = Samples::with_capacity(options.checks.min(100_000));
    for n in 0..options.checks.min(100_000) {
        let case = &allowed_cases[n % allowed_cases.len()];
        let contact = timed[case.policy].id;
        let start = Instant::now();
        let policy = policies.policy(tenant, contact).await?;
        let ok = policy.is_some_and(|p| p.allows(case.portal, case.account, case.permission));
        cached_request.push(start.elapsed());
        ensure!(ok, "a cached policy refused a granted permission");
    }

    let lines = Lines {
        p: Count::of(loaded.iter().map(|p| p.line_counts().p)),
        g: Count::of(loaded.iter().map(|p| p.line_counts().g)),
        g2: Count::of(loaded.iter().map(|p| p.line_counts().g2)),
        links: Count::of(timed.iter().map(|c| c.links.len())),
    };
    drop(loaded);
    drop(policies);

    say("measuring memory per cached policy");
    let memory = memory(db, tenant, &sample, options.memory_entries).await?;

    Ok(SizeReport {
        contacts: plan.contacts,
        accounts: plan.accounts,
        branches: plan.branches(),
        created: generated.created,
        generation_seconds: generated.seconds,
        rows: generated.rows,
        portal_share,
        check_allowed,
        check_denied,
        cached_request: cached_request.summary(),
        fetch_rows: fetch_rows.summary(),
        build: build.summary(),
        build_empty: build_empty.summary(),
        load_cold: load_cold.summary(),
        lines,
        memory,
    })
}

/// What `Policies::policy` loads on a miss: the rows in a transaction of their
/// own, as the policy input.
async fn fetch_input(
    db: &Database,
    tenant: &Tenant,
    contact: ContactId,
) -> anyhow::Result<PolicyInput> {
    let mut tx = db.tenant_tx(tenant).await?;
    let rows = tx.policy().contact_rows(contact).await?;
    tx.commit().await?;
    let rows = rows.context("a generated contact is missing")?;
    Ok(policy_input(tenant.id(), rows))
}

/// An allowed question (a permission one of its links grants) and a denied
/// one (a permission that link lacks, or the same permission for an account
/// the contact is not linked to) for a contact, from its plan and the policy.
fn questions(
    contact: &ContactPlan,
    policy: &ContactPolicy,
    index: usize,
) -> (Option<Case>, Option<Case>) {
    let link = contact
        .links
        .iter()
        .find(|l| contact.portal_on(Portal::of(l.kind)));
    let Some(link) = link else {
        return (None, None);
    };
    let portal = Portal::of(link.kind);
    let account = link.account_id.as_uuid();
    let granted = policy
        .links()
        .iter()
        .find(|l| l.account == account)
        .map(|l| {
            let mut all: Vec<Permission> = l.permissions.clone();
            for role in &l.roles {
                all.extend(role.permissions.iter().copied());
            }
            all
        })
        .unwrap_or_default();
    let yes = granted.first().map(|p| Case {
        policy: index,
        portal,
        account,
        permission: *p,
    });
    let no = match portal.permissions().iter().find(|p| !granted.contains(p)) {
        Some(p) => Case {
            policy: index,
            portal,
            account,
            permission: *p,
        },
        None => Case {
            policy: index,
            portal,
            account: Uuid::now_v7(),
            permission: portal.permissions()[0],
        },
    };
    (yes, Some(no))
}

/// Times `total` checks cycling through `cases`; every answer must be `expect`.
fn time_checks(
    policies: &[Arc<ContactPolicy>],
    cases: &[Case],
    total: usize,
    expect: bool,
) -> anyhow::Result<Summary> {
    // Warm-up: a pass over every case (and the answers checked once).
    for case in cases {
        let answer = policies[case.policy].allows(case.portal, case.account, case.permission);
        ensure!(
            answer == expect,
            "check answered {answer}, the plan says {expect}"
        );
    }
    let mut samples = Samples::with_capacity(total);
    for n in 0..total {
        let case = &cases[n % cases.len()];
        let policy = &policies[case.policy];
        let start = Instant::now();
        let answer = policy.allows(
            black_box(case.portal),
            black_box(case.account),
            black_box(case.permission),
        );
        samples.push(start.elapsed());
        black_box(answer);
    }
    Ok(samples.summary())
}

/// Bytes held per policy: `entries` contacts' inputs are fetched first, then
/// built and held (counted by the allocator), then put through a
/// `PolicyCache` (the policy plus the cache's own per-entry cost).
async fn memory(
    db: &Database,
    tenant: &Tenant,
    sample: &[ContactPlan],
    entries: usize,
) -> anyhow::Result<Option<Memory>> {
    let contacts = &sample[..entries.min(sample.len())];
    let mut inputs = Vec::with_capacity(contacts.len());
    for contact in contacts {
        inputs.push(fetch_input(db, tenant, contact.id).await?);
    }
    // Let the allocator settle what the fetching left behind.
    tokio::time::sleep(Duration::from_millis(50)).await;
    let Some(heap) = Heap::mark() else {
        return Ok(None);
    };
    let rss_before = rss();
    let mut held = Vec::with_capacity(inputs.len());
    for input in &inputs {
        held.push(Arc::new(ContactPolicy::build(input.clone()).await?));
    }
    let built = heap.change();
    let rss_after = rss();
    let n = held.len().max(1) as f64;
    let lines: PolicyLines = held.first().map(|p| p.line_counts()).unwrap_or_default();
    black_box(lines);
    drop(held);

    // The fixed part: as many policies with no lines.
    let heap = Heap::mark().context("the allocator stopped counting")?;
    let mut held = Vec::with_capacity(inputs.len());
    for input in &inputs {
        let empty = PolicyInput {
            links: Vec::new(),
            ..input.clone()
        };
        held.push(Arc::new(ContactPolicy::build(empty).await?));
    }
    let empty = heap.change();
    drop(held);

    let cache = PolicyCache::new(1_000_000);
    let heap = Heap::mark().context("the allocator stopped counting")?;
    for (k, input) in inputs.iter().enumerate() {
        let key = (tenant.id().as_uuid(), contacts[k].id.as_uuid(), 1);
        let input = input.clone();
        cache
            .get_or_load(key, async move {
                Ok::<_, portico_authz::PolicyError>(Some(input))
            })
            .await?;
    }
    let _ = cache.len().await;
    let cached = heap.change();
    drop(cache);

    Ok(Some(Memory {
        entries: inputs.len(),
        policy_bytes: built.retained as f64 / n,
        policy_allocations: built.allocations as f64 / n,
        empty_bytes: empty.retained as f64 / n,
        cached_bytes: cached.retained as f64 / n,
        rss_bytes: rss_before
            .zip(rss_after)
            .map(|(b, a)| (a as f64 - b as f64) / n),
    }))
}
